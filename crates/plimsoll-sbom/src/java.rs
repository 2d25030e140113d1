//! Java archives (jar, war, ear, Jenkins jpi/hpi and friends): Maven
//! coordinates from `META-INF/maven/<group>/<artifact>/pom.properties`,
//! else from `META-INF/MANIFEST.MF` and the file name, following the
//! precedence syft's java cataloger uses so the two agree on names; nested
//! archives (`WEB-INF/lib/`, `BOOT-INF/lib/`, `lib/`...) are read
//! recursively.
//!
//! Archives are hostile input: the entry count, each member's and all
//! members' uncompressed bytes, and the nesting depth are capped; a corrupt
//! or truncated archive is a warning naming the layer and path.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// Archive files larger than this are not read (the engine buffers them).
pub const ARCHIVE_LIMIT: u64 = 256 * 1024 * 1024;
/// Most entries one archive may list (real fat jars: ~20k).
pub const MAX_ENTRIES: u64 = 100_000;
/// Largest manifest or pom.properties read.
pub const MAX_METADATA: u64 = 1024 * 1024;
/// Largest nested archive read (it is buffered whole).
pub const MAX_NESTED: u64 = 128 * 1024 * 1024;
/// Uncompressed bytes read for one top-level archive, nested ones included.
pub const MAX_TOTAL: u64 = 512 * 1024 * 1024;
/// Archives inside archives inside archives: a war in an ear is depth 2.
pub const MAX_DEPTH: usize = 4;

/// Java archive extensions (lowercase), as syft's java cataloger globs them.
const EXTENSIONS: &[&str] = &[
    ".jar", ".war", ".ear", ".jpi", ".hpi", ".par", ".sar", ".nar", ".kar",
];

fn is_archive_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e)) && !lower.ends_with('/')
}

/// One package found in an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JavaPackage {
    pub group: String,
    pub artifact: String,
    pub version: String,
    /// Where in the archive, for nested archives: `WEB-INF/lib/a.jar`, or
    /// `x.war:WEB-INF/lib/a.jar` two levels down; empty for the archive itself.
    pub inner: String,
    /// `Bundle-License` of the manifest, for the archive's own package.
    pub licenses: Vec<String>,
}

/// One archive file as one layer stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JavaArchiveFacts {
    pub packages: Vec<JavaPackage>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`JavaCataloger`] found in one layer, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JavaLayerFacts {
    pub archives: Vec<(String, JavaArchiveFacts)>,
}

/// Maven packages in Java archives.
pub struct JavaCataloger;

pub struct JavaVisitor(JavaLayerFacts);

impl Analyzer for JavaCataloger {
    type Facts = JavaLayerFacts;
    type Visitor = JavaVisitor;
    const NAME: &'static str = "sbom-java";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (entry.kind == EntryKind::File
            && entry.size <= ARCHIVE_LIMIT
            && is_archive_name(entry.path))
        .then_some(entry.size)
    }

    fn visitor(&self) -> JavaVisitor {
        JavaVisitor(JavaLayerFacts::default())
    }
}

impl LayerVisitor for JavaVisitor {
    type Facts = JavaLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_archive_name(entry.path) {
            return;
        }
        let facts = match content {
            Some(data) if (data.len() as u64) == entry.size => read_archive(entry.path, data),
            Some(data) => JavaArchiveFacts {
                warnings: plimsoll_report::Warnings::from_iter([format!(
                    "only {} of {} bytes were read: archive skipped",
                    data.len(),
                    entry.size
                )]),
                ..Default::default()
            },
            None if entry.size > ARCHIVE_LIMIT => JavaArchiveFacts {
                warnings: plimsoll_report::Warnings::from_iter([format!(
                    "archive of {} bytes exceeds the limit of {ARCHIVE_LIMIT}: not read",
                    entry.size
                )]),
                ..Default::default()
            },
            None => JavaArchiveFacts {
                warnings: plimsoll_report::Warnings::from_iter([
                    "empty file, not a zip archive".to_string()
                ]),
                ..Default::default()
            },
        };
        self.0.archives.retain(|(p, _)| p != entry.path);
        self.0.archives.push((entry.path.to_string(), facts));
    }

    fn finish(self) -> JavaLayerFacts {
        self.0
    }
}

