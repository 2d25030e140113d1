//! The Python cataloger: installed distributions, wherever they are (system
//! `dist-packages`, virtual environments, `site-packages` of any prefix).
//!
//! A distribution is a core-metadata file (RFC 822 headers): a wheel's
//! `*.dist-info/METADATA`, an egg's `*.egg-info/PKG-INFO`, or an `*.egg-info`
//! file on its own (as distutils installed them). Its files come from the
//! wheel's `RECORD` or the egg's `installed-files.txt` next to it.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::license::{clip, normalize, push_unique, spdx_expression};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// Only the headers are read; they come first, and the long description
/// after them may be big.
pub const METADATA_LIMIT: u64 = 1024 * 1024;
/// `RECORD` / `installed-files.txt` larger than this list only the files
/// their first bytes name.
pub const FILE_LIST_LIMIT: u64 = 16 * 1024 * 1024;

/// One distribution as its metadata file declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonMetadata {
    /// `Name:` as declared (normalised when the package is built).
    pub name: String,
    /// `Version:`; empty when missing.
    pub version: String,
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
}

/// A metadata file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonMetadataFile {
    /// None when the file names no distribution (see `warnings`).
    pub package: Option<PythonMetadata>,
    pub warnings: plimsoll_report::Warnings,
}

/// A `RECORD` or `installed-files.txt`: the image paths it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonFileList {
    pub files: Vec<String>,
    /// Cut at `FILE_LIST_LIMIT`.
    pub truncated: bool,
}

/// What [`PythonCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonLayerFacts {
    pub metadata: Vec<(String, PythonMetadataFile)>,
    pub file_lists: Vec<(String, PythonFileList)>,
}

/// Installed Python distributions: an [`Analyzer`] for the engine's pass.
pub struct PythonCataloger;

pub struct PythonVisitor(PythonLayerFacts);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PyFile {
    /// `METADATA`, `PKG-INFO` or an `.egg-info` file.
    Metadata,
    /// `RECORD`: paths relative to the directory holding the `.dist-info`.
    Record,
    /// `installed-files.txt`: paths relative to the `.egg-info` directory.
    InstalledFiles,
}

fn split_dir(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn ends_with_either(s: &str, lower: &str, upper: &str) -> bool {
    s.ends_with(lower) || s.ends_with(upper)
}

fn classify(path: &str) -> Option<PyFile> {
    let (dir, name) = split_dir(path);
    let parent = split_dir(dir).1;
    let dist_info = ends_with_either(parent, "dist-info", "DIST-INFO");
    let egg_info = ends_with_either(parent, "egg-info", "EGG-INFO");
    match name {
        "METADATA" if dist_info => Some(PyFile::Metadata),
        "PKG-INFO" if egg_info => Some(PyFile::Metadata),
        "RECORD" if dist_info || egg_info => Some(PyFile::Record),
        "installed-files.txt" if egg_info => Some(PyFile::InstalledFiles),
        _ if name.len() > ".egg-info".len() && name.ends_with(".egg-info") => {
            Some(PyFile::Metadata)
        }
        _ => None,
    }
}

impl Analyzer for PythonCataloger {
    type Facts = PythonLayerFacts;
    type Visitor = PythonVisitor;
    const NAME: &'static str = "sbom-python";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        match classify(entry.path)? {
            PyFile::Metadata => Some(entry.size.min(METADATA_LIMIT)),
            PyFile::Record | PyFile::InstalledFiles => Some(entry.size.min(FILE_LIST_LIMIT)),
        }
    }

    fn visitor(&self) -> PythonVisitor {
        PythonVisitor(PythonLayerFacts::default())
    }
}

impl LayerVisitor for PythonVisitor {
    type Facts = PythonLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        let Some(kind) = classify(entry.path) else {
            return;
        };
        let content = content.unwrap_or(&[]);
        let truncated = (content.len() as u64) < entry.size;
        let path = entry.path.to_string();
        let facts = &mut self.0;
        match kind {
            PyFile::Metadata => {
                // A path stored twice in one tar: the later entry wins.
                facts.metadata.retain(|(p, _)| *p != path);
                facts
                    .metadata
                    .push((path, parse_metadata(content, truncated)));
            }
            PyFile::Record | PyFile::InstalledFiles => {
                facts.file_lists.retain(|(p, _)| *p != path);
                let list = parse_file_list(entry.path, kind, content, truncated);
                facts.file_lists.push((path, list));
            }
        }
    }

    fn finish(self) -> PythonLayerFacts {
        self.0
    }
}

