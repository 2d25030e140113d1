//! Licences of Debian packages from `/usr/share/doc/<pkg>/copyright`.
//!
//! A machine-readable file (DEP-5, <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>)
//! names them in the `License:` field of its header and `Files:`
//! paragraphs; each short name is mapped to its SPDX identifier where the
//! two agree (`GPL-2+` is `GPL-2.0-or-later`), kept as written otherwise
//! (`public-domain`, `GPL` without a version). Stand-alone `License:`
//! paragraphs only hold the texts of names used above, and are not read.
//!
//! Free-form files are read conservatively: only references to the texts
//! Debian ships in `/usr/share/common-licenses/` count, since prose about
//! licences ("GPL-compatible", "unlike the GPL") names licences that do not
//! apply.

use crate::license::{push_unique, spdx_id};

/// The licences a copyright file declares, in order of first mention.
pub fn copyright_licenses(text: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(text);
    if is_dep5(&text) {
        dep5_licenses(&text)
    } else {
        common_license_refs(&text)
    }
}

fn is_dep5(text: &str) -> bool {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    first.is_some_and(|l| {
        let lower = l.to_ascii_lowercase();
        lower.starts_with("format:") || lower.starts_with("format-specification:")
    })
}

fn dep5_licenses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut first_paragraph = true;
    for para in text.split("\n\n").flat_map(|p| p.split("\r\n\r\n")) {
        if para.trim().is_empty() {
            continue;
        }
        let mut has_files = false;
        let mut license: Option<&str> = None;
        for line in para.lines() {
            if line.starts_with([' ', '\t']) {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let k = k.trim();
            if k.eq_ignore_ascii_case("Files") {
                has_files = true;
            } else if k.eq_ignore_ascii_case("License") {
                license = Some(v.trim());
            }
        }
        let header = std::mem::take(&mut first_paragraph);
        if !(has_files || header) {
            continue; // a stand-alone licence text
        }
        if let Some(names) = license {
            for l in split_expression(names) {
                push_unique(&mut out, l);
            }
        }
    }
    out
}

/// The licences of a DEP-5 licence expression: `GPL-2+ or Artistic`,
/// `LGPL-2.1+ and GPL-2+`, `GPL-3+ with Bison-2.2 exception`; each mapped.
fn split_expression(expr: &str) -> Vec<String> {
    let spaced = expr.replace(',', " , ").replace(['(', ')'], " ");
    let mut parts: Vec<Vec<&str>> = vec![Vec::new()];
    for token in spaced.split_whitespace() {
        let lower = token.to_ascii_lowercase();
        let current_has_with = parts
            .last()
            .is_some_and(|p| p.iter().any(|t| t.eq_ignore_ascii_case("with")));
        let is_separator = matches!(lower.as_str(), "or" | "and" | "and/or" | ",");
        // Inside "with ... exception" the words belong to the exception.
        let in_exception = current_has_with
            && !parts.last().is_some_and(|p| {
                p.last()
                    .is_some_and(|t| t.eq_ignore_ascii_case("exception"))
            });
        if is_separator && !in_exception {
            parts.push(Vec::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(token);
        }
    }
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let words = p.join(" ");
            match words
                .split_once(" with ")
                .or_else(|| words.split_once(" WITH "))
            {
                Some((base, exception)) => {
                    let base = debian_to_spdx(base.trim())?;
                    Some(match exception_spdx(&base, exception) {
                        Some(e) if !base.contains(' ') => format!("{base} WITH {e}"),
                        _ => words.clone(),
                    })
                }
                None => debian_to_spdx(&words),
            }
        })
        .collect()
}

