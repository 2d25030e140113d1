//! The tests judged on the merged file tree and the image config.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use plimsoll_engine::{EntryKind, FileTree, Node};
use plimsoll_oci::RunConfig;
use regex::bytes::Regex;

use crate::config::{EnvVar, FileContentTest, FileExistenceTest, LicenseTest, MetadataTest};
use crate::contents::{Content, MAX_CONTENT};
use crate::{TestConfig, TestResult};

/// Why command tests are never run here.
pub const COMMAND_SKIP_REASON: &str = "command tests run commands in a container: they need a \
     container runtime, which plimsoll test does not use (it reads the image's files and config \
     only)";

/// Debian's per-package copyright files, and what makes one fail
/// (container-structure-test's license test).
const DEBIAN_DOCS: &str = "usr/share/doc";
const LICENSE_ALLOWED_PACKAGES: &[&str] = &["libgnutls30"];
const LICENSE_BANNED: &[&str] = &["AGPL", "WTFPL"];

/// A regex as Go's `regexp` reads it: unanchored, `^` and `$` at the ends of
/// the whole text unless `(?m)`, over bytes.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(true)
        .size_limit(1 << 24)
        .build()
}

/// What the tests look at.
pub(crate) struct View<'a> {
    pub tree: &'a FileTree,
    pub config: &'a RunConfig,
    /// Content by path of the file as stored (after symlinks and hard links).
    pub contents: &'a BTreeMap<String, Content>,
}

/// A path as a key of the tree: no leading `/`, no `.` or empty components.
pub(crate) fn normalize(path: &str) -> String {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A file as `lstat` sees it: the last component not followed.
#[derive(Debug, Clone)]
pub(crate) struct Stat {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub kind: EntryKind,
}

/// `lstat(path)`: every component but the last followed through symlinks.
pub(crate) fn lstat(tree: &FileTree, path: &str) -> Result<Stat, String> {
    let norm = normalize(path);
    if norm.is_empty() {
        return Ok(directory_stat(tree, ""));
    }
    let (parent, base) = match norm.rsplit_once('/') {
        Some((p, b)) => (p, b),
        None => ("", norm.as_str()),
    };
    let parent = if parent.is_empty() {
        String::new()
    } else {
        tree.resolve(parent)
            .map_err(|e| e.to_string())?
            .map_or_else(
                || resolved_missing(tree, parent),
                |(p, n)| {
                    if n.kind == EntryKind::Dir {
                        Ok(p)
                    } else {
                        Err("not a directory".to_string())
                    }
                },
            )?
    };
    let full = if base == ".." {
        parent.rsplit_once('/').map_or("", |(p, _)| p).to_string()
    } else if parent.is_empty() {
        base.to_string()
    } else {
        format!("{parent}/{base}")
    };
    match tree.files.get(&full) {
        Some(n) => Ok(stat_of(n)),
        None if implied_dir(tree, &full) => Ok(directory_stat(tree, &full)),
        None => Err("no such file or directory".into()),
    }
}

/// A parent path that resolves to nothing stored: a directory only when files lie below it.
fn resolved_missing(tree: &FileTree, parent: &str) -> Result<String, String> {
    let resolved = tree
        .resolve(parent)
        .map_err(|e| e.to_string())?
        .map(|(p, _)| p);
    let p = resolved.unwrap_or_else(|| parent.to_string());
    if implied_dir(tree, &p) {
        Ok(p)
    } else {
        Err("no such file or directory".into())
    }
}

fn implied_dir(tree: &FileTree, path: &str) -> bool {
    tree.files.under(path).next().is_some()
}

fn directory_stat(tree: &FileTree, path: &str) -> Stat {
    match tree.files.get(path) {
        Some(n) => stat_of(n),
        // A directory only implied by the files below it: what extracting
        // the layers would make of it.
        None => Stat {
            mode: 0o755,
            uid: 0,
            gid: 0,
            kind: EntryKind::Dir,
        },
    }
}

fn stat_of(n: &Node) -> Stat {
    Stat {
        mode: u32::from(n.mode),
        uid: n.uid,
        gid: n.gid,
        kind: n.kind,
    }
}

/// Where the bytes of `path` (every symlink followed) are stored: the layer
/// and the path of the regular file, or why it cannot be read.
pub(crate) fn content_source(tree: &FileTree, path: &str) -> Result<(usize, String), String> {
    let norm = normalize(path);
    match tree.resolve(&norm).map_err(|e| e.to_string())? {
        None if implied_dir(tree, &norm) => Err("is a directory".into()),
        None => Err("no such file or directory".into()),
        Some((p, n)) => match n.kind {
            // A hard link (the tree gives it its target's type, and keeps
            // the target as its link): the bytes are stored under the
            // target's name, in the link's layer.
            EntryKind::File | EntryKind::Hardlink => match n.link.as_deref() {
                Some(target) => Ok((n.layer(), normalize(target))),
                None => Ok((n.layer(), p)),
            },
            EntryKind::Dir => Err("is a directory".into()),
            EntryKind::Symlink => Err("a dangling symlink".into()),
            _ => Err("not a regular file".into()),
        },
    }
}

/// Every (layer, stored path) whose content the tests of `configs` read.
pub(crate) fn wanted(tree: &FileTree, configs: &[TestConfig]) -> BTreeMap<usize, BTreeSet<String>> {
    let mut want: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut add = |path: &str| {
        if let Ok((layer, p)) = content_source(tree, path) {
            want.entry(layer).or_default().insert(p);
        }
    };
    for c in configs {
        for t in &c.spec.file_content_tests {
            add(&t.path);
        }
        for t in &c.spec.license_tests {
            if t.debian {
                for p in debian_packages(tree) {
                    add(&format!("{DEBIAN_DOCS}/{p}/copyright"));
                }
            }
            for f in &t.files {
                add(f);
            }
        }
    }
    want
}

/// The package directories directly under /usr/share/doc (symlinks to
/// directories are not directories, as `lstat` says).
fn debian_packages(tree: &FileTree) -> Vec<String> {
    let mut names = BTreeSet::new();
    for (path, node) in tree.files.under(DEBIAN_DOCS) {
        let rest = &path[DEBIAN_DOCS.len() + 1..];
        match rest.split_once('/') {
            Some((name, _)) => {
                // Below a directory: the directory exists (stored or implied)
                // unless it is stored as something else.
                let dir = format!("{DEBIAN_DOCS}/{name}");
                if tree
                    .files
                    .get(&dir)
                    .is_none_or(|n| n.kind == EntryKind::Dir)
                {
                    names.insert(name.to_string());
                }
            }
            None if node.kind == EntryKind::Dir => {
                names.insert(rest.to_string());
            }
            None => {}
        }
    }
    names.into_iter().collect()
}

impl View<'_> {
    fn read(&self, path: &str) -> Result<&[u8], String> {
        let (_, stored) = content_source(self.tree, path)?;
        match self.contents.get(&stored) {
            Some(Content::Bytes(b)) => Ok(b),
            Some(Content::TooLarge(size)) => Err(format!(
                "{size} bytes, more than the {MAX_CONTENT} a content test reads"
            )),
            None => Err("its content could not be read from its layer".into()),
        }
    }

    fn env(&self) -> BTreeMap<&str, &str> {
        env_map(&self.config.env)
    }
}