/// The header fields of a core-metadata file, in order (repeated fields
/// such as `Classifier` repeat). The body after the first blank line (the
/// long description) is ignored.
fn headers(text: &str) -> (Vec<(String, String)>, bool) {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut ended = false;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if fields.is_empty() {
                continue;
            }
            ended = true;
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        // Lines that are no field are skipped, as pip and syft do: metadata
        // in the wild is not always valid RFC 822.
        if let Some((k, v)) = line.split_once(':')
            && !k.is_empty()
            && !k.contains(char::is_whitespace)
        {
            fields.push((k.to_string(), v.trim().to_string()));
        }
    }
    (fields, ended)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("UNKNOWN"))
}

/// Parses a metadata file; `truncated` says its content was cut.
fn parse_metadata(content: &[u8], truncated: bool) -> PythonMetadataFile {
    let text = String::from_utf8_lossy(content);
    let (fields, ended) = headers(&text);
    let mut warnings = plimsoll_report::Warnings::new();
    if truncated && !ended {
        warnings.push(format!(
            "headers longer than {METADATA_LIMIT} bytes: only those before the cut are read"
        ));
    }
    let Some(name) = field(&fields, "Name") else {
        warnings.push(if fields.is_empty() {
            "no metadata headers: not a Python distribution, skipped".to_string()
        } else {
            "no Name field: skipped".to_string()
        });
        return PythonMetadataFile {
            package: None,
            warnings,
        };
    };
    if name.contains(char::is_whitespace) || name.len() > 200 {
        warnings.push(format!("invalid Name {:?}: skipped", clip(name, 60)));
        return PythonMetadataFile {
            package: None,
            warnings,
        };
    }
    let version = field(&fields, "Version").unwrap_or("");
    if version.is_empty() {
        warnings.push(format!("{name}: no Version field"));
    }
    PythonMetadataFile {
        package: Some(PythonMetadata {
            name: name.to_string(),
            version: version.to_string(),
            licenses: licenses(&fields),
            supplier: supplier(&fields),
        }),
        warnings,
    }
}

/// `License-Expression` (SPDX, PEP 639) if present; otherwise `License`
/// (SPDX or an unambiguous alias, else its first line) and the licence
/// classifiers that map to an SPDX identifier. Unmapped classifiers are
/// kept only when nothing else names a licence.
fn licenses(fields: &[(String, String)]) -> Vec<String> {
    if let Some(expr) = field(fields, "License-Expression") {
        let declared = expr.lines().next().unwrap_or(expr).trim();
        return vec![spdx_expression(declared).unwrap_or_else(|| clip(declared, 80))];
    }
    let mut out = Vec::new();
    if let Some(declared) = field(fields, "License").and_then(normalize) {
        out.push(declared);
    }
    let mut unmapped = Vec::new();
    for (k, v) in fields {
        if !k.eq_ignore_ascii_case("Classifier") {
            continue;
        }
        let Some(rest) = v.trim().strip_prefix("License ::") else {
            continue;
        };
        let rest = rest.trim();
        match classifier_spdx(rest) {
            Some(id) => push_unique(&mut out, id.to_string()),
            None => {
                let last = rest.rsplit("::").next().unwrap_or(rest).trim();
                if !last.is_empty() && last != "OSI Approved" {
                    push_unique(&mut unmapped, clip(last, 80));
                }
            }
        }
    }
    if out.is_empty() {
        out = unmapped;
    }
    out
}

