//! OCaml's opam package descriptions: a project's `<name>.opam` (dune
//! writes one per package of a source tree), a package repository's
//! `packages/<name>/<name>.<version>/opam`, and the record opam keeps of
//! every package installed in a switch,
//! `~/.opam/<switch>/.opam-switch/packages/<name>.<version>/opam`.
//!
//! As syft 1.18.1 reads them (`opam-cataloger`, glob `**/*opam`, so any
//! file whose name ends in `opam`, case-sensitive): a file is an opam file
//! when its text holds `opam-version: "<digits>.<digits>"` anywhere (a file
//! without it is no package; a `*.opam` or `<name>.<version>/opam` one
//! with a warning). Unlike syft, a file holding a NUL byte (no text) is
//! never an opam file: the `opam` program holds `opam-version: "2.1"` in its
//! strings, and syft reports Debian's `/usr/bin/opam` as a package `bin`.
//! The package is named
//!
//! - for a file named `opam`, by its directory: `<name>.<version>` split at
//!   the first `.` (a directory without a `.` gives the name alone, no
//!   version);
//! - otherwise by the file's name less its first `.opam`
//!   (`alcotest.opam` is `alcotest`), at the first `version: "…"` that
//!   starts a line (none: no version).
//!
//! opam's syntax allows blanks before a field's `:` (`opam-version : "2.0"`,
//! as in opam-repository's `range` 0.3 to 0.8.1); syft's patterns do not, and
//! it skips those files: plimsoll reads them. The `name:` field is not
//! read, as syft does not read it. A file named
//! `.opam`, or an `opam` at the top of the scanned tree, names no package:
//! skipped with a warning (syft names the latter `/`). The licences
//! are the first `license:` that starts a line: one string, or a list of
//! strings (opam separates them with spaces, `["MIT" "ISC"]`; syft reads
//! only a comma-separated list, plimsoll both). The type is `opam`, the
//! purl `pkg:opam/<name>@<version>` (without `@` when there is no
//! version; syft's JSON writes that version as `UNKNOWN`).
//!
//! syft reads these files in directory scans only; plimsoll does too, except
//! for a switch's installation record (`.opam-switch/packages/*/opam`),
//! evidence of an installed package, which counts in image scans as well.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::{normalize, push_unique};
use crate::purl::purl;

/// `pkg:opam/<name>@<version>` (no `@` for an empty version).
pub fn opam_purl(name: &str, version: &str) -> String {
    purl("opam", None, name, version, &[])
}

/// Whether the file at `path` is a switch's record of an installed package
/// (`…/.opam-switch/packages/<name>.<version>/opam`).
pub fn is_switch_record(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    parts.next() == Some("opam")
        && parts.next().is_some_and(|d| !d.is_empty())
        && parts.next() == Some("packages")
        && parts.next() == Some(".opam-switch")
}

/// Go's `\s` (the patterns are syft's, whose regexps are Go's): ASCII
/// space, tab, newline, form feed, carriage return.
const WS: &str = r"[\t\n\x0C\r ]";

fn regex(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pattern()).expect("a valid pattern"))
}

