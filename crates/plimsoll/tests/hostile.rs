//! Hostile input found by an attacker's pass (issue 19), each kept as a
//! regression test: a layout whose blob is a FIFO or a link to a device, and
//! a thread count that made thread creation panic and hang. Every run is
//! bounded by `timeout`, so a regression fails instead of hanging the suite.

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::*;

/// `plimsoll ARGS` under `timeout 60`: (exit code, stderr); 124 is a hang.
fn bounded(cache: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["60", env!("CARGO_BIN_EXE_plimsoll")];
    all.extend_from_slice(args);
    let r = Cli::new("timeout").cache(cache).run(&all);
    (r.code, r.stderr)
}

/// A layout with one small image tagged `t`; returns its reference and the
/// path of its layer blob.
fn layout(root: &Path) -> (String, std::path::PathBuf) {
    let spec = ImageSpec::new(vec![Layer::new(
        &[dir("etc"), file("etc/hostname", "x\n")],
        Compression::Gzip,
    )]);
    let layer = sha256(&spec.layers[0].blob);
    let dir = root.join("img");
    Layout::new(&dir).add(&spec, "t");
    let blob = dir
        .join("blobs/sha256")
        .join(layer.trim_start_matches("sha256:"));
    assert!(blob.is_file());
    (format!("oci:{}:t", dir.display()), blob)
}

#[test]
fn a_layer_blob_that_is_a_fifo_is_refused_at_once() {
    let t = tempfile::tempdir().unwrap();
    let (reference, blob) = layout(t.path());
    std::fs::remove_file(&blob).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&blob)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, err) = bounded(
        &t.path().join("cache"),
        &["image", "audit", &reference, "--no-cache"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    assert!(
        err.contains(blob.file_name().unwrap().to_str().unwrap()),
        "names the blob: {err}"
    );
}

#[test]
fn a_layer_blob_linked_to_a_device_is_refused_unread() {
    let t = tempfile::tempdir().unwrap();
    let (reference, blob) = layout(t.path());
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &blob).unwrap();
    let (code, err) = bounded(
        &t.path().join("cache"),
        &["image", "audit", &reference, "--no-cache"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a regular file (a character device)"),
        "{err}"
    );
}

#[test]
fn an_index_that_is_a_fifo_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let (reference, _) = layout(t.path());
    let index = t.path().join("img/index.json");
    std::fs::remove_file(&index).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&index)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, err) = bounded(&t.path().join("cache"), &["image", "audit", &reference]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("index.json: not a regular file (a FIFO)"),
        "{err}"
    );
}

#[test]
fn a_huge_thread_count_is_an_error_not_a_panic_or_a_hang() {
    let t = tempfile::tempdir().unwrap();
    let (reference, _) = layout(t.path());
    for n in ["100000", "10000", "257"] {
        let (code, err) = bounded(
            &t.path().join("cache"),
            &["image", "audit", &reference, "--threads", n],
        );
        assert_eq!(code, 2, "--threads {n}: {err}");
        assert!(err.contains("at most 256"), "{err}");
    }
    let (code, err) = bounded(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &reference,
            "--threads",
            "256",
            "--no-cache",
        ],
    );
    assert!(code == 0 || code == 1, "256 threads work: {err}");
}

#[test]
fn a_variable_expansion_bomb_lints_in_bounded_memory() {
    let t = tempfile::tempdir().unwrap();
    // Each ARG doubles the previous one; the ENV lines double it again.
    let mut df = String::from("FROM debian:12\nARG a0=0123456789abcdef\n");
    for n in 1..60 {
        df.push_str(&format!("ARG a{n}=${{a{m}}}${{a{m}}}\n", m = n - 1));
    }
    for n in 0..40 {
        df.push_str(&format!("ENV e{n}=${{a59}}${{a59}}\n"));
    }
    df.push_str("RUN echo $a59 $e39\n");
    let file = t.path().join("Dockerfile");
    std::fs::write(&file, df).unwrap();
    // At most 1 GiB of address space: without the cap this needed 2^60 bytes.
    let script = format!(
        "ulimit -v 1048576; exec timeout 60 '{}' lint '{}'",
        env!("CARGO_BIN_EXE_plimsoll"),
        file.display()
    );
    let r = Cli::new("sh").run(&["-c", &script]);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    assert!(r.stdout.contains("Dockerfile"), "{}", r.stdout);
}

