//! Vulnerabilities fixed and introduced (`plimsoll diff --db`): the two
//! images' matches against one advisory database, compared by
//! vulnerability and package.

use std::collections::BTreeMap;

use plimsoll_sbom::PackageType;
use plimsoll_vuln::findings::{VulnFinding, VulnReport};
use serde::Serialize;

/// One vulnerability in one package of one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnInfo {
    /// The CVE when it has one, else the GHSA, else the record id.
    pub id: String,
    pub severity: String,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub package: String,
    pub version: String,
    /// The layer (bottom 0) that installed the package.
    pub layer: usize,
    /// Versions that fix it, lowest first; empty: no fix yet.
    pub fixed_in: Vec<String>,
}

/// Vulnerabilities of the first image the second no longer has (`fixed`)
/// and of the second the first did not have (`introduced`), matched by id,
/// package type and package name; suppressed ones (ignored, VEX) left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnDiff {
    /// The advisory database both were matched against.
    pub database: String,
    pub fixed: Vec<VulnInfo>,
    pub introduced: Vec<VulnInfo>,
}

type Key = (String, PackageType, String);

fn by_key(r: &VulnReport) -> BTreeMap<Key, &VulnFinding> {
    r.findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| {
            (
                (f.id.clone(), f.package.package_type, f.package.name.clone()),
                f,
            )
        })
        .collect()
}

fn info(f: &VulnFinding) -> VulnInfo {
    VulnInfo {
        id: f.id.clone(),
        severity: f.rating.severity.as_str().to_string(),
        package_type: f.package.package_type,
        package: f.package.name.clone(),
        version: f.package.version.clone(),
        layer: f.package.layer,
        fixed_in: f.fixed.clone(),
    }
}

/// Compares the matches of image 1 (`a`) and image 2 (`b`).
pub fn diff(database: &str, a: &VulnReport, b: &VulnReport) -> VulnDiff {
    let (ka, kb) = (by_key(a), by_key(b));
    VulnDiff {
        database: database.to_string(),
        fixed: ka
            .iter()
            .filter(|(k, _)| !kb.contains_key(*k))
            .map(|(_, f)| info(f))
            .collect(),
        introduced: kb
            .iter()
            .filter(|(k, _)| !ka.contains_key(*k))
            .map(|(_, f)| info(f))
            .collect(),
    }
}