/// The packages of an archive file at `path` (its name counts) with
/// bytes `data`, nested archives included.
pub fn read_archive(path: &str, data: &[u8]) -> JavaArchiveFacts {
    let mut out = JavaArchiveFacts::default();
    let mut budget = MAX_TOTAL;
    walk(path, data, "", 0, &mut budget, &mut out);
    out
}

fn walk(
    file_name: &str,
    data: &[u8],
    inner: &str,
    depth: usize,
    budget: &mut u64,
    out: &mut JavaArchiveFacts,
) {
    let here = |why: String| {
        if inner.is_empty() {
            why
        } else {
            format!("{inner}: {why}")
        }
    };
    if let Some(n) = declared_entries(data)
        && n > MAX_ENTRIES
    {
        out.warnings.push(here(format!(
            "the zip lists {n} entries, more than the limit of {MAX_ENTRIES}: not read"
        )));
        return;
    }
    let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => {
            out.warnings
                .push(here(format!("corrupt or truncated zip archive: {e}")));
            return;
        }
    };
    if zip.len() as u64 > MAX_ENTRIES {
        out.warnings.push(here(format!(
            "the zip lists {} entries, more than the limit of {MAX_ENTRIES}: not read",
            zip.len()
        )));
        return;
    }
    let mut manifest_at = None;
    let mut poms = Vec::new();
    let mut nested = Vec::new();
    for (i, name) in zip.file_names().enumerate() {
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            manifest_at = Some(i);
        } else if name.ends_with("pom.properties") {
            poms.push(i);
        } else if is_archive_name(name) {
            nested.push(i);
        }
    }
    // file_names() is in central-directory order; keep indices in order.
    poms.sort_unstable();
    nested.sort_unstable();

    let manifest = manifest_at.and_then(|i| match read_member(&mut zip, i, MAX_METADATA, budget) {
        Ok((_, bytes)) => Some(Manifest::parse(&String::from_utf8_lossy(&bytes))),
        Err(e) => {
            out.warnings.push(here(e));
            None
        }
    });
    let mut properties: BTreeMap<String, PomProperties> = BTreeMap::new();
    for i in poms {
        match read_member(&mut zip, i, MAX_METADATA, budget) {
            Ok((name, bytes)) => {
                let p = PomProperties::parse(&String::from_utf8_lossy(&bytes));
                if !p.artifact_id.is_empty() && !p.version.is_empty() {
                    let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    properties.insert(dir.to_string(), p);
                }
            }
            Err(e) => out.warnings.push(here(e)),
        }
    }
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    for mut p in identify(base, manifest.as_ref(), &properties) {
        p.inner = inner.to_string();
        out.packages.push(p);
    }

    if nested.is_empty() {
        return;
    }
    if depth + 1 >= MAX_DEPTH {
        out.warnings.push(here(format!(
            "{} nested archives deeper than {MAX_DEPTH} levels not read",
            nested.len()
        )));
        return;
    }
    for i in nested {
        match read_member(&mut zip, i, MAX_NESTED, budget) {
            Ok((name, bytes)) => {
                let inner = if inner.is_empty() {
                    name.clone()
                } else {
                    format!("{inner}:{name}")
                };
                walk(&name, &bytes, &inner, depth + 1, budget, out);
            }
            Err(e) => out.warnings.push(here(e)),
        }
    }
}

/// The entry count the end-of-central-directory records declare (the
/// largest, zip64 included), read before the zip reader sizes its tables
/// from it.
fn declared_entries(data: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const ZIP64_LOCATOR: &[u8] = b"PK\x06\x07";
    const ZIP64_EOCD: &[u8] = b"PK\x06\x06";
    let tail_start = data.len().saturating_sub(22 + 65_535);
    let tail = &data[tail_start..];
    let mut max = None;
    for at in (0..tail.len().saturating_sub(3)).filter(|&i| tail[i..].starts_with(EOCD)) {
        let eocd = tail_start + at;
        let Some(total) = data.get(eocd + 10..eocd + 12) else {
            continue;
        };
        let mut n = u64::from(u16::from_le_bytes([total[0], total[1]]));
        // A zip64 locator sits right before the record and points at the
        // zip64 record, whose count is 64-bit.
        if let Some(loc) = eocd.checked_sub(20).and_then(|s| data.get(s..eocd))
            && loc.starts_with(ZIP64_LOCATOR)
            && let Ok(off) = <[u8; 8]>::try_from(&loc[8..16])
            && let Ok(off) = usize::try_from(u64::from_le_bytes(off))
            && let Some(rec) = data.get(off..off.saturating_add(40))
            && rec.starts_with(ZIP64_EOCD)
            && let Ok(count) = <[u8; 8]>::try_from(&rec[32..40])
        {
            n = n.max(u64::from_le_bytes(count));
        }
        max = Some(max.map_or(n, |m: u64| m.max(n)));
    }
    max
}

