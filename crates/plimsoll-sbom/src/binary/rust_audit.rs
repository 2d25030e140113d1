//! Rust executables built with `cargo auditable`: the `.dep-v0` section
//! holds the zlib-compressed JSON dependency tree (name, version, source,
//! build or runtime) of every crate compiled in.

use std::io::Read;

use auditable_serde::{DependencyKind, VersionInfo};
use plimsoll_engine::{Analyzer, Entry, LayerVisitor};
use serde::{Deserialize, Serialize};

use super::{Binary, content_limit, truncated_note};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

pub const SECTION: &str = ".dep-v0";
/// The decompressed JSON may not exceed this: a crate entry is ~100 bytes,
/// so this is ~100k crates, and a zlib bomb stops here.
pub const MAX_JSON: u64 = 8 * 1024 * 1024;

/// One crate compiled into a binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustCrate {
    pub name: String,
    pub version: String,
    /// `crates.io`, `git`, `local`, `registry` or another source kind.
    pub source: String,
    /// Build-time only (proc macros, build scripts): not in the binary.
    pub build_only: bool,
    pub root: bool,
}

/// One executable as one layer stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustFile {
    pub crates: Vec<RustCrate>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`RustAuditCataloger`] found in one layer, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustLayerFacts {
    pub files: Vec<(String, RustFile)>,
}

/// Crates compiled into executables built with `cargo auditable`.
pub struct RustAuditCataloger;

pub struct RustAuditVisitor(RustLayerFacts);

impl Analyzer for RustAuditCataloger {
    type Facts = RustLayerFacts;
    type Visitor = RustAuditVisitor;
    const NAME: &'static str = "sbom-rust-audit";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        content_limit(entry)
    }

    fn visitor(&self) -> RustAuditVisitor {
        RustAuditVisitor(RustLayerFacts::default())
    }
}

impl LayerVisitor for RustAuditVisitor {
    type Facts = RustLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        let Some(data) = content else { return };
        let Some(mut file) = read_rust_file(data) else {
            return;
        };
        if let Some(note) = truncated_note(entry, data.len()) {
            file.warnings.push(note);
        }
        self.0.files.retain(|(p, _)| p != entry.path);
        self.0.files.push((entry.path.to_string(), file));
    }

    fn finish(self) -> RustLayerFacts {
        self.0
    }
}

/// The crates of an executable with audit data; None when it has none (or
/// is no readable ELF: the Go cataloger reports those).
pub fn read_rust_file(data: &[u8]) -> Option<RustFile> {
    let Binary::Elf(elf) = Binary::parse(data) else {
        return None;
    };
    let mut file = RustFile::default();
    match elf.section(SECTION)? {
        Ok(compressed) => match decode(compressed) {
            Ok(crates) => file.crates = crates,
            Err(e) => file.warnings.push(format!("{SECTION}: {e}")),
        },
        Err(e) => file
            .warnings
            .push(format!("unreadable {SECTION} section: {e}")),
    }
    Some(file)
}

/// Decompresses (capped) and parses the section's JSON.
pub fn decode(compressed: &[u8]) -> Result<Vec<RustCrate>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("not zlib data: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err(format!("decompresses to more than {MAX_JSON} bytes"));
    }
    let info: VersionInfo =
        serde_json::from_slice(&json).map_err(|e| format!("not cargo-auditable JSON: {e}"))?;
    Ok(info
        .packages
        .into_iter()
        .map(|p| RustCrate {
            name: p.name,
            version: p.version.to_string(),
            source: String::from(p.source),
            build_only: p.kind == DependencyKind::Build,
            root: p.root,
        })
        .collect())
}

/// Adds the runtime crates (build-only ones are not in the binary, and
/// syft leaves them out too) of every audited executable of the final image.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[RustLayerFacts], inventory: &mut Inventory) {
    for (layer, path, file) in ctx.visible_in(facts, |f| &f.files) {
        inventory
            .warnings
            .extend_from(&file.warnings, |w| format!("layer {layer}: {path}: {w}"));
        for c in file.crates.iter().filter(|c| !c.build_only) {
            let purl = purl("cargo", None, &c.name, &c.version, &[]);
            inventory.packages.push(Package::new(
                PackageType::Cargo,
                &c.name,
                &c.version,
                purl,
                path,
                layer,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decodes_runtime_and_build_crates() {
        let json = br#"{"packages":[
            {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
            {"name":"serde","version":"1.0.200","source":"crates.io"},
            {"name":"serde_derive","version":"1.0.200","source":"crates.io","kind":"build"}]}"#;
        let crates = decode(&zlib(json)).unwrap();
        assert_eq!(crates.len(), 3);
        assert!(crates[0].root && !crates[0].build_only);
        assert_eq!(crates[0].source, "local");
        assert!(crates[2].build_only);
        assert_eq!(crates[1].version, "1.0.200");
    }

    #[test]
    fn bad_data_is_an_error() {
        assert!(decode(b"not zlib").unwrap_err().contains("not zlib"));
        assert!(
            decode(&zlib(b"{\"packages\":[{\"name\":\"x\"}]}"))
                .unwrap_err()
                .contains("not cargo-auditable JSON")
        );
        // A zlib bomb: megabytes of spaces stop at the cap.
        let bomb = zlib(&vec![b' '; (MAX_JSON + 10) as usize]);
        assert!(bomb.len() < 64 * 1024);
        assert!(decode(&bomb).unwrap_err().contains("more than"));
    }
}
