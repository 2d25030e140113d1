//! Gradle's dependency lock files, `gradle.lockfile` and
//! `buildscript-gradle.lockfile` (Gradle 6.8+ single-file format, and the
//! per-configuration files of `gradle/dependency-locks/*.lockfile` of older
//! Gradle): one `group:artifact:version=configuration,…` line per locked
//! module, `#` comments and the `empty=…` line (configurations that lock
//! nothing) aside.
//!
//! Every configuration counts (test classpaths included), as syft lists
//! them; the package is Maven's, `pkg:maven/<group>/<artifact>@<version>`.

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// Reads a Gradle lock file.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a Gradle lock file, skipped".into());
    };
    let mut out = Parsed::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let coordinates = line.split_once('=').map_or(line, |(c, _)| c);
        let parts: Vec<&str> = coordinates.split(':').map(str::trim).collect();
        let [group, artifact, version] = parts[..] else {
            out.warnings.push(format!(
                "line {}: {:?} is not group:artifact:version: skipped",
                n + 1,
                crate::license::clip(line, 60)
            ));
            continue;
        };
        if [group, artifact, version]
            .iter()
            .any(|p| p.is_empty() || p.contains(char::is_whitespace))
        {
            out.warnings.push(format!(
                "line {}: empty or invalid coordinate in {:?}: skipped",
                n + 1,
                crate::license::clip(line, 60)
            ));
            continue;
        }
        out.push(LockedPackage {
            package_type: PackageType::Maven,
            name: artifact.to_string(),
            version: version.to_string(),
            purl: purl("maven", Some(group), artifact, version, &[]),
            licenses: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        let p = parse(include_bytes!(
            "../../tests/data/lock/java/gradle/gradle.lockfile"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let mut purls: Vec<_> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        purls.sort();
        assert_eq!(
            purls,
            [
                "pkg:maven/joda-time/joda-time@2.2",
                "pkg:maven/junit/junit@4.12",
                "pkg:maven/org.apache.commons/commons-text@1.8",
                "pkg:maven/org.hamcrest/hamcrest-core@1.3",
            ]
        );
        assert_eq!(
            p.sorted_pairs()[0],
            ("commons-text", "1.8"),
            "named by artifact, as the Java archive cataloger names them"
        );
    }

    #[test]
    fn malformed_lines_warn() {
        let p = parse(b"# c\na:b=x\n:b:1=x\nok:fine:1.0=compileClasspath\n\xff");
        assert!(p.warnings[0].contains("not UTF-8"), "{:?}", p.warnings);
        let p = parse(b"# c\na:b=x\n:b:1=x\nok:fine:1.0=compileClasspath\nempty=\n");
        assert_eq!(p.sorted_pairs(), [("fine", "1.0")]);
        assert_eq!(
            p.warnings.as_slice(),
            [
                "line 2: \"a:b=x\" is not group:artifact:version: skipped",
                "line 3: empty or invalid coordinate in \":b:1=x\": skipped",
            ]
        );
    }
}
