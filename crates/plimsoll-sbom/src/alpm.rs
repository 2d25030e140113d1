//! The alpm cataloger (Arch Linux and other users of pacman/libalpm): the
//! packages of pacman's local database, one directory per installed
//! package, `var/lib/pacman/local/<name>-<version>/`.
//!
//! Each package's `desc` is a text file of sections separated by blank
//! lines, a `%KEY%` line followed by the values, one a line (libalpm's
//! `be_local.c`): `%NAME%`, `%VERSION%`, `%BASE%` (the PKGBUILD the package
//! was built from), `%ARCH%`, `%LICENSE%` (one licence a line), `%PACKAGER%`,
//! `%DEPENDS%`, `%PROVIDES%`. Its `files` beside it lists the package's
//! paths under `%FILES%` (directories end with `/`) and the configuration
//! files pacman keeps under `%BACKUP%`. `mtree` (gzip) repeats the files
//! with their digests; the file list is enough here.
//!
//! As syft 1.18.1 (`alpm-db-cataloger`): any `desc` below a
//! `var/lib/pacman/local/` directory; the package type `alpm`; the purl
//! `pkg:alpm/<os-release ID>/<name>@<version>?arch=…&distro=<ID>-<BUILD_ID>&upstream=<base>`
//! (Arch has no `VERSION_ID`: `distro=arch-rolling`). syft writes a purl
//! only when the ID is `arch`; plimsoll writes one for every distribution
//! with the distribution's ID (`archarm`, `manjaro`), `arch` when the image
//! has no os-release.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

use crate::license::{clip, normalize, push_unique};
use crate::purl::{Distro, purl};
use crate::{Inventory, MergeContext, Package, PackageType};

/// A `desc` or `files` larger than this is not read; real ones are a few
/// KiB (`files` of the biggest packages some MiB).
pub const ALPM_DB_LIMIT: u64 = 32 * 1024 * 1024;

/// Files of one package beyond this are left out (a cap on what a hostile
/// list can cost; real packages have at most some hundred thousand).
const MAX_FILES: usize = 1 << 20;

/// One installed package as its `desc` declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpmEntry {
    pub name: String,
    pub version: String,
    /// `%BASE%`: the PKGBUILD (split packages share one).
    pub base: Option<String>,
    pub arch: String,
    /// `%LICENSE%`, one a line, as declared.
    pub licenses: Vec<String>,
    pub packager: Option<String>,
    pub depends: Vec<String>,
    pub provides: Vec<String>,
}

/// A `desc` as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpmDesc {
    /// None when the file names no package (see `warnings`).
    pub package: Option<AlpmEntry>,
    pub warnings: Warnings,
}

/// A `files` as one layer stores it: the package's files (image paths,
/// directories left out), sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpmFiles {
    pub files: Vec<String>,
    pub warnings: Warnings,
}

/// What [`AlpmCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpmLayerFacts {
    pub descs: Vec<(String, AlpmDesc)>,
    pub files: Vec<(String, AlpmFiles)>,
}

/// Installed pacman packages: an [`Analyzer`] for the engine's pass.
pub struct AlpmCataloger;

pub struct AlpmVisitor(AlpmLayerFacts);

/// Which of a package directory's files `path` is, if it is `desc` or
/// `files` below a `var/lib/pacman/local/` directory.
fn db_file(path: &str) -> Option<&'static str> {
    let (dir, name) = path.rsplit_once('/')?;
    let kind = match name {
        "desc" => "desc",
        "files" => "files",
        _ => return None,
    };
    const LOCAL: &str = "var/lib/pacman/local/";
    let under = dir
        .find(LOCAL)
        .filter(|&at| at == 0 || dir.as_bytes()[at - 1] == b'/')
        .is_some_and(|at| dir.len() > at + LOCAL.len());
    under.then_some(kind)
}

