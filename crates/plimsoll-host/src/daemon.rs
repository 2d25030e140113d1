//! The daemon's configuration as files tell it: `daemon.json` (or the
//! `--config-file` the command line names) and the `dockerd` command line,
//! from the newest `dockerd` process in `ROOT/proc`, else from `ExecStart`
//! of `docker.service` and its drop-ins (with `EnvironmentFile=` and
//! `Environment=` expanded). Flags are read as dockerd reads them: long
//! (`--icc=false`, `--log-level info`) and short (`-H fd://`, `-Hfd://`)
//! forms, boolean flags never take the next word, and for a single-valued
//! setting the last occurrence wins.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::HostError;
use crate::root::{Root, join};

/// Long flags of dockerd that take a value (others are booleans).
const VALUE_FLAGS: &[&str] = &[
    "add-runtime",
    "allow-nondistributable-artifacts",
    "authorization-plugin",
    "bip",
    "bridge",
    "cdi-spec-dir",
    "cgroup-parent",
    "cluster-advertise",
    "cluster-store",
    "cluster-store-opt",
    "config-file",
    "containerd",
    "containerd-namespace",
    "containerd-plugins-namespace",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "data-root",
    "default-address-pool",
    "default-cgroupns-mode",
    "default-gateway",
    "default-gateway-v6",
    "default-ipc-mode",
    "default-network-opt",
    "default-runtime",
    "default-shm-size",
    "default-ulimit",
    "dns",
    "dns-opt",
    "dns-search",
    "exec-opt",
    "exec-root",
    "feature",
    "fixed-cidr",
    "fixed-cidr-v6",
    "graph",
    "group",
    "host",
    "host-gateway-ip",
    "http-proxy",
    "https-proxy",
    "insecure-registry",
    "ip",
    "label",
    "log-driver",
    "log-format",
    "log-level",
    "log-opt",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "metrics-addr",
    "mtu",
    "network-control-plane-mtu",
    "no-proxy",
    "node-generic-resource",
    "oom-score-adj",
    "pidfile",
    "registry-mirror",
    "seccomp-profile",
    "shutdown-timeout",
    "storage-driver",
    "storage-opt",
    "swarm-default-advertise-addr",
    "tlscacert",
    "tlscert",
    "tlskey",
    "userland-proxy-path",
    "userns-remap",
];

/// dockerd's one-letter flags: (letter, long name, takes a value).
const SHORT_FLAGS: &[(char, &str, bool)] = &[
    ('H', "host", true),
    ('l', "log-level", true),
    ('s', "storage-driver", true),
    ('g', "data-root", true),
    ('G', "group", true),
    ('p', "pidfile", true),
    ('b', "bridge", true),
    ('D', "debug", false),
    ('v', "version", false),
];

/// Where systemd looks for units, most specific first.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// The default daemon configuration file.
/// The default socket, read under the root unless the daemon or
/// `--docker-host` says otherwise.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

pub const DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// One flag of the command line, by its long name without dashes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    pub name: String,
    /// `None` for a boolean flag given without `=value`.
    pub value: Option<String>,
}

/// A value and where it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: String,
}

/// The dockerd command line and where it came from.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CommandLine {
    /// `dockerd process 812 (/proc/812/cmdline)` or `ExecStart of /lib/systemd/system/docker.service`.
    pub source: String,
    pub args: Vec<String>,
    pub flags: Vec<Flag>,
}

/// Everything files say about the daemon's configuration.
#[derive(Debug, Clone, Default)]
pub struct Daemon {
    /// The configuration file read (host path), whether or not it exists.
    pub config_path: String,
    /// Its top-level object, when the file exists.
    pub config: Option<Map<String, Value>>,
    pub command_line: Option<CommandLine>,
    /// Where the daemon's Unix socket is (see [`Daemon::socket`]).
    pub socket: Setting<String>,
    /// What could not be read or expanded (shown with the report).
    pub notes: Vec<String>,
}

