//! The Compose front: a Compose file (the Compose specification) into one
//! [`Workload`] per service (kind `service`), over the same model and rules
//! as Kubernetes manifests.
//!
//! Loading ([`read_compose`]) interpolates variables ([`interpolate`]: the
//! process environment over the `.env` file beside the Compose file),
//! merges the override file beside a default-named file
//! (`compose.override.yaml` beside `compose.yaml`, …), resolves `extends`
//! (same file or `file:`) and the top-level `include` list, and keeps on
//! every value the file it came from. Include and extends cycles are errors.
//! The mapping of one service onto the model is [`service`].
//!
//! Where Kubernetes and Docker differ, the model holds what Docker does:
//!
//! - no `seccomp` in `security_opt`: Docker applies its default seccomp
//!   profile, recorded as `RuntimeDefault` at the service (privileged
//!   services get none, and are reported as privileged);
//! - capabilities: Docker's default set is kept unless `cap_drop: [ALL]`,
//!   as in Kubernetes, so rule CFG003 reads the same;
//! - `security_opt: [label:disable]` runs the container as SELinux type
//!   `spc_t` (unconfined), `systempaths=unconfined` as an unmasked
//!   `/proc` (`procMount: Unmasked`);
//! - `user`: `root`, `0` or `0:<gid>` is `runAsUser: 0`; a numeric uid its
//!   `runAsUser`; another user name is taken as non-root
//!   (`runAsNonRoot: true`), as the name cannot be uid 0 without a
//!   deliberately odd `/etc/passwd`; no `user` leaves it to the image;
//! - volumes: a bind mount is a `hostPath` volume (named by its source), a
//!   named volume a `persistentVolumeClaim` (managed storage), an anonymous
//!   volume or tmpfs an `emptyDir`; `devices` are `hostPath` volumes of the
//!   device path (a device node is host access);
//! - ports: one [`Port`] per entry; a range counts as its first port (plus
//!   port 22 when the range holds it);
//! - `userns_mode: host` is `hostUsers: true` (reported by CFG002 for Docker,
//!   where it turns off the daemon's user-namespace remapping), `uts: host`
//!   is `host_uts`;
//! - `restart` and `deploy.restart_policy` are the restart policy, with
//!   `on-failure:N` / `max_attempts` as the retry bound (CFG011);
//! - a label `plimsoll.dev/ignore: "CFG001,CFG004"` exempts the service,
//!   as the annotation does a Kubernetes object.

pub mod interpolate;
pub mod service;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use interpolate::Variables;

use crate::model::Workload;
use crate::yaml::{self, Node, Pos, Value};

/// The default Compose file names, in the order `docker compose` tries them.
pub const DEFAULT_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Nesting of `include` and `extends` followed.
const MAX_DEPTH: usize = 32;

/// A node of a Compose file: a YAML node, interpolated, with the file it
/// was read from (a merged service mixes files) and, for nodes made from
/// a `docker run` flag, the flag as written (the field's path in findings).
#[derive(Debug, Clone, PartialEq)]
pub struct CNode {
    pub file: Arc<str>,
    pub pos: Pos,
    pub label: Option<Arc<str>>,
    pub value: CValue,
}

/// See [`CNode`].
#[derive(Debug, Clone, PartialEq)]
pub enum CValue {
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<CNode>),
    /// Key, key position, value.
    Map(Vec<(String, Pos, CNode)>),
}

impl CNode {
    pub fn get(&self, key: &str) -> Option<&CNode> {
        self.entry(key).map(|e| e.1)
    }

