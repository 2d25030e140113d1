//! [`ScanReport`]: the typed model of `plimsoll scan --format json`.

use plimsoll_audit::{ImageReport, ImageSummary, ScanInfo};
use plimsoll_report::{Finding, Summary, Tool};
use plimsoll_sbom::{Distro, DocumentContext, Inventory};
use plimsoll_vuln::findings::VulnReport;
use plimsoll_vuln::report::{DatabaseSummary, VulnSummary, audit_severity};
use serde::Serialize;

use crate::VulnGate;

/// Bumped on any incompatible change to the JSON document.
pub const SCHEMA_VERSION: u32 = 1;

/// The audit's findings and their counts.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPart {
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

/// The SBOM as the scan report sums it up (`plimsoll sbom` has it whole).
#[derive(Debug, Clone, Serialize)]
pub struct SbomPart {
    pub distro: Option<Distro>,
    pub packages: usize,
}

/// The vulnerabilities: counts, then every finding (suppressed ones
/// included, marked) and what was not matched.
#[derive(Debug, Clone, Serialize)]
pub struct VulnPart {
    pub summary: VulnSummary,
    #[serde(flatten)]
    pub report: VulnReport,
}

/// Everything one scan found, and the gate's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub image: ImageSummary,
    pub audit: AuditPart,
    pub sbom: SbomPart,
    pub vulnerabilities: VulnPart,
    pub database: DatabaseSummary,
    /// The gate's threshold (a vulnerability severity word).
    pub fail_on: &'static str,
    pub ignore_unfixed: bool,
    /// How the layers were read (for the table).
    #[serde(skip)]
    pub scan: ScanInfo,
    /// The whole inventory (for CycloneDX and warnings).
    #[serde(skip)]
    pub inventory: Inventory,
    /// The SBOM documents' subject, tool and time.
    #[serde(skip)]
    pub document: DocumentContext,
    /// Whether the gate fails: a counted vulnerability, or an audit finding
    /// on the audit's scale, at or above `fail_on`.
    #[serde(skip)]
    pub failing: bool,
}

impl ScanReport {
    pub fn new(
        audit: ImageReport,
        inventory: Inventory,
        document: DocumentContext,
        vulns: VulnReport,
        gate: &VulnGate,
    ) -> ScanReport {
        let audit_threshold = audit_severity(gate.fail_on);
        let failing = vulns.fails(gate.fail_on, gate.ignore_unfixed)
            || audit.findings.iter().any(|f| f.severity >= audit_threshold);
        ScanReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::PLIMSOLL,
            image: audit.image,
            audit: AuditPart {
                summary: audit.summary,
                findings: audit.findings,
            },
            sbom: SbomPart {
                distro: inventory.distro.clone(),
                packages: inventory.packages.len(),
            },
            vulnerabilities: VulnPart {
                summary: plimsoll_vuln::report::summary(&vulns, gate.ignore_unfixed),
                report: vulns,
            },
            database: gate.database(),
            fail_on: gate.fail_on.as_str(),
            ignore_unfixed: gate.ignore_unfixed,
            scan: audit.scan,
            inventory,
            document,
            failing,
        }
    }

    /// The audit part as `image audit` reports it (for its table).
    pub fn audit_report(&self) -> ImageReport {
        ImageReport {
            schema_version: plimsoll_audit::SCHEMA_VERSION,
            tool: self.tool,
            image: self.image.clone(),
            findings: self.audit.findings.clone(),
            summary: self.audit.summary.clone(),
            scan: self.scan.clone(),
        }
    }
}
