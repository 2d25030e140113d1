//! The portage cataloger (Gentoo): the packages of portage's flat-file
//! database of installed packages, one directory per package,
//! `var/db/pkg/<category>/<name>-<version>/`.
//!
//! As syft 1.18.1 (`portage-cataloger`): a package is a `CONTENTS` file at
//! `**/var/db/pkg/*/*/CONTENTS`; its name (`<category>/<name>`,
//! `app-containers/skopeo`) and version (`1.5.1`, `2.38-r2`,
//! `1.0_pre3`) come from the directory's name, split where Gentoo's
//! version syntax (numbers, one letter, `_pre`/`_p`/`_beta`/`_alpha`/`_rc`
//! suffixes, `-r<revision>`) begins, the rightmost such split when several
//! fit; a directory whose name has no version is no package (a warning).
//! The package type is `portage`, the purl
//! `pkg:ebuild/<category>/<name>@<version>`.
//!
//! `CONTENTS` lists the package's files: `obj <path> <md5> <mtime>` for a
//! regular file (paths may hold spaces: the last two fields are the digest
//! and the time), `dir <path>` and `sym <path> -> <target> <mtime>`; the
//! package's files are its `obj` paths, as syft's. The `LICENSE` beside it
//! is the ebuild's licence expression (`|| ( MIT Apache-2.0 ) BSD`):
//! syft reports its words, the operators and parentheses left out, and so
//! does plimsoll (each one as a licence). `SIZE` (the installed size)
//! has no field in plimsoll's inventory and is not read.
//!
//! Portage packages are OS packages: their files are the files of the
//! image the binary catalogers leave to them. OSV has no Gentoo ecosystem,
//! so matching reports them as not matched, with their count.

use std::sync::OnceLock;

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::license::{normalize, push_unique};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A `CONTENTS` or `LICENSE` larger than this is not read; real `CONTENTS`
/// are at most a few MiB (the largest packages' file lists).
pub const PORTAGE_DB_LIMIT: u64 = 32 * 1024 * 1024;

/// Files of one package beyond this are left out (a cap on what a hostile
/// list can cost).
const MAX_FILES: usize = 1 << 20;

/// One installed package: its `CONTENTS` as one layer stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortageContents {
    /// `<category>/<name>`, from the directory; empty when the directory
    /// names no package (see `warnings`).
    pub name: String,
    pub version: String,
    /// The `obj` paths (image paths without a leading `/`), sorted.
    pub files: Vec<String>,
    pub warnings: Warnings,
}

/// What [`PortageCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortageLayerFacts {
    pub contents: Vec<(String, PortageContents)>,
    /// `LICENSE` files: the licence words, in order, once each.
    pub licenses: Vec<(String, Vec<String>)>,
}

/// Installed portage packages: an [`Analyzer`] for the engine's pass.
pub struct PortageCataloger;

pub struct PortageVisitor(PortageLayerFacts);

/// Which of a package directory's files `path` is, if it is `CONTENTS` or
/// `LICENSE` of a `var/db/pkg/<category>/<package>/` directory.
fn db_file(path: &str) -> Option<&'static str> {
    let (dir, name) = path.rsplit_once('/')?;
    let kind = match name {
        "CONTENTS" => "CONTENTS",
        "LICENSE" => "LICENSE",
        _ => return None,
    };
    let mut up = dir.rsplitn(3, '/');
    let (_package, _category, rest) = (up.next()?, up.next()?, up.next()?);
    let db = rest == "var/db/pkg" || rest.ends_with("/var/db/pkg");
    db.then_some(kind)
}

impl Analyzer for PortageCataloger {
    type Facts = PortageLayerFacts;
    type Visitor = PortageVisitor;
    const NAME: &'static str = "sbom-portage";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (db_file(entry.path).is_some() && entry.size <= PORTAGE_DB_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> PortageVisitor {
        PortageVisitor(PortageLayerFacts::default())
    }
}

impl LayerVisitor for PortageVisitor {
    type Facts = PortageLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        let Some(kind) = db_file(entry.path) else {
            return;
        };
        let too_big = entry.size > PORTAGE_DB_LIMIT;
        let content = content.unwrap_or(&[]);
        let path = entry.path.to_string();
        // A path stored twice in one tar: the later entry wins.
        if kind == "CONTENTS" {
            let mut parsed = parse_contents(&path, if too_big { b"" } else { content });
            if too_big {
                parsed.warnings.push(format!(
                    "{} bytes, larger than {PORTAGE_DB_LIMIT}: the package's files not read",
                    entry.size
                ));
            }
            self.0.contents.retain(|(p, _)| *p != path);
            self.0.contents.push((path, parsed));
        } else if !too_big {
            self.0.licenses.retain(|(p, _)| *p != path);
            self.0.licenses.push((path, parse_license(content)));
        }
    }

    fn finish(self) -> PortageLayerFacts {
        self.0
    }
}

