//! Licence names as package metadata declares them, turned into SPDX
//! identifiers and expressions where that is certain, and otherwise kept as
//! the declared text (shortened).

/// SPDX licence identifiers that package metadata commonly names, in their
/// canonical case. A name is recognised case-insensitively.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "Beerware",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "curl",
    "ECL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "ISC",
    "Kazlib",
    "Latex2e",
    "LGPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "Libpng",
    "libpng-2.0",
    "LPPL-1.3c",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "OFL-1.1",
    "OLDAP-2.8",
    "OpenSSL",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Sleepycat",
    "TCL",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
];

/// SPDX licence exceptions (after `WITH`).
const SPDX_EXCEPTIONS: &[&str] = &[
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Classpath-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "LLVM-exception",
    "Libtool-exception",
    "Linux-syscall-note",
    "OCaml-LGPL-linking-exception",
    "openvpn-openssl-exception",
    "Texinfo-exception",
];

/// Names that are not SPDX identifiers but mean exactly one licence.
const ALIASES: &[(&str, &str)] = &[
    ("Apache 2", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache-2", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache License Version 2.0", "Apache-2.0"),
    ("Apache Software License 2.0", "Apache-2.0"),
    ("ASL 2.0", "Apache-2.0"),
    ("Expat", "MIT"),
    ("MIT License", "MIT"),
    ("The MIT License", "MIT"),
    ("The MIT License (MIT)", "MIT"),
    ("ISC License", "ISC"),
    ("Mozilla Public License 2.0", "MPL-2.0"),
    ("MPL 2.0", "MPL-2.0"),
    ("PSF", "PSF-2.0"),
    ("PSFL", "PSF-2.0"),
    ("3-Clause BSD License", "BSD-3-Clause"),
    ("BSD 3-Clause", "BSD-3-Clause"),
    ("BSD-3", "BSD-3-Clause"),
    ("BSD 2-Clause", "BSD-2-Clause"),
    ("BSD-2", "BSD-2-Clause"),
    ("LGPLv2+", "LGPL-2.0-or-later"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPLv3+", "GPL-3.0-or-later"),
];

/// The canonical SPDX spelling of a licence identifier (with an optional
/// trailing `+`, or a `LicenseRef-`), if `word` is one.
pub(crate) fn spdx_id(word: &str) -> Option<String> {
    if let Some(rest) = word.strip_prefix("LicenseRef-")
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Some(word.to_string());
    }
    let (base, plus) = match word.strip_suffix('+') {
        Some(b) => (b, "+"),
        None => (word, ""),
    };
    SPDX_IDS
        .iter()
        .find(|id| id.eq_ignore_ascii_case(base))
        .map(|id| format!("{id}{plus}"))
}

/// `text` as a canonical SPDX expression, if it is one made of known
/// identifiers: `MIT`, `(MIT OR Apache-2.0)`, `GPL-2.0-or-later WITH
/// Classpath-exception-2.0`. Operators may be upper or lower case.
pub(crate) fn spdx_expression(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 512 {
        return None;
    }
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut out: Vec<String> = Vec::new();
    let mut depth = 0usize;
    // What the grammar allows next: an operand (id or '(') or an operator.
    let mut want_operand = true;
    let mut after_with = false;
    for token in spaced.split_whitespace() {
        match token {
            "(" if want_operand => {
                depth += 1;
                out.push("(".into());
            }
            ")" if !want_operand && depth > 0 => {
                depth -= 1;
                out.push(")".into());
            }
            t if want_operand => {
                let id = if after_with {
                    SPDX_EXCEPTIONS
                        .iter()
                        .find(|e| e.eq_ignore_ascii_case(t))
                        .map(|e| e.to_string())
                } else {
                    spdx_id(t)
                };
                out.push(id?);
                want_operand = false;
                after_with = false;
            }
            t => {
                let op = t.to_ascii_uppercase();
                if !(t == op || t == t.to_ascii_lowercase()) {
                    return None; // "And": not an operator
                }
                match op.as_str() {
                    "AND" | "OR" => {}
                    "WITH" => after_with = true,
                    _ => return None,
                }
                out.push(op);
                want_operand = true;
            }
        }
    }
    if want_operand || depth != 0 {
        return None;
    }
    Some(out.join(" ").replace("( ", "(").replace(" )", ")"))
}

