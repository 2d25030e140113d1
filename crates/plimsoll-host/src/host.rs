//! What the checks are given: the audited root, the daemon's configuration
//! from files, the live daemon when one answers, and the user's options.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::HostError;
use crate::daemon::{Daemon, Setting};
use crate::live::{self, Endpoint, Live, TlsFiles};
use crate::root::Root;

pub use crate::daemon::DEFAULT_SOCKET;

/// What the user configures.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// The live daemon: `unix:///path` on this machine or `tcp://HOST:PORT`.
    /// `None`: the first `unix://` socket of the daemon's `hosts` (else
    /// `/var/run/docker.sock`) under the root. `Some("none")`: do not ask.
    pub docker_host: Option<String>,
    /// TLS for a `tcp://` daemon (`--tlsverify`): the CA and client files.
    pub docker_tls: Option<TlsFiles>,
    /// The audit rules the kernel has loaded, as `auditctl -l` prints them,
    /// captured on the audited host (for a `--root` that is not this
    /// machine). `None`: on `--root /`, `auditctl -l` is run; elsewhere only
    /// the rule files are read.
    pub loaded_audit_rules: Option<PathBuf>,
    /// Users allowed in the `docker` group (`[host] docker_group_allowed`).
    /// `None`: members are listed for review, not judged.
    pub docker_group_allowed: Option<Vec<String>>,
    /// Whether plimsoll's admission webhook, as configured in the
    /// `plimsoll.toml` read (`[admission] require_signature`), admits only
    /// signed images (P-D4, the cluster's side of content trust); `None`:
    /// no configuration was read.
    pub admission_requires_signature: Option<bool>,
}

/// Whether the live daemon answered.
#[derive(Debug, Clone)]
pub enum LiveState {
    Reachable(Live),
    Unreachable { url: String, why: String },
    NotAsked,
}

/// The audit rules loaded in the kernel (`auditctl -l`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadedRules {
    /// The rules, and where they were read (`auditctl -l`, a file).
    Read { source: String, text: String },
    /// They could not be read (auditctl missing, not root, no audit support).
    Unavailable { why: String },
    /// Not asked: the root is not this machine and no capture was given.
    NotAsked,
}

/// The audited host.
#[derive(Debug)]
pub struct Host {
    pub root: Root,
    pub daemon: Daemon,
    pub live: LiveState,
    pub loaded_rules: LoadedRules,
    pub options: HostOptions,
}

fn reach(url: String, endpoint: &Endpoint) -> LiveState {
    match live::query(&url, endpoint) {
        Ok(l) => LiveState::Reachable(l),
        Err(e) => LiveState::Unreachable {
            url,
            why: e.to_string(),
        },
    }
}

/// `auditctl -l` on this machine.
fn auditctl() -> LoadedRules {
    match Command::new("auditctl").arg("-l").output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => LoadedRules::Unavailable {
            why: "auditctl is not installed (the audit rules files decide)".into(),
        },
        Err(e) => LoadedRules::Unavailable {
            why: format!("auditctl -l could not run: {e}"),
        },
        Ok(o) if !o.status.success() => LoadedRules::Unavailable {
            why: format!(
                "auditctl -l failed ({}): {}",
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            ),
        },
        Ok(o) => LoadedRules::Read {
            source: "auditctl -l".into(),
            text: String::from_utf8_lossy(&o.stdout).into_owned(),
        },
    }
}

impl Host {
    /// Reads the host under `root`: errors only for a root that is not a
    /// directory, an unreadable or malformed daemon configuration, or a
    /// symbolic-link loop on the way to it. An unreachable daemon is a state.
    pub fn open(root: &Path, options: HostOptions) -> Result<Host, HostError> {
        let root = Root::new(root)?;
        let daemon = Daemon::load(&root)?;
        let tls = match &options.docker_tls {
            Some(files) => Some(files.client_config()?),
            None => None,
        };
        let loaded_rules = match &options.loaded_audit_rules {
            Some(file) => match std::fs::read_to_string(file) {
                Ok(text) => LoadedRules::Read {
                    source: file.display().to_string(),
                    text,
                },
                Err(source) => {
                    return Err(HostError::Io {
                        path: file.display().to_string(),
                        source,
                    });
                }
            },
            None if root.dir() == Path::new("/") => auditctl(),
            None => LoadedRules::NotAsked,
        };
        let live = match options.docker_host.as_deref() {
            Some("none") => LiveState::NotAsked,
            Some(url) if url.starts_with("tcp://") => {
                reach(url.to_string(), &Endpoint::tcp(url, tls)?)
            }
            Some(url) if url.starts_with("unix://") || url.starts_with('/') => {
                let path = url.strip_prefix("unix://").unwrap_or(url);
                reach(url.to_string(), &Endpoint::Unix(PathBuf::from(path)))
            }
            Some(url) => {
                return Err(HostError::Daemon {
                    url: url.to_string(),
                    message: "not a daemon address: use unix:///PATH, tcp://HOST:PORT or none"
                        .into(),
                });
            }
            None => {
                // The daemon's own socket (its unix:// host, docker.socket), else the default.
                let socket = daemon.socket.value.clone();
                let url = format!("unix://{socket}");
                match root.resolve(&socket) {
                    Ok(Some(r)) => reach(url, &Endpoint::Unix(r.real)),
                    Ok(None) => LiveState::Unreachable {
                        url,
                        why: format!("no socket {socket} under the root"),
                    },
                    Err(e) => LiveState::Unreachable {
                        url,
                        why: e.to_string(),
                    },
                }
            }
        };
        Ok(Host {
            root,
            daemon,
            live,
            loaded_rules,
            options,
        })
    }

