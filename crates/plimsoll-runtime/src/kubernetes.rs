//! The Kubernetes front: manifests (multi-document YAML or JSON, `List`s)
//! into [`Workload`]s. Kinds that run pods are read (Pod, Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController,
//! PodTemplate); every other kind is skipped and counted.

use crate::model::*;
use crate::yaml::{self, Node, Pos, Value};

/// The annotation that names rules to ignore on one object:
/// `plimsoll.dev/ignore: "CFG001,CFG004"`.
pub const IGNORE_ANNOTATION: &str = "plimsoll.dev/ignore";

/// An object of a kind that runs no pod, skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub kind: String,
    pub name: String,
    pub line: u32,
}

/// What one file holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifests {
    pub workloads: Vec<Workload>,
    pub skipped: Vec<Skipped>,
}

/// Why a file could not be read as Kubernetes manifests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("{file}:{}: not valid YAML: {}", .source.pos, .source.message)]
    Yaml {
        file: String,
        #[source]
        source: yaml::YamlError,
    },
    #[error("{file}:{pos}: {message}")]
    NotKubernetes {
        file: String,
        pos: Pos,
        message: String,
    },
}

/// Nesting of `List` items the reader follows.
const MAX_LIST_DEPTH: usize = 8;

/// Reads every Kubernetes object of `text` (the file named `file`).
pub fn read_manifests(file: &str, text: &str) -> Result<Manifests, ManifestError> {
    let docs = yaml::parse_documents(text).map_err(|source| ManifestError::Yaml {
        file: file.to_string(),
        source,
    })?;
    let mut out = Manifests::default();
    for doc in &docs {
        read_object(file, doc, 0, &mut out)?;
    }
    Ok(out)
}

fn not_kubernetes(file: &str, pos: Pos, message: impl Into<String>) -> ManifestError {
    ManifestError::NotKubernetes {
        file: file.to_string(),
        pos,
        message: message.into(),
    }
}

