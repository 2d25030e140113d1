use std::path::Path;

use super::*;
use crate::{AuditOptions, audit};

fn vars() -> Variables {
    Variables::new([("FROM_ENV".to_string(), "process".to_string())])
}

fn read(text: &str) -> ComposeProject {
    read_compose("c.yaml", text, &vars()).unwrap()
}

/// `code@file:line:col` of every finding.
fn findings(p: &ComposeProject) -> Vec<String> {
    audit(&p.workloads, &AuditOptions::default())
        .iter()
        .map(|f| {
            format!(
                "{}@{}:{}:{}",
                f.code,
                f.location.path.as_deref().unwrap_or(""),
                f.location.line.unwrap_or(0),
                f.location.column.unwrap_or(0)
            )
        })
        .collect()
}

fn has(p: &ComposeProject, want: &str) -> bool {
    findings(p).iter().any(|f| f == want)
}

const RISKY: &str = "\
services:
  web:
    image: nginx:latest
    privileged: true
    network_mode: host
    pid: host
    ipc: host
    uts: host
    userns_mode: host
    cap_add: [SYS_ADMIN]
    security_opt:
      - seccomp:unconfined
      - apparmor=unconfined
      - label:disable
    user: root
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - data:/data
      - ./site:/usr/share/nginx/html
    ports:
      - \"22:22\"
      - \"127.0.0.1:80:80\"
    restart: always
    command: /usr/sbin/sshd -D
    sysctls:
      kernel.msgmax: 65536
    devices:
      - /dev/mem:/dev/mem
";

#[test]
fn risky_service_fires_every_rule_at_its_line() {
    let p = read(RISKY);
    let [w] = &p.workloads[..] else {
        panic!("{p:?}")
    };
    assert_eq!(w.object(), "service/web");
    assert_eq!(w.kind, "service");
    for want in [
        "CFG001@c.yaml:4:17",
        "CFG002@c.yaml:5:19",
        "CFG002@c.yaml:6:10",
        "CFG002@c.yaml:7:10",
        "CFG002@c.yaml:8:10",
        "CFG002@c.yaml:9:18",
        "CFG003@c.yaml:10:5",
        "CFG004@c.yaml:10:15",
        "CFG006@c.yaml:12:9",
        "CFG006@c.yaml:13:9",
        "CFG006@c.yaml:14:9",
        "CFG008@c.yaml:17:9",
        "CFG008@c.yaml:28:9",
        "CFG009@c.yaml:24:14",
        "CFG009@c.yaml:21:13",
        "CFG010@c.yaml:21:10",
        "CFG010@c.yaml:22:20",
        "CFG011@c.yaml:23:14",
        "CFG012@c.yaml:2:3",
        "CFG013@c.yaml:15:11",
        "CFG016@c.yaml:3:12",
    ] {
        assert!(has(&p, want), "{want} not in {:?}", findings(&p));
    }
    // A read-only docker.sock bind is still critical.
    let f = audit(&p.workloads, &AuditOptions::default());
    let sock = f.iter().find(|f| f.code == "CFG008").unwrap();
    assert!(
        sock.message.contains("/var/run/docker.sock"),
        "{}",
        sock.message
    );
    assert_eq!(sock.severity, plimsoll_report::Severity::Critical);
    // Docker's help, not Kubernetes'.
    let priv_ = f.iter().find(|f| f.code == "CFG001").unwrap();
    assert!(priv_.help.as_deref().unwrap().contains("--privileged"));
    let c = &w.pod.containers[0];
    assert_eq!(w.pod.volumes[1].sources, ["persistentVolumeClaim"]);
    assert_eq!(w.pod.volumes[2].host_path.as_ref().unwrap().value, "./site");
    assert_eq!(w.pod.security.sysctls[0].value, "kernel.msgmax");
    assert!(c.mounts[0].read_only && !c.mounts[1].read_only);
}