    pub fn live(&self) -> Option<&Live> {
        match &self.live {
            LiveState::Reachable(l) => Some(l),
            _ => None,
        }
    }

    /// Why there are no live values, for messages.
    pub fn no_live(&self) -> String {
        match &self.live {
            LiveState::Reachable(l) => format!("daemon at {} answered", l.url),
            LiveState::Unreachable { url, why } => {
                format!("no daemon reachable at {url} ({why})")
            }
            LiveState::NotAsked => "the live daemon was not asked (--docker-host none)".into(),
        }
    }

    /// A string setting: the live daemon's `/info` field when it answers
    /// and has it, else the files' setting.
    pub fn string(&self, key: &str, info_field: Option<&str>) -> Option<Setting<String>> {
        if let (Some(l), Some(f)) = (self.live(), info_field)
            && let Some(v) = l.info_str(f).filter(|v| !v.is_empty())
        {
            return Some(Setting {
                value: v.to_string(),
                source: format!("{f} of GET /info at {}", l.url),
            });
        }
        self.daemon.string(key)
    }

    /// A boolean setting, the live value first (see [`Host::string`]).
    pub fn boolean(&self, key: &str, info_field: Option<&str>) -> Option<Setting<bool>> {
        if let (Some(l), Some(f)) = (self.live(), info_field)
            && let Some(v) = l.info_bool(f)
        {
            return Some(Setting {
                value: v,
                source: format!("{f} of GET /info at {}", l.url),
            });
        }
        self.daemon.boolean(key)
    }

    /// Where images and containers are kept.
    pub fn data_root(&self) -> Setting<String> {
        self.string("data-root", Some("DockerRootDir"))
            .unwrap_or_else(|| Setting {
                value: "/var/lib/docker".into(),
                source: "dockerd's default".into(),
            })
    }

    /// `name:x:id:members` files (`/etc/passwd`, `/etc/group`) under the root.
    fn entries(&self, file: &str) -> Vec<Vec<String>> {
        self.root
            .read(file)
            .ok()
            .flatten()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f.len() >= 3)
            .collect()
    }

    /// The user name of `uid` in the audited host's `/etc/passwd`
    /// (`root` for 0 when the file does not say).
    pub fn user_name(&self, uid: u32) -> Option<String> {
        name_of(&self.entries("/etc/passwd"), uid)
    }

    /// The group name of `gid` in the audited host's `/etc/group`.
    pub fn group_name(&self, gid: u32) -> Option<String> {
        name_of(&self.entries("/etc/group"), gid)
    }

    /// A group's members (the fourth field of `/etc/group`), with the
    /// users whose primary group it is; `None` when there is no such group.
    /// On `--root /` the name service is asked too (`getent group`: LDAP,
    /// SSSD, NIS groups that `/etc/group` does not hold).
    pub fn group_members(&self, name: &str) -> Option<Vec<String>> {
        let mut groups = self.entries("/etc/group");
        if self.root.dir() == Path::new("/")
            && let Some(entry) = getent("group", name)
        {
            groups.push(entry);
        }
        let matching: Vec<&Vec<String>> = groups.iter().filter(|g| g[0] == name).collect();
        let gid = &matching.first()?[2];
        let mut members: Vec<String> = Vec::new();
        for g in &matching {
            for m in g.get(3).map(|m| m.split(',')).into_iter().flatten() {
                let m = m.trim();
                if !m.is_empty() && !members.iter().any(|x| x == m) {
                    members.push(m.to_string());
                }
            }
        }
        for u in self.entries("/etc/passwd") {
            if u.len() >= 4 && &u[3] == gid && !members.contains(&u[0]) {
                members.push(u[0].clone());
            }
        }
        Some(members)
    }
}

/// One entry of a name-service database (`getent DATABASE KEY`), split on
/// `:`; `None` when there is none or `getent` cannot run.
pub fn getent(database: &str, key: &str) -> Option<Vec<String>> {
    let out = Command::new("getent").args([database, key]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next()?;
    let fields: Vec<String> = line.split(':').map(str::to_string).collect();
    (fields.len() >= 3).then_some(fields)
}

fn name_of(entries: &[Vec<String>], id: u32) -> Option<String> {
    entries
        .iter()
        .find(|e| e[2].parse::<u32>().ok() == Some(id))
        .map(|e| e[0].clone())
        .or_else(|| (id == 0).then(|| "root".to_string()))
}
