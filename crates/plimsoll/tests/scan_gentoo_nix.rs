//! `plimsoll scan` of a Gentoo image holding a Nix store path, a LuaRocks
//! rock and a WordPress plugin (the real fixtures of plimsoll-sbom's
//! `tests/data`, syft's): the packages are listed with syft's types and
//! purls, and the scan says it could not match them (OSV has no Gentoo,
//! Nix, LuaRocks or WordPress data) instead of reporting the image clean.

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;
use serde_json::{Value, json};

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

fn data(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plimsoll-sbom/tests/data")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SKOPEO: &str = "var/db/pkg/app-containers/skopeo-1.5.1";
const GLIBC: &str = "nix/store/h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin";

fn image(root: &Path) -> String {
    let mut items = vec![
        file(
            "etc/os-release",
            "NAME=Gentoo\nID=gentoo\nPRETTY_NAME=\"Gentoo Linux\"\nVERSION_ID=2.17\n",
        ),
        file(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n",
        ),
        file("etc/group", "root:x:0:\napp:x:10001:\n"),
        file(
            &format!("{GLIBC}/lib/glibc.so"),
            data(&format!("nix/{GLIBC}/lib/glibc.so")),
        ),
        file(
            "usr/local/lib/luarocks/rocks-5.1/lpeg/1.0.2-1/lpeg-1.0.2-1.rockspec",
            data("lua/rockspec/lpeg-1.0.2-1.rockspec"),
        ),
        file(
            "var/www/html/wp-content/plugins/akismet/akismet.php",
            data("wordpress/wp-content/plugins/akismet/akismet.php"),
        ),
    ];
    for f in ["CONTENTS", "LICENSE"] {
        items.push(file(
            &format!("{SKOPEO}/{f}"),
            data(&format!("portage/{SKOPEO}/{f}")),
        ));
    }
    // Running as a user with a healthcheck: the audit itself has nothing high.
    let spec = ImageSpec::new(vec![Layer::new(&items, Compression::Gzip)]).config(json!({
        "User": "10001",
        "Entrypoint": ["/app/server"],
        "Healthcheck": {"Test": ["CMD", "/app/server", "--health"]},
    }));
    let mut layout = Layout::new(&root.join("img"));
    layout.add(&spec, "1.0");
    format!("oci:{}:1.0", root.join("img").display())
}

#[test]
fn a_gentoo_image_with_nix_lua_and_wordpress_is_reported_unmatched_never_clean() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let osv = plimsoll_testkit::osv::glibc_dir(t.path());
    let db = t.path().join("vuln.db").display().to_string();
    let r = plimsoll(
        t.path(),
        &["db", "import", &osv.display().to_string(), "--db", &db],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = plimsoll(t.path(), &["scan", &img, "--db", &db, "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for note in [
        "note: no advisory data for distribution 'gentoo 2.17': portage packages (1) not matched",
        "note: no advisory matching for nix packages (1) not matched",
        "note: no advisory matching for lua-rocks packages (1) not matched",
        "note: no advisory matching for wordpress-plugin packages (1) not matched",
    ] {
        assert!(r.stderr.contains(note), "{note}: {}", r.stderr);
    }
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sbom"]["distro"]["id"], "gentoo");
    assert_eq!(v["sbom"]["packages"], 4, "{:#}", v["sbom"]);
    assert_eq!(
        v["vulnerabilities"]["not_matched"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "{:#}",
        v["vulnerabilities"]
    );
    assert_eq!(
        v["vulnerabilities"]["findings"].as_array().unwrap().len(),
        0
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/scan-report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The SBOM lists them with syft's types and purls.
    let r = plimsoll(
        t.path(),
        &["sbom", &img, "--format", "json", "--no-progress"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut got: Vec<(&str, &str, &str)> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap(),
                p["name"].as_str().unwrap(),
                p["purl"].as_str().unwrap_or(""),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("lua-rocks", "LPeg", "pkg:luarocks/LPeg@1.0.2-1"),
            (
                "nix",
                "glibc",
                "pkg:nix/glibc@2.34-210?output=bin&outputhash=h0cnbmfcn93xm5dg2x27ixhag1cwndga"
            ),
            (
                "portage",
                "app-containers/skopeo",
                "pkg:ebuild/app-containers/skopeo@1.5.1"
            ),
            ("wordpress-plugin", "Akismet Anti-spam: Spam Protection", ""),
        ]
    );
}
