//! The report as text, JSON and JUnit in container-structure-test's shapes,
//! and as SARIF.

use std::fmt::Write as _;
use std::time::Duration;

use plimsoll_report::render::xml_escape;
use plimsoll_report::{Finding, RuleInfo, Severity, UriBase};
use serde::{Serialize, Serializer};

use crate::{Report, TestResult};

/// container-structure-test's default JUnit suite name.
pub const DEFAULT_JUNIT_SUITE: &str = "container-structure-test.test";

/// SARIF rule of a failed structure test.
pub const FAILED: RuleInfo = plimsoll_report::rule_info!(
    "STRUCT001",
    "structure-test-failed",
    "P-I4",
    High,
    "A structure test (container-structure-test schema 2.0.0) failed on the image.",
    "",
    "The image's files or config differ from what the test configuration says they must be: a",
    "file missing or present, with other permissions or owner, content that does not match, a",
    "licence that is not allowed, or metadata (env, ports, entrypoint, cmd, user…) that differs."
);

/// SARIF rule of a structure test that was not run (command tests).
pub const SKIPPED: RuleInfo = plimsoll_report::rule_info!(
    "STRUCT002",
    "structure-test-skipped",
    "P-I4",
    Info,
    "A structure test was not run: command tests need a container runtime.",
    "",
    "plimsoll test reads images without running them; run command tests with a runtime."
);

pub(crate) fn nanos<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// `plimsoll test --format json`: container-structure-test's summary object.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Summary<'a> {
    pass: usize,
    fail: usize,
    skipped: usize,
    total: usize,
    #[serde(serialize_with = "nanos")]
    duration: Duration,
    image: &'a str,
    digest: &'a str,
    results: &'a [TestResult],
}

impl Report {
    /// container-structure-test's `--output json` object (`Pass`, `Fail`,
    /// `Total`, `Duration`, `Results[].Name/Pass/Errors/Duration`), with
    /// `Skipped`, `Image` and `Digest` added; `Total` counts skipped tests.
    pub fn to_json(&self) -> String {
        let s = Summary {
            pass: self.passed(),
            fail: self.failed(),
            skipped: self.skipped(),
            total: self.results.len(),
            duration: self.duration,
            image: &self.image,
            digest: &self.digest,
            results: &self.results,
        };
        serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
    }

    /// container-structure-test's text report: a banner per file, `=== RUN`
    /// / `--- PASS|FAIL|SKIP` per test, then the totals and PASS or FAIL.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "image: {} ({})", self.image, self.digest);
        let mut banner = 27;
        for file in &self.files {
            let name = std::path::Path::new(file)
                .file_name()
                .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
            let title = format!("====== Test file: {name} ======");
            banner = title.chars().count();
            let _ = writeln!(
                out,
                "\n{}\n{title}\n{}",
                "=".repeat(banner),
                "=".repeat(banner)
            );
            for r in self.results.iter().filter(|r| &r.file == file) {
                let _ = writeln!(out, "=== RUN: {}", r.name);
                let status = if r.is_skipped() {
                    "SKIP"
                } else if r.pass {
                    "PASS"
                } else {
                    "FAIL"
                };
                let _ = writeln!(out, "--- {status}");
                let _ = writeln!(out, "duration: {:?}", r.duration);
                if let Some(why) = &r.skipped {
                    let _ = writeln!(out, "Skipped: {why}");
                }
                for e in &r.errors {
                    let _ = writeln!(out, "Error: {e}");
                }
            }
        }
        if banner % 2 == 0 {
            banner += 1;
        }
        if self.results.is_empty() {
            out.push_str("No tests run! Check config file format.\nFAIL\n");
            return out;
        }
        let half = "=".repeat((banner - 9) / 2);
        let _ = writeln!(out, "\n{}", "=".repeat(banner));
        let _ = writeln!(out, "{half} RESULTS {half}");
        let _ = writeln!(out, "{}", "=".repeat(banner));
        let _ = writeln!(out, "Passes:      {}", self.passed());
        let _ = writeln!(out, "Failures:    {}", self.failed());
        if self.skipped() > 0 {
            let _ = writeln!(out, "Skipped:     {}", self.skipped());
        }
        let _ = writeln!(out, "Duration:    {:?}", self.duration);
        let _ = writeln!(out, "Total tests: {}\n", self.results.len());
        out.push_str(if self.fails() { "FAIL\n" } else { "PASS\n" });
        out
    }

    /// container-structure-test's JUnit XML (`testsuites` with `failures`,
    /// `tests`, `time`; one `testsuite` named `suite`; a `failure` per
    /// error), with `skipped` elements for tests not run.
    pub fn to_junit(&self, suite: &str) -> String {
        let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = write!(
            out,
            r#"<testsuites failures="{}" tests="{}" skipped="{}" time="{}"><testsuite name="{}">"#,
            self.failed(),
            self.results.len(),
            self.skipped(),
            self.duration.as_secs_f64(),
            xml_escape(suite)
        );
        for r in &self.results {
            let _ = write!(
                out,
                r#"<testcase name="{}" classname="{}" time="{}">"#,
                xml_escape(&r.name),
                xml_escape(&r.file),
                r.duration.as_secs_f64()
            );
            for e in &r.errors {
                let _ = write!(out, "<failure>{}</failure>", xml_escape(e));
            }
            if let Some(why) = &r.skipped {
                let _ = write!(out, r#"<skipped message="{}"></skipped>"#, xml_escape(why));
            }
            out.push_str("<system-out></system-out><system-err></system-err></testcase>");
        }
        out.push_str("</testsuite></testsuites>\n");
        out
    }

    /// SARIF 2.1.0: a result per failed test (STRUCT001) and per skipped
    /// test (STRUCT002, a note), at the path a file test is about.
    pub fn to_sarif(&self, tool_version: &str, information_uri: &str) -> serde_json::Value {
        let findings: Vec<Finding> = self
            .results
            .iter()
            .filter(|r| r.is_failed() || r.is_skipped())
            .map(|r| {
                let (rule, message) = match &r.skipped {
                    Some(why) => (&SKIPPED, format!("{} ({}): skipped: {why}", r.name, r.file)),
                    None => (
                        &FAILED,
                        format!("{} ({}): {}", r.name, r.file, r.errors.join("; ")),
                    ),
                };
                let mut f = Finding::new(rule, message);
                if let Some(p) = &r.path {
                    f = f.at_path(p.trim_start_matches('/'));
                }
                if rule.severity == Severity::Info {
                    f = f.with_severity(Severity::Info);
                }
                f
            })
            .collect();
        plimsoll_report::to_sarif(
            tool_version,
            information_uri,
            &[FAILED, SKIPPED],
            &findings,
            &format!("{}@{}", self.image, self.digest),
            UriBase::ImageRoot,
        )
    }
}
