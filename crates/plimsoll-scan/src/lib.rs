//! The scan front: every front end (the CLI, the server, the admission
//! webhook) turns an image reference into findings through these calls and
//! none other.
//!
//! ```text
//! Scanner::resolve(reference)            -> Image (manifest, config; by digest)
//! Scanner::read(image, passes, progress) -> ImageScan: one engine pass, the
//!                                           file tree built once, audit facts
//!                                           and the package inventory
//! Scanner::scan(reference, policy, …)    -> ScanReport: the audit judged, the
//!                                           inventory matched, the gate applied
//! SbomSource::read + Scanner::scan_sbom  -> ScanReport of an SBOM document's
//!                                           packages (`sbom:FILE`), same gate
//! ```
//!
//! [`ScanReport`] is the typed model of `plimsoll scan --format json`
//! (schema: `schemas/scan-report.schema.json`); [`render`] has its table,
//! SARIF and CycloneDX renderings.

mod document;
pub mod render;
mod report;
// -- sbomread (issue 18): `scan sbom:FILE` --
mod sbom;
mod vulns;

use plimsoll_audit::{AuditFacts, Judge};
use plimsoll_engine::{Engine, EngineOptions, FileTree, NoProgress, Progress, Scan};
use plimsoll_oci::{Image, ImageRef, ResolveOptions};
use plimsoll_sbom::Inventory;

pub use document::{document_context, source_date_epoch};
pub use report::{AuditPart, SCHEMA_VERSION, SbomPart, ScanBasis, ScanReport, VulnPart};
pub use sbom::{SBOM_PREFIX, SbomSource};
pub use vulns::{VulnGate, VulnGateError, discover_ignore_files, read_ignore_file};

/// Where plimsoll's documentation lives, for SARIF and SBOM documents.
pub use plimsoll_audit::INFO_URI;

/// A scan could not be made; each variant names the image, layer, digest or
/// file it is about and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Oci(#[from] plimsoll_oci::OciError),
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
    #[error(transparent)]
    Audit(#[from] plimsoll_audit::AuditError),
    #[error(transparent)]
    Sbom(#[from] plimsoll_sbom::SbomError),
    #[error(transparent)]
    Vulns(#[from] VulnGateError),
    #[error(transparent)]
    SbomRead(#[from] plimsoll_sbom::read::ReadError),
    #[error("the image was read without the audit pass (Passes::AUDIT)")]
    NoAuditPass,
    #[error("SOURCE_DATE_EPOCH {0}")]
    SourceDateEpoch(String),
}

/// Which analyses run in the one pass over the layers. Each analyser's
/// facts are cached per layer on their own, so an audit followed by an SBOM
/// of the same image reads each layer again only for the analysers not yet
/// cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    pub audit: bool,
    pub sbom: bool,
}

impl Passes {
    pub const AUDIT: Passes = Passes {
        audit: true,
        sbom: false,
    };
    pub const SBOM: Passes = Passes {
        audit: false,
        sbom: true,
    };
    pub const ALL: Passes = Passes {
        audit: true,
        sbom: true,
    };
}

/// How images are found and read.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub resolve: ResolveOptions,
    pub engine: EngineOptions,
    /// The licence policy (`[licenses]`, P-C9): a scan reports the packages
    /// it does not allow as LIC001 findings beside the audit's.
    pub licenses: Option<plimsoll_license::Policy>,
}

/// What one pass over an image gave.
pub struct ImageScan {
    pub image: Image,
    pub scan: Scan,
    /// With [`Passes::audit`]: the merged file tree, secrets and config files.
    pub audit: Option<AuditFacts>,
    /// With [`Passes::sbom`]: every installed package.
    pub inventory: Option<Inventory>,
}

impl ImageScan {
    /// The merged file tree (audit pass), for the image reports.
    pub fn tree(&self) -> Option<&FileTree> {
        self.audit.as_ref().map(|a| &a.tree)
    }
}

/// The one entry point from a reference to findings.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    options: ScanOptions,
}

