//! `plimsoll host audit` end to end: this machine as a smoke test, fixture
//! host trees in every format, selection, the gate and exit codes, bad
//! input, and the HOST rules in `plimsoll rules` / `plimsoll rule`.

#[path = "../../plimsoll-host/tests/common/mod.rs"]
mod common;

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn plimsoll(args: &[&str]) -> (i32, String, String) {
    let t = tempfile::tempdir().unwrap();
    docker_cli_env(Cli::new(env!("CARGO_BIN_EXE_plimsoll")))
        .current_dir(t.path())
        .run(args)
        .into_parts()
}

/// The docker CLI's variables are honoured: none leaks in from the machine.
fn docker_cli_env(cli: Cli) -> Cli {
    cli.env_remove("DOCKER_HOST")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
}

fn host_audit(root: &std::path::Path, more: &[&str]) -> (i32, String, String) {
    let mut args = vec!["host", "audit", "--root", root.to_str().unwrap()];
    args.extend_from_slice(more);
    plimsoll(&args)
}

#[test]
fn this_machine_as_a_smoke_test() {
    let (code, out, err) = plimsoll(&["host", "audit", "--format", "json"]);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["checks"], 60);
    // No Docker daemon runs here: the report and stderr say so.
    assert_eq!(
        v["daemon"]["live"]["reachable"], false,
        "{}",
        v["daemon"]["live"]
    );
    assert!(
        err.contains("no daemon reachable at unix:///var/run/docker.sock"),
        "{err}"
    );
    let (code, out, _) = plimsoll(&["host", "audit"]);
    assert!(code == 0 || code == 1);
    assert!(out.contains("live daemon: no daemon reachable"), "{out}");
    assert!(out.contains("60 checks:"), "{out}");
}

