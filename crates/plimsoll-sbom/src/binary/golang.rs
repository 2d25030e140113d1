//! Go executables: the build info the Go linker embeds (`go version -m`
//! prints it) names the Go release, the main module and every dependency
//! module with its version and `=>` replacement.
//!
//! The blob starts with the 14-byte magic `\xff Go buildinf:` on a 16-byte
//! boundary, then the pointer size and a flags byte (32-byte header). Since
//! Go 1.18 (flag bit 2) two varint-length-prefixed strings follow the
//! header: the Go version and the module info. Before, the header held two
//! pointers (of the given size and byte order, flag bit 1 = big endian) to
//! Go string headers `{data pointer, length}` elsewhere in the binary, read
//! through the ELF segments. The module info is framed by 16 sentinel bytes
//! on each side and reads like
//!
//! ```text
//! path\tgithub.com/wagoodman/dive
//! mod\tgithub.com/wagoodman/dive\tv0.13.1\th1:...
//! dep\tgithub.com/spf13/cobra\tv1.9.1\th1:...
//! =>\tgithub.com/fork/cobra\tv1.9.2\th1:...
//! build\tGOARCH=amd64
//! ```
//!
//! A main module built outside a tagged module checkout is `(devel)`; its
//! version is then taken, as syft takes it, from `-ldflags -X
//! …version=v1.2.3` in the build settings, else from the first
//! NUL-delimited release string of the binary's contents (where `-X` put it
//! when the build used `-trimpath`, which leaves `-ldflags` out of the build
//! info: kubectl, docker, Debian's docker-registry), else from the VCS
//! settings as a pseudo-version. On this machine's kubectl 1.27–1.33,
//! anthoscli, docker and docker-registry the versions equal syft 1.18.1's;
//! where syft's `-X` pattern stops at a `.` (`v1.0.0-beta` for kpt's
//! `1.0.0-beta.56`) the whole version is kept.

use plimsoll_engine::{Analyzer, Entry, LayerVisitor};
use serde::{Deserialize, Serialize};

use super::{Binary, Elf, content_limit, truncated_note};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const FLAG_BIG_ENDIAN: u8 = 1;
const FLAG_INLINE: u8 = 2;
/// The longest version or module-info string we accept: real module info
/// is tens of KiB even for Kubernetes.
const MAX_STRING: u64 = 4 * 1024 * 1024;
/// Go's own reader looks for the header in the first 64 KiB of the data
/// segment; a whole-file scan is the fallback for unparsable headers.
const SEARCH_WINDOW: usize = 64 * 1024;
/// Build settings kept per binary (`GOOS`, `vcs.revision`, ...).
const MAX_SETTINGS: usize = 64;
/// What the main module's version is when the build did not stamp one.
pub const DEVEL: &str = "(devel)";

/// A module line of the build info.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoModule {
    pub path: String,
    pub version: String,
    /// `h1:` checksum, when the build had one.
    pub sum: Option<String>,
    /// The `=>` replacement, which is what was really built.
    pub replace: Option<Box<GoModule>>,
}

/// The build info of one Go executable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoBuildInfo {
    /// `go1.24.1`, possibly followed by ` X:experiment`.
    pub go_version: String,
    /// The main package's import path (`path` line).
    pub path: String,
    pub main: Option<GoModule>,
    pub deps: Vec<GoModule>,
    /// `build` lines: `GOARCH=amd64`, `vcs.revision=...`.
    pub settings: Vec<(String, String)>,
    /// For a `(devel)` main module, the first release-looking string of the
    /// binary's contents (`version_from_contents`).
    pub content_version: Option<String>,
}

/// One executable as one layer stores it: its build info, if readable,
/// and what went wrong reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoFile {
    pub info: Option<GoBuildInfo>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`GoCataloger`] found in one layer: Go executables and ELF files
/// that could not be read, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoLayerFacts {
    pub files: Vec<(String, GoFile)>,
}

/// Go modules compiled into executables.
pub struct GoCataloger;

pub struct GoVisitor(GoLayerFacts);

