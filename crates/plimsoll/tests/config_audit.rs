//! `plimsoll config audit` end to end: files, directories, stdin, formats,
//! the standard, config and annotation ignores, bad input and exit codes.

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

const MULTI: &str = include_str!("../../plimsoll-runtime/tests/fixtures/multi.yaml");

fn run_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut all = vec!["config", "audit"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .stdin(stdin.unwrap_or(""))
        .run(&all)
        .into_parts()
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let t = tempfile::tempdir().unwrap();
    run_in(t.path(), args, stdin)
}

const CLEAN: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: registry.example/app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    resources: {limits: {memory: 64Mi, cpu: 100m}}
";

#[test]
fn stdin_multi_document_table_and_exit_one() {
    let (code, out, err) = run(&["-", "--standard", "restricted"], Some(MULTI));
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("critical[CFG001]: Deployment/prod/web container `app`: runs privileged\n  --> -:30:23  (privileged P-F1)"), "{out}");
    assert!(out.contains("30 |           privileged: true"), "{out}");
    assert!(
        out.contains("Deployment/prod/web  -:2  pod security: privileged  (below the standard)"),
        "{out}"
    );
    assert!(
        out.contains("CronJob/report  -:37  pod security: restricted\n"),
        "{out}"
    );
    assert!(
        out.contains("1 file(s), 2 workload(s), 1 other object(s) skipped;"),
        "{out}"
    );
    // The annotation on the Deployment's pod template ignores CFG015.
    assert!(!out.contains("[CFG015]"), "{out}");
}

#[test]
fn clean_manifest_exits_zero_and_json_reports_levels() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("pod.yaml"), CLEAN).unwrap();
    let (code, out, err) = run_in(
        t.path(),
        &["pod.yaml", "--standard", "restricted", "--format", "json"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["workloads"][0]["object"], "Pod/ok");
    assert_eq!(v["workloads"][0]["level"], "restricted");
    assert_eq!(v["standard"], "restricted");
    assert_eq!(v["summary"]["total"], 0);
}

#[test]
fn standard_fails_whatever_fail_on_says_and_formats_carry_columns() {
    let baseline_only = CLEAN.replace("      allowPrivilegeEscalation: false\n", "");
    let (code, out, _) = run(
        &[
            "-",
            "--standard",
            "restricted",
            "--fail-on",
            "critical",
            "--format",
            "github",
        ],
        Some(&baseline_only),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("::error file=-,line=4,col=1,title=CFG018 below-pod-security-standard::Pod/ok: meets Pod Security Standard `baseline`, not `restricted` (v1.37): allowPrivilegeEscalation"), "{out}");
    let (code, out, _) = run(
        &[
            "-",
            "--standard",
            "baseline",
            "--fail-on",
            "critical",
            "--format",
            "sarif",
        ],
        Some(&baseline_only),
    );
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "CFG014");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        5
    );
    let (_, out, _) = run(&["-", "--format", "checkstyle"], Some(&baseline_only));
    assert!(
        out.contains("<error line=\"11\" column=\"5\" severity=\"warning\""),
        "{out}"
    );
    let (_, out, _) = run(&["-", "--format", "junit"], Some(&baseline_only));
    assert!(
        out.contains("classname=\"-:11:5\" file=\"-\" line=\"11\">"),
        "{out}"
    );
    assert_eq!(
        out.matches("<testcase ").count(),
        out.matches("<failure ").count(),
        "{out}"
    );
}

#[test]
fn directories_config_section_and_trusted_registries() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("k8s");
    std::fs::create_dir_all(d.join("nested")).unwrap();
    std::fs::write(d.join("nested/multi.yml"), MULTI).unwrap();
    std::fs::write(d.join("README.md"), "# not a manifest\n").unwrap();
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[config]\nignore = [\"CFG012\", \"no-seccomp-profile\"]\ntrusted_registries = [\"registry.example\"]\n[config.severity]\nsensitive-host-mount = \"low\"\n",
    )
    .unwrap();
    let (code, out, err) = run_in(t.path(), &["k8s", "--format", "json"], None);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"CFG012") && !codes.contains(&"CFG007"),
        "{codes:?}"
    );
    assert!(codes.contains(&"CFG017"), "{codes:?}");
    let mount = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG008")
        .unwrap();
    assert_eq!(mount["severity"], "low", "{mount}");
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["files"][0]["skipped"][0]["kind"], "Service");
    // --ignore on the command line adds to the file's list.
    let (_, out, _) = run_in(
        t.path(),
        &["k8s", "--format", "json", "--ignore", "CFG017"],
        None,
    );
    assert!(!out.contains("\"CFG017\""), "{out}");
}