impl Daemon {
    /// Reads the command line and the configuration file under `root`.
    pub fn load(root: &Root) -> Result<Daemon, HostError> {
        let mut notes = Vec::new();
        let command_line = match process_command_line(root)? {
            Some(c) => Some(c),
            None => service_command_line(root, &mut notes)?,
        };
        let config_path = command_line
            .as_ref()
            .and_then(|c| last_flag(&c.flags, "config-file"))
            .map(|v| v.to_string())
            .unwrap_or_else(|| DAEMON_JSON.to_string());
        let config = match root.read(&config_path)? {
            Some(text) => Some(parse_config(&config_path, &text)?),
            None => {
                notes.push(format!("{config_path}: not present (defaults apply)"));
                None
            }
        };
        let mut daemon = Daemon {
            config_path,
            config,
            command_line,
            socket: Setting {
                value: DEFAULT_SOCKET.into(),
                source: "dockerd's default".into(),
            },
            notes,
        };
        daemon.socket = daemon.socket(root)?;
        Ok(daemon)
    }

    /// Where the daemon's Unix socket is: the first `unix://` address of
    /// its hosts (`-H`, `hosts`), else the `ListenStream` of `docker.socket`
    /// (socket activation, `-H fd://`), else `/var/run/docker.sock`.
    fn socket(&self, root: &Root) -> Result<Setting<String>, HostError> {
        if let Some(s) = self.list("hosts", "host").into_iter().find_map(|h| {
            h.value
                .strip_prefix("unix://")
                .filter(|p| p.starts_with('/'))
                .map(|p| Setting {
                    value: p.to_string(),
                    source: h.source.clone(),
                })
        }) {
            return Ok(s);
        }
        if let Some(unit) = unit_path(root, "docker.socket")? {
            let mut files = vec![unit];
            files.extend(drop_ins(root, "docker.socket")?);
            let mut found = None;
            for f in &files {
                let Some(text) = root.read(f)? else { continue };
                for (k, v) in section_lines(&text, "Socket") {
                    match k.as_str() {
                        "ListenStream" if v.is_empty() => found = None,
                        "ListenStream" if v.starts_with('/') => found = Some((v, f.clone())),
                        _ => {}
                    }
                }
            }
            if let Some((value, file)) = found {
                return Ok(Setting {
                    value,
                    source: format!("ListenStream of {file}"),
                });
            }
        }
        Ok(Setting {
            value: DEFAULT_SOCKET.into(),
            source: "dockerd's default".into(),
        })
    }

    fn flags(&self) -> &[Flag] {
        self.command_line
            .as_ref()
            .map(|c| c.flags.as_slice())
            .unwrap_or(&[])
    }

    fn flag_source(&self) -> String {
        self.command_line
            .as_ref()
            .map(|c| c.source.clone())
            .unwrap_or_default()
    }

    fn key_source(&self, key: &str) -> String {
        format!("\"{key}\" in {}", self.config_path)
    }

