//! Software bill of materials for container images, built on the engine's
//! single pass over the layers.
//!
//! So far: installed Debian packages. [`DpkgCataloger`] is registered with
//! the engine and reads, in every layer, dpkg's database
//! (`/var/lib/dpkg/status`, and distroless images' one-file-per-package
//! `/var/lib/dpkg/status.d/<pkg>`) and os-release. [`dpkg_packages`] then
//! merges the layers into the inventory of the final image:
//!
//! - each database file counts as the version the merged file tree says is
//!   visible (later layers replace it; a whiteout deletes it, and with it
//!   its packages);
//! - a package's `layer` is the lowest layer from which the database lists
//!   it, with the same version and architecture, in every layer up to the
//!   top (an upgrade, or a removal and reinstallation, introduces it anew);
//! - packages are sorted by (name, arch, version); unreadable paragraphs
//!   are skipped and reported in `warnings`, never fatal.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let image: plimsoll_oci::Image = todo!();
//! use plimsoll_engine::{Engine, EngineOptions, NoProgress};
//! let mut engine = Engine::new(EngineOptions::default());
//! engine.register(plimsoll_sbom::DpkgCataloger);
//! let scan = engine.scan(&image, &NoProgress)?;
//! let inventory = plimsoll_sbom::dpkg_packages(&scan)?;
//! # Ok(()) }
//! ```

mod control;
mod dpkg;
mod purl;

use serde::{Deserialize, Serialize};

pub use control::{DbKind, DpkgEntry, Parsed, parse_dpkg_db};
pub use dpkg::{
    DB_LIMIT, DpkgCataloger, DpkgDatabase, DpkgLayerFacts, DpkgVisitor, OS_RELEASE, STATUS,
    STATUS_D, dpkg_packages, merge_dpkg_facts,
};
pub use purl::{Distro, deb_purl, percent_encode};

/// One installed package of the final image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub arch: String,
    pub source_name: String,
    pub source_version: String,
    pub maintainer: Option<String>,
    /// The package manager's ecosystem: `deb`.
    pub ecosystem: String,
    /// Package URL, e.g. `pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12`.
    pub purl: String,
    /// Index (bottom layer 0) of the layer that introduced the package as it is.
    pub layer: usize,
    /// The database file that lists it, e.g. `var/lib/dpkg/status`.
    pub location: String,
}

/// The packages of the final image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub distro: Option<Distro>,
    pub packages: Vec<Package>,
    /// Skipped paragraphs, truncated databases, duplicates: `path:line: why`.
    pub warnings: Vec<String>,
}

impl Inventory {
    /// Pretty JSON, packages in their deterministic order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an inventory always serialises")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
}