impl Analyzer for AlpmCataloger {
    type Facts = AlpmLayerFacts;
    type Visitor = AlpmVisitor;
    const NAME: &'static str = "sbom-alpm";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (db_file(entry.path).is_some() && entry.size <= ALPM_DB_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> AlpmVisitor {
        AlpmVisitor(AlpmLayerFacts::default())
    }
}

impl LayerVisitor for AlpmVisitor {
    type Facts = AlpmLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        let Some(kind) = db_file(entry.path) else {
            return;
        };
        let too_big = (entry.size > ALPM_DB_LIMIT).then(|| {
            format!(
                "{} bytes, larger than {ALPM_DB_LIMIT}: not read",
                entry.size
            )
        });
        let content = content.unwrap_or(&[]);
        let path = entry.path.to_string();
        // A path stored twice in one tar: the later entry wins.
        if kind == "desc" {
            let desc = match too_big {
                Some(why) => AlpmDesc {
                    package: None,
                    warnings: Warnings::from_iter([why]),
                },
                None => parse_desc(content),
            };
            self.0.descs.retain(|(p, _)| *p != path);
            self.0.descs.push((path, desc));
        } else {
            let files = match too_big {
                Some(why) => AlpmFiles {
                    files: Vec::new(),
                    warnings: Warnings::from_iter([why]),
                },
                None => parse_files(content),
            };
            self.0.files.retain(|(p, _)| *p != path);
            self.0.files.push((path, files));
        }
    }

    fn finish(self) -> AlpmLayerFacts {
        self.0
    }
}

/// The `%KEY%` sections of a `desc` or `files`, in order: (key, values),
/// values without empty lines. Lines before the first key are no section.
fn sections(text: &str) -> Vec<(&str, Vec<&str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut open = false;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            open = false;
            continue;
        }
        let key = line
            .strip_prefix('%')
            .and_then(|l| l.strip_suffix('%'))
            .filter(|k| !k.is_empty() && !k.contains('%'));
        match key {
            Some(k) if !open => {
                out.push((k, Vec::new()));
                open = true;
            }
            _ if open => {
                if let Some((_, values)) = out.last_mut() {
                    values.push(line);
                }
            }
            _ => {}
        }
    }
    out
}

