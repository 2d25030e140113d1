//! Vulnerability findings as the rest of plimsoll reports them: the rule
//! `VULN001` that SARIF and the gate use, the audit's severity scale, the
//! table, the counts per severity, and CycloneDX's `vulnerabilities`.

use plimsoll_report::{Finding, RuleInfo, Severity};
use plimsoll_sbom::cyclonedx;
use serde::Serialize;

use crate::findings::{MatchStatus, VulnFinding, VulnReport};
use crate::matcher::{SeverityOrigin, VulnSeverity};

/// The advisory database a report was made with.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseSummary {
    pub path: String,
    pub built: String,
    pub advisories: usize,
}

/// Vulnerabilities as SARIF results: one rule, the practice it enforces.
pub static VULNERABLE_PACKAGE: RuleInfo = plimsoll_report::rule_info!(
    "VULN001",
    "vulnerable-package",
    "P-E1",
    High,
    " An installed package has a known vulnerability.",
    "",
    " The package's version is inside an advisory's affected range for the",
    " image's distribution release (OS packages) or the package's ecosystem.",
    " The finding's severity is the advisory's (CVSS base score or the",
    " distribution's own rating); the message names the fixed version when",
    " there is one.",
    "",
    " Fix: upgrade the package (rebuild on a patched base image for OS",
    " packages), or record why it does not apply with an ignore rule or an",
    " OpenVEX statement."
);

/// The audit's severity scale for a vulnerability's.
pub fn audit_severity(s: VulnSeverity) -> Severity {
    match s {
        VulnSeverity::Critical => Severity::Critical,
        VulnSeverity::High => Severity::High,
        VulnSeverity::Medium => Severity::Medium,
        VulnSeverity::Low => Severity::Low,
        VulnSeverity::Negligible | VulnSeverity::Unknown => Severity::Info,
    }
}

/// Counted findings per severity, plus what was set aside.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct VulnSummary {
    pub total: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub negligible: usize,
    pub unknown: usize,
    /// Possibly affected: a version could not be ordered.
    pub undecided: usize,
    pub suppressed: usize,
    pub unfixed_not_counted: usize,
}

pub fn summary(v: &VulnReport, ignore_unfixed: bool) -> VulnSummary {
    let mut s = VulnSummary::default();
    for f in v.counted(ignore_unfixed) {
        s.total += 1;
        *match f.rating.severity {
            VulnSeverity::Critical => &mut s.critical,
            VulnSeverity::High => &mut s.high,
            VulnSeverity::Medium => &mut s.medium,
            VulnSeverity::Low => &mut s.low,
            VulnSeverity::Negligible => &mut s.negligible,
            VulnSeverity::Unknown => &mut s.unknown,
        } += 1;
        if matches!(f.status, MatchStatus::Unknown(_)) {
            s.undecided += 1;
        }
    }
    s.suppressed = v.findings.iter().filter(|f| f.suppressed.is_some()).count();
    if ignore_unfixed {
        s.unfixed_not_counted = v
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.fixed.is_empty())
            .count();
    }
    s
}

pub fn message(f: &VulnFinding) -> String {
    let mut m = format!(
        "{} in {} {} ({})",
        f.id, f.package.name, f.package.version, f.package.package_type
    );
    match (&f.status, f.fixed.first()) {
        (MatchStatus::Unknown(why), _) => m.push_str(&format!(": possibly affected, {why}")),
        (MatchStatus::Affected, Some(fix)) => m.push_str(&format!(": fixed in {fix}")),
        (MatchStatus::Affected, None) => m.push_str(": no fix yet"),
    }
    let mut notes = Vec::new();
    if let Some(o) = &f.rating.origin {
        notes.push(format!(
            "{}{} from {}",
            f.rating.severity,
            f.rating
                .score
                .map(|s| format!(" {s:.1}"))
                .unwrap_or_default(),
            origin_label(o)
        ));
    }
    notes.extend(exploitation(f));
    if !notes.is_empty() {
        m.push_str(&format!(" [{}]", notes.join("; ")));
    }
    if !f.summary.is_empty() {
        m.push_str(" - ");
        m.push_str(&f.summary);
    }
    m
}

/// Where a severity comes from, short: `GHSA-r64q-w8jr-g9qp CVSS_V3`,
/// `NVD CVE-2025-47907 CVSS_V3 (alias)`.
pub fn origin_label(o: &SeverityOrigin) -> String {
    let kind = match o.record_kind {
        "nvd" => "NVD ",
        _ => "",
    };
    let via = if o.via == "alias" { " (alias)" } else { "" };
    format!("{kind}{} {}{via}", o.record, o.field)
}

/// The KEV listing and EPSS score of a finding, as words: `KEV since
/// 2025-02-25`, `EPSS 1.47% (80th percentile)`.
pub fn exploitation(f: &VulnFinding) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(k) = &f.kev {
        out.push(format!("KEV since {}", k.date_added));
    }
    if let Some(e) = &f.epss {
        out.push(format!(
            "EPSS {:.2}% ({:.0}th percentile)",
            e.score * 100.0,
            (e.percentile * 100.0).floor()
        ));
    }
    out
}

