//! Trivy's and Grype's ignore files, read into plimsoll's [`IgnoreRule`]s so
//! a team switching tools keeps its accepted risks without rewriting them:
//!
//! - `.trivyignore`: one vulnerability id a line, `#` comments, an optional
//!   `exp:YYYY-MM-DD` after the id. The comment line right above an id is
//!   taken as its reason (that is where Trivy users write it); otherwise
//!   the reason is "listed in FILE".
//! - `.trivyignore.yaml`: `vulnerabilities:` entries with `id`, `paths`
//!   (globs on the file that lists the package), `purls`, `statement` (the
//!   reason) and `expired_at`. Its `misconfigurations`, `secrets` and
//!   `licenses` name Trivy's own checks, which are not plimsoll's rules: they
//!   are counted in a note, not applied.
//! - `.grype.yaml`: Grype's configuration; its `ignore:` rules with
//!   `vulnerability`, `fix-state`, `reason` and `package` (`name`, regex-like
//!   names as Grype reads them, `version`, `type`, `language`, `location`
//!   glob). Every condition given must hold, as in Grype. A rule that uses a
//!   condition plimsoll cannot judge (`namespace`, `upstream-name`,
//!   `match-type`, `vex-status`) is not applied and a note says so, rather
//!   than ignoring more than it asked for.
//!
//! Two deliberate differences: an id matches any alias of the vulnerability
//! (plimsoll groups a flaw's CVE, GHSA and distribution records under one
//! finding; Grype needs `include-aliases: true` for that), and Grype's
//! `wont-fix` and `unknown` fix states both mean "no fixed version known",
//! which is all an OSV record says.
//!
//! Each rule keeps its source (`.trivyignore:3`), which the report shows
//! beside what it suppressed.

use std::path::Path;

use serde::Deserialize;

use crate::policy::IgnoreRule;

/// The ignore files `plimsoll scan` reads from the working directory when
/// they are present, as `.hadolint.yaml` is read by `plimsoll lint`.
pub const DISCOVERED: [&str; 4] = [
    ".trivyignore",
    ".trivyignore.yaml",
    ".grype.yaml",
    ".grype.yml",
];

/// Which tool's syntax an ignore file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// plimsoll's TOML `[[ignore]]` entries.
    Plimsoll,
    /// `.trivyignore` lines.
    TrivyLines,
    /// `.trivyignore.yaml`.
    TrivyYaml,
    /// `.grype.yaml` `ignore:` rules.
    Grype,
}

impl Syntax {
    /// The syntax of `path`, by its name, else by its first meaningful
    /// line: `vulnerabilities:`/`misconfigurations:` is Trivy's YAML,
    /// `ignore:` Grype's, `[[ignore]]` plimsoll's; anything else is taken as
    /// `.trivyignore` lines.
    pub fn of(path: &Path, text: &str) -> Syntax {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".toml") {
            return Syntax::Plimsoll;
        }
        if name.contains("trivyignore") {
            return if name.ends_with(".yaml") || name.ends_with(".yml") {
                Syntax::TrivyYaml
            } else {
                Syntax::TrivyLines
            };
        }
        if name.contains("grype") {
            return Syntax::Grype;
        }
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                return Syntax::Plimsoll;
            }
            if [
                "vulnerabilities:",
                "misconfigurations:",
                "secrets:",
                "licenses:",
            ]
            .iter()
            .any(|k| line.starts_with(k))
            {
                return Syntax::TrivyYaml;
            }
            if text
                .lines()
                .any(|l| l.starts_with("ignore:") || l.starts_with("ignore :"))
            {
                return Syntax::Grype;
            }
            break;
        }
        Syntax::TrivyLines
    }
}

/// What an ignore file said: rules, and notes on what it said that
/// plimsoll does not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rules: Vec<IgnoreRule>,
    pub notes: Vec<String>,
}

/// An ignore file plimsoll could not read as its syntax says.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {why}")]
pub struct IgnoreFileError {
    pub file: String,
    pub why: String,
}

/// Reads `.trivyignore` lines; `file` names the file in sources and notes.
pub fn parse_trivyignore(text: &str, file: &str) -> Result<Parsed, IgnoreFileError> {
    let mut out = Parsed::default();
    let mut comment: Option<&str> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            comment = None;
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            let c = c.trim();
            comment = (!c.is_empty()).then_some(c);
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(id) = words.next() else { continue };
        let mut expires = None;
        for w in words {
            if let Some(date) = w.strip_prefix("exp:") {
                expires = Some(date.to_string());
            } else if w.starts_with('#') {
                break;
            } else {
                return Err(IgnoreFileError {
                    file: file.to_string(),
                    why: format!(
                        "line {}: '{w}' after {id} is neither exp:YYYY-MM-DD nor a # comment",
                        n + 1
                    ),
                });
            }
        }
        out.rules.push(IgnoreRule {
            id: id.to_string(),
            reason: comment
                .map(str::to_string)
                .unwrap_or_else(|| format!("listed in {file}")),
            expires,
            source: Some(format!("{file}:{}", n + 1)),
            ..IgnoreRule::default()
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct TrivyYaml {
    #[serde(default)]
    vulnerabilities: Option<Vec<TrivyEntry>>,
    #[serde(default)]
    misconfigurations: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(default)]
    secrets: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(default)]
    licenses: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize)]
