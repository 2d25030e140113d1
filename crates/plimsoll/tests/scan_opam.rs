//! `plimsoll sbom` and `plimsoll scan` of OCaml packages: an image holding an
//! opam switch (the records opam keeps of installed packages) and a source
//! tree's `*.opam` file, matched end to end against the real OSEC records
//! of plimsoll-vuln's tests (the OCaml security advisories' OSV data),
//! imported as a user would import them.

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;
use serde_json::Value;

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .env_remove("PLIMSOLL_DB")
        .env_remove("DOCKER_CONFIG")
        // A missing database is fetched from here: a closed loopback port, never the internet.
        .env("PLIMSOLL_DB_URL", "http://127.0.0.1:9")
        .run(args)
}

const SWITCH: &str = "root/.opam/default/.opam-switch/packages";

/// (path, content) of the files: syft's ocaml-base-compiler fixture and
/// opam-repository's description of ocaml 4.14.2 where opam records them
/// in a switch, and a project's `tls.opam` (as dune writes one: the
/// version in the file).
fn files() -> Vec<(String, Vec<u8>)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plimsoll-sbom/tests/data/opam");
    vec![
        (
            format!("{SWITCH}/ocaml-base-compiler.4.14.0/opam"),
            std::fs::read(data.join("ocaml-base-compiler.4.14.0/opam")).unwrap(),
        ),
        (
            format!("{SWITCH}/ocaml.4.14.2/opam"),
            std::fs::read(data.join("opam-repository/packages/ocaml/ocaml.4.14.2/opam")).unwrap(),
        ),
        (
            "src/app/tls.opam".into(),
            b"version: \"1.0.4\"\nopam-version: \"2.0\"\nlicense: \"BSD-2-Clause\"\n".to_vec(),
        ),
    ]
}

fn database(root: &Path) -> String {
    let records = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plimsoll-vuln/tests/data/opam/records")
        .display()
        .to_string();
    let db = root.join("vuln.db").display().to_string();
    let r = plimsoll(root, &["db", "import", &records, "--db", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    db
}

/// (finding id, package@version), sorted.
fn findings(root: &Path, target: &str, db: &str) -> Vec<String> {
    let r = plimsoll(root, &["scan", target, "--db", db, "--format", "json"]);
    // 1: the audit's runs-as-root (no image config sets a user) is high.
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut out: Vec<String> = v["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}@{}",
                f["id"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

/// (type, name, version, purl) of every package, sorted.
fn packages(root: &Path, target: &str) -> Vec<(String, String, String, String)> {
    let r = plimsoll(root, &["sbom", target, "--format", "json", "--no-progress"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let s = |p: &Value, k: &str| p[k].as_str().unwrap_or("").to_string();
    let mut out: Vec<_> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(p, "type"), s(p, "name"), s(p, "version"), s(p, "purl")))
        .collect();
    out.sort();
    out
}

fn pkg(name: &str, version: &str) -> (String, String, String, String) {
    (
        "opam".into(),
        name.into(),
        version.into(),
        format!("pkg:opam/{name}@{version}"),
    )
}

const OCAML_4_14_2: [&str; 3] = [
    "CVE-2026-28364 ocaml@4.14.2",
    "CVE-2026-34353 ocaml@4.14.2",
    "CVE-2026-41083 ocaml@4.14.2",
];

#[test]
fn an_image_s_opam_switch_is_listed_and_matched() {
    let t = tempfile::tempdir().unwrap();
    let items: Vec<_> = files().iter().map(|(p, c)| file(p, c.clone())).collect();
    let spec = ImageSpec::new(vec![Layer::new(&items, Compression::Gzip)]);
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&spec, "1.0");
    let img = format!("oci:{}:1.0", t.path().join("img").display());
    // The switch's installed packages; a project's opam file is no
    // installation, and image scans leave it out (as syft's do).
    assert_eq!(
        packages(t.path(), &img),
        [pkg("ocaml", "4.14.2"), pkg("ocaml-base-compiler", "4.14.0")]
    );
    let db = database(t.path());
    assert_eq!(findings(t.path(), &img, &db), OCAML_4_14_2);
}

#[test]
fn a_source_tree_s_opam_files_are_listed_and_matched() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    for (p, c) in files() {
        let path = tree.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
    let dir = format!("dir:{}", tree.display());
    assert_eq!(
        packages(t.path(), &dir),
        [
            pkg("ocaml", "4.14.2"),
            pkg("ocaml-base-compiler", "4.14.0"),
            pkg("tls", "1.0.4"),
        ]
    );
    let db = database(t.path());
    let mut want: Vec<&str> = OCAML_4_14_2.to_vec();
    // tls 1.0.4 is before both fixes (2.1.0).
    want.extend(["CVE-2026-45388 tls@1.0.4", "CVE-2026-45389 tls@1.0.4"]);
    want.sort();
    assert_eq!(findings(t.path(), &dir, &db), want);
}