/// `(<category>/<name>, <version>)` of the package whose `CONTENTS` is at
/// `path`, split as syft splits it; None when the directory's name holds
/// no Gentoo version.
pub fn package_of(path: &str) -> Option<(String, String)> {
    static CPV: OnceLock<Regex> = OnceLock::new();
    // Gentoo's package-version syntax (PMS 3.2), as syft 1.18.1 reads it;
    // ASCII classes as Go's `\w` and `\d`.
    let re = CPV.get_or_init(|| {
        Regex::new(
            r"/([^/]*/[0-9A-Za-z_+][0-9A-Za-z_+-]*)-(([0-9]+)((\.[0-9]+)*)([a-z]?)((_(pre|p|beta|alpha|rc)[0-9]*)*)(-r[0-9]+)?)/CONTENTS$",
        )
        .expect("a valid pattern")
    });
    let rooted = format!("/{}", path.trim_start_matches('/'));
    let c = re.captures(&rooted)?;
    let (name, version) = (c.get(1)?.as_str(), c.get(2)?.as_str());
    (!name.is_empty() && !version.is_empty()).then(|| (name.to_string(), version.to_string()))
}

/// Reads the `CONTENTS` at `path`: the package from the path, its files
/// from the `obj` lines.
pub fn parse_contents(path: &str, content: &[u8]) -> PortageContents {
    let mut out = PortageContents::default();
    match package_of(path) {
        Some((name, version)) => {
            out.name = name;
            out.version = version;
        }
        None => {
            out.warnings.push(
                "the directory's name holds no Gentoo package version: not a package, skipped"
                    .to_string(),
            );
            return out;
        }
    }
    let text = String::from_utf8_lossy(content);
    let mut bad = 0usize;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("obj ") else {
            continue;
        };
        // `<path> <md5> <mtime>`: the path may hold spaces.
        let mut fields = rest.rsplitn(3, ' ');
        let (_mtime, _md5, file) = (fields.next(), fields.next(), fields.next());
        let Some(file) = file.map(|f| f.trim_start_matches('/')) else {
            bad += 1;
            continue;
        };
        if file.is_empty() || file.split('/').any(|c| c == "..") {
            bad += 1;
            continue;
        }
        if out.files.len() < MAX_FILES {
            out.files.push(file.to_string());
        }
    }
    if bad > 0 {
        out.warnings.push(format!(
            "{bad} `obj` line(s) without a path, digest and time: skipped"
        ));
    }
    out.files.sort();
    out.files.dedup();
    out
}

/// The licence words of a portage `LICENSE` (an ebuild's `LICENSE`
/// expression): every word but `||`, `(`, `)` and USE conditionals
/// (`ssl?`), in order, once each.
pub fn parse_license(content: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(content);
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if matches!(word, "||" | "(" | ")") || word.ends_with('?') {
            continue;
        }
        if !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

/// `pkg:ebuild/<category>/<name>@<version>`, as syft writes it.
pub fn portage_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((category, pn)) => purl("ebuild", Some(category), pn, version, &[]),
        None => purl("ebuild", None, name, version, &[]),
    }
}

