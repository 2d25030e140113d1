//! The finding model every plimsoll check produces, and the machine formats
//! shared by all of them (SARIF here; JSON is serde of the caller's report).

pub mod policy;
pub mod render;
mod sarif;
mod warnings;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use policy::{Policy, PolicyError, PolicySpec, RuleRef, names_rule};
pub use render::{
    FileFindings, to_checkstyle, to_codeclimate, to_diagnostics, to_github, to_gitlab_codeclimate,
    to_junit, to_short_lines, to_sonarqube,
};
pub use sarif::{UriBase, relate_to_tool, to_sarif};
pub use warnings::{MAX_WARNINGS, Warnings};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// SARIF's `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Low | Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected info, low, medium, high or critical)")
            })
    }
}

/// A rule's identity and documentation, as registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, e.g. `IMG001`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `runs-as-root`.
    pub name: &'static str,
    /// The practice it enforces, e.g. `P-C3`: an id of `docs/practices.md` at
    /// the repository root, whose text `plimsoll_practice::practices::practice`
    /// returns.
    pub practice: &'static str,
    pub severity: Severity,
    /// The rule's documentation: first line a summary, then paragraphs.
    pub doc: &'static str,
}

/// Builds a [`RuleInfo`] whose `doc` is the concatenated doc-comment lines
/// of a rule: the shared core of the audit's and the linter's
/// `declare_rule!` macros.
#[macro_export]
macro_rules! rule_info {
    ($code:literal, $name:literal, $practice:literal, $sev:ident, $($doc:literal),+) => {
        $crate::RuleInfo {
            code: $code,
            name: $name,
            practice: $practice,
            severity: $crate::Severity::$sev,
            doc: concat!($($doc, "\n"),+),
        }
    };
}

/// Declares a rule struct and its `INFO`; the doc comment becomes `INFO.doc`
/// (the image rules' and the run-time configuration rules' form).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            practice: $practice:literal,
            severity: $sev:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl $name {
            pub const INFO: plimsoll_report::RuleInfo =
                plimsoll_report::rule_info!($code, $rname, $practice, $sev, $($doc),+);
        }
    };
}

impl RuleInfo {
    /// Whether a user's word names this rule: its code or its name, in any
    /// ASCII case (see [`names_rule`] for rules with aliases).
    pub fn is_named(&self, word: &str) -> bool {
        names_rule(word, self, &[])
    }

    /// The first line of the documentation.
    pub fn summary(&self) -> &'static str {
        self.doc
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }
}

/// Where in the image a finding is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Absolute path in the image filesystem, e.g. `/usr/bin/sudo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in that file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column on that line, when known (run-time configuration files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// 0-based index of the layer that introduced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    /// Non-file places: `config.User`, `config.Env[AWS_SECRET]`, `history[3]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub practice: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The same rule's codes in other tools (hadolint's `DL3008` for
    /// `DF001`), so reports and dashboards keyed by them keep working.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl Finding {
    pub fn new(rule: &RuleInfo, message: impl Into<String>) -> Self {
        Finding {
            code: rule.code.to_string(),
            name: rule.name.to_string(),
            practice: rule.practice.to_string(),
            severity: rule.severity,
            message: message.into(),
            location: Location::default(),
            help: None,
            aliases: Vec::new(),
        }
    }

    /// Adds the rule's codes in other tools (see [`Finding::aliases`]).
    pub fn with_aliases<S: AsRef<str>>(mut self, aliases: impl IntoIterator<Item = S>) -> Self {
        self.aliases
            .extend(aliases.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// The code and its aliases as one label: `DF001 (DL3008)`.
    pub fn code_label(&self) -> String {
        if self.aliases.is_empty() {
            self.code.clone()
        } else {
            format!("{} ({})", self.code, self.aliases.join(", "))
        }
    }

    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.location.path = Some(path.into());
        self
    }

    pub fn in_layer(mut self, index: usize, digest: impl Into<String>) -> Self {
        self.location.layer = Some(index);
        self.location.layer_digest = Some(digest.into());
        self
    }

    pub fn at_field(mut self, field: impl Into<String>) -> Self {
        self.location.field = Some(field.into());
        self
    }

    pub fn at_line(mut self, line: Option<u32>) -> Self {
        self.location.line = line;
        self
    }

    /// Sets the 1-based column (with [`Finding::at_line`]).
    pub fn at_column(mut self, column: Option<u32>) -> Self {
        self.location.column = column;
        self
    }

    /// `line` or `line:column`, as a position after a file name (`0` when unknown).
    pub fn position(&self) -> String {
        let line = self.location.line.unwrap_or(0);
        match self.location.column {
            Some(c) => format!("{line}:{c}"),
            None => line.to_string(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// The tool that made a report, as every JSON report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    /// This build of plimsoll (every crate of the workspace shares its version).
    pub const PLIMSOLL: Tool = Tool {
        name: "plimsoll",
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `2.0 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Counts of findings per severity, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary {
            total: findings.len(),
            ..Default::default()
        };
        for f in findings {
            *match f.severity {
                Severity::Critical => &mut s.critical,
                Severity::High => &mut s.high,
                Severity::Medium => &mut s.medium,
                Severity::Low => &mut s.low,
                Severity::Info => &mut s.info,
            } += 1;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Info < Severity::Low);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn bytes_read_as_people_read_them() {
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
