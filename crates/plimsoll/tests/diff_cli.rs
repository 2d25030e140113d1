//! `plimsoll diff`: the binary on two small images built here (an OCI
//! layout and a docker archive), every output format (JSON against
//! schemas/image-diff.schema.json), the shared base read once through the
//! cache, and bad references (exit 2, named).

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{
    Compression, ImageSpec, Layer, Layout, debian_glibc_image, docker_archive, file, file_mode, osv,
};
use serde_json::{Value, json};

fn base(compression: Compression) -> Layer {
    Layer::new(
        &[
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            file(
                "var/lib/dpkg/status",
                "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n",
            ),
        ],
        compression,
    )
}

fn one(compression: Compression) -> ImageSpec {
    ImageSpec::new(vec![
        base(compression),
        Layer::new(&[file_mode("app/run", "v1", 0o755, 0)], compression),
    ])
    .config(json!({"User": "root", "Env": ["MODE=dev"]}))
}

fn two(compression: Compression) -> ImageSpec {
    ImageSpec::new(vec![
        base(compression),
        Layer::new(
            &[
                file_mode("app/run", "v2", 0o755, 1000),
                file("app/extra", "more"),
            ],
            compression,
        ),
    ])
    .config(json!({"User": "app", "Env": ["MODE=prod"]}))
}

fn plimsoll(cache: &Path, args: &[&str]) -> (i32, String, String) {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(args)
        .into_parts()
}

fn layout(dir: &Path) -> (String, String) {
    let mut layout = Layout::new(&dir.join("oci"));
    layout.add(&one(Compression::Gzip), "1");
    layout.add(&two(Compression::Gzip), "2");
    let oci = dir.join("oci").display().to_string();
    (format!("oci:{oci}:1"), format!("oci:{oci}:2"))
}

#[test]
fn json_matches_the_schema_and_the_base_is_read_once() {
    let t = tempfile::tempdir().unwrap();
    let (r1, r2) = layout(t.path());
    let cache = t.path().join("cache");
    let (code, out, err) = plimsoll(&cache, &["diff", &r1, &r2, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/image-diff.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{out}");
    assert_eq!(doc["identical"], false);
    assert_eq!(doc["layers"]["shared"], 1);
    // Three distinct layers read; the shared base came from the cache the second time.
    assert_eq!(doc["read"]["layers_read"], 3);
    assert_eq!(doc["read"]["layers_from_cache"], 1);
    assert_eq!(doc["files"]["added"][0]["path"], "/app/extra");
    assert_eq!(
        doc["files"]["changed"][0]["changes"],
        json!(["owner", "content"])
    );
    assert_eq!(doc["metadata"][0]["field"], "user");
    assert!(doc["packages"]["changed"].as_array().unwrap().is_empty());

    // --no-cache: the user's cache untouched, the base still read once (a private cache).
    let fresh = t.path().join("untouched");
    let (code, out, err) = plimsoll(
        &fresh,
        &["diff", &r1, &r2, "--format", "json", "--no-cache"],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            &doc["read"]["layers_read"],
            &doc["read"]["layers_from_cache"]
        ),
        (&json!(3), &json!(1))
    );
    assert!(!fresh.exists());

    // Warm: nothing read at all.
    let (code, out, _) = plimsoll(&cache, &["diff", &r1, &r2, "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["read"]["layers_read"], 0);
}

#[test]
fn table_and_container_diff_across_sources() {
    let t = tempfile::tempdir().unwrap();
    let (r1, _) = layout(t.path());
    let archive = t.path().join("two.tar");
    docker_archive(&archive, &two(Compression::None), "two:2");
    let r2 = format!("docker-archive:{}", archive.display());
    let cache = t.path().join("cache");
    let (code, out, err) = plimsoll(&cache, &["diff", &r1, &r2, "--no-progress"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Files: 1 added, 0 removed, 1 changed"),
        "{out}"
    );
    assert!(out.contains("~ user: \"root\" -> \"app\""), "{out}");
    assert!(out.contains("~ env.MODE: \"dev\" -> \"prod\""), "{out}");
    // The archive's layers are uncompressed blobs: other digests, the same diff_ids.
    assert!(out.contains("Layers: 1 shared"), "{out}");

    let report = t.path().join("cd.json");
    let (code, _, err) = plimsoll(
        &cache,
        &[
            "diff",
            &r1,
            &r2,
            "--format",
            "container-diff",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let cd: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let file = cd
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["DiffType"] == "File")
        .unwrap();
    assert_eq!(file["Image1"], r1.as_str());
    assert_eq!(file["Image2"], r2.as_str());
    assert_eq!(
        file["Diff"]["Adds"],
        json!([{"Name": "/app/extra", "Size": 4}])
    );
    assert_eq!(
        file["Diff"]["Mods"],
        json!([{"Name": "/app/run", "Size1": 2, "Size2": 2}])
    );
}

#[test]
fn a_bad_reference_exits_2_and_is_named() {
    let t = tempfile::tempdir().unwrap();
    let (r1, _) = layout(t.path());
    let missing = format!("oci:{}:nope", t.path().join("oci").display());
    let (code, out, err) = plimsoll(&t.path().join("cache"), &["diff", &r1, &missing]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert!(err.starts_with("error: second image '"), "{err}");
    assert!(err.contains(":nope'"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A missing argument is a usage error, the same code.
    let (code, _, err) = plimsoll(&t.path().join("cache"), &["diff", &r1]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn with_a_database_vulnerabilities_fixed_and_introduced() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let db = t.path().join("vuln.db").display().to_string();
    let records = osv::glibc_dir(t.path()).display().to_string();
    let (code, _, err) = plimsoll(&cache, &["db", "import", &records, "--db", &db]);
    assert_eq!(code, 0, "{err}");
    let mut layout = Layout::new(&t.path().join("oci"));
    layout.add(&debian_glibc_image("2.36-9+deb12u1", None), "old");
    layout.add(&debian_glibc_image("2.36-9+deb12u4", None), "new");
    let oci = t.path().join("oci").display().to_string();
    let (old, new) = (format!("oci:{oci}:old"), format!("oci:{oci}:new"));

    let (code, out, err) = plimsoll(
        &cache,
        &["diff", &old, &new, "--db", &db, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/image-diff.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{out}");
    let v = &doc["vulnerabilities"];
    assert_eq!(v["fixed"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["fixed"][0]["id"], "CVE-2023-4911");
    assert_eq!(v["fixed"][0]["package"], "libc6");
    assert_eq!(v["fixed"][0]["version"], "2.36-9+deb12u1");
    assert_eq!(v["fixed"][0]["severity"], "high");
    assert!(v["introduced"].as_array().unwrap().is_empty());
    assert_eq!(doc["packages"]["changed"][0]["name"], "libc6");

    // The other way round: introduced.
    let (code, out, err) = plimsoll(&cache, &["diff", &new, &old, "--db", &db]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 fixed, 1 introduced"), "{out}");
    assert!(out.contains("+ CVE-2023-4911"), "{out}");

    // Without --db no vulnerability section; a missing database is bad input.
    let (_, out, _) = plimsoll(&cache, &["diff", &old, &new, "--format", "json"]);
    assert!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .get("vulnerabilities")
            .is_none()
    );
    let missing = t.path().join("none.db").display().to_string();
    let (code, _, err) = plimsoll(&cache, &["diff", &old, &new, "--db", &missing]);
    assert_eq!(code, 2);
    assert!(err.contains("plimsoll db import"), "{err}");
}
