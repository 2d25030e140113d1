//! The files and directories of CIS section 3, shared by the ownership
//! rule (HOST021) and the permissions rule (HOST022): which path, who must
//! own it, and the permission bits it may have.

use std::fs::Metadata;

use crate::daemon::unit_path;
use crate::host::Host;
use crate::root::join;
use crate::rule::{Check, Outcome};

/// Where a file of the table is.
pub enum Target {
    /// A fixed host path.
    Fixed(&'static str),
    /// A systemd unit, wherever systemd finds it.
    Unit(&'static str),
    /// The path a daemon setting names (`tlscacert`).
    Setting(&'static str),
    /// The daemon configuration file read (`daemon.json` or `--config-file`).
    ConfigFile,
    /// Every file below `/etc/docker/certs.d`.
    CertsDir,
    /// The daemon's Unix socket, wherever its `-H`/`hosts` or `docker.socket` put it.
    DockerSocket,
}

pub struct FileSpec {
    pub what: &'static str,
    pub target: Target,
    /// (user, group) that must own it.
    pub owner: (&'static str, &'static str),
    /// The permission bits allowed: any bit outside fails.
    pub mask: u32,
    pub owner_check: Check,
    pub mode_check: Check,
}

macro_rules! spec {
    ($what:literal, $target:expr, $user:literal : $group:literal, $mask:literal = $mtext:literal, $oid:literal, $mid:literal, $chown:literal, $chmod:literal) => {
        FileSpec {
            what: $what,
            target: $target,
            owner: ($user, $group),
            mask: $mask,
            owner_check: Check {
                id: $oid,
                desc: concat!($what, " is owned by ", $user, ":", $group),
                remediation: $chown,
            },
            mode_check: Check {
                id: $mid,
                desc: concat!($what, " has no permission bit beyond ", $mtext),
                remediation: $chmod,
            },
        }
    };
}

pub static FILES: &[FileSpec] = &[
    spec!("docker.service", Target::Unit("docker.service"), "root":"root", 0o644 = "0644", "3.1", "3.2",
        "chown root:root on the unit file (systemctl show -p FragmentPath docker.service).",
        "chmod 644 (or tighter) on the unit file (systemctl show -p FragmentPath docker.service)."),
    spec!("docker.socket", Target::Unit("docker.socket"), "root":"root", 0o644 = "0644", "3.3", "3.4",
        "chown root:root on the unit file (systemctl show -p FragmentPath docker.socket).",
        "chmod 644 (or tighter) on the unit file (systemctl show -p FragmentPath docker.socket)."),
    spec!("/etc/docker", Target::Fixed("/etc/docker"), "root":"root", 0o755 = "0755", "3.5", "3.6",
        "chown root:root /etc/docker", "chmod 755 /etc/docker (or tighter)"),
    spec!("registry certificates in /etc/docker/certs.d", Target::CertsDir, "root":"root", 0o444 = "0444", "3.7", "3.8",
        "chown root:root /etc/docker/certs.d/<registry>/*", "chmod 444 /etc/docker/certs.d/<registry>/*"),
    spec!("the TLS CA certificate (tlscacert)", Target::Setting("tlscacert"), "root":"root", 0o444 = "0444", "3.9", "3.10",
        "chown root:root on the tlscacert file", "chmod 444 on the tlscacert file"),
    spec!("the server certificate (tlscert)", Target::Setting("tlscert"), "root":"root", 0o444 = "0444", "3.11", "3.12",
        "chown root:root on the tlscert file", "chmod 444 on the tlscert file"),
    spec!("the server key (tlskey)", Target::Setting("tlskey"), "root":"root", 0o400 = "0400", "3.13", "3.14",
        "chown root:root on the tlskey file", "chmod 400 on the tlskey file"),
    spec!("the Docker socket (docker.sock)", Target::DockerSocket, "root":"docker", 0o660 = "0660", "3.15", "3.16",
        "chown root:docker /var/run/docker.sock (SocketUser=root, SocketGroup=docker in docker.socket)",
        "chmod 660 /var/run/docker.sock (SocketMode=0660 in docker.socket)"),
    spec!("daemon.json", Target::ConfigFile, "root":"root", 0o644 = "0644", "3.17", "3.18",
        "chown root:root /etc/docker/daemon.json", "chmod 644 /etc/docker/daemon.json (or tighter)"),
    spec!("/etc/default/docker", Target::Fixed("/etc/default/docker"), "root":"root", 0o644 = "0644", "3.19", "3.22",
        "chown root:root /etc/default/docker", "chmod 644 /etc/default/docker (or tighter)"),
    spec!("/etc/sysconfig/docker", Target::Fixed("/etc/sysconfig/docker"), "root":"root", 0o644 = "0644", "3.21", "3.20",
        "chown root:root /etc/sysconfig/docker", "chmod 644 /etc/sysconfig/docker (or tighter)"),
    spec!("/run/containerd/containerd.sock", Target::Fixed("/run/containerd/containerd.sock"), "root":"root", 0o660 = "0660", "3.23", "3.24",
        "chown root:root /run/containerd/containerd.sock", "chmod 660 /run/containerd/containerd.sock"),
];

/// One check of `spec` on this host: INFO when no file can be judged, else
/// WARN listing what `problem` says of each file (then `expected`), or
/// PASS with what `ok` says of them all (the first file is the outcome's path).
pub fn judge(
    host: &Host,
    spec: &FileSpec,
    check: &'static Check,
    expected: &str,
    problem: impl Fn(&str, &Metadata) -> Option<String>,
    ok: impl Fn(&[(String, Metadata)]) -> String,
) -> Outcome {
    let found = match files(host, spec) {
        Ok(f) => f,
        Err(why) => return Outcome::info(check, format!("{}: {why}", spec.what)),
    };
    let bad: Vec<String> = found.iter().filter_map(|(p, m)| problem(p, m)).collect();
    let path = found[0].0.clone();
    if bad.is_empty() {
        Outcome::pass(check, ok(&found)).at(path)
    } else {
        Outcome::warn(check, format!("{}{expected}", bad.join(", ")))
            .at(path)
            .with_items(bad)
    }
}

/// The files a spec names on this host, or why none can be judged.
pub fn files(host: &Host, spec: &FileSpec) -> Result<Vec<(String, Metadata)>, String> {
    let root = &host.root;
    let one = |p: &str| -> Result<Vec<(String, Metadata)>, String> {
        match root.metadata(p) {
            Ok(Some((_, m))) => Ok(vec![(p.to_string(), m)]),
            Ok(None) => Err(format!("{p} is not present")),
            Err(e) => Err(format!("cannot read {p}: {e}")),
        }
    };
    match &spec.target {
        Target::Fixed(p) => one(p),
        Target::ConfigFile => one(&host.daemon.config_path),
        Target::DockerSocket => {
            let s = &host.daemon.socket;
            one(&s.value).map_err(|e| format!("{e} (the socket from {})", s.source))
        }
        Target::Unit(n) => match unit_path(root, n) {
            Ok(Some(p)) => one(&p),
            Ok(None) => Err(format!(
                "no {n} unit under /etc/systemd/system, /run/systemd/system, /lib/systemd/system or /usr/lib/systemd/system"
            )),
            Err(e) => Err(format!("cannot look for {n}: {e}")),
        },
        Target::Setting(k) => match host.daemon.string(k).filter(|s| !s.value.is_empty()) {
            Some(s) => one(&s.value),
            None => Err(format!("no {k} is configured")),
        },
        Target::CertsDir => {
            let dir = "/etc/docker/certs.d";
            match root.metadata(dir) {
                Ok(Some((_, m))) if m.is_dir() => {}
                Ok(_) => return Err(format!("{dir} is not present")),
                Err(e) => return Err(format!("cannot read {dir}: {e}")),
            }
            let mut out = Vec::new();
            walk(host, dir, 0, &mut out)?;
            if out.is_empty() {
                return Err(format!("no files under {dir}"));
            }
            Ok(out)
        }
    }
}

fn walk(
    host: &Host,
    dir: &str,
    depth: usize,
    out: &mut Vec<(String, Metadata)>,
) -> Result<(), String> {
    if depth > 4 {
        return Ok(());
    }
    let names = host.root.list(dir).map_err(|e| e.to_string())?;
    for n in names {
        let p = join(dir, &n);
        match host.root.metadata(&p) {
            Ok(Some((_, m))) if m.is_dir() => walk(host, &p, depth + 1, out)?,
            Ok(Some((_, m))) => out.push((p, m)),
            Ok(None) => {}
            Err(e) => return Err(format!("cannot read {p}: {e}")),
        }
    }
    Ok(())
}
