//! `plimsoll host audit`: the Docker host and daemon against the CIS Docker
//! Benchmark (v1.6.0 numbering; practices P-H1…P-H5), judged from the files
//! under a root (`/`, a mounted host filesystem, a golden image, a test
//! tree) and, when one answers, the live daemon's `/info` and `/version`.
//!
//! The flow: [`Host::open`] reads the root (daemon configuration, command
//! line, live daemon), every rule of [`rules::ALL`] answers each of its CIS
//! checks with PASS, WARN, INFO or NOTE ([`Outcome`]), [`audit`] applies the
//! user's selection and policy, and [`report`] renders the result (table,
//! JSON, docker-bench-security's log shape; SARIF and JUnit through
//! `plimsoll-report` from [`HostAudit::findings`]).

pub mod daemon;
mod error;
pub mod host;
pub mod live;
pub mod report;
pub mod root;
mod rule;
pub mod rules;

use plimsoll_report::{Finding, Policy, RuleInfo, RuleRef, Severity};

pub use error::HostError;
pub use host::{Host, HostOptions, LiveState, LoadedRules};
pub use live::TlsFiles;
pub use rule::{Check, Outcome, Rule, Status, declare_rule};

/// Every host rule's identity and documentation.
pub fn rule_infos() -> Vec<RuleInfo> {
    rules::ALL.iter().map(|r| *r.info()).collect()
}

/// Every rule, as users may name it (for a [`Policy`]).
pub fn rule_refs() -> Vec<RuleRef<'static>> {
    rules::ALL.iter().map(|r| RuleRef::new(r.info())).collect()
}

/// Which checks to run: `--include` / `--exclude` words, each a CIS id
/// (`2.2`; a section such as `1.1` or `3` takes every check below it) or a
/// rule code or name (`HOST004`, `icc-enabled`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

fn names(word: &str, rule: &RuleInfo, id: &str) -> bool {
    let w = word.trim();
    rule.is_named(w) || id == w || id.starts_with(&format!("{w}."))
}

impl Selection {
    pub fn selects(&self, rule: &RuleInfo, id: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|w| names(w, rule, id)))
            && !self.exclude.iter().any(|w| names(w, rule, id))
    }
}

/// One check's verdict with its rule.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub rule: &'static RuleInfo,
    /// The severity a WARN is reported at (the rule's, or the policy's override).
    pub severity: Severity,
    pub outcome: Outcome,
}

impl CheckResult {
    /// The finding this verdict is: WARN at the severity, INFO and NOTE at
    /// info (they say why nothing was decided, or what to review); none for
    /// a PASS.
    pub fn finding(&self) -> Option<Finding> {
        let o = &self.outcome;
        let severity = match o.status {
            Status::Pass => return None,
            Status::Warn => self.severity,
            Status::Info | Status::Note => Severity::Info,
        };
        let word = match o.status {
            Status::Info => "not decided: ",
            Status::Note => "review: ",
            _ => "",
        };
        let mut f = Finding::new(
            self.rule,
            format!("CIS {}: {word}{}", o.check.id, o.message),
        )
        .with_severity(severity)
        .at_field(format!("CIS {}", o.check.id))
        .with_help(o.check.remediation);
        if let Some(p) = &o.path {
            f = f.at_path(p.clone());
        }
        Some(f)
    }
}

/// The verdicts of one host audit, in CIS order.
#[derive(Debug, Clone, Default)]
pub struct HostAudit {
    pub results: Vec<CheckResult>,
}

/// `2.10` after `2.9`.
pub fn cis_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// Runs every rule on `host`, keeps the selected checks of the rules the
/// policy does not ignore, with the policy's severities.
pub fn audit(host: &Host, policy: &Policy, selection: &Selection) -> HostAudit {
    let mut results = Vec::new();
    for rule in rules::ALL {
        let info = rule.info();
        let probe = Finding::new(info, "");
        let Some(kept) = policy.apply(vec![probe]).pop() else {
            continue;
        };
        for outcome in rule.check(host) {
            if selection.selects(info, outcome.check.id) {
                results.push(CheckResult {
                    rule: info,
                    severity: kept.severity,
                    outcome,
                });
            }
        }
    }
    results.sort_by_key(|r| cis_key(r.outcome.check.id));
    HostAudit { results }
}

impl HostAudit {
    pub fn findings(&self) -> Vec<Finding> {
        self.results
            .iter()
            .filter_map(CheckResult::finding)
            .collect()
    }

    /// Whether any finding is at or above the policy's threshold.
    pub fn fails(&self, policy: &Policy) -> bool {
        policy.fails(&self.findings())
    }

    pub fn count(&self, status: Status) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome.status == status)
            .count()
    }

    /// The verdict of one CIS check, if it was run.
    pub fn get(&self, id: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.outcome.check.id == id)
    }
}