    pub fn entry(&self, key: &str) -> Option<(Pos, &CNode)> {
        match &self.value {
            CValue::Map(e) => e.iter().find(|(k, _, _)| k == key).map(|(_, p, n)| (*p, n)),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Pos, CNode)] {
        match &self.value {
            CValue::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[CNode] {
        match &self.value {
            CValue::Seq(i) => i,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, CValue::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A scalar's text (not null).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            CValue::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// A boolean: YAML's plain `true`/`false`, or (as Compose accepts after
    /// interpolation) the strings `true`/`false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_str()?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        }
    }

    /// An integer, plain or quoted.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str()?.trim().parse().ok()
    }

    fn map(file: &Arc<str>, pos: Pos, entries: Vec<(String, Pos, CNode)>) -> CNode {
        CNode {
            file: file.clone(),
            pos,
            label: None,
            value: CValue::Map(entries),
        }
    }
}

/// Why a Compose file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}:{}: not valid YAML: {}", .source.pos, .source.message)]
    Yaml {
        file: String,
        #[source]
        source: yaml::YamlError,
    },
    #[error("{file}:{pos}: {message}")]
    Invalid {
        file: String,
        pos: Pos,
        message: String,
    },
    #[error("{file}: {what} cycle: {}", .chain.join(" -> "))]
    Cycle {
        file: String,
        what: &'static str,
        chain: Vec<String>,
    },
}

fn invalid(file: &str, pos: Pos, message: impl Into<String>) -> ComposeError {
    ComposeError::Invalid {
        file: file.to_string(),
        pos,
        message: message.into(),
    }
}

/// What one Compose file (with its override, includes and extends) holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComposeProject {
    pub workloads: Vec<Workload>,
    /// Unset variables, unknown options: reported, not fatal.
    pub warnings: Vec<String>,
    /// Every other file read (override, included, extended), with its text,
    /// in the order read.
    pub other_files: Vec<(String, String)>,
}

/// Whether a parsed YAML document is a Compose file: a mapping with
/// `services` and without Kubernetes' `apiVersion` and `kind`.
pub fn looks_like_compose(doc: &Node) -> bool {
    matches!(doc.value, Value::Map(_))
        && doc.get("services").is_some()
        && doc.get("apiVersion").is_none()
        && doc.get("kind").is_none()
}

/// The override file `docker compose` merges into the default-named file
/// `path`, if there is one beside it.
pub fn override_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if !DEFAULT_NAMES.contains(&name) {
        return None;
    }
    let stem = name.rsplit_once('.')?.0;
    ["yaml", "yml"]
        .iter()
        .map(|e| path.with_file_name(format!("{stem}.override.{e}")))
        .find(|p| p.is_file())
}

/// Whether `path` is an override file whose base file is beside it (a
/// directory walk audits it with its base, not alone).
pub fn is_merged_override(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    DEFAULT_NAMES.iter().any(|base| {
        let stem = base.rsplit_once('.').map_or("", |s| s.0);
        (name == format!("{stem}.override.yaml") || name == format!("{stem}.override.yml"))
            && path.with_file_name(base).is_file()
    })
}

/// The loader: variables per project directory, files read, cycle guards.
struct Loader<'a> {
    vars: &'a Variables,
    warnings: Vec<String>,
    other_files: Vec<(String, String)>,
    /// Files being included, outermost first (cycle guard).
    including: Vec<PathBuf>,
}

/// Reads the Compose file `path` (its text is `text`; `-` for standard
/// input, whose project directory is the current one) into workloads.
pub fn read_compose(
    path: &str,
    text: &str,
    vars: &Variables,
) -> Result<ComposeProject, ComposeError> {
    let mut loader = Loader {
        vars,
        warnings: Vec::new(),
        other_files: Vec::new(),
        including: Vec::new(),
    };
    let mut workloads = Vec::new();
    let file = Path::new(if path == "-" { "./-" } else { path });
    loader.project(path, file, text, true, &mut workloads)?;
    Ok(ComposeProject {
        workloads,
        warnings: loader.warnings,
        other_files: loader.other_files,
    })
}

fn dir_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

