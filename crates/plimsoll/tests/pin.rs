//! `plimsoll pin` end to end on a directory: --check, the rewrite, a
//! second run with nothing to do, a tag that cannot be resolved, bad input.

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{Compression, ImageSpec, Layer, Layout, file};

fn pin(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["pin"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .run(&all)
        .into_parts()
}

#[test]
fn check_pin_and_pin_again() {
    let t = tempfile::tempdir().unwrap();
    let mut oci = Layout::new(&t.path().join("layout"));
    let spec = ImageSpec::new(vec![Layer::new(&[file("v", "12")], Compression::Gzip)]);
    let digest = oci.add(&spec, "debian:12");
    let src = t.path().join("src");
    std::fs::create_dir_all(src.join("k8s")).unwrap();
    let dockerfile = "FROM debian:12 AS build\n# keep me\nFROM build\n";
    std::fs::write(src.join("Dockerfile"), dockerfile).unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: \"debian:12\"  # base\n";
    std::fs::write(src.join("k8s/pod.yaml"), pod).unwrap();
    let from = "--resolve-from=oci:layout";

    let (code, out, err) = pin(t.path(), &["src", from, "--check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("src/Dockerfile:1: unpinned debian:12 -> debian:12@sha256:"),
        "{out}"
    );
    assert!(out.contains("src/k8s/pod.yaml:7: unpinned"), "{out}");
    assert_eq!(
        std::fs::read_to_string(src.join("Dockerfile")).unwrap(),
        dockerfile
    );

    let (code, out, err) = pin(t.path(), &["src", from]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(src.join("Dockerfile")).unwrap(),
        dockerfile.replace("FROM debian:12 ", &format!("FROM debian:12@{digest} "))
    );
    assert_eq!(
        std::fs::read_to_string(src.join("k8s/pod.yaml")).unwrap(),
        pod.replace("\"debian:12\"", &format!("\"debian:12@{digest}\""))
    );
    let (code, out, err) = pin(t.path(), &["src", from, "--check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("2 reference(s) already pinned, 0 to pin"),
        "{err}"
    );

    std::fs::write(src.join("Dockerfile.next"), "FROM debian:13\n").unwrap();
    let (code, _, err) = pin(t.path(), &["src/Dockerfile.next", from]);
    assert_eq!(code, 1);
    assert!(
        err.contains("src/Dockerfile.next:1: cannot resolve debian:13"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(src.join("Dockerfile.next")).unwrap(),
        "FROM debian:13\n"
    );

    let (code, _, err) = pin(t.path(), &["src", "--resolve-from=oci:nowhere"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an OCI image layout"), "{err}");
    let (code, _, err) = pin(t.path(), &["missing"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing: no such file or directory"), "{err}");
}
