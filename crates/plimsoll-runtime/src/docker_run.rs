//! The `docker run` front: a command line (`docker run …` or `docker
//! container run …`) into one [`Workload`] (kind `docker run`). The line is
//! split into shell words (quotes, backslashes), the flags read into the
//! shape of a Compose service and mapped by [`crate::compose::service`], so
//! both fronts judge the same way. Positions are line 1 and the column of
//! the flag's value in the command line; each finding names the flag.
//! Unknown flags are warnings, not errors.

use std::sync::Arc;

use crate::compose::service::{flag_node, workload};
use crate::compose::{CNode, CValue};
use crate::model::{Platform, Workload};
use crate::yaml::Pos;

/// Why a command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:1:{column}: {message}")]
pub struct DockerRunError {
    pub name: String,
    pub column: u32,
    pub message: String,
}

/// One command line's workload and its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerRun {
    pub workload: Workload,
    pub warnings: Vec<String>,
}

/// A shell word and the 1-based column (in characters) it starts at.
pub fn shell_words(line: &str) -> Result<Vec<(String, u32)>, String> {
    let mut out = Vec::new();
    let mut cur: Option<(String, u32)> = None;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, ch)) = chars.next() {
        let col = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match ch {
            '\\' if chars.peek().is_some_and(|&(_, n)| n == '\n') => {
                chars.next();
            }
            c if c.is_whitespace() => {
                if let Some(w) = cur.take() {
                    out.push(w);
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(|| (String::new(), col));
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => w.0.push(c),
                        None => return Err(format!("unclosed single quote at column {col}")),
                    }
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(|| (String::new(), col));
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, c @ ('"' | '\\' | '$' | '`'))) => w.0.push(c),
                            Some((_, '\n')) => {}
                            Some((_, c)) => {
                                w.0.push('\\');
                                w.0.push(c);
                            }
                            None => return Err(format!("unclosed double quote at column {col}")),
                        },
                        Some((_, c)) => w.0.push(c),
                        None => return Err(format!("unclosed double quote at column {col}")),
                    }
                }
            }
            '\\' => {
                let w = cur.get_or_insert_with(|| (String::new(), col));
                if let Some((_, c)) = chars.next() {
                    w.0.push(c);
                }
            }
            c => cur.get_or_insert_with(|| (String::new(), col)).0.push(c),
        }
    }
    out.extend(cur);
    Ok(out)
}

/// What a flag means: the Compose key it maps to (`None`: read and
/// ignored), whether it takes a value, and whether it repeats (a list).
struct Flag {
    names: &'static [&'static str],
    key: Option<&'static str>,
    value: bool,
    list: bool,
}

const fn f(
    names: &'static [&'static str],
    key: Option<&'static str>,
    value: bool,
    list: bool,
) -> Flag {
    Flag {
        names,
        key,
        value,
        list,
    }
}

