//! The parser on real dpkg databases from ../shared/testdata/pkgdb (see
//! ../shared/testdata/PROVENANCE.md): a Debian 12 machine's status file and
//! public fixtures of claircore and grype.

use std::collections::BTreeSet;
use std::path::PathBuf;

use plimsoll_sbom::{DbKind, Parsed, parse_dpkg_db};

fn pkgdb(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/pkgdb")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: this test needs ../shared (run scripts/test-all.sh)",
            path.display()
        )
    });
    (path.display().to_string(), bytes)
}

/// Counts independent of the parser: paragraphs and their `Status:` lines.
fn count_installed(text: &str) -> usize {
    text.split("\n\n")
        .filter(|p| {
            p.lines().any(|l| {
                l.strip_prefix("Status:")
                    .is_some_and(|s| s.split_whitespace().nth(2) == Some("installed"))
            })
        })
        .count()
}

fn parse(name: &str) -> (String, Parsed) {
    let (path, bytes) = pkgdb(name);
    let parsed = parse_dpkg_db(&path, &bytes, DbKind::Status);
    assert!(parsed.warnings.is_empty(), "{name}: {:?}", parsed.warnings);
    assert_eq!(
        parsed.packages.len(),
        count_installed(&String::from_utf8_lossy(&bytes)),
        "{name}"
    );
    (String::from_utf8_lossy(&bytes).into_owned(), parsed)
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn debian_12_machine_status() {
    let (text, p) = parse("dpkg-status-debian");
    assert_eq!(p.packages.len(), 720);
    let names: BTreeSet<(&str, &str)> = p
        .packages
        .iter()
        .map(|e| (e.name.as_str(), e.arch.as_str()))
        .collect();
    assert_eq!(names.len(), p.packages.len(), "a (name, arch) twice");
    for must in ["dpkg", "base-files", "libc6", "apt", "bash"] {
        assert!(p.packages.iter().any(|e| e.name == must), "{must} missing");
    }
    // Every `Source: x (v)` paragraph gives a source version of its own.
    let with_source_version = p
        .packages
        .iter()
        .filter(|e| e.source_version != e.version)
        .count();
    let expected = text
        .lines()
        .filter(|l| l.starts_with("Source:") && l.contains('('))
        .count();
    assert_eq!(with_source_version, expected);
    assert!(
        p.packages
            .iter()
            .all(|e| !e.version.is_empty() && !e.arch.is_empty() && e.maintainer.is_some())
    );
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn claircore_and_grype_fixtures() {
    let (_, p) = parse("dpkg-status-claircore-postgresql");
    let client = p
        .packages
        .iter()
        .find(|e| e.name == "postgresql-client")
        .unwrap();
    assert_eq!(client.version, "11+200+deb10u5");
    assert_eq!(
        (client.source_name.as_str(), client.source_version.as_str()),
        ("postgresql-common", "200+deb10u5")
    );
    assert_eq!(client.arch, "all");

    let (_, p) = parse("dpkg-status-claircore-texlive");
    assert_eq!(p.packages.len(), 357);

    let (_, p) = parse("dpkg-status-grype-debian-match-coverage");
    assert_eq!(p.packages.len(), 1);
    assert_eq!(
        (p.packages[0].name.as_str(), p.packages[0].version.as_str()),
        ("apt", "1.8.2")
    );
    assert_eq!(p.packages[0].source_name, "apt-dev");
    assert_eq!(p.packages[0].source_version, "1.8.2");
}
