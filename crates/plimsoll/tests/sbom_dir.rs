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