/// A declared licence as SPDX where it certainly is one (an expression of
/// known identifiers, or an unambiguous alias), otherwise the declared text,
/// first line only and shortened. None for nothing or a placeholder.
pub(crate) fn normalize(declared: &str) -> Option<String> {
    let first = declared.lines().map(str::trim).find(|l| !l.is_empty())?;
    if is_placeholder(first) {
        return None;
    }
    if let Some(expr) = spdx_expression(first) {
        return Some(expr);
    }
    if let Some((_, id)) = ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(first)) {
        return Some(id.to_string());
    }
    Some(clip(first, 80))
}

fn is_placeholder(s: &str) -> bool {
    ["UNKNOWN", "NONE", "N/A", "SEE LICENSE", "SEE LICENSE FILE"]
        .iter()
        .any(|p| s.eq_ignore_ascii_case(p))
        || s.to_ascii_uppercase().starts_with("SEE LICENSE IN")
}

/// At most `max` characters, with `…` when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Adds `license` to `list` unless it is already there.
pub(crate) fn push_unique(list: &mut Vec<String>, license: String) {
    if !list.contains(&license) {
        list.push(license);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_expressions_are_recognised_and_canonicalised() {
        assert_eq!(spdx_expression("MIT").as_deref(), Some("MIT"));
        assert_eq!(spdx_expression("mit").as_deref(), Some("MIT"));
        assert_eq!(
            spdx_expression("(MIT OR apache-2.0)").as_deref(),
            Some("(MIT OR Apache-2.0)")
        );
        assert_eq!(
            spdx_expression("GPL-2.0-or-later with classpath-exception-2.0").as_deref(),
            Some("GPL-2.0-or-later WITH Classpath-exception-2.0")
        );
        assert_eq!(
            spdx_expression("MIT and (BSD-3-Clause or ISC)").as_deref(),
            Some("MIT AND (BSD-3-Clause OR ISC)")
        );
        assert_eq!(spdx_expression("GPL-2.0+").as_deref(), Some("GPL-2.0+"));
        assert_eq!(
            spdx_expression("LicenseRef-Proprietary").as_deref(),
            Some("LicenseRef-Proprietary")
        );
        for bad in [
            "",
            "Apache 2.0",
            "MIT OR",
            "(MIT",
            "MIT)",
            "MIT And ISC",
            "MIT WITH MIT",
            "BSD",
            "MIT MIT",
            "()",
        ] {
            assert_eq!(spdx_expression(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn declared_text_is_mapped_kept_or_dropped() {
        assert_eq!(normalize("Apache 2.0").as_deref(), Some("Apache-2.0"));
        assert_eq!(normalize("BSD").as_deref(), Some("BSD"));
        assert_eq!(normalize("UNKNOWN"), None);
        // npm's word for "no licence granted": kept, it matters.
        assert_eq!(normalize("UNLICENSED").as_deref(), Some("UNLICENSED"));
        assert_eq!(normalize("  \n "), None);
        assert_eq!(
            normalize("SEE LICENSE IN LICENSE.md"),
            None,
            "a pointer to a file names no licence"
        );
        let long = format!("MIT License\n\nCopyright (c) {}", "x".repeat(500));
        assert_eq!(normalize(&long).as_deref(), Some("MIT"));
        let text = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software";
        let n = normalize(text).unwrap();
        assert_eq!(n.chars().count(), 81);
        assert!(n.ends_with('…'));
    }
}
