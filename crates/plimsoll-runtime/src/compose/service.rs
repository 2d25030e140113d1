//! One Compose service (resolved: override and `extends` merged) onto the
//! model. `docker run` command lines are read into the same service shape
//! (`crate::docker_run`), so both fronts share this mapping; the choices
//! for Docker are in the [module doc](super).

use std::sync::Arc;

use super::{CNode, CValue};
use crate::kubernetes::IGNORE_ANNOTATION;
use crate::model::*;
use crate::yaml::Pos;

/// The path of the service's fields: `services.<name>` (empty for a
/// `docker run` line, whose nodes carry their flag as label).
fn base(name: &str) -> String {
    format!("services.{name}")
}

fn field<T>(n: &CNode, path: &str, value: T) -> Field<T> {
    Field {
        file: Some(n.file.clone()),
        value,
        pos: n.pos,
        path: n.label.as_deref().unwrap_or(path).to_string(),
    }
}

fn place_of(n: &CNode, path: &str) -> Place {
    Place {
        file: Some(n.file.clone()),
        pos: n.pos,
        path: n.label.as_deref().unwrap_or(path).to_string(),
    }
}

/// A string or a list of strings (a list may hold `key=value` items).
fn words(n: &CNode, path: &str) -> Vec<Field<String>> {
    match &n.value {
        CValue::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some(field(x, &format!("{path}[{i}]"), x.as_str()?.to_string())))
            .collect(),
        _ => n
            .as_str()
            .map(|s| vec![field(n, path, s.to_string())])
            .unwrap_or_default(),
    }
}

/// `key=value` items of a list, or the entries of a mapping.
fn pairs(n: &CNode, path: &str) -> Vec<(String, String, Field<()>)> {
    match &n.value {
        CValue::Map(e) => e
            .iter()
            .map(|(k, _, v)| {
                (
                    k.clone(),
                    v.as_str().unwrap_or("").to_string(),
                    field(v, &format!("{path}.{k}"), ()),
                )
            })
            .collect(),
        _ => words(n, path)
            .into_iter()
            .map(|f| {
                let (k, v) = f.value.split_once('=').unwrap_or((&f.value, ""));
                let (k, v) = (k.to_string(), v.to_string());
                (
                    k,
                    v,
                    Field {
                        value: (),
                        file: f.file,
                        pos: f.pos,
                        path: f.path,
                    },
                )
            })
            .collect(),
    }
}