/// Trove licence classifiers (after `License ::`) that name exactly one
/// SPDX licence. Unversioned ones ("Apache Software License", "BSD
/// License") are not here: they do not say which licence.
fn classifier_spdx(classifier: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("OSI Approved :: MIT License", "MIT"),
        (
            "OSI Approved :: MIT No Attribution License (MIT-0)",
            "MIT-0",
        ),
        ("OSI Approved :: ISC License (ISCL)", "ISC"),
        (
            "OSI Approved :: Python Software Foundation License",
            "PSF-2.0",
        ),
        (
            "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
            "MPL-2.0",
        ),
        (
            "OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)",
            "MPL-1.1",
        ),
        (
            "OSI Approved :: GNU General Public License v2 (GPLv2)",
            "GPL-2.0-only",
        ),
        (
            "OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
            "GPL-2.0-or-later",
        ),
        (
            "OSI Approved :: GNU General Public License v3 (GPLv3)",
            "GPL-3.0-only",
        ),
        (
            "OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
            "GPL-3.0-or-later",
        ),
        (
            "OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)",
            "LGPL-2.0-only",
        ),
        (
            "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
            "LGPL-2.0-or-later",
        ),
        (
            "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
            "LGPL-3.0-only",
        ),
        (
            "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
            "LGPL-3.0-or-later",
        ),
        (
            "OSI Approved :: GNU Affero General Public License v3",
            "AGPL-3.0-only",
        ),
        (
            "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
            "AGPL-3.0-or-later",
        ),
        (
            "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
            "EPL-2.0",
        ),
        ("OSI Approved :: The Unlicense (Unlicense)", "Unlicense"),
        (
            "OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
            "BSL-1.0",
        ),
        ("OSI Approved :: zlib/libpng License", "Zlib"),
        (
            "OSI Approved :: Universal Permissive License (UPL)",
            "UPL-1.0",
        ),
        (
            "OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)",
            "EUPL-1.2",
        ),
        (
            "OSI Approved :: Apache Software License 2.0 (Apache-2.0)",
            "Apache-2.0",
        ),
        (
            "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
            "CC0-1.0",
        ),
    ];
    TABLE
        .iter()
        .find(|(c, _)| *c == classifier)
        .map(|(_, id)| *id)
}

/// `Author` (with `Author-email` when the name has none), else the e-mail
/// alone, else the maintainer likewise.
fn supplier(fields: &[(String, String)]) -> Option<String> {
    let one = |name: &str, email: &str| -> Option<String> {
        let n = field(fields, name).map(|s| s.lines().next().unwrap_or(s).trim());
        let e = field(fields, email).map(|s| s.lines().next().unwrap_or(s).trim());
        match (n, e) {
            (Some(n), Some(e)) if !n.contains('@') && !e.contains('<') => {
                Some(clip(&format!("{n} <{e}>"), 200))
            }
            (Some(n), _) => Some(clip(n, 200)),
            (None, Some(e)) => Some(clip(e, 200)),
            (None, None) => None,
        }
    };
    one("Author", "Author-email").or_else(|| one("Maintainer", "Maintainer-email"))
}

/// The image paths a `RECORD` (CSV: path, hash, size) or an
/// `installed-files.txt` (one path a line) names, each resolved against the
/// directory it is relative to.
fn parse_file_list(path: &str, kind: PyFile, content: &[u8], truncated: bool) -> PythonFileList {
    let (meta_dir, _) = split_dir(path);
    let base = match kind {
        PyFile::Record => split_dir(meta_dir).0,
        _ => meta_dir,
    };
    let text = String::from_utf8_lossy(content);
    let mut files: Vec<String> = crate::whole_lines(&text, truncated)
        .into_iter()
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let rel = match kind {
                PyFile::Record => csv_first_field(line)?,
                _ => line.trim().to_string(),
            };
            join_relative(base, &rel)
        })
        .collect();
    files.sort();
    files.dedup();
    PythonFileList { files, truncated }
}

/// The first field of a CSV line (quoted with `""` escapes, or plain).
fn csv_first_field(line: &str) -> Option<String> {
    let line = line.trim_start();
    if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    out.push('"');
                } else {
                    return Some(out);
                }
            } else {
                out.push(c);
            }
        }
        None // unterminated quote
    } else {
        let f = line.split(',').next().unwrap_or("").trim();
        (!f.is_empty()).then(|| f.to_string())
    }
}

