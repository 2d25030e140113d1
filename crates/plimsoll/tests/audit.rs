//! The CLI on small real images built in each test: rules fire on what they
//! should, and not on what they should not; formats, exit codes and cache.

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;
use serde_json::{Value, json};

fn plimsoll(cache: &Path, args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .env_remove("DOCKER_CONFIG")
        .run(args)
}

fn base_layer() -> Layer {
    Layer::new(
        &[
            dir("etc"),
            file(
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n",
            ),
            file("etc/group", "root:x:0:\napp:x:10001:\n"),
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            dir("usr"),
            dir("usr/bin"),
            file_mode("usr/bin/env", b"\x7fELF-not-really", 0o755, 0),
            symlink("bin", "usr/bin"),
        ],
        Compression::Gzip,
    )
    .created_by("ADD rootfs.tar /")
}

/// An image that breaks most rules.
fn bad_image() -> ImageSpec {
    let key_id = format!("AKIA{}", "Z7QK3VXN5MBT2LPD");
    let app = Layer::new(
        &[
            dir("srv"),
            dir("srv/app"),
            file("srv/app/.env", format!("AWS_ACCESS_KEY_ID={key_id}\n")),
            file_mode("usr/bin/helper", b"x", 0o4755, 0),
            file_mode("usr/bin/nc", b"x", 0o755, 0),
            file_mode("usr/bin/tool", b"x", 0o777, 0),
            dir("opt"),
            file("opt/blob.bin", vec![7u8; 200_000]),
        ],
        Compression::Gzip,
    )
    .created_by("/bin/sh -c curl -fsSL https://get.example/install.sh | sh");
    let cleanup = Layer::new(&[whiteout("opt/blob.bin")], Compression::Gzip)
        .created_by("/bin/sh -c rm /opt/blob.bin");
    ImageSpec::new(vec![base_layer(), app, cleanup]).config(json!({
        "Cmd": ["/bin/sh", "-c", "/srv/app/start.sh"],
        "ExposedPorts": {"80/tcp": {}},
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    }))
}

/// An image that follows the practices.
fn good_image() -> ImageSpec {
    let app = Layer::new(
        &[dir("app"), file_mode("app/server", b"binary", 0o755, 0)],
        Compression::Zstd,
    )
    .created_by("COPY server /app/");
    ImageSpec::new(vec![base_layer(), app]).config(json!({
        "User": "10001",
        "Entrypoint": ["/app/server"],
        "ExposedPorts": {"8080/tcp": {}},
        "Healthcheck": {"Test": ["CMD", "/app/server", "--health"]},
    }))
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn bad_image_fires_the_rules_it_breaks() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let digest = layout.add(&bad_image(), "latest");
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:latest", t.path().join("img").display()),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["image"]["digest"], json!(digest));
    let c = codes(&report);
    for want in [
        "IMG001", "IMG002", "IMG003", "IMG005", "IMG007", "IMG008", "IMG009", "IMG010", "IMG012",
        "IMG013", "IMG015",
    ] {
        assert!(c.contains(&want.to_string()), "{want} missing from {c:?}");
    }
    // The secret is redacted, never printed whole.
    assert!(!r.stdout.contains("Z7QK3VXN5MBT2LPD"));
    // The deleted blob is wasted bytes, exactly dive's count: 200000 + 0.
    assert_eq!(
        report["image"]["efficiency"]["wasted_bytes"],
        json!(200_000)
    );
    assert_eq!(report["image"]["layers"][1]["hidden_bytes"], json!(200_000));
    assert_eq!(report["image"]["layers"][2]["removed"], json!(1));
    // The setuid finding names the file and the layer that added it.
    let setuid = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IMG002")
        .unwrap();
    assert_eq!(setuid["location"]["path"], "/usr/bin/helper");
    assert_eq!(setuid["location"]["layer"], 1);
}

#[test]
fn junit_has_a_failing_case_per_finding_and_one_passing_case_for_a_clean_image() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let digest = layout.add(&bad_image(), "latest");
    layout.add(&good_image(), "1.4.2");
    let audit = |tag: &str, format: &str| {
        plimsoll(
            &t.path().join("cache"),
            &[
                "image",
                "audit",
                &format!("oci:{}:{tag}", t.path().join("img").display()),
                "--format",
                format,
                "--fail-on",
                "info",
            ],
        )
    };
    let json: Value = serde_json::from_str(&audit("latest", "json").stdout).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    let r = audit("latest", "junit");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("@{digest}\"")), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("<failure ").count(),
        findings,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("failures=\"{findings}\"")),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("Z7QK3VXN5MBT2LPD"),
        "the secret is redacted"
    );
    let r = audit("1.4.2", "junit");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("<testcase name=\"no findings\""),
        "{}",
        r.stdout
    );
}

