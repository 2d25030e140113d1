//! `plimsoll sbom dir:PATH`: a directory read as a one-layer image.

use std::fs;

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn plimsoll(args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let r = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache.path())
        .run(args);
    // Nothing is cached for a directory: it can change between runs.
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0);
    r.into_parts()
}

#[test]
fn sbom_of_a_directory() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    fs::create_dir_all(root.join("usr/lib")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(
        root.join("usr/lib/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\n\
         Version: 2.36-9+deb12u4\n\n\
         Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n",
    )
    .unwrap();
    // A symlink out of the tree is listed as a link, never followed.
    std::os::unix::fs::symlink("/var/lib/dpkg/status", root.join("var/lib/dpkg/status-old"))
        .unwrap();

    let arg = format!("dir:{}", root.display());
    let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let purls: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
            "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
        ]
    );
    assert_eq!(v["distro"]["id"], "debian");
    assert_eq!(v["image"]["reference"], arg);

    // A package removed from the directory is gone on the next run.
    fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n",
    )
    .unwrap();
    let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["packages"].as_array().unwrap().len(), 1);
}

#[test]
fn a_missing_directory_is_a_clear_error() {
    let d = tempfile::tempdir().unwrap();
    let arg = format!("dir:{}", d.path().join("nope").display());
    let (code, _, err) = plimsoll(&["sbom", &arg]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nope"), "{err}");
    let f = d.path().join("file");
    fs::write(&f, "x").unwrap();
    let (code, _, err) = plimsoll(&["sbom", &format!("dir:{}", f.display())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a directory"), "{err}");
}

/// `plimsoll ARGS` under `timeout`: a run that blocks (on a fifo, say) is
/// killed and fails the test instead of hanging it (exit 124).
fn plimsoll_bounded(secs: u32, args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let limit = secs.to_string();
    let mut all = vec![
        "--kill-after=10",
        limit.as_str(),
        env!("CARGO_BIN_EXE_plimsoll"),
    ];
    all.extend_from_slice(args);
    let (code, out, err) = Cli::new("timeout")
        .cache(cache.path())
        .run(&all)
        .into_parts();
    assert_ne!(code, 124, "timed out after {secs} s: {err}");
    (code, out, err)
}

/// A dpkg status file with one installed package.
fn dpkg_root(root: &std::path::Path) {
    fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n",
    )
    .unwrap();
}

fn package_names(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// Unreadable directories are warnings, the scan goes on (exit 0); fifos
/// are listed and never opened, even where a cataloger would read the file.
#[test]
fn unreadable_entries_are_warnings_and_fifos_are_never_read() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    dpkg_root(root);
    // A fifo where the apk cataloger reads its database, and one named like
    // a Java archive: opening either for reading would block for ever.
    fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    for fifo in ["lib/apk/db/installed", "app.jar"] {
        let st = std::process::Command::new("mkfifo")
            .arg(root.join(fifo))
            .status()
            .unwrap();
        assert!(st.success(), "mkfifo {fifo}");
    }
    // A directory whose path is longer than PATH_MAX (4096 bytes): nobody,
    // root included, can list it by its path. Built one relative step at a
    // time (`cd -P`, which does not keep the whole path).
    let component = "d".repeat(250);
    let script = format!(
        "cd deep && for i in $(seq 20); do mkdir {component} && cd -P {component} || exit 1; done && \
         mkdir lost && echo x > lost/f"
    );
    fs::create_dir(root.join("deep")).unwrap();
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .status()
        .unwrap();
    assert!(st.success(), "building the deep tree");
    // Where permissions hold (not root), a mode-000 directory too.
    let locked = root.join("locked");
    fs::create_dir_all(locked.join("inside")).unwrap();
    fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let privileged = fs::read_dir(&locked).is_ok();

    let arg = format!("dir:{}", root.display());
    let (code, out, err) = plimsoll_bounded(120, &["sbom", &arg, "--format", "json"]);
    fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(code, 0, "{err}");
    assert_eq!(package_names(&out), ["zlib1g"]);
    assert!(
        err.contains("File name too long"),
        "no warning for the deep directory:\n{err}"
    );
    if !privileged {
        assert!(
            err.contains(&format!(
                "{}: cannot list: Permission denied",
                locked.display()
            )),
            "no warning for the locked directory:\n{err}"
        );
    }
    // The fifos are neither read nor complained about.
    assert!(!err.contains("installed"), "{err}");
    assert!(!err.contains("app.jar"), "{err}");

    // The audit reads the same listing and warns the same way.
    let (code, _, err) = plimsoll_bounded(120, &["image", "audit", &arg, "--fail-on", "critical"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(err.contains("File name too long"), "{err}");
}

#[test]
fn exclude_leaves_paths_out() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    dpkg_root(root);
    let arg = format!("dir:{}", root.display());
    let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(package_names(&out), ["zlib1g"]);
    // A path, with or without the leading /; a directory goes with its
    // contents; `*` stays within one component, `**` crosses them.
    for (pattern, kept) in [
        ("var/lib/dpkg/status", false),
        ("/var/lib/dpkg/status", false),
        ("var", false),
        ("var/*", false),
        ("v*", false),
        ("**/status", false),
        ("*/status", true),
        ("status", true),
        ("var/lib/dpkg/status.d", true),
    ] {
        let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json", "--exclude", pattern]);
        assert_eq!(code, 0, "{pattern}: {err}");
        assert_eq!(!package_names(&out).is_empty(), kept, "--exclude {pattern}");
    }
    // Repeatable.
    let (code, out, err) = plimsoll(&[
        "sbom",
        &arg,
        "--format",
        "json",
        "--exclude",
        "etc",
        "--exclude",
        "var/lib",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(package_names(&out).is_empty());
    // Not a glob: a usage error naming the pattern.
    let (code, _, err) = plimsoll(&["sbom", &arg, "--exclude", "a[b"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid exclude pattern 'a[b'"), "{err}");
}

/// The root filesystem of this machine: pseudo-filesystems skipped,
/// unreadable entries warned about, exit 0. Slow (every file of the
/// machine is listed), hence the explicit suite.
#[test]
#[ignore = "explicit suite: lists the whole root filesystem (scripts/test-all.sh)"]
fn sbom_of_the_root_filesystem() {
    for extra in [&[][..], &["--one-file-system"][..]] {
        let mut args = vec!["sbom", "dir:/", "--format", "json", "--no-progress"];
        args.extend_from_slice(extra);
        let (code, out, err) = plimsoll_bounded(1200, &args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["packages"].is_array());
        // Where proc is mounted at /proc (a Linux machine), it is skipped.
        let on_proc = fs::read_to_string("/proc/self/mountinfo")
            .map(|m| m.lines().any(|l| l.split(' ').nth(4) == Some("/proc")))
            .unwrap_or(false);
        if on_proc {
            assert!(err.contains("/proc (proc pseudo-filesystem)"), "{err}");
        }
        // Bounded whatever the machine holds.
        assert!(
            err.lines().count() <= plimsoll_report::MAX_WARNINGS + 2,
            "{err}"
        );
    }
}

/// An Alpine root whose apk database is `records`.
fn apk_root(root: &std::path::Path, records: &str) {
    fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(
        root.join("etc/os-release"),
        "ID=alpine\nVERSION_ID=3.20.0\n",
    )
    .unwrap();
    fs::write(root.join("lib/apk/db/installed"), records).unwrap();
}

/// Issue 19 item 7: one package repeated 200,000 times is one package and
/// one warning (it printed 2,097,151 warnings and peaked at 1.17 GB);
/// distinct warnings stop at 100, then "… and N more warnings".
#[test]
fn warnings_are_deduplicated_and_capped() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    apk_root(
        root,
        &"P:musl\nV:1.2.5-r0\nA:x86_64\nF:lib\nR:libc.so\n\n".repeat(200_000),
    );
    let arg = format!("dir:{}", root.display());
    let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(package_names(&out), ["musl"]);
    assert_eq!(
        err.trim_end(),
        format!(
            "warning: {arg}: lib/apk/db/installed: musl 1.2.5-r0 (x86_64) is listed 200000 \
             times: listed once"
        )
    );

    // 300 distinct bad records: 100 warnings, then the count of the rest.
    let bad: String = (0..300)
        .map(|i| format!("P:noversion{i}\nA:x86_64\n\n"))
        .collect();
    apk_root(root, &format!("{bad}P:musl\nV:1.2.5-r0\nA:x86_64\n"));
    let (code, out, err) = plimsoll(&["sbom", &arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(package_names(&out), ["musl"]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), plimsoll_report::MAX_WARNINGS + 1, "{err}");
    assert!(lines[0].ends_with("lib/apk/db/installed:1: noversion0 has no version (V:): skipped"));
    assert_eq!(
        lines[100],
        format!("warning: {arg}: … and 200 more warnings")
    );
}
