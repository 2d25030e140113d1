//! The renderings of a [`ScanReport`]: table, JSON, SARIF (audit findings
//! and `VULN001`) and CycloneDX (the SBOM with its vulnerabilities).

use plimsoll_sbom::cyclonedx;
use plimsoll_vuln::report::VULNERABLE_PACKAGE;

use crate::{INFO_URI, ScanReport};

/// The audit's table, then the vulnerability table; for an SBOM document,
/// its subject and the document instead of the image's audit header.
pub fn table(r: &ScanReport) -> String {
    let head = match &r.sbom_document {
        Some(read) => sbom_head(r, read),
        None => plimsoll_audit::render_table(&r.audit_report()),
    };
    head + "\n"
        + &plimsoll_vuln::report::render_table(
            &r.vulnerabilities.report,
            &r.database,
            r.ignore_unfixed,
        )
}

/// The header of a scan of an SBOM document, and its licence findings.
fn sbom_head(r: &ScanReport, read: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "plimsoll scan {}\n  digest    {}\n  read      {read}\n",
        r.image.reference, r.image.digest
    );
    if let Some(d) = r.inventory.distro.as_ref().and_then(|d| d.id.as_deref()) {
        let version = r
            .inventory
            .distro
            .as_ref()
            .and_then(|d| d.version_id.as_deref())
            .unwrap_or("");
        let _ = writeln!(out, "  distro    {d} {version}");
    }
    if !r.audit.findings.is_empty() {
        out.push('\n');
    }
    for f in &r.audit.findings {
        let _ = writeln!(
            out,
            "{:<8} {} {}  {}",
            f.severity.as_str().to_uppercase(),
            f.code,
            f.name,
            f.message
        );
    }
    out
}

/// The JSON document (`schemas/scan-report.schema.json`).
pub fn json(r: &ScanReport) -> serde_json::Result<String> {
    Ok(serde_json::to_string_pretty(r)? + "\n")
}

/// The audit's findings, then each counted vulnerability as a `VULN001`
/// finding (the machine formats' view of a scan).
fn findings(r: &ScanReport) -> Vec<plimsoll_report::Finding> {
    let mut findings = r.audit.findings.clone();
    findings.extend(
        r.vulnerabilities
            .report
            .counted(r.ignore_unfixed)
            .map(plimsoll_vuln::report::as_finding),
    );
    findings
}

/// SARIF 2.1.0: the audit's findings and each counted vulnerability as
/// rule `VULN001`.
pub fn sarif(r: &ScanReport) -> serde_json::Result<String> {
    let findings = findings(r);
    let mut rules = plimsoll_audit::rule_infos();
    rules.push(VULNERABLE_PACKAGE);
    let subject = format!("{}@{}", r.image.reference, r.image.digest);
    Ok(serde_json::to_string_pretty(&plimsoll_report::to_sarif(
        env!("CARGO_PKG_VERSION"),
        INFO_URI,
        &rules,
        &findings,
        &subject,
        plimsoll_report::UriBase::ImageRoot,
    ))? + "\n")
}

/// JUnit XML, for CI servers that show test results: one test suite for the
/// image, a failing test case per audit finding and per counted
/// vulnerability (as `VULN001`, the package and its ids in the case), one
/// passing case when there is none.
pub fn junit(r: &ScanReport) -> String {
    let findings = findings(r);
    let subject = format!("{}@{}", r.image.reference, r.image.digest);
    plimsoll_report::to_junit(&[plimsoll_report::FileFindings {
        path: &subject,
        source: None,
        error: None,
        findings: &findings,
    }])
}

/// CycloneDX 1.6: the SBOM with its counted vulnerabilities.
pub fn cyclonedx(r: &ScanReport) -> String {
    let mut bom = cyclonedx::Bom::new(&r.inventory, &r.document);
    bom.vulnerabilities =
        plimsoll_vuln::report::cyclonedx(&bom, &r.vulnerabilities.report, r.ignore_unfixed);
    bom.to_json()
}
