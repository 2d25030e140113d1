//! Text renderings of findings grouped by the file (or image) they are in,
//! shared by every rule family: rustc-style diagnostics, Checkstyle XML,
//! JUnit XML and GitHub Actions workflow commands. SARIF is in
//! [`crate::to_sarif`].

use std::fmt::Write as _;

use crate::{Finding, Severity};

/// The findings of one checked file, with what is needed to show them.
#[derive(Debug, Clone, Copy)]
pub struct FileFindings<'a> {
    /// The file as the user named it.
    pub path: &'a str,
    /// The file's text, to quote the line a finding is on (None: no quote).
    pub source: Option<&'a str>,
    /// Why the file could not be checked at all (a parse error), if so.
    pub error: Option<&'a str>,
    pub findings: &'a [Finding],
}

/// rustc-style diagnostics: what, where, the source line, the help; one
/// blank line after each finding.
pub fn to_diagnostics(files: &[FileFindings<'_>]) -> String {
    let mut out = String::new();
    for r in files {
        let lines: Vec<&str> = r.source.map(|s| s.lines().collect()).unwrap_or_default();
        for f in r.findings {
            let _ = writeln!(out, "{}[{}]: {}", f.severity, f.code, f.message);
            let line = f.location.line.unwrap_or(0);
            let _ = writeln!(
                out,
                "  --> {}:{}  ({} {}{})",
                r.path,
                f.position(),
                f.name,
                f.practice,
                f.aliases
                    .iter()
                    .map(|a| format!(" {a}"))
                    .collect::<String>()
            );
            if let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i as usize)) {
                let w = line.to_string().len();
                let _ = writeln!(out, "{:w$} |", "");
                // A CI log is read by many: a secret on the line is shown masked, as the
                // finding that reports it shows it.
                let text = plimsoll_secrets::SecretScanner::shared().redact_text(text);
                let _ = writeln!(out, "{line} | {text}");
                let _ = writeln!(out, "{:w$} |", "");
            }
            if let Some(h) = &f.help {
                let _ = writeln!(out, "  = help: {h}");
            }
            out.push('\n');
        }
    }
    out
}

/// One line per finding, `path:line: severity[CODE]: message`, as compilers
/// print to stderr.
pub fn to_short_lines(files: &[FileFindings<'_>]) -> String {
    let mut out = String::new();
    for r in files {
        for f in r.findings {
            let _ = writeln!(
                out,
                "{}:{}: {}[{}]: {}",
                r.path,
                f.position(),
                f.severity,
                f.code,
                f.message
            );
        }
    }
    out
}

/// `s` escaped for XML and HTML text and attribute values (control
/// characters XML cannot carry are dropped).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Checkstyle's three levels for a severity (also GitHub's, with `notice`
/// for `info`).
fn level(s: Severity, lowest: &'static str) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => lowest,
    }
}