/// A Debian short licence name as SPDX, where the two agree; otherwise
/// the name as written. None for nothing.
pub fn debian_to_spdx(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches(['.', ';']);
    if name.is_empty() || name.eq_ignore_ascii_case("none") {
        return None;
    }
    let (base, later) = match name.strip_suffix('+') {
        Some(b) => (b, true),
        None => (name, false),
    };
    let suffix = if later { "-or-later" } else { "-only" };
    // The GNU families: versions written 2, 2.0 or 2.1.
    for (prefix, family, versions) in [
        ("GPL-", "GPL", &["1", "2", "3"][..]),
        ("LGPL-", "LGPL", &["2", "2.1", "3"][..]),
        ("AGPL-", "AGPL", &["3"][..]),
        ("GFDL-NIV-", "GFDL-NIV", &["1.1", "1.2", "1.3"][..]),
        ("GFDL-", "GFDL", &["1.1", "1.2", "1.3"][..]),
    ] {
        let Some(v) = strip_prefix_ignore_case(base, prefix) else {
            continue;
        };
        let v = v.strip_suffix(".0").unwrap_or(v);
        if !versions.contains(&v) {
            break;
        }
        let v = if v.contains('.') {
            v.to_string()
        } else {
            format!("{v}.0")
        };
        return Some(match family {
            "GFDL-NIV" => format!("GFDL-{v}-no-invariants{suffix}"),
            f => format!("{f}-{v}{suffix}"),
        });
    }
    const TABLE: &[(&str, &str)] = &[
        ("Apache-2", "Apache-2.0"),
        ("Apache-2.0", "Apache-2.0"),
        ("Apache-1.1", "Apache-1.1"),
        ("Artistic-1.0", "Artistic-1.0"),
        ("Artistic-2", "Artistic-2.0"),
        ("Artistic-2.0", "Artistic-2.0"),
        ("BSD-2-clause", "BSD-2-Clause"),
        ("BSD-3-clause", "BSD-3-Clause"),
        ("BSD-4-clause", "BSD-4-Clause"),
        ("BSD-4-clause-UC", "BSD-4-Clause-UC"),
        ("CC0", "CC0-1.0"),
        ("CC0-1.0", "CC0-1.0"),
        ("Expat", "MIT"),
        ("MIT", "MIT"),
        ("X11", "X11"),
        ("ISC", "ISC"),
        ("Zlib", "Zlib"),
        ("MPL-1.1", "MPL-1.1"),
        ("MPL-2.0", "MPL-2.0"),
        ("PSF-2", "PSF-2.0"),
        ("BSL-1.0", "BSL-1.0"),
    ];
    if later {
        // `Apache-2.0+` and the like have no SPDX form without `+`.
        return Some(spdx_id(name).unwrap_or_else(|| name.to_string()));
    }
    if let Some((_, id)) = TABLE.iter().find(|(d, _)| d.eq_ignore_ascii_case(name)) {
        return Some(id.to_string());
    }
    // `MPL-2`, `BSL-1`, `Artistic-1`: SPDX writes the minor version.
    let with_minor = name
        .rsplit_once('-')
        .filter(|(_, v)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|_| spdx_id(&format!("{name}.0")));
    Some(
        spdx_id(name)
            .or(with_minor)
            .unwrap_or_else(|| name.to_string()),
    )
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The SPDX exception a DEP-5 `with ... exception` clause names, where it
/// is unambiguous (`base` is the licence it is attached to, mapped).
fn exception_spdx(base: &str, clause: &str) -> Option<&'static str> {
    let c = clause.to_ascii_lowercase();
    let c = c.trim().trim_end_matches("exception").trim();
    if c == "autoconf" {
        // The exception's version follows the GPL's.
        return if base.starts_with("GPL-2.0") {
            Some("Autoconf-exception-2.0")
        } else if base.starts_with("GPL-3.0") {
            Some("Autoconf-exception-3.0")
        } else {
            None
        };
    }
    const TABLE: &[(&str, &str)] = &[
        ("bison-2.2", "Bison-exception-2.2"),
        ("bison", "Bison-exception-2.2"),
        ("classpath", "Classpath-exception-2.0"),
        ("gcc-runtime-3.1", "GCC-exception-3.1"),
        ("gcc-3.1", "GCC-exception-3.1"),
        ("libtool", "Libtool-exception"),
        ("llvm", "LLVM-exception"),
        ("linux-syscall-note", "Linux-syscall-note"),
        ("texinfo", "Texinfo-exception"),
    ];
    TABLE.iter().find(|(k, _)| *k == c).map(|(_, e)| *e)
}