#[test]
fn bad_input_is_a_clear_error_with_exit_two() {
    let (code, _, err) = run(&["-"], Some("apiVersion: v1\nkind: Pod\nmetadata: [\n"));
    assert_eq!(code, 2);
    assert!(
        err.contains("error: -:") && err.contains("not valid YAML"),
        "{err}"
    );
    let (code, _, err) = run(&["-"], Some("just: text\n"));
    assert_eq!(code, 2);
    assert!(
        err.contains("-:1:1: a Kubernetes object needs `apiVersion` and `kind`"),
        "{err}"
    );
    let (code, _, err) = run(
        &["-", "--kind", "kubernetes"],
        Some("services:\n  web: {image: nginx}\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("looks like a Compose file"), "{err}");
    // An unknown kind of object is skipped, not an error.
    let (code, out, _) = run(
        &["-"],
        Some("apiVersion: example.dev/v1\nkind: Widget\nmetadata: {name: w}\n"),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 workload(s), 1 other object(s) skipped"),
        "{out}"
    );
    // An unknown --kind is a usage error; an empty Compose file an input error.
    let (code, _, err) = run(&["-", "--kind", "swarm"], None);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["-", "--kind", "compose"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a Compose file needs `services`"), "{err}");
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("notes.txt"), "hello").unwrap();
    std::fs::write(t.path().join("blob.bin"), [0xffu8, 0xfe, 0]).unwrap();
    let (code, _, err) = run_in(t.path(), &["."], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("no manifests (*.yaml, *.yml, *.json) in this directory"),
        "{err}"
    );
    std::fs::write(t.path().join("bad.json"), [0xffu8, 0xfe, b'{']).unwrap();
    let (code, _, err) = run_in(t.path(), &["."], None);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json: not UTF-8 text"), "{err}");
    let (code, _, err) = run(&["missing.yaml"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.yaml: no such file or directory"),
        "{err}"
    );
}

#[test]
fn rules_lists_the_configuration_rules() {
    let out = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .run(&["rules"])
        .into_parts()
        .1;
    for code in ["CFG001", "CFG011", "CFG017", "CFG018"] {
        assert!(out.contains(code), "{code} missing:\n{out}");
    }
    let doc = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .run(&["rule", "sensitive-host-mount"])
        .into_parts()
        .1;
    assert!(doc.contains("CFG008 sensitive-host-mount [P-F6]"), "{doc}");
}

const COMPOSE: &str = "\
services:
  web:
    image: nginx:${TAG:-latest}
    ports: [\"80:80\"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
";

#[test]
fn compose_directory_merges_the_override_and_points_at_each_file() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("app");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(
        d.join("compose.override.yaml"),
        "services:\n  web:\n    privileged: true\n",
    )
    .unwrap();
    std::fs::write(d.join(".env"), "TAG=1.27\n").unwrap();
    let (code, out, err) = run_in(t.path(), &["app", "--format", "json"], None);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "compose");
    // The override is merged, not audited on its own.
    assert_eq!(v["workloads"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["workloads"][0]["object"], "service/web");
    let find = |code: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} missing: {out}"))
    };
    let p = find("CFG001");
    assert_eq!(p["location"]["path"], "app/compose.override.yaml", "{p}");
    assert_eq!(p["location"]["line"], 3);
    let sock = find("CFG008");
    assert_eq!(sock["location"]["path"], "app/compose.yaml");
    assert_eq!(sock["location"]["line"], 6);
    assert_eq!(sock["severity"], "critical");
    assert_eq!(find("CFG010")["location"]["line"], 4);
    // ${TAG:-latest} took the .env value: no latest-tag finding.
    assert!(!out.contains("\"CFG016\""), "{out}");
    // The table quotes each file's own line.
    let (_, table, _) = run_in(t.path(), &["app"], None);
    assert!(
        table.contains("--> app/compose.override.yaml:3:17"),
        "{table}"
    );
    assert!(table.contains("3 |     privileged: true"), "{table}");
}

#[test]
fn compose_detected_on_stdin_and_bad_compose_exits_two() {
    let (code, out, err) = run(
        &["-"],
        Some("services:\n  web: {image: nginx, network_mode: host}\n"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("service/web: shares the host's namespace: `network_mode: host`"),
        "{out}"
    );
    let (code, _, err) = run(
        &["-"],
        Some("services:\n  a: {image: \"${X:?X is required}\"}\n"),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("-:2:14: required variable `X` is missing a value: X is required"),
        "{err}"
    );
    let (code, _, err) = run(
        &["-"],
        Some("services:\n  a: {extends: b}\n  b: {extends: a}\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("extends cycle"), "{err}");
    let (_, _, err) = run(
        &["-"],
        Some("services:\n  a: {image: \"x:${UNSET_VAR_FOR_TEST}\"}\n"),
    );
    assert!(
        err.contains("warning: -:2:14: variable `UNSET_VAR_FOR_TEST` is not set"),
        "{err}"
    );
}

#[test]
fn docker_run_lines_are_audited_with_columns() {
    let (code, out, err) = run(
        &[
            "--docker-run",
            "docker run --privileged -v /var/run/docker.sock:/var/run/docker.sock --net=host -p 22:22 --cap-add SYS_ADMIN --security-opt seccomp=unconfined -u 0 IMAGE cmd",
            "--docker-run",
            "docker container run -itd --weird nginx",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("warning: docker-run[2]:1:27: unknown flag `--weird`"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "docker run");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG001")
        .unwrap();
    assert_eq!(f["location"]["path"], "docker-run[1]");
    assert_eq!(f["location"]["column"], 12);
    let (code, _, err) = run(&["--docker-run", "docker ps"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("docker-run[1]:1:8: not a `docker run` command line"),
        "{err}"
    );
}

#[test]
fn inline_ignore_comments_in_manifests_and_compose_files() {
    let t = tempfile::tempdir().unwrap();
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  # plimsoll ignore=privileged
  - name: quiet
    image: app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    securityContext: {privileged: true}
  - name: loud
    image: app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    securityContext: {privileged: true}
";
    std::fs::write(t.path().join("pod.yaml"), pod).unwrap();
    let compose = "\
# plimsoll global ignore=P-F10
services:
  web:
    image: nginx@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    privileged: true  # plimsoll ignore=CFG001
    network_mode: host
";
    std::fs::write(t.path().join("compose.yaml"), compose).unwrap();
    let (code, out, err) = run_in(
        t.path(),
        &["pod.yaml", "compose.yaml", "--format", "json"],
        None,
    );
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["location"]["path"].as_str().unwrap().to_string(),
                x["code"].as_str().unwrap().to_string(),
                x["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let privileged: Vec<_> = found.iter().filter(|f| f.1 == "CFG001").collect();
    assert_eq!(
        privileged,
        [&("pod.yaml".to_string(), "CFG001".to_string(), 12)],
        "{found:?}"
    );
    // The comment above `- name: quiet` covers only that container.
    assert!(
        found.iter().any(|f| f.0 == "pod.yaml" && f.2 == 7),
        "{found:?}"
    );
    // P-F10 (resource limits) ignored in the whole Compose file; host network kept.
    let compose_codes: Vec<_> = found.iter().filter(|f| f.0 == "compose.yaml").collect();
    assert!(compose_codes.iter().any(|f| f.2 == 6), "{found:?}");
    let limits = plimsoll_runtime::rule_infos()
        .into_iter()
        .filter(|r| r.practice == "P-F10")
        .map(|r| r.code)
        .collect::<Vec<_>>();
    assert!(!limits.is_empty());
    assert!(
        compose_codes
            .iter()
            .all(|f| !limits.contains(&f.1.as_str())),
        "{found:?}"
    );
}

#[test]
fn standard_version_judges_with_that_versions_checks() {
    // Restricted but for `capabilities: {drop: [ALL]}`, a check v1.22 added.
    let pod = CLEAN.replace("      capabilities: {drop: [ALL]}\n", "");
    assert_ne!(pod, CLEAN);
    let (code, out, err) = run(
        &[
            "-",
            "--standard",
            "restricted",
            "--standard-version",
            "v1.21",
            "--format",
            "json",
        ],
        Some(&pod),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["standard_version"], "v1.21", "{out}");
    assert_eq!(v["workloads"][0]["level"], "restricted", "{out}");
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "CFG018"),
        "{out}{err}"
    );
    let _ = code;
    let (code, out, _) = run(
        &[
            "-",
            "--standard",
            "restricted",
            "--standard-version",
            "v1.22",
            "--format",
            "json",
        ],
        Some(&pod),
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["workloads"][0]["level"], "baseline", "{out}");
    let below = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFG018")
        .expect("CFG018 at v1.22");
    assert!(
        below["message"].as_str().unwrap().contains("(v1.22)"),
        "{below}"
    );
    let (code, _, err) = run(&["-", "--standard-version", "v2.0"], Some(&pod));
    assert_eq!(code, 2);
    assert!(err.contains("v2.0") && err.contains("v1.MINOR"), "{err}");
}