struct TrivyEntry {
    id: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    purls: Vec<String>,
    #[serde(default)]
    statement: Option<String>,
    #[serde(default)]
    expired_at: Option<String>,
}

/// Reads `.trivyignore.yaml`.
pub fn parse_trivyignore_yaml(text: &str, file: &str) -> Result<Parsed, IgnoreFileError> {
    let doc: TrivyYaml = if text.trim().is_empty() {
        TrivyYaml {
            vulnerabilities: None,
            misconfigurations: None,
            secrets: None,
            licenses: None,
        }
    } else {
        serde_saphyr::from_str(text).map_err(|e| IgnoreFileError {
            file: file.to_string(),
            why: format!("not a .trivyignore.yaml document: {e}"),
        })?
    };
    let mut out = Parsed::default();
    for (i, e) in doc
        .vulnerabilities
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let reason = e
            .statement
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("listed in {file}"));
        let base = IgnoreRule {
            id: e.id.clone(),
            reason,
            expires: e.expired_at.clone(),
            source: Some(format!("{file}: vulnerabilities[{i}]")),
            ..IgnoreRule::default()
        };
        // Any of the paths and any of the purls: one rule per combination.
        let paths: Vec<Option<&String>> = if e.paths.is_empty() {
            vec![None]
        } else {
            e.paths.iter().map(Some).collect()
        };
        let purls: Vec<Option<&String>> = if e.purls.is_empty() {
            vec![None]
        } else {
            e.purls.iter().map(Some).collect()
        };
        for path in &paths {
            for purl in &purls {
                out.rules.push(IgnoreRule {
                    location: path.map(|p| p.to_string()),
                    package: purl.map(|p| p.to_string()),
                    ..base.clone()
                });
            }
        }
    }
    let others: usize = [doc.misconfigurations, doc.secrets, doc.licenses]
        .iter()
        .map(|s| s.as_ref().map_or(0, Vec::len))
        .sum();
    if others > 0 {
        out.notes.push(format!(
            "{file}: {others} misconfigurations/secrets/licenses entries name Trivy's own checks, \
             not plimsoll's rules: not applied (ignore plimsoll's rules with --ignore CODE)"
        ));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct GrypeConfig {
    #[serde(default)]
    ignore: Option<Vec<GrypeRule>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct GrypeRule {
    #[serde(default)]
    vulnerability: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    fix_state: Option<String>,
    #[serde(default)]
    package: Option<GrypePackage>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    vex_status: Option<String>,
    #[serde(default)]
    match_type: Option<String>,
    #[serde(default)]
    include_aliases: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct GrypePackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    upstream_name: Option<String>,
}

/// Grype's package type (or language) as plimsoll names the type.
fn plimsoll_type(grype: &str) -> String {
    match grype {
        "python" => "pypi",
        "go-module" | "go" => "golang",
        "java-archive" | "jenkins-plugin" | "java" => "maven",
        "rust-crate" | "rust" => "cargo",
        "javascript" => "npm",
        "ruby" => "gem",
        "php-composer" | "php" => "composer",
        other => other,
    }
    .to_string()
}

/// Whether Grype reads a package name as a regular expression (it does
/// when the name holds regex characters other than `.`).
fn looks_like_regex(name: &str) -> bool {
    name.chars().any(|c| "^$*+?[](){}|\\".contains(c))
}

/// Reads `.grype.yaml`'s `ignore:` rules (the rest of Grype's configuration
/// is not plimsoll's business and is skipped).
pub fn parse_grype_yaml(text: &str, file: &str) -> Result<Parsed, IgnoreFileError> {
    let cfg: GrypeConfig = if text.trim().is_empty() {
        GrypeConfig { ignore: None }
    } else {
        serde_saphyr::from_str(text).map_err(|e| IgnoreFileError {
            file: file.to_string(),
            why: format!("not a Grype configuration: {e}"),
        })?
    };
    let mut out = Parsed::default();
    for (i, r) in cfg.ignore.unwrap_or_default().into_iter().enumerate() {
        let at = format!("{file}: ignore[{i}]");
        let p = r.package.unwrap_or_default();
        let unsupported: Vec<&str> = [
            ("namespace", r.namespace.is_some()),
            ("upstream-name", p.upstream_name.is_some()),
            ("match-type", r.match_type.is_some()),
            ("vex-status", r.vex_status.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        if !unsupported.is_empty() {
            out.notes.push(format!(
                "{at}: not applied: plimsoll cannot judge its {} condition (give VEX statements as --vex documents)",
                unsupported.join(", ")
            ));
            continue;
        }
        let fix_state = match r.fix_state.as_deref() {
            None | Some("") => None,
            Some("fixed") => Some("fixed".to_string()),
            Some("not-fixed" | "wont-fix" | "unknown") => Some("not-fixed".to_string()),
            Some(other) => {
                return Err(IgnoreFileError {
                    file: file.to_string(),
                    why: format!(
                        "ignore[{i}]: fix-state '{other}' is not fixed, not-fixed, wont-fix or unknown"
                    ),
                });
            }
        };
        let (package, package_regex) = match p.name.filter(|n| !n.is_empty()) {
            Some(n) if looks_like_regex(&n) => (None, Some(n)),
            Some(n) => (Some(n), None),
            None => (None, None),
        };
        let rule = IgnoreRule {
            id: r.vulnerability.unwrap_or_default(),
            package,
            package_regex,
            version: p.version.filter(|v| !v.is_empty()),
            package_type: p
                .kind
                .or(p.language)
                .filter(|t| !t.is_empty())
                .map(|t| plimsoll_type(&t)),
            location: p.location.filter(|l| !l.is_empty()),
            fix_state,
            reason: r
                .reason
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| format!("ignored by {file}")),
            expires: None,
            source: Some(at.clone()),
        };
        // `include-aliases` is how plimsoll always matches (see the module).
        let _ = r.include_aliases;
        if rule.id.is_empty()
            && rule.package.is_none()
            && rule.package_regex.is_none()
            && rule.version.is_none()
            && rule.package_type.is_none()
            && rule.location.is_none()
            && rule.fix_state.is_none()
        {
            out.notes.push(format!(
                "{at}: names no condition, so (as in Grype) it ignores nothing"
            ));
            continue;
        }
        out.rules.push(rule);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Date, Policy, Subject, Suppression};

    const TODAY: Date = Date {
        year: 2026,
        month: 12,
        day: 7,
    };

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn syntax_by_name_then_content() {
        let p = Path::new;
        assert_eq!(Syntax::of(p(".trivyignore"), ""), Syntax::TrivyLines);
        assert_eq!(Syntax::of(p("ci/.trivyignore.yaml"), ""), Syntax::TrivyYaml);
        assert_eq!(Syntax::of(p(".grype.yaml"), ""), Syntax::Grype);
        assert_eq!(Syntax::of(p("ignores.toml"), ""), Syntax::Plimsoll);
        assert_eq!(
            Syntax::of(p("x"), "# hi\nvulnerabilities:\n  - id: A\n"),
            Syntax::TrivyYaml
        );
        assert_eq!(
            Syntax::of(p("x"), "output: table\nignore:\n  - vulnerability: A\n"),
            Syntax::Grype
        );
        assert_eq!(
            Syntax::of(p("x"), "[[ignore]]\nid = \"A\"\n"),
            Syntax::Plimsoll
        );
        assert_eq!(Syntax::of(p("x"), "CVE-2023-1\n"), Syntax::TrivyLines);
    }

    #[test]
    fn trivyignore_lines_with_expiry_and_comment_reasons() {
        let text = "# Accept the risk\nCVE-2022-40897\n\nCVE-2023-3817 exp:2027-01-01\nGHSA-abcd-efgh-ijkl exp:2026-01-01 # old\n";
        let p = parse_trivyignore(text, ".trivyignore").unwrap();
        assert_eq!(p.rules.len(), 3);
        assert_eq!(p.rules[0].id, "CVE-2022-40897");
        assert_eq!(p.rules[0].reason, "Accept the risk");
        assert_eq!(p.rules[0].source.as_deref(), Some(".trivyignore:2"));
        assert_eq!(p.rules[1].reason, "listed in .trivyignore");
        assert_eq!(p.rules[1].expires.as_deref(), Some("2027-01-01"));
        let policy = Policy::new(p.rules, TODAY).unwrap();
        assert_eq!(policy.notes.len(), 1, "the expired one is said");
        assert!(
            policy.notes[0].contains("(.trivyignore:5)"),
            "{:?}",
            policy.notes
        );

        let err = parse_trivyignore("CVE-1 expires:2027-01-01\n", "f").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn trivyignore_yaml_paths_and_purls() {
        let text = r#"
vulnerabilities:
  - id: CVE-2022-40897
    paths:
      - "usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA"
    statement: Accept the risk
  - id: CVE-2023-3817
    purls:
      - "pkg:deb/debian/libssl1.1"
    expired_at: 2027-08-20
misconfigurations:
  - id: AVD-DS-0002
"#;
        let p = parse_trivyignore_yaml(text, ".trivyignore.yaml").unwrap();
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let policy = Policy::new(p.rules, TODAY).unwrap();
        let a = ids(&["CVE-2022-40897"]);
        let setuptools = Subject {
            ids: &a,
            package_name: "setuptools",
            purl: "pkg:pypi/setuptools@58.1.0",
            location: "/usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA",
            ..Subject::default()
        };
        match policy.suppression(&setuptools, &[]) {
            Some(Suppression::Ignored { reason, source, .. }) => {
                assert_eq!(reason, "Accept the risk");
                assert_eq!(
                    source.as_deref(),
                    Some(".trivyignore.yaml: vulnerabilities[0]")
                );
            }
            other => panic!("{other:?}"),
        }
        let elsewhere = Subject {
            location: "/opt/venv/lib/python3.11/site-packages/setuptools-58.1.0.dist-info/METADATA",
            ..setuptools
        };
        assert_eq!(policy.suppression(&elsewhere, &[]), None);
        let b = ids(&["DSA-1", "CVE-2023-3817"]);
        let ssl = Subject {
            ids: &b,
            package_name: "libssl1.1",
            purl: "pkg:deb/debian/libssl1.1@1.1.1n-0+deb11u5?arch=amd64",
            ..Subject::default()
        };
        assert!(policy.suppression(&ssl, &[]).is_some());
        let other = Subject {
            purl: "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64",
            package_name: "libssl3",
            ..ssl
        };
        assert_eq!(policy.suppression(&other, &[]), None);

        let err =
            parse_trivyignore_yaml("vulnerabilities: [{paths: [a]}]\n", "t.yaml").unwrap_err();
        assert!(err.to_string().starts_with("t.yaml: "), "{err}");
    }

    #[test]
    fn grype_rules_every_condition_must_hold() {
        let text = r#"
output: table
ignore:
  - vulnerability: CVE-2008-4318
    fix-state: unknown
    package:
      name: libcurl
      version: 1.5.1
      type: npm
      location: "/usr/local/lib/node_modules/**"
  - package:
      name: "^lib.*-dev$"
    reason: build-time only
  - fix-state: wont-fix
  - vulnerability: CVE-1
    namespace: "nvd:cpe"
  - {}
"#;
        let p = parse_grype_yaml(text, ".grype.yaml").unwrap();
        assert_eq!(p.rules.len(), 3, "{:?}", p.rules);
        assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
        assert!(p.notes[0].contains("ignore[3]") && p.notes[0].contains("namespace"));
        assert!(p.notes[1].contains("ignore[4]"));
        assert_eq!(p.rules[0].fix_state.as_deref(), Some("not-fixed"));
        assert_eq!(p.rules[1].package_regex.as_deref(), Some("^lib.*-dev$"));
        let policy = Policy::new(p.rules, TODAY).unwrap();

        let a = ids(&["GHSA-x", "CVE-2008-4318"]);
        let curl = Subject {
            ids: &a,
            package_name: "libcurl",
            purl: "pkg:npm/libcurl@1.5.1",
            version: "1.5.1",
            package_type: "npm",
            location: "/usr/local/lib/node_modules/libcurl/package.json",
            fixed: true,
        };
        // A fix exists: the first rule (fix-state unknown) does not hold,
        // nor does the third (wont-fix), nor the regex.
        assert_eq!(policy.suppression(&curl, &[]), None);
        let unfixed = Subject {
            fixed: false,
            ..curl
        };
        assert!(policy.suppression(&unfixed, &[]).is_some());
        let dev = Subject {
            package_name: "libssl-dev",
            purl: "pkg:deb/debian/libssl-dev@3",
            package_type: "deb",
            location: "/var/lib/dpkg/status",
            fixed: true,
            ..curl
        };
        match policy.suppression(&dev, &[]) {
            Some(Suppression::Ignored { reason, .. }) => assert_eq!(reason, "build-time only"),
            other => panic!("{other:?}"),
        }

        let err = parse_grype_yaml("ignore:\n  - fix-state: maybe\n", "g").unwrap_err();
        assert!(err.to_string().contains("fix-state 'maybe'"), "{err}");
    }

    #[test]
    fn a_rule_naming_nothing_is_refused() {
        let err = Policy::new(
            vec![IgnoreRule {
                reason: "r".into(),
                ..IgnoreRule::default()
            }],
            TODAY,
        )
        .unwrap_err();
        assert!(err.to_string().contains("names nothing"), "{err}");
    }
}
