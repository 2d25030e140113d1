//! [`ScanReport`]: the typed model of `plimsoll scan --format json`.

use plimsoll_audit::{ImageReport, ImageSummary, ScanInfo};
use plimsoll_report::{Finding, Summary, Tool};
use plimsoll_sbom::{Distro, DocumentContext, Inventory};
use plimsoll_vuln::findings::{Gate, VulnReport};
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::report::{DatabaseSummary, VulnSummary, audit_severity};
use serde::{Deserialize, Serialize};

use crate::{VulnGate, VulnGateError};

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
    /// The severity unknown vulnerabilities count as for `fail_on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_as: Option<&'static str>,
    /// A counted vulnerability in CISA's KEV catalog fails the gate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fail_on_kev: bool,
    /// A counted vulnerability with an EPSS score at least this fails the gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on_epss: Option<f64>,
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
    /// For a scan of an SBOM document (`sbom:FILE`) instead of an image:
    /// what was read (`CycloneDX JSON 1.6 document sbom:app.json`).
    #[serde(skip)]
    pub sbom_document: Option<String>,
}

impl ScanReport {
    pub fn new(
        audit: ImageReport,
        inventory: Inventory,
        document: DocumentContext,
        vulns: VulnReport,
        gate: &VulnGate,
    ) -> ScanReport {
        let failing = !gate_ids(&vulns, &audit.findings, &gate.gate()).is_empty();
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
            unknown_as: gate.unknown_as.map(VulnSeverity::as_str),
            fail_on_kev: gate.fail_on_kev,
            fail_on_epss: gate.fail_on_epss,
            scan: audit.scan,
            inventory,
            document,
            failing,
            sbom_document: None,
        }
    }

    /// What fails the gate, each named once: `<vulnerability id> <package>`
    /// for counted vulnerabilities that fail it (see
    /// [`plimsoll_vuln::findings::Gate`]), the rule code for audit findings
    /// at or above `fail_on`. Empty when the gate passes.
    pub fn gate_ids(&self) -> Vec<String> {
        gate_ids(
            &self.vulnerabilities.report,
            &self.audit.findings,
            &self.gate(),
        )
    }

    /// The vulnerability gate the report was judged by.
    pub fn gate(&self) -> Gate {
        Gate {
            fail_on: VulnSeverity::parse(self.fail_on).unwrap_or(VulnSeverity::Critical),
            ignore_unfixed: self.ignore_unfixed,
            unknown_as: self.unknown_as.and_then(VulnSeverity::parse),
            fail_on_kev: self.fail_on_kev,
            fail_on_epss: self.fail_on_epss,
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

/// What a scan keeps so that its SBOM can be matched again against a newer
/// advisory database without reading the image (`plimsoll serve` after a
/// database update): the audit's part, the inventory and the documents'
/// context. The audit findings do not depend on the database and are kept
/// as they were.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanBasis {
    pub image: ImageSummary,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub scan: ScanInfo,
    pub inventory: Inventory,
    pub document: DocumentContext,
}

impl ScanReport {
    /// What [`ScanReport::rematch`] needs later.
    pub fn basis(&self) -> ScanBasis {
        ScanBasis {
            image: self.image.clone(),
            findings: self.audit.findings.clone(),
            summary: self.audit.summary.clone(),
            scan: self.scan.clone(),
            inventory: self.inventory.clone(),
            document: self.document.clone(),
        }
    }

    /// The report a scan of the same image would give under `gate` (its
    /// database and policy), from what an earlier scan kept.
    pub fn rematch(basis: ScanBasis, gate: &VulnGate) -> Result<ScanReport, VulnGateError> {
        let vulns = gate.find(&basis.inventory, &basis.document)?;
        let audit = ImageReport {
            schema_version: plimsoll_audit::SCHEMA_VERSION,
            tool: Tool::PLIMSOLL,
            image: basis.image,
            findings: basis.findings,
            summary: basis.summary,
            scan: basis.scan,
        };
        Ok(ScanReport::new(
            audit,
            basis.inventory,
            basis.document,
            vulns,
            gate,
        ))
    }
}

/// The gate, in one place: what fails it (see [`ScanReport::gate_ids`]).
fn gate_ids(vulns: &VulnReport, findings: &[Finding], gate: &Gate) -> Vec<String> {
    let audit_threshold = audit_severity(gate.fail_on);
    let mut ids: Vec<String> = vulns
        .findings
        .iter()
        .filter(|f| gate.fails(f).is_some())
        .map(|f| format!("{} {}", f.id, f.package.name))
        .chain(
            findings
                .iter()
                .filter(|f| f.severity >= audit_threshold)
                .map(|f| f.code.clone()),
        )
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