/// One member's name and bytes, at most `cap` of them and within the
/// archive's remaining budget.
fn read_member(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    cap: u64,
    budget: &mut u64,
) -> Result<(String, Vec<u8>), String> {
    let member = zip
        .by_index(index)
        .map_err(|e| format!("member #{index}: {e}"))?;
    let name = member.name().to_string();
    let declared = member.size();
    let limit = cap.min(*budget);
    if declared > limit {
        return Err(if declared > cap {
            format!("{name}: {declared} bytes uncompressed, more than the limit of {cap}: skipped")
        } else {
            format!(
                "{name}: the archive's budget of {MAX_TOTAL} uncompressed bytes is spent: skipped"
            )
        });
    }
    let mut bytes = Vec::new();
    // The declared size may lie: stop at the limit regardless.
    member
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: unreadable ({e})"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{name}: inflates past its declared size and the limit: skipped"
        ));
    }
    *budget -= bytes.len() as u64;
    Ok((name, bytes))
}

/// `META-INF/MANIFEST.MF`: `Key: value` lines, continuation lines start
/// with one space, sections separated by blank lines; the first is the
/// main section.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub sections: Vec<Vec<(String, String)>>,
}

impl Manifest {
    pub fn parse(text: &str) -> Manifest {
        let mut sections: Vec<Vec<(String, String)>> = Vec::new();
        let mut in_section = false;
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                in_section = false;
                continue;
            }
            if let Some(cont) = line.strip_prefix(' ') {
                if in_section && let Some((_, v)) = sections.last_mut().and_then(|s| s.last_mut()) {
                    v.push_str(cont.trim_end());
                }
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let k = k.trim();
            if k.is_empty() {
                continue;
            }
            if !in_section {
                sections.push(Vec::new());
                in_section = true;
            }
            if let Some(s) = sections.last_mut() {
                s.push((k.to_string(), v.trim().to_string()));
            }
        }
        Manifest { sections }
    }

    /// A main-section value (keys are case-insensitive), non-empty.
    pub fn main(&self, key: &str) -> Option<&str> {
        Self::get(self.sections.first()?, key)
    }

    /// The main section's value, else the first other section's.
    pub fn any(&self, key: &str) -> Option<&str> {
        self.sections.iter().find_map(|s| Self::get(s, key))
    }

    fn get<'a>(section: &'a [(String, String)], key: &str) -> Option<&'a str> {
        section
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}

/// `pom.properties`: Java properties with `groupId`, `artifactId`, `version`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PomProperties {
    pub group_id: String,
    pub artifact_id: String,
    pub version: String,
}

impl PomProperties {
    pub fn parse(text: &str) -> PomProperties {
        let mut p = PomProperties::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                continue;
            }
            let Some(at) = line.find(['=', ':']) else {
                continue;
            };
            let (k, v) = (line[..at].trim(), line[at + 1..].trim().to_string());
            match k {
                "groupId" => p.group_id = v,
                "artifactId" => p.artifact_id = v,
                "version" => p.version = v,
                _ => {}
            }
        }
        p
    }

    /// The group, or the artifact id when that is really a group id.
    fn group(&self) -> String {
        if !self.group_id.is_empty() {
            clean_group(&self.group_id)
        } else if self.artifact_id.contains('.') {
            clean_group(&self.artifact_id)
        } else {
            String::new()
        }
    }
}

