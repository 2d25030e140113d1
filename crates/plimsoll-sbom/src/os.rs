//! The distribution and release of the image: os-release(5) first, then the
//! distributions' own release files for images that lack it (old Alpine,
//! CentOS 6, Debian before 7). Vulnerability matching needs "debian 12".
//!
//! Red Hat's container images also say which repositories (content sets)
//! their packages came from: `root/buildinfo/content_manifests/*.json`
//! (OSBS builds) and `usr/share/buildinfo/content-sets.json` (Konflux
//! builds) hold `{"content_sets": ["rhel-9-for-x86_64-baseos-rpms", …]}`,
//! which tell the matcher the image's product streams (EUS among them).

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
const CONTENT_MANIFEST_DIR: &str = "root/buildinfo/content_manifests/";
const CONTENT_SETS_FILE: &str = "usr/share/buildinfo/content-sets.json";
const CONTENT_MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;

/// A Red Hat content manifest (see the module docs).
fn is_content_manifest(path: &str) -> bool {
    path == CONTENT_SETS_FILE
        || path
            .strip_prefix(CONTENT_MANIFEST_DIR)
            .is_some_and(|name| name.ends_with(".json") && !name.contains('/'))
}

fn wanted(path: &str) -> bool {
    RELEASE_FILES.contains(&path) || is_content_manifest(path)
}

/// The release files and content manifests one layer stores: (path, raw
/// text).
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
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        if RELEASE_FILES.contains(&entry.path) {
            Some(entry.size.min(RELEASE_FILE_LIMIT))
        } else {
            is_content_manifest(entry.path).then(|| entry.size.min(CONTENT_MANIFEST_LIMIT))
        }
    }

    fn visitor(&self) -> OsReleaseVisitor {
        OsReleaseVisitor(OsReleaseFacts::default())
    }
}

impl LayerVisitor for OsReleaseVisitor {
    type Facts = OsReleaseFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !wanted(entry.path) {
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

/// The content sets the final image's Red Hat content manifests name,
/// sorted and without duplicates (see the module docs); a manifest that is
/// not such JSON is skipped.
pub fn content_sets(ctx: &MergeContext<'_>, facts: &[OsReleaseFacts]) -> Vec<String> {
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(default)]
        content_sets: Vec<String>,
    }
    let mut sets = Vec::new();
    for (layer, f) in facts.iter().enumerate() {
        for (path, text) in f.files.iter().filter(|(p, _)| is_content_manifest(p)) {
            // Only the version the final image shows.
            let current = matches!(
                ctx.tree.resolve(path),
                Ok(Some((p, node))) if p == *path && node.kind == EntryKind::File && node.layer() == layer
            );
            if !current {
                continue;
            }
            if let Ok(m) = serde_json::from_slice::<Manifest>(text) {
                sets.extend(m.content_sets);
            }
        }
    }
    sets.sort();
    sets.dedup();
    sets
}
