//! Debian control-file paragraphs (deb822 as dpkg writes its database): the
//! installed packages of `/var/lib/dpkg/status` and of distroless
//! `/var/lib/dpkg/status.d/<pkg>` files.
//!
//! Lenient where dpkg's own output varies (CRLF line ends, field-name case,
//! invalid UTF-8 in free text), strict where a mistake would misreport a
//! package: a paragraph with a line that is neither `Field: value` nor a
//! continuation, a duplicate field, or a missing or malformed `Package`,
//! `Version` or `Architecture` is skipped with a warning. Never panics.

use std::collections::HashMap;

use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

/// One installed binary package as its database paragraph states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgEntry {
    pub name: String,
    pub version: String,
    pub arch: String,
    /// The `Source:` name, or the binary name when there is none.
    pub source_name: String,
    /// The version in `Source: name (version)`, or the binary version.
    pub source_version: String,
    pub maintainer: Option<String>,
}

/// What a database file yielded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub packages: Vec<DpkgEntry>,
    /// `path:line: reason`, one per skipped paragraph or doubtful field.
    pub warnings: Warnings,
    /// Whether any line looked like a `Field: value` line; a file without
    /// one is not a control file at all (a `.md5sums` list, say).
    pub looks_like_control: bool,
}

/// Which file a paragraph comes from: only the status file records
/// `Status:`; distroless `status.d` files list installed packages only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Status,
    StatusD,
}

struct Paragraph {
    /// 1-based line of the first field.
    line: usize,
    fields: Vec<(String, String)>,
    error: Option<String>,
}

impl Paragraph {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a dpkg database file. `path` is used in warnings only.
/// A package (name, architecture, version) listed again is kept once, as
/// first listed, with one warning saying how often it was listed: memory
/// follows the distinct packages, not the paragraphs.
pub fn parse_dpkg_db(path: &str, content: &[u8], kind: DbKind) -> Parsed {
    let mut out = Parsed::default();
    // Each distinct package's index in `out.packages` and its extra listings.
    let mut listed: HashMap<(String, String, String), (usize, u64)> = HashMap::new();
    let mut looks_like_control = false;
    paragraphs(content, &mut looks_like_control, |para| {
        let at = format!("{path}:{}", para.line);
        if let Some(e) = &para.error {
            out.warnings.push(format!("{at}: paragraph skipped: {e}"));
            return;
        }
        match entry(&para, kind) {
            Ok(Some(e)) => {
                if let Some(w) = source_warning(&para) {
                    out.warnings.push(format!("{at}: package {}: {w}", e.name));
                }
                let key = (e.name.clone(), e.arch.clone(), e.version.clone());
                match listed.entry(key) {
                    std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().1 += 1,
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert((out.packages.len(), 0));
                        out.packages.push(e);
                    }
                }
            }
            Ok(None) => {}
            Err(why) => out.warnings.push(format!("{at}: paragraph skipped: {why}")),
        }
    });
    out.looks_like_control = looks_like_control;
    let mut repeated: Vec<(usize, u64)> = listed.into_values().filter(|(_, n)| *n > 0).collect();
    repeated.sort_unstable();
    for (i, n) in repeated {
        let e = &out.packages[i];
        out.warnings.push(format!(
            "{path}: {} {} ({}) is listed {} times: listed once",
            e.name,
            e.version,
            e.arch,
            n + 1
        ));
    }
    out
}

/// Splits into paragraphs, joining continuation lines to their field, and
/// hands each to `each` as it ends (so only one is held at a time).
fn paragraphs(content: &[u8], looks_like_control: &mut bool, mut each: impl FnMut(Paragraph)) {
    let mut cur: Option<Paragraph> = None;
    for (i, raw) in content.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = String::from_utf8_lossy(raw);
        if line.trim().is_empty() {
            if let Some(p) = cur.take() {
                each(p);
            }
            continue;
        }
        let p = cur.get_or_insert_with(|| Paragraph {
            line: i + 1,
            fields: Vec::new(),
            error: None,
        });
        if p.error.is_some() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match p.fields.last_mut() {
                Some((_, v)) => {
                    v.push('\n');
                    v.push_str(line.trim());
                }
                None => {
                    p.error = Some(format!("line {}: continuation line without a field", i + 1))
                }
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            p.error = Some(format!(
                "line {}: not a 'Field: value' line: {:?}",
                i + 1,
                clip(&line)
            ));
            continue;
        };
        if !valid_field_name(name) {
            p.error = Some(format!("line {}: bad field name {:?}", i + 1, clip(name)));
            continue;
        }
        *looks_like_control = true;
        if p.get(name).is_some() {
            p.error = Some(format!("line {}: duplicate field {name}", i + 1));
            continue;
        }
        p.fields.push((name.to_string(), value.trim().to_string()));
    }
    if let Some(p) = cur {
        each(p);
    }
}

