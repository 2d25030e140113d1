//! Runs a command-line program in a test: a small builder over
//! [`std::process::Command`] that captures the exit code and both outputs
//! as text and fails the test when the program panicked.
//!
//! `CARGO_BIN_EXE_<name>` exists only when the binary's own crate compiles
//! its tests, so they pass the path in:
//! `Cli::new(env!("CARGO_BIN_EXE_plimsoll")).cache(dir).run(&["rules"])`.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A finished run: exit code (-1 when killed by a signal) and outputs.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(out: &Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// (code, stdout, stderr).
    pub fn into_parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }
}

/// A command to run once.
pub struct Cli {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl Cli {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cli {
            cmd: Command::new(program),
            stdin: None,
        }
    }

    /// Sets `PLIMSOLL_CACHE_DIR`, so runs never touch the user's cache.
    pub fn cache(self, dir: impl AsRef<Path>) -> Self {
        self.env("PLIMSOLL_CACHE_DIR", dir.as_ref())
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// What the program reads on stdin (by default: nothing, at once EOF).
    pub fn stdin(mut self, data: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(data.as_ref().to_vec());
        self
    }

    /// Runs with `args` and returns the raw output, panicking or not.
    pub fn output<S: AsRef<OsStr>>(mut self, args: &[S]) -> Output {
        self.cmd
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("running {:?}: {e}", self.cmd.get_program()));
        let mut input = child.stdin.take().expect("a piped stdin");
        if let Some(data) = &self.stdin {
            input.write_all(data).expect("writing stdin");
        }
        drop(input);
        child.wait_with_output().expect("waiting for the program")
    }

    /// Runs with `args`; fails the test if the program panicked.
    #[track_caller]
    pub fn run<S: AsRef<OsStr>>(self, args: &[S]) -> Run {
        let run = Run::of(&self.output(args));
        assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
        run
    }
}