#[test]
fn hardened_service_is_clean() {
    let p = read(
        "services:
  app:
    image: registry.example/app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    read_only: true
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
    user: \"1000:1000\"
    ports: [\"8080:80/tcp\"]
    restart: on-failure:5
    deploy:
      resources:
        limits: {memory: 128M, cpus: '0.5', pids: 100}
",
    );
    assert_eq!(findings(&p), Vec::<String>::new());
    let c = &p.workloads[0].pod.containers[0];
    assert_eq!(c.pids_limit.as_ref().unwrap().value, "100");
    assert_eq!(c.ports[0].host_port.as_ref().unwrap().value, 8080);
    assert_eq!(c.ports[0].container_port.as_ref().unwrap().value, 80);
}

#[test]
fn security_opt_and_user_spellings() {
    let p = read(
        "services:
  a: {image: x, security_opt: [no-new-privileges], user: '0'}
  b: {image: x, security_opt: ['seccomp=unconfined', 'no-new-privileges=false'], user: '0:0'}
  c: {image: x, user: 1001}
  d: {image: x, user: nobody}
  e: {image: x, security_opt: [seccomp:/etc/profile.json, bogus]}
",
    );
    let s = |i: usize| &p.workloads[i].pod.containers[0].security;
    assert!(!s(0).allow_privilege_escalation.as_ref().unwrap().value);
    assert_eq!(s(0).run_as_user.as_ref().unwrap().value, 0);
    assert_eq!(s(0).seccomp.as_ref().unwrap().value, "RuntimeDefault");
    assert_eq!(s(1).seccomp.as_ref().unwrap().value, "Unconfined");
    assert!(s(1).allow_privilege_escalation.as_ref().unwrap().value);
    assert_eq!(s(1).run_as_user.as_ref().unwrap().value, 0);
    assert_eq!(s(2).run_as_user.as_ref().unwrap().value, 1001);
    assert!(s(3).run_as_non_root.as_ref().unwrap().value);
    assert_eq!(s(4).seccomp.as_ref().unwrap().value, "Localhost");
    assert!(
        p.warnings.iter().any(|w| w.contains("`bogus`")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn long_syntax_and_the_read_only_trap() {
    let p = read(
        "services:
  web:
    image: x
    volumes:
      - type: bind
        source: /etc
        target: /host/etc
        read_only: true
      - {type: volume, source: data, target: /data}
      - {type: tmpfs, target: /tmp}
    ports:
      - target: 80
        published: \"443\"
        host_ip: 127.0.0.1
        protocol: tcp
      - \"1000-1002:1000-1002\"
      - \"20-30:20-30\"
      - 9000
",
    );
    let w = &p.workloads[0];
    let c = &w.pod.containers[0];
    // `read_only` inside a volume is the mount's, not the service's.
    assert!(c.security.read_only_root_filesystem.is_none());
    assert!(has(&p, "CFG005@c.yaml:2:3"), "{:?}", findings(&p));
    assert!(c.mounts[0].read_only);
    let etc = w.pod.volumes[0].host_path.as_ref().unwrap();
    assert_eq!((etc.value.as_str(), etc.pos.line), ("/etc", 6));
    assert_eq!(w.pod.volumes[1].sources, ["persistentVolumeClaim"]);
    assert_eq!(w.pod.volumes[2].sources, ["emptyDir"]);
    let hp: Vec<_> = c
        .ports
        .iter()
        .map(|p| {
            (
                p.host_port.as_ref().map(|h| h.value),
                p.container_port.as_ref().map(|h| h.value),
            )
        })
        .collect();
    assert_eq!(
        hp,
        [
            (Some(443), Some(80)),
            (Some(1000), Some(1000)),
            (Some(20), Some(20)),
            (Some(22), Some(22)),
            (None, Some(9000))
        ]
    );
    assert!(has(&p, "CFG010@c.yaml:13:20"), "{:?}", findings(&p));
    assert!(has(&p, "CFG009@c.yaml:17:16"), "{:?}", findings(&p));
}

#[test]
fn restart_policies_and_limits() {
    let p = read(
        "services:
  a: {image: x, restart: unless-stopped}
  b: {image: x, restart: on-failure}
  c: {image: x, restart: 'on-failure:3'}
  d: {image: x, restart: 'no'}
  e: {image: x, deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}}
  f: {image: x, deploy: {restart_policy: {condition: any}}}
  g: {image: x, mem_limit: 256m, cpus: 0.5, pids_limit: 50}
",
    );
    let r: Vec<_> = audit(&p.workloads, &AuditOptions::default())
        .into_iter()
        .filter(|f| f.code == "CFG011")
        .map(|f| f.message)
        .collect();
    assert_eq!(
        r,
        [
            "service/a: restarts without a bound (`unless-stopped`)",
            "service/b: restarts without a bound (`on-failure`)",
            "service/f: restarts without a bound (`any`)",
        ]
    );
    assert!(
        !findings(&p)
            .iter()
            .any(|f| f.starts_with("CFG012@c.yaml:8:"))
    );
}

#[test]
fn command_entrypoint_image_and_labels() {
    let p = read(
        "services:
  a:
    image: linuxserver/openssh-server
  b:
    image: x
    entrypoint: [/bin/sh, -c]
    command: [\"exec /usr/sbin/sshd -D\"]
    labels:
      plimsoll.dev/ignore: CFG012, CFG013
  c:
    image: x
    labels: [\"plimsoll.dev/ignore=CFG001\"]
    privileged: true
",
    );
    assert!(has(&p, "CFG009@c.yaml:3:12"), "{:?}", findings(&p));
    assert!(has(&p, "CFG009@c.yaml:7:15"), "{:?}", findings(&p));
    assert_eq!(p.workloads[1].ignore, ["CFG012", "CFG013"]);
    assert_eq!(p.workloads[1].pod.containers[0].command.len(), 3);
    assert!(!findings(&p).iter().any(|f| f.starts_with("CFG001")));
}

#[test]
fn interpolation_with_dotenv_and_process_environment() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join(".env"),
        "TAG=1.2.3\nFROM_ENV=dotenv\nNET=host\n",
    )
    .unwrap();
    let text = "services:
  web:
    image: \"nginx:${TAG}\"
    network_mode: $NET
    user: ${FROM_ENV}
    command: echo $$HOME ${UNSET} ${MISSING:-dflt}
";
    let path = d.path().join("compose.yaml");
    std::fs::write(&path, text).unwrap();
    let p = read_compose(&path.display().to_string(), text, &vars()).unwrap();
    let w = &p.workloads[0];
    let c = &w.pod.containers[0];
    assert_eq!(c.image.as_ref().unwrap().value, "nginx:1.2.3");
    assert!(w.pod.host_network.as_ref().unwrap().value);
    // The process environment wins over .env.
    assert!(c.security.run_as_non_root.as_ref().unwrap().value);
    assert_eq!(c.command[0].value, "echo $HOME  dflt");
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(
        p.warnings[0].contains("`UNSET` is not set"),
        "{:?}",
        p.warnings
    );
    let e = read_compose(
        "c.yaml",
        "services:\n  a:\n    image: ${NEED:?set NEED}\n",
        &vars(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.yaml:3:12: required variable `NEED` is missing a value: set NEED"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn override_file_is_merged_with_its_positions() {
    let d = tempfile::tempdir().unwrap();
    let base = write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1\n    ports: [\"8080:80\"]\n    volumes: [\"./a:/data\"]\n    command: [a, b]\n",
    );
    let over = write(
        d.path(),
        "compose.override.yaml",
        "services:\n  web:\n    privileged: true\n    ports: [\"22:22\"]\n    volumes: [\"/etc:/data\"]\n    command: [c]\n",
    );
    assert!(is_merged_override(Path::new(&over)));
    assert!(!is_merged_override(Path::new(&base)));
    let text = std::fs::read_to_string(&base).unwrap();
    let p = read_compose(&base, &text, &vars()).unwrap();
    let w = &p.workloads[0];
    let c = &w.pod.containers[0];
    assert_eq!(c.ports.len(), 2);
    assert_eq!(
        c.command
            .iter()
            .map(|f| f.value.as_str())
            .collect::<Vec<_>>(),
        ["c"]
    );
    // Same target: the override's volume replaces the base's.
    assert_eq!(w.pod.volumes.len(), 1);
    assert_eq!(w.pod.volumes[0].host_path.as_ref().unwrap().value, "/etc");
    assert!(
        has(&p, &format!("CFG001@{over}:3:17")),
        "{:?}",
        findings(&p)
    );
    assert!(
        has(&p, &format!("CFG016@{base}:3:12")) || has(&p, &format!("CFG015@{base}:3:12")),
        "{:?}",
        findings(&p)
    );
    assert_eq!(p.other_files.len(), 1);
}

#[test]
fn extends_same_file_and_other_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "common.yml",
        "services:\n  base:\n    image: alpine:3\n    cap_add: [NET_ADMIN]\n",
    );
    let text = "services:
  parent:
    extends: {file: common.yml, service: base}
    privileged: true
  child:
    extends: parent
    cap_add: [SYS_ADMIN]
";
    let f = write(d.path(), "stack.yaml", text);
    let p = read_compose(&f, text, &vars()).unwrap();
    let child = &p.workloads[1].pod.containers[0];
    assert_eq!(child.image.as_ref().unwrap().value, "alpine:3");
    let caps: Vec<_> = child
        .security
        .cap_add
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(caps, ["NET_ADMIN", "SYS_ADMIN"]);
    let common = d.path().join("common.yml").display().to_string();
    assert!(
        has(&p, &format!("CFG004@{common}:4:15")),
        "{:?}",
        findings(&p)
    );
    assert!(has(&p, &format!("CFG001@{f}:4:17")), "{:?}", findings(&p));
}

#[test]
fn include_and_cycles_are_clear_errors() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "db.yaml",
        "services:\n  db:\n    image: postgres:16\n    privileged: true\n",
    );
    let text = "include:\n  - db.yaml\nservices:\n  web: {image: nginx}\n";
    let f = write(d.path(), "compose.yaml", text);
    let p = read_compose(&f, text, &vars()).unwrap();
    let names: Vec<_> = p.workloads.iter().map(|w| w.object()).collect();
    assert_eq!(names, ["service/db", "service/web"]);
    let db = d.path().join("db.yaml").display().to_string();
    assert_eq!(p.workloads[0].file, db);
    assert!(has(&p, &format!("CFG001@{db}:4:17")), "{:?}", findings(&p));

    write(d.path(), "a.yaml", "include: [b.yaml]\nservices: {}\n");
    write(d.path(), "b.yaml", "include: [a.yaml]\nservices: {}\n");
    let a = d.path().join("a.yaml");
    let e = read_compose(
        &a.display().to_string(),
        "include: [b.yaml]\nservices: {}\n",
        &vars(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ComposeError::Cycle {
                what: "include",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("include cycle"), "{e}");
}

#[test]
fn extends_cycle_and_bad_shapes_are_errors_not_panics() {
    let e = read_compose(
        "c.yaml",
        "services:\n  a: {extends: b, image: x}\n  b: {extends: a}\n",
        &vars(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("extends cycle"), "{e}");
    for bad in ["services: [1]\n", "- a\n", "a: [1\n", "x: 1\n---\ny: 2\n"] {
        assert!(read_compose("c.yaml", bad, &vars()).is_err(), "{bad}");
    }
    let e = read_compose("c.yaml", "include: [nope.yaml]\nservices: {}\n", &vars()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("c.yaml:1:11: include `nope.yaml`"),
        "{e}"
    );
    // Odd shapes read as absent.
    let p = read("services:\n  a:\n    ports: {x: 1}\n    volumes: 3\n    user: [1]\n  b: 7\n");
    assert_eq!(p.workloads.len(), 2);
}

#[test]
fn detection() {
    let doc = |t: &str| crate::yaml::parse_documents(t).unwrap().remove(0);
    assert!(looks_like_compose(&doc("services: {a: {image: x}}\n")));
    assert!(!looks_like_compose(&doc(
        "apiVersion: v1\nkind: Pod\nservices: 1\n"
    )));
    assert!(!looks_like_compose(&doc("spec: {}\n")));
}

#[test]
fn a_walk_audits_an_included_file_once_within_its_project() {
    use crate::files::{audit_files, manifests_under};
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "a-db.yaml",
        "services:\n  db:\n    image: postgres:16\n    privileged: true\n",
    );
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - a-db.yaml\nservices:\n  web: {image: nginx}\n",
    );
    // Not included by anything: audited on its own.
    write(
        d.path(),
        "other.yaml",
        "services:\n  x:\n    image: busybox:1\n    privileged: true\n",
    );
    let paths = manifests_under(d.path()).unwrap();
    assert_eq!(paths.len(), 3);
    let audits = audit_files(
        &paths,
        None,
        &vars(),
        &AuditOptions::default(),
        &plimsoll_report::Policy::default(),
    );
    let name = |a: &crate::files::FileAudit| {
        let p = Path::new(&a.path);
        p.file_name().unwrap().to_string_lossy().into_owned()
    };
    let privileged: Vec<String> = audits
        .iter()
        .filter(|a| a.findings.iter().any(|f| f.code == "CFG001"))
        .map(name)
        .collect();
    assert_eq!(privileged, ["a-db.yaml", "other.yaml"]);
    let files: Vec<_> = audits.iter().map(name).collect();
    assert_eq!(files, ["compose.yaml", "a-db.yaml", "other.yaml"]);
}

#[test]
fn list_form_labels_merge_by_key_as_compose_does() {
    let d = tempfile::tempdir().unwrap();
    let base = write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    privileged: true\n    labels: [\"plimsoll.dev/ignore=CFG001\", \"team=a\"]\n",
    );
    write(
        d.path(),
        "compose.override.yaml",
        "services:\n  web:\n    labels:\n      - plimsoll.dev/ignore=CFG016\n",
    );
    let text = std::fs::read_to_string(&base).unwrap();
    let p = read_compose(&base, &text, &vars()).unwrap();
    // The override's value for the key replaces the base's: CFG016 is
    // ignored, CFG001 no longer.
    assert_eq!(p.workloads[0].ignore, ["CFG016"]);
    let got = findings(&p);
    assert!(got.iter().any(|f| f.starts_with("CFG001@")), "{got:?}");
    assert!(!got.iter().any(|f| f.starts_with("CFG016@")), "{got:?}");
}
