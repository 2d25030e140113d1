//! The .NET portable-executable cataloger: every `*.dll` and `*.exe` that
//! is a PE file with a version resource (`VS_VERSIONINFO`) counts as one
//! package, named and versioned from that resource as syft 1.18's
//! `dotnet-portable-executable-cataloger` names it, in image and directory
//! scans alike:
//!
//! - the name is the first non-empty of `ProductName`, `FileDescription`,
//!   `InternalName`, `OriginalFilename`, or, for Microsoft's files (whose
//!   product name is something as broad as "Microsoft® .NET"),
//!   `FileDescription`, `InternalName`, `OriginalFilename`, `ProductName`;
//!   white space collapsed, control characters removed;
//! - the version is `ProductVersion` or `FileVersion`, each cut at the first
//!   word without a digit after one with (`4.7.4076.0 built by: NET472REL1`
//!   is `4.7.4076.0`): the greater when both are versions and differ, else
//!   the more detailed one (more `.`/`,` separators), else the one with a
//!   digit;
//! - the purl is `pkg:nuget/<name>@<version>` (the name is the product's,
//!   which is not always the NuGet package id: Newtonsoft.Json.dll says
//!   "Json.NET").
//!
//! A file without a version resource (a native library, most of them) or
//! without a name or version in it is no package and no warning; a file
//! that starts like a PE file (`MZ`) but whose headers or resources are cut
//! or corrupt is reported in the warnings. Unlike syft, `.DLL` and `.EXE`
//! count too (Windows images are case-insensitive). The version resource is
//! found with `object`'s PE reader; the resource's own tree of
//! length-prefixed UTF-16 nodes is read here.

use std::collections::HashMap;

use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ImageNtHeaders, PeFile, ResourceDirectoryEntryData};
use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A PE file larger than this is not read (the engine would buffer it whole).
pub const PE_LIMIT: u64 = 256 * 1024 * 1024;
/// Smaller than a DOS header and a PE header: not a PE file.
const MIN_PE: u64 = 128;

/// One assembly as its version resource describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeAssembly {
    pub name: String,
    pub version: String,
    /// The resource's `Assembly Version`, `CompanyName`, `ProductName`,
    /// `ProductVersion`, `FileVersion`, where present.
    pub fields: Vec<(String, String)>,
}