#[test]
fn good_image_is_clean_and_exits_zero() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&good_image(), "1.4.2");
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:1.4.2", t.path().join("img").display()),
            "--fail-on",
            "info",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no findings"), "{}", r.stdout);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let mut spec = good_image();
    spec.config["User"] = json!("");
    layout.add(&spec, "1.0");
    let reference = format!("oci:{}:1.0", t.path().join("img").display());
    let cache = t.path().join("cache");
    // runs-as-root is high: fails at high, passes at critical.
    assert_eq!(
        plimsoll(&cache, &["image", "audit", &reference, "--fail-on", "high"]).code,
        1
    );
    assert_eq!(
        plimsoll(
            &cache,
            &["image", "audit", &reference, "--fail-on", "critical"]
        )
        .code,
        0
    );
    // Ignored by flag: clean even at info.
    let r = plimsoll(
        &cache,
        &[
            "image",
            "audit",
            &reference,
            "--fail-on",
            "info",
            "--ignore",
            "runs-as-root",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Bad severity is a usage error.
    assert_eq!(
        plimsoll(
            &cache,
            &["image", "audit", &reference, "--fail-on", "severe"]
        )
        .code,
        2
    );
}

#[test]
fn config_file_ignores_rules_and_paths_and_overrides_severity() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&bad_image(), "latest");
    let cfg = t.path().join("plimsoll.toml");
    std::fs::write(
        &cfg,
        r#"
[audit]
ignore = ["IMG012"]
ignore_paths = ["/srv/**"]
[[audit.ignore_rule_paths]]
rule = "setuid-setgid-file"
paths = ["/usr/bin/helper"]
[audit.severity]
IMG001 = "info"
"#,
    )
    .unwrap();
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:latest", t.path().join("img").display()),
            "--format",
            "json",
            "--config",
            cfg.to_str().unwrap(),
        ],
    );
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let c = codes(&report);
    assert!(!c.contains(&"IMG012".to_string()));
    assert!(
        !c.contains(&"IMG003".to_string()),
        "secret under /srv ignored by path"
    );
    assert!(!c.contains(&"IMG002".to_string()));
    let root = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "IMG001")
        .unwrap();
    assert_eq!(root["severity"], "info");
    // A typo in the config is an error, not silently ignored.
    std::fs::write(&cfg, "[audit]\nfail-on = 'high'\n").unwrap();
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:latest", t.path().join("img").display()),
            "--config",
            cfg.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("plimsoll.toml"), "{}", r.stderr);
}

#[test]
fn cache_serves_rescans_and_shared_bases() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&bad_image(), "a");
    layout.add(&good_image(), "b");
    let img = t.path().join("img");
    let audit = |tag: &str, extra: &[&str]| {
        let reference = format!("oci:{}:{tag}", img.display());
        let mut args = vec!["image", "audit", reference.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        let r = plimsoll(&cache, &args);
        serde_json::from_str::<Value>(&r.stdout).unwrap()
    };
    let first = audit("a", &[]);
    assert_eq!(first["scan"]["layers_from_cache"], 0);
    let again = audit("a", &[]);
    assert_eq!(again["scan"]["layers_from_cache"], 3);
    assert_eq!(
        first["findings"], again["findings"],
        "cached facts give the same findings"
    );
    // The second image shares the base layer: read once, reused.
    let other = audit("b", &[]);
    assert_eq!(other["scan"]["layers_from_cache"], 1);
    assert_eq!(audit("a", &["--no-cache"])["scan"]["layers_from_cache"], 0);
    let r = plimsoll(&cache, &["cache", "clean"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("removed"));
    assert_eq!(audit("a", &[])["scan"]["layers_from_cache"], 0);
}

#[test]
fn docker_archive_reads_like_the_layout() {
    let t = tempfile::tempdir().unwrap();
    let mut spec = bad_image();
    for l in &mut spec.layers {
        // docker save stores layers uncompressed
        let tar = flate2::read::GzDecoder::new(&l.blob[..]);
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut { tar }, &mut raw).unwrap();
        l.blob = raw;
    }
    let archive = t.path().join("img.tar");
    docker_archive(&archive, &spec, "bad:latest");
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("docker-archive:{}", archive.display()),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["image"]["tag"], "latest");
    assert!(report["image"]["manifest_digest"].is_null());
    assert_eq!(
        report["image"]["efficiency"]["wasted_bytes"],
        json!(200_000)
    );
    assert!(codes(&report).contains(&"IMG003".to_string()));
}

