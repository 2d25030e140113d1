//! The host audit on host trees built here: every CIS check's PASS on a
//! hardened host and WARN on a careless one (including mode 0470 on a file
//! that must be within 0644), INFO where nothing can be decided, the
//! dockerd command line from /proc and from systemd units, the live daemon
//! from a replay of the Engine API's documented answers, bad input, the
//! selection and the docker-bench-security JSON shape.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Tree, bad_tree, good_tree, serve_engine_api, socket_tree};
use plimsoll_host::{
    Host, HostAudit, HostError, HostOptions, LiveState, Selection, Status, audit, report, rules,
};
use plimsoll_report::{Policy, PolicySpec, Severity};
use serde_json::json;

fn options() -> HostOptions {
    HostOptions {
        docker_host: Some("none".into()),
        docker_group_allowed: Some(vec!["alice".into()]),
        admission_requires_signature: None,
        ..HostOptions::default()
    }
}

fn run_with(root: &Path, options: HostOptions, selection: &Selection) -> HostAudit {
    let host = Host::open(root, options).unwrap();
    let policy = Policy::new(&PolicySpec::default(), &plimsoll_host::rule_refs()).unwrap();
    audit(&host, &policy, selection)
}

fn run(t: &Tree) -> HostAudit {
    run_with(t.path(), options(), &Selection::default())
}

/// `id STATUS` of every check whose status is not `expected`.
fn not(a: &HostAudit, expected: Status) -> Vec<String> {
    a.results
        .iter()
        .filter(|r| r.outcome.status != expected)
        .map(|r| {
            format!(
                "{} {} {}",
                r.outcome.check.id,
                r.outcome.status.as_str(),
                r.outcome.message
            )
        })
        .collect()
}

