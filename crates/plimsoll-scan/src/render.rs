//! The renderings of a [`ScanReport`]: table, JSON, SARIF (audit findings
//! and `VULN001`) and CycloneDX (the SBOM with its vulnerabilities).

use plimsoll_sbom::cyclonedx;
use plimsoll_vuln::report::VULNERABLE_PACKAGE;

use crate::{INFO_URI, ScanReport};

/// The audit's table, then the vulnerability table.
pub fn table(r: &ScanReport) -> String {
    plimsoll_audit::render_table(&r.audit_report())
        + "\n"
        + &plimsoll_vuln::report::render_table(
            &r.vulnerabilities.report,
            &r.database,
            r.ignore_unfixed,
        )
}

/// The JSON document (`schemas/scan-report.schema.json`).
pub fn json(r: &ScanReport) -> serde_json::Result<String> {
    Ok(serde_json::to_string_pretty(r)? + "\n")
}

/// SARIF 2.1.0: the audit's findings and each counted vulnerability as
/// rule `VULN001`.
pub fn sarif(r: &ScanReport) -> serde_json::Result<String> {
    let mut findings = r.audit.findings.clone();
    findings.extend(
        r.vulnerabilities
            .report
            .counted(r.ignore_unfixed)
            .map(plimsoll_vuln::report::as_finding),
    );
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

/// CycloneDX 1.6: the SBOM with its counted vulnerabilities.
pub fn cyclonedx(r: &ScanReport) -> String {
    let mut bom = cyclonedx::Bom::new(&r.inventory, &r.document);
    bom.vulnerabilities =
        plimsoll_vuln::report::cyclonedx(&bom, &r.vulnerabilities.report, r.ignore_unfixed);
    bom.to_json()
}