/// Drops OSGi directives (`org.bar;uses:=...`) and `#` fragments.
fn clean_group(g: &str) -> String {
    let g = g.split(';').next().unwrap_or(g);
    g.split('#').next().unwrap_or(g).trim().to_string()
}

/// Name and version from an archive's file name: `commons-lang3-3.12.0.jar`
/// -> (`commons-lang3`, `3.12.0`). The version starts at the first
/// dash-separated group that starts with a digit or `build<digit>`, or that
/// is a final `r<digits>`/`rc<digits>`; every name group must start with a
/// letter (otherwise neither is known). Without such a group, a trailing
/// `_1.2` or `.1.2` is the version.
pub fn name_and_version(file_name: &str) -> (String, String) {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    let groups: Vec<&str> = stem.split('-').collect();
    let last = groups.len().saturating_sub(1);
    let version_like = |i: usize, g: &str| {
        let lower = g.to_ascii_lowercase();
        let digit_at = |n: usize| lower.as_bytes().get(n).is_some_and(u8::is_ascii_digit);
        digit_at(0)
            || (lower.starts_with("build") && digit_at(5))
            || (i == last && {
                let digits = lower
                    .strip_prefix("rc")
                    .or_else(|| lower.strip_prefix('r'))
                    .unwrap_or("");
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            })
    };
    let split = (1..groups.len()).find(|&i| version_like(i, groups[i]));
    let name_groups = &groups[..split.unwrap_or(groups.len())];
    let valid = name_groups.iter().all(|g| {
        g.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && g.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    });
    if !valid {
        return (String::new(), String::new());
    }
    let name = name_groups.join("-");
    if let Some(i) = split {
        return (name, groups[i..].join("-"));
    }
    // `name_1.2`, `name.1.2`
    let bytes = name.as_bytes();
    for (p, b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'_' | b'-') && bytes.get(p + 1).is_some_and(u8::is_ascii_digit) {
            return (name[..p].to_string(), name[p + 1..].to_string());
        }
    }
    (name, String::new())
}

/// The packages of one archive (not its nested ones): its own package
/// (pom.properties matching the file name, else the manifest and file
/// name), then every other pom.properties. An archive with a manifest
/// naming `Weave-Classes` (an instrumentation jar posing as what it
/// instruments) yields none.
pub fn identify(
    file_name: &str,
    manifest: Option<&Manifest>,
    properties: &BTreeMap<String, PomProperties>,
) -> Vec<JavaPackage> {
    if manifest.is_some_and(|m| m.any("Weave-Classes").is_some()) {
        return Vec::new();
    }
    let (file_artifact, file_version) = name_and_version(file_name);
    let mut out = Vec::new();
    let mut own: Option<(JavaPackage, Option<&PomProperties>)> = manifest.map(|m| {
        let exact = properties.values().any(|p| p.artifact_id == file_artifact);
        let pom = properties.values().find(|p| {
            !file_artifact.is_empty()
                && if exact {
                    p.artifact_id == file_artifact
                } else {
                    p.artifact_id.starts_with(&file_artifact)
                        || file_artifact.ends_with(&p.artifact_id)
                }
        });
        let artifact = pom
            .map(|p| p.artifact_id.clone())
            .unwrap_or_else(|| name_from_manifest_or_file(m, &file_artifact));
        let version = pom
            .map(|p| p.version.clone())
            .or_else(|| (!file_version.is_empty()).then(|| file_version.clone()))
            .or_else(|| {
                [
                    "Implementation-Version",
                    "Specification-Version",
                    "Plugin-Version",
                    "Bundle-Version",
                ]
                .iter()
                .find_map(|k| m.any(k))
                .map(str::to_string)
            })
            .unwrap_or_default();
        let licenses = m
            .any("Bundle-License")
            .map(str::to_string)
            .into_iter()
            .collect();
        (
            JavaPackage {
                group: String::new(),
                artifact,
                version,
                inner: String::new(),
                licenses,
            },
            pom,
        )
    });
    for p in properties.values() {
        if let Some((pkg, own_pom)) = &mut own {
            // Same artifact id as the archive's own package: the same
            // package, whatever the version (as syft decides).
            if p.artifact_id == pkg.artifact {
                // The pom describes the archive itself: it names it better.
                pkg.artifact = p.artifact_id.clone();
                pkg.version = p.version.clone();
                own_pom.get_or_insert(p);
                continue;
            }
        }
        let group = p.group();
        out.push(JavaPackage {
            group: if group.is_empty() {
                p.artifact_id.clone()
            } else {
                group
            },
            artifact: p.artifact_id.clone(),
            version: p.version.clone(),
            inner: String::new(),
            licenses: Vec::new(),
        });
    }
    if let Some((mut pkg, pom)) = own
        && !pkg.artifact.is_empty()
    {
        pkg.group = pom
            .map(PomProperties::group)
            .filter(|g| !g.is_empty())
            .or_else(|| manifest.and_then(group_from_manifest))
            .unwrap_or_else(|| pkg.artifact.clone());
        out.insert(0, pkg);
    }
    out
}

