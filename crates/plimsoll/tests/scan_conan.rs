//! `plimsoll scan` of a C++ source tree: syft's Conan 1 lock fixture and a
//! `conanfile.txt`, matched end to end against ConanCenter records (the
//! records of plimsoll-vuln's tests, made from real advisories) imported as
//! a user imports OSV's. References with a user and channel are not
//! ConanCenter's: counted as not matched, never reported clean.

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
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

#[test]
fn a_source_tree_s_conan_files_are_matched_against_conan_center_records() {
    let t = tempfile::tempdir().unwrap();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let records = here
        .join("../plimsoll-vuln/tests/data/conan/records")
        .display()
        .to_string();
    let db = t.path().join("vuln.db").display().to_string();
    let r = plimsoll(t.path(), &["db", "import", &records, "--db", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let tree = t.path().join("app");
    std::fs::create_dir_all(tree.join("third_party")).unwrap();
    // syft's fixture: mfast (with a user and channel), boost, zlib 1.2.12, …
    std::fs::copy(
        here.join("../plimsoll-sbom/tests/data/lock/conan/conan.lock"),
        tree.join("conan.lock"),
    )
    .unwrap();
    std::fs::write(
        tree.join("third_party/conanfile.txt"),
        "[requires]\nopenssl/3.0.6\nlibcurl/8.4.0\nzlib/1.2.12@mycompany/stable\n\n[generators]\nCMakeDeps\n",
    )
    .unwrap();
    let arg = format!("dir:{}", tree.display());
    let r = plimsoll(t.path(), &["scan", &arg, "--db", &db, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut found: Vec<(String, String, String)> = v["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap().to_string();
            (
                s(&f["id"]),
                s(&f["package"]["purl"]),
                s(&f["package"]["location"]),
            )
        })
        .collect();
    found.sort();
    // libcurl 8.4.0 is CVE-2023-38545's fix; mycompany's zlib is not
    // ConanCenter's.
    assert_eq!(
        found,
        [
            (
                "CVE-2022-3602".to_string(),
                "pkg:conan/openssl@3.0.6".to_string(),
                "third_party/conanfile.txt".to_string()
            ),
            (
                "CVE-2022-37434".to_string(),
                "pkg:conan/zlib@1.2.12".to_string(),
                "conan.lock".to_string()
            ),
        ]
    );
    assert_eq!(
        v["vulnerabilities"]["not_matched"],
        serde_json::json!(["not from ConanCenter: conan packages (2) not matched"])
    );
}