fn env_map(env: &[String]) -> BTreeMap<&str, &str> {
    env.iter()
        .map(|e| e.split_once('=').unwrap_or((e.as_str(), "")))
        .collect()
}

/// Go's `os.Expand`: `$NAME` and `${NAME}` replaced by their value (empty
/// when unset).
pub(crate) fn expand(s: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&s[last..i]);
            let rest = &s[i + 1..];
            if let Some(inner) = rest.strip_prefix('{') {
                match inner.find('}') {
                    Some(end) if end > 0 => {
                        out.push_str(&lookup(&inner[..end]));
                        i += 1 + 1 + end + 1;
                    }
                    // `${}` or an unclosed `${`: Go drops the bad syntax.
                    Some(end) => i += 1 + 1 + end + 1,
                    None => i = b.len(),
                }
            } else if rest.starts_with(|c: char| "*#$@!?-".contains(c) || c.is_ascii_digit()) {
                out.push_str(&lookup(&rest[..1]));
                i += 2;
            } else {
                let n = rest
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                if n == 0 {
                    // `$` followed by something else: dropped, as Go does.
                    i += 1;
                } else {
                    out.push_str(&lookup(&rest[..n]));
                    i += 1 + n;
                }
            }
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last.min(s.len())..]);
    out
}

/// Go's `os.FileMode.String()` of a file: type letters (`d` directory, `L`
/// symlink, `u` setuid, `g` setgid, `t` sticky…) or `-`, then `rwxrwxrwx`.
pub fn go_mode_string(kind: EntryKind, mode: u32) -> String {
    let mut s = String::new();
    match kind {
        EntryKind::Dir => s.push('d'),
        EntryKind::Symlink => s.push('L'),
        EntryKind::Other => s.push('?'),
        _ => {}
    }
    if mode & 0o4000 != 0 {
        s.push('u');
    }
    if mode & 0o2000 != 0 {
        s.push('g');
    }
    if mode & 0o1000 != 0 {
        s.push('t');
    }
    if s.is_empty() {
        s.push('-');
    }
    push_rwx(&mut s, mode, false);
    s
}