/// deb822 field names: printable ASCII without spaces or ':', not starting
/// with '#' or '-'.
fn valid_field_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['#', '-'])
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// The package of an installed paragraph; Ok(None) for one that is not
/// installed (removed with its configuration files kept, half-installed...).
fn entry(p: &Paragraph, kind: DbKind) -> Result<Option<DpkgEntry>, String> {
    if kind == DbKind::Status {
        // "want flag status": only the status word counts.
        match p
            .get("Status")
            .map(|s| s.split_whitespace().collect::<Vec<_>>())
        {
            Some(words) if words.len() == 3 => {
                if words[2] != "installed" {
                    return Ok(None);
                }
            }
            Some(_) => return Err("Status is not 'want flag status'".into()),
            None => return Err("no Status field".into()),
        }
    }
    let name = p.get("Package").ok_or("no Package field")?;
    if !valid_package_name(name) {
        return Err(format!("invalid package name {:?}", clip(name)));
    }
    let version = single_word(p, "Version", name)?;
    let arch = single_word(p, "Architecture", name)?;
    let (source_name, source_version) = match p.get("Source").map(parse_source) {
        Some(Some((n, v))) => (n.to_string(), v.unwrap_or(version).to_string()),
        _ => (name.to_string(), version.to_string()),
    };
    Ok(Some(DpkgEntry {
        name: name.to_string(),
        version: version.to_string(),
        arch: arch.to_string(),
        source_name,
        source_version,
        maintainer: p
            .get("Maintainer")
            .filter(|m| !m.is_empty())
            .map(str::to_string),
    }))
}

fn single_word<'a>(p: &'a Paragraph, field: &str, pkg: &str) -> Result<&'a str, String> {
    match p.get(field) {
        None | Some("") => Err(format!("package {pkg}: no {field} field")),
        Some(v) if v.contains(char::is_whitespace) => {
            Err(format!("package {pkg}: {field} {:?} has spaces", clip(v)))
        }
        Some(v) => Ok(v),
    }
}

