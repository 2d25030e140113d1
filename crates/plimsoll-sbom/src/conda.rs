//! The conda cataloger: the packages of every conda environment, from its
//! `conda-meta/<name>-<version>-<build>.json` records (one per installed
//! package, written by conda, mamba and pixi).
//!
//! Each record names the package, its version, build, channel and subdir,
//! its licence and its files (relative to the environment's prefix, the
//! directory holding `conda-meta`). The purl is the purl spec's conda
//! type, `pkg:conda/<name>@<version>?build=…&channel=…&subdir=…`, the
//! channel by its name (`conda-forge`, `pkgs/main`); syft writes none.
//!
//! syft runs its conda cataloger in directory scans only; conda's records
//! describe an installation (like dpkg's status), so plimsoll reads them
//! in image scans as well.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::license::{clip, normalize};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A record larger than this is not read; the biggest (Python's, listing
/// thousands of files with their hashes) are a few MiB.
pub const CONDA_META_LIMIT: u64 = 64 * 1024 * 1024;

/// One installed conda package as its record declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CondaPackage {
    pub name: String,
    pub version: String,
    pub build: String,
    /// The channel's name (`conda-forge`), from its URL.
    pub channel: String,
    pub subdir: String,
    pub licenses: Vec<String>,
    /// Files, relative to the environment's prefix, sorted.
    pub files: Vec<String>,
}

/// A `conda-meta/*.json` as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CondaRecord {
    /// None when the file cannot be read (see `warnings`).
    pub package: Option<CondaPackage>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`CondaCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CondaLayerFacts {
    pub records: Vec<(String, CondaRecord)>,
}

/// Installed conda packages: an [`Analyzer`] for the engine's pass.
pub struct CondaCataloger;

pub struct CondaVisitor(CondaLayerFacts);

/// `…/conda-meta/<file>.json` (not `history`, nor files further down).
fn is_record(path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    (dir == "conda-meta" || dir.ends_with("/conda-meta"))
        && name.len() > ".json".len()
        && name.ends_with(".json")
}

impl Analyzer for CondaCataloger {
    type Facts = CondaLayerFacts;
    type Visitor = CondaVisitor;
    const NAME: &'static str = "sbom-conda";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (is_record(entry.path) && entry.size <= CONDA_META_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> CondaVisitor {
        CondaVisitor(CondaLayerFacts::default())
    }
}

impl LayerVisitor for CondaVisitor {
    type Facts = CondaLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_record(entry.path) {
            return;
        }
        let record = if entry.size > CONDA_META_LIMIT {
            skipped(format!(
                "{} bytes, larger than {CONDA_META_LIMIT}: not read",
                entry.size
            ))
        } else {
            parse_record(content.unwrap_or(&[]))
        };
        let facts = &mut self.0;
        // A path stored twice in one tar: the later entry wins.
        facts.records.retain(|(p, _)| p != entry.path);
        facts.records.push((entry.path.to_string(), record));
    }

    fn finish(self) -> CondaLayerFacts {
        self.0
    }
}

fn skipped(why: String) -> CondaRecord {
    CondaRecord {
        package: None,
        warnings: plimsoll_report::Warnings::from_iter([why]),
    }
}

/// The channel's name from its URL or name: `https://host/conda-forge/`
/// and `https://host/conda-forge/linux-64` give `conda-forge`,
/// `https://host/pkgs/main` gives `pkgs/main`; a bare name stays.
fn channel_name(channel: &str, subdir: &str) -> String {
    let c = channel.trim().trim_end_matches('/');
    let c = match c.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, path)| path),
        None => c,
    };
    let c = if !subdir.is_empty() {
        c.strip_suffix(subdir)
            .map(|s| s.trim_end_matches('/'))
            .unwrap_or(c)
    } else {
        c
    };
    c.to_string()
}