#[test]
fn index_picks_the_requested_platform() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let amd = good_image();
    let mut arm = bad_image();
    arm.architecture = "arm64".into();
    layout.add_index(
        &[(&amd, "linux", "amd64"), (&arm, "linux", "arm64")],
        "multi",
    );
    let reference = format!("oci:{}:multi", t.path().join("img").display());
    let cache = t.path().join("cache");
    let r = plimsoll(&cache, &["image", "audit", &reference, "--format", "json"]);
    assert!(r.stderr.contains("picked linux/amd64"), "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["image"]["platform"], "linux/amd64");
    let r = plimsoll(
        &cache,
        &[
            "image",
            "audit",
            &reference,
            "--format",
            "json",
            "--platform",
            "linux/arm64",
        ],
    );
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["image"]["platform"], "linux/arm64");
    let r = plimsoll(
        &cache,
        &["image", "audit", &reference, "--platform", "linux/s390x"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no manifest for platform linux/s390x")
            && r.stderr.contains("linux/arm64"),
        "{}",
        r.stderr
    );
}

#[test]
fn approved_base_lineage_by_layers() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&ImageSpec::new(vec![base_layer()]), "base");
    layout.add(&good_image(), "app");
    let other_base = Layer::new(
        &[file("etc/passwd", "root:x:0:0::/:/bin/sh\n")],
        Compression::Gzip,
    );
    layout.add(&ImageSpec::new(vec![other_base]), "other");
    let img = t.path().join("img").display().to_string();
    let cache = t.path().join("cache");
    let audit = |base: &str| {
        let r = plimsoll(
            &cache,
            &[
                "image",
                "audit",
                &format!("oci:{img}:app"),
                "--format",
                "json",
                "--approved-base",
                &format!("oci:{img}:{base}"),
            ],
        );
        codes(&serde_json::from_str(&r.stdout).unwrap())
    };
    assert!(!audit("base").contains(&"IMG014".to_string()));
    assert!(audit("other").contains(&"IMG014".to_string()));
}

#[test]
fn inspect_shows_layers_and_config() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&bad_image(), "latest");
    let reference = format!("oci:{}:latest", t.path().join("img").display());
    let r = plimsoll(&t.path().join("cache"), &["image", "inspect", &reference]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("curl -fsSL"), "{}", r.stdout);
    assert!(r.stdout.contains("/opt/blob.bin"), "{}", r.stdout);
    let r = plimsoll(
        &t.path().join("cache"),
        &["image", "inspect", &reference, "--format", "json"],
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["image"]["layers"].as_array().unwrap().len(), 3);
    assert_eq!(v["config"]["config"]["Cmd"][0], "/bin/sh");
}

#[test]
fn rules_are_documented() {
    let t = tempfile::tempdir().unwrap();
    let r = plimsoll(t.path(), &["rules"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.lines().count() >= 16);
    for line in r.stdout.lines() {
        assert!(line.contains(" P-"), "rule without practice: {line}");
    }
    let r = plimsoll(t.path(), &["rule", "IMG001"]);
    assert!(
        r.stdout.contains("P-C3") && r.stdout.contains("USER"),
        "{}",
        r.stdout
    );
    assert_eq!(plimsoll(t.path(), &["rule", "NOPE"]).code, 2);
    // A Dockerfile rule by its hadolint code, with its default state.
    let r = plimsoll(t.path(), &["rule", "DL3008"]);
    assert!(
        r.code == 0 && r.stdout.starts_with("DF001 ") && r.stdout.contains("hadolint: DL3008"),
        "{}",
        r.stdout
    );
    let r = plimsoll(t.path(), &["rule", "dl1001"]);
    assert!(
        r.stdout.starts_with("DF060 ") && r.stdout.contains("off by default"),
        "{}",
        r.stdout
    );
}

#[test]
fn sarif_output_is_sarif() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&bad_image(), "latest");
    let out = t.path().join("out.sarif");
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:latest", t.path().join("img").display()),
            "--format",
            "sarif",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for res in run["results"].as_array().unwrap() {
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], res["ruleId"]);
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
    }
}