impl Loader<'_> {
    fn read(&mut self, path: &Path) -> Result<String, ComposeError> {
        let name = display(path);
        let bytes = std::fs::read(path).map_err(|e| ComposeError::Read {
            file: name.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ComposeError::Read {
            file: name.clone(),
            message: "not UTF-8 text".into(),
        })?;
        self.other_files.push((name, text.clone()));
        Ok(text)
    }

    /// The variables of the project in `dir`: ours over its `.env`.
    fn vars_for(&self, dir: &Path) -> Variables {
        match std::fs::read_to_string(dir.join(".env")) {
            Ok(t) => self.vars.with_dotenv(&t),
            Err(_) => self.vars.clone(),
        }
    }

    /// Parses and interpolates one file into a tree.
    fn tree(&mut self, name: &str, text: &str, vars: &Variables) -> Result<CNode, ComposeError> {
        let docs = yaml::parse_documents(text).map_err(|source| ComposeError::Yaml {
            file: name.to_string(),
            source,
        })?;
        let file: Arc<str> = Arc::from(name);
        match docs.as_slice() {
            [] => Ok(CNode::map(&file, Pos { line: 1, column: 1 }, Vec::new())),
            [doc] => {
                if !matches!(doc.value, Value::Map(_)) {
                    return Err(invalid(name, doc.pos, "a Compose file is a mapping"));
                }
                lift(doc, &file, vars, &mut self.warnings)
            }
            [_, second, ..] => Err(invalid(
                name,
                second.pos,
                "a Compose file holds one YAML document",
            )),
        }
    }

    /// One project file (`top`: the file the user named, whose override is
    /// merged), its includes first, into `out`.
    fn project(
        &mut self,
        name: &str,
        path: &Path,
        text: &str,
        top: bool,
        out: &mut Vec<Workload>,
    ) -> Result<(), ComposeError> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.including.contains(&key) || self.including.len() >= MAX_DEPTH {
            let mut chain: Vec<String> = self.including.iter().map(|p| display(p)).collect();
            chain.push(display(&key));
            return Err(ComposeError::Cycle {
                file: name.to_string(),
                what: "include",
                chain,
            });
        }
        self.including.push(key);
        let dir = dir_of(path);
        let vars = self.vars_for(&dir);
        let mut root = self.tree(name, text, &vars)?;
        if top && let Some(o) = override_of(path) {
            let otext = self.read(&o)?;
            let over = self.tree(&display(&o), &otext, &vars)?;
            root = merge(root, over, "");
        }
        for (i, inc) in root
            .get("include")
            .map(CNode::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let paths: Vec<&CNode> = match inc.get("path") {
                Some(p) if !p.items().is_empty() => p.items().iter().collect(),
                Some(p) => vec![p],
                None => vec![inc],
            };
            for p in paths {
                let Some(rel) = p.as_str() else {
                    return Err(invalid(name, p.pos, format!("include[{i}] has no path")));
                };
                let ipath = dir.join(rel);
                let itext = self.read(&ipath).map_err(|e| match e {
                    ComposeError::Read { file, message } => {
                        invalid(name, p.pos, format!("include `{rel}`: {file}: {message}"))
                    }
                    other => other,
                })?;
                self.project(&display(&ipath), &ipath, &itext, false, out)?;
            }
        }
        let services = match root.entry("services") {
            Some((_, s)) if matches!(s.value, CValue::Map(_)) => s.clone(),
            Some((_, s)) if s.is_null() => CNode::map(&root.file, s.pos, Vec::new()),
            Some((_, s)) => return Err(invalid(name, s.pos, "`services` is not a mapping")),
            None if root.get("include").is_some() => CNode::map(&root.file, root.pos, Vec::new()),
            None => return Err(invalid(name, root.pos, "a Compose file needs `services`")),
        };
        for (sname, kpos, _) in services.entries() {
            let mut chain = Vec::new();
            let resolved = self.resolve(&services, path, sname, &mut chain)?;
            out.push(service::workload(
                name,
                sname,
                *kpos,
                &resolved,
                &mut self.warnings,
            ));
        }
        self.including.pop();
        Ok(())
    }

    /// The service `sname` of `services` (read from `path`) with its
    /// `extends` chain merged in.
    fn resolve(
        &mut self,
        services: &CNode,
        path: &Path,
        sname: &str,
        chain: &mut Vec<String>,
    ) -> Result<CNode, ComposeError> {
        let here = format!("{}#{sname}", display(path));
        let fname = services.file.to_string();
        if chain.contains(&here) || chain.len() >= MAX_DEPTH {
            chain.push(here);
            return Err(ComposeError::Cycle {
                file: fname,
                what: "extends",
                chain: chain.clone(),
            });
        }
        let Some(node) = services.get(sname) else {
            return Err(invalid(
                &fname,
                services.pos,
                format!("extends: no service `{sname}`"),
            ));
        };
        let Some((epos, ext)) = node.entry("extends") else {
            return Ok(node.clone());
        };
        chain.push(here);
        let (base_name, base_file) = match ext.as_str() {
            Some(s) => (s.to_string(), None),
            None => (
                ext.get("service")
                    .and_then(CNode::as_str)
                    .ok_or_else(|| invalid(&fname, epos, "`extends` needs `service`"))?
                    .to_string(),
                ext.get("file").and_then(CNode::as_str).map(String::from),
            ),
        };
        let base = match base_file {
            None => self.resolve(services, path, &base_name, chain)?,
            Some(rel) => {
                let bpath = dir_of(path).join(&rel);
                let btext = self.read(&bpath).map_err(|e| match e {
                    ComposeError::Read { file, message } => {
                        invalid(&fname, epos, format!("extends `{rel}`: {file}: {message}"))
                    }
                    other => other,
                })?;
                let vars = self.vars_for(&dir_of(&bpath));
                let broot = self.tree(&display(&bpath), &btext, &vars)?;
                let bservices = broot
                    .get("services")
                    .cloned()
                    .unwrap_or_else(|| CNode::map(&broot.file, broot.pos, Vec::new()));
                self.resolve(&bservices, &bpath, &base_name, chain)?
            }
        };
        chain.pop();
        let mut own = node.clone();
        if let CValue::Map(e) = &mut own.value {
            e.retain(|(k, _, _)| k != "extends");
        }
        Ok(merge(base, own, ""))
    }
}

