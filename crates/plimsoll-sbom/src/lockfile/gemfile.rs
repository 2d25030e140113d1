//! `Gemfile.lock` (and `Gemfile.next.lock`): the gems Bundler resolved, in
//! its `GEM`, `GIT`, `PATH` and `PLUGIN SOURCE` sections (`specs:` lines
//! four spaces in: `    rack (2.2.3)`), as syft reads them. A platform
//! gem (`nokogiri (1.13.6-x86_64-linux)`) counts at its version with a
//! `platform` purl qualifier; syft keeps the platform in the version.

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::ruby::gem_purl;

const SECTIONS: [&str; 4] = ["GEM", "GIT", "PATH", "PLUGIN SOURCE"];

/// Reads a `Gemfile.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a Gemfile.lock, skipped".into());
    };
    let mut out = Parsed::default();
    let mut section = "";
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.is_empty() && !line.starts_with(' ') {
            section = line.trim();
            continue;
        }
        if !SECTIONS.contains(&section) {
            continue;
        }
        let Some(spec) = line.strip_prefix("    ").filter(|s| !s.starts_with(' ')) else {
            continue;
        };
        let Some((name, version)) = spec
            .trim_end()
            .strip_suffix(')')
            .and_then(|s| s.split_once(" ("))
            .filter(|(n, v)| {
                !n.is_empty() && !n.contains(' ') && !v.is_empty() && !v.contains(' ')
            })
        else {
            out.warnings.push(format!(
                "line {}: {:?} is no `name (version)`: skipped",
                n + 1,
                crate::license::clip(spec, 60)
            ));
            continue;
        };
        // Gem versions hold no `-`; what follows one is the platform.
        let (version, platform) = match version.split_once('-') {
            Some((v, p)) => (v, Some(p)),
            None => (version, None),
        };
        out.push(LockedPackage {
            package_type: PackageType::Gem,
            name: name.to_string(),
            version: version.to_string(),
            purl: gem_purl(name, version, platform),
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
        // syft's fixture (its `remote:` of the gem registry removed; see
        // PROVENANCE.md): PATH, GIT and GEM sections, and a bad section.
        let text = include_str!("../../tests/data/lock/ruby/Gemfile.lock");
        let p = parse(text.as_bytes());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let specs = text
            .split("\nBAD-SECTION")
            .next()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
            .count();
        assert_eq!(p.packages.len(), specs);
        for (name, version) in [
            ("google-cloud-errors", "1.3.0"),
            ("turbolinks", "3.0.0"),
            ("actionmailer", "4.1.1"),
        ] {
            assert!(
                p.packages
                    .iter()
                    .any(|g| g.name == name && g.version == version),
                "{name}"
            );
        }
        assert_eq!(p.packages[0].purl, "pkg:gem/google-cloud-errors@1.3.0");
    }

    #[test]
    fn platform_gems_and_odd_lines() {
        let p = parse(b"GEM\n  specs:\n    nokogiri (1.13.6-x86_64-linux)\n      racc (~> 1.4)\n    odd line\n\nPLATFORMS\n    x86_64-linux (1)\n");
        assert_eq!(p.packages.len(), 1);
        assert_eq!(p.packages[0].version, "1.13.6");
        assert_eq!(
            p.packages[0].purl,
            "pkg:gem/nokogiri@1.13.6?platform=x86_64-linux"
        );
        assert_eq!(
            p.warnings.as_slice(),
            ["line 5: \"odd line\" is no `name (version)`: skipped"]
        );
    }
}
