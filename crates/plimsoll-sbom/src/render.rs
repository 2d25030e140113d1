//! `plimsoll sbom`'s own outputs: the table (one package a line) and the
//! JSON inventory (every field of every package). CycloneDX and SPDX are in
//! [`crate::cyclonedx`] and [`crate::spdx`].

use std::fmt::Write as _;

use serde::Serialize;

use crate::{Distro, ImageSubject, Inventory, Package};

/// `plimsoll sbom --format json`.
#[derive(Debug, Serialize)]
pub struct InventoryReport<'a> {
    pub schema_version: u32,
    pub tool: plimsoll_report::Tool,
    pub image: serde_json::Value,
    pub distro: Option<&'a Distro>,
    pub packages: &'a [Package],
}

impl<'a> InventoryReport<'a> {
    pub fn new(inventory: &'a Inventory, subject: &ImageSubject) -> Self {
        InventoryReport {
            schema_version: 1,
            tool: plimsoll_report::Tool::PLIMSOLL,
            image: serde_json::json!({
                "reference": subject.reference,
                "digest": subject.digest,
                "platform": subject.platform,
            }),
            distro: inventory.distro.as_ref(),
            packages: &inventory.packages,
        }
    }
}

/// The table: the image and its distribution, then a line per package.
pub fn render_table(inventory: &Inventory, subject: &ImageSubject) -> String {
    let mut out = String::new();
    let distro = inventory
        .distro
        .as_ref()
        .and_then(|d| d.pretty_name.clone().or(d.id.clone()))
        .unwrap_or_else(|| "unknown distribution".into());
    let _ = writeln!(out, "{} ({}), {distro}", subject.reference, subject.digest);
    let _ = writeln!(
        out,
        "{:<36} {:<36} {:<7} {:<8} {:>5}  source",
        "name", "version", "type", "arch", "layer"
    );
    for pkg in &inventory.packages {
        let _ = writeln!(
            out,
            "{:<36} {:<36} {:<7} {:<8} {:>5}  {}",
            pkg.name,
            pkg.version,
            pkg.package_type,
            pkg.arch.as_deref().unwrap_or("-"),
            pkg.layer,
            pkg.source_name.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(out, "{} packages", inventory.packages.len());
    out
}