/// The flags of `docker run` (Docker 27).
static FLAGS: &[Flag] = &[
    f(&["--privileged"], Some("privileged"), false, false),
    f(&["--read-only"], Some("read_only"), false, false),
    f(&["--net", "--network"], Some("network_mode"), true, false),
    f(&["--pid"], Some("pid"), true, false),
    f(&["--ipc"], Some("ipc"), true, false),
    f(&["--uts"], Some("uts"), true, false),
    f(&["--userns"], Some("userns_mode"), true, false),
    f(&["--cap-add"], Some("cap_add"), true, true),
    f(&["--cap-drop"], Some("cap_drop"), true, true),
    f(&["--security-opt"], Some("security_opt"), true, true),
    f(&["-u", "--user"], Some("user"), true, false),
    f(&["-v", "--volume"], Some("volumes"), true, true),
    f(&["--mount"], Some("volumes"), true, true),
    f(&["-p", "--publish"], Some("ports"), true, true),
    f(&["--restart"], Some("restart"), true, false),
    f(&["-m", "--memory"], Some("mem_limit"), true, false),
    f(&["--cpus"], Some("cpus"), true, false),
    f(&["--pids-limit"], Some("pids_limit"), true, false),
    f(&["--device"], Some("devices"), true, true),
    f(&["--sysctl"], Some("sysctls"), true, true),
    f(&["--entrypoint"], Some("entrypoint"), true, false),
    f(&["-l", "--label"], Some("labels"), true, true),
    f(
        &[
            "-d",
            "--detach",
            "-i",
            "--interactive",
            "-t",
            "--tty",
            "--rm",
            "--init",
            "-P",
            "--publish-all",
            "--oom-kill-disable",
            "--no-healthcheck",
            "--sig-proxy",
            "-q",
            "--quiet",
            "--help",
            "--disable-content-trust",
            "--use-api-socket",
        ],
        None,
        false,
        false,
    ),
    f(
        &[
            "-e",
            "--env",
            "--env-file",
            "--name",
            "-w",
            "--workdir",
            "-h",
            "--hostname",
            "--add-host",
            "--dns",
            "--dns-option",
            "--dns-search",
            "--domainname",
            "--log-driver",
            "--log-opt",
            "--health-cmd",
            "--health-interval",
            "--health-retries",
            "--health-timeout",
            "--health-start-period",
            "--health-start-interval",
            "--memory-swap",
            "--memory-reservation",
            "--memory-swappiness",
            "--kernel-memory",
            "-c",
            "--cpu-shares",
            "--cpuset-cpus",
            "--cpuset-mems",
            "--cpu-period",
            "--cpu-quota",
            "--cpu-rt-period",
            "--cpu-rt-runtime",
            "--cgroup-parent",
            "--cgroupns",
            "--tmpfs",
            "--expose",
            "--link",
            "--link-local-ip",
            "--platform",
            "--pull",
            "--label-file",
            "--ulimit",
            "--stop-signal",
            "--stop-timeout",
            "--shm-size",
            "--gpus",
            "--group-add",
            "--ip",
            "--ip6",
            "--mac-address",
            "--network-alias",
            "--volumes-from",
            "--cidfile",
            "--detach-keys",
            "--storage-opt",
            "--runtime",
            "--isolation",
            "--blkio-weight",
            "--blkio-weight-device",
            "-a",
            "--attach",
            "--annotation",
            "--volume-driver",
            "--device-cgroup-rule",
            "--device-read-bps",
            "--device-write-bps",
            "--device-read-iops",
            "--device-write-iops",
            "--oom-score-adj",
            "--log-opt",
            "--mount-propagation",
        ],
        None,
        true,
        false,
    ),
];

fn flag(name: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.names.contains(&name))
}