/// Audits a layout of `spec` and returns the JSON report.
fn audit_of(spec: &ImageSpec) -> Value {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(spec, "1.0");
    let r = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:1.0", t.path().join("img").display()),
            "--format",
            "json",
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn finding_paths(report: &Value, code: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .filter_map(|f| f["location"]["path"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_hard_link_keeps_the_setuid_bit_of_its_target() {
    let l0 = Layer::new(
        &[
            dir("usr"),
            dir("usr/bin"),
            file_mode("usr/bin/helper", b"x", 0o4755, 0),
            Item::Hardlink {
                path: "usr/bin/h2".into(),
                target: "usr/bin/helper".into(),
            },
        ],
        Compression::Gzip,
    );
    let l1 = Layer::new(&[whiteout("usr/bin/helper")], Compression::Gzip);
    let r = audit_of(&ImageSpec::new(vec![l0, l1]));
    assert_eq!(finding_paths(&r, "IMG002"), vec!["/usr/bin/h2".to_string()]);
}

#[test]
fn files_land_where_the_runtime_puts_them() {
    // Merged /usr: /bin links to usr/bin; a later layer writes bin/nc.
    let l0 = Layer::new(
        &[dir("usr"), dir("usr/bin"), symlink("bin", "usr/bin")],
        Compression::Gzip,
    );
    // (No `bin/` entry: a directory entry would replace the symlink, as
    // containerd's unpacker does, and the file would stay in /bin.)
    let l1 = Layer::new(&[file_mode("bin/nc", b"x", 0o755, 0)], Compression::Gzip);
    // No directory entries at all: usr/sbin/sshd alone.
    let l2 = Layer::new(
        &[file_mode("usr/sbin/sshd", b"x", 0o755, 0)],
        Compression::Gzip,
    );
    let r = audit_of(&ImageSpec::new(vec![l0, l1, l2]));
    assert_eq!(finding_paths(&r, "IMG005"), vec!["/usr/bin/nc".to_string()]);
    assert_eq!(
        finding_paths(&r, "IMG006"),
        vec!["/usr/sbin/sshd".to_string()]
    );
}

#[test]
fn whiteouts_of_implied_directories_and_the_root() {
    // opt/tools exists only through its child; deleting opt/tools deletes it.
    let l0 = Layer::new(
        &[
            file_mode("opt/tools/su2", b"x", 0o4755, 0),
            file_mode("usr/bin/sudo", b"x", 0o4755, 0),
        ],
        Compression::Gzip,
    );
    let l1 = Layer::new(&[whiteout("opt/tools")], Compression::Gzip);
    let r = audit_of(&ImageSpec::new(vec![l0.clone(), l1]));
    assert_eq!(
        finding_paths(&r, "IMG002"),
        vec!["/usr/bin/sudo".to_string()]
    );
    // An opaque marker at the root hides every lower file.
    let l1 = Layer::new(
        &[file(".wh..wh..opq", b""), file("etc/hostname", "x")],
        Compression::Gzip,
    );
    let r = audit_of(&ImageSpec::new(vec![l0, l1]));
    assert!(finding_paths(&r, "IMG002").is_empty(), "{r}");
    assert_eq!(r["image"]["files"], 1, "only etc/hostname remains");
}

#[test]
fn unresolvable_user_is_not_cleared() {
    let mut spec = good_image();
    spec.config["User"] = json!("app");
    // /etc/passwd is a symlink: the runtime follows it, we cannot read it.
    spec.layers.push(Layer::new(
        &[
            symlink("etc/passwd", "passwd.real"),
            file("etc/passwd.real", "app:x:0:0::/:/bin/sh\n"),
        ],
        Compression::Gzip,
    ));
    let r = audit_of(&spec);
    let msgs: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IMG001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 1, "{r}");
    assert!(
        msgs[0].contains("cannot be shown not to be root"),
        "{msgs:?}"
    );
}