fn read_object(
    file: &str,
    doc: &Node,
    depth: usize,
    out: &mut Manifests,
) -> Result<(), ManifestError> {
    if !matches!(doc.value, Value::Map(_)) {
        return Err(not_kubernetes(
            file,
            doc.pos,
            "a document that is not a mapping is not a Kubernetes object",
        ));
    }
    let kind = doc.get("kind").and_then(Node::as_str);
    let api = doc.get("apiVersion").and_then(Node::as_str);
    let (Some(kind), Some(_)) = (kind, api) else {
        let hint = if doc.get("services").is_some() {
            " (this looks like a Compose file: read it with `--kind compose`)"
        } else {
            ""
        };
        return Err(not_kubernetes(
            file,
            doc.pos,
            format!("a Kubernetes object needs `apiVersion` and `kind`{hint}"),
        ));
    };
    let name = doc
        .at(&["metadata", "name"])
        .or_else(|| doc.at(&["metadata", "generateName"]))
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    if kind == "List" || (kind.ends_with("List") && doc.get("items").is_some()) {
        if depth >= MAX_LIST_DEPTH {
            return Err(not_kubernetes(file, doc.pos, "Lists nested too deep"));
        }
        for item in doc.get("items").map(Node::items).unwrap_or_default() {
            read_object(file, item, depth + 1, out)?;
        }
        return Ok(());
    }
    // (path to the pod template's metadata and spec, path to retry bounds)
    let (template, retries): (&[&str], Option<&[&str]>) = match kind {
        "Pod" => (&[], None),
        "PodTemplate" => (&["template"], None),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" => {
            (&["spec", "template"], None)
        }
        "Job" => (&["spec", "template"], Some(&["spec"])),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template"],
            Some(&["spec", "jobTemplate", "spec"]),
        ),
        _ => {
            out.skipped.push(Skipped {
                kind: kind.to_string(),
                name,
                line: doc.pos.line,
            });
            return Ok(());
        }
    };
    let prefix = template.join(".");
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let pod_node = if template.is_empty() {
        Some(doc)
    } else {
        doc.at(template)
    };
    let pod_meta = pod_node.and_then(|t| t.get("metadata"));
    let spec = pod_node.and_then(|t| t.entry("spec"));
    let mut ignore = Vec::new();
    for meta in [doc.get("metadata"), pod_meta].into_iter().flatten() {
        if let Some(list) = meta
            .at(&["annotations", IGNORE_ANNOTATION])
            .and_then(Node::as_str)
        {
            ignore.extend(
                list.split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
    }
    let pod_annotations = pod_meta
        .and_then(|m| m.get("annotations"))
        .map(|a| {
            a.entries()
                .iter()
                .map(|(k, _, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let spec_path = join("spec");
    let pod = match spec {
        Some((at, spec)) => read_pod(at, spec, &spec_path),
        None => PodSettings {
            place: Place {
                file: None,
                pos: doc.pos,
                path: spec_path,
            },
            ..PodSettings::default()
        },
    };
    let retries = retries.map(|path| {
        let base = path.join(".");
        let node = doc.at(path);
        Retries {
            place: Place {
                file: None,
                pos: node.map_or(doc.pos, |n| n.pos),
                path: base.clone(),
            },
            backoff_limit: node.and_then(|n| int(n, &base, "backoffLimit")),
            active_deadline_seconds: node.and_then(|n| int(n, &base, "activeDeadlineSeconds")),
        }
    });
    out.workloads.push(Workload {
        file: file.to_string(),
        kind: kind.to_string(),
        namespace: doc
            .at(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .map(String::from),
        name,
        place: Place {
            file: None,
            pos: doc.pos,
            path: String::new(),
        },
        ignore,
        pod_annotations,
        pod,
        platform: Platform::Kubernetes,
        retries,
    });
    Ok(())
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn field<T>(
    node: &Node,
    path: &str,
    key: &str,
    conv: impl Fn(&Node) -> Option<T>,
) -> Option<Field<T>> {
    let (_, v) = node.entry(key)?;
    Some(Field {
        file: None,
        value: conv(v)?,
        pos: v.pos,
        path: child(path, key),
    })
}

fn boolean(node: &Node, path: &str, key: &str) -> Option<Field<bool>> {
    field(node, path, key, Node::as_bool)
}

fn int(node: &Node, path: &str, key: &str) -> Option<Field<i64>> {
    field(node, path, key, |n| {
        n.as_i64().or_else(|| n.as_str()?.trim().parse().ok())
    })
}

fn text(node: &Node, path: &str, key: &str) -> Option<Field<String>> {
    field(node, path, key, |n| n.as_str().map(String::from))
}

/// The scalars of the sequence `key`, each with its place.
fn texts(node: &Node, path: &str, key: &str) -> Vec<Field<String>> {
    let base = child(path, key);
    node.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            Some(Field {
                file: None,
                value: n.as_str()?.to_string(),
                pos: n.pos,
                path: format!("{base}[{i}]"),
            })
        })
        .collect()
}

fn place(node: &Node, path: &str) -> Place {
    Place {
        file: None,
        pos: node.pos,
        path: path.to_string(),
    }
}

/// A pod spec written at `at` (its key).
fn read_pod(at: Pos, spec: &Node, path: &str) -> PodSettings {
    let mut pod = PodSettings {
        place: Place {
            file: None,
            pos: at,
            path: path.to_string(),
        },
        host_network: boolean(spec, path, "hostNetwork"),
        host_pid: boolean(spec, path, "hostPID"),
        host_ipc: boolean(spec, path, "hostIPC"),
        host_users: boolean(spec, path, "hostUsers"),
        restart_policy: text(spec, path, "restartPolicy"),
        ..PodSettings::default()
    };
    if let Some(os) = spec.get("os") {
        pod.os = text(os, &child(path, "os"), "name");
    }
    if let Some((at, sc)) = spec.entry("securityContext") {
        pod.security = read_security(at, sc, &child(path, "securityContext"));
    }
    let vpath = child(path, "volumes");
    for (i, v) in spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let p = format!("{vpath}[{i}]");
        let mut sources: Vec<String> = v
            .entries()
            .iter()
            .filter(|(k, _, n)| k != "name" && !n.is_null())
            .map(|(k, _, _)| k.clone())
            .collect();
        if sources.is_empty() {
            // The API server defaults a volume without a source to an emptyDir.
            sources.push("emptyDir".to_string());
        }
        let host_path = v
            .get("hostPath")
            .and_then(|h| text(h, &child(&p, "hostPath"), "path"));
        pod.volumes.push(Volume {
            name: v
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            place: place(v, &p),
            sources,
            host_path,
        });
    }
    for (key, kind) in [
        ("initContainers", ContainerKind::Init),
        ("containers", ContainerKind::Regular),
        ("ephemeralContainers", ContainerKind::Ephemeral),
    ] {
        let cpath = child(path, key);
        for (i, c) in spec
            .get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            pod.containers
                .push(read_container(c, &format!("{cpath}[{i}]"), kind));
        }
    }
    pod
}

/// A security context written at `at` (its key).
fn read_security(at: Pos, sc: &Node, path: &str) -> SecurityContext {
    let mut s = SecurityContext {
        place: Some(Place {
            file: None,
            pos: at,
            path: path.to_string(),
        }),
        privileged: boolean(sc, path, "privileged"),
        allow_privilege_escalation: boolean(sc, path, "allowPrivilegeEscalation"),
        read_only_root_filesystem: boolean(sc, path, "readOnlyRootFilesystem"),
        run_as_user: int(sc, path, "runAsUser"),
        run_as_non_root: boolean(sc, path, "runAsNonRoot"),
        proc_mount: text(sc, path, "procMount"),
        ..SecurityContext::default()
    };
    if let Some((at, caps)) = sc.entry("capabilities") {
        let cp = child(path, "capabilities");
        s.capabilities = Some(Place {
            file: None,
            pos: at,
            path: cp.clone(),
        });
        s.cap_add = texts(caps, &cp, "add");
        s.cap_drop = texts(caps, &cp, "drop");
    }
    if let Some(p) = sc.get("seccompProfile") {
        s.seccomp = text(p, &child(path, "seccompProfile"), "type");
    }
    if let Some(p) = sc.get("appArmorProfile") {
        s.apparmor = text(p, &child(path, "appArmorProfile"), "type");
    }
    if let Some((at, o)) = sc.entry("seLinuxOptions") {
        let op = child(path, "seLinuxOptions");
        s.selinux = Some(SeLinux {
            place: Place {
                file: None,
                pos: at,
                path: op.clone(),
            },
            kind: text(o, &op, "type"),
            user: text(o, &op, "user"),
            role: text(o, &op, "role"),
        });
    }
    if let Some(w) = sc.get("windowsOptions") {
        s.windows_host_process = boolean(w, &child(path, "windowsOptions"), "hostProcess");
    }
    let spath = child(path, "sysctls");
    for (i, n) in sc
        .get("sysctls")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(name) = text(n, &format!("{spath}[{i}]"), "name") {
            s.sysctls.push(name);
        }
    }
    s
}

fn read_container(c: &Node, path: &str, kind: ContainerKind) -> Container {
    let mut out = Container {
        kind,
        name: c
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string(),
        place: place(c, path),
        image: text(c, path, "image"),
        ..Container::default()
    };
    out.command = texts(c, path, "command");
    out.command.extend(texts(c, path, "args"));
    if let Some((at, sc)) = c.entry("securityContext") {
        out.security = read_security(at, sc, &child(path, "securityContext"));
    }
    let ppath = child(path, "ports");
    for (i, p) in c
        .get("ports")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let pp = format!("{ppath}[{i}]");
        out.ports.push(Port {
            place: place(p, &pp),
            container_port: int(p, &pp, "containerPort"),
            host_port: int(p, &pp, "hostPort"),
        });
    }
    if let Some((at, r)) = c.entry("resources") {
        let rp = child(path, "resources");
        out.resources = Some(Place {
            file: None,
            pos: at,
            path: rp.clone(),
        });
        if let Some(l) = r.get("limits") {
            let lp = child(&rp, "limits");
            let quantity = |n: &Node| n.as_str().map(String::from);
            out.memory_limit = field(l, &lp, "memory", quantity);
            out.cpu_limit = field(l, &lp, "cpu", quantity);
        }
    }
    let mpath = child(path, "volumeMounts");
    for (i, m) in c
        .get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        out.mounts.push(Mount {
            place: place(m, &format!("{mpath}[{i}]")),
            volume: m
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            mount_path: m
                .get("mountPath")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            read_only: m.get("readOnly").and_then(Node::as_bool).unwrap_or(false),
        });
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = c.get(probe) {
            handler_hosts(p, &child(path, probe), &mut out.probe_hosts);
        }
    }
    if let Some(l) = c.get("lifecycle") {
        let lp = child(path, "lifecycle");
        for hook in ["postStart", "preStop"] {
            if let Some(h) = l.get(hook) {
                handler_hosts(h, &child(&lp, hook), &mut out.probe_hosts);
            }
        }
    }
    out
}

