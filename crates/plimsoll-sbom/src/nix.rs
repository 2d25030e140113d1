//! The Nix store cataloger: every store path `nix/store/<hash>-<name>-<version>[-<output>]`
//! of the image is a package, its files the files below it.
//!
//! As syft 1.18.1 (`nix-store-cataloger`): a path matching
//! `**/nix/store/*` is a package when its name holds a version: the
//! leftmost `-<digit>…` that reads as a version (dot-separated
//! alphanumeric parts, an optional `-` prerelease and `+` build metadata),
//! or a trailing `-unstable-YYYY-MM-DD`; the part before it, without the
//! hash (the text up to the first `-`), is the name. When the last
//! dash-separated part of the prerelease has no digit it names the store
//! path's output (`-bin`, `-dev`, `-man`) and is not part of the version.
//! `.drv` files (derivations) are no package. The type is `nix`, the purl
//! `pkg:nix/<name>@<version>?output=<output>&outputhash=<hash>`.
//!
//! Nothing is read from the files: the store paths of the final image's
//! file tree (which the engine's pass builds for every scan) are the
//! evidence, so this cataloger has no analyser of its own. A store path
//! counts from the layer its directory comes from (for a store path
//! without a directory entry, the earliest layer of its files). Its files
//! are the regular files and symlinks below it.
//!
//! OSV has no Nix ecosystem: matching reports nix packages as not
//! matched, with their count.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use plimsoll_engine::EntryKind;
use regex::Regex;

use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A store path's parts, as read from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixStorePath {
    pub hash: String,
    pub name: String,
    pub version: String,
    /// `bin`, `dev`, `man`…; empty for the default output.
    pub output: String,
}

/// The store path (`…/nix/store/<base>`) `path` is or is below, if any.
pub fn store_path_of(path: &str) -> Option<&str> {
    const STORE: &str = "nix/store/";
    let at = path
        .match_indices(STORE)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || path.as_bytes()[i - 1] == b'/')?;
    let start = at + STORE.len();
    let end = path[start..].find('/').map_or(path.len(), |e| start + e);
    (end > start).then(|| &path[..end])
}

/// Reads a store path's base name (`h0cnbm…-glibc-2.34-210-bin`) as syft
/// 1.18.1 does; None when it names no package.
pub fn parse_store_path(path: &str) -> Option<NixStorePath> {
    if path.ends_with(".drv") {
        return None;
    }
    let base = path.trim_end_matches('/').rsplit('/').next()?;
    static UNSTABLE: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    let unstable = UNSTABLE.get_or_init(|| {
        Regex::new(r"-(?P<version>unstable-[0-9]{4}-[0-9]{2}-[0-9]{2})$").expect("a valid pattern")
    });
    let version_re = VERSION.get_or_init(|| {
        Regex::new(
            r"-(?P<version>(?P<major>[0-9][a-zA-Z0-9]*)(\.(?P<minor>[0-9][a-zA-Z0-9]*))?(\.(?P<patch>0|[1-9][a-zA-Z0-9]*)){0,3}(?:-(?P<prerelease>[0-9]*[.a-zA-Z-][.0-9a-zA-Z-]*)*)?(?:\+(?P<metadata>[.0-9a-zA-Z-]+(?:\.[.0-9a-zA-Z-]+)*))?)",
        )
        .expect("a valid pattern")
    });
    let (start, version_ish, prerelease) = if let Some(c) = unstable.captures(base) {
        let v = c.name("version")?;
        (v.start(), v.as_str(), "")
    } else {
        let c = version_re.captures(base)?;
        let v = c.name("version")?;
        (
            v.start(),
            v.as_str(),
            c.name("prerelease").map_or("", |p| p.as_str()),
        )
    };
    let hash_name = base[..start].trim_end_matches('-');
    let (hash, name) = hash_name.split_once('-')?;
    let last = prerelease.rsplit('-').next().unwrap_or("");
    let (version, output) = if last.bytes().any(|b| b.is_ascii_digit()) {
        (version_ish, "")
    } else {
        (
            version_ish
                .strip_suffix(&format!("-{last}"))
                .unwrap_or(version_ish),
            last,
        )
    };
    (!name.is_empty() && !version.is_empty()).then(|| NixStorePath {
        hash: hash.to_string(),
        name: name.to_string(),
        version: version.to_string(),
        output: output.to_string(),
    })
}

/// `pkg:nix/<name>@<version>?output=…&outputhash=…`, as syft writes it.
pub fn nix_purl(p: &NixStorePath) -> String {
    purl(
        "nix",
        None,
        &p.name,
        &p.version,
        &[("output", &p.output), ("outputhash", &p.hash)],
    )
}

