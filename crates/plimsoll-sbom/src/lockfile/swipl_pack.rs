//! SWI-Prolog packs: a pack's `pack.pl`, Prolog facts that describe it
//! (`name(hdt).`, `version('0.5.2').`, `author(…)`, `home(…)`).
//!
//! As syft 1.18.1 (`swipl-pack-cataloger`, `**/pack.pl`, directory scans
//! only): the first `name(…)` (quoted or not) and the first
//! `version('…')` (quoted) found in the text are the package; a file
//! without both is no package (a warning). The type is `swiplpack`, the
//! purl `pkg:swiplpack/<name>@<version>`. The file is read as text, never
//! consulted: like syft, plimsoll does not tell facts from comments.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// `pkg:swiplpack/<name>@<version>`.
pub fn swiplpack_purl(name: &str, version: &str) -> String {
    purl("swiplpack", None, name, version, &[])
}

/// Reads a `pack.pl`.
pub fn parse(content: &[u8]) -> Parsed {
    static NAME: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    let name_re =
        NAME.get_or_init(|| Regex::new(r"name\(\s*'?([^')]+)'?\s*\)").expect("a valid pattern"));
    let version_re =
        VERSION.get_or_init(|| Regex::new(r"version\('([^']+)'\)").expect("a valid pattern"));
    let first = |re: &Regex| {
        re.captures(content)
            .and_then(|c| c.get(1))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).trim().to_string())
    };
    let (Some(name), Some(version)) = (first(name_re), first(version_re)) else {
        return Parsed::unreadable(
            "no name(…) and version('…') facts: not a pack description, skipped".into(),
        );
    };
    if name.is_empty() || version.is_empty() {
        return Parsed::unreadable("an empty name or version: skipped".into());
    }
    let mut out = Parsed::default();
    out.push(LockedPackage {
        package_type: PackageType::SwiplPack,
        purl: swiplpack_purl(&name, &version),
        name,
        version,
        licenses: Vec::new(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        // syft's fixture (see tests/data/swipl/PROVENANCE.md): hdt 0.5.2.
        let p = parse(include_bytes!("../../tests/data/swipl/pack.pl"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.sorted_pairs(), [("hdt", "0.5.2")]);
        assert_eq!(p.packages[0].purl, "pkg:swiplpack/hdt@0.5.2");
        assert_eq!(p.packages[0].package_type, PackageType::SwiplPack);
    }

    #[test]
    fn facts_as_syft_reads_them() {
        let p = parse(b"name( 'my pack' ).\nversion('1.0.0').\n");
        assert_eq!(p.sorted_pairs(), [("my pack", "1.0.0")]);
        // The version must be quoted, as syft requires.
        for bad in [
            &b"name(x).\nversion(1.0).\n"[..],
            b"version('1').\n",
            b"bogus pack",
            b"",
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty(), "{:?}", String::from_utf8_lossy(bad));
            assert_eq!(p.warnings.len(), 1);
        }
    }
}