/// The workload of service `name` (its key at `key_pos` in `file`).
pub fn workload(
    file: &str,
    name: &str,
    key_pos: Pos,
    svc: &CNode,
    warnings: &mut Vec<String>,
) -> Workload {
    let b = base(name);
    let p = |k: &str| format!("{b}.{k}");
    let here = Place {
        file: Some(svc.file.clone()),
        pos: key_pos,
        path: b.clone(),
    };
    let mut pod = PodSettings {
        place: here.clone(),
        ..PodSettings::default()
    };
    let mut c = Container {
        name: name.to_string(),
        place: here.clone(),
        ..Container::default()
    };
    let mut ignore = Vec::new();
    let mut retries = None;
    let s = &mut c.security;
    // Docker's default seccomp profile applies unless security_opt changes it.
    let mut seccomp_default = true;
    for (key, kpos, n) in svc.entries() {
        let path = p(key);
        let kplace = Place {
            file: Some(n.file.clone()),
            pos: *kpos,
            path: n.label.as_deref().unwrap_or(&path).to_string(),
        };
        match key.as_str() {
            "privileged" => s.privileged = n.as_bool().map(|v| field(n, &path, v)),
            "read_only" => s.read_only_root_filesystem = n.as_bool().map(|v| field(n, &path, v)),
            "network_mode" | "pid" | "ipc" | "uts" | "userns_mode" => {
                let host = n.as_str().map(|v| field(n, &path, v == "host"));
                match key.as_str() {
                    "network_mode" => pod.host_network = host,
                    "pid" => pod.host_pid = host,
                    "ipc" => pod.host_ipc = host,
                    "uts" => pod.host_uts = host,
                    _ => pod.host_users = host,
                }
            }
            "cap_add" | "cap_drop" => {
                s.capabilities.get_or_insert(kplace);
                let list = words(n, &path);
                if key == "cap_add" {
                    s.cap_add.extend(list);
                } else {
                    s.cap_drop.extend(list);
                }
            }
            "security_opt" => {
                for f in words(n, &path) {
                    seccomp_default &= !security_opt(s, &f, warnings);
                }
            }
            "user" => {
                let user = n
                    .as_str()
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim();
                if user == "root" {
                    s.run_as_user = Some(field(n, &path, 0));
                } else if let Ok(uid) = user.parse::<i64>() {
                    s.run_as_user = Some(field(n, &path, uid));
                } else if !user.is_empty() {
                    s.run_as_non_root = Some(field(n, &path, true));
                }
            }
            "volumes" => {
                for (i, v) in n.items().iter().enumerate() {
                    volume(v, &format!("{path}[{i}]"), &mut pod.volumes, &mut c.mounts);
                }
            }
            "devices" => {
                for (i, d) in n.items().iter().enumerate() {
                    let dp = format!("{path}[{i}]");
                    let (src, dst) = match d.as_str() {
                        Some(t) => {
                            let mut it = t.split(':');
                            let src = it.next().unwrap_or("").to_string();
                            let dst = it.next().unwrap_or(&src).to_string();
                            (src, dst)
                        }
                        None => (
                            text_of(d, "source"),
                            d.get("target")
                                .and_then(CNode::as_str)
                                .map(String::from)
                                .unwrap_or_else(|| text_of(d, "source")),
                        ),
                    };
                    if src.is_empty() {
                        continue;
                    }
                    pod.volumes.push(Volume {
                        name: src.clone(),
                        place: place_of(d, &dp),
                        sources: vec!["hostPath".into()],
                        host_path: Some(field(d, &dp, src.clone())),
                    });
                    c.mounts.push(Mount {
                        place: place_of(d, &dp),
                        volume: src,
                        mount_path: dst,
                        read_only: false,
                    });
                }
            }
            "ports" => {
                for (i, item) in n.items().iter().enumerate() {
                    ports(item, &format!("{path}[{i}]"), &mut c.ports);
                }
            }
            "restart" => {
                if let Some(v) = n.as_str() {
                    pod.restart_policy = Some(field(n, &path, v.to_string()));
                    if let Some(count) = v
                        .strip_prefix("on-failure:")
                        .and_then(|c| c.trim().parse().ok())
                    {
                        retries = Some(Retries {
                            place: place_of(n, &path),
                            backoff_limit: Some(field(n, &path, count)),
                            active_deadline_seconds: None,
                        });
                    }
                }
            }
            "mem_limit" => c.memory_limit = n.as_str().map(|v| field(n, &path, v.to_string())),
            "cpus" => c.cpu_limit = n.as_str().map(|v| field(n, &path, v.to_string())),
            "pids_limit" => c.pids_limit = n.as_str().map(|v| field(n, &path, v.to_string())),
            "deploy" => {
                let dp = p("deploy");
                if let Some((rpos, r)) = n.entry("resources") {
                    let rp = format!("{dp}.resources");
                    c.resources = Some(Place {
                        file: Some(r.file.clone()),
                        pos: rpos,
                        path: rp.clone(),
                    });
                    if let Some(l) = r.get("limits") {
                        let lp = format!("{rp}.limits");
                        for (k, target) in [
                            ("memory", &mut c.memory_limit),
                            ("cpus", &mut c.cpu_limit),
                            ("pids", &mut c.pids_limit),
                        ] {
                            if let Some(v) = l.get(k).and_then(|v| {
                                Some(field(v, &format!("{lp}.{k}"), v.as_str()?.to_string()))
                            }) {
                                *target = Some(v);
                            }
                        }
                    }
                }
                if let Some((rpos, r)) = n.entry("restart_policy") {
                    let rp = format!("{dp}.restart_policy");
                    pod.restart_policy = Some(match r.entry("condition") {
                        Some((_, cond)) => field(
                            cond,
                            &format!("{rp}.condition"),
                            cond.as_str().unwrap_or("any").to_string(),
                        ),
                        None => Field {
                            file: Some(r.file.clone()),
                            value: "any".into(),
                            pos: rpos,
                            path: rp.clone(),
                        },
                    });
                    retries = r.get("max_attempts").and_then(|m| {
                        Some(Retries {
                            place: place_of(r, &rp),
                            backoff_limit: Some(field(
                                m,
                                &format!("{rp}.max_attempts"),
                                m.as_i64()?,
                            )),
                            active_deadline_seconds: None,
                        })
                    });
                }
            }
            "image" => c.image = n.as_str().map(|v| field(n, &path, v.to_string())),
            "entrypoint" => {
                let mut e = words(n, &path);
                e.append(&mut c.command);
                c.command = e;
            }
            "command" => c.command.extend(words(n, &path)),
            "sysctls" => {
                for (k, _, f) in pairs(n, &path) {
                    pod.security.sysctls.push(Field {
                        value: k,
                        file: f.file,
                        pos: f.pos,
                        path: f.path,
                    });
                }
            }
            "labels" => {
                for (k, v, _) in pairs(n, &path) {
                    if k == IGNORE_ANNOTATION {
                        ignore.extend(
                            v.split([',', ' '])
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(String::from),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if seccomp_default && !s.privileged.as_ref().is_some_and(|p| p.value) {
        s.seccomp = Some(Field {
            file: Some(svc.file.clone()),
            value: "RuntimeDefault".into(),
            pos: key_pos,
            path: format!("{b} (Docker's default seccomp profile)"),
        });
    }
    pod.containers.push(c);
    Workload {
        file: file.to_string(),
        kind: "service".into(),
        namespace: None,
        name: name.to_string(),
        place: here,
        ignore,
        pod_annotations: Vec::new(),
        pod,
        platform: Platform::Compose,
        retries,
    }
}

fn text_of(n: &CNode, key: &str) -> String {
    n.get(key).and_then(CNode::as_str).unwrap_or("").to_string()
}

/// Reads one `security_opt` item into `s`; true when it sets seccomp.
fn security_opt(s: &mut SecurityContext, f: &Field<String>, warnings: &mut Vec<String>) -> bool {
    let opt = f.value.trim();
    let (key, value) = match opt.find([':', '=']) {
        Some(i) => (&opt[..i], Some(&opt[i + 1..])),
        None => (opt, None),
    };
    let with = |v: String| Field {
        value: v,
        ..f.clone()
    };
    match (key, value) {
        ("seccomp", Some(v)) => {
            s.seccomp = Some(with(
                if v == "unconfined" {
                    "Unconfined"
                } else {
                    "Localhost"
                }
                .into(),
            ));
            return true;
        }
        ("apparmor", Some(v)) => {
            s.apparmor = Some(with(
                if v == "unconfined" {
                    "Unconfined"
                } else {
                    "Localhost"
                }
                .into(),
            ));
        }
        ("label", Some(v)) => {
            let o = s.selinux.get_or_insert_with(|| SeLinux {
                place: f.place(),
                ..SeLinux::default()
            });
            let (k, val) = v.split_once(':').unwrap_or((v, ""));
            match k {
                "disable" => o.kind = Some(with("spc_t".into())),
                "type" => o.kind = Some(with(val.into())),
                "user" => o.user = Some(with(val.into())),
                "role" => o.role = Some(with(val.into())),
                _ => {}
            }
        }
        ("no-new-privileges", v) => {
            let on = !matches!(v, Some("false"));
            s.allow_privilege_escalation = Some(f.clone().map_bool(!on));
        }
        ("systempaths", Some("unconfined")) => s.proc_mount = Some(with("Unmasked".into())),
        _ => warnings.push(format!(
            "{}:{}: unknown security option `{opt}`",
            f.file.as_deref().unwrap_or("?"),
            f.pos
        )),
    }
    false
}

impl Field<String> {
    fn map_bool(self, v: bool) -> Field<bool> {
        Field {
            value: v,
            file: self.file,
            pos: self.pos,
            path: self.path,
        }
    }
}

/// A volume entry (short `src:dst[:opts]` or long syntax) as a volume and
/// its mount.
fn volume(v: &CNode, path: &str, volumes: &mut Vec<Volume>, mounts: &mut Vec<Mount>) {
    let (kind, source, target, read_only) = match v.as_str() {
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            let (src, dst, opts) = match parts.as_slice() {
                [dst] => ("", *dst, ""),
                [src, dst] => (*src, *dst, ""),
                [src, dst, opts, ..] => (*src, *dst, *opts),
                [] => return,
            };
            let ro = opts.split(',').any(|o| o == "ro" || o == "readonly");
            let kind = if src.is_empty() {
                "anonymous"
            } else if src.starts_with(['/', '.', '~']) {
                "bind"
            } else {
                "volume"
            };
            (kind.to_string(), src.to_string(), dst.to_string(), ro)
        }
        None => {
            let source = text_of(v, "source");
            let kind = match v.get("type").and_then(CNode::as_str) {
                Some(t) => t.to_string(),
                None if source.starts_with(['/', '.', '~']) => "bind".into(),
                None if source.is_empty() => "anonymous".into(),
                None => "volume".into(),
            };
            // `read_only` here is the mount's flag, not the service's root filesystem.
            let ro = v.get("read_only").and_then(CNode::as_bool).unwrap_or(false);
            (kind, source, text_of(v, "target"), ro)
        }
    };
    let (sources, host_path) = match kind.as_str() {
        "bind" => {
            let at = v.get("source").unwrap_or(v);
            (
                "hostPath",
                Some(field(
                    at,
                    &if v.as_str().is_some() {
                        path.to_string()
                    } else {
                        format!("{path}.source")
                    },
                    source.clone(),
                )),
            )
        }
        "volume" => ("persistentVolumeClaim", None),
        "npipe" => ("hostPath", None),
        _ => ("emptyDir", None),
    };
    let name = if source.is_empty() {
        target.clone()
    } else {
        source
    };
    volumes.push(Volume {
        name: name.clone(),
        place: place_of(v, path),
        sources: vec![sources.into()],
        host_path,
    });
    mounts.push(Mount {
        place: place_of(v, path),
        volume: name,
        mount_path: target,
        read_only,
    });
}

/// `a-b` or `a` as the first port and whether 22 is in the range.
fn port_range(s: &str) -> Option<(i64, bool)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (i64, i64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    Some((a, a != 22 && (a..=b).contains(&22)))
}

/// A port entry (short `[[ip:]host:]container[/proto]`, a number, or long
/// syntax).
fn ports(item: &CNode, path: &str, out: &mut Vec<Port>) {
    // Short syntax: each part points at its own column in the string.
    let mut short: (Option<CNode>, Option<CNode>) = (None, None);
    let (host, container) = match item.as_str() {
        Some(text) => {
            let t = text.split('/').next().unwrap_or("");
            // An IPv6 host address is in brackets.
            let t = match t.rfind(']') {
                Some(i) => t[i + 1..].trim_start_matches(':'),
                None => t,
            };
            let parts: Vec<&str> = t.split(':').collect();
            let (h, c) = match parts.as_slice() {
                [c] => (None, Some(*c)),
                [.., h, c] => (Some(*h), Some(*c)),
                [] => (None, None),
            };
            short = (
                h.map(|h| part_node(item, text, h)),
                c.map(|c| part_node(item, text, c)),
            );
            (h.and_then(port_range), c.and_then(port_range))
        }
        None => (
            item.get("published")
                .and_then(CNode::as_str)
                .and_then(port_range),
            item.get("target")
                .and_then(CNode::as_str)
                .and_then(port_range),
        ),
    };
    let at = |k: &str, part: &Option<CNode>| -> (CNode, String) {
        match (item.get(k), part) {
            (Some(n), _) if item.as_str().is_none() => (n.clone(), format!("{path}.{k}")),
            (_, Some(n)) => (n.clone(), path.to_string()),
            _ => (item.clone(), path.to_string()),
        }
    };
    let (hn, hp) = at("published", &short.0);
    let (cn, cp) = at("target", &short.1);
    out.push(Port {
        place: place_of(item, path),
        container_port: container.map(|(c, _)| field(&cn, &cp, c)),
        host_port: host.map(|(h, _)| field(&hn, &hp, h)),
    });
    let h22 = host.is_some_and(|h| h.1);
    let c22 = container.is_some_and(|c| c.1);
    if h22 || c22 {
        out.push(Port {
            place: place_of(item, path),
            container_port: c22.then(|| field(&cn, &cp, 22)),
            host_port: h22.then(|| field(&hn, &hp, 22)),
        });
    }
}

/// The node for `part`, a slice of `item`'s one-line scalar `text`: the
/// same node, its column moved to where the part starts (past an opening
/// quote).
fn part_node(item: &CNode, text: &str, part: &str) -> CNode {
    let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    // A quoted YAML scalar starts at its quote (a `docker run` word has a label).
    let quoted = item.label.is_none() && matches!(item.value, CValue::Scalar { plain: false, .. });
    let mut node = item.clone();
    if !text.contains('\n') && offset <= text.len() {
        node.pos.column = node
            .pos
            .column
            .saturating_add(u32::try_from(offset).unwrap_or(0) + u32::from(quoted));
    }
    node
}

/// A node for a `docker run` value: `text` at column `column` of the
/// command line `file`, labelled with the flag.
pub fn flag_node(file: &Arc<str>, column: u32, flag: &str, value: CValue) -> CNode {
    CNode {
        file: file.clone(),
        pos: Pos { line: 1, column },
        label: Some(Arc::from(flag)),
        value,
    }
}