/// `ls -l`'s form: one type letter, setuid/setgid/sticky as `s`/`S`/`t`/`T`.
pub fn ls_mode_string(kind: EntryKind, mode: u32) -> String {
    let mut s = String::from(match kind {
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Other => '?',
        _ => '-',
    });
    push_rwx(&mut s, mode, true);
    s
}

fn push_rwx(s: &mut String, mode: u32, ls: bool) {
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        let bit = 1 << (8 - i);
        let set = mode & bit != 0;
        let special = match i {
            2 => mode & 0o4000 != 0,
            5 => mode & 0o2000 != 0,
            8 => mode & 0o1000 != 0,
            _ => false,
        };
        if ls && special {
            let letter = if i == 8 { 't' } else { 's' };
            s.push(if set {
                letter
            } else {
                letter.to_ascii_uppercase()
            });
        } else {
            s.push(if set { c } else { '-' });
        }
    }
}

pub(crate) fn file_existence(
    view: &View<'_>,
    global: &[EnvVar],
    t: &FileExistenceTest,
) -> TestResult {
    let start = Instant::now();
    let mut r = TestResult::new(format!("File Existence Test: {}", &*t.name));
    r.path = Some(t.path.to_string());
    let mut env: BTreeMap<&str, &str> = view.env();
    for g in global {
        env.insert(&g.key, &g.value);
    }
    let path = expand(&t.path, &|k| env.get(k).copied().unwrap_or("").to_string());
    let stat = lstat(view.tree, &path);
    match (&stat, t.should_exist) {
        (Err(why), true) => {
            r.error(format!("File {path} should exist but does not: {why}"));
        }
        (Ok(_), false) => r.error(format!("File {path} should not exist but does")),
        _ => {}
    }
    if let (Ok(st), true) = (&stat, t.should_exist) {
        if !t.permissions.is_empty() {
            let go = go_mode_string(st.kind, st.mode);
            let ls = ls_mode_string(st.kind, st.mode);
            if *t.permissions != go && *t.permissions != ls {
                r.error(format!(
                    "{path} has incorrect permissions. Expected: {}, Actual: {go} ({ls})",
                    &*t.permissions
                ));
            }
        }
        let bit = match &*t.is_executable_by {
            "any" => Some(0o111),
            "owner" => Some(0o100),
            "group" => Some(0o010),
            "other" => Some(0o001),
            _ => None,
        };
        // A symlink is lstat'ed: rwxrwxrwx, as container-structure-test sees it.
        let perm = if st.kind == EntryKind::Symlink {
            0o777
        } else {
            st.mode
        };
        if let Some(bit) = bit
            && perm & bit == 0
        {
            r.error(format!(
                "{path} has incorrect executable bit. Expected to be executable by {}, Actual: {}",
                &*t.is_executable_by,
                go_mode_string(st.kind, st.mode)
            ));
        }
        if let Some(uid) = t.uid.filter(|u| *u != -1)
            && i64::from(st.uid) != uid
        {
            r.error(format!(
                "{path} has incorrect user ownership. Expected: {uid}, Actual: {}",
                st.uid
            ));
        }
        if let Some(gid) = t.gid.filter(|g| *g != -1)
            && i64::from(st.gid) != gid
        {
            r.error(format!(
                "{path} has incorrect group ownership. Expected: {gid}, Actual: {}",
                st.gid
            ));
        }
    }
    r.finish(start)
}

pub(crate) fn file_content(view: &View<'_>, t: &FileContentTest) -> TestResult {
    let start = Instant::now();
    let mut r = TestResult::new(format!("File Content Test: {}", &*t.name));
    r.path = Some(t.path.to_string());
    match view.read(&t.path) {
        Err(why) => r.error(format!("Failed to open {}: {why}", &*t.path)),
        Ok(bytes) => {
            for p in &t.expected_contents {
                // Compiled once already when the file was read: cannot fail here.
                if let Ok(re) = compile(p)
                    && !re.is_match(bytes)
                {
                    r.error(format!(
                        "Expected string '{}' not found in {}",
                        &**p, &*t.path
                    ));
                }
            }
            for p in &t.excluded_contents {
                if let Ok(re) = compile(p)
                    && re.is_match(bytes)
                {
                    r.error(format!("Excluded string '{}' found in {}", &**p, &*t.path));
                }
            }
        }
    }
    r.finish(start)
}

fn matches_value(want: &EnvVar, actual: &str) -> bool {
    if want.is_regex {
        compile(&want.value).is_ok_and(|re| re.is_match(actual.as_bytes()))
    } else {
        *want.value == *actual
    }
}