impl Analyzer for GoCataloger {
    type Facts = GoLayerFacts;
    type Visitor = GoVisitor;
    const NAME: &'static str = "sbom-go";
    const VERSION: u32 = 3;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        content_limit(entry)
    }

    fn visitor(&self) -> GoVisitor {
        GoVisitor(GoLayerFacts::default())
    }
}

impl LayerVisitor for GoVisitor {
    type Facts = GoLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        let Some(data) = content else { return };
        let mut file = read_go_file(data);
        if file.info.is_none() && file.warnings.is_empty() {
            return;
        }
        if let Some(info) = &mut file.info
            && info.main.as_ref().is_none_or(|m| m.version == DEVEL)
        {
            info.content_version = version_from_contents(data);
        }
        if let Some(note) = truncated_note(entry, data.len()) {
            file.warnings.push(note);
        }
        // A path stored twice in one tar: the later entry wins.
        self.0.files.retain(|(p, _)| p != entry.path);
        self.0.files.push((entry.path.to_string(), file));
    }

    fn finish(self) -> GoLayerFacts {
        self.0
    }
}

/// Why a build info blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildInfoError {
    #[error("Go build info header is cut short")]
    ShortHeader,
    #[error("Go build info: pointer size {0} is neither 4 nor 8")]
    PointerSize(u8),
    #[error("Go build info: a string runs past the end of the data")]
    ShortString,
    #[error("Go build info: a string of {0} bytes exceeds the limit")]
    TooLong(u64),
    #[error("Go build info of Go before 1.18 needs the ELF segments, which are unreadable")]
    NeedsSegments,
    #[error("Go build info: a pointer leads outside the file's segments")]
    BadPointer,
}

/// The build info of an executable's bytes (None for non-Go files), with
/// warnings for a damaged ELF or blob.
pub fn read_go_file(data: &[u8]) -> GoFile {
    let mut file = GoFile::default();
    let (blob, elf) = match Binary::parse(data) {
        Binary::NotElf => return file,
        Binary::Elf(elf) => match elf.section(".go.buildinfo") {
            Some(Ok(section)) => (find_header(section, section.len()), Some(elf)),
            Some(Err(e)) => {
                file.warnings
                    .push(format!("unreadable .go.buildinfo section: {e}"));
                return file;
            }
            // Section headers stripped: look where Go's linker puts it.
            None if !elf.has_sections() => {
                let blob = elf
                    .first_data_segment()
                    .and_then(|d| find_header(d, SEARCH_WINDOW));
                (blob, Some(elf))
            }
            None => return file,
        },
        Binary::Broken(why) => {
            // Truncated: the inline (Go 1.18+) blob may still be in reach.
            let blob = find_header(data, data.len());
            file.warnings.push(if blob.is_some() {
                format!("unreadable ELF headers ({why}): Go build info found by scanning")
            } else {
                format!("unreadable ELF headers ({why}): not cataloged")
            });
            (blob, None)
        }
    };
    let Some(blob) = blob else { return file };
    match parse_blob(blob, elf.as_ref()) {
        Ok(info) => file.info = Some(info),
        Err(e) => file.warnings.push(e.to_string()),
    }
    file
}

/// The blob starting at the first 16-byte-aligned magic in the first
/// `window` bytes of `data`.
fn find_header(data: &[u8], window: usize) -> Option<&[u8]> {
    let end = data.len().min(window);
    (0..end)
        .step_by(16)
        .find(|&i| data.get(i..).is_some_and(|d| d.starts_with(MAGIC)))
        .and_then(|i| data.get(i..))
}

