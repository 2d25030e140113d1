//! Elixir's `mix.lock`: the Hex packages Mix resolved, one map entry a
//! line (`"cowboy": {:hex, :cowboy, "2.9.0", "<hash>", [:make, :rebar3],
//! [<requirements>], "hexpm", "<hash>"},`), as syft reads them.
//!
//! Each `:hex` entry counts at the version Mix locked, named by the entry's
//! key (the application name; syft's name too), with the purl
//! `pkg:hex/<name>@<version>`. A dependency Mix fetched from git
//! (`{:git, "<url>", "<commit>", [...]}`) counts at the commit it locked,
//! as rebar3's git dependencies do in syft's `rebar.lock` reader (syft
//! itself cuts such a line at every `:` and `/`, and reports a piece of
//! the URL as the version). Path dependencies are not in the lock file.
//!
//! The requirements of a `:hex` entry (`{:cowlib, "2.11.0", [hex: :cowlib,
//! …]}`) name packages of the same file: each is a dependency relationship.

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// `pkg:hex/<name>@<version>`.
pub fn hex_purl(name: &str, version: &str) -> String {
    purl("hex", None, name, version, &[])
}

/// The double-quoted strings of `s`, in order (`\` escapes a character).
fn quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        loop {
            match chars.next() {
                None => return out,
                Some('"') => break,
                Some('\\') => word.extend(chars.next()),
                Some(c) => word.push(c),
            }
        }
        out.push(word);
    }
    out
}

/// Reads a `mix.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a mix.lock, skipped".into());
    };
    let mut out = Parsed::default();
    // (package purl, names of the packages it requires)
    let mut requires: Vec<(String, Vec<String>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line == "%{" || line == "}" || line.starts_with('#') {
            continue;
        }
        let warn = |out: &mut Parsed, why: &str| {
            out.warnings.push(format!(
                "line {}: {why}: {:?} skipped",
                n + 1,
                crate::license::clip(line, 60)
            ));
        };
        let Some((key, rest)) = line
            .strip_prefix('"')
            .and_then(|l| l.split_once("\": {"))
            .filter(|(k, _)| !k.is_empty() && !k.contains(['"', ' ']))
        else {
            warn(&mut out, "not a `\"name\": {...}` entry");
            continue;
        };
        let strings = quoted(rest);
        let (version, required) = if rest.starts_with(":hex,") {
            // {:hex, :name, "version", "hash", [managers], [requirements], "repo", "hash"}
            let required: Vec<String> = rest
                .split("{:")
                .skip(1)
                .filter_map(|r| r.split(',').next())
                .map(str::to_string)
                .filter(|r| r != "hex")
                .collect();
            (strings.first().cloned(), required)
        } else if rest.starts_with(":git,") {
            // {:git, "url", "commit", [opts]}
            (strings.get(1).cloned(), Vec::new())
        } else {
            warn(&mut out, "neither a :hex nor a :git entry");
            continue;
        };
        let Some(version) = version.filter(|v| !v.is_empty() && !v.contains(' ')) else {
            warn(&mut out, "no version");
            continue;
        };
        let p = hex_purl(key, &version);
        requires.push((p.clone(), required));
        out.push(LockedPackage {
            package_type: PackageType::Hex,
            name: key.to_string(),
            version,
            purl: p,
            licenses: Vec::new(),
        });
    }
    for (from, names) in requires {
        for name in names {
            if let Some(to) = out.purl_of(&name, None) {
                out.depends(&from, &to);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        // syft's fixture, unchanged (see PROVENANCE.md).
        let p = parse(include_bytes!("../../tests/data/lock/hex/mix.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 15);
        assert_eq!(p.sorted_pairs()[0], ("castore", "0.1.17"));
        assert!(p.sorted_pairs().contains(&("ecto_sql", "3.8.1")));
        let cowboy = p.packages.iter().find(|p| p.name == "cowboy").unwrap();
        assert_eq!(cowboy.purl, "pkg:hex/cowboy@2.9.0");
        assert_eq!(cowboy.package_type, PackageType::Hex);
        // cowboy requires cowlib and ranch; ranch is not in the file.
        let deps: Vec<_> = p
            .dependencies
            .iter()
            .filter(|(f, _)| f == "pkg:hex/cowboy@2.9.0")
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(deps, ["pkg:hex/cowlib@2.11.0"]);
        // ecto's optional jason counts too (the file states it).
        assert!(
            p.dependencies
                .contains(&("pkg:hex/ecto@3.8.1".into(), "pkg:hex/jason@1.3.0".into()))
        );
    }

    #[test]
    fn git_entries_and_odd_lines() {
        let p = parse(
            b"%{\n  \"plug\": {:git, \"https://example.invalid/plug.git\", \"0a1b2c\", [branch: \"main\"]},\n  \"x\": {:path, \"../x\"},\n  broken\n  \"y\": {:hex, :y, \"\", \"h\", [:mix], [], \"hexpm\", \"h\"},\n}\n",
        );
        assert_eq!(p.sorted_pairs(), [("plug", "0a1b2c")]);
        assert_eq!(p.packages[0].purl, "pkg:hex/plug@0a1b2c");
        assert_eq!(p.warnings.len(), 3, "{:?}", p.warnings);
        assert!(p.warnings[0].starts_with("line 3: neither a :hex nor a :git entry"));
        assert!(p.warnings[1].starts_with("line 4: not a `\"name\": {...}` entry"));
        assert!(p.warnings[2].starts_with("line 5: no version"));
        assert!(parse(b"\xff").warnings[0].contains("not UTF-8"));
    }
}