/// The store paths of the final image, added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, inventory: &mut Inventory) {
    // store path -> (layer, files)
    let mut found: BTreeMap<&str, (Option<usize>, Vec<String>)> = BTreeMap::new();
    for (path, node) in ctx.tree.files.iter() {
        let Some(store) = store_path_of(path) else {
            continue;
        };
        let entry = found.entry(store).or_insert((None, Vec::new()));
        if path == store {
            entry.0 = Some(node.layer());
        } else if matches!(node.kind, EntryKind::File | EntryKind::Symlink) {
            entry.0 = Some(entry.0.map_or(node.layer(), |l| l.min(node.layer())));
            entry.1.push(path.to_string());
        }
    }
    for (store, (layer, mut files)) in found {
        let Some(p) = parse_store_path(store) else {
            continue;
        };
        let layer = ctx
            .tree
            .files
            .get(store)
            .map(|n| n.layer())
            .or(layer)
            .unwrap_or(0);
        let mut pkg = Package::new(
            PackageType::Nix,
            &p.name,
            &p.version,
            nix_purl(&p),
            store,
            layer,
        );
        files.sort();
        pkg.files = files;
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(base: &str) -> Option<(String, String, String, String)> {
        parse_store_path(&format!("nix/store/{base}"))
            .map(|p| (p.hash, p.name, p.version, p.output))
    }

    fn some(h: &str, n: &str, v: &str, o: &str) -> Option<(String, String, String, String)> {
        Some((h.into(), n.into(), v.into(), o.into()))
    }

    #[test]
    fn store_paths_as_syft_reads_them() {
        // The cases of syft 1.18.1's parse_nix_store_path_test.go (real
        // store path names), with syft's answers.
        for (base, want) in [
            (
                "h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin",
                some(
                    "h0cnbmfcn93xm5dg2x27ixhag1cwndga",
                    "glibc",
                    "2.34-210",
                    "bin",
                ),
            ),
            (
                "0296qxvn30z9b2ah1g5p97k5wr9k8y78-busybox-static-x86_64-unknown-linux-musl-1.35.0",
                some(
                    "0296qxvn30z9b2ah1g5p97k5wr9k8y78",
                    "busybox-static-x86_64-unknown-linux-musl",
                    "1.35.0",
                    "",
                ),
            ),
            (
                "5zzrvdmlkc5rh3k5862krd3wfb3pqhyf-perl5.34.1-TimeDate-2.33",
                some(
                    "5zzrvdmlkc5rh3k5862krd3wfb3pqhyf",
                    "perl5.34.1-TimeDate",
                    "2.33",
                    "",
                ),
            ),
            (
                "q38q8ng57zwjg1h15ry5zx0lb0xyax4b-libcap-2.63-lib",
                some("q38q8ng57zwjg1h15ry5zx0lb0xyax4b", "libcap", "2.63", "lib"),
            ),
            (
                "p0y8fbpbqr2jm5zfrdll0rgyg2lvp5g2-util-linux-minimal-2.37.4-bin",
                some(
                    "p0y8fbpbqr2jm5zfrdll0rgyg2lvp5g2",
                    "util-linux-minimal",
                    "2.37.4",
                    "bin",
                ),
            ),
            (
                "z24qs6f5d1mmwdp73n1jfc3swj4v2c5s-krb5-1.19.3.9.10",
                some(
                    "z24qs6f5d1mmwdp73n1jfc3swj4v2c5s",
                    "krb5",
                    "1.19.3.9.10",
                    "",
                ),
            ),
            (
                "zkgyp2vra0bgqm0dv1qi514l5fd0aksx-bash-interactive-5.1-p16-man",
                some(
                    "zkgyp2vra0bgqm0dv1qi514l5fd0aksx",
                    "bash-interactive",
                    "5.1-p16",
                    "man",
                ),
            ),
            (
                "nwf2y0nc48ybim56308cr5ccvwkabcqc-openssl-1.1.1q",
                some("nwf2y0nc48ybim56308cr5ccvwkabcqc", "openssl", "1.1.1q", ""),
            ),
            (
                "nwv742f1bxv6g78hy9yc6slxdbxlmqhb-kmod-29",
                some("nwv742f1bxv6g78hy9yc6slxdbxlmqhb", "kmod", "29", ""),
            ),
            (
                "n83qx7m848kg51lcjchwbkmlgdaxfckf-tzdata-2022a",
                some("n83qx7m848kg51lcjchwbkmlgdaxfckf", "tzdata", "2022a", ""),
            ),
            (
                "q5dhwzcn82by5ndc7g0q83wsnn13qkqw-webdav-server-rs-unstable-2021-08-16",
                some(
                    "q5dhwzcn82by5ndc7g0q83wsnn13qkqw",
                    "webdav-server-rs",
                    "unstable-2021-08-16",
                    "",
                ),
            ),
            // No version, a patch, derivations: no package.
            (
                "yzahni8aig6mdrvcsccgwm2515lcpi5q-git-minimal-2.36.0.drv",
                None,
            ),
            (
                "z9yvxs0s3xdkp5jgmzis4g50bfq3dgvm-0018-pkg-config-derive-prefix-from-prefix.patch",
                None,
            ),
            ("w3hl7zrmc9qvzadc0k7cp9ysxiyz88j6-base-system", None),
            (
                "zz1lc28x25fcx6al6xwk3dk8kp7wx47y-Test-RequiresInternet-0.05.tar.gz.drv",
                None,
            ),
        ] {
            assert_eq!(parsed(base), want, "{base}");
        }
    }

    #[test]
    fn syft_fixture_and_purl() {
        // syft's fixture-1: the store path glibc-2.34-210-bin.
        let p = parse_store_path("nix/store/h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin")
            .unwrap();
        assert_eq!(
            nix_purl(&p),
            "pkg:nix/glibc@2.34-210?output=bin&outputhash=h0cnbmfcn93xm5dg2x27ixhag1cwndga"
        );
        let mut no_output = p.clone();
        no_output.output.clear();
        assert_eq!(
            nix_purl(&no_output),
            "pkg:nix/glibc@2.34-210?outputhash=h0cnbmfcn93xm5dg2x27ixhag1cwndga"
        );
    }

    #[test]
    fn store_path_of_a_file() {
        assert_eq!(
            store_path_of("nix/store/abc-glibc-2.34/lib/libc.so.6"),
            Some("nix/store/abc-glibc-2.34")
        );
        assert_eq!(
            store_path_of("chroot/nix/store/abc-x-1"),
            Some("chroot/nix/store/abc-x-1")
        );
        assert_eq!(store_path_of("nix/store/"), None);
        assert_eq!(store_path_of("nix/store"), None);
        assert_eq!(store_path_of("unix/store/abc-x-1"), None);
    }
}