/// Parses a blob that starts with the magic.
pub fn parse_blob(blob: &[u8], elf: Option<&Elf<'_>>) -> Result<GoBuildInfo, BuildInfoError> {
    let header = blob.get(..HEADER_LEN).ok_or(BuildInfoError::ShortHeader)?;
    let ptr_size = header[14];
    let flags = header[15];
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let rest = &blob[HEADER_LEN..];
        let (version, rest) = varint_string(rest)?;
        let (modinfo, _) = varint_string(rest)?;
        (version, modinfo)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::PointerSize(ptr_size));
        }
        let elf = elf.ok_or(BuildInfoError::NeedsSegments)?;
        let big_endian = flags & FLAG_BIG_ENDIAN != 0 || !elf.is_little_endian();
        let ptrs = Pointers {
            elf,
            size: usize::from(ptr_size),
            big_endian,
        };
        let p = usize::from(ptr_size);
        let version_at = ptrs.word(&header[16..16 + p]);
        let modinfo_at = ptrs.word(&header[16 + p..16 + 2 * p]);
        (ptrs.string(version_at)?, ptrs.string(modinfo_at)?)
    };
    let mut info = parse_modinfo(&strip_sentinels(modinfo));
    info.go_version = String::from_utf8_lossy(version).into_owned();
    Ok(info)
}

/// A uvarint length, then that many bytes.
fn varint_string(data: &[u8]) -> Result<(&[u8], &[u8]), BuildInfoError> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let b = *data.get(used).ok_or(BuildInfoError::ShortString)?;
        used += 1;
        if shift >= 63 {
            return Err(BuildInfoError::TooLong(u64::MAX));
        }
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    if len > MAX_STRING {
        return Err(BuildInfoError::TooLong(len));
    }
    let end = used
        .checked_add(len as usize)
        .ok_or(BuildInfoError::ShortString)?;
    let s = data.get(used..end).ok_or(BuildInfoError::ShortString)?;
    Ok((s, &data[end..]))
}

/// Pointer-format reads through the ELF segments.
struct Pointers<'a, 'd> {
    elf: &'a Elf<'d>,
    size: usize,
    big_endian: bool,
}

impl<'d> Pointers<'_, 'd> {
    fn word(&self, b: &[u8]) -> u64 {
        let mut buf = [0u8; 8];
        if self.big_endian {
            buf[8 - b.len()..].copy_from_slice(b);
            u64::from_be_bytes(buf)
        } else {
            buf[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(buf)
        }
    }

    /// A Go string header `{data, len}` at `addr`, and the bytes it points to.
    fn string(&self, addr: u64) -> Result<&'d [u8], BuildInfoError> {
        let hdr = self
            .elf
            .read_at(addr, 2 * self.size as u64)
            .ok_or(BuildInfoError::BadPointer)?;
        let data_at = self.word(&hdr[..self.size]);
        let len = self.word(&hdr[self.size..2 * self.size]);
        if len > MAX_STRING {
            return Err(BuildInfoError::TooLong(len));
        }
        if len == 0 {
            return Ok(&[]);
        }
        self.elf
            .read_at(data_at, len)
            .ok_or(BuildInfoError::BadPointer)
    }
}

/// The module info without its 16-byte sentinels; empty when they are
/// not there (a binary built without module support).
fn strip_sentinels(modinfo: &[u8]) -> String {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        String::from_utf8_lossy(&modinfo[16..n - 16]).into_owned()
    } else {
        String::new()
    }
}

/// Parses module info text (see the module docs). Lines that do not parse
/// are skipped.
pub fn parse_modinfo(text: &str) -> GoBuildInfo {
    let mut info = GoBuildInfo::default();
    // Which module the next `=>` line replaces: the main one or the last dep.
    let mut last: Option<Last> = None;
    for line in text.lines() {
        let Some((key, rest)) = line.split_once('\t') else {
            continue;
        };
        match key {
            "path" => info.path = rest.to_string(),
            "mod" => {
                info.main = module_line(rest);
                last = info.main.is_some().then_some(Last::Main);
            }
            "dep" => {
                if let Some(m) = module_line(rest) {
                    info.deps.push(m);
                    last = Some(Last::Dep);
                } else {
                    last = None;
                }
            }
            "=>" => {
                let target = match last.take() {
                    Some(Last::Main) => info.main.as_mut(),
                    Some(Last::Dep) => info.deps.last_mut(),
                    None => None,
                };
                if let (Some(m), Some(r)) = (target, module_line(rest)) {
                    m.replace = Some(Box::new(r));
                }
            }
            "build" if info.settings.len() < MAX_SETTINGS => {
                if let Some((k, v)) = rest.split_once('=') {
                    info.settings
                        .push((unquote(k).to_string(), unquote(v).to_string()));
                }
            }
            _ => {}
        }
    }
    info
}