/// Reads a package's `desc`. No `%NAME%` or `%VERSION%` (a cut or
/// corrupt file) is no package, with a warning saying which is missing.
pub fn parse_desc(content: &[u8]) -> AlpmDesc {
    let text = String::from_utf8_lossy(content);
    let mut e = AlpmEntry::default();
    let one = |v: &[&str]| v.first().map(|s| s.trim().to_string()).unwrap_or_default();
    let list = |v: &[&str]| -> Vec<String> {
        v.iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    for (key, values) in sections(&text) {
        match key {
            "NAME" => e.name = one(&values),
            "VERSION" => e.version = one(&values),
            "BASE" => e.base = Some(one(&values)).filter(|b| !b.is_empty()),
            "ARCH" => e.arch = one(&values),
            "LICENSE" => e.licenses = list(&values),
            "PACKAGER" => e.packager = Some(one(&values)).filter(|p| !p.is_empty()),
            "DEPENDS" => e.depends = list(&values),
            "PROVIDES" => e.provides = list(&values),
            _ => {}
        }
    }
    let bad = |why: String| AlpmDesc {
        package: None,
        warnings: Warnings::from_iter([why]),
    };
    if e.name.is_empty() || e.name.contains(char::is_whitespace) {
        return bad(format!(
            "no valid %NAME% ({:?}): not a pacman package description, skipped",
            clip(&e.name, 60)
        ));
    }
    if e.version.is_empty() || e.version.contains(char::is_whitespace) {
        return bad(format!("{}: no valid %VERSION%: skipped", e.name));
    }
    AlpmDesc {
        package: Some(e),
        warnings: Warnings::new(),
    }
}

/// Reads a package's `files`: the `%FILES%` paths that are no directory
/// (those end with `/`), sorted.
pub fn parse_files(content: &[u8]) -> AlpmFiles {
    let text = String::from_utf8_lossy(content);
    let mut warnings = Warnings::new();
    let sections = sections(&text);
    let Some((_, paths)) = sections.iter().find(|(k, _)| *k == "FILES") else {
        if !sections.iter().any(|(k, _)| *k == "BACKUP") {
            warnings.push("no %FILES% section: the package's files are unknown".to_string());
        }
        return AlpmFiles {
            files: Vec::new(),
            warnings,
        };
    };
    let mut files: Vec<String> = paths
        .iter()
        .map(|p| p.trim_start_matches('/'))
        .filter(|p| !p.is_empty() && !p.ends_with('/') && !p.split('/').any(|c| c == ".."))
        .take(MAX_FILES)
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    AlpmFiles { files, warnings }
}

/// `pkg:alpm/<vendor>/<name>@<version>?arch=…&distro=…&upstream=<base>`
/// as syft writes it (upstream whenever the base is known).
pub fn alpm_purl(vendor: &str, e: &AlpmEntry, distro_qualifier: Option<&str>) -> String {
    purl(
        "alpm",
        Some(&vendor.to_lowercase()),
        &e.name,
        &e.version,
        &[
            ("arch", &e.arch),
            ("distro", distro_qualifier.unwrap_or("")),
            ("upstream", e.base.as_deref().unwrap_or("")),
        ],
    )
}

/// syft's `distro` qualifier: `<ID>-<VERSION_ID>`, or `<ID>-<BUILD_ID>`
/// for distributions without releases (Arch: `arch-rolling`), or `<ID>`.
pub(crate) fn distro_qualifier(distro: Option<&Distro>) -> Option<String> {
    let d = distro?;
    let id = d.id.as_deref()?;
    Some(match d.version_id.as_deref().or(d.build_id.as_deref()) {
        Some(v) => format!("{id}-{v}"),
        None => id.to_string(),
    })
}

/// The installed pacman packages of the final image, added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[AlpmLayerFacts],
    distro: Option<&Distro>,
    inventory: &mut Inventory,
) {
    let descs = ctx.visible_in(facts, |f| &f.descs);
    if descs.is_empty() {
        return;
    }
    let vendor = distro
        .and_then(|d| d.id.clone())
        .unwrap_or_else(|| "arch".to_string());
    let qualifier = distro_qualifier(distro);
    for (layer, path, desc) in descs {
        inventory
            .warnings
            .extend_from(&desc.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(e) = &desc.package else {
            continue;
        };
        let mut pkg = Package::new(
            PackageType::Alpm,
            &e.name,
            &e.version,
            alpm_purl(&vendor, e, qualifier.as_deref()),
            path,
            layer,
        );
        pkg.arch = Some(e.arch.clone()).filter(|a| !a.is_empty());
        pkg.source_name = e.base.clone();
        pkg.source_version = e.base.as_ref().map(|_| e.version.clone());
        for l in &e.licenses {
            if let Some(l) = normalize(l) {
                push_unique(&mut pkg.licenses, l);
            }
        }
        pkg.supplier = e.packager.clone();
        // The `files` beside the `desc`, as the final image has it.
        let files_path = format!("{}/files", path.rsplit_once('/').map_or("", |(d, _)| d));
        if let Some(files_layer) = ctx.final_layer(&files_path) {
            let found = facts
                .get(files_layer)
                .and_then(|f| f.files.iter().find(|(p, _)| *p == files_path));
            if let Some((_, files)) = found {
                inventory.warnings.extend_from(&files.warnings, |w| {
                    format!("layer {files_layer}: {files_path}: {w}")
                });
                pkg.files = files.files.clone();
            }
        }
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMP: &[u8] = include_bytes!("../tests/data/arch/local/gmp-6.2.1-2/desc");

    #[test]
    fn syft_fixtures() {
        // syft's fixtures (see tests/data/arch/PROVENANCE.md).
        let d = parse_desc(GMP);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let gmp = d.package.unwrap();
        assert_eq!(
            (gmp.name.as_str(), gmp.version.as_str(), gmp.arch.as_str()),
            ("gmp", "6.2.1-2", "x86_64")
        );
        assert_eq!(gmp.base.as_deref(), Some("gmp"));
        assert_eq!(gmp.licenses, ["LGPL3", "GPL"]);
        assert_eq!(
            gmp.packager.as_deref(),
            Some("Antonio Rojas <arojas@archlinux.org>")
        );
        assert_eq!(gmp.depends, ["gcc-libs", "sh", "libtree-sitter.so=1-64"]);
        let arch = Distro::parse_os_release(include_bytes!("../tests/data/arch/os-release"));
        assert_eq!(arch.build_id.as_deref(), Some("rolling"));
        assert_eq!(
            alpm_purl("arch", &gmp, distro_qualifier(Some(&arch)).as_deref()),
            "pkg:alpm/arch/gmp@6.2.1-2?arch=x86_64&distro=arch-rolling&upstream=gmp"
        );
        let f = parse_files(include_bytes!("../tests/data/arch/local/gmp-6.2.1-2/files"));
        assert!(f.warnings.is_empty());
        assert_eq!(f.files.len(), 13, "{:?}", f.files);
        assert!(f.files.contains(&"usr/include/gmp.h".to_string()));
        assert!(!f.files.iter().any(|p| p.ends_with('/')));
        let fuzzy = parse_files(include_bytes!("../tests/data/arch/local/fuzzy-1.2-3/files"));
        assert_eq!(fuzzy.files, ["etc/fuzzy.conf"]);
        let m = parse_desc(include_bytes!(
            "../tests/data/arch/local/madeup-20.30-4/desc"
        ))
        .package
        .unwrap();
        assert_eq!(
            alpm_purl("arch", &m, None),
            "pkg:alpm/arch/madeup@20.30-4",
            "no arch, no base: no qualifiers"
        );
    }

    #[test]
    fn corrupt_and_truncated_descriptions_are_no_package() {
        // syft's corrupt fixture: `%NME%`, `%VER.6-1`.
        let d = parse_desc(include_bytes!(
            "../tests/data/arch/local/corrupt-0.2.1-3/desc"
        ));
        assert!(d.package.is_none());
        assert!(
            d.warnings[0].contains("no valid %NAME%"),
            "{:?}",
            d.warnings
        );
        // Cut inside the version's key.
        let cut = &GMP[..GMP.windows(4).position(|w| w == b"%VER").unwrap() + 4];
        let d = parse_desc(cut);
        assert!(d.package.is_none());
        assert!(
            d.warnings[0].contains("gmp: no valid %VERSION%"),
            "{:?}",
            d.warnings
        );
        for bad in [
            &b"bogus desc file"[..],
            b"",
            b"\x00\xff%%\n\n%\n",
            b"%NAME%\n\n",
        ] {
            let d = parse_desc(bad);
            assert!(d.package.is_none() && d.warnings.len() == 1, "{bad:?}");
        }
        let f = parse_files(b"bogus files");
        assert!(f.files.is_empty());
        assert!(f.warnings[0].contains("no %FILES%"));
        // Paths that climb out are no file of the package.
        let f = parse_files(b"%FILES%\nusr/\n../etc/shadow\nusr/bin/x\n");
        assert_eq!(f.files, ["usr/bin/x"]);
    }

    #[test]
    fn database_paths() {
        assert_eq!(
            db_file("var/lib/pacman/local/gmp-6.2.1-2/desc"),
            Some("desc")
        );
        assert_eq!(
            db_file("srv/root/var/lib/pacman/local/gmp-6.2.1-2/files"),
            Some("files")
        );
        assert_eq!(db_file("var/lib/pacman/local/gmp-6.2.1-2/mtree"), None);
        assert_eq!(db_file("var/lib/pacman/local/desc"), None);
        assert_eq!(db_file("xvar/lib/pacman/local/a/desc"), None);
        assert_eq!(db_file("var/lib/pacman/sync/a/desc"), None);
    }
}