/// Reads the command line `line`, named `name` in findings (e.g.
/// `docker-run[1]`).
pub fn read_docker_run(name: &str, line: &str) -> Result<DockerRun, DockerRunError> {
    let err = |column: u32, message: String| DockerRunError {
        name: name.to_string(),
        column,
        message,
    };
    let words = shell_words(line).map_err(|m| err(1, m))?;
    let mut i = words
        .iter()
        .position(|(w, _)| w == "docker" || w.ends_with("/docker") || w == "podman")
        .ok_or_else(|| err(1, "not a `docker run` command line".into()))?
        + 1;
    match words.get(i).map(|w| w.0.as_str()) {
        Some("run") => i += 1,
        Some("container") if words.get(i + 1).is_some_and(|w| w.0 == "run") => i += 2,
        _ => {
            return Err(err(
                words.get(i).map_or(1, |w| w.1),
                "not a `docker run` command line (expected `docker run` or `docker container run`)"
                    .into(),
            ));
        }
    }
    let file: Arc<str> = Arc::from(name);
    let mut warnings = Vec::new();
    let mut entries: Vec<(String, Pos, CNode)> = Vec::new();
    let mut lists: Vec<(&'static str, Pos, Vec<CNode>)> = Vec::new();
    let scalar = |text: &str| CValue::Scalar {
        text: text.to_string(),
        plain: false,
    };
    let mut set = |flag_def: &Flag, written: &str, col: u32, vcol: u32, value: String| {
        let Some(key) = flag_def.key else { return };
        let value = if key == "volumes" && written.starts_with("--mount") {
            mount_map(&file, vcol, written, &value)
        } else {
            scalar(&value)
        };
        let node = flag_node(&file, vcol, written, value);
        let kpos = Pos {
            line: 1,
            column: col,
        };
        if flag_def.list {
            match lists.iter_mut().find(|l| l.0 == key) {
                Some(l) => l.2.push(node),
                None => lists.push((key, kpos, vec![node])),
            }
        } else {
            entries.retain(|e| e.0 != key);
            entries.push((key.to_string(), kpos, node));
        }
    };
    let mut image = None;
    while let Some((w, col)) = words.get(i) {
        i += 1;
        if w == "--" {
            break;
        }
        if !w.starts_with('-') || w == "-" {
            image = Some((w.clone(), *col));
            break;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (fname, inline) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (w.clone(), None),
            };
            let vcol = col + u32::try_from(fname.len() + 1).unwrap_or(0);
            match flag(&fname) {
                Some(fd) if fd.value => {
                    let (value, vcol) = match inline {
                        Some(v) => (v, vcol),
                        None => match words.get(i) {
                            Some((v, c)) => {
                                i += 1;
                                (v.clone(), *c)
                            }
                            None => return Err(err(*col, format!("flag `{fname}` needs a value"))),
                        },
                    };
                    set(fd, w, *col, vcol, value);
                }
                Some(fd) => {
                    let on = inline.as_deref().unwrap_or("true");
                    set(
                        fd,
                        w,
                        *col,
                        if inline.is_some() { vcol } else { *col },
                        on.to_string(),
                    );
                }
                None => {
                    warnings.push(format!("{name}:1:{col}: unknown flag `{fname}` (ignored)"));
                }
            }
            continue;
        }
        // Short flags, possibly combined (`-itd`, `-p80:80`).
        let shorts: Vec<char> = w[1..].chars().collect();
        let mut k = 0;
        while k < shorts.len() {
            let fname = format!("-{}", shorts[k]);
            let fcol = col + u32::try_from(k + 1).unwrap_or(0);
            match flag(&fname) {
                Some(fd) if fd.value => {
                    let rest: String = shorts[k + 1..].iter().collect();
                    let (value, vcol) = if !rest.is_empty() {
                        (rest.trim_start_matches('=').to_string(), fcol + 1)
                    } else {
                        match words.get(i) {
                            Some((v, c)) => {
                                i += 1;
                                (v.clone(), *c)
                            }
                            None => return Err(err(fcol, format!("flag `{fname}` needs a value"))),
                        }
                    };
                    set(fd, &fname, fcol, vcol, value);
                    break;
                }
                Some(fd) => set(fd, &fname, fcol, fcol, "true".into()),
                None => warnings.push(format!("{name}:1:{fcol}: unknown flag `{fname}` (ignored)")),
            }
            k += 1;
        }
    }
    let (image, icol) = image.ok_or_else(|| {
        err(
            u32::try_from(line.chars().count()).unwrap_or(1),
            "no image named".into(),
        )
    })?;
    entries.push((
        "image".into(),
        Pos {
            line: 1,
            column: icol,
        },
        flag_node(&file, icol, "IMAGE", scalar(&image)),
    ));
    let args: Vec<CNode> = words[i..]
        .iter()
        .map(|(w, c)| flag_node(&file, *c, "COMMAND", scalar(w)))
        .collect();
    if let Some(first) = args.first() {
        entries.push((
            "command".into(),
            first.pos,
            CNode {
                value: CValue::Seq(args.clone()),
                ..first.clone()
            },
        ));
    }
    for (key, pos, items) in lists {
        entries.push((
            key.to_string(),
            pos,
            CNode {
                file: file.clone(),
                pos,
                label: None,
                value: CValue::Seq(items),
            },
        ));
    }
    let svc = CNode {
        file: file.clone(),
        pos: Pos { line: 1, column: 1 },
        label: None,
        value: CValue::Map(entries),
    };
    let short = image.rsplit('/').next().unwrap_or(&image).to_string();
    let mut w = workload(
        name,
        &short,
        Pos { line: 1, column: 1 },
        &svc,
        &mut warnings,
    );
    w.kind = "docker run".into();
    w.platform = Platform::DockerRun;
    w.place.path = String::new();
    w.pod.place.path = String::new();
    for c in &mut w.pod.containers {
        c.place.path = String::new();
        if let Some(s) = &mut c.security.seccomp
            && s.value == "RuntimeDefault"
            && s.path.starts_with("services.")
        {
            s.path = "(Docker's default seccomp profile)".into();
        }
    }
    Ok(DockerRun {
        workload: w,
        warnings,
    })
}