/// Names of `/usr/share/common-licenses/<name>` references, mapped.
fn common_license_refs(text: &str) -> Vec<String> {
    const DIR: &str = "/usr/share/common-licenses/";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(DIR) {
        rest = &rest[i + DIR.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
            .unwrap_or(rest.len());
        if let Some(l) = debian_to_spdx(&rest[..end]) {
            push_unique(&mut out, l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_names_map_to_spdx_where_they_agree() {
        for (deb, spdx) in [
            ("GPL-2", "GPL-2.0-only"),
            ("GPL-2+", "GPL-2.0-or-later"),
            ("GPL-2.0+", "GPL-2.0-or-later"),
            ("gpl-3", "GPL-3.0-only"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("LGPL-2", "LGPL-2.0-only"),
            ("GFDL-1.2", "GFDL-1.2-only"),
            ("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later"),
            ("Expat", "MIT"),
            ("BSD-3-clause", "BSD-3-Clause"),
            ("Apache-2", "Apache-2.0"),
            ("zlib", "Zlib"),
            ("FSFULLR", "FSFULLR"),
            ("GPL", "GPL"),
            ("GPL-4", "GPL-4"),
            ("public-domain", "public-domain"),
            ("Artistic", "Artistic"),
            ("LGPL-2.1.", "LGPL-2.1-only"),
            ("MPL-2", "MPL-2.0"),
            ("Artistic-1", "Artistic-1.0"),
            ("BSL-1", "BSL-1.0"),
        ] {
            assert_eq!(debian_to_spdx(deb).as_deref(), Some(spdx), "{deb}");
        }
        assert_eq!(debian_to_spdx(" none "), None);
    }

    #[test]
    fn dep5_files_and_header_paragraphs_only() {
        let text = "\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: x
License: GPL-2+

Files: *
Copyright: 2000 Someone
License: GPL-2+ or Artistic

Files: lib/*
Copyright: 2001 Other
License: LGPL-2.1+ and BSD-3-clause,
 with more text on the next line: MIT

Files: m4/*
License: GPL-3+ with Bison-2.2 exception

Files: ssl/*
License: GPL-2+ with OpenSSL exception

Files: gnulib/*
License: GPL-3+ with autoconf exception and/or ISC

License: Artistic
 The \"Artistic License\"
 .
 License: not-a-field

License: Unused-Elsewhere
 text
";
        assert_eq!(
            copyright_licenses(text.as_bytes()),
            [
                "GPL-2.0-or-later",
                "Artistic",
                "LGPL-2.1-or-later",
                "BSD-3-Clause",
                "GPL-3.0-or-later WITH Bison-exception-2.2",
                "GPL-2+ with OpenSSL exception",
                "GPL-3.0-or-later WITH Autoconf-exception-3.0",
                "ISC",
            ]
        );
    }

    #[test]
    fn free_form_files_count_common_licence_references_only() {
        let text = "This is Debian's prepackaged version of the GNU C Library.\n\
            It is GPL-compatible, unlike some licences.\n\
            The complete text of the GNU Lesser General Public License can be found in\n\
            `/usr/share/common-licenses/LGPL-2.1'. And the GPL in\n\
            /usr/share/common-licenses/GPL-2. See also /usr/share/common-licenses/GPL.\n\
            Again `/usr/share/common-licenses/LGPL-2.1'.\n\
            Broken: /usr/share/common-licenses/";
        assert_eq!(
            copyright_licenses(text.as_bytes()),
            ["LGPL-2.1-only", "GPL-2.0-only", "GPL"]
        );
        assert!(copyright_licenses(b"").is_empty());
        assert!(copyright_licenses(b"\xff\xfe Format:").is_empty());
    }
}
