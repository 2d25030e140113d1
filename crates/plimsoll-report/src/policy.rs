//! The user's policy over findings, one type for every rule family (image
//! audit, Dockerfile lint, scan): which rules are ignored, where (path
//! globs, for every rule or for one), which severities are overridden, and
//! from which severity a finding fails the gate.
//!
//! Users name rules by code (`IMG001`, `DF014`), by name (`runs-as-root`) or
//! by another tool's code for the same rule (hadolint's `DL3008`):
//! [`names_rule`] is the one answer to "does this word name this rule".

use std::collections::{HashMap, HashSet};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::{Finding, RuleInfo, Severity};

/// A rule as users may name it: its identity and the codes other tools give
/// it (hadolint's `DL3008` for `DF001`).
#[derive(Debug, Clone, Copy)]
pub struct RuleRef<'a> {
    pub info: &'a RuleInfo,
    pub aliases: &'a [&'a str],
}

impl<'a> RuleRef<'a> {
    /// A rule without aliases.
    pub fn new(info: &'a RuleInfo) -> Self {
        RuleRef { info, aliases: &[] }
    }

    /// Whether `word` names this rule (see [`names_rule`]).
    pub fn is_named(&self, word: &str) -> bool {
        names_rule(word, self.info, self.aliases)
    }
}

/// Whether a user's `word` names the rule: its code, its name or one of its
/// aliases, compared without regard to ASCII case.
pub fn names_rule(word: &str, info: &RuleInfo, aliases: &[&str]) -> bool {
    let word = word.trim();
    info.code.eq_ignore_ascii_case(word)
        || info.name.eq_ignore_ascii_case(word)
        || aliases.iter().any(|a| a.eq_ignore_ascii_case(word))
}

/// The codes of the rules `word` names (several when an alias is shared).
pub fn resolve_rule<'r>(word: &str, rules: &[RuleRef<'r>]) -> Vec<&'r str> {
    rules
        .iter()
        .filter(|r| r.is_named(word))
        .map(|r| r.info.code)
        .collect()
}

/// A bad pattern or severity in the user's policy.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("invalid path pattern '{pattern}'")]
    Glob {
        pattern: String,
        #[source]
        source: globset::Error,
    },
    #[error("{place} {rule}: {why}")]
    Severity {
        /// Where the override was written, e.g. `plimsoll.toml [audit.severity]`.
        place: String,
        rule: String,
        why: String,
    },
}

/// What a user wrote, before it is resolved against a rule family.
#[derive(Debug, Clone, Default)]
pub struct PolicySpec {
    /// Rules never reported (codes, names or aliases).
    pub ignore: Vec<String>,
    /// Path globs never reported, for any rule (findings with a path only).
    pub ignore_paths: Vec<String>,
    /// (rule word, path globs) ignored for that rule only.
    pub ignore_rule_paths: Vec<(String, Vec<String>)>,
    /// (rule word, severity): the first entry naming a rule wins.
    pub severity: Vec<(String, Severity)>,
    /// Findings at or above this severity fail the gate.
    pub fail_on: Severity,
}

impl PolicySpec {
    /// Parses severity overrides written as words (`IMG015 = "low"`), naming
    /// `place` in the error.
    pub fn severity_words<'a>(
        place: &str,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Result<Vec<(String, Severity)>, PolicyError> {
        entries
            .into_iter()
            .map(|(rule, word)| {
                word.parse::<Severity>()
                    .map(|s| (rule.clone(), s))
                    .map_err(|why| PolicyError::Severity {
                        place: place.to_string(),
                        rule: rule.clone(),
                        why,
                    })
            })
            .collect()
    }
}

/// A [`PolicySpec`] resolved against the rules of a family: applies to
/// findings by their code.
#[derive(Debug, Default)]
pub struct Policy {
    ignore: HashSet<String>,
    paths: Option<GlobSet>,
    per_rule: Vec<(HashSet<String>, GlobSet)>,
    severity: HashMap<String, Severity>,
    fail_on: Severity,
}

/// Paths in findings are absolute; patterns are accepted written either way.
fn globs(patterns: &[String]) -> Result<GlobSet, PolicyError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let anchored = if p.starts_with('/') || p.starts_with('*') {
            p.clone()
        } else {
            format!("/{p}")
        };
        b.add(Glob::new(&anchored).map_err(|source| PolicyError::Glob {
            pattern: p.clone(),
            source,
        })?);
    }
    b.build().map_err(|source| PolicyError::Glob {
        pattern: patterns.join(", "),
        source,
    })
}