enum Last {
    Main,
    Dep,
}

/// `path\tversion[\tsum]` (a local `=>` replacement has an empty version).
fn module_line(rest: &str) -> Option<GoModule> {
    let mut fields = rest.split('\t');
    let path = fields.next()?.to_string();
    let version = fields.next()?.to_string();
    let sum = fields.next().filter(|s| !s.is_empty()).map(str::to_string);
    if fields.next().is_some() || path.is_empty() {
        return None;
    }
    Some(GoModule {
        path,
        version,
        sum,
        replace: None,
    })
}

/// Build setting keys and values with spaces or `=` are Go-quoted; the
/// quotes are enough to strip for what we keep them for.
fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// `pkg:golang/<module path>@<version>`: the whole module path, segment by
/// segment, so major-version suffixes (`/v2`) stay part of the identity.
pub fn go_purl(module: &str, version: &str) -> String {
    let (namespace, name) = match module.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, module),
    };
    purl("golang", namespace, name, version, &[])
}

/// The packages of one binary, as syft's Go binary cataloger names them:
/// every dependency (its replacement when replaced), the main module (when
/// the build info names none, the single `(devel)` dependency or else the
/// `path` line; when unstamped, `(devel)` unless `-ldflags -X` or the VCS
/// settings give a version), and `stdlib` at the Go version.
pub fn packages(info: &GoBuildInfo) -> Vec<(String, String)> {
    let mut deps: Vec<&GoModule> = info.deps.iter().collect();
    let main_missing = info
        .main
        .as_ref()
        .is_none_or(|m| m.path == "command-line-arguments");
    let mut main: Option<(String, String)> =
        info.main.as_ref().filter(|_| !main_missing).map(effective);
    if main_missing {
        let devel: Vec<usize> = (0..deps.len())
            .filter(|&i| deps[i].version == DEVEL)
            .collect();
        if let [i] = devel[..] {
            main = Some(effective(deps.remove(i)));
        } else if !info.path.is_empty() {
            main = Some((info.path.clone(), DEVEL.to_string()));
        }
    }
    if let Some((path, version)) = &mut main
        && version == DEVEL
        && let Some(v) = version_from_ldflags(info, path)
            .or_else(|| info.content_version.as_ref().map(|v| with_v(v)))
            .or_else(|| pseudo_version(info))
    {
        *version = v;
    }
    let mut out: Vec<(String, String)> = deps.into_iter().map(effective).collect();
    out.extend(main);
    out.retain(|(name, _)| !name.is_empty());
    if !out.is_empty() {
        let version = info.go_version.split(' ').next().unwrap_or_default();
        if !version.is_empty() {
            out.push(("stdlib".to_string(), version.to_string()));
        }
    }
    out
}