/// Item 11: a cache hit must not hide a local blob changed in place (same name, same
/// size): the blob's fingerprint (size, times, inode) no longer matches the one recorded
/// when it was verified, so it is read again and its digest fails. An unchanged blob is
/// still served from the cache.
#[test]
fn a_blob_changed_in_place_after_a_cached_audit_is_read_again() {
    use std::io::{Seek, SeekFrom, Write};
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let (reference, blob) = layout(t.path());
    let audit = |extra: &[&str]| {
        let mut args = vec!["image", "audit", &reference, "--format", "json"];
        args.extend_from_slice(extra);
        let r = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
            .cache(&cache)
            .run(&args);
        (r.code, r.stdout, r.stderr)
    };
    let (code, _, err) = audit(&[]);
    assert!(code <= 1, "{err}");
    let (code, out, err) = audit(&[]);
    assert!(code <= 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["scan"]["layers_from_cache"], 1, "{out}");
    // Flip one byte in the middle of the gzip stream, keeping the size.
    let len = std::fs::metadata(&blob).unwrap().len();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .read(true)
        .open(&blob)
        .unwrap();
    let mut b = [0u8; 1];
    f.seek(SeekFrom::Start(len / 2)).unwrap();
    std::io::Read::read_exact(&mut f, &mut b).unwrap();
    f.seek(SeekFrom::Start(len / 2)).unwrap();
    f.write_all(&[b[0] ^ 0x55]).unwrap();
    drop(f);
    assert_eq!(std::fs::metadata(&blob).unwrap().len(), len);
    let (code, _, err) = audit(&[]);
    assert_eq!(code, 2, "a changed blob must fail, cache or not: {err}");
    assert!(err.contains("sha256:"), "names the blob: {err}");
}

/// Small item of issue 19: `--cache-dir` naming a regular file was a silent run without a
/// cache; it is an error naming the path.
#[test]
fn a_cache_dir_that_is_a_file_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let (reference, _) = layout(t.path());
    let file = t.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let (code, err) = bounded(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &reference,
            "--cache-dir",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not-a-dir") && err.contains("not a directory"),
        "{err}"
    );
}

/// Item 8: one huge line. Before the fix a line cost 21 times its size (an offset per byte,
/// twice) and a RUN of short words hundreds of bytes per word in the shell parser (50 MB:
/// 6.3 GB, 32 s). Lints `lines` under a 1 GiB address-space limit and 120 s.
fn lint_huge_lines(lines: &[(&str, String)]) {
    let t = tempfile::tempdir().unwrap();
    for (name, line) in lines {
        let file = t.path().join(name);
        std::fs::write(&file, format!("FROM debian:12\n{line}\n")).unwrap();
        let script = format!(
            "ulimit -v 1048576; exec timeout 120 '{}' lint '{}'",
            env!("CARGO_BIN_EXE_plimsoll"),
            file.display()
        );
        let r = Cli::new("sh").run(&["-c", &script]);
        assert!(
            r.code == 0 || r.code == 1,
            "{name}: exit {}: {}",
            r.code,
            r.stderr
        );
        assert!(
            r.stdout.contains("1 file(s) linted"),
            "{name}: {}",
            r.stdout
        );
    }
}

#[test]
fn an_8_mb_run_of_short_words_lints_in_bounded_memory() {
    lint_huge_lines(&[("words", format!("RUN echo {}", "ab ".repeat(2_700_000)))]);
}

#[test]
#[ignore = "explicit suite: writes and lints three 50 MB lines (scripts/test-all.sh)"]
fn fifty_mb_lines_lint_in_bounded_memory() {
    lint_huge_lines(&[
        ("word", format!("RUN echo {}", "a".repeat(50_000_000))),
        ("words", format!("RUN echo {}", "ab ".repeat(16_000_000))),
        ("label", format!("LABEL x=\"{}\"", "a".repeat(50_000_000))),
    ]);
}