/// dpkg's rule: lowercase alphanumerics and `+ - .`, starting alphanumeric.
fn valid_package_name(n: &str) -> bool {
    n.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

/// `name` or `name (version)`; None when unusable.
fn parse_source(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once('(') {
        None => {
            let n = s.trim();
            (!n.is_empty() && !n.contains(char::is_whitespace)).then_some((n, None))
        }
        Some((n, rest)) => {
            let n = n.trim();
            let v = rest.strip_suffix(')')?.trim();
            (!n.is_empty()
                && !n.contains(char::is_whitespace)
                && !v.is_empty()
                && !v.contains(char::is_whitespace))
            .then_some((n, Some(v)))
        }
    }
}

fn source_warning(p: &Paragraph) -> Option<String> {
    let s = p.get("Source")?;
    parse_source(s).is_none().then(|| {
        format!(
            "unreadable Source {:?}: binary name and version used",
            clip(s)
        )
    })
}

fn clip(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Parsed) -> Vec<&str> {
        p.packages.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn status_file_with_continuations_sources_and_removed_packages() {
        let status = "\
Package: libc6
Status: install ok installed
Priority: optional
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 More text.

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Conffiles:
 /etc/x 0123456789abcdef0123456789abcdef

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: halfway
Status: install reinstreq half-installed
Architecture: all
Version: 3

Package: zlib1g
Status: hold ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
";
        let p = parse_dpkg_db("var/lib/dpkg/status", status.as_bytes(), DbKind::Status);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert!(p.looks_like_control);
        assert_eq!(names(&p), ["libc6", "libgcc-s1", "zlib1g"]);
        let libc = &p.packages[0];
        assert_eq!(
            (libc.version.as_str(), libc.arch.as_str()),
            ("2.36-9+deb12u4", "amd64")
        );
        assert_eq!(
            (libc.source_name.as_str(), libc.source_version.as_str()),
            ("glibc", "2.36-9+deb12u4")
        );
        assert_eq!(
            libc.maintainer.as_deref(),
            Some("GNU Libc Maintainers <debian-glibc@lists.debian.org>")
        );
        let gcc = &p.packages[1];
        assert_eq!(
            (gcc.source_name.as_str(), gcc.source_version.as_str()),
            ("gcc-12", "12.2.0-14")
        );
        assert_eq!(gcc.maintainer, None);
        let z = &p.packages[2];
        assert_eq!(
            (
                z.version.as_str(),
                z.source_name.as_str(),
                z.source_version.as_str()
            ),
            ("1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1")
        );
    }

    #[test]
    fn source_version_differs_from_binary_version() {
        // As in real postgresql-client: binary 11+200+deb10u5 from source
        // postgresql-common 200+deb10u5.
        let s = "Package: postgresql-client\nStatus: install ok installed\nArchitecture: all\n\
                 Source: postgresql-common (200+deb10u5)\nVersion: 11+200+deb10u5\n";
        let p = parse_dpkg_db("s", s.as_bytes(), DbKind::Status);
        assert_eq!(p.packages[0].source_name, "postgresql-common");
        assert_eq!(p.packages[0].source_version, "200+deb10u5");
        assert_eq!(p.packages[0].version, "11+200+deb10u5");
    }

    #[test]
    fn crlf_blank_lines_with_spaces_and_field_case() {
        let s = "package: a\r\nstatus: install ok installed\r\nARCHITECTURE: amd64\r\nversion: 1\r\n \t \r\n\
                 Package: b\r\nStatus: install ok installed\r\nArchitecture: all\r\nVersion: 2\r\nDescription: x\r\n y\r\n";
        let p = parse_dpkg_db("s", s.as_bytes(), DbKind::Status);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(names(&p), ["a", "b"]);
        assert_eq!(p.packages[0].version, "1");
        assert_eq!(p.packages[0].arch, "amd64");
        assert_eq!(p.packages[1].version, "2");
    }

    #[test]
    fn missing_fields_and_garbage_skip_only_their_paragraph() {
        let s = "\
Package: noversion
Status: install ok installed
Architecture: amd64

Package: noarch
Status: install ok installed
Version: 1

Status: install ok installed
Version: 1
Architecture: amd64

this line is garbage

 continuation first
Package: y

Package: good
Status: install ok installed
Architecture: amd64
Version: 1.0
this is garbage in a paragraph

Package: twice
Package: twice
Status: install ok installed
Architecture: amd64
Version: 1

Package: Bad_Name
Status: install ok installed
Architecture: amd64
Version: 1

Package: nostatus
Architecture: amd64
Version: 1

Package: badstatus
Status: installed
Architecture: amd64
Version: 1

Package: spaced
Status: install ok installed
Architecture: amd64
Version: 1 2

Package: badsource
Status: install ok installed
Architecture: amd64
Source: foo (1.0
Version: 1

Package: ok
Status: install ok installed
Architecture: arm64
Version: 2
";
        let p = parse_dpkg_db("var/lib/dpkg/status", s.as_bytes(), DbKind::Status);
        assert_eq!(names(&p), ["badsource", "ok"]);
        assert_eq!(p.packages[0].source_name, "badsource");
        assert_eq!(p.packages[0].source_version, "1");
        let w = p.warnings.join("\n");
        for needle in [
            "var/lib/dpkg/status:1: paragraph skipped: package noversion: no Version field",
            "var/lib/dpkg/status:5: paragraph skipped: package noarch: no Architecture field",
            ":9: paragraph skipped: no Package field",
            ":13: paragraph skipped: line 13: not a 'Field: value' line",
            ":15: paragraph skipped: line 15: continuation line without a field",
            ":18: paragraph skipped: line 22: not a 'Field: value' line",
            "duplicate field Package",
            "invalid package name \"Bad_Name\"",
            "no Status field",
            "Status is not 'want flag status'",
            "package spaced: Version \"1 2\" has spaces",
            "package badsource: unreadable Source \"foo (1.0\"",
        ] {
            assert!(w.contains(needle), "missing {needle:?} in:\n{w}");
        }
        assert_eq!(p.warnings.len(), 12, "{w}");
    }

    #[test]
    fn status_d_files_need_no_status_and_md5sums_are_not_control() {
        let s = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nMaintainer: Santiago Vila <sanvila@debian.org>\n";
        let p = parse_dpkg_db(
            "var/lib/dpkg/status.d/base-files",
            s.as_bytes(),
            DbKind::StatusD,
        );
        assert_eq!(names(&p), ["base-files"]);
        assert!(p.warnings.is_empty());

        let md5 = "d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/base-files/README\n\
                   0123456789abcdef0123456789abcdef  etc/debian_version\n";
        let p = parse_dpkg_db("var/lib/dpkg/status.d/x", md5.as_bytes(), DbKind::StatusD);
        assert!(!p.looks_like_control);
        assert!(p.packages.is_empty());
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let cases: &[&[u8]] = &[
            b"",
            b"\n\n\n",
            b":",
            b": value",
            b"Package:",
            b"\xff\xfe\x00Package: a\nVersion: \xff\nArchitecture: amd64\n",
            b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64", // no final newline
            b"\r\r\r\n\t\n",
            "Package: é\nVersion: 1\nArchitecture: amd64\nSource: (\n".as_bytes(),
        ];
        for c in cases {
            let _ = parse_dpkg_db("p", c, DbKind::Status);
            let _ = parse_dpkg_db("p", c, DbKind::StatusD);
        }
        let p = parse_dpkg_db("p", cases[6], DbKind::Status);
        assert_eq!(names(&p), ["a"]);
        // Invalid UTF-8 in a value is replaced, then the space-free check applies.
        let p = parse_dpkg_db("p", cases[5], DbKind::StatusD);
        assert_eq!(p.packages.len(), 0);
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    }
}