#[test]
fn a_hardened_host_exits_0_and_a_careless_one_1() {
    let good = common::good_tree();
    let (code, out, err) = host_audit(good.path(), &["--docker-host", "none"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("[PASS] 3.18    HOST022 /etc/docker/daemon.json has mode 0644, within 0644"),
        "{out}"
    );
    let bad = common::bad_tree();
    let (code, out, _) = host_audit(bad.path(), &["--docker-host", "none"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "[WARN] 3.18    HOST022 /etc/docker/daemon.json has mode 0470 (0030 beyond 0644)"
        ),
        "{out}"
    );
    assert!(
        out.contains("       fix: chmod 644 /etc/docker/daemon.json (or tighter)"),
        "{out}"
    );
    // Only the checks asked for; a gate above every finding passes.
    let (code, out, _) = host_audit(bad.path(), &["--docker-host", "none", "--include", "2.10"]);
    assert_eq!(
        code, 0,
        "a NOTE is severity info, below the default gate (low)"
    );
    assert!(
        out.contains("[NOTE] 2.10") && out.contains("1 checks:"),
        "{out}"
    );
    let (code, _, _) = host_audit(
        bad.path(),
        &[
            "--docker-host",
            "none",
            "--include",
            "2.10",
            "--fail-on",
            "info",
        ],
    );
    assert_eq!(code, 1);
    let (code, out, _) = host_audit(
        bad.path(),
        &[
            "--docker-host",
            "none",
            "--include",
            "HOST009",
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = host_audit(
        bad.path(),
        &[
            "--docker-host",
            "none",
            "--exclude",
            "1",
            "--exclude",
            "2",
            "--exclude",
            "3",
            "--exclude",
            "4",
        ],
    );
    assert_eq!(code, 0);
}

#[test]
fn formats() {
    let bad = common::bad_tree();
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("bench.json");
    let (code, out, _) = host_audit(
        bad.path(),
        &[
            "--docker-host",
            "none",
            "--format",
            "docker-bench",
            "-o",
            out_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(v["checks"], 60);
    assert!(v["start"].as_u64().unwrap() <= v["end"].as_u64().unwrap());
    let r218 = v["tests"][1]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "2.18")
        .unwrap();
    assert_eq!(r218["result"], "WARN");

    let (_, out, _) = host_audit(bad.path(), &["--docker-host", "none", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "HOST022"
                && r["message"]["text"].as_str().unwrap().contains("0470")),
        "{out}"
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 23);

    let (_, out, _) = host_audit(bad.path(), &["--docker-host", "none", "--format", "junit"]);
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(out.contains("<testsuite name=\"CIS section 3\""), "{out}");
    assert!(out.contains("HOST022 docker-file-mode"), "{out}");

    let (_, out, _) = host_audit(bad.path(), &["--docker-host", "none", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "3.18")
        .unwrap();
    assert_eq!(r["status"], "WARN");
    assert_eq!(r["code"], "HOST022");
    assert_eq!(r["practice"], "P-H2");
    assert_eq!(
        v["daemon"]["command_line"]["source"],
        "ExecStart of /lib/systemd/system/docker.service"
    );
}

#[test]
fn config_file_host_section() {
    let bad = common::bad_tree();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("plimsoll.toml");
    std::fs::write(&cfg, "[host]\ndocker_group_allowed = [\"alice\", \"mallory\"]\nignore = [\"HOST022\"]\nfail_on = \"critical\"\n").unwrap();
    let (code, out, err) = host_audit(
        bad.path(),
        &[
            "--docker-host",
            "none",
            "--format",
            "json",
            "--config",
            cfg.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "HOST009 is critical: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["code"] != "HOST022"));
    let g = results.iter().find(|r| r["id"] == "1.1.2").unwrap();
    assert_eq!(g["status"], "PASS", "{g}");
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let (code, _, err) = plimsoll(&["host", "audit", "--root", "/nonexistent/root"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--root /nonexistent/root: not a directory"),
        "{err}"
    );
    let mut t = common::Tree::empty();
    t.file("/etc/docker/daemon.json", "{\"icc\": false,}", 0o644);
    let (code, _, err) = host_audit(t.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/etc/docker/daemon.json:1:15: invalid daemon configuration"),
        "{err}"
    );
    let mut t = common::Tree::empty();
    t.link("/etc/docker/daemon.json", "/etc/docker/daemon.json");
    let (code, _, err) = host_audit(t.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("too many levels of symbolic links"), "{err}");
}

#[test]
fn host_rules_are_listed_and_documented() {
    let (code, out, _) = plimsoll(&["rules"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("HOST022 docker-file-mode") && l.contains("P-H2")),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.starts_with("HOST")).count(), 23);
    let (code, out, _) = plimsoll(&["rule", "HOST022"]);
    assert_eq!(code, 0);
    assert!(out.contains("0470 fails a 0644 check"), "{out}");
    assert!(out.contains("Practice P-H2"), "{out}");
}

#[test]
fn docker_cli_variables_tls_flags_and_loaded_rules() {
    let good = common::good_tree();
    let root = good.path().to_str().unwrap();
    // DOCKER_HOST names the daemon as for the docker CLI (nothing listens on port 9).
    let (code, _, err) = docker_cli_env(Cli::new(env!("CARGO_BIN_EXE_plimsoll")))
        .env("DOCKER_HOST", "tcp://127.0.0.1:9")
        .run(&["host", "audit", "--root", root, "--format", "json"])
        .into_parts();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("no daemon reachable at tcp://127.0.0.1:9"),
        "{err}"
    );
    // DOCKER_TLS_VERIFY with a DOCKER_CERT_PATH holding no ca.pem: exit 2, the file named.
    let certs = tempfile::tempdir().unwrap();
    let (code, _, err) = docker_cli_env(Cli::new(env!("CARGO_BIN_EXE_plimsoll")))
        .env("DOCKER_HOST", "tcp://127.0.0.1:9")
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", certs.path())
        .run(&["host", "audit", "--root", root])
        .into_parts();
    assert_eq!(code, 2, "{err}");
    let ca = certs.path().join("ca.pem");
    assert!(err.contains(&ca.display().to_string()), "{err}");
    // --tlscert without --tlskey is a usage error.
    let (code, _, err) = host_audit(good.path(), &["--tlscert", "c.pem"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--tlskey"), "{err}");
    // A capture of `auditctl -l` from the audited host: what is not loaded is a WARN.
    let capture = good.path().join("auditctl-l.txt");
    std::fs::write(&capture, "-w /etc/docker -p rwxa -k docker\n").unwrap();
    let (code, out, err) = host_audit(
        good.path(),
        &[
            "--docker-host",
            "none",
            "--audit-rules-loaded",
            capture.to_str().unwrap(),
            "--format",
            "json",
            "--include",
            "1.1",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["audit_rules_loaded"]["read"], true,
        "{}",
        v["audit_rules_loaded"]
    );
    let results = v["results"].as_array().unwrap();
    let by_id = |id: &str| results.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(by_id("1.1.6")["status"], "PASS");
    assert_eq!(by_id("1.1.5")["status"], "WARN");
    assert!(
        by_id("1.1.5")["message"]
            .as_str()
            .unwrap()
            .contains("not loaded"),
        "{}",
        by_id("1.1.5")
    );
    // The table: undecided checks on one line, each with its reason under --verbose.
    let empty = common::Tree::empty();
    let (_, short, _) = host_audit(empty.path(), &["--docker-host", "none"]);
    let (_, long, _) = host_audit(empty.path(), &["--docker-host", "none", "--verbose"]);
    let info = |s: &str| s.lines().filter(|l| l.starts_with("[INFO]")).count();
    assert_eq!(info(&short), 1, "{short}");
    assert!(info(&long) > 10, "{long}");
}

#[test]
fn json_matches_the_schema_on_every_kind_of_host() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/host-audit.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good = common::good_tree();
    let bad = common::bad_tree();
    let empty = common::Tree::empty();
    let mut reports = Vec::new();
    for t in [&good, &bad, &empty] {
        let (_, out, err) = host_audit(t.path(), &["--docker-host", "none", "--format", "json"]);
        reports.push((out, err));
    }
    // This machine, with its loaded-rules state and name service.
    let (_, out, err) = plimsoll(&["host", "audit", "--format", "json"]);
    reports.push((out, err));
    for (out, err) in reports {
        let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{out}");
        assert_eq!(doc["summary"]["checks"], 60);
    }
}
