//! Structure tests on small real images made in the test (OCI layouts and
//! a docker archive): pass and fail cases of every kind of test, and bad
//! configurations.

use plimsoll_engine::{EngineOptions, NoProgress};
use plimsoll_structure::{Report, StructureError, TestConfig, parse, run};
use plimsoll_testkit::{
    Compression, ImageSpec, Item, Layer, Layout, dir, docker_archive, file, file_mode, resolve,
    symlink, whiteout,
};
use serde_json::json;

fn owned(path: &str, data: &[u8], mode: u32, uid: u64, gid: u64) -> Item {
    Item::File {
        path: path.into(),
        data: data.to_vec(),
        mode,
        uid,
        gid,
    }
}

/// Two layers: a base with /etc, /usr/bin, a setuid helper and Debian
/// copyright files; a second one that deletes a file, adds a hard link and
/// an app owned by 1000:1001.
fn spec() -> ImageSpec {
    let base = Layer::new(
        &[
            dir("etc"),
            file(
                "etc/os-release",
                b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
            ),
            file("etc/motd", b"welcome"),
            dir("usr"),
            dir("usr/bin"),
            file_mode("usr/bin/tool", b"#!/bin/sh\n", 0o755, 0),
            file_mode("usr/bin/helper", b"ELF", 0o4755, 0),
            symlink("bin", "usr/bin"),
            symlink("usr/bin/sh", "/usr/bin/tool"),
            dir("usr/share/doc/libok"),
            file("usr/share/doc/libok/copyright", b"License: MIT\n"),
            dir("usr/share/doc/libbad"),
            file("usr/share/doc/libbad/copyright", b"License: agpl-3.0\n"),
            file("usr/share/doc/libnocopy/README", b"x"),
            Item::Dir {
                path: "tmp".into(),
                mode: 0o1777,
            },
        ],
        Compression::Gzip,
    );
    let app = Layer::new(
        &[
            whiteout("etc/motd"),
            dir("app"),
            owned(
                "app/server",
                b"#!/bin/sh\nexec serve --port 8080\n",
                0o750,
                1000,
                1001,
            ),
            Item::Hardlink {
                path: "app/server-link".into(),
                target: "app/server".into(),
            },
            file("app/empty", b""),
        ],
        Compression::Zstd,
    );
    ImageSpec::new(vec![base, app]).config(json!({
        "User": "1000:1001",
        "Env": ["PATH=/usr/local/bin:/usr/bin", "APP_HOME=/app", "JAVA_TOOL_OPTIONS=-Xmx1g"],
        "Entrypoint": ["/app/server"],
        "Cmd": ["--verbose"],
        "WorkingDir": "/app",
        "ExposedPorts": {"8080/tcp": {}, "9090/udp": {}},
        "Volumes": {"/data": {}},
        "Labels": {"org.opencontainers.image.version": "1.4.2", "team": "payments"},
    }))
}

fn image_dir() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&tmp.path().join("img"));
    layout.add(&spec(), "1.0");
    let r = format!("oci:{}:1.0", tmp.path().join("img").display());
    (tmp, r)
}

fn options() -> EngineOptions {
    EngineOptions {
        cache: None,
        ..EngineOptions::default()
    }
}