    /// A single-valued string setting: the command line's last occurrence,
    /// else the configuration file's key.
    pub fn string(&self, key: &str) -> Option<Setting<String>> {
        if let Some(v) = last_flag(self.flags(), key) {
            return Some(Setting {
                value: v.to_string(),
                source: format!("--{key} on {}", self.flag_source()),
            });
        }
        let v = self.config.as_ref()?.get(key)?;
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Null => return None,
            other => other.to_string(),
        };
        Some(Setting {
            value,
            source: self.key_source(key),
        })
    }

    /// A boolean setting (`--icc=false`, `"icc": false`).
    pub fn boolean(&self, key: &str) -> Option<Setting<bool>> {
        if let Some(f) = self.flags().iter().rev().find(|f| f.name == key) {
            let value = match f.value.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("true" | "1" | "t") => true,
                Some(_) => false,
            };
            return Some(Setting {
                value,
                source: format!("--{key} on {}", self.flag_source()),
            });
        }
        let value = match self.config.as_ref()?.get(key)? {
            Value::Bool(b) => *b,
            Value::String(s) => matches!(s.as_str(), "true" | "1"),
            _ => return None,
        };
        Some(Setting {
            value,
            source: self.key_source(key),
        })
    }

    /// A list setting: every `--flag` value, then the file's array (or the
    /// keys of its object, for `default-ulimits`; `k=v` for `log-opts`).
    pub fn list(&self, json_key: &str, flag: &str) -> Vec<Setting<String>> {
        let mut out: Vec<Setting<String>> = self
            .flags()
            .iter()
            .filter(|f| f.name == flag)
            .filter_map(|f| f.value.clone())
            .map(|value| Setting {
                value,
                source: format!("--{flag} on {}", self.flag_source()),
            })
            .collect();
        let source = self.key_source(json_key);
        match self.config.as_ref().and_then(|c| c.get(json_key)) {
            Some(Value::Array(a)) => out.extend(a.iter().map(|v| {
                Setting {
                    value: v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                    source: source.clone(),
                }
            })),
            Some(Value::Object(o)) => out.extend(o.iter().map(|(k, v)| Setting {
                value: match v {
                    Value::String(s) => format!("{k}={s}"),
                    Value::Object(_) => k.clone(),
                    other => format!("{k}={other}"),
                },
                source: source.clone(),
            })),
            Some(Value::String(s)) => out.push(Setting {
                value: s.clone(),
                source,
            }),
            _ => {}
        }
        out
    }
}

fn last_flag<'a>(flags: &'a [Flag], name: &str) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|f| f.name == name)
        .and_then(|f| f.value.as_deref())
}

/// `daemon.json`'s top-level object; a syntax error names line and column.
pub fn parse_config(path: &str, text: &str) -> Result<Map<String, Value>, HostError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(HostError::DaemonJson {
            path: path.to_string(),
            line: 1,
            column: 1,
            message: "not a JSON object".to_string(),
        }),
        Err(e) => Err(HostError::DaemonJson {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }),
    }
}

/// dockerd's arguments (without the program name) as flags.
pub fn parse_flags(args: &[String]) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None if VALUE_FLAGS.contains(&long) && i < args.len() => {
                    i += 1;
                    (long, Some(args[i - 1].clone()))
                }
                None => (long, None),
            };
            let name = if name == "graph" { "data-root" } else { name };
            out.push(Flag {
                name: name.to_string(),
                value,
            });
        } else if let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next().unwrap_or('-');
            let rest = chars.as_str();
            match SHORT_FLAGS.iter().find(|(c, _, _)| *c == letter) {
                Some((_, long, true)) => {
                    let value = if !rest.is_empty() {
                        Some(rest.trim_start_matches('=').to_string())
                    } else if i < args.len() {
                        i += 1;
                        Some(args[i - 1].clone())
                    } else {
                        None
                    };
                    out.push(Flag {
                        name: long.to_string(),
                        value,
                    });
                }
                Some((_, long, false)) => out.push(Flag {
                    name: long.to_string(),
                    value: rest.strip_prefix('=').map(str::to_string),
                }),
                None => out.push(Flag {
                    name: short.to_string(),
                    value: None,
                }),
            }
        }
    }
    out
}

fn is_dockerd(argv0: &str) -> bool {
    argv0.rsplit('/').next() == Some("dockerd")
}