/// A `*.dll`/`*.exe` as one layer stores it: an assembly, or nothing (not a
/// PE file, no version resource), and why it could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeRecord {
    pub assembly: Option<PeAssembly>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`DotnetPeCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeLayerFacts {
    pub files: Vec<(String, PeRecord)>,
}

/// .NET assemblies and other PE files with a version resource: an
/// [`Analyzer`] for the engine's pass.
pub struct DotnetPeCataloger;

pub struct DotnetPeVisitor(PeLayerFacts);

/// `*.dll` or `*.exe`, in any case.
fn is_candidate_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.len() > 4 && {
        let ext = &name.as_bytes()[name.len() - 4..];
        ext.eq_ignore_ascii_case(b".dll") || ext.eq_ignore_ascii_case(b".exe")
    }
}

impl Analyzer for DotnetPeCataloger {
    type Facts = PeLayerFacts;
    type Visitor = DotnetPeVisitor;
    const NAME: &'static str = "sbom-dotnet-pe";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (entry.kind == EntryKind::File
            && is_candidate_name(entry.path)
            && (MIN_PE..=PE_LIMIT).contains(&entry.size))
        .then_some(entry.size)
    }

    fn visitor(&self) -> DotnetPeVisitor {
        DotnetPeVisitor(PeLayerFacts::default())
    }
}

impl LayerVisitor for DotnetPeVisitor {
    type Facts = PeLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_candidate_name(entry.path) {
            return;
        }
        let record = if entry.size > PE_LIMIT {
            PeRecord {
                assembly: None,
                warnings: plimsoll_report::Warnings::from_iter([format!(
                    "{} bytes, larger than {PE_LIMIT}: not read",
                    entry.size
                )]),
            }
        } else {
            parse(content.unwrap_or(&[]))
        };
        let facts = &mut self.0;
        // A path stored twice in one tar: the later entry wins.
        facts.files.retain(|(p, _)| p != entry.path);
        if record.assembly.is_some() || !record.warnings.is_empty() {
            facts.files.push((entry.path.to_string(), record));
        }
    }

    fn finish(self) -> PeLayerFacts {
        self.0
    }
}

/// Reads a PE file's version resource.
pub fn parse(data: &[u8]) -> PeRecord {
    if !data.starts_with(b"MZ") {
        return PeRecord::default();
    }
    let broken = |why: String| PeRecord {
        assembly: None,
        warnings: plimsoll_report::Warnings::from_iter([why]),
    };
    let resource = match object::FileKind::parse(data) {
        Ok(object::FileKind::Pe32) => version_resource::<pe::ImageNtHeaders32>(data),
        Ok(object::FileKind::Pe64) => version_resource::<pe::ImageNtHeaders64>(data),
        // MZ but no PE header: a DOS program, nothing to say.
        Ok(_) => return PeRecord::default(),
        Err(e) => return broken(format!("not a readable PE file ({e}): skipped")),
    };
    let resource = match resource {
        Ok(Some(r)) => r,
        Ok(None) => return PeRecord::default(),
        Err(e) => return broken(format!("PE file unreadable ({e}): skipped")),
    };
    let strings = version_strings(resource);
    PeRecord {
        assembly: assembly(&strings),
        warnings: plimsoll_report::Warnings::new(),
    }
}

/// The bytes of the first `RT_VERSION` resource, if the file has one.
fn version_resource<Pe: ImageNtHeaders>(data: &[u8]) -> object::Result<Option<&[u8]>> {
    let file = PeFile::<Pe>::parse(data)?;
    let sections = file.section_table();
    let Some(dir) = file
        .data_directories()
        .resource_directory(data, &sections)?
    else {
        return Ok(None);
    };
    let root = dir.root()?;
    let Some(versions) = root
        .entries
        .iter()
        .find(|e| e.name_or_id().id() == Some(pe::RT_VERSION))
    else {
        return Ok(None);
    };
    // type → name → language → data: the first of each.
    let mut entry = versions.data(dir)?;
    for _ in 0..2 {
        let ResourceDirectoryEntryData::Table(table) = entry else {
            break;
        };
        let Some(first) = table.entries.first() else {
            return Ok(None);
        };
        entry = first.data(dir)?;
    }
    let ResourceDirectoryEntryData::Data(data_entry) = entry else {
        return Ok(None);
    };
    let rva = data_entry.offset_to_data.get(LE);
    let size = data_entry.size.get(LE) as usize;
    Ok(sections
        .pe_data_at(data, rva)
        .map(|d| &d[..size.min(d.len())]))
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn align4(at: usize) -> usize {
    (at + 3) & !3
}

/// A NUL-terminated UTF-16LE string from `at`, not past `end`: the string
/// and the offset after its terminator.
fn utf16z(data: &[u8], mut at: usize, end: usize) -> (String, usize) {
    let mut units = Vec::new();
    while at + 2 <= end {
        let u = u16_at(data, at).unwrap_or(0);
        at += 2;
        if u == 0 {
            break;
        }
        units.push(u);
    }
    (String::from_utf16_lossy(&units), at)
}

/// One node of the version resource's tree (`VS_VERSIONINFO`,
/// `StringFileInfo`, a string table, a string): its key, its value's
/// bytes, where its children start and where it ends. Offsets are from the
/// start of the resource, which is what the 32-bit alignment is relative to.
struct VersionNode {
    key: String,
    value: (usize, usize),
    text: bool,
    children: usize,
    end: usize,
}

fn version_node(data: &[u8], at: usize, limit: usize) -> Option<VersionNode> {
    let len = u16_at(data, at)? as usize;
    if len < 6 {
        return None;
    }
    let end = (at + len).min(limit);
    let value_len = u16_at(data, at + 2)? as usize;
    let text = u16_at(data, at + 4)? == 1;
    let (key, after_key) = utf16z(data, at + 6, end);
    let value_start = align4(after_key).min(end);
    // A text value's length counts UTF-16 units; some writers count bytes:
    // the string is read up to its NUL either way.
    let value_end = (value_start + if text { value_len * 2 } else { value_len }).min(end);
    Some(VersionNode {
        key,
        value: (value_start, value_end),
        text,
        children: align4(value_end),
        end,
    })
}

/// The children of a node.
fn children(data: &[u8], node: &VersionNode) -> Vec<VersionNode> {
    let mut out = Vec::new();
    let mut at = node.children;
    while at + 6 <= node.end && out.len() < 4096 {
        let Some(child) = version_node(data, at, node.end) else {
            break;
        };
        let next = align4(child.end);
        out.push(child);
        if next <= at {
            break;
        }
        at = next;
    }
    out
}

/// Every string of the resource's `StringFileInfo` tables (the first table
/// that names a key wins).
fn version_strings(resource: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(root) = version_node(resource, 0, resource.len()) else {
        return out;
    };
    if root.key != "VS_VERSION_INFO" {
        return out;
    }
    for info in children(resource, &root) {
        if info.key != "StringFileInfo" {
            continue;
        }
        for table in children(resource, &info) {
            for s in children(resource, &table) {
                let value = if s.text || s.value.1 > s.value.0 {
                    utf16z(resource, s.value.0, s.end).0
                } else {
                    String::new()
                };
                out.entry(s.key).or_insert(value);
            }
        }
    }
    out
}

/// White space runs (no-break space included) as one space, control
/// characters removed, trimmed.
fn space_normalize(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect::<String>()
        .split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// The version words up to the first one without a digit after one with.
fn extract_version(version: &str) -> String {
    let mut out = String::new();
    for word in version.split_whitespace() {
        if has_digit(&out) && !has_digit(word) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A version as hashicorp's go-version reads one (`1.2.3`, `v1.2`,
/// `1.2.3-beta.1`, `1.2.3+meta`): numeric segments and a pre-release.
fn semantic(v: &str) -> Option<(Vec<u64>, Option<&str>)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split_once('+').map_or(v, |(a, _)| a);
    let end = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (numbers, rest) = v.split_at(end);
    if numbers.is_empty() || numbers.ends_with('.') || numbers.starts_with('.') {
        return None;
    }
    let segments: Option<Vec<u64>> = numbers.split('.').map(|s| s.parse().ok()).collect();
    let pre = rest.strip_prefix('-').unwrap_or(rest);
    if !pre
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '~'))
    {
        return None;
    }
    Some((segments?, (!pre.is_empty()).then_some(pre)))
}

fn compare_semantic(
    a: &(Vec<u64>, Option<&str>),
    b: &(Vec<u64>, Option<&str>),
) -> std::cmp::Ordering {
    let n = a.0.len().max(b.0.len());
    for i in 0..n {
        let (x, y) = (
            a.0.get(i).copied().unwrap_or(0),
            b.0.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    match (a.1, b.1) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    }
}

fn punctuation(s: &str) -> usize {
    // Runs of `.` and `,` count once each.
    let mut count = 0;
    let mut previous = false;
    for c in s.chars() {
        let p = matches!(c, '.' | ',');
        if p && !previous {
            count += 1;
        }
        previous = p;
    }
    count
}

/// The package version from `ProductVersion` and `FileVersion`.
fn find_version(strings: &HashMap<String, String>) -> String {
    let get = |k: &str| extract_version(strings.get(k).map_or("", String::as_str).trim());
    let (product, file) = (get("ProductVersion"), get("FileVersion"));
    if let Some(p) = semantic(&product) {
        match semantic(&file) {
            None => return product,
            Some(f) => match compare_semantic(&f, &p) {
                std::cmp::Ordering::Greater => return file,
                std::cmp::Ordering::Less => return product,
                std::cmp::Ordering::Equal => {}
            },
        }
    }
    let (pd, fd) = (punctuation(&product), punctuation(&file));
    if has_digit(&product) && pd >= fd {
        product
    } else if has_digit(&file) && fd > 0 {
        file
    } else if has_digit(&product) || !has_digit(&file) {
        product
    } else {
        file
    }
}

fn is_microsoft(strings: &HashMap<String, String>) -> bool {
    ["CompanyName", "ProductName"].iter().any(|k| {
        strings
            .get(*k)
            .is_some_and(|v| v.to_lowercase().contains("microsoft"))
    })
}

/// The package the strings describe, if they name one with a version.
fn assembly(strings: &HashMap<String, String>) -> Option<PeAssembly> {
    let fields: &[&str] = if is_microsoft(strings) {
        &[
            "FileDescription",
            "InternalName",
            "OriginalFilename",
            "ProductName",
        ]
    } else {
        &[
            "ProductName",
            "FileDescription",
            "InternalName",
            "OriginalFilename",
        ]
    };
    let name = fields
        .iter()
        .map(|f| space_normalize(strings.get(*f).map_or("", String::as_str)))
        .find(|n| !n.is_empty())?;
    let version = find_version(strings);
    if version.is_empty() {
        return None;
    }
    let mut kept: Vec<(String, String)> = [
        "Assembly Version",
        "CompanyName",
        "ProductName",
        "ProductVersion",
        "FileVersion",
    ]
    .iter()
    .filter_map(|k| {
        let v = strings.get(*k)?.trim();
        (!v.is_empty()).then(|| (k.to_string(), v.to_string()))
    })
    .collect();
    kept.sort();
    Some(PeAssembly {
        name,
        version,
        fields: kept,
    })
}

/// `pkg:nuget/<name>@<version>`, as syft writes a PE file's purl.
pub fn pe_purl(a: &PeAssembly) -> String {
    purl("nuget", None, &a.name, &a.version, &[])
}

/// The assemblies of the final image, added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[PeLayerFacts], inventory: &mut Inventory) {
    for (layer, path, record) in ctx.visible_in(facts, |f| &f.files) {
        inventory
            .warnings
            .extend_from(&record.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(a) = &record.assembly else {
            continue;
        };
        let mut pkg = Package::new(
            PackageType::Nuget,
            &a.name,
            &a.version,
            pe_purl(a),
            path,
            layer,
        );
        pkg.files = vec![path.to_string()];
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str) -> PeRecord {
        let path = format!("{}/tests/data/dotnet-pe/{name}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read(path).unwrap())
    }

    #[test]
    fn debian_assemblies() {
        // Debian's libmono-cecil-cil 0.9.5+dfsg-5.1 and
        // libnewtonsoft-json5.0-cil 6.0.8+dfsg-1.1 (see PROVENANCE.md);
        // syft 1.18.1 says the same of both.
        let r = read("Mono.Cecil.Rocks.dll");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let a = r.assembly.unwrap();
        assert_eq!(
            (a.name.as_str(), a.version.as_str()),
            ("Mono.Cecil", "0.9.5.0")
        );
        assert_eq!(pe_purl(&a), "pkg:nuget/Mono.Cecil@0.9.5.0");
        assert!(
            a.fields
                .iter()
                .any(|(k, v)| k == "FileVersion" && v == "0.9.5.0"),
            "{:?}",
            a.fields
        );
        let a = read("policy.5.0.Newtonsoft.Json.dll").assembly.unwrap();
        assert_eq!(
            (a.name.as_str(), a.version.as_str()),
            ("policy.5.0.Newtonsoft.Json", "0.0.0.0")
        );
    }

    #[test]
    fn versions_as_syft_picks_them() {
        assert_eq!(
            extract_version("4.7.4076.0 built by: NET472REL1LAST_B"),
            "4.7.4076.0"
        );
        assert_eq!(extract_version("Release 73"), "Release 73");
        assert_eq!(extract_version("1, 0, 0, 0"), "1, 0, 0, 0");
        let pick = |product: &str, file: &str| {
            let m: HashMap<String, String> = [
                ("ProductVersion".to_string(), product.to_string()),
                ("FileVersion".to_string(), file.to_string()),
            ]
            .into_iter()
            .collect();
            find_version(&m)
        };
        assert_eq!(pick("1.2.3", "1.2.4.0"), "1.2.4.0");
        assert_eq!(pick("2.0", "1.9.9"), "2.0");
        // Equal as versions: the more detailed one.
        assert_eq!(pick("1.2", "1.2.0.0"), "1.2.0.0");
        assert_eq!(pick("1, 0, 0, 0", "1.0"), "1, 0, 0, 0");
        assert_eq!(pick("", "3.1"), "3.1");
        assert_eq!(pick("", ""), "");
        assert_eq!(space_normalize(" a\u{a0}\u{a0}b\u{1}c \t"), "a bc");
    }

    #[test]
    fn not_pe_or_broken() {
        // Not MZ: nothing, silently (a Linux `.dll` text file, say).
        assert_eq!(parse(b"hello"), PeRecord::default());
        // MZ with a PE offset past the end: a warning, no panic.
        let mut mz = vec![0u8; 128];
        mz[..2].copy_from_slice(b"MZ");
        mz[0x3c..0x40].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
        let r = parse(&mz);
        assert!(r.assembly.is_none());
        // A real assembly cut short: never a panic, at worst a warning.
        let whole = std::fs::read(format!(
            "{}/tests/data/dotnet-pe/Mono.Cecil.Rocks.dll",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        for cut in (0..whole.len()).step_by(997) {
            let _ = parse(&whole[..cut]);
        }
        // A corrupt version resource: no package, no panic.
        let mut bad = whole.clone();
        if let Some(at) = bad.windows(30).position(|w| {
            w == "VS_VERSION_INFO"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>()
        }) {
            for b in &mut bad[at + 30..at + 200] {
                *b = 0xff;
            }
        }
        let _ = parse(&bad);
        assert!(is_candidate_name("a/B.DLL"));
        assert!(is_candidate_name("x.exe"));
        assert!(!is_candidate_name("x.dll.config"));
        assert!(!is_candidate_name(".dll"));
    }
}