/// The installed portage packages of the final image, added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[PortageLayerFacts],
    inventory: &mut Inventory,
) {
    for (layer, path, c) in ctx.visible_in(facts, |f| &f.contents) {
        inventory
            .warnings
            .extend_from(&c.warnings, |w| format!("layer {layer}: {path}: {w}"));
        if c.name.is_empty() {
            continue;
        }
        let mut pkg = Package::new(
            PackageType::Portage,
            &c.name,
            &c.version,
            portage_purl(&c.name, &c.version),
            path,
            layer,
        );
        pkg.files = c.files.clone();
        // The `LICENSE` beside it, as the final image has it.
        let license_path = format!("{}/LICENSE", path.rsplit_once('/').map_or("", |(d, _)| d));
        if let Some(l) = ctx.final_layer(&license_path) {
            let found = facts
                .get(l)
                .and_then(|f| f.licenses.iter().find(|(p, _)| *p == license_path));
            for word in found.map(|(_, w)| w.as_slice()).unwrap_or_default() {
                if let Some(l) = normalize(word) {
                    push_unique(&mut pkg.licenses, l);
                }
            }
        }
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKOPEO: &str = "var/db/pkg/app-containers/skopeo-1.5.1/CONTENTS";

    #[test]
    fn syft_fixture() {
        // syft's fixture (see tests/data/portage/PROVENANCE.md).
        let c = parse_contents(
            SKOPEO,
            include_bytes!("../tests/data/portage/var/db/pkg/app-containers/skopeo-1.5.1/CONTENTS"),
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(
            (c.name.as_str(), c.version.as_str()),
            ("app-containers/skopeo", "1.5.1")
        );
        assert_eq!(
            c.files,
            [
                "etc/containers/policy.json",
                "etc/containers/registries.d/default.yaml",
                "usr/bin/skopeo",
                "var/lib/atomic/sigstore/.keep_app-containers_skopeo-0",
            ]
        );
        assert_eq!(
            portage_purl(&c.name, &c.version),
            "pkg:ebuild/app-containers/skopeo@1.5.1"
        );
        let l = parse_license(include_bytes!(
            "../tests/data/portage/var/db/pkg/app-containers/skopeo-1.5.1/LICENSE"
        ));
        assert_eq!(
            l,
            ["Apache-2.0", "BSD", "BSD-2", "CC-BY-SA-4.0", "ISC", "MIT"]
        );
    }

    #[test]
    fn names_and_versions_split_as_syft_splits_them() {
        for (path, want) in [
            (SKOPEO, Some(("app-containers/skopeo", "1.5.1"))),
            (
                "var/db/pkg/sys-libs/glibc-2.38-r10/CONTENTS",
                Some(("sys-libs/glibc", "2.38-r10")),
            ),
            (
                "var/db/pkg/dev-lang/python-3.12.3_p1/CONTENTS",
                Some(("dev-lang/python", "3.12.3_p1")),
            ),
            (
                "var/db/pkg/app-arch/xz-utils-5.4.0_beta2_rc1-r1/CONTENTS",
                Some(("app-arch/xz-utils", "5.4.0_beta2_rc1-r1")),
            ),
            (
                "var/db/pkg/media-libs/libjpeg-turbo-3.0.0a/CONTENTS",
                Some(("media-libs/libjpeg-turbo", "3.0.0a")),
            ),
            // The rightmost split: `gtk+-3` is no name with `-3…` in it.
            (
                "var/db/pkg/x11-libs/gtk+-3.24.41/CONTENTS",
                Some(("x11-libs/gtk+", "3.24.41")),
            ),
            (
                "srv/root/var/db/pkg/dev-libs/foo-2-1.0/CONTENTS",
                Some(("dev-libs/foo-2", "1.0")),
            ),
            // syft's glob fixture: `x/y` has no version.
            ("var/db/pkg/x/y/CONTENTS", None),
            ("var/db/pkg/virtual/libc-/CONTENTS", None),
        ] {
            assert_eq!(
                package_of(path),
                want.map(|(n, v)| (n.to_string(), v.to_string())),
                "{path}"
            );
        }
        let c = parse_contents("var/db/pkg/x/y/CONTENTS", b"obj /a d41d8 1\n");
        assert!(c.name.is_empty() && c.files.is_empty());
        assert!(c.warnings[0].contains("no Gentoo package version"));
    }

    #[test]
    fn contents_lines() {
        let c = parse_contents(
            SKOPEO,
            b"dir /usr\nobj /usr/share/doc/a b/read me.txt 0123 1649284374\n\
              sym /usr/lib/libx.so -> libx.so.1 1649284374\nobj /short\nobj /../etc/shadow 1 2\n\
              obj /usr/bin/x 0123 1\n",
        );
        assert_eq!(c.files, ["usr/bin/x", "usr/share/doc/a b/read me.txt"]);
        assert!(
            c.warnings[0].starts_with("2 `obj` line(s)"),
            "{:?}",
            c.warnings
        );
        assert_eq!(
            parse_license(b"|| ( MIT Apache-2.0 ) ssl? ( openssl ) MIT\n"),
            ["MIT", "Apache-2.0", "openssl"]
        );
    }

    #[test]
    fn database_paths() {
        assert_eq!(db_file(SKOPEO), Some("CONTENTS"));
        assert_eq!(
            db_file("x/var/db/pkg/app-containers/skopeo-1.5.1/LICENSE"),
            Some("LICENSE")
        );
        assert_eq!(db_file("var/db/pkg/app-containers/skopeo-1.5.1/SIZE"), None);
        assert_eq!(db_file("var/db/pkg/app-containers/CONTENTS"), None);
        assert_eq!(db_file("xvar/db/pkg/a/b-1/CONTENTS"), None);
        assert_eq!(db_file("var/db/pkg/a/b-1/c/CONTENTS"), None);
    }
}