/// The newest `dockerd` in `ROOT/proc` (by start time, then pid).
fn process_command_line(root: &Root) -> Result<Option<CommandLine>, HostError> {
    let mut best: Option<((u64, u64), CommandLine)> = None;
    for pid in root.list("/proc")? {
        let Ok(n) = pid.parse::<u64>() else { continue };
        // A process may end while it is read: skip what cannot be read.
        let Ok(Some(raw)) = root.read(&format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !args.first().is_some_and(|a| is_dockerd(a)) {
            continue;
        }
        let started = root
            .read(&format!("/proc/{pid}/stat"))
            .ok()
            .flatten()
            .and_then(|s| {
                let after = s.rsplit_once(')')?.1.to_string();
                after.split_whitespace().nth(19)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        let key = (started, n);
        if best.as_ref().is_none_or(|(k, _)| key > *k) {
            let flags = parse_flags(&args[1..]);
            best = Some((
                key,
                CommandLine {
                    source: format!("dockerd process {pid} (/proc/{pid}/cmdline)"),
                    args,
                    flags,
                },
            ));
        }
    }
    Ok(best.map(|(_, c)| c))
}

/// The host path of a systemd unit: the first of [`UNIT_DIRS`] that has it.
pub fn unit_path(root: &Root, name: &str) -> Result<Option<String>, HostError> {
    for dir in UNIT_DIRS {
        let p = join(dir, name);
        if root.metadata(&p)?.is_some_and(|(_, m)| m.is_file()) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The unit's drop-ins (`NAME.d/*.conf`), a name in a more specific
/// directory hiding the same name in a later one, in name order.
fn drop_ins(root: &Root, name: &str) -> Result<Vec<String>, HostError> {
    let mut by_name = BTreeMap::new();
    for dir in UNIT_DIRS {
        let d = join(dir, &format!("{name}.d"));
        for f in root.list(&d)? {
            if f.ends_with(".conf") {
                by_name.entry(f.clone()).or_insert_with(|| join(&d, &f));
            }
        }
    }
    Ok(by_name.into_values().collect())
}

/// `[Service]` lines of a unit file, continuation lines joined.
fn service_lines(text: &str) -> Vec<(String, String)> {
    section_lines(text, "Service")
}

/// `KEY=VALUE` lines of one section of a unit file, continuation lines joined.
fn section_lines(text: &str, wanted: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for line in text.lines() {
        let line = line.trim();
        if pending.is_empty() && (line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        let full = std::mem::take(&mut pending) + line;
        if full.starts_with('[') {
            section = full.trim_matches(['[', ']']).to_string();
            continue;
        }
        if section != wanted {
            continue;
        }
        if let Some((k, v)) = full.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// `KEY=VALUE` lines of an environment file (quotes removed, `export` allowed).
pub fn env_assignments(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let l = l.strip_prefix("export ").unwrap_or(l).trim();
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

/// Splits a systemd command line into words (quotes, backslashes), each
/// with whether it was written as a bare `$NAME`.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn expand(
    words_in: Vec<String>,
    env: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    let mut out = Vec::new();
    for w in words_in {
        if let Some(name) = w.strip_prefix('$').filter(|n| is_name(n)) {
            match env.get(name) {
                Some(v) => out.extend(v.split_whitespace().map(str::to_string)),
                None => notes.push(format!(
                    "${name} in ExecStart is not defined (expanded to nothing)"
                )),
            }
            continue;
        }
        // `${NAME}` inside a word: substituted once, left to right (a value
        // that itself holds `${…}` is not expanded again).
        let mut s = String::new();
        let mut rest = w.as_str();
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            s.push_str(&rest[..start]);
            let name = &rest[start + 2..start + len];
            s.push_str(env.get(name).map(String::as_str).unwrap_or_default());
            rest = &rest[start + len + 1..];
        }
        s.push_str(rest);
        out.push(s);
    }
    out
}

/// `ExecStart` of `docker.service` after its drop-ins.
fn service_command_line(
    root: &Root,
    notes: &mut Vec<String>,
) -> Result<Option<CommandLine>, HostError> {
    let Some(unit) = unit_path(root, "docker.service")? else {
        return Ok(None);
    };
    let mut files = vec![unit];
    files.extend(drop_ins(root, "docker.service")?);
    let mut exec: Option<(String, String)> = None;
    let mut env = BTreeMap::new();
    for f in &files {
        let Some(text) = root.read(f)? else { continue };
        for (k, v) in service_lines(&text) {
            match k.as_str() {
                "ExecStart" if v.is_empty() => exec = None,
                "ExecStart" => exec = Some((v, f.clone())),
                "Environment" => {
                    for w in words(&v) {
                        if let Some((a, b)) = w.split_once('=') {
                            env.insert(a.to_string(), b.to_string());
                        }
                    }
                }
                "EnvironmentFile" => {
                    let optional = v.starts_with('-');
                    let path = v.trim_start_matches('-');
                    match root.read(path) {
                        Ok(Some(t)) => env.extend(env_assignments(&t)),
                        Ok(None) if optional => {}
                        Ok(None) => {
                            notes.push(format!("EnvironmentFile {path} (in {f}) not found"))
                        }
                        Err(e) => notes.push(format!("EnvironmentFile {path}: {e}")),
                    }
                }
                _ => {}
            }
        }
    }
    let Some((line, file)) = exec else {
        return Ok(None);
    };
    let mut w = words(&line);
    if let Some(first) = w.first_mut() {
        *first = first
            .trim_start_matches(['-', '@', ':', '+', '!'])
            .to_string();
    }
    let args = expand(w, &env, notes);
    let flags = parse_flags(args.get(1..).unwrap_or(&[]));
    Ok(Some(CommandLine {
        source: format!("ExecStart of {file}"),
        args,
        flags,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(line: &str) -> Vec<Flag> {
        parse_flags(&words(line))
    }

    #[test]
    fn long_short_and_boolean_flags() {
        let f = flags(
            "-H fd:// -Hunix:///x --icc=false --live-restore --log-level debug -l info -D extra",
        );
        let got: Vec<(String, Option<String>)> = f.into_iter().map(|f| (f.name, f.value)).collect();
        let s = |a: &str, b: Option<&str>| (a.to_string(), b.map(str::to_string));
        assert_eq!(
            got,
            vec![
                s("host", Some("fd://")),
                s("host", Some("unix:///x")),
                s("icc", Some("false")),
                s("live-restore", None),
                s("log-level", Some("debug")),
                s("log-level", Some("info")),
                s("debug", None),
            ]
        );
    }

    #[test]
    fn last_occurrence_wins_and_flags_beat_the_file() {
        let d = Daemon {
            config_path: DAEMON_JSON.into(),
            config: Some(parse_config("d", r#"{"log-level": "warn", "icc": true}"#).unwrap()),
            command_line: Some(CommandLine {
                source: "test".into(),
                args: vec![],
                flags: flags("--icc --icc=false -l debug --log-level=info"),
            }),
            socket: Setting::default(),
            notes: vec![],
        };
        assert_eq!(d.string("log-level").unwrap().value, "info");
        assert!(!d.boolean("icc").unwrap().value);
        assert_eq!(d.boolean("live-restore"), None);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let e = parse_config("/etc/docker/daemon.json", "{\n  \"icc\": false,\n}\n").unwrap_err();
        let HostError::DaemonJson { line, column, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!((*line, *column), (3, 1));
        assert!(
            e.to_string().starts_with("/etc/docker/daemon.json:3:1:"),
            "{e}"
        );
    }

    #[test]
    fn systemd_words_and_expansion() {
        let mut notes = vec![];
        let env = BTreeMap::from([(
            "DOCKER_OPTS".to_string(),
            "--icc=false  -l warn".to_string(),
        )]);
        let w = expand(
            words(
                r#"/usr/sbin/dockerd -H fd:// "--label=a b" $DOCKER_OPTS $MISSING --x=${DOCKER_OPTS}"#,
            ),
            &env,
            &mut notes,
        );
        assert_eq!(
            w,
            [
                "/usr/sbin/dockerd",
                "-H",
                "fd://",
                "--label=a b",
                "--icc=false",
                "-l",
                "warn",
                "--x=--icc=false  -l warn"
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        // A value naming itself is not expanded again (no endless loop).
        let env = BTreeMap::from([("A".to_string(), "x${A}y".to_string())]);
        assert_eq!(
            expand(words("--o=${A}${B}"), &env, &mut notes),
            ["--o=x${A}y"]
        );
    }
}