impl Scanner {
    pub fn new(options: ScanOptions) -> Scanner {
        Scanner { options }
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Resolves the reference: manifest and config read and verified, a tag
    /// resolved once to its digest.
    pub fn resolve(&self, reference: &ImageRef) -> Result<Image, ScanError> {
        Ok(plimsoll_oci::resolve(reference, &self.options.resolve)?)
    }

    /// Reads every layer once with the analysers `passes` asks for, and
    /// builds the file tree once for the audit and the catalogers alike.
    pub fn read(
        &self,
        image: Image,
        passes: Passes,
        progress: &dyn Progress,
    ) -> Result<ImageScan, ScanError> {
        let mut engine = Engine::new(self.options.engine.clone());
        if passes.audit {
            plimsoll_audit::register_analyzers(&mut engine);
        }
        if passes.sbom {
            plimsoll_sbom::register(&mut engine);
        }
        let scan = engine.scan(&image, progress)?;
        let (audit, inventory) = match (passes.audit, passes.sbom) {
            (true, true) => {
                let lists = scan.file_lists()?;
                let tree = FileTree::build(&lists);
                let inventory = plimsoll_sbom::catalog_with(&scan, &lists, &tree)?;
                drop(lists);
                (Some(AuditFacts::with_tree(&scan, tree)?), Some(inventory))
            }
            (true, false) => (Some(AuditFacts::from_scan(&scan)?), None),
            (false, true) => (None, Some(plimsoll_sbom::catalog(&scan)?)),
            (false, false) => (None, None),
        };
        Ok(ImageScan {
            image,
            scan,
            audit,
            inventory,
        })
    }

    /// Audit, SBOM and vulnerabilities of an already resolved image in one
    /// pass, under one gate. `created` is the SBOM documents' timestamp.
    pub fn scan_image(
        &self,
        image: Image,
        reference: &ImageRef,
        judge: &Judge,
        gate: &VulnGate,
        created: u64,
        progress: &dyn Progress,
    ) -> Result<ScanReport, ScanError> {
        let scanned = self.read(image, Passes::ALL, progress)?;
        let mut findings = judge_scan(&scanned, reference, judge)?;
        if let (Some(policy), Some(inventory)) = (&self.options.licenses, &scanned.inventory) {
            findings.extend(policy.check(&inventory.packages));
        }
        let ImageScan {
            image,
            scan,
            audit,
            inventory,
        } = scanned;
        let (Some(facts), Some(inventory)) = (audit, inventory) else {
            return Err(ScanError::NoAuditPass);
        };
        let document = document_context(&image, created);
        let vulns = gate.find(&inventory, &document)?;
        let audit = plimsoll_audit::ImageReport::new(&image, &scan, &facts.tree, findings)
            .with_user(&image, &facts);
        // The tree is large; the report keeps what it shows.
        drop(facts);
        Ok(ScanReport::new(audit, inventory, document, vulns, gate))
    }

    /// [`Scanner::scan_image`] from a reference, without progress display,
    /// timestamped now (or at `SOURCE_DATE_EPOCH`).
    pub fn scan(
        &self,
        reference: &ImageRef,
        judge: &Judge,
        gate: &VulnGate,
    ) -> Result<ScanReport, ScanError> {
        let image = self.resolve(reference)?;
        self.scan_image(
            image,
            reference,
            judge,
            gate,
            source_date_epoch()?,
            &NoProgress,
        )
    }
}

/// The audit's findings on a scan that ran the audit pass.
pub fn judge_scan(
    scanned: &ImageScan,
    reference: &ImageRef,
    judge: &Judge,
) -> Result<Vec<plimsoll_report::Finding>, ScanError> {
    let facts = scanned.audit.as_ref().ok_or(ScanError::NoAuditPass)?;
    Ok(judge.judge(&scanned.image, reference, facts)?)
}