pub fn as_finding(f: &VulnFinding) -> Finding {
    Finding::new(&VULNERABLE_PACKAGE, message(f))
        // The vulnerability's ids (CVE, GHSA, DSA…) ride along for reports keyed by them.
        .with_aliases(&f.aliases)
        .with_severity(audit_severity(f.rating.severity))
        .at_path(format!("/{}", f.package.location))
        .with_help(match f.fixed.first() {
            Some(v) => format!("upgrade {} to {v} or later", f.package.name),
            None => "no fixed version yet: mitigate, or record why it does not apply".into(),
        })
}

pub fn render_table(v: &VulnReport, db: &DatabaseSummary, ignore_unfixed: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "vulnerabilities ({} advisories, database built {})",
        db.advisories, db.built
    );
    let rows: Vec<&VulnFinding> = v.counted(ignore_unfixed).collect();
    if rows.is_empty() {
        let _ = writeln!(out, "  none found in {} packages", v.packages_matched);
    } else {
        let _ = writeln!(
            out,
            "  {:<10} {:<20} {:<28} {:<24} {:<24} {:>5}  {:<36} exploitation",
            "severity",
            "vulnerability",
            "package",
            "installed",
            "fixed in",
            "layer",
            "severity from"
        );
        for f in &rows {
            let sev = match (&f.status, f.rating.score) {
                (MatchStatus::Unknown(_), _) => format!("{}?", f.rating.severity),
                (_, Some(score)) => format!("{} {score:.1}", f.rating.severity),
                _ => f.rating.severity.to_string(),
            };
            let from = f
                .rating
                .origin
                .as_ref()
                .map(origin_label)
                .unwrap_or_else(|| "-".into());
            let exploited = exploitation(f);
            let _ = writeln!(
                out,
                "  {:<10} {:<20} {:<28} {:<24} {:<24} {:>5}  {:<36} {}",
                sev,
                f.id,
                format!("{} ({})", f.package.name, f.package.package_type),
                f.package.version,
                f.fixed.first().map(String::as_str).unwrap_or("-"),
                f.package.layer,
                from,
                if exploited.is_empty() {
                    "-".to_string()
                } else {
                    exploited.join(", ")
                }
            );
        }
    }
    let s = summary(v, ignore_unfixed);
    let _ = writeln!(
        out,
        "\n{} vulnerabilities in {} packages: {} critical, {} high, {} medium, {} low, {} negligible, {} unknown; {} suppressed{}",
        s.total,
        v.packages_matched,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.negligible,
        s.unknown,
        s.suppressed,
        if ignore_unfixed {
            format!(", {} without a fix not counted", s.unfixed_not_counted)
        } else {
            String::new()
        }
    );
    for f in v.findings.iter().filter(|f| f.suppressed.is_some()) {
        if let Some(sup) = &f.suppressed {
            let _ = writeln!(
                out,
                "  suppressed {} in {} ({}): {}",
                f.id, f.package.name, sup.by, sup.reason
            );
        }
    }
    out
}

/// CycloneDX `vulnerabilities`: counted findings, each pointing at the
/// components (bom-refs) of its package.
pub fn cyclonedx(
    bom: &cyclonedx::Bom,
    v: &VulnReport,
    ignore_unfixed: bool,
) -> Vec<cyclonedx::Vulnerability> {
    let mut out: Vec<cyclonedx::Vulnerability> = Vec::new();
    for f in v.counted(ignore_unfixed) {
        let refs: Vec<cyclonedx::Affect> = bom
            .refs_of_purl(&f.package.purl)
            .map(|r| cyclonedx::Affect {
                bom_ref: r.to_string(),
            })
            .collect();
        if refs.is_empty() {
            continue;
        }
        let vector = f
            .rating
            .source
            .starts_with("CVSS:")
            .then(|| f.rating.source.clone());
        let method = vector.as_deref().map(|v| {
            if v.starts_with("CVSS:4") {
                "CVSSv4"
            } else if v.starts_with("CVSS:3.1") {
                "CVSSv31"
            } else {
                "CVSSv3"
            }
        });
        let rating = cyclonedx::Rating {
            severity: match f.rating.severity {
                VulnSeverity::Critical => "critical",
                VulnSeverity::High => "high",
                VulnSeverity::Medium => "medium",
                VulnSeverity::Low => "low",
                VulnSeverity::Negligible => "info",
                VulnSeverity::Unknown => "unknown",
            },
            score: f.rating.score,
            method: method.or(Some("other")),
            vector,
        };
        // One entry per vulnerability; packages affected by it are listed together.
        if let Some(existing) = out.iter_mut().find(|x| x.id == f.id) {
            for r in refs {
                if !existing.affects.iter().any(|a| a.bom_ref == r.bom_ref) {
                    existing.affects.push(r);
                }
            }
            continue;
        }
        out.push(cyclonedx::Vulnerability {
            id: f.id.clone(),
            source: Some(cyclonedx::VulnerabilitySource {
                name: f
                    .advisories
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "OSV".into()),
                url: None,
            }),
            ratings: vec![rating],
            description: (!f.summary.is_empty()).then(|| f.summary.clone()),
            affects: refs,
        });
    }
    out
}