fn status(a: &HostAudit, id: &str) -> Status {
    a.get(id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .outcome
        .status
}

fn message(a: &HostAudit, id: &str) -> String {
    a.get(id).unwrap().outcome.message.clone()
}

/// Every CIS id the audit answers, once each.
const ALL_IDS: usize = 2 + 16 + 17 + 24 + 1;

#[test]
fn every_check_answers_once() {
    let a = run(&good_tree());
    let ids: BTreeSet<&str> = a.results.iter().map(|r| r.outcome.check.id).collect();
    assert_eq!(a.results.len(), ALL_IDS);
    assert_eq!(ids.len(), ALL_IDS, "a CIS id answered twice");
    for id in [
        "1.1.1", "1.1.2", "1.1.18", "2.2", "2.18", "3.1", "3.24", "4.5",
    ] {
        assert!(ids.contains(id), "{id} missing");
    }
    // In CIS order: 2.10 after 2.9, 3.10 after 3.9.
    let order: Vec<&str> = a.results.iter().map(|r| r.outcome.check.id).collect();
    let pos = |id| order.iter().position(|x| *x == id).unwrap();
    assert!(pos("2.9") < pos("2.10") && pos("3.9") < pos("3.10") && pos("1.1.9") < pos("1.1.10"));
}

#[test]
fn a_hardened_host_passes_every_check() {
    let a = run(&good_tree());
    // The socket wants group docker, which the tree's gid is not: see the socket test.
    let rest: Vec<String> = not(&a, Status::Pass)
        .into_iter()
        .filter(|l| !l.starts_with("3.15 ") && !l.starts_with("3.16 "))
        .collect();
    assert!(rest.is_empty(), "not PASS:\n{}", rest.join("\n"));
    assert_eq!(status(&a, "3.15"), Status::Info, "{}", message(&a, "3.15"));
    // The command line is the drop-in's ExecStart with $DOCKER_OPTS from /etc/default/docker.
    assert!(
        message(&a, "2.2")
            .contains("--icc on ExecStart of /etc/systemd/system/docker.service.d/override.conf"),
        "{}",
        message(&a, "2.2")
    );
    assert!(message(&a, "2.16").contains("userland-proxy is off"));
    // Audit rules through links: /var/run/containerd/containerd.sock is /run/containerd/containerd.sock.
    assert!(
        message(&a, "1.1.8").contains("docker.rules:7"),
        "{}",
        message(&a, "1.1.8")
    );
    assert!(
        message(&a, "1.1.4").contains("docker.rules:3"),
        "{}",
        message(&a, "1.1.4")
    );
    assert!(
        message(&a, "1.1.1").contains("/var/lib/docker"),
        "{}",
        message(&a, "1.1.1")
    );
    assert!(a.findings().is_empty() || a.findings().iter().all(|f| f.severity == Severity::Info));
}

#[test]
fn a_careless_host_fails_every_check() {
    let a = run(&bad_tree());
    let rest: Vec<String> = not(&a, Status::Warn)
        .into_iter()
        .filter(|l| !l.starts_with("2.10 "))
        .collect();
    assert!(rest.is_empty(), "not WARN:\n{}", rest.join("\n"));
    // 2.10 asks for a review of a set cgroup parent.
    assert_eq!(status(&a, "2.10"), Status::Note);
    // The Debian unit's $DOCKER_OPTS (from EnvironmentFile=-/etc/default/docker) sets -l debug.
    assert!(
        message(&a, "2.3").contains(
            "log-level is debug (--log-level on ExecStart of /lib/systemd/system/docker.service)"
        ),
        "{}",
        message(&a, "2.3")
    );
    assert!(message(&a, "1.1.2").contains("mallory") && !message(&a, "1.1.2").contains("alice"));
    assert!(
        message(&a, "2.5").contains("registry.internal:5000")
            && !message(&a, "2.5").contains("127.0.0.0/8")
    );
    assert!(message(&a, "2.7").contains("tcp://0.0.0.0:2375"));
    assert!(
        message(&a, "3.1").contains("owned by alice:staff"),
        "{}",
        message(&a, "3.1")
    );
    assert!(
        message(&a, "4.5").contains("/etc/profile.d/docker.sh"),
        "{}",
        message(&a, "4.5")
    );
    // Commented audit rules do not count.
    assert!(message(&a, "1.1.3").contains("not audited"));
}

#[test]
fn mode_0470_fails_a_0644_check() {
    // docker-bench-security compares `stat -c %a` as numbers: 470 ≤ 644 passes there.
    let a = run(&bad_tree());
    assert_eq!(status(&a, "3.18"), Status::Warn);
    assert_eq!(
        message(&a, "3.18"),
        "/etc/docker/daemon.json has mode 0470 (0030 beyond 0644)"
    );
    // A tighter mode than the mask passes, whatever its number: 0600 for /etc/sysconfig/docker.
    assert_eq!(status(&run(&good_tree()), "3.20"), Status::Pass);
}

#[test]
fn the_socket_wants_root_docker_and_0660() {
    let a = run(&socket_tree());
    assert_eq!(status(&a, "3.15"), Status::Pass, "{}", message(&a, "3.15"));
    assert_eq!(status(&a, "3.16"), Status::Pass, "{}", message(&a, "3.16"));
    // Found through /var/run -> /run.
    assert!(a.get("3.15").unwrap().outcome.path.as_deref() == Some("/var/run/docker.sock"));
    let b = run(&bad_tree());
    assert!(
        message(&b, "3.16").contains("mode 0666 (0006 beyond 0660)"),
        "{}",
        message(&b, "3.16")
    );
}

#[test]
fn an_empty_root_decides_nothing_about_the_daemon() {
    let t = Tree::empty();
    let a = run(&t);
    for r in &a.results {
        let id = r.outcome.check.id;
        if id == "4.5" {
            // Decided: the variable is set nowhere.
            assert_eq!(r.outcome.status, Status::Warn);
        } else {
            assert_eq!(
                r.outcome.status,
                Status::Info,
                "{id}: {}",
                r.outcome.message
            );
        }
    }
    assert!(
        message(&a, "2.2").starts_with("cannot tell: no /etc/docker/daemon.json"),
        "{}",
        message(&a, "2.2")
    );
    assert!(
        message(&a, "1.1.1").contains("is not present"),
        "{}",
        message(&a, "1.1.1")
    );
    assert!(
        message(&a, "1.1.7").contains("/lib/systemd/system/docker.service"),
        "{}",
        message(&a, "1.1.7")
    );
    assert!(message(&a, "3.9").contains("no tlscacert is configured"));
    // Undecided checks are findings at info, so the default gate (low) passes them.
    assert!(
        a.findings()
            .iter()
            .filter(|f| f.code != "HOST023")
            .all(|f| f.severity == Severity::Info)
    );
}

#[test]
fn the_newest_dockerd_process_wins_over_units_and_names_the_config_file() {
    let mut t = good_tree();
    t.file(
        "/proc/100/cmdline",
        "/usr/bin/dockerd\0--icc=true\0--config-file\0/etc/docker/other.json\0",
        0o444,
    )
    .file(
        "/proc/100/stat",
        "100 (dockerd) S 1 100 100 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5000 0 0",
        0o444,
    )
    .file("/proc/200/cmdline", "dockerd\0--icc=false\0", 0o444)
    .file(
        "/proc/200/stat",
        "200 (dockerd) S 1 200 200 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 10 0 0",
        0o444,
    )
    .file(
        "/proc/300/cmdline",
        "/bin/bash\0-c\0dockerd --icc=false\0",
        0o444,
    )
    .file("/etc/docker/other.json", r#"{"log-level": "warn"}"#, 0o644);
    let a = run(&t);
    assert_eq!(status(&a, "2.2"), Status::Warn);
    assert!(
        message(&a, "2.2").contains("dockerd process 100"),
        "{}",
        message(&a, "2.2")
    );
    assert!(
        message(&a, "2.3").contains("\"log-level\" in /etc/docker/other.json"),
        "{}",
        message(&a, "2.3")
    );
    // 3.17/3.18 judge the file the daemon reads.
    assert_eq!(
        a.get("3.18").unwrap().outcome.path.as_deref(),
        Some("/etc/docker/other.json")
    );
}

#[test]
fn mount_table_and_fstab() {
    // No /proc/mounts: /etc/fstab decides.
    let mut t = Tree::empty();
    t.dir("/var/lib/docker", 0o710).file(
        "/etc/fstab",
        "UUID=1 / ext4 defaults 0 1\nUUID=2 /var/lib/docker xfs defaults 0 2\n",
        0o644,
    );
    assert_eq!(status(&run(&t), "1.1.1"), Status::Pass);
    let mut t = Tree::empty();
    t.dir("/var/lib/docker", 0o710)
        .file("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n", 0o644);
    assert_eq!(status(&run(&t), "1.1.1"), Status::Warn);
    // Neither a mount table nor fstab: not decided.
    let mut t = Tree::empty();
    t.dir("/var/lib/docker", 0o710);
    let a = run(&t);
    assert_eq!(status(&a, "1.1.1"), Status::Info);
    assert!(
        message(&a, "1.1.1").contains("neither /proc/mounts nor /etc/fstab"),
        "{}",
        message(&a, "1.1.1")
    );
    // No data root at all: Docker has not run here, nothing to decide.
    let mut t = Tree::empty();
    t.file("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n", 0o644);
    let a = run(&t);
    assert_eq!(status(&a, "1.1.1"), Status::Info);
    assert!(
        message(&a, "1.1.1").contains("is not present"),
        "{}",
        message(&a, "1.1.1")
    );
    // A data-root elsewhere is what is looked for.
    let mut t = Tree::empty();
    t.dir("/srv/docker", 0o710)
        .file(
            "/etc/docker/daemon.json",
            r#"{"data-root": "/srv/docker"}"#,
            0o644,
        )
        .file("/proc/mounts", "/dev/sdc1 /srv/docker ext4 rw 0 0\n", 0o444);
    let a = run(&t);
    assert_eq!(
        status(&a, "1.1.1"),
        Status::Pass,
        "{}",
        message(&a, "1.1.1")
    );
}

#[test]
fn docker_group_listed_for_review_without_an_allow_list() {
    let t = bad_tree();
    let a = run_with(
        t.path(),
        HostOptions {
            docker_host: Some("none".into()),
            docker_group_allowed: None,
            admission_requires_signature: None,
            ..HostOptions::default()
        },
        &Selection::default(),
    );
    let r = a.get("1.1.2").unwrap();
    assert_eq!(r.outcome.status, Status::Note);
    assert_eq!(r.outcome.items, ["alice", "mallory"]);
    // Whose primary group is docker is a member too.
    let a = run(&socket_tree());
    assert_eq!(
        message(&a, "1.1.2"),
        "docker group members not in docker_group_allowed: root"
    );
    let mut t = Tree::empty();
    t.accounts("root", "root", "");
    let a = run(&t);
    assert_eq!(
        status(&a, "1.1.2"),
        Status::Pass,
        "{}",
        message(&a, "1.1.2")
    );
}

#[test]
fn live_daemon_replaying_the_documented_engine_api() {
    let t = good_tree();
    let sock = t.path().join("run/docker.sock");
    serve_engine_api(&sock);
    // The default socket is /var/run/docker.sock under the root (a link to /run here).
    let host = Host::open(t.path(), HostOptions::default()).unwrap();
    let LiveState::Reachable(live) = &host.live else {
        panic!("{}", host.no_live())
    };
    assert_eq!(live.version["ApiVersion"], "1.24");
    assert_eq!(live.info["Driver"], "btrfs");
    let policy = Policy::new(&PolicySpec::default(), &plimsoll_host::rule_refs()).unwrap();
    let a = audit(&host, &policy, &Selection::default());
    assert_eq!(status(&a, "2.6"), Status::Pass);
    assert!(
        message(&a, "2.6").contains("storage driver is btrfs (Driver of GET /info"),
        "{}",
        message(&a, "2.6")
    );
    // /version says Experimental: true although daemon.json says false.
    assert_eq!(status(&a, "2.18"), Status::Warn);
    assert!(message(&a, "2.18").contains("Experimental of GET /version"));
    assert!(
        message(&a, "1.1.1").contains("DockerRootDir of GET /info"),
        "{}",
        message(&a, "1.1.1")
    );
    // The documented SecurityOptions name seccomp but no userns: daemon.json's userns-remap decides 2.9.
    assert_eq!(status(&a, "2.9"), Status::Pass);
    let text = report::render_table(&a, &host, false);
    assert!(
        text.contains("answered: Docker 1.12.0 (API 1.24)"),
        "{text}"
    );

    // The daemon's own unix:// host is where it is looked for.
    let mut t2 = Tree::empty();
    t2.file(
        "/etc/docker/daemon.json",
        r#"{"hosts": ["unix:///srv/run/dockerd.sock"]}"#,
        0o644,
    )
    .dir("/srv/run", 0o755);
    serve_engine_api(&t2.path().join("srv/run/dockerd.sock"));
    let host = Host::open(t2.path(), HostOptions::default()).unwrap();
    let LiveState::Reachable(live) = &host.live else {
        panic!("{}", host.no_live())
    };
    assert_eq!(live.url, "unix:///srv/run/dockerd.sock");

    // The same server named explicitly.
    let url = format!("unix://{}", sock.display());
    let host = Host::open(
        t.path(),
        HostOptions {
            docker_host: Some(url),
            docker_group_allowed: None,
            admission_requires_signature: None,
            ..HostOptions::default()
        },
    )
    .unwrap();
    assert!(host.live().is_some());
}

#[test]
fn an_unreachable_daemon_is_said_not_hidden() {
    let t = good_tree();
    let host = Host::open(
        t.path(),
        HostOptions {
            docker_host: Some("unix:///nonexistent/docker.sock".into()),
            docker_group_allowed: None,
            admission_requires_signature: None,
            ..HostOptions::default()
        },
    )
    .unwrap();
    assert!(host.live().is_none());
    assert!(
        host.no_live()
            .starts_with("no daemon reachable at unix:///nonexistent/docker.sock"),
        "{}",
        host.no_live()
    );
    let host = Host::open(t.path(), HostOptions::default()).unwrap();
    assert!(
        host.no_live()
            .contains("no socket /var/run/docker.sock under the root"),
        "{}",
        host.no_live()
    );
    let host = Host::open(
        t.path(),
        HostOptions {
            docker_host: Some("tcp://127.0.0.1:2376".into()),
            docker_group_allowed: None,
            admission_requires_signature: None,
            ..HostOptions::default()
        },
    )
    .unwrap();
    assert!(
        host.no_live()
            .contains("no daemon reachable at tcp://127.0.0.1:2376")
            && host.no_live().contains("connect to 127.0.0.1:2376"),
        "{}",
        host.no_live()
    );
    // A socket nobody listens on any more: an error, not a hang or a panic.
    let t = good_tree();
    let s = std::os::unix::net::UnixListener::bind(t.path().join("other.sock")).unwrap();
    drop(s);
    let url = format!("unix://{}", t.path().join("other.sock").display());
    let host = Host::open(
        t.path(),
        HostOptions {
            docker_host: Some(url),
            docker_group_allowed: None,
            admission_requires_signature: None,
            ..HostOptions::default()
        },
    )
    .unwrap();
    assert!(host.live().is_none());
}

#[test]
fn bad_input_is_an_error_or_info_never_a_panic() {
    // --root that is not a directory.
    let t = Tree::empty();
    let f = t.path().join("file");
    std::fs::write(&f, "").unwrap();
    assert!(matches!(
        Host::open(&f, options()),
        Err(HostError::RootNotDirectory(_))
    ));
    assert!(matches!(
        Host::open(&t.path().join("missing"), options()),
        Err(HostError::RootNotDirectory(_))
    ));

    // A malformed daemon.json: named, with line and column.
    let mut t = Tree::empty();
    t.file(
        "/etc/docker/daemon.json",
        "{\n  \"icc\": false,\n  \"log-level\" \"info\"\n}\n",
        0o644,
    );
    let e = Host::open(t.path(), options()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/docker/daemon.json:3:15: invalid daemon configuration: expected `:` at line 3 column 15"
    );

    // A link loop on the way to daemon.json: an error naming it.
    let mut t = Tree::empty();
    t.link("/etc/docker", "/etc/docker2")
        .link("/etc/docker2", "/etc/docker");
    let e = Host::open(t.path(), options()).unwrap_err();
    assert!(matches!(e, HostError::SymlinkLoop { .. }), "{e}");
    assert!(e.to_string().contains("/etc/docker/daemon.json"), "{e}");

    // A loop elsewhere: the checks of that file say why, the rest runs.
    let mut t = good_tree();
    std::fs::remove_file(t.path().join("etc/default/docker")).unwrap();
    t.link("/etc/default/docker", "/etc/default/docker");
    let a = run(&t);
    assert_eq!(status(&a, "3.19"), Status::Info);
    assert!(
        message(&a, "3.19").contains("too many levels of symbolic links"),
        "{}",
        message(&a, "3.19")
    );
    assert_eq!(status(&a, "3.18"), Status::Pass);
    // EnvironmentFile=-/etc/default/docker could not be read: said, and its options are missing.
    let host = Host::open(t.path(), options()).unwrap();
    assert!(
        host.daemon
            .notes
            .iter()
            .any(|n| n.contains("EnvironmentFile /etc/default/docker")),
        "{:?}",
        host.daemon.notes
    );
    assert_eq!(status(&a, "2.2"), Status::Warn);

    // Unreadable files (a directory where a file belongs).
    let mut t = Tree::empty();
    t.dir("/etc/environment", 0o755)
        .dir("/etc/audit/audit.rules", 0o755)
        .file("/usr/bin/runc", "", 0o755);
    let a = run(&t);
    assert_eq!(status(&a, "4.5"), Status::Info);
    assert!(
        message(&a, "4.5").starts_with("cannot tell: /etc/environment:"),
        "{}",
        message(&a, "4.5")
    );
    assert_eq!(status(&a, "1.1.18"), Status::Info);
    assert!(
        message(&a, "1.1.18").starts_with("cannot read the audit rules: /etc/audit/audit.rules:"),
        "{}",
        message(&a, "1.1.18")
    );

    // A daemon.json that is not an object.
    let mut t = Tree::empty();
    t.file("/etc/docker/daemon.json", "[1]", 0o644);
    assert!(
        Host::open(t.path(), options())
            .unwrap_err()
            .to_string()
            .contains(":1:1: invalid daemon configuration: not a JSON object")
    );
}

#[test]
fn include_and_exclude_by_cis_id_or_code() {
    let t = bad_tree();
    let sel = Selection {
        include: vec!["2".into()],
        exclude: vec!["HOST004".into(), "2.18".into()],
    };
    let a = run_with(t.path(), options(), &sel);
    let ids: Vec<&str> = a.results.iter().map(|r| r.outcome.check.id).collect();
    assert_eq!(ids.len(), 15, "{ids:?}");
    assert!(
        ids.iter().all(|i| i.starts_with("2.")) && !ids.contains(&"2.2") && !ids.contains(&"2.18")
    );
    let sel = Selection {
        include: vec!["1.1".into(), "docker-file-mode".into()],
        exclude: vec![],
    };
    let a = run_with(t.path(), options(), &sel);
    assert_eq!(a.results.len(), 18 + 12);
}

#[test]
fn policy_ignores_and_overrides() {
    let t = bad_tree();
    let host = Host::open(t.path(), options()).unwrap();
    let spec = PolicySpec {
        ignore: vec!["HOST022".into()],
        severity: vec![("icc-enabled".into(), Severity::Critical)],
        fail_on: Severity::Critical,
        ..PolicySpec::default()
    };
    let policy = Policy::new(&spec, &plimsoll_host::rule_refs()).unwrap();
    let a = audit(&host, &policy, &Selection::default());
    assert!(a.get("3.18").is_none());
    let f: Vec<_> = a
        .findings()
        .into_iter()
        .filter(|f| f.code == "HOST004")
        .collect();
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.field.as_deref(), Some("CIS 2.2"));
    assert!(a.fails(&policy));
}

#[test]
fn docker_bench_json_shape() {
    let t = bad_tree();
    let sel = Selection {
        include: vec!["1.1.2".into(), "2.2".into(), "3.18".into(), "3.17".into()],
        exclude: vec![],
    };
    let a = run_with(t.path(), options(), &sel);
    let got = report::to_docker_bench(&a, 1700000000, 1700000002);
    let want = json!({
        "dockerbenchsecurity": format!("plimsoll {}", env!("CARGO_PKG_VERSION")),
        "start": 1700000000,
        "tests": [
            {"id": "1", "desc": "Host Configuration", "results": [
                {"id": "1.1.2", "desc": "Only trusted users are allowed to control the Docker daemon",
                 "result": "WARN", "details": "docker group members not in docker_group_allowed: mallory",
                 "items": ["mallory"],
                 "remediation": "Remove untrusted users from the docker group (gpasswd -d USER docker); list the trusted ones in [host] docker_group_allowed of plimsoll.toml."}
            ]},
            {"id": "2", "desc": "Docker daemon configuration", "results": [
                {"id": "2.2", "desc": "Network traffic between containers on the default bridge is restricted (icc off)",
                 "result": "WARN", "details": "icc is on (\"icc\" in /etc/docker/daemon.json)",
                 "remediation": "Set \"icc\": false in /etc/docker/daemon.json (or run dockerd with --icc=false); connect containers that must talk through user-defined networks."}
            ]},
            {"id": "3", "desc": "Docker daemon configuration files", "results": [
                {"id": "3.17", "desc": "daemon.json is owned by root:root", "result": "WARN",
                 "details": "/etc/docker/daemon.json is owned by alice:staff (expected root:root)",
                 "items": ["/etc/docker/daemon.json is owned by alice:staff"],
                 "remediation": "chown root:root /etc/docker/daemon.json"},
                {"id": "3.18", "desc": "daemon.json has no permission bit beyond 0644", "result": "WARN",
                 "details": "/etc/docker/daemon.json has mode 0470 (0030 beyond 0644)",
                 "items": ["/etc/docker/daemon.json has mode 0470 (0030 beyond 0644)"],
                 "remediation": "chmod 644 /etc/docker/daemon.json (or tighter)"}
            ]}
        ],
        "checks": 4,
        "score": -4,
        "end": 1700000002
    });
    assert_eq!(got, want, "{}", serde_json::to_string_pretty(&got).unwrap());

    // The whole report: every result carries the keys dashboards read.
    let a = run(&good_tree());
    let all = report::to_docker_bench(&a, 0, 0);
    let tests = all["tests"].as_array().unwrap();
    assert_eq!(
        tests
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );
    let results: Vec<&serde_json::Value> = tests
        .iter()
        .flat_map(|t| t["results"].as_array().unwrap())
        .collect();
    assert_eq!(results.len(), ALL_IDS);
    for r in results {
        assert!(["PASS", "WARN", "INFO", "NOTE"].contains(&r["result"].as_str().unwrap()));
        assert!(r["id"].is_string() && r["desc"].is_string());
        assert_eq!(r.get("remediation").is_some(), r["result"] != "PASS", "{r}");
    }
    assert_eq!(all["checks"], ALL_IDS);
}

#[test]
fn the_registry() {
    let infos = plimsoll_host::rule_infos();
    let codes: Vec<&str> = infos.iter().map(|r| r.code).collect();
    let want: Vec<String> = (1..=infos.len()).map(|i| format!("HOST{i:03}")).collect();
    assert_eq!(codes, want);
    let mut ids = BTreeSet::new();
    for r in rules::ALL {
        let i = r.info();
        assert!(i.practice.starts_with("P-H"), "{}", i.code);
        assert!(i.doc.contains("Fix:"), "{} has no Fix: paragraph", i.code);
        assert!(!r.checks().is_empty());
        for c in r.checks() {
            assert!(ids.insert(c.id), "CIS {} answered by two rules", c.id);
            assert!(!c.remediation.is_empty() && !c.desc.is_empty());
        }
    }
    assert_eq!(ids.len(), ALL_IDS);
}

/// P-H5 with the supply-chain work: the verdict on content trust says
/// whether plimsoll admission admits only signed images, without changing
/// the verdict on the host's own docker commands.
#[test]
fn content_trust_names_admission_signature_verification() {
    let t = bad_tree();
    let with = |required: Option<bool>| {
        run_with(
            t.path(),
            HostOptions {
                docker_host: Some("none".into()),
                docker_group_allowed: None,
                admission_requires_signature: required,
                ..HostOptions::default()
            },
            &Selection::default(),
        )
    };
    let (none, on, off) = (with(None), with(Some(true)), with(Some(false)));
    assert_eq!(status(&on, "4.5"), status(&none, "4.5"));
    assert_eq!(status(&off, "4.5"), status(&none, "4.5"));
    assert!(!message(&none, "4.5").contains("plimsoll admission"));
    assert!(
        message(&on, "4.5").ends_with(
            "plimsoll admission admits only signed images ([admission] require_signature)"
        ),
        "{}",
        message(&on, "4.5")
    );
    assert!(
        message(&off, "4.5").contains("set [admission] require_signature = true"),
        "{}",
        message(&off, "4.5")
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate it
/// signed, written as DOCKER_CERT_PATH holds them (`ca.pem`, `cert.pem`,
/// `key.pem`), and the server's rustls configuration requiring a client
/// certificate from that CA (as `dockerd --tlsverify`).
struct Pki {
    dir: tempfile::TempDir,
    server: std::sync::Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["client".to_string()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("cert.pem"), client_cert.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), client_key.serialize_pem()).unwrap();

    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider.clone())
            .build()
            .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(server_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    Pki {
        dir,
        server: std::sync::Arc::new(server),
    }
}

fn tcp_options(url: String, tls: Option<plimsoll_host::TlsFiles>) -> HostOptions {
    HostOptions {
        docker_host: Some(url),
        docker_tls: tls,
        ..HostOptions::default()
    }
}

#[test]
fn tcp_daemon_with_tls_client_certificates() {
    let certs = pki();
    let addr = common::serve_engine_api_tcp(Some(certs.server.clone()));
    let url = format!("tcp://{addr}");
    let t = good_tree();

    // The docker CLI's DOCKER_CERT_PATH layout: CA, client certificate and key.
    let files = plimsoll_host::TlsFiles::in_dir(certs.dir.path());
    assert!(files.client.is_some());
    let host = Host::open(t.path(), tcp_options(url.clone(), Some(files.clone()))).unwrap();
    let LiveState::Reachable(live) = &host.live else {
        panic!("{}", host.no_live())
    };
    assert_eq!(live.url, url);
    assert_eq!(live.info["Driver"], "btrfs");
    assert_eq!(live.version["ApiVersion"], "1.24");

    // Without the client certificate the daemon refuses the handshake: said, not hidden.
    let no_client = plimsoll_host::TlsFiles {
        client: None,
        ..files.clone()
    };
    let host = Host::open(t.path(), tcp_options(url.clone(), Some(no_client))).unwrap();
    let LiveState::Unreachable { why, .. } = &host.live else {
        panic!("reached a daemon that requires a client certificate without one")
    };
    assert!(why.contains("TLS"), "{why}");

    // A CA that did not sign the daemon's certificate: the server is not trusted.
    let other = pki();
    let wrong_ca = plimsoll_host::TlsFiles {
        ca: other.dir.path().join("ca.pem"),
        ..files.clone()
    };
    let host = Host::open(t.path(), tcp_options(url.clone(), Some(wrong_ca))).unwrap();
    let LiveState::Unreachable { why, .. } = &host.live else {
        panic!("trusted a daemon certificate from another CA")
    };
    assert!(why.contains("certificate"), "{why}");

    // Plain HTTP to a TLS port is not a daemon answer either.
    let host = Host::open(t.path(), tcp_options(url.clone(), None)).unwrap();
    assert!(host.live().is_none());

    // A missing or unusable TLS file is the user's error, named.
    let empty = tempfile::tempdir().unwrap();
    let err = Host::open(
        t.path(),
        tcp_options(
            url.clone(),
            Some(plimsoll_host::TlsFiles::in_dir(empty.path())),
        ),
    )
    .unwrap_err();
    assert!(matches!(err, HostError::Tls { .. }), "{err}");
    assert!(err.to_string().contains("ca.pem"), "{err}");
    std::fs::write(empty.path().join("ca.pem"), "not a certificate").unwrap();
    let err = Host::open(
        t.path(),
        tcp_options(url, Some(plimsoll_host::TlsFiles::in_dir(empty.path()))),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
}

#[test]
fn tcp_daemon_in_plain_http_and_bad_addresses() {
    let addr = common::serve_engine_api_tcp(None);
    let t = good_tree();
    let host = Host::open(t.path(), tcp_options(format!("tcp://{addr}"), None)).unwrap();
    assert_eq!(host.live().unwrap().info["Driver"], "btrfs");
    // An address that is none of unix://, tcp://, none.
    let err = Host::open(t.path(), tcp_options("http://127.0.0.1:2375".into(), None)).unwrap_err();
    assert!(
        err.to_string().contains("unix:///PATH, tcp://HOST:PORT"),
        "{err}"
    );
    let err = Host::open(t.path(), tcp_options("tcp://127.0.0.1:99999".into(), None)).unwrap_err();
    assert!(err.to_string().contains("port"), "{err}");
}

/// `auditctl -l` as it prints loaded rules (one `-w` watch per line for
/// file watches, syscall rules with `-F path=`).
const AUDITCTL_L: &str = "-w /usr/sbin/dockerd -p rwxa -k docker\n\
-a always,exit -F arch=b64 -S adjtimex,settimeofday -F key=time-change\n\
-w /etc/docker -p rwxa -k docker\n";

#[test]
fn loaded_audit_rules_decide_over_rule_files() {
    // good_tree's rule files watch everything; only two of them are loaded.
    let t = good_tree();
    let loaded = t.path().join("auditctl-l.txt");
    std::fs::write(&loaded, AUDITCTL_L).unwrap();
    let with_capture = HostOptions {
        loaded_audit_rules: Some(loaded.clone()),
        ..options()
    };
    let a = run_with(t.path(), with_capture, &Selection::default());
    assert_eq!(
        status(&a, "1.1.3"),
        Status::Pass,
        "{}",
        message(&a, "1.1.3")
    );
    assert!(
        message(&a, "1.1.3").contains("loaded"),
        "{}",
        message(&a, "1.1.3")
    );
    assert_eq!(status(&a, "1.1.6"), Status::Pass);
    // /var/lib/docker is in a rules file but not loaded.
    assert_eq!(status(&a, "1.1.5"), Status::Warn);
    let m = message(&a, "1.1.5");
    assert!(
        m.contains("not loaded") && m.contains("augenrules --load"),
        "{m}"
    );

    // An unreadable capture is an error naming it.
    let missing = HostOptions {
        loaded_audit_rules: Some(t.path().join("missing.txt")),
        ..options()
    };
    let err = Host::open(t.path(), missing).unwrap_err();
    assert!(err.to_string().contains("missing.txt"), "{err}");
}

#[test]
fn the_socket_checks_follow_the_daemon_socket() {
    // -H unix:///srv/docker.sock on the command line: 3.15/3.16 judge that socket.
    let mut t = good_tree();
    t.file(
        "/etc/systemd/system/docker.service.d/zz-host.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///srv/docker.sock\n",
        0o644,
    )
    .dir("/srv", 0o755)
    .socket("/srv/docker.sock", 0o666);
    let a = run(&t);
    assert_eq!(status(&a, "3.16"), Status::Warn, "{}", message(&a, "3.16"));
    assert!(message(&a, "3.16").contains("/srv/docker.sock has mode 0666"));

    // Socket activation (-H fd://): docker.socket's ListenStream names it.
    let mut t = good_tree();
    t.file("/etc/docker/daemon.json", "{}", 0o644)
        .file(
            "/etc/systemd/system/docker.socket.d/listen.conf",
            "[Socket]\nListenStream=\nListenStream=/srv/activated.sock\n",
            0o644,
        )
        .dir("/srv", 0o755)
        .socket("/srv/activated.sock", 0o600);
    let host = Host::open(t.path(), options()).unwrap();
    assert_eq!(host.daemon.socket.value, "/srv/activated.sock");
    assert!(host.daemon.socket.source.contains("listen.conf"));
    let policy = Policy::new(&PolicySpec::default(), &plimsoll_host::rule_refs()).unwrap();
    let a = audit(&host, &policy, &Selection::default());
    assert_eq!(status(&a, "3.16"), Status::Pass, "{}", message(&a, "3.16"));
    assert!(message(&a, "3.16").contains("/srv/activated.sock"));
}

#[test]
fn the_name_service_is_asked_on_this_machine() {
    // getent answers from /etc/group here (files is always in nsswitch).
    let root = plimsoll_host::host::getent("group", "root").expect("getent group root");
    assert_eq!(root[0], "root");
    assert_eq!(root[2], "0");
    assert!(plimsoll_host::host::getent("group", "no-such-group-plimsoll").is_none());
}

#[test]
fn the_table_names_undecided_checks_on_one_line_unless_verbose() {
    let t = Tree::empty();
    let host = Host::open(t.path(), options()).unwrap();
    let policy = Policy::new(&PolicySpec::default(), &plimsoll_host::rule_refs()).unwrap();
    let a = audit(&host, &policy, &Selection::default());
    assert!(a.count(Status::Info) > 10);
    let short = report::render_table(&a, &host, false);
    let long = report::render_table(&a, &host, true);
    let info_lines = |s: &str| s.lines().filter(|l| l.starts_with("[INFO]")).count();
    assert_eq!(info_lines(&short), 1, "{short}");
    assert!(
        short.contains("--verbose") && short.contains(" 3.15 "),
        "{short}"
    );
    assert_eq!(info_lines(&long), a.count(Status::Info), "{long}");
    assert!(long.contains("cannot tell"), "{long}");
}