/// The archive's name when no pom.properties names it: a Maven bundle
/// plugin's `Bundle-SymbolicName` (`group.artifact`), the file name (its
/// last dotted part when it looks like `group.artifact`), then the
/// manifest's own name fields.
fn name_from_manifest_or_file(m: &Manifest, file_artifact: &str) -> String {
    if m.main("Created-By")
        .is_some_and(|c| c.contains("Apache Maven Bundle Plugin"))
        && let Some(symbolic) = m.main("Bundle-SymbolicName")
        && m.main("Implementation-Vendor-Id") != Some(symbolic)
    {
        return symbolic.rsplit('.').next().unwrap_or(symbolic).to_string();
    }
    if !file_artifact.is_empty() {
        if file_artifact.contains('.') && !file_artifact.starts_with("org.eclipse.") {
            let all_identifiers = file_artifact.split('.').all(|f| {
                f.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '$' || c == '_')
            });
            if all_identifiers {
                return file_artifact
                    .rsplit('.')
                    .next()
                    .unwrap_or(file_artifact)
                    .to_string();
            }
        }
        return file_artifact.to_string();
    }
    [
        "Name",
        "Bundle-Name",
        "Short-Name",
        "Extension-Name",
        "Implementation-Title",
    ]
    .iter()
    .find_map(|k| m.main(k))
    .unwrap_or_default()
    .to_string()
}

/// A group id from manifest fields that hold one (`Bundle-SymbolicName`,
/// vendor ids, ...), when the value starts like a reversed domain; the
/// alphabetically first of the likeliest fields.
fn group_from_manifest(m: &Manifest) -> Option<String> {
    const PRIMARY: &[&str] = &[
        "Group-Id",
        "Bundle-SymbolicName",
        "Extension-Name",
        "Specification-Vendor",
        "Implementation-Vendor",
        "Implementation-Vendor-Id",
        "Implementation-Title",
        "Bundle-Activator",
    ];
    const SECONDARY: &[&str] = &["Automatic-Module-Name", "Main-Class", "Package"];
    for fields in [PRIMARY, SECONDARY] {
        let mut found: Vec<String> = fields
            .iter()
            .flat_map(|k| m.sections.iter().filter_map(move |s| Manifest::get(s, k)))
            .filter(|v| {
                ["com", "org", "net", "io", "be"]
                    .iter()
                    .any(|d| v.starts_with(d))
            })
            .map(clean_group)
            .collect();
        found.sort();
        if let Some(first) = found.into_iter().next() {
            return Some(first);
        }
    }
    None
}