/// `--mount type=bind,source=/x,target=/y,readonly` as a long-syntax volume.
fn mount_map(file: &Arc<str>, col: u32, flag: &str, value: &str) -> CValue {
    let mut entries = Vec::new();
    for part in value.split(',') {
        let (k, v) = part.split_once('=').unwrap_or((part, "true"));
        let key = match k {
            "src" | "source" => "source",
            "dst" | "destination" | "target" => "target",
            "readonly" | "ro" => "read_only",
            "type" => "type",
            _ => continue,
        };
        let v = if key == "read_only" && v == "1" {
            "true"
        } else {
            v
        };
        entries.push((
            key.to_string(),
            Pos {
                line: 1,
                column: col,
            },
            flag_node(
                file,
                col,
                flag,
                CValue::Scalar {
                    text: v.to_string(),
                    plain: false,
                },
            ),
        ));
    }
    CValue::Map(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditOptions, audit};

    #[test]
    fn words_with_columns() {
        let w = shell_words("docker run -e 'A=b c' \"x\\\"y\" z\\ w").unwrap();
        let texts: Vec<_> = w.iter().map(|(t, c)| format!("{t}@{c}")).collect();
        assert_eq!(
            texts,
            [
                "docker@1", "run@8", "-e@12", "A=b c@15", "x\"y@23", "z w@30"
            ]
        );
        assert!(shell_words("docker run 'x").is_err());
    }

    fn codes(line: &str) -> Vec<String> {
        let r = read_docker_run("docker-run[1]", line).unwrap();
        audit(&[r.workload], &AuditOptions::default())
            .iter()
            .map(|f| format!("{}@{}", f.code, f.location.column.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn the_issue_example_fires_the_rules() {
        let line = "docker run --privileged -v /var/run/docker.sock:/var/run/docker.sock --net=host -p 22:22 --cap-add SYS_ADMIN --security-opt seccomp=unconfined -u 0 IMAGE cmd";
        let c = codes(line);
        for want in [
            "CFG001@12",
            "CFG002@76",
            "CFG004@100",
            "CFG006@125",
            "CFG008@28",
            "CFG009@87",
            "CFG010@84",
            "CFG013@147",
        ] {
            assert!(c.contains(&want.to_string()), "{want} not in {c:?}");
        }
        let r = read_docker_run("d", line).unwrap();
        let f = audit(&[r.workload], &AuditOptions::default());
        let net = f.iter().find(|f| f.code == "CFG002").unwrap();
        assert_eq!(
            net.location.field.as_deref(),
            Some("docker run/IMAGE --net=host")
        );
    }

    #[test]
    fn forms_of_flags() {
        let r = read_docker_run(
            "d",
            "sudo docker container run -itd --rm --read-only --cap-drop=ALL -p127.0.0.1:8080:80 --security-opt no-new-privileges --user=1000:1000 --memory 64m --cpus=1 --restart on-failure:3 --bogus --mount type=bind,src=/etc,dst=/host/etc,readonly nginx@sha256:abc sh -c 'sleep 1'",
        )
        .unwrap();
        let w = &r.workload;
        let c = &w.pod.containers[0];
        assert_eq!(w.kind, "docker run");
        assert!(c.security.read_only_root_filesystem.as_ref().unwrap().value);
        assert_eq!(c.security.cap_drop[0].value, "ALL");
        assert_eq!(c.ports[0].host_port.as_ref().unwrap().value, 8080);
        assert!(
            !c.security
                .allow_privilege_escalation
                .as_ref()
                .unwrap()
                .value
        );
        assert_eq!(c.security.run_as_user.as_ref().unwrap().value, 1000);
        assert_eq!(
            c.command
                .iter()
                .map(|f| f.value.as_str())
                .collect::<Vec<_>>(),
            ["sh", "-c", "sleep 1"]
        );
        assert_eq!(
            w.retries
                .as_ref()
                .unwrap()
                .backoff_limit
                .as_ref()
                .unwrap()
                .value,
            3
        );
        assert!(c.mounts[0].read_only);
        assert_eq!(w.pod.volumes[0].host_path.as_ref().unwrap().value, "/etc");
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("--bogus"));
        assert!(read_docker_run("d", "docker ps").is_err());
        assert!(read_docker_run("d", "docker run -v").is_err());
        assert!(read_docker_run("d", "docker run --rm").is_err());
    }
}