/// `rel` resolved against the image directory `base` (absolute `rel` is
/// taken from the root), `.` and `..` applied; None when empty or when it
/// climbs above the root.
fn join_relative(base: &str, rel: &str) -> Option<String> {
    if rel.is_empty() || rel.len() > 4096 {
        return None;
    }
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The installed Python distributions of the final image, added to
/// `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[PythonLayerFacts], inventory: &mut Inventory) {
    let lists = ctx.visible_in(facts, |f| &f.file_lists);
    for (layer, path, record) in ctx.visible_in(facts, |f| &f.metadata) {
        inventory
            .warnings
            .extend_from(&record.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(m) = &record.package else {
            continue;
        };
        // CPython's own `Python-2.7.egg-info` describes the interpreter,
        // not an installed distribution.
        if m.name == "Python" {
            continue;
        }
        let name = normalize_name(&m.name);
        let mut pkg = Package::new(
            PackageType::Pypi,
            &name,
            &m.version,
            purl("pypi", None, &name, &m.version, &[]),
            path,
            layer,
        );
        pkg.licenses = m.licenses.clone();
        pkg.supplier = m.supplier.clone();
        if !path.ends_with(".egg-info") {
            let dir = split_dir(path).0;
            let list = ["RECORD", "installed-files.txt"].iter().find_map(|f| {
                let p = format!("{dir}/{f}");
                lists
                    .binary_search_by(|(_, lp, _)| (*lp).cmp(p.as_str()))
                    .ok()
                    .and_then(|i| lists.get(i))
            });
            if let Some((list_layer, list_path, list)) = list {
                if list.truncated {
                    inventory.warnings.push(format!(
                        "layer {list_layer}: {list_path}: larger than {FILE_LIST_LIMIT} bytes: \
                         the files after that are not listed"
                    ));
                }
                pkg.files = list.files.clone();
            }
        }
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_paths_are_read() {
        let p = "usr/lib/python3/dist-packages";
        assert_eq!(
            classify(&format!("{p}/pip-23.0.1.dist-info/METADATA")),
            Some(PyFile::Metadata)
        );
        assert_eq!(
            classify(&format!("{p}/six-1.0.DIST-INFO/METADATA")),
            Some(PyFile::Metadata)
        );
        assert_eq!(
            classify(&format!("{p}/wheel-0.38.4.egg-info/PKG-INFO")),
            Some(PyFile::Metadata)
        );
        assert_eq!(
            classify("usr/lib/python2.7/lib-dynload/Python-2.7.egg-info"),
            Some(PyFile::Metadata)
        );
        assert_eq!(
            classify(&format!("{p}/pip-23.0.1.dist-info/RECORD")),
            Some(PyFile::Record)
        );
        assert_eq!(
            classify(&format!("{p}/wheel-0.38.4.egg-info/installed-files.txt")),
            Some(PyFile::InstalledFiles)
        );
        for no in [
            "METADATA",
            "usr/share/doc/METADATA",
            &format!("{p}/pip-23.0.1.dist-info/LICENSE.txt"),
            &format!("{p}/pip/PKG-INFO"),
            &format!("{p}/pip-23.0.1.dist-info/installed-files.txt"),
            ".egg-info",
        ] {
            assert_eq!(classify(no), None, "{no}");
        }
    }

    #[test]
    fn metadata_headers_licences_and_supplier() {
        let m = b"Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nSummary: x\n\
                  Author: Armin Ronacher\nAuthor-email: armin.ronacher@active-4.com\n\
                  License: BSD\nClassifier: License :: OSI Approved :: BSD License\n\
                  Classifier: Programming Language :: Python\n\nName: NotThis\nLicense: GPL\n";
        let f = parse_metadata(m, false);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let p = f.package.unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("Jinja2", "2.10"));
        assert_eq!(p.licenses, ["BSD"]);
        assert_eq!(
            p.supplier.as_deref(),
            Some("Armin Ronacher <armin.ronacher@active-4.com>")
        );

        // License-Expression wins over everything else.
        let m = b"Name: a\nVersion: 1\nLicense-Expression: mit OR apache-2.0\nLicense: GPL\n\
                  Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)\n";
        let p = parse_metadata(m, false).package.unwrap();
        assert_eq!(p.licenses, ["MIT OR Apache-2.0"]);

        // License UNKNOWN: the classifiers say it; mapped ones only.
        let m = b"Name: b\nVersion: 1\nLicense: UNKNOWN\n\
                  Classifier: License :: OSI Approved :: MIT License\n\
                  Classifier: License :: OSI Approved :: Apache Software License\n\
                  Maintainer-email: Jane <j@example.org>\n";
        let p = parse_metadata(m, false).package.unwrap();
        assert_eq!(p.licenses, ["MIT"]);
        assert_eq!(p.supplier.as_deref(), Some("Jane <j@example.org>"));

        // Nothing maps: the classifier's text.
        let m = b"Name: c\nVersion: 1\nClassifier: License :: OSI Approved :: BSD License\n";
        let p = parse_metadata(m, false).package.unwrap();
        assert_eq!(p.licenses, ["BSD License"]);

        // A licence text pasted into License: its first line, mapped.
        let m =
            b"Name: d\nVersion: 1\nLicense: MIT License\n        \n        Copyright (c) 2020\n";
        let p = parse_metadata(m, false).package.unwrap();
        assert_eq!(p.licenses, ["MIT"]);
    }

    #[test]
    fn malformed_metadata_warns_and_never_panics() {
        let f = parse_metadata(b"\xff\xfe\x00garbage\n\x01\x02", false);
        assert!(f.package.is_none());
        assert!(
            f.warnings[0].contains("no metadata headers"),
            "{:?}",
            f.warnings
        );
        let f = parse_metadata(b"Version: 1\nSummary: x\n", false);
        assert_eq!(f.warnings.as_slice(), ["no Name field: skipped"]);
        let f = parse_metadata(b"Name: a b\nVersion: 1\n", false);
        assert!(f.warnings[0].starts_with("invalid Name"));
        let f = parse_metadata(b"Name: noversion\n", false);
        assert_eq!(f.package.unwrap().version, "");
        assert_eq!(f.warnings.as_slice(), ["noversion: no Version field"]);
        let f = parse_metadata(b"Name: cut\nVersion: 1\nDescription: aaaa", true);
        assert!(f.package.is_some());
        assert!(f.warnings[0].contains("only those before the cut"));
        for c in [
            &b""[..],
            b":",
            b" :\n",
            b"\n\n\n",
            b"Name:\n",
            b" continuation\nName: x",
        ] {
            let _ = parse_metadata(c, false);
        }
    }

    #[test]
    fn record_and_installed_files_resolve_to_image_paths() {
        let rec = "pip/__init__.py,sha256=abc,123\n\"odd,name.py\",sha256=x,1\n\
                   ../../../bin/pip,sha256=y,2\npip-23.0.1.dist-info/RECORD,,\n\
                   /etc/abs.conf,,\n../../../../../../../escape,,\n\n\"unterminated,,\n";
        let l = parse_file_list(
            "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/RECORD",
            PyFile::Record,
            rec.as_bytes(),
            false,
        );
        assert_eq!(
            l.files,
            [
                "etc/abs.conf",
                "usr/bin/pip",
                "usr/lib/python3/dist-packages/odd,name.py",
                "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/RECORD",
                "usr/lib/python3/dist-packages/pip/__init__.py",
            ]
        );
        let inst = "../wheel/__init__.py\nPKG-INFO\n../../../../bin/whe";
        let l = parse_file_list(
            "usr/lib/python3/dist-packages/wheel-0.38.4.egg-info/installed-files.txt",
            PyFile::InstalledFiles,
            inst.as_bytes(),
            true,
        );
        assert_eq!(
            l.files,
            [
                "usr/lib/python3/dist-packages/wheel-0.38.4.egg-info/PKG-INFO",
                "usr/lib/python3/dist-packages/wheel/__init__.py",
            ],
            "the cut last line is dropped"
        );
        assert!(l.truncated);
    }

    #[test]
    fn names_are_normalised_per_pep_503() {
        assert_eq!(normalize_name("Jinja2"), "jinja2");
        assert_eq!(normalize_name("PyYAML"), "pyyaml");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("a__b-.-C"), "a-b-c");
        assert_eq!(
            purl("pypi", None, &normalize_name("Foo_Bar"), "1.0+local", &[]),
            "pkg:pypi/foo-bar@1.0%2Blocal"
        );
    }
}