/// A YAML node as a [`CNode`] of `file`, its scalars interpolated.
fn lift(
    node: &Node,
    file: &Arc<str>,
    vars: &Variables,
    warnings: &mut Vec<String>,
) -> Result<CNode, ComposeError> {
    let value = match &node.value {
        Value::Scalar { text, plain } => {
            let mut w = Vec::new();
            let text = interpolate::interpolate(text, vars, &mut w)
                .map_err(|m| invalid(file, node.pos, m))?;
            warnings.extend(w.into_iter().map(|m| format!("{file}:{}: {m}", node.pos)));
            CValue::Scalar {
                text,
                plain: *plain,
            }
        }
        Value::Seq(items) => CValue::Seq(
            items
                .iter()
                .map(|n| lift(n, file, vars, warnings))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(entries) => CValue::Map(
            entries
                .iter()
                .map(|(k, p, n)| Ok((k.clone(), *p, lift(n, file, vars, warnings)?)))
                .collect::<Result<_, ComposeError>>()?,
        ),
    };
    Ok(CNode {
        file: file.clone(),
        pos: node.pos,
        label: None,
        value,
    })
}

/// Sequences an override replaces rather than extends.
const REPLACED: &[&str] = &["command", "entrypoint", "test"];
/// Sequences merged by mount target (an entry for the same target replaces).
const BY_TARGET: &[&str] = &["volumes", "devices"];
/// Entries written as a mapping or as a list of `KEY=VALUE`, merged by key
/// whichever form each file uses.
const KEYED: &[&str] = &["environment", "labels", "annotations", "sysctls"];

/// A list of `KEY=VALUE` (or `KEY`) as the mapping it stands for; anything
/// else unchanged.
fn keyed(n: CNode) -> CNode {
    let CValue::Seq(items) = &n.value else {
        return n;
    };
    if items.iter().any(|i| i.as_str().is_none()) {
        return n;
    }
    let entries = items
        .iter()
        .map(|i| {
            let text = i.as_str().unwrap_or_default();
            let (k, value) = match text.split_once('=') {
                Some((k, v)) => (
                    k,
                    CValue::Scalar {
                        text: v.to_string(),
                        plain: false,
                    },
                ),
                None => (
                    text,
                    CValue::Scalar {
                        text: String::new(),
                        plain: true,
                    },
                ),
            };
            let node = CNode {
                file: i.file.clone(),
                pos: i.pos,
                label: i.label.clone(),
                value,
            };
            (k.trim().to_string(), i.pos, node)
        })
        .collect();
    CNode {
        value: CValue::Map(entries),
        ..n
    }
}

/// `over` merged into `base` as Compose merges an override or `extends`:
/// mappings key by key, scalars replaced, sequences appended (without
/// repeating an equal scalar), `command`/`entrypoint` replaced, volumes and
/// devices merged by target. `key` is the entry's key.
pub fn merge(base: CNode, over: CNode, key: &str) -> CNode {
    let (base, over) = if KEYED.contains(&key) {
        (keyed(base), keyed(over))
    } else {
        (base, over)
    };
    match (base.value, over.value) {
        (CValue::Map(mut b), CValue::Map(o)) => {
            for (k, p, n) in o {
                match b.iter().position(|(bk, _, _)| *bk == k) {
                    Some(i) => {
                        let (_, _, old) = b.remove(i);
                        let merged = merge(old, n, &k);
                        b.insert(i, (k, p, merged));
                    }
                    None => b.push((k, p, n)),
                }
            }
            CNode {
                value: CValue::Map(b),
                ..over_meta(base.file, base.pos, base.label)
            }
        }
        (CValue::Seq(mut b), CValue::Seq(o)) if !REPLACED.contains(&key) => {
            for n in o {
                if BY_TARGET.contains(&key) {
                    let t = mount_target(&n);
                    if let Some(i) = b.iter().position(|x| t.is_some() && mount_target(x) == t) {
                        b[i] = n;
                        continue;
                    }
                }
                let dup = n.as_str().is_some() && b.iter().any(|x| x.as_str() == n.as_str());
                if !dup {
                    b.push(n);
                }
            }
            CNode {
                value: CValue::Seq(b),
                ..over_meta(base.file, base.pos, base.label)
            }
        }
        (_, value) => CNode {
            file: over.file,
            pos: over.pos,
            label: over.label,
            value,
        },
    }
}

fn over_meta(file: Arc<str>, pos: Pos, label: Option<Arc<str>>) -> CNode {
    CNode {
        file,
        pos,
        label,
        value: CValue::Seq(Vec::new()),
    }
}

/// The container path of a volume or device entry (short or long syntax).
fn mount_target(n: &CNode) -> Option<String> {
    match n.as_str() {
        Some(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            Some(
                match parts.len() {
                    1 => parts[0],
                    _ => parts[1],
                }
                .to_string(),
            )
        }
        None => n.get("target").and_then(CNode::as_str).map(String::from),
    }
}

#[cfg(test)]
mod tests;
