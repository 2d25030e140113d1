//! What the checks are given: the audited root, the daemon's configuration
//! from files, the live daemon when one answers, and the user's options.

use std::path::Path;

use crate::HostError;
use crate::daemon::{Daemon, Setting};
use crate::live::{self, Live};
use crate::root::Root;

/// The default socket, read under the root unless `--docker-host` says otherwise.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// What the user configures.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// The live daemon: `unix:///path` on this machine. `None`: the first
    /// `unix://` socket of the daemon's `hosts` (else `/var/run/docker.sock`)
    /// under the root. `Some("none")`: do not ask.
    pub docker_host: Option<String>,
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

/// The audited host.
#[derive(Debug)]
pub struct Host {
    pub root: Root,
    pub daemon: Daemon,
    pub live: LiveState,
    pub options: HostOptions,
}

impl Host {
    /// Reads the host under `root`: errors only for a root that is not a
    /// directory, an unreadable or malformed daemon configuration, or a
    /// symbolic-link loop on the way to it. An unreachable daemon is a state.
    pub fn open(root: &Path, options: HostOptions) -> Result<Host, HostError> {
        let root = Root::new(root)?;
        let daemon = Daemon::load(&root)?;
        let live = match options.docker_host.as_deref() {
            Some("none") => LiveState::NotAsked,
            Some(url) => {
                let path = url.strip_prefix("unix://").unwrap_or(url);
                match live::query(url, Path::new(path)) {
                    Ok(l) => LiveState::Reachable(l),
                    Err(e) => LiveState::Unreachable {
                        url: url.to_string(),
                        why: e.to_string(),
                    },
                }
            }
            None => {
                // The daemon's own unix:// socket if it names one, else the default.
                let socket = daemon
                    .list("hosts", "host")
                    .into_iter()
                    .find_map(|h| h.value.strip_prefix("unix://").map(str::to_string))
                    .filter(|p| p.starts_with('/'))
                    .unwrap_or_else(|| DEFAULT_SOCKET.to_string());
                let url = format!("unix://{socket}");
                match root.resolve(&socket) {
                    Ok(Some(r)) => match live::query(&url, &r.real) {
                        Ok(l) => LiveState::Reachable(l),
                        Err(e) => LiveState::Unreachable {
                            url,
                            why: e.to_string(),
                        },
                    },
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
    pub fn group_members(&self, name: &str) -> Option<Vec<String>> {
        let groups = self.entries("/etc/group");
        let g = groups.iter().find(|g| g[0] == name)?;
        let mut members: Vec<String> = g
            .get(3)
            .map(|m| {
                m.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        for u in self.entries("/etc/passwd") {
            if u.len() >= 4 && u[3] == g[2] && !members.contains(&u[0]) {
                members.push(u[0].clone());
            }
        }
        Some(members)
    }
}

fn name_of(entries: &[Vec<String>], id: u32) -> Option<String> {
    entries
        .iter()
        .find(|e| e[2].parse::<u32>().ok() == Some(id))
        .map(|e| e[0].clone())
        .or_else(|| (id == 0).then(|| "root".to_string()))
}