impl Policy {
    /// Resolves `spec` against `rules`. Words naming no rule match nothing
    /// (a hadolint code plimsoll has no rule for is not an error).
    pub fn new(spec: &PolicySpec, rules: &[RuleRef<'_>]) -> Result<Policy, PolicyError> {
        let codes = |word: &str| -> HashSet<String> {
            resolve_rule(word, rules)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        let mut severity = HashMap::new();
        for (word, sev) in &spec.severity {
            for code in codes(word) {
                severity.entry(code).or_insert(*sev);
            }
        }
        Ok(Policy {
            ignore: spec.ignore.iter().flat_map(|w| codes(w)).collect(),
            paths: if spec.ignore_paths.is_empty() {
                None
            } else {
                Some(globs(&spec.ignore_paths)?)
            },
            per_rule: spec
                .ignore_rule_paths
                .iter()
                .map(|(w, p)| Ok((codes(w), globs(p)?)))
                .collect::<Result<_, PolicyError>>()?,
            severity,
            fail_on: spec.fail_on,
        })
    }

    /// The gate's threshold.
    pub fn fail_on(&self) -> Severity {
        self.fail_on
    }

    /// Whether the finding is reported at all.
    pub fn keeps(&self, f: &Finding) -> bool {
        if self.ignore.contains(&f.code) {
            return false;
        }
        let Some(path) = &f.location.path else {
            return true;
        };
        if self.paths.as_ref().is_some_and(|g| g.is_match(path)) {
            return false;
        }
        !self
            .per_rule
            .iter()
            .any(|(codes, g)| codes.contains(&f.code) && g.is_match(path))
    }

    /// Drops ignored findings and applies severity overrides.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| self.keeps(f))
            .map(|f| match self.severity.get(&f.code) {
                Some(s) => f.with_severity(*s),
                None => f,
            })
            .collect()
    }

    /// Whether any finding is at or above the gate's threshold.
    pub fn fails<'f>(&self, findings: impl IntoIterator<Item = &'f Finding>) -> bool {
        findings.into_iter().any(|f| f.severity >= self.fail_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: RuleInfo = crate::rule_info!("DF001", "apt-pin", "P-B1", Medium, " Pin.");
    static B: RuleInfo = crate::rule_info!("IMG002", "setuid-setgid-file", "P-C5", Low, " S.");

    fn rules() -> Vec<RuleRef<'static>> {
        vec![
            RuleRef {
                info: &A,
                aliases: &["DL3008"],
            },
            RuleRef::new(&B),
        ]
    }

    fn finding(info: &RuleInfo, path: &str) -> Finding {
        Finding::new(info, "m").at_path(path)
    }

    #[test]
    fn words_name_rules_by_code_name_and_alias_in_any_case() {
        for w in ["DF001", "df001", "apt-pin", "APT-PIN", "dl3008", " DL3008 "] {
            assert!(names_rule(w, &A, &["DL3008"]), "{w}");
        }
        assert!(!names_rule("DF0011", &A, &["DL3008"]));
        assert!(!names_rule("apt", &A, &[]));
        assert_eq!(resolve_rule("dl3008", &rules()), ["DF001"]);
        assert!(resolve_rule("DL9999", &rules()).is_empty());
    }

    #[test]
    fn ignores_by_rule_by_path_and_by_rule_and_path() {
        let spec = PolicySpec {
            ignore: vec!["DL3008".into()],
            ignore_paths: vec!["usr/share/**".into()],
            ignore_rule_paths: vec![("setuid-setgid-file".into(), vec!["/usr/bin/su".into()])],
            ..PolicySpec::default()
        };
        let p = Policy::new(&spec, &rules()).unwrap();
        assert!(!p.keeps(&finding(&A, "/x")));
        assert!(!p.keeps(&finding(&B, "/usr/share/doc/x")));
        assert!(!p.keeps(&finding(&B, "/usr/bin/su")));
        assert!(p.keeps(&finding(&B, "/usr/bin/passwd")));
        assert!(p.keeps(&Finding::new(&B, "no path")));
    }

    #[test]
    fn first_override_wins_and_the_gate_reads_the_new_severity() {
        let spec = PolicySpec {
            severity: vec![
                ("img002".into(), Severity::Critical),
                ("setuid-setgid-file".into(), Severity::Info),
            ],
            fail_on: Severity::High,
            ..PolicySpec::default()
        };
        let p = Policy::new(&spec, &rules()).unwrap();
        let out = p.apply(vec![finding(&B, "/x"), finding(&A, "/y")]);
        assert_eq!(out[0].severity, Severity::Critical);
        assert_eq!(out[1].severity, Severity::Medium);
        assert!(p.fails(&out));
        assert!(!p.fails(&out[1..]));
    }

    #[test]
    fn bad_globs_and_severities_are_named() {
        let spec = PolicySpec {
            ignore_paths: vec!["a[".into()],
            ..PolicySpec::default()
        };
        let e = Policy::new(&spec, &rules()).unwrap_err().to_string();
        assert!(e.contains("'a['"), "{e}");
        let bad = [("IMG015".to_string(), "severe".to_string())];
        let e = PolicySpec::severity_words(
            "plimsoll.toml [audit.severity]",
            bad.iter().map(|(a, b)| (a, b)),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("plimsoll.toml [audit.severity] IMG015: unknown severity 'severe'"),
            "{e}"
        );
    }
}
