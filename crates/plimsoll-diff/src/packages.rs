//! The package comparison over every SBOM type: packages matched by type
//! and name; of several installs of one name (Python or npm packages in
//! more than one place), equal versions pair first.

use std::collections::BTreeMap;

use plimsoll_sbom::{Package, PackageType};
use serde::Serialize;

use crate::Side;

/// One installed package of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageInfo {
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The layer (bottom 0) that installed it as it is.
    pub layer: usize,
    /// The file that lists it (absolute path).
    pub location: String,
    pub purl: String,
    /// Sum of the sizes of the package's files in the image (a Node
    /// package: its directory), for container-diff's `Size`.
    #[serde(skip)]
    pub files_bytes: u64,
}

/// A package both images hold in another version (or architecture).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub name: String,
    pub image1: PackageInfo,
    pub image2: PackageInfo,
}

/// Packages only in the second image (`added`), only in the first
/// (`removed`), and in both in another version (`changed`); sorted by type,
/// name and version.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PackageDiff {
    pub added: Vec<PackageInfo>,
    pub removed: Vec<PackageInfo>,
    pub changed: Vec<PackageChange>,
}

impl PackageDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn info(s: &Side, p: &Package) -> PackageInfo {
    let files = &s.tree.files;
    let files_bytes = if !p.files.is_empty() {
        p.files
            .iter()
            .filter_map(|f| files.get(f.trim_start_matches('/')))
            .map(|n| n.size)
            .sum()
    } else if p.package_type == PackageType::Npm {
        let dir = p.location.rsplit_once('/').map_or("", |(d, _)| d);
        files.under(dir).map(|(_, n)| n.size).sum()
    } else {
        0
    };
    PackageInfo {
        package_type: p.package_type,
        name: p.name.clone(),
        version: p.version.clone(),
        arch: p.arch.clone(),
        layer: p.layer,
        location: format!("/{}", p.location.trim_start_matches('/')),
        purl: p.purl.clone(),
        files_bytes,
    }
}

fn by_name(s: &Side) -> BTreeMap<(PackageType, &str), Vec<PackageInfo>> {
    let mut out: BTreeMap<(PackageType, &str), Vec<PackageInfo>> = BTreeMap::new();
    for p in &s.inventory.packages {
        out.entry((p.package_type, p.name.as_str()))
            .or_default()
            .push(info(s, p));
    }
    out
}

pub(crate) fn diff(a: &Side, b: &Side) -> PackageDiff {
    let mut pa = by_name(a);
    let mut pb = by_name(b);
    let mut out = PackageDiff::default();
    let mut keys: Vec<(PackageType, &str)> = pa.keys().chain(pb.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let mut left = pa.remove(&key).unwrap_or_default();
        let mut right = pb.remove(&key).unwrap_or_default();
        // Installs in the same version (and architecture) in both: unchanged.
        left.retain(|l| {
            let same = right
                .iter()
                .position(|r| r.version == l.version && r.arch == l.arch);
            match same {
                Some(i) => {
                    right.remove(i);
                    false
                }
                None => true,
            }
        });
        let pairs = left.len().min(right.len());
        let rest_left = left.split_off(pairs);
        let rest_right = right.split_off(pairs);
        for (l, r) in left.into_iter().zip(right) {
            out.changed.push(PackageChange {
                package_type: key.0,
                name: key.1.to_string(),
                image1: l,
                image2: r,
            });
        }
        out.removed.extend(rest_left);
        out.added.extend(rest_right);
    }
    out
}

/// container-diff's `Path` of a multi-version package: the directory
/// Python packages are installed in, or a Node package's own directory
/// (with a trailing `/`).
pub(crate) fn container_diff_path(p: &PackageInfo) -> String {
    let dir = p.location.rsplit_once('/').map_or("", |(d, _)| d);
    match p.package_type {
        PackageType::Pypi => dir.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
        _ => format!("{dir}/"),
    }
}
