//! The distribution and release of the image: os-release(5) first, then the
//! distributions' own release files for images that lack it (old Alpine,
//! CentOS 6, Debian before 7). Vulnerability matching needs "debian 12".

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::MergeContext;
use crate::purl::Distro;

/// In the order they are consulted: the first present in the final image wins.
pub const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/system-release",
    "etc/debian_version",
];
const RELEASE_FILE_LIMIT: u64 = 64 * 1024;

/// The release files one layer stores: (path, raw text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsReleaseFacts {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads the release files on the engine's pass.
pub struct OsReleaseCataloger;

pub struct OsReleaseVisitor(OsReleaseFacts);

impl Analyzer for OsReleaseCataloger {
    type Facts = OsReleaseFacts;
    type Visitor = OsReleaseVisitor;
    const NAME: &'static str = "sbom-os-release";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        RELEASE_FILES
            .contains(&entry.path)
            .then(|| entry.size.min(RELEASE_FILE_LIMIT))
    }

    fn visitor(&self) -> OsReleaseVisitor {
        OsReleaseVisitor(OsReleaseFacts::default())
    }
}

impl LayerVisitor for OsReleaseVisitor {
    type Facts = OsReleaseFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !RELEASE_FILES.contains(&entry.path) {
            return;
        }
        self.0.files.retain(|(p, _)| p != entry.path);
        self.0
            .files
            .push((entry.path.to_string(), content.unwrap_or(&[]).to_vec()));
    }

    fn finish(self) -> OsReleaseFacts {
        self.0
    }
}

/// The distribution of the final image, from the first release file it has.
/// Symlinks are followed (`etc/os-release` is a link to
/// `../usr/lib/os-release` on most distributions).
pub fn distro(ctx: &MergeContext<'_>, facts: &[OsReleaseFacts]) -> Option<Distro> {
    for &path in RELEASE_FILES {
        let resolved = match ctx.tree.resolve(path) {
            Ok(Some((p, node))) if node.kind == EntryKind::File => (p, node.layer()),
            _ => continue,
        };
        let (real, layer) = resolved;
        let Some((_, text)) = facts
            .get(layer)
            .and_then(|f| f.files.iter().find(|(p, _)| *p == real))
        else {
            continue; // a link to a file no cataloger read
        };
        return Some(match path {
            "etc/os-release" | "usr/lib/os-release" => Distro::parse_os_release(text),
            _ => Distro::from_release_file(path, text),
        });
    }
    None
}