/// Adds the Maven packages of every Java archive of the final image.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[JavaLayerFacts], inventory: &mut Inventory) {
    for (layer, path, archive) in ctx.visible_in(facts, |f| &f.archives) {
        inventory
            .warnings
            .extend_from(&archive.warnings, |w| format!("layer {layer}: {path}: {w}"));
        for p in &archive.packages {
            let location = if p.inner.is_empty() {
                path.to_string()
            } else {
                format!("{path}:{}", p.inner)
            };
            let mut pkg = Package::new(
                PackageType::Maven,
                &p.artifact,
                &p.version,
                purl("maven", Some(&p.group), &p.artifact, &p.version, &[]),
                location,
                layer,
            );
            pkg.licenses = p.licenses.clone();
            inventory.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nv(s: &str) -> (String, String) {
        name_and_version(s)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.into(), b.into())
    }

    #[test]
    fn file_names() {
        assert_eq!(
            nv("commons-lang3-3.12.0.jar"),
            pair("commons-lang3", "3.12.0")
        );
        assert_eq!(
            nv("usr/share/java/commons-lang3.jar"),
            pair("commons-lang3", "")
        );
        assert_eq!(nv("my-http2-server-5.jar"), pair("my-http2-server", "5"));
        assert_eq!(
            nv("jetpack-build235-rc5.jar"),
            pair("jetpack", "build235-rc5")
        );
        assert_eq!(nv("ironman-r4-2009.jar"), pair("ironman-r4", "2009"));
        assert_eq!(nv("app-rc1.war"), pair("app", "rc1"));
        assert_eq!(nv("spring-core_5.3.1.jar"), pair("spring-core", "5.3.1"));
        assert_eq!(nv("prefix.thing-4.jar"), pair("prefix.thing", "4"));
        assert_eq!(nv("1weird-1.0.jar"), pair("", ""));
        assert_eq!(nv("a+b-1.0.jar"), pair("", ""));
    }

    #[test]
    fn manifest_sections_and_continuations() {
        let m = Manifest::parse(
            "Manifest-Version: 1.0\r\nImplementation-Title: Long\r\n  Title\r\n\r\n\
             Name: org/x/\r\nSpecification-Version: 2.1\r\n",
        );
        assert_eq!(m.main("implementation-title"), Some("Long Title"));
        assert_eq!(m.main("Specification-Version"), None);
        assert_eq!(m.any("Specification-Version"), Some("2.1"));
    }

    #[test]
    fn pom_matching_the_file_name_names_the_archive() {
        let m = Manifest::parse(
            "Manifest-Version: 1.0\nBundle-SymbolicName: org.apache.commons.lang3\n",
        );
        let mut props = BTreeMap::new();
        props.insert(
            "META-INF/maven/org.apache.commons/commons-lang3".to_string(),
            PomProperties::parse(
                "#x\ngroupId=org.apache.commons\nartifactId=commons-lang3\nversion=3.12.0\n",
            ),
        );
        props.insert(
            "META-INF/maven/org.other/shaded".to_string(),
            PomProperties::parse("groupId: org.other\nartifactId: shaded\nversion: 1.0\n"),
        );
        let pkgs = identify("commons-lang3.jar", Some(&m), &props);
        let got: Vec<String> = pkgs
            .iter()
            .map(|p| format!("{}/{}@{}", p.group, p.artifact, p.version))
            .collect();
        assert_eq!(
            got,
            [
                "org.apache.commons/commons-lang3@3.12.0",
                "org.other/shaded@1.0"
            ]
        );
    }

    #[test]
    fn manifest_and_file_name_without_pom() {
        let m = Manifest::parse(
            "Implementation-Title: Foo\nImplementation-Version: 9.9\nImplementation-Vendor: org.foo\n",
        );
        let pkgs = identify("lib/foo-1.2.3.jar", Some(&m), &BTreeMap::new());
        assert_eq!(pkgs.len(), 1);
        assert_eq!(
            (
                pkgs[0].group.as_str(),
                pkgs[0].artifact.as_str(),
                pkgs[0].version.as_str()
            ),
            ("org.foo", "foo", "1.2.3")
        );
        let pkgs = identify("foo.jar", Some(&m), &BTreeMap::new());
        assert_eq!(pkgs[0].version, "9.9");
        let weave = Manifest::parse("Weave-Classes: x\n");
        assert!(identify("foo-1.jar", Some(&weave), &BTreeMap::new()).is_empty());
        let bundle = Manifest::parse(
            "Created-By: Apache Maven Bundle Plugin\nBundle-SymbolicName: org.acme.widget\n",
        );
        assert_eq!(
            identify("x.jar", Some(&bundle), &BTreeMap::new())[0].artifact,
            "widget"
        );
    }

    #[test]
    fn declared_entry_counts() {
        let mut eocd = vec![0u8; 10];
        eocd.extend(b"PK\x05\x06\0\0\0\0\x05\0\x07\0");
        eocd.extend([0u8; 10]);
        assert_eq!(declared_entries(&eocd), Some(7));
        assert_eq!(declared_entries(b"no zip here"), None);
    }
}
