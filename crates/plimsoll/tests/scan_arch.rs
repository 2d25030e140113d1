//! `plimsoll scan` of an Arch Linux image (pacman database, a kernel module,
//! a Bitnami SPDX document; the real fixtures of plimsoll-sbom's
//! `tests/data`): the packages are listed, and the scan says which it could
//! not match and why instead of reporting the image clean.

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

fn image(root: &Path) -> String {
    let local = "var/lib/pacman/local";
    let module = "lib/modules/6.1.0-50-cloud-amd64/kernel/net/8021q/8021q.ko";
    let mut items = vec![
        file("usr/lib/os-release", data("arch/os-release")),
        file(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n",
        ),
        file("etc/group", "root:x:0:\napp:x:10001:\n"),
    ];
    for pkg in [
        "gmp-6.2.1-2",
        "emacs-29.3-3",
        "tree-sitter-0.22.6-1",
        "madeup-20.30-4",
    ] {
        items.push(file(
            &format!("{local}/{pkg}/desc"),
            data(&format!("arch/local/{pkg}/desc")),
        ));
    }
    items.push(file(module, data(&format!("kernel/{module}"))));
    items.push(file(
        "opt/bitnami/redis/.spdx-redis.spdx",
        data("bitnami/no-rel/opt/bitnami/redis/.spdx-redis.spdx"),
    ));
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
fn an_arch_image_is_reported_unmatched_never_clean() {
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
        "note: no advisory data for distribution 'arch rolling': alpm packages (4) not matched",
        "note: no advisory matching for linux-kernel-module packages (1) not matched",
    ] {
        assert!(r.stderr.contains(note), "{note}: {}", r.stderr);
    }
    // Bitnami components are matched (against OSV's Bitnami records: none
    // in this database), not reported as unmatched.
    assert!(!r.stderr.contains("bitnami packages"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sbom"]["distro"]["id"], "arch");
    assert_eq!(v["sbom"]["distro"]["build_id"], "rolling");
    assert_eq!(v["sbom"]["packages"], 6, "{:#}", v["sbom"]);
    assert_eq!(
        v["vulnerabilities"]["not_matched"][0],
        "no advisory data for distribution 'arch rolling': alpm packages (4) not matched"
    );
    assert_eq!(
        v["vulnerabilities"]["findings"].as_array().unwrap().len(),
        0
    );
    // The report (os-release's BUILD_ID included) is valid against its schema.
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
    let purls: Vec<(&str, &str)> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["type"].as_str().unwrap(), p["purl"].as_str().unwrap()))
        .collect();
    assert!(
        purls.contains(&(
            "alpm",
            "pkg:alpm/arch/gmp@6.2.1-2?arch=x86_64&distro=arch-rolling&upstream=gmp"
        )),
        "{purls:?}"
    );
    assert!(purls.contains(&("linux-kernel-module", "pkg:generic/8021q@1.8")));
    assert!(purls.contains(&(
        "bitnami",
        "pkg:bitnami/redis@7.4.0-0?arch=arm64&distro=debian-12"
    )));
}
