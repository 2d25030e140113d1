//! Every finding on a multi-document manifest, with its position, object
//! and container: the whole output is compared, so a moved position, a
//! lost or an extra finding fails.

use plimsoll_runtime::kubernetes::read_manifests;
use plimsoll_runtime::pss::{Level, level_of};
use plimsoll_runtime::{AuditOptions, audit};

const MULTI: &str = include_str!("fixtures/multi.yaml");

#[test]
fn findings_with_positions() {
    let m = read_manifests("multi.yaml", MULTI).unwrap();
    assert_eq!(m.workloads.len(), 2);
    assert_eq!(m.skipped.len(), 1);
    let options = AuditOptions {
        trusted_registries: vec!["registry.example".into()],
        standard: Some(Level::Baseline),
        ..Default::default()
    };
    let got: String = audit(&m.workloads, &options)
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {} {} [{}] {}\n",
                f.location.path.as_deref().unwrap_or(""),
                f.location.line.unwrap_or(0),
                f.location.column.unwrap_or(0),
                f.code,
                f.severity,
                f.location.field.as_deref().unwrap_or(""),
                f.message
            )
        })
        .collect();
    let want = "\
multi.yaml:12:5 CFG018 high [Deployment/prod/web spec.template.spec] Deployment/prod/web: meets Pod Security Standard `privileged`, not `baseline` (v1.37): hostNamespaces (hostNetwork=true); privileged (container \"app\"); capabilities_baseline (container \"app\"); hostPathVolumes (docker)
multi.yaml:13:20 CFG002 high [Deployment/prod/web spec.template.spec.hostNetwork] Deployment/prod/web: shares the host's namespace: `hostNetwork: true`
multi.yaml:17:17 CFG008 critical [Deployment/prod/web spec.template.spec.volumes[0].hostPath.path] Deployment/prod/web: volume `docker` mounts host path `/var/run/docker.sock` (a container runtime's API: control of every container on the host); mounted by container `app` at /var/run/docker.sock
multi.yaml:19:9 CFG012 medium [Deployment/prod/web spec.template.spec.initContainers[0]] Deployment/prod/web init container `setup`: has no memory or CPU limit
multi.yaml:20:16 CFG016 medium [Deployment/prod/web spec.template.spec.initContainers[0].image] Deployment/prod/web init container `setup`: image `busybox:latest` uses the moving `latest` tag
multi.yaml:20:16 CFG017 high [Deployment/prod/web spec.template.spec.initContainers[0].image] Deployment/prod/web init container `setup`: image `busybox:latest` comes from `docker.io`, which is not a trusted registry (registry.example)
multi.yaml:21:9 CFG003 medium [Deployment/prod/web spec.template.spec.initContainers[0].securityContext] Deployment/prod/web init container `setup`: does not drop ALL capabilities
multi.yaml:21:9 CFG005 medium [Deployment/prod/web spec.template.spec.initContainers[0].securityContext] Deployment/prod/web init container `setup`: has a writable root filesystem
multi.yaml:21:9 CFG007 low [Deployment/prod/web spec.template.spec.initContainers[0].securityContext] Deployment/prod/web init container `setup`: has no seccomp profile (Unconfined unless the kubelet defaults it)
multi.yaml:21:9 CFG014 medium [Deployment/prod/web spec.template.spec.initContainers[0].securityContext] Deployment/prod/web init container `setup`: allows privilege escalation (no `allowPrivilegeEscalation: false`)
multi.yaml:22:22 CFG013 high [Deployment/prod/web spec.template.spec.initContainers[0].securityContext.runAsUser] Deployment/prod/web init container `setup`: runs as root (`runAsUser: 0`)
multi.yaml:24:9 CFG012 medium [Deployment/prod/web spec.template.spec.containers[0]] Deployment/prod/web container `app`: has no memory or CPU limit
multi.yaml:26:19 CFG009 medium [Deployment/prod/web spec.template.spec.containers[0].command[0]] Deployment/prod/web container `app`: runs an SSH server: `/usr/sbin/sshd`
multi.yaml:28:26 CFG010 high [Deployment/prod/web spec.template.spec.containers[0].ports[0].containerPort] Deployment/prod/web container `app`: uses privileged host port 80
multi.yaml:29:9 CFG005 medium [Deployment/prod/web spec.template.spec.containers[0].securityContext] Deployment/prod/web container `app`: has a writable root filesystem
multi.yaml:29:9 CFG007 low [Deployment/prod/web spec.template.spec.containers[0].securityContext] Deployment/prod/web container `app`: has no seccomp profile (Unconfined unless the kubelet defaults it)
multi.yaml:29:9 CFG013 high [Deployment/prod/web spec.template.spec.containers[0].securityContext] Deployment/prod/web container `app`: may run as root (neither `runAsNonRoot: true` nor `runAsUser`; the image decides)
multi.yaml:29:9 CFG014 medium [Deployment/prod/web spec.template.spec.containers[0].securityContext] Deployment/prod/web container `app`: allows privilege escalation (no `allowPrivilegeEscalation: false`)
multi.yaml:30:23 CFG001 critical [Deployment/prod/web spec.template.spec.containers[0].securityContext.privileged] Deployment/prod/web container `app`: runs privileged
multi.yaml:31:11 CFG003 medium [Deployment/prod/web spec.template.spec.containers[0].securityContext.capabilities] Deployment/prod/web container `app`: does not drop ALL capabilities
multi.yaml:32:19 CFG004 high [Deployment/prod/web spec.template.spec.containers[0].securityContext.capabilities.add[0]] Deployment/prod/web container `app`: adds capability SYS_ADMIN: mounts, namespaces and most of root's powers
";
    assert_eq!(got, want, "\n{got}");
    let levels: Vec<Level> = m.workloads.iter().map(level_of).collect();
    assert_eq!(levels, [Level::Privileged, Level::Restricted]);
}

/// Every prefix of the manifest, and the manifest without each one of its
/// lines: an error or findings, never a panic.
#[test]
fn cut_and_broken_manifests_never_panic() {
    let mut errors = 0;
    let mut cases = 0;
    let lines: Vec<&str> = MULTI.lines().collect();
    let without_line = (0..lines.len()).map(|i| {
        let mut l = lines.clone();
        l.remove(i);
        l.join("\n")
    });
    let prefixes = MULTI.char_indices().map(|(i, _)| MULTI[..i].to_string());
    for text in prefixes.chain(without_line) {
        cases += 1;
        match read_manifests("cut.yaml", &text) {
            Ok(m) => {
                let _ = audit(&m.workloads, &AuditOptions::default());
                let _ = m.workloads.iter().map(level_of).count();
            }
            Err(e) => {
                assert!(e.to_string().starts_with("cut.yaml:"), "{e}");
                errors += 1;
            }
        }
    }
    assert!(cases > 1000 && errors > 0, "{cases} cases, {errors} errors");
}