pub(crate) fn metadata(view: &View<'_>, m: &MetadataTest) -> TestResult {
    let start = Instant::now();
    let mut r = TestResult::new("Metadata Test".into());
    let c = view.config;
    let env = view.env();
    for want in &m.env_vars {
        match env.get(&*want.key) {
            Some(v) if matches_value(want, v) => {}
            Some(v) => r.error(format!(
                "env var {} value {v} does not match expected value: {}",
                &*want.key, &*want.value
            )),
            None => r.error(format!("variable {} not found in image env", &*want.key)),
        }
    }
    for e in &m.unbound_env_vars {
        if env.contains_key(&*e.key) {
            r.error(format!(
                "env variable {} should not be present in image metadata",
                &*e.key
            ));
        }
    }
    for want in &m.labels {
        match c.labels.get(&*want.key) {
            Some(v) if matches_value(want, v) => {}
            Some(v) => r.error(format!(
                "label {} value {v} does not match expected value: {}",
                &*want.key, &*want.value
            )),
            None => r.error(format!("label {} not found in image metadata", &*want.key)),
        }
    }
    let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
    if let Some(want) = &m.cmd {
        let actual = list(&c.cmd);
        if !same(want, &actual) {
            r.error(format!(
                "Image Cmd {actual:?} does not match expected Cmd: {:?}",
                texts(want)
            ));
        }
    }
    if let Some(want) = &m.entrypoint {
        let actual = list(&c.entrypoint);
        if !same(want, &actual) {
            r.error(format!(
                "Image entrypoint {actual:?} does not match expected entrypoint: {:?}",
                texts(want)
            ));
        }
    }
    let workdir = c.working_dir.as_deref().unwrap_or("");
    if !m.workdir.is_empty() && *m.workdir != *workdir {
        r.error(format!(
            "Image workdir {workdir} does not match config workdir: {}",
            &*m.workdir
        ));
    }
    let user = c.user.as_deref().unwrap_or("");
    if !m.user.is_empty() && *m.user != *user {
        r.error(format!(
            "Image user {user} does not match config user: {}",
            &*m.user
        ));
    }
    // "8080" names the port whatever its protocol; "8080/udp" that protocol.
    let exposed = |p: &str| {
        c.exposed_ports.keys().any(|k| {
            if p.contains('/') {
                k == p
            } else {
                k.split('/').next() == Some(p)
            }
        })
    };
    for p in &m.exposed_ports {
        if !exposed(p) {
            r.error(format!("Port {} not found in config", &**p));
        }
    }
    for p in &m.unexposed_ports {
        if exposed(p) {
            r.error(format!("Port {} should not be exposed", &**p));
        }
    }
    for v in &m.volumes {
        if !c.volumes.contains_key(&**v) {
            r.error(format!("Volume {} not found in config", &**v));
        }
    }
    for v in &m.unmounted_volumes {
        if c.volumes.contains_key(&**v) {
            r.error(format!("Volume {} should not be mounted", &**v));
        }
    }
    r.finish(start)
}

fn same(want: &[crate::config::Text], actual: &[String]) -> bool {
    want.len() == actual.len() && want.iter().zip(actual).all(|(w, a)| **w == **a)
}

fn texts(v: &[crate::config::Text]) -> Vec<&str> {
    v.iter().map(|t| &**t).collect()
}

pub(crate) fn license(view: &View<'_>, t: &LicenseTest) -> TestResult {
    let start = Instant::now();
    let mut r = TestResult::new("License Test".into());
    let check = |r: &mut TestResult, file: &str| match view.read(file) {
        Err(why) => r.error(format!("Error reading license file {file}: {why}")),
        Ok(bytes) => {
            let upper = String::from_utf8_lossy(bytes).to_uppercase();
            for b in LICENSE_BANNED {
                if upper.contains(b) {
                    r.error(format!("Invalid license for {file}, license contains {b}"));
                }
            }
        }
    };
    if t.debian {
        if lstat(view.tree, DEBIAN_DOCS).is_err() {
            r.error(format!(
                "Error reading directory /{DEBIAN_DOCS}: no such directory"
            ));
        }
        for p in debian_packages(view.tree) {
            if LICENSE_ALLOWED_PACKAGES.contains(&p.as_str()) {
                continue;
            }
            let file = format!("/{DEBIAN_DOCS}/{p}/copyright");
            if lstat(view.tree, &file).is_err() {
                r.error(format!("No license file for {p}: {file} does not exist"));
                continue;
            }
            check(&mut r, &file);
        }
    }
    for f in &t.files {
        check(&mut r, f);
    }
    r.finish(start)
}