fn test_on(reference: &str, yaml: &str) -> Report {
    let config = parse("t.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    run(&options(), &resolve(reference), &[config], &NoProgress).unwrap()
}

fn one(report: &Report, name: &str) -> (bool, Vec<String>) {
    let r = report
        .results
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no result {name}: {:#?}", report.results));
    (r.pass, r.errors.clone())
}

fn assert_pass(report: &Report, name: &str) {
    let (pass, errors) = one(report, name);
    assert!(pass, "{name} should pass: {errors:?}");
}

fn assert_fail(report: &Report, name: &str, needle: &str) {
    let (pass, errors) = one(report, name);
    assert!(!pass, "{name} should fail");
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "{name}: no error with '{needle}' in {errors:?}"
    );
}

#[test]
fn file_existence_pass_and_fail() {
    let (_tmp, r) = image_dir();
    let report = test_on(
        &r,
        r#"
schemaVersion: "2.0.0"
globalEnvVars:
  - key: DOCS
    value: /usr/share/doc
fileExistenceTests:
  - name: os-release
    path: /etc/os-release
    permissions: "-rw-r--r--"
    uid: 0
    gid: 0
  - name: deleted motd
    path: /etc/motd
    shouldExist: false
  - name: motd should exist
    path: /etc/motd
  - name: missing should be absent
    path: /nope
    shouldExist: false
  - name: app owner
    path: /app/server
    uid: 1000
    gid: 1001
    isExecutableBy: owner
  - name: app wrong owner
    path: /app/server
    uid: 0
    gid: 0
  - name: app not executable by others
    path: /app/server
    isExecutableBy: other
  - name: setuid go style
    path: /usr/bin/helper
    permissions: urwxr-xr-x
  - name: setuid ls style
    path: /bin/helper
    permissions: "-rwsr-xr-x"
  - name: wrong permissions
    path: /usr/bin/tool
    permissions: "-rw-r--r--"
  - name: sticky tmp
    path: /tmp
    permissions: dtrwxrwxrwx
  - name: symlink is lstat-ed
    path: /bin
    permissions: Lrwxrwxrwx
  - name: through the bin symlink
    path: /bin/tool
    isExecutableBy: any
  - name: env in path
    path: $APP_HOME/server
  - name: global env in path
    path: ${DOCS}/libok/copyright
  - name: implied directory
    path: /usr/share/doc/libnocopy
    permissions: drwxr-xr-x
  - name: root
    path: /
"#,
    );
    for pass in [
        "os-release",
        "deleted motd",
        "missing should be absent",
        "app owner",
        "setuid go style",
        "setuid ls style",
        "sticky tmp",
        "symlink is lstat-ed",
        "through the bin symlink",
        "env in path",
        "global env in path",
        "implied directory",
        "root",
    ] {
        assert_pass(&report, &format!("File Existence Test: {pass}"));
    }
    assert_fail(
        &report,
        "File Existence Test: motd should exist",
        "should exist",
    );
    assert_fail(
        &report,
        "File Existence Test: app wrong owner",
        "incorrect user ownership. Expected: 0, Actual: 1000",
    );
    assert_fail(
        &report,
        "File Existence Test: app wrong owner",
        "incorrect group ownership. Expected: 0, Actual: 1001",
    );
    assert_fail(
        &report,
        "File Existence Test: app not executable by others",
        "executable by other",
    );
    assert_fail(
        &report,
        "File Existence Test: wrong permissions",
        "Actual: -rwxr-xr-x",
    );
    assert_eq!(report.failed(), 4);
    assert!(report.fails());
}

#[test]
fn file_content_pass_and_fail() {
    let (_tmp, r) = image_dir();
    let report = test_on(
        &r,
        r#"
schemaVersion: 2.0.0
fileContentTests:
  - name: debian
    path: /etc/os-release
    expectedContents: ['ID=debian', '^PRETTY_NAME=', '(?m)^ID=']
    excludedContents: ['ID=alpine']
  - name: anchor is the start of the file
    path: /etc/os-release
    expectedContents: ['^ID=debian']
  - name: excluded found
    path: /etc/os-release
    excludedContents: ['bookworm']
  - name: through symlinks
    path: /bin/sh
    expectedContents: ['#!/bin/sh']
  - name: hard link
    path: /app/server-link
    expectedContents: ['--port 8080']
  - name: empty file
    path: /app/empty
    excludedContents: ['.']
  - name: deleted
    path: /etc/motd
    expectedContents: ['welcome']
  - name: a directory
    path: /usr/bin
"#,
    );
    for pass in ["debian", "through symlinks", "hard link", "empty file"] {
        assert_pass(&report, &format!("File Content Test: {pass}"));
    }
    assert_fail(
        &report,
        "File Content Test: anchor is the start of the file",
        "'^ID=debian' not found",
    );
    assert_fail(
        &report,
        "File Content Test: excluded found",
        "'bookworm' found",
    );
    assert_fail(&report, "File Content Test: deleted", "no such file");
    assert_fail(&report, "File Content Test: a directory", "is a directory");
}

#[test]
fn metadata_pass_and_fail() {
    let (_tmp, r) = image_dir();
    let pass = test_on(
        &r,
        r#"
schemaVersion: "2.0.0"
metadataTest:
  envVars:
    - key: APP_HOME
      value: /app
    - key: JAVA_TOOL_OPTIONS
      value: -Xmx\d+g
      isRegex: true
  unboundEnvVars:
    - key: DEBUG
  exposedPorts: ["8080", 9090, "8080/tcp"]
  unexposedPorts: ["22", "8080/udp"]
  entrypoint: ["/app/server"]
  cmd: ["--verbose"]
  workdir: /app
  volumes: ["/data"]
  unmountedVolumes: ["/var/run/docker.sock"]
  labels:
    - key: org.opencontainers.image.version
      value: ^1\.4\.
      isRegex: true
    - key: team
      value: payments
  user: "1000:1001"
"#,
    );
    assert_pass(&pass, "Metadata Test");
    assert!(!pass.fails());
    let fail = test_on(
        &r,
        r#"
schemaVersion: "2.0.0"
metadataTest:
  envVars:
    - key: APP_HOME
      value: /srv
    - key: MISSING
      value: x
  unboundEnvVars:
    - key: APP_HOME
  exposedPorts: ["443"]
  unexposedPorts: ["8080"]
  entrypoint: []
  cmd: ["--quiet"]
  workdir: /
  volumes: ["/logs"]
  unmountedVolumes: ["/data"]
  labels:
    - key: team
      value: ^pay$
      isRegex: true
    - key: owner
      value: me
  user: root
"#,
    );
    let (ok, errors) = one(&fail, "Metadata Test");
    assert!(!ok);
    for needle in [
        "env var APP_HOME value /app does not match expected value: /srv",
        "variable MISSING not found",
        "env variable APP_HOME should not be present",
        "Port 443 not found",
        "Port 8080 should not be exposed",
        "Image entrypoint",
        "Image Cmd",
        "Image workdir /app",
        "Volume /logs not found",
        "Volume /data should not be mounted",
        "label team value payments",
        "label owner not found",
        "Image user 1000:1001 does not match config user: root",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(needle)),
            "no '{needle}' in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 13, "{errors:#?}");
}

#[test]
fn license_tests_read_debian_copyrights() {
    let (_tmp, r) = image_dir();
    let report = test_on(
        &r,
        r#"
schemaVersion: "2.0.0"
licenseTests:
  - debian: true
  - debian: false
    files: ["/usr/share/doc/libok/copyright"]
"#,
    );
    let results: Vec<_> = report.results.iter().collect();
    assert_eq!(results.len(), 2);
    assert!(!results[0].pass);
    let e = &results[0].errors;
    assert!(
        e.iter()
            .any(|e| e.contains("libbad/copyright, license contains AGPL")),
        "{e:?}"
    );
    assert!(e.iter().any(|e| e.contains("libnocopy")), "{e:?}");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(results[1].pass, "{:?}", results[1].errors);
}

#[test]
fn command_tests_are_skipped_never_passed() {
    let (_tmp, r) = image_dir();
    let report = test_on(
        &r,
        r#"
schemaVersion: "2.0.0"
commandTests:
  - name: say hello
    command: echo
    args: ["hello"]
    expectedOutput: ["hello"]
fileExistenceTests:
  - name: os-release
    path: /etc/os-release
"#,
    );
    let skipped = &report.results[0];
    assert_eq!(skipped.name, "Command Test: say hello");
    assert!(!skipped.pass);
    assert!(
        skipped
            .skipped
            .as_deref()
            .unwrap()
            .contains("container runtime")
    );
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (1, 0, 1)
    );
    assert!(!report.fails());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["Pass"], 1);
    assert_eq!(json["Fail"], 0);
    assert_eq!(json["Skipped"], 1);
    assert_eq!(json["Total"], 2);
    assert_eq!(json["Results"][0]["Pass"], false);
    assert!(json["Results"][0]["Skipped"].is_string());
    let junit = report.to_junit("suite");
    assert!(junit.contains(r#"<testsuites failures="0" tests="2" skipped="1""#));
    assert!(junit.contains("<skipped message=\"command tests run commands"));
    let text = report.to_text();
    assert!(text.contains("--- SKIP"), "{text}");
    assert!(text.trim_end().ends_with("PASS"), "{text}");
}

#[test]
fn docker_archive_and_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec();
    // A docker save archive holds uncompressed layers.
    for l in &mut s.layers {
        let tar = match l.media_type.as_str() {
            m if m.ends_with("gzip") => {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2_decoder(&l.blob), &mut out).unwrap();
                out
            }
            _ => zstd_decode(&l.blob),
        };
        *l = Layer::raw(tar, Compression::None.media_type());
    }
    let archive = tmp.path().join("img.tar");
    docker_archive(&archive, &s, "app:1.0");
    let report = test_on(
        &format!("docker-archive:{}", archive.display()),
        r#"
schemaVersion: "2.0.0"
fileExistenceTests:
  - name: app
    path: /app/server
    uid: 1000
  - name: absent
    path: /etc/motd
fileContentTests:
  - name: release
    path: /etc/os-release
    expectedContents: ["bookworm"]
"#,
    );
    assert_pass(&report, "File Existence Test: app");
    assert_pass(&report, "File Content Test: release");
    assert_fail(&report, "File Existence Test: absent", "should exist");
    // Text, JSON, JUnit and SARIF agree on what failed.
    assert!(
        report
            .to_text()
            .contains("=== RUN: File Existence Test: absent\n--- FAIL")
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        (json["Pass"].as_u64(), json["Fail"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(json["Results"][0]["Name"], "File Content Test: release");
    assert!(json["Results"][2]["Errors"][0].is_string());
    assert!(
        report
            .to_junit("x")
            .contains("<failure>File /etc/motd should exist")
    );
    let sarif = report.to_sarif("0", "https://example.invalid");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "STRUCT001");
}

fn flate2_decoder(b: &[u8]) -> impl std::io::Read + '_ {
    flate2::read::GzDecoder::new(b)
}

fn zstd_decode(b: &[u8]) -> Vec<u8> {
    zstd::stream::decode_all(b).unwrap()
}

fn bad(name: &str, yaml: &str) -> String {
    match parse(name, yaml) {
        Err(e @ StructureError::Config { .. }) => e.to_string(),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn bad_configurations_name_the_file_and_the_fault() {
    let e = bad(
        "broken.yaml",
        "schemaVersion: \"2.0.0\"\nfileExistenceTests: [\n",
    );
    assert!(e.starts_with("test configuration broken.yaml: "), "{e}");
    let e = bad("v1.yaml", "schemaVersion: \"1.0.0\"\n");
    assert!(e.contains("unsupported schemaVersion \"1.0.0\""), "{e}");
    let e = bad("none.yaml", "fileExistenceTests: []\n");
    assert!(e.contains("no schemaVersion"), "{e}");
    let e = bad(
        "regex.yaml",
        "schemaVersion: \"2.0.0\"\nfileContentTests:\n  - name: x\n    path: /etc/x\n    expectedContents: ['(unclosed']\n",
    );
    assert!(
        e.contains("regex.yaml") && e.contains("bad regex '(unclosed'") && e.contains("'x'"),
        "{e}"
    );
    let e = bad(
        "typo.yaml",
        "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - name: x\n    path: /x\n    shouldExists: false\n",
    );
    assert!(e.contains("shouldExists"), "{e}");
    let e = bad(
        "noname.yaml",
        "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - path: /x\n",
    );
    assert!(e.contains("fileExistenceTests[0]: no name"), "{e}");
    let e = bad(
        "exec.yaml",
        "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - name: x\n    path: /x\n    isExecutableBy: everyone\n",
    );
    assert!(e.contains("isExecutableBy 'everyone'"), "{e}");
    let e = bad("list.yaml", "- a\n- b\n");
    assert!(e.contains("not a mapping"), "{e}");
    let e = bad(
        "j.json",
        "{\"schemaVersion\": \"2.0.0\", \"fileExistenceTests\": 3}",
    );
    assert!(e.starts_with("test configuration j.json: "), "{e}");
    // A missing file is named too.
    let e = plimsoll_structure::load(std::path::Path::new("/nonexistent/x.yaml")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/x.yaml"), "{e}");
}

#[test]
fn json_configs_and_several_files() {
    let (_tmp, r) = image_dir();
    let a: TestConfig = parse(
        "a.json",
        r#"{"schemaVersion": "2.0.0", "fileExistenceTests": [{"name": "etc", "path": "/etc"}]}"#,
    )
    .unwrap();
    let b = parse(
        "b.yaml",
        "schemaVersion: \"2.0.0\"\nmetadataTest:\n  user: nobody\n",
    )
    .unwrap();
    let report = run(&options(), &resolve(&r), &[a, b], &NoProgress).unwrap();
    assert_eq!(report.results.len(), 2);
    assert_eq!(report.results[0].file, "a.json");
    assert_eq!(report.results[1].file, "b.yaml");
    assert!(report.results[0].pass);
    assert!(!report.results[1].pass);
    let text = report.to_text();
    assert!(text.contains("====== Test file: a.json ======"), "{text}");
    assert!(text.contains("====== Test file: b.yaml ======"), "{text}");
}

#[test]
fn no_tests_fails() {
    let (_tmp, r) = image_dir();
    let report = test_on(&r, "schemaVersion: \"2.0.0\"\n");
    assert!(report.results.is_empty());
    assert!(report.fails());
    assert!(report.to_text().contains("No tests run"));
}