fn handler_hosts(handler: &Node, path: &str, out: &mut Vec<Field<String>>) {
    for kind in ["httpGet", "tcpSocket"] {
        if let Some(h) = handler.get(kind)
            && let Some(host) = text(h, &child(path, kind), "host")
            && !host.value.is_empty()
        {
            out.push(host);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: prod
    annotations:
      plimsoll.dev/ignore: \"CFG001, CFG004\"
  spec:
    template:
      spec:
        hostNetwork: true
        volumes:
        - name: sock
          hostPath:
            path: /var/run/docker.sock
        initContainers:
        - name: setup
          image: busybox
        containers:
        - name: app
          image: nginx:1.27
          ports:
          - containerPort: 80
            hostPort: 80
          securityContext:
            capabilities:
              add: [NET_ADMIN]
---
apiVersion: v1
kind: Service
metadata:
  name: web
";

    #[test]
    fn reads_lists_kinds_and_positions() {
        let m = read_manifests("d.yaml", DEPLOY).unwrap();
        assert_eq!(
            m.skipped,
            vec![Skipped {
                kind: "Service".into(),
                name: "web".into(),
                line: 32
            }]
        );
        let [w] = &m.workloads[..] else {
            panic!("{m:?}")
        };
        assert_eq!(w.object(), "Deployment/prod/web");
        assert_eq!(w.ignore, ["CFG001", "CFG004"]);
        let hn = w.pod.host_network.as_ref().unwrap();
        assert_eq!((hn.pos.line, hn.pos.column), (14, 22));
        assert_eq!(hn.path, "spec.template.spec.hostNetwork");
        assert_eq!(
            w.pod.volumes[0].host_path.as_ref().unwrap().value,
            "/var/run/docker.sock"
        );
        let names: Vec<_> = w.containers().map(Container::label).collect();
        assert_eq!(names, ["init container `setup`", "container `app`"]);
        let app = &w.pod.containers[1];
        assert_eq!(app.ports[0].host_port.as_ref().unwrap().value, 80);
        let add = &app.security.cap_add[0];
        assert_eq!(
            (add.pos.line, add.pos.column, add.path.as_str()),
            (
                30,
                21,
                "spec.template.spec.containers[0].securityContext.capabilities.add[0]"
            )
        );
    }

    #[test]
    fn bad_input_is_an_error_with_a_position() {
        let e = read_manifests("x.yaml", "kind: Pod\nmetadata: [\n").unwrap_err();
        assert!(e.to_string().starts_with("x.yaml:"), "{e}");
        let e = read_manifests("c.yaml", "services:\n  web:\n    image: x\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yaml:1:1: a Kubernetes object needs `apiVersion` and `kind` (this looks like a Compose file: read it with `--kind compose`)"
        );
        let e = read_manifests("s.yaml", "- a\n- b\n").unwrap_err();
        assert!(e.to_string().contains("not a mapping"), "{e}");
        // Odd shapes are read as absent, never a panic.
        let m = read_manifests(
            "o.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: 3\nspec:\n  containers: {a: 1}\n  volumes: [1, {hostPath: 2}]\n",
        )
        .unwrap();
        assert_eq!(m.workloads[0].pod.containers.len(), 0);
        assert_eq!(m.workloads[0].pod.volumes.len(), 2);
    }
}
