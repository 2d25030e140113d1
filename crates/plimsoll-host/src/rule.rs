//! How a host rule is declared: a unit struct whose doc comment is its
//! documentation (code, name, practice, severity beside it, as every rule
//! family), plus the CIS Docker Benchmark checks it answers, each with an
//! id, a description and a remediation. A rule answers every one of its
//! checks on every run: PASS, WARN, or INFO/NOTE saying why it could not be
//! decided — never nothing.

use plimsoll_report::RuleInfo;
use serde::Serialize;

use crate::host::Host;

pub use plimsoll_report::declare_rule;

/// One recommendation of the CIS Docker Benchmark (v1.6.0 numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `2.2`, `3.14`, `4.5`.
    pub id: &'static str,
    /// What is checked, in plimsoll's words.
    pub desc: &'static str,
    /// What to do when it fails.
    pub remediation: &'static str,
}

/// A check's verdict, as docker-bench-security words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Checked and met.
    Pass,
    /// Checked and not met: a finding at the rule's severity.
    Warn,
    /// Not decided: a file is absent, the daemon did not answer.
    Info,
    /// Met or not, a human must look (members of the docker group).
    Note,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Info => "INFO",
            Status::Note => "NOTE",
        }
    }
}

/// The verdict of one check on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub check: &'static Check,
    pub status: Status,
    /// What was found (and where it was read).
    pub message: String,
    /// The host path the verdict is about, if one.
    pub path: Option<String>,
    /// Items to review (group members, files), if any.
    pub items: Vec<String>,
}

impl Outcome {
    pub fn new(status: Status, check: &'static Check, message: impl Into<String>) -> Outcome {
        Outcome {
            check,
            status,
            message: message.into(),
            path: None,
            items: Vec::new(),
        }
    }
    pub fn pass(check: &'static Check, message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Pass, check, message)
    }
    pub fn warn(check: &'static Check, message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Warn, check, message)
    }
    pub fn info(check: &'static Check, message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Info, check, message)
    }
    pub fn note(check: &'static Check, message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Note, check, message)
    }
    pub fn at(mut self, path: impl Into<String>) -> Outcome {
        self.path = Some(path.into());
        self
    }
    pub fn with_items(mut self, items: Vec<String>) -> Outcome {
        self.items = items;
        self
    }
}

/// A check of the host.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    /// The CIS checks this rule answers (one outcome each per run).
    fn checks(&self) -> &'static [Check];
    fn check(&self, host: &Host) -> Vec<Outcome>;
}