fn setting<'a>(info: &'a GoBuildInfo, key: &str) -> Option<&'a str> {
    info.settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A release version stamped with `-ldflags "-X main.version=1.2.3"` (or a
/// `...Version`, `...Ver`, `...Tag` variable of a main-module package),
/// as syft reads it for unstamped main modules: `v`-prefixed.
fn version_from_ldflags(info: &GoBuildInfo, main_path: &str) -> Option<String> {
    let ldflags = setting(info, "-ldflags")?;
    let mut tokens = ldflags
        .split_whitespace()
        .map(|t| t.trim_matches(|c| c == '\'' || c == '"'));
    while let Some(token) = tokens.next() {
        let assignment = match token {
            "-X" => tokens.next()?.trim_matches(|c| c == '\'' || c == '"'),
            t => match t.strip_prefix("-X=") {
                Some(a) => a,
                None => continue,
            },
        };
        let Some((var, value)) = assignment.split_once('=') else {
            continue;
        };
        let Some((package, name)) = var.rsplit_once('.') else {
            continue;
        };
        let in_main = package == "main"
            || package
                .strip_prefix(main_path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        let lower = name.to_ascii_lowercase();
        let version_var =
            lower.ends_with("version") || lower.ends_with("ver") || lower.ends_with("tag");
        // `refs/tags/v1.2.3` -> `v1.2.3`
        let value = value.rsplit('/').next().unwrap_or(value);
        if in_main && version_var && looks_like_release(value) {
            return Some(if value.starts_with('v') {
                value.to_string()
            } else {
                format!("v{value}")
            });
        }
    }
    None
}

fn with_v(v: &str) -> String {
    if v.starts_with('v') {
        v.to_string()
    } else {
        format!("v{v}")
    }
}

/// The first string of the binary that looks like a release, as syft's
/// "from contents" guess finds it for an unstamped main module: a NUL (or
/// a byte that is not UTF-8), optionally two bytes of which the second is
/// `L`, then `v?N.N.N` followed by word characters, `-` and `+`, then a NUL.
/// Go stores a string set with `-X pkg.gitVersion=v1.32.5` this way in
/// binaries whose build info lacks `-ldflags` (built with `-trimpath`,
/// kubectl's and docker's case).
pub fn version_from_contents(data: &[u8]) -> Option<String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // The version starting at `at`, if one ends with a NUL there.
    let version_at = |at: usize| -> Option<&[u8]> {
        let mut i = at;
        if data.get(i) == Some(&b'v') {
            i += 1;
        }
        for part in 0..3 {
            let start = i;
            while data.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            if part < 2 {
                if data.get(i) != Some(&b'.') {
                    return None;
                }
                i += 1;
            }
        }
        while data.get(i).is_some_and(|&b| word(b) || b == b'-') {
            i += 1;
        }
        while data.get(i).is_some_and(|&b| word(b) || b == b'+') {
            i += 1;
        }
        (data.get(i) == Some(&0)).then(|| &data[at..i])
    };
    let mut i = 0;
    while i + 1 < data.len() {
        let b = data[i];
        if b == 0 || b >= 0x80 {
            let found = (data.get(i + 2) == Some(&b'L'))
                .then(|| version_at(i + 3))
                .flatten()
                .or_else(|| version_at(i + 1));
            if let Some(v) = found {
                return Some(String::from_utf8_lossy(v).into_owned());
            }
        }
        i += 1;
    }
    None
}

/// `v?N.N.N` followed by anything.
fn looks_like_release(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.splitn(3, '.');
    let numeric = |p: Option<&str>, whole: bool| {
        p.is_some_and(|p| {
            let digits = p.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && (!whole || digits == p.len())
        })
    };
    numeric(parts.next(), true) && numeric(parts.next(), true) && numeric(parts.next(), false)
}

/// Go's pseudo-version for an untagged VCS build,
/// `v0.0.0-<UTC yyyymmddhhmmss>-<12-hex revision>`, from `vcs.revision`
/// and `vcs.time`.
fn pseudo_version(info: &GoBuildInfo) -> Option<String> {
    let revision = setting(info, "vcs.revision")?;
    let time = setting(info, "vcs.time")?;
    let digits: String = time.chars().take(19).filter(char::is_ascii_digit).collect();
    let stamp = if digits.len() == 14 && time.ends_with('Z') {
        digits
    } else {
        "00010101000000".to_string()
    };
    let short: String = revision.chars().take(12).collect();
    Some(format!("v0.0.0-{stamp}-{short}"))
}

fn effective(m: &GoModule) -> (String, String) {
    let m = m.replace.as_deref().unwrap_or(m);
    (m.path.clone(), m.version.clone())
}

/// Adds the Go modules of every Go executable of the final image.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[GoLayerFacts], inventory: &mut Inventory) {
    for (layer, path, file) in ctx.visible_in(facts, |f| &f.files) {
        inventory
            .warnings
            .extend_from(&file.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(info) = &file.info else { continue };
        for (name, version) in packages(info) {
            let purl = if name == "stdlib" {
                go_purl(&name, version.strip_prefix("go").unwrap_or(&version))
            } else {
                go_purl(&name, &version)
            };
            let mut pkg = Package::new(PackageType::Golang, name, version, purl, path, layer);
            if let Some((_, arch)) = info.settings.iter().find(|(k, _)| k == "GOARCH") {
                pkg.arch = Some(arch.clone());
            }
            inventory.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTINEL_START: &[u8; 16] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const SENTINEL_END: &[u8; 16] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    fn framed(text: &str) -> Vec<u8> {
        [SENTINEL_START, text.as_bytes(), SENTINEL_END].concat()
    }

    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend([8, FLAG_INLINE]);
        b.resize(HEADER_LEN, 0);
        for s in [version.as_bytes(), modinfo] {
            let mut n = s.len();
            while n >= 0x80 {
                b.push((n as u8) | 0x80);
                n >>= 7;
            }
            b.push(n as u8);
            b.extend_from_slice(s);
        }
        b
    }

    const MODINFO: &str = "path\texample.com/app/cmd/app\n\
        mod\texample.com/app\tv1.2.3\th1:abc=\n\
        dep\tgithub.com/a/b\tv0.1.0\th1:x=\n\
        dep\tgithub.com/old/c/v2\tv2.0.0\th1:y=\n\
        =>\tgithub.com/fork/c/v2\tv2.0.1\th1:z=\n\
        dep\tgolang.org/x/sys\tv0.31.0\n\
        build\tGOARCH=amd64\n\
        build\t\"-ldflags\"=\"-s -w\"\n";

    #[test]
    fn inline_blob_with_replacement() {
        let blob = inline_blob("go1.24.1 X:boringcrypto", &framed(MODINFO));
        let info = parse_blob(&blob, None).unwrap();
        assert_eq!(info.go_version, "go1.24.1 X:boringcrypto");
        assert_eq!(info.path, "example.com/app/cmd/app");
        assert_eq!(info.deps.len(), 3);
        assert_eq!(
            info.deps[1].replace.as_ref().unwrap().path,
            "github.com/fork/c/v2"
        );
        assert_eq!(info.settings[1], ("-ldflags".into(), "-s -w".into()));
        let pkgs = packages(&info);
        let names: Vec<String> = pkgs.iter().map(|(n, v)| format!("{n}@{v}")).collect();
        assert_eq!(
            names,
            [
                "github.com/a/b@v0.1.0",
                "github.com/fork/c/v2@v2.0.1",
                "golang.org/x/sys@v0.31.0",
                "example.com/app@v1.2.3",
                "stdlib@go1.24.1",
            ]
        );
    }

    #[test]
    fn missing_main_module_follows_syft() {
        // `go build file.go`: the main module is command-line-arguments.
        let info = parse_modinfo(
            "path\tcommand-line-arguments\nmod\tcommand-line-arguments\t(devel)\t\n\
             dep\texample.com/real\t(devel)\t\ndep\tgithub.com/a/b\tv1.0.0\t\n",
        );
        let pkgs = packages(&info);
        assert!(pkgs.contains(&("example.com/real".into(), DEVEL.into())));
        assert_eq!(pkgs.len(), 2, "{pkgs:?}"); // no stdlib without a Go version
        // No module at all (GOPATH mode): the path line, (devel).
        let info = GoBuildInfo {
            go_version: "go1.15".into(),
            path: "k8s.io/kubectl".into(),
            ..Default::default()
        };
        assert_eq!(
            packages(&info),
            [
                ("k8s.io/kubectl".into(), DEVEL.into()),
                ("stdlib".into(), "go1.15".into())
            ]
        );
    }

    #[test]
    fn unstamped_main_module_versions() {
        let with = |settings: &[(&str, &str)]| GoBuildInfo {
            go_version: "go1.21.0".into(),
            path: "github.com/acme/tool/cmd/tool".into(),
            main: Some(GoModule {
                path: "github.com/acme/tool".into(),
                version: DEVEL.into(),
                sum: None,
                replace: None,
            }),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let main_version = |info: &GoBuildInfo| {
            packages(info)
                .into_iter()
                .find(|(n, _)| n == "github.com/acme/tool")
                .map(|(_, v)| v)
                .unwrap()
        };
        let ld = "-s -w -X github.com/acme/tool/internal/version.Version=1.4.2 -X main.commit=abc";
        assert_eq!(main_version(&with(&[("-ldflags", ld)])), "v1.4.2");
        let ld = "-X=main.buildVersion=refs/tags/v2.0.0-rc.1";
        assert_eq!(main_version(&with(&[("-ldflags", ld)])), "v2.0.0-rc.1");
        // Another module's variable, or no release number: not a version.
        let ld = "-X github.com/other/lib.Version=1.0.0 -X main.version=dev";
        assert_eq!(main_version(&with(&[("-ldflags", ld)])), DEVEL);
        let vcs = [
            ("vcs.revision", "0123456789abcdef0123"),
            ("vcs.time", "2024-03-01T12:34:56Z"),
        ];
        assert_eq!(
            main_version(&with(&vcs)),
            "v0.0.0-20240301123456-0123456789ab"
        );
        // The contents' guess comes before the pseudo-version, after ldflags.
        let mut info = with(&vcs);
        info.content_version = Some("1.32.5".into());
        assert_eq!(main_version(&info), "v1.32.5");
        let mut info = with(&[("-ldflags", "-X main.version=2.0.0")]);
        info.content_version = Some("v1.32.5".into());
        assert_eq!(main_version(&info), "v2.0.0");
    }

    #[test]
    fn versions_in_contents() {
        let find = |d: &[u8]| version_from_contents(d);
        assert_eq!(
            find(b"junk\x00go1.22\x00\x00v1.32.5\x00more\x00v9.9.9\x00").as_deref(),
            Some("v1.32.5")
        );
        assert_eq!(find(b"\xff2.8.2+ds1\x00").as_deref(), Some("2.8.2+ds1"));
        assert_eq!(find(b"\x00\xa0Lv0.2.56\x00").as_deref(), Some("v0.2.56"));
        assert_eq!(
            find(b"\x00v1.32.4-dispatcher\x00").as_deref(),
            Some("v1.32.4-dispatcher")
        );
        // Not NUL-terminated, two numbers only, text around: nothing.
        assert_eq!(find(b"\x00v1.2.3 \x00v1.2\x00x1.2.3\x00"), None);
        assert_eq!(find(b""), None);
    }

    #[test]
    fn hostile_blobs_are_errors() {
        let mut blob = MAGIC.to_vec();
        blob.extend([8, FLAG_INLINE]);
        assert_eq!(parse_blob(&blob, None), Err(BuildInfoError::ShortHeader));
        blob.resize(HEADER_LEN, 0);
        blob.extend([0xff; 12]); // a varint that never ends
        assert!(parse_blob(&blob, None).is_err());
        let mut blob = inline_blob("go1.22", b"x");
        blob.truncate(blob.len() - 1);
        assert_eq!(parse_blob(&blob, None), Err(BuildInfoError::ShortString));
        let mut huge = MAGIC.to_vec();
        huge.extend([8, FLAG_INLINE]);
        huge.resize(HEADER_LEN, 0);
        huge.extend([0xff, 0xff, 0xff, 0xff, 0x7f]);
        assert!(matches!(
            parse_blob(&huge, None),
            Err(BuildInfoError::TooLong(_))
        ));
        let mut ptr = MAGIC.to_vec();
        ptr.extend([8, 0]);
        ptr.resize(HEADER_LEN, 0);
        assert_eq!(parse_blob(&ptr, None), Err(BuildInfoError::NeedsSegments));
        // Modinfo without sentinels: no modules, but the version stands.
        let info = parse_blob(&inline_blob("go1.20", b"path\tx\n"), None).unwrap();
        assert_eq!(
            (info.go_version.as_str(), info.path.as_str()),
            ("go1.20", "")
        );
    }

    #[test]
    fn purls() {
        assert_eq!(
            go_purl("github.com/cespare/xxhash/v2", "v2.3.0"),
            "pkg:golang/github.com/cespare/xxhash/v2@v2.3.0"
        );
        assert_eq!(
            go_purl("github.com/docker/cli", "v28.0.2+incompatible"),
            "pkg:golang/github.com/docker/cli@v28.0.2%2Bincompatible"
        );
        assert_eq!(go_purl("stdlib", "1.24.1"), "pkg:golang/stdlib@1.24.1");
    }
}