/// Reads the opam file at `path` (its name, or its directory's, names the
/// package).
pub fn parse(path: &str, content: &[u8]) -> Parsed {
    static OPAM_VERSION: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    static LICENSE: OnceLock<Regex> = OnceLock::new();
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let opam_version = regex(&OPAM_VERSION, || {
        format!(r#"opam-version[ \t]*:{WS}*"[0-9]+\.[0-9]+""#)
    });
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    // The glob also meets files that are no opam files: the `opam` program
    // itself (whose text holds `opam-version: "2.1"`: syft 1.18.1 reports
    // Debian's `/usr/bin/opam` as a package named `bin`), a shell
    // completion or lintian override named `opam`. An opam file is text:
    // a file holding a NUL byte is no package, silently.
    if content.contains(&0) {
        return Parsed::default();
    }
    if !opam_version.is_match(content) {
        // Only a file that claims to be one (`x.opam`, `<name>.<version>/opam`)
        // says why it is skipped.
        let claims = file.ends_with(".opam")
            || (file == "opam" && dir.rsplit('/').next().is_some_and(|d| d.contains('.')));
        if !claims {
            return Parsed::default();
        }
        return Parsed::unreadable(
            "no `opam-version: \"N.N\"` field: not an opam file, skipped".into(),
        );
    }
    let (name, version) = if file == "opam" {
        let base = dir.rsplit('/').next().unwrap_or("");
        match base.split_once('.') {
            Some((name, version)) => (name.to_string(), version.to_string()),
            None => (base.to_string(), String::new()),
        }
    } else {
        let version = regex(&VERSION, || format!(r#"(?m)^version[ \t]*:{WS}*"([^"]*)""#))
            .captures(content)
            .and_then(|c| c.get(1))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
            .unwrap_or_default();
        (file.replacen(".opam", "", 1), version)
    };
    if name.is_empty() {
        return Parsed::unreadable(
            "no package name (an `opam` file needs a `<name>.<version>` directory, a `.opam` file a name before it): skipped".into(),
        );
    }
    let mut licenses = Vec::new();
    let license = regex(&LICENSE, || {
        format!(r#"(?m)^license[ \t]*:{WS}*("[^"]*"|\[[^\]]*\])"#)
    });
    if let Some(value) = license.captures(content).and_then(|c| c.get(1)) {
        let quoted = regex(&QUOTED, || r#""([^"]*)""#.to_string());
        for s in quoted.captures_iter(value.as_bytes()) {
            if let Some(l) = normalize(&String::from_utf8_lossy(&s[1])) {
                push_unique(&mut licenses, l);
            }
        }
    }
    let mut out = Parsed::default();
    out.push(LockedPackage {
        package_type: PackageType::Opam,
        purl: opam_purl(&name, &version),
        name,
        version,
        licenses,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, content: &[u8]) -> LockedPackage {
        let p = parse(path, content);
        assert!(p.warnings.is_empty(), "{path}: {:?}", p.warnings);
        assert_eq!(p.packages.len(), 1, "{path}");
        p.packages.into_iter().next().unwrap()
    }

    #[test]
    fn syft_fixtures() {
        // syft's fixtures (see tests/data/opam/PROVENANCE.md), with what
        // syft's own test expects of them.
        let p = one(
            "src/alcotest/alcotest.opam",
            include_bytes!("../../tests/data/opam/alcotest.opam"),
        );
        assert_eq!((p.name.as_str(), p.version.as_str()), ("alcotest", "1.5.0"));
        assert_eq!(p.purl, "pkg:opam/alcotest@1.5.0");
        assert_eq!(p.licenses, ["ISC"]);
        assert_eq!(p.package_type, PackageType::Opam);
        let p = one(
            "root/.opam/default/.opam-switch/packages/ocaml-base-compiler.4.14.0/opam",
            include_bytes!("../../tests/data/opam/ocaml-base-compiler.4.14.0/opam"),
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("ocaml-base-compiler", "4.14.0")
        );
        assert_eq!(p.purl, "pkg:opam/ocaml-base-compiler@4.14.0");
        assert_eq!(
            p.licenses,
            ["LGPL-2.1-or-later WITH OCaml-LGPL-linking-exception"]
        );
        // syft's glob-paths fixture: a file named like an opam file that
        // is none.
        let p = parse(
            "x/alcotest.opam",
            include_bytes!("../../tests/data/opam/glob-paths/opam/alcotest.opam"),
        );
        assert!(p.packages.is_empty());
        assert!(
            p.warnings[0].contains("not an opam file"),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn opam_repository_files() {
        // Real files of opam-repository (see tests/data/opam/PROVENANCE.md).
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/opam/opam-repository/packages"
        );
        for (rel, name, version, licenses) in [
            (
                "ocaml/ocaml.4.14.2/opam",
                "ocaml",
                "4.14.2",
                &["LGPL-2.1-or-later WITH OCaml-LGPL-linking-exception"][..],
            ),
            ("tls/tls.1.0.4/opam", "tls", "1.0.4", &["BSD-2-Clause"]),
            // opam's own list syntax, which syft drops.
            (
                "alt-ergo/alt-ergo.2.0.0/opam",
                "alt-ergo",
                "2.0.0",
                &[
                    "LicenseRef-OCamlPro-Non-Commercial-Purpose-License-Version-1",
                    "Apache-1.0+",
                ],
            ),
            // `opam-version : "2.0"`, which syft skips.
            ("range/range.0.3/opam", "range", "0.3", &["GPL-3.0-only"]),
            (
                "opam-devel/opam-devel.2.5.0~rc1/opam",
                "opam-devel",
                "2.5.0~rc1",
                &["LGPL-2.1-only WITH OCaml-LGPL-linking-exception"],
            ),
        ] {
            let path = format!("{dir}/{rel}");
            let p = one(&path, &std::fs::read(&path).unwrap());
            assert_eq!(
                (p.name.as_str(), p.version.as_str()),
                (name, version),
                "{rel}"
            );
            assert_eq!(p.licenses, licenses, "{rel}");
        }
        assert_eq!(
            opam_purl("opam-devel", "2.5.0~rc1"),
            "pkg:opam/opam-devel@2.5.0~rc1"
        );
    }

    #[test]
    fn names_versions_and_licences_as_syft() {
        // Each case checked against syft 1.18.1's answer on the same file.
        let ov = "opam-version: \"2.0\"\n";
        let cases: [(&str, String, &str, &str, &[&str]); 9] = [
            // A repository's layout: the directory names the version.
            (
                "packages/fmt/fmt.0.9.0/opam",
                format!("{ov}license: \"ISC\"\n"),
                "fmt",
                "0.9.0",
                &["ISC"],
            ),
            // The directory wins over `name:` and `version:`.
            (
                "src/proj/opam",
                format!("{ov}name: \"real-name\"\nversion: \"4.0\"\n"),
                "proj",
                "",
                &[],
            ),
            // Any name that ends in `opam`; the first `.opam` goes.
            (
                "c/xopam",
                format!("{ov}version: \"1.0\"\n"),
                "xopam",
                "1.0",
                &[],
            ),
            (
                "f/foo.opam.opam",
                format!("{ov}version: \"5.0\"\n"),
                "foo.opam",
                "5.0",
                &[],
            ),
            // `version:` at a line's start only; the first one; no space needed.
            (
                "g/indent.opam",
                format!("{ov}  version: \"7.0\"\nversion:\"7.1\"\nversion: \"7.2\"\n"),
                "indent",
                "7.1",
                &[],
            ),
            (
                "g/crlf.opam",
                "opam-version: \"2.0\"\r\nversion: \"8.0\"\r\nlicense: \"BSD-3-Clause\"\r\n".into(),
                "crlf",
                "8.0",
                &["BSD-3-Clause"],
            ),
            // No version: the package without one (syft: UNKNOWN).
            (
                "d/nover.opam",
                format!("{ov}license: \"MIT\"\n"),
                "nover",
                "",
                &["MIT"],
            ),
            // Lists of licences: syft reads the comma-separated form only,
            // plimsoll opam's own (space-separated) too.
            (
                "d/comma.opam",
                format!("{ov}version: \"3.0\"\nlicense: [\"MIT\", \"ISC\"]\n"),
                "comma",
                "3.0",
                &["MIT", "ISC"],
            ),
            (
                "d/spaced.opam",
                "opam-version: \"1.2\"\nversion: \"2.0\"\nlicense: [\n  \"MIT\"\n  \"ISC\"\n]\n"
                    .into(),
                "spaced",
                "2.0",
                &["MIT", "ISC"],
            ),
        ];
        for (path, text, name, version, licenses) in cases {
            let p = one(path, text.as_bytes());
            assert_eq!(
                (p.name.as_str(), p.version.as_str()),
                (name, version),
                "{path}"
            );
            assert_eq!(p.licenses, licenses, "{path}");
            assert_eq!(p.purl, opam_purl(name, version));
        }
        assert_eq!(opam_purl("nover", ""), "pkg:opam/nover");
        assert_eq!(
            opam_purl("ocaml", "4.02.0+beta1"),
            "pkg:opam/ocaml@4.02.0%2Bbeta1"
        );
    }

    #[test]
    fn what_is_skipped() {
        // No `opam-version: "N.N"` (syft skips these too): a warning for
        // text, silence for a binary (the `opam` program matches the glob).
        for text in [
            "version: \"1.0\"\n",
            "opam-version: \"2\"\nversion: \"9.0\"\n",
        ] {
            let p = parse("h/x.opam", text.as_bytes());
            assert!(p.packages.is_empty(), "{text}");
            assert_eq!(p.warnings.len(), 1, "{text}");
        }
        // A program: not text, even where its strings hold the field (as
        // Debian's opam 2.1.2 `/usr/bin/opam` does); files named `opam`
        // that claim nothing (a shell completion, a lintian override).
        for (path, content) in [
            ("usr/bin/opam", &b"\x7fELF\x02\x01\0\xff\xfe"[..]),
            (
                "usr/bin/opam",
                b"\x7fELF\x02\x01\0\0opam-version: \"2.1\"\0",
            ),
            (
                "usr/share/lintian/overrides/opam",
                b"opam: binary-without-manpage\n",
            ),
            (
                "usr/share/bash-completion/completions/opam",
                b"_opam() {\n}\n",
            ),
        ] {
            assert_eq!(parse(path, content), Parsed::default(), "{path}");
        }
        // No name: `.opam`, or an `opam` file at the top of the tree.
        for path in ["f/.opam", "opam"] {
            let p = parse(path, b"opam-version: \"2.0\"\nversion: \"6.0\"\n");
            assert!(p.packages.is_empty(), "{path}");
            assert!(p.warnings[0].contains("no package name"), "{path}");
        }
    }

    #[test]
    fn switch_records() {
        assert!(is_switch_record(
            "root/.opam/default/.opam-switch/packages/dune.3.16.0/opam"
        ));
        assert!(is_switch_record(".opam-switch/packages/dune.3.16.0/opam"));
        assert!(!is_switch_record(
            "root/.opam/repo/default/packages/dune/dune.3.16.0/opam"
        ));
        assert!(!is_switch_record(
            "root/.opam/default/.opam-switch/packages/dune.3.16.0/x.opam"
        ));
        assert!(!is_switch_record(".opam-switch/packages//opam"));
    }
}