/// Reads a `conda-meta` record.
fn parse_record(content: &[u8]) -> CondaRecord {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return skipped(format!("not valid JSON ({e}): skipped")),
    };
    let Value::Object(doc) = doc else {
        return skipped("not a JSON object: skipped".into());
    };
    let text = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").trim();
    let name = text("name");
    if name.is_empty() || name.contains(char::is_whitespace) {
        return skipped(format!(
            "invalid or missing name {:?}: skipped",
            clip(name, 60)
        ));
    }
    let version = text("version");
    if version.is_empty() || version.contains(char::is_whitespace) {
        return skipped(format!("{name}: invalid or missing version: skipped"));
    }
    let subdir = text("subdir");
    let mut files: Vec<String> = match doc.get("files") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|f| f.trim_start_matches('/').to_string())
            .filter(|f| !f.is_empty() && !f.split('/').any(|c| c == ".."))
            .collect(),
        _ => Vec::new(),
    };
    files.sort();
    files.dedup();
    CondaRecord {
        package: Some(CondaPackage {
            name: name.to_string(),
            version: version.to_string(),
            build: text("build").to_string(),
            channel: channel_name(text("channel"), subdir),
            subdir: subdir.to_string(),
            licenses: normalize(text("license")).into_iter().collect(),
            files,
        }),
        warnings: plimsoll_report::Warnings::new(),
    }
}

/// `pkg:conda/<name>@<version>?build=…&channel=…&subdir=…` (empty
/// qualifiers left out).
pub fn conda_purl(p: &CondaPackage) -> String {
    purl(
        "conda",
        None,
        &p.name,
        &p.version,
        &[
            ("build", &p.build),
            ("channel", &p.channel),
            ("subdir", &p.subdir),
        ],
    )
}

/// The conda packages of the final image, added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[CondaLayerFacts], inventory: &mut Inventory) {
    for (layer, path, record) in ctx.visible_in(facts, |f| &f.records) {
        inventory
            .warnings
            .extend_from(&record.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(c) = &record.package else {
            continue;
        };
        // The environment's prefix: the directory holding `conda-meta`.
        let prefix = path
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .strip_suffix("conda-meta")
            .unwrap_or("");
        let mut pkg = Package::new(
            PackageType::Conda,
            &c.name,
            &c.version,
            conda_purl(c),
            path,
            layer,
        );
        pkg.licenses = c.licenses.clone();
        pkg.files = c.files.iter().map(|f| format!("{prefix}{f}")).collect();
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixtures() {
        // syft's fixtures, their channel and download URLs removed (see
        // tests/data/conda/PROVENANCE.md).
        let r = parse_record(include_bytes!(
            "../tests/data/conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json"
        ));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let z = r.package.unwrap();
        assert_eq!(
            (
                z.name.as_str(),
                z.version.as_str(),
                z.build.as_str(),
                z.subdir.as_str()
            ),
            ("zlib", "1.2.11", "h90dfc92_1014", "osx-arm64")
        );
        assert_eq!(z.licenses, ["Zlib"]);
        assert_eq!(z.files.len(), 5);
        assert!(z.files.contains(&"lib/libz.a".to_string()));
        assert_eq!(
            conda_purl(&z),
            "pkg:conda/zlib@1.2.11?build=h90dfc92_1014&subdir=osx-arm64"
        );
        let r = parse_record(include_bytes!(
            "../tests/data/conda/conda-meta/jupyterlab-4.4.3-pyhd8ed1ab_0.json"
        ));
        let j = r.package.unwrap();
        assert_eq!(
            (j.name.as_str(), j.version.as_str()),
            ("jupyterlab", "4.4.3")
        );
        assert_eq!(j.licenses, ["BSD-3-Clause"]);
    }

    #[test]
    fn channels_and_bad_records() {
        assert_eq!(
            channel_name("https://repo.example/pkgs/main", "linux-64"),
            "pkgs/main"
        );
        assert_eq!(
            channel_name("https://conda.example/conda-forge/linux-64", "linux-64"),
            "conda-forge"
        );
        assert_eq!(channel_name("conda-forge", "noarch"), "conda-forge");
        assert_eq!(channel_name("", ""), "");
        for (bad, why) in [
            (&b"{"[..], "not valid JSON"),
            (b"[]", "not a JSON object"),
            (b"{\"version\":\"1\"}", "invalid or missing name"),
            (b"{\"name\":\"x\"}", "x: invalid or missing version"),
        ] {
            let r = parse_record(bad);
            assert!(r.package.is_none());
            assert!(r.warnings[0].contains(why), "{:?}", r.warnings);
        }
        assert!(is_record(
            "opt/conda/conda-meta/zlib-1.2.13-h5eee18b_0.json"
        ));
        assert!(!is_record("opt/conda/conda-meta/history"));
        assert!(!is_record("opt/conda/pkgs/x/info/index.json"));
    }
}