/// Checkstyle XML (the format hadolint, ESLint and many CI servers share).
pub fn to_checkstyle(files: &[FileFindings<'_>]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for r in files {
        let _ = writeln!(out, "  <file name=\"{}\">", xml_escape(r.path));
        if let Some(e) = r.error {
            let _ = writeln!(
                out,
                "    <error line=\"1\" severity=\"error\" message=\"{}\" source=\"plimsoll.parse\"/>",
                xml_escape(e)
            );
        }
        for f in r.findings {
            let column = f
                .location
                .column
                .map(|c| format!(" column=\"{c}\""))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    <error line=\"{}\"{column} severity=\"{}\" message=\"{}\" source=\"{}\"/>",
                f.location.line.unwrap_or(1),
                level(f.severity, "info"),
                xml_escape(&f.message),
                xml_escape(&f.code)
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// JUnit XML (the form CI servers show as test results): one test suite per
/// file, one failing test case per finding (`<failure type="severity">`),
/// a file that could not be read as one case in error, and a clean file as
/// one passing case, so every checked file appears.
pub fn to_junit(files: &[FileFindings<'_>]) -> String {
    let findings: usize = files.iter().map(|r| r.findings.len()).sum();
    let errors = files.iter().filter(|r| r.error.is_some()).count();
    let clean = files
        .iter()
        .filter(|r| r.error.is_none() && r.findings.is_empty())
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"plimsoll\" tests=\"{}\" failures=\"{findings}\" errors=\"{errors}\">",
        findings + errors + clean
    );
    for r in files {
        let path = xml_escape(r.path);
        let tests = r.findings.len() + usize::from(r.error.is_some());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            tests.max(1),
            r.findings.len(),
            usize::from(r.error.is_some())
        );
        if let Some(e) = r.error {
            let _ = writeln!(
                out,
                "    <testcase name=\"read {path}\" classname=\"{path}\" file=\"{path}\">\n      <error message=\"{}\" type=\"parse\"/>\n    </testcase>",
                xml_escape(e)
            );
        } else if r.findings.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"no findings\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for f in r.findings {
            let line = f.location.line.unwrap_or(1);
            let at = match f.location.column {
                Some(c) => format!("{path}:{line}:{c}"),
                None => format!("{path}:{line}"),
            };
            let mut text = format!("{} {} ({})", f.code_label(), f.name, f.practice);
            if let Some(h) = &f.help {
                let _ = write!(text, "\nhelp: {h}");
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {}\" classname=\"{at}\" file=\"{path}\" line=\"{line}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml_escape(&f.code_label()),
                xml_escape(&f.name),
                xml_escape(&f.message),
                f.severity.as_str(),
                xml_escape(&text)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// GitHub Actions workflow commands: one annotation per finding.
pub fn to_github(files: &[FileFindings<'_>]) -> String {
    // Workflow command values: `%`, CR and LF escaped; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for r in files {
        if let Some(e) = r.error {
            let _ = writeln!(
                out,
                "::error file={},title=parse error::{}",
                prop(r.path),
                data(e)
            );
        }
        for f in r.findings {
            let column = f
                .location
                .column
                .map(|c| format!(",col={c}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "::{} file={},line={}{column},title={}::{}",
                level(f.severity, "notice"),
                prop(r.path),
                f.location.line.unwrap_or(1),
                prop(&format!("{} {}", f.code_label(), f.name)),
                data(&f.message)
            );
        }
    }
    out
}

/// Code Climate's severity for a finding (`info` … `blocker`).
fn codeclimate_severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

/// One Code Climate issue per finding (and per file that could not be
/// read, as `plimsoll.parse`), in the engine specification's shape that
/// hadolint's `codeclimate` and `gitlab_codeclimate` formats share.
fn codeclimate_issues(files: &[FileFindings<'_>]) -> Vec<serde_json::Value> {
    use serde_json::json;
    let mut issues = Vec::new();
    for r in files {
        if let Some(e) = r.error {
            issues.push(json!({
                "type": "issue",
                "check_name": "plimsoll.parse",
                "description": e,
                "categories": ["Bug Risk"],
                "location": { "path": r.path, "lines": { "begin": 1, "end": 1 } },
                "severity": "blocker",
            }));
        }
        for f in r.findings {
            let line = f.location.line.unwrap_or(1);
            let mut issue = json!({
                "type": "issue",
                "check_name": f.code,
                "description": f.message,
                "categories": [if f.practice.starts_with("P-") { "Security" } else { "Style" }],
                "location": { "path": r.path, "lines": { "begin": line, "end": line } },
                "severity": codeclimate_severity(f.severity),
            });
            if let Some(h) = &f.help {
                issue["content"] = json!({ "body": h });
            }
            if !f.aliases.is_empty() {
                issue["other_check_names"] = json!(f.aliases);
            }
            issues.push(issue);
        }
    }
    issues
}

/// Code Climate engine output: each issue as JSON followed by a NUL byte
/// (what `codeclimate analyze` and hadolint's `codeclimate` format write).
pub fn to_codeclimate(files: &[FileFindings<'_>]) -> String {
    let mut out = String::new();
    for issue in codeclimate_issues(files) {
        out.push_str(&issue.to_string());
        out.push('\0');
    }
    out
}

/// GitLab's code quality report: one JSON array of Code Climate issues,
/// each with the `fingerprint` GitLab tracks it by across pipelines (the
/// SHA-256 of path, code, line and message, so an unchanged finding keeps
/// its fingerprint).
pub fn to_gitlab_codeclimate(files: &[FileFindings<'_>]) -> String {
    use sha2::{Digest, Sha256};
    let issues: Vec<serde_json::Value> = codeclimate_issues(files)
        .into_iter()
        .map(|mut issue| {
            let mut h = Sha256::new();
            for key in ["check_name", "description"] {
                h.update(issue[key].as_str().unwrap_or("").as_bytes());
                h.update([0]);
            }
            h.update(issue["location"].to_string().as_bytes());
            let fingerprint: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            issue["fingerprint"] = serde_json::Value::String(fingerprint);
            issue
        })
        .collect();
    serde_json::Value::Array(issues).to_string() + "\n"
}

/// SonarQube's generic issue import format (`sonar.externalIssuesReportPaths`):
/// `{"issues": [...]}` with `engineId` `plimsoll`, the rule code as
/// `ruleId`, and hadolint's shape, so an import set up for hadolint reads it.
pub fn to_sonarqube(files: &[FileFindings<'_>]) -> String {
    use serde_json::json;
    let location = |path: &str, message: &str, line: u32| {
        json!({
            "message": message,
            "filePath": path,
            "textRange": { "startLine": line, "endLine": line, "startColumn": 0, "endColumn": 1 },
        })
    };
    let mut issues = Vec::new();
    for r in files {
        if let Some(e) = r.error {
            issues.push(json!({
                "engineId": "plimsoll",
                "ruleId": "plimsoll.parse",
                "severity": "BLOCKER",
                "type": "BUG",
                "primaryLocation": location(r.path, e, 1),
            }));
        }
        for f in r.findings {
            let (severity, kind) = match f.severity {
                Severity::Info => ("INFO", "CODE_SMELL"),
                Severity::Low => ("MINOR", "CODE_SMELL"),
                Severity::Medium => ("MAJOR", "CODE_SMELL"),
                Severity::High => ("CRITICAL", "VULNERABILITY"),
                Severity::Critical => ("BLOCKER", "VULNERABILITY"),
            };
            let mut message = f.message.clone();
            if !f.aliases.is_empty() {
                message.push_str(&format!(" [{}]", f.aliases.join(", ")));
            }
            issues.push(json!({
                "engineId": "plimsoll",
                "ruleId": f.code,
                "severity": severity,
                "type": kind,
                "primaryLocation": location(r.path, &message, f.location.line.unwrap_or(1)),
            }));
        }
    }
    json!({ "issues": issues }).to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleInfo;

    static R: RuleInfo = crate::rule_info!("DF014", "apt-missing-yes", "P-B1", Medium, " Y.");

    fn files(findings: &[Finding]) -> Vec<FileFindings<'_>> {
        vec![FileFindings {
            path: "a,b/Dockerfile",
            source: Some("FROM debian\nRUN apt-get install x\n"),
            error: None,
            findings,
        }]
    }

    #[test]
    fn renders_each_format() {
        let f = [Finding::new(&R, "say <yes> & 100%")
            .at_line(Some(2))
            .with_help("add -y")];
        let d = to_diagnostics(&files(&f));
        assert!(d.starts_with("medium[DF014]: say <yes> & 100%\n  --> a,b/Dockerfile:2  (apt-missing-yes P-B1)\n  |\n2 | RUN apt-get install x\n"), "{d}");
        assert!(d.contains("  = help: add -y\n"));
        let c = to_checkstyle(&files(&f));
        assert!(c.contains("<error line=\"2\" severity=\"warning\" message=\"say &lt;yes&gt; &amp; 100%\" source=\"DF014\"/>"), "{c}");
        let g = to_github(&files(&f));
        assert_eq!(
            g,
            "::warning file=a%2Cb/Dockerfile,line=2,title=DF014 apt-missing-yes::say <yes> & 100%25\n"
        );
        assert_eq!(
            to_short_lines(&files(&f)),
            "a,b/Dockerfile:2: medium[DF014]: say <yes> & 100%\n"
        );
        let j = to_junit(&files(&f));
        assert!(j.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"plimsoll\" tests=\"1\" failures=\"1\" errors=\"0\">\n  <testsuite name=\"a,b/Dockerfile\" tests=\"1\" failures=\"1\" errors=\"0\">\n"), "{j}");
        assert!(j.contains("<testcase name=\"DF014 apt-missing-yes\" classname=\"a,b/Dockerfile:2\" file=\"a,b/Dockerfile\" line=\"2\">\n      <failure message=\"say &lt;yes&gt; &amp; 100%\" type=\"medium\">DF014 apt-missing-yes (P-B1)\nhelp: add -y</failure>"), "{j}");
        assert!(j.ends_with("  </testsuite>\n</testsuites>\n"));
        // A clean file passes; an unreadable one is an error.
        let clean = to_junit(&[
            FileFindings {
                path: "ok",
                source: None,
                error: None,
                findings: &[],
            },
            FileFindings {
                path: "bad",
                source: None,
                error: Some("line 3: <oops>"),
                findings: &[],
            },
        ]);
        assert!(
            clean
                .contains("<testsuites name=\"plimsoll\" tests=\"2\" failures=\"0\" errors=\"1\">"),
            "{clean}"
        );
        assert!(clean.contains("<testcase name=\"no findings\" classname=\"ok\" file=\"ok\"/>"));
        assert!(clean.contains("<error message=\"line 3: &lt;oops&gt;\" type=\"parse\"/>"));
        let f = [f[0].clone().at_column(Some(7))];
        assert!(to_junit(&files(&f)).contains("classname=\"a,b/Dockerfile:2:7\""));
        assert!(to_diagnostics(&files(&f)).contains("  --> a,b/Dockerfile:2:7  ("));
        assert!(to_checkstyle(&files(&f)).contains("<error line=\"2\" column=\"7\" severity="));
        assert!(to_github(&files(&f)).contains(",line=2,col=7,title="));
    }

    #[test]
    fn aliases_show_where_codes_do() {
        let f = [Finding::new(&R, "say yes")
            .at_line(Some(2))
            .with_aliases(["DL3014"])];
        let d = to_diagnostics(&files(&f));
        assert!(d.contains("(apt-missing-yes P-B1 DL3014)"), "{d}");
        assert!(to_github(&files(&f)).contains("title=DF014 (DL3014) apt-missing-yes::"));
        assert!(to_junit(&files(&f)).contains("<testcase name=\"DF014 (DL3014) apt-missing-yes\""));
    }

    #[test]
    fn code_climate_gitlab_and_sonarqube() {
        let f = [
            Finding::new(&R, "say yes")
                .at_line(Some(2))
                .with_help("add -y")
                .with_aliases(["DL3014"]),
            Finding::new(&R, "again")
                .at_line(Some(3))
                .with_severity(Severity::Critical),
        ];
        let mut views = files(&f);
        views.push(FileFindings {
            path: "bad/Dockerfile",
            source: None,
            error: Some("line 1: unknown instruction"),
            findings: &[],
        });
        let cc = to_codeclimate(&views);
        let issues: Vec<serde_json::Value> = cc
            .split_terminator('\0')
            .map(|i| serde_json::from_str(i).unwrap())
            .collect();
        assert_eq!(issues.len(), 3, "{cc}");
        assert_eq!(issues[0]["check_name"], "DF014");
        assert_eq!(issues[0]["severity"], "major");
        assert_eq!(issues[0]["location"]["path"], "a,b/Dockerfile");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 2);
        assert_eq!(issues[0]["other_check_names"][0], "DL3014");
        assert_eq!(issues[0]["content"]["body"], "add -y");
        assert_eq!(issues[1]["severity"], "blocker");
        assert_eq!(issues[2]["check_name"], "plimsoll.parse");
        assert_eq!(issues[2]["location"]["path"], "bad/Dockerfile");

        let gl: serde_json::Value = serde_json::from_str(&to_gitlab_codeclimate(&views)).unwrap();
        let gl = gl.as_array().unwrap();
        assert_eq!(gl.len(), 3);
        let prints: Vec<&str> = gl
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert!(prints.iter().all(|p| p.len() == 64));
        assert_ne!(
            prints[0], prints[1],
            "distinct findings, distinct fingerprints"
        );
        // Stable across runs: the same report gives the same fingerprints.
        let again: serde_json::Value =
            serde_json::from_str(&to_gitlab_codeclimate(&views)).unwrap();
        assert_eq!(again[0]["fingerprint"], gl[0]["fingerprint"]);

        let sq: serde_json::Value = serde_json::from_str(&to_sonarqube(&views)).unwrap();
        let sq = sq["issues"].as_array().unwrap();
        assert_eq!(sq.len(), 3);
        assert_eq!(sq[0]["engineId"], "plimsoll");
        assert_eq!(sq[0]["ruleId"], "DF014");
        assert_eq!(sq[0]["severity"], "MAJOR");
        assert_eq!(sq[0]["type"], "CODE_SMELL");
        assert_eq!(sq[0]["primaryLocation"]["message"], "say yes [DL3014]");
        assert_eq!(sq[0]["primaryLocation"]["textRange"]["startLine"], 2);
        assert_eq!(sq[1]["type"], "VULNERABILITY");
        assert_eq!(sq[2]["ruleId"], "plimsoll.parse");
    }
}
