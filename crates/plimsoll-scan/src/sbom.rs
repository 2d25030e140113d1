//! Scanning an SBOM document instead of an image (`plimsoll scan
//! sbom:FILE`, Grype's `sbom:`): the document's packages are the inventory,
//! matched and gated exactly as an image's are, in the same [`ScanReport`].
//!
//! The report's target is the document's subject (CycloneDX
//! `metadata.component`, the package an SPDX document DESCRIBES, else its
//! name; else the reference as given); its digest is the subject's when
//! that is a digest (`sha256:…`, as syft and plimsoll write an image's),
//! else the document's own SHA-256 (also as `manifest_digest` and
//! `config_digest`, which the report's schema requires). There is no image
//! to audit: the audit
//! part holds only the licence policy's findings (`[licenses]`), the layers
//! and sizes are empty, and the platform is the empty string. The table
//! says which document was read instead of the image's sizes.

use std::path::{Path, PathBuf};

use plimsoll_audit::{EfficiencySummary, ImageSummary, ScanInfo};
use plimsoll_report::{Finding, Summary};
use plimsoll_sbom::read::SbomDocument;
use plimsoll_sbom::{DocumentContext, ImageSubject};

use crate::{ScanBasis, ScanError, ScanReport, Scanner, VulnGate};

/// The prefix of an SBOM reference.
pub const SBOM_PREFIX: &str = "sbom:";

/// Where an SBOM document comes from: `sbom:PATH`, or `sbom:-` for
/// standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomSource {
    File(PathBuf),
    Stdin,
}

impl SbomSource {
    /// `sbom:PATH` (or `sbom:-`) as a source; None for any other reference.
    pub fn parse(reference: &str) -> Option<SbomSource> {
        let rest = reference.strip_prefix(SBOM_PREFIX)?;
        Some(if rest == "-" {
            SbomSource::Stdin
        } else {
            SbomSource::File(PathBuf::from(rest))
        })
    }

    /// The name errors and warnings give the document.
    pub fn label(&self) -> String {
        match self {
            SbomSource::File(p) => p.display().to_string(),
            SbomSource::Stdin => "<stdin>".into(),
        }
    }

    /// Reads and parses the document.
    pub fn read(&self) -> Result<SbomDocument, ScanError> {
        match self {
            SbomSource::File(p) => Ok(plimsoll_sbom::read::read_file(p)?),
            SbomSource::Stdin => {
                use std::io::Read as _;
                let mut content = Vec::new();
                std::io::stdin()
                    .take(plimsoll_sbom::read::SBOM_LIMIT + 1)
                    .read_to_end(&mut content)
                    .map_err(|e| plimsoll_sbom::read::ReadError::Unknown {
                        file: self.label(),
                        why: format!("cannot be read: {e}"),
                    })?;
                Ok(plimsoll_sbom::read::read_document(&self.label(), &content)?)
            }
        }
    }
}

impl Scanner {
    /// Matches an SBOM document's packages as [`Scanner::scan_image`]
    /// matches an image's, under the same gate and licence policy.
    /// `reference` is what the user named (`sbom:app.cdx.json`); `created`
    /// the CycloneDX output's timestamp.
    pub fn scan_sbom(
        &self,
        reference: &str,
        document: SbomDocument,
        gate: &VulnGate,
        created: u64,
    ) -> Result<ScanReport, ScanError> {
        let read = format!(
            "{} {} document {reference}",
            document.format, document.spec_version
        );
        let findings: Vec<Finding> = match &self.options.licenses {
            Some(policy) => policy.check(&document.inventory.packages),
            None => Vec::new(),
        };
        let target = document
            .subject
            .clone()
            .unwrap_or_else(|| reference.to_string());
        let digest = document
            .subject_version
            .clone()
            .filter(|v| is_digest(v))
            .unwrap_or_else(|| document.content_digest.clone());
        let image = ImageSummary {
            reference: target.clone(),
            digest: digest.clone(),
            manifest_digest: Some(digest.clone()),
            // No image config: the subject's identity stands in.
            config_digest: digest.clone(),
            tag: None,
            platform: String::new(),
            platform_note: None,
            created: None,
            compressed_bytes: 0,
            uncompressed_bytes: 0,
            files: 0,
            efficiency: EfficiencySummary {
                score: 1.0,
                wasted_bytes: 0,
                user_bytes: 0,
                wasted_user_ratio: 0.0,
                inefficiencies: Vec::new(),
            },
            layers: Vec::new(),
            user: None,
        };
        let context = DocumentContext {
            subject: ImageSubject {
                reference: target.clone(),
                digest,
                name: subject_name(&target),
                repository_url: None,
                tag: None,
                platform: String::new(),
                diff_ids: Vec::new(),
            },
            tool: crate::document::plimsoll_tool(),
            created,
        };
        let basis = ScanBasis {
            image,
            summary: Summary::of(&findings),
            findings,
            scan: ScanInfo {
                elapsed_ms: 0,
                layers_read: 0,
                layers_from_cache: 0,
            },
            inventory: document.inventory,
            document: context,
        };
        let mut report = ScanReport::rematch(basis, gate)?;
        report.sbom_document = Some(read);
        Ok(report)
    }
}

fn is_digest(v: &str) -> bool {
    v.split_once(':').is_some_and(|(alg, hex)| {
        matches!(alg, "sha256" | "sha512")
            && !hex.is_empty()
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The purl name of a subject: its last path segment, lowercased, without
/// a tag (`registry/team/app:1.0` is `app`).
fn subject_name(target: &str) -> String {
    let last = Path::new(target.trim_end_matches('/'))
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let last = last
        .split(['@', ':'])
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if last.is_empty() { "sbom".into() } else { last }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbom_references() {
        assert_eq!(
            SbomSource::parse("sbom:./a.json"),
            Some(SbomSource::File("./a.json".into()))
        );
        assert_eq!(SbomSource::parse("sbom:-"), Some(SbomSource::Stdin));
        assert_eq!(SbomSource::parse("oci:/x"), None);
        assert_eq!(subject_name("registry.example/team/App:1.0"), "app");
        assert_eq!(subject_name("/lab-images/small"), "small");
        assert_eq!(subject_name(""), "sbom");
        assert!(is_digest("sha256:ab12"));
        assert!(!is_digest("1.0"));
        assert!(!is_digest("sha256:sha256:ab"));
    }
}
