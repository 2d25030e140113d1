//! Shell and interpreter names: which programs run their `-c` argument as a
//! script, which of them know `set -o pipefail`, and what a download can be
//! piped into.

/// A POSIX-style shell: `NAME -c SCRIPT` runs SCRIPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shell {
    /// The program's file name (`bash`), as it appears in a command or a
    /// `#!` line, without its directory.
    pub name: &'static str,
    /// Whether it knows `set -o pipefail`, so that a failing `curl` in
    /// `curl … | tar x` fails the RUN (dash and a plain `sh` do not).
    pub pipefail: bool,
}

/// The shells whose `-c` argument is a script. Plain data: the Dockerfile
/// rules, the image rules and the run-time configuration rules read the
/// same list.
pub const SHELLS: &[Shell] = &[
    Shell {
        name: "sh",
        pipefail: false,
    },
    Shell {
        name: "bash",
        pipefail: true,
    },
    Shell {
        name: "dash",
        pipefail: false,
    },
    Shell {
        name: "ash",
        pipefail: true,
    },
    Shell {
        name: "zsh",
        pipefail: true,
    },
    Shell {
        name: "ksh",
        pipefail: true,
    },
];

/// Interpreters other than the shells that run a script read from stdin, so
/// `curl … | python3` runs whatever the server sent.
pub const SCRIPT_INTERPRETERS: &[&str] = &["python", "python3", "perl", "ruby", "node", "php"];

/// Whether `program` (a file name, no directory) is one of [`SHELLS`].
pub fn is_shell(program: &str) -> bool {
    SHELLS.iter().any(|s| s.name == program)
}

/// Whether `program` is one of [`SHELLS`] that knows `set -o pipefail`.
pub fn has_pipefail(program: &str) -> bool {
    SHELLS.iter().any(|s| s.name == program && s.pipefail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells() {
        for s in ["sh", "bash", "dash", "ash", "zsh", "ksh"] {
            assert!(is_shell(s), "{s}");
        }
        assert!(!is_shell("python3") && !is_shell("fish") && !is_shell("/bin/sh"));
        assert!(has_pipefail("bash") && has_pipefail("ash"));
        assert!(!has_pipefail("sh") && !has_pipefail("dash") && !has_pipefail("python"));
    }
}
