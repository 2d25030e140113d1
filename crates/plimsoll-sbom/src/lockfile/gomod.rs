//! `go.mod`: the modules its `require` directives name (direct and
//! `// indirect` ones), after its `replace` and `exclude` directives, as
//! syft's go-module-file cataloger lists them.
//!
//! A replacement by another module (`a => b v1.2.0`) reports `b` at its
//! version; one by a local directory (`a => ../a`) reports `a` without a
//! version (its code is the directory's, not a published version's), as
//! syft does. A replacement or exclusion of a module the file does not
//! require changes nothing, as in Go (syft adds the replacement).

use std::collections::BTreeMap;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::binary::golang::go_purl;

/// The fields of a line without its `//` comment: bare words, `"quoted"`
/// (with escapes) or `` `raw` `` strings, `=>`, `(` and `)`. A comment
/// may follow a word without a space (`v1.0.0//indirect`).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' | '`' => {
                chars.next();
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        d if d == c => break,
                        '\\' if c == '"' => s.extend(chars.next()),
                        d => s.push(d),
                    }
                }
                out.push(s);
            }
            _ => {
                let mut s = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                // `a//comment` has no space before the comment.
                if let Some(at) = s.find("//") {
                    s.truncate(at);
                    if !s.is_empty() {
                        out.push(s);
                    }
                    break;
                }
                out.push(s);
            }
        }
    }
    out
}

fn is_local(path: &str) -> bool {
    path.starts_with('.') || path.starts_with('/')
}

/// Reads a `go.mod`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a go.mod, skipped".into());
    };
    let mut out = Parsed::default();
    let mut required: BTreeMap<String, String> = BTreeMap::new();
    let mut replaces: Vec<(String, String, String)> = Vec::new();
    let mut excludes: Vec<String> = Vec::new();
    let mut block: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let mut f = fields(line);
        if f.is_empty() {
            continue;
        }
        if block.is_some() && f == [")"] {
            block = None;
            continue;
        }
        let verb = match &block {
            Some(v) => v.clone(),
            None => {
                let verb = f.remove(0);
                if f == ["("] {
                    block = Some(verb);
                    continue;
                }
                verb
            }
        };
        let bad = |out: &mut Parsed, what: &str| {
            out.warnings.push(format!(
                "line {}: malformed {what} directive: skipped",
                n + 1
            ));
        };
        match verb.as_str() {
            "require" => match f.as_slice() {
                [path, version] => {
                    required.insert(path.clone(), version.clone());
                }
                _ => bad(&mut out, "require"),
            },
            "replace" => {
                let Some(arrow) = f.iter().position(|x| x == "=>") else {
                    bad(&mut out, "replace");
                    continue;
                };
                match (&f[..arrow], &f[arrow + 1..]) {
                    ([old, ..], [new]) if is_local(new) => {
                        replaces.push((old.clone(), new.clone(), String::new()))
                    }
                    ([old, ..], [new, version]) => {
                        replaces.push((old.clone(), new.clone(), version.clone()))
                    }
                    _ => bad(&mut out, "replace"),
                }
            }
            "exclude" => match f.as_slice() {
                [path, _version] => excludes.push(path.clone()),
                _ => bad(&mut out, "exclude"),
            },
            _ => {} // module, go, toolchain, retract, godebug, tool, ...
        }
    }
    for (old, new, version) in replaces {
        if required.remove(&old).is_none() {
            continue;
        }
        if is_local(&new) {
            required.insert(old, String::new());
        } else {
            required.insert(new, version);
        }
    }
    for path in excludes {
        required.remove(&path);
    }
    for (name, version) in required {
        out.push(LockedPackage {
            package_type: PackageType::Golang,
            purl: go_purl(&name, &version),
            name,
            version,
            licenses: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &Parsed) -> Vec<(&str, &str)> {
        p.packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect()
    }

    #[test]
    fn syft_fixtures() {
        // syft's go.mod fixtures (Apache-2.0, see tests/data/lock/PROVENANCE.md).
        let p = parse(include_bytes!(
            "../../tests/data/lock/go/many-packages/go.mod"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            pairs(&p),
            [
                ("github.com/anchore/archiver/v3", "v3.5.2"),
                (
                    "github.com/anchore/go-testutils",
                    "v0.0.0-20200624184116-66aa578126db"
                ),
                (
                    "github.com/anchore/go-version",
                    "v1.2.2-0.20200701162849-18adb9c92b9b"
                ),
                (
                    "github.com/anchore/stereoscope",
                    "v0.0.0-20200706164556-7cf39d7f4639"
                ),
                ("github.com/bmatcuk/doublestar", "v8.8.8"),
                ("github.com/go-test/deep", "v1.0.6"),
            ]
        );
        assert_eq!(
            p.packages[0].purl,
            "pkg:golang/github.com/anchore/archiver/v3@v3.5.2"
        );
        let p = parse(include_bytes!(
            "../../tests/data/lock/go/relative-replace/go.mod"
        ));
        assert_eq!(pairs(&p), [("github.com/aws/aws-sdk-go-v2", "")]);
    }

    #[test]
    fn syntax_forms() {
        let p = parse(
            b"module x\n\ngo 1.22\ntoolchain go1.22.1\nrequire \"quoted/mod\" v1.0.0 // indirect\n\
              require (\n\tb.org/b v0.1.0//no space\n\n)\nreplace c.org/c => d.org/d v1.0.0\n\
              require broken\nretract v0.0.1\n",
        );
        assert_eq!(pairs(&p), [("b.org/b", "v0.1.0"), ("quoted/mod", "v1.0.0")]);
        assert_eq!(
            p.warnings.as_slice(),
            ["line 11: malformed require directive: skipped"]
        );
    }
}
