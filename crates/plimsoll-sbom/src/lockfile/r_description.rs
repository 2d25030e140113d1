//! R packages: the `DESCRIPTION` file every installed R package keeps in
//! its library directory (`/usr/lib/R/library/stats/DESCRIPTION`,
//! `/usr/local/lib/R/site-library/<pkg>/DESCRIPTION`), read as syft's
//! `r-package-cataloger` reads `**/DESCRIPTION`.
//!
//! The file is a Debian-control-like list of `Key: value` fields whose
//! value may continue on lines that start with a space or a tab; a line
//! that is neither (no `:`) ends the field before it and is skipped. The
//! package is its `Package` at its `Version`; a file without either names
//! no package and gives none (syft skips it too, silently: plenty of
//! projects ship a `DESCRIPTION` that is no R package's). The purl is
//! `pkg:cran/<Package>@<Version>`, as syft writes it, and the type syft's
//! `R-package`.
//!
//! Licences: each `|`-separated alternative of `License`, where
//! `MIT + file LICENSE` counts as `MIT` and a bare `file LICENSE` names
//! none.

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::{normalize, push_unique};
use crate::purl::purl;

/// `pkg:cran/<name>@<version>`.
pub fn cran_purl(name: &str, version: &str) -> String {
    purl("cran", None, name, version, &[])
}

/// The fields of a `DESCRIPTION` file, in order; a continued value keeps
/// its line breaks, each continuation line trimmed.
pub fn fields(text: &str) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if open && let Some((_, value)) = out.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) => {
                out.push((key, value.trim().to_string()));
                open = true;
            }
            None => open = false,
        }
    }
    out
}

/// Reads an R package's `DESCRIPTION`.
pub fn parse(content: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(content);
    let fields = fields(&text);
    let get = |key: &str| {
        fields
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let (name, version) = (get("Package"), get("Version"));
    let mut out = Parsed::default();
    if name.is_empty() || version.is_empty() {
        return out;
    }
    let mut licenses = Vec::new();
    for alternative in get("License").split('|').map(str::trim) {
        let alternative = ["+ file LICENSE", "+ file LICENCE"]
            .iter()
            .find_map(|s| alternative.strip_suffix(s))
            .unwrap_or(alternative)
            .trim();
        if alternative.is_empty() || alternative.starts_with("file ") {
            continue;
        }
        if let Some(l) = normalize(alternative) {
            push_unique(&mut licenses, l);
        }
    }
    out.push(LockedPackage {
        package_type: PackageType::RPackage,
        name: name.to_string(),
        version: version.to_string(),
        purl: cran_purl(name, version),
        licenses,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Option<LockedPackage> {
        let p = parse(text.as_bytes());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert!(p.packages.len() <= 1);
        p.packages.into_iter().next()
    }

    #[test]
    fn syft_fixtures() {
        let p = one(include_str!(
            "../../tests/data/r/installed/stringr/DESCRIPTION"
        ))
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("stringr", "1.5.0.9000")
        );
        assert_eq!(p.purl, "pkg:cran/stringr@1.5.0.9000");
        assert_eq!(p.package_type, PackageType::RPackage);
        assert_eq!(p.licenses, ["MIT"]);
        let p = one(include_str!(
            "../../tests/data/r/installed/base/DESCRIPTION"
        ))
        .unwrap();
        assert_eq!(p.purl, "pkg:cran/base@4.3.0");
        assert_eq!(p.licenses, ["Part of R 4.3.0"]);
        // Debian's r-base-core 4.2.2: an installed package of R itself.
        let p = one(include_str!("../../tests/data/r/debian-stats/DESCRIPTION")).unwrap();
        assert_eq!(p.purl, "pkg:cran/stats@4.2.2");
    }

    #[test]
    fn files_naming_no_package() {
        for f in ["no-name", "no-version", "bad", "multiline", "eof-multiline"] {
            let text = std::fs::read_to_string(format!(
                "{}/tests/data/r/map-parse/{f}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            assert_eq!(one(&text), None, "{f}");
        }
        assert_eq!(
            one(include_str!("../../tests/data/r/map-parse/simple"))
                .unwrap()
                .purl,
            "pkg:cran/base@4.3.0"
        );
    }

    #[test]
    fn continued_values_and_licences() {
        let text = include_str!("../../tests/data/r/map-parse/multiline");
        let f = fields(text);
        let description = &f.iter().find(|(k, _)| *k == "Description").unwrap().1;
        assert!(description.starts_with("A consistent, simple"));
        assert!(description.contains("\nthe fantastic 'stringi' package."));
        assert!(description.ends_with("easy to feed into the input of another."));
        // A line without a colon ends the field before it.
        let f = fields("Package: a\nbroken line\n  more\nVersion: 1\n");
        assert_eq!(f, [("Package", "a".into()), ("Version", "1".into())]);
        let p =
            one("Package: x\nVersion: 0.1-2\nLicense: GPL-2 | file LICENCE | MIT + file LICENSE\n")
                .unwrap();
        assert_eq!(p.licenses, ["GPL-2", "MIT"]);
        assert_eq!(p.purl, "pkg:cran/x@0.1-2");
    }
}
