//! Matching installed packages against advisories.
//!
//! OS packages are matched only against their own distribution release's
//! data, by the key that data uses; the image's os-release decides which
//! ([`ImageFacts`] adds what only the whole image tells): the table of
//! distributions and the reasons for each choice are in
//! [`os_ecosystems`](crate::os_ecosystems).
//!
//! Any other distribution (Fedora, Oracle Linux, Amazon Linux, Azure Linux:
//! no data or no clear key) is [`NoTarget::UnknownDistro`], reported with the
//! number of packages not matched. Language packages are matched by their
//! purl ecosystem (PyPI with normalised names, npm, Go modules and `stdlib`,
//! crates.io, Maven `group:artifact`).
//!
//! A version is affected when an explicit `versions` entry equals it, or
//! when a range's events, sorted by version, leave it inside
//! ([OSV's evaluation](https://ossf.github.io/osv-schema/#evaluation)):
//! `introduced` opens, `fixed` and `limit` close at the version itself,
//! `last_affected` closes after it. When a version (installed or in the
//! record) cannot be parsed, the answer is [`Verdict::Unknown`], never
//! "not affected".

use std::cmp::Ordering;

use plimsoll_sbom::{Distro, Package, PackageType};

use crate::os_ecosystems::{os_target, strip_epoch};
use crate::osv::{Advisory, Affected, Event, RangeKind};
use crate::version::{Ecosystem, compare};

/// Which OSV ecosystem strings hold a package's advisories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcosystemKey {
    /// Exactly this string (`PyPI`, `Debian:12`).
    Exact(String),
    /// This string, or it followed by `:` and more (`Ubuntu:22.04` also
    /// covers `Ubuntu:22.04:LTS`; `Red Hat:enterprise_linux:9` every stream
    /// of RHEL 9, `Red Hat:enterprise_linux:9::baseos`, `…::appstream`).
    Release(String),
    /// Any of several keys (a SUSE image's product and the modules its
    /// packages come from), looked up under their common stem; build it
    /// with [`EcosystemKey::any_of`].
    AnyOf {
        stem: String,
        keys: Vec<EcosystemKey>,
    },
}

impl EcosystemKey {
    pub fn matches(&self, ecosystem: &str) -> bool {
        match self {
            EcosystemKey::Exact(e) => ecosystem == e,
            EcosystemKey::Release(e) => ecosystem
                .strip_prefix(e.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(':')),
            EcosystemKey::AnyOf { keys, .. } => keys.iter().any(|k| k.matches(ecosystem)),
        }
    }

    /// The ecosystem string's stem, for a database lookup by prefix.
    pub fn stem(&self) -> &str {
        match self {
            EcosystemKey::Exact(e) | EcosystemKey::Release(e) => e,
            EcosystemKey::AnyOf { stem, .. } => stem,
        }
    }

    /// Any of `keys`; the stem is the longest `:`-bounded prefix their stems
    /// share (`SUSE` for `SUSE:Linux Enterprise Server 15 SP5` and
    /// `SUSE:Linux Enterprise Module for Basesystem 15 SP5`), which the
    /// database's prefix lookup accepts.
    pub fn any_of(keys: Vec<EcosystemKey>) -> EcosystemKey {
        let mut parts: Option<Vec<&str>> = None;
        for k in &keys {
            let these: Vec<&str> = k.stem().split(':').collect();
            parts = Some(match parts {
                None => these,
                Some(p) => p
                    .iter()
                    .zip(&these)
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| *a)
                    .collect(),
            });
        }
        let mut parts = parts.unwrap_or_default();
        // `Red Hat:rhel_eus:9.2::baseos` and `…::appstream` share
        // `Red Hat:rhel_eus:9.2`, not `…:9.2:`.
        while parts.last() == Some(&"") {
            parts.pop();
        }
        let stem = parts.join(":");
        EcosystemKey::AnyOf { stem, keys }
    }
}

/// How to look a package up: where, under which name, at which version, and
/// how that ecosystem orders versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub ecosystem: EcosystemKey,
    pub name: String,
    pub version: String,
    pub ordering: Ecosystem,
    /// The feed of a vendor that rebuilds the package with its own fixes
    /// (Root.io), or of updates that supersede the release's own (Ubuntu
    /// Pro's ESM): its "not affected" answer for a vulnerability outweighs
    /// the upstream data's "affected", since that build carries the patch
    /// that the upstream data does not know of.
    pub vendor_fork: bool,
    /// The data writes versions as its source rpm file names do, without
    /// an epoch (SUSE, openSUSE, Photon OS, Mageia, openEuler): against a
    /// record version without one, the installed epoch is left out (see
    /// [`Target::version_for`]).
    pub epochless_data: bool,
}

impl Target {
    /// The installed version to compare with `affected`'s: as it is, except
    /// for [`Target::epochless_data`] against an entry none of whose
    /// versions has an epoch, where the installed epoch is dropped (rpm
    /// would take the missing one for 0, and an epoch-1 package would never
    /// be older than any fix).
    pub fn version_for(&self, affected: &Affected) -> &str {
        if !self.epochless_data {
            return &self.version;
        }
        let has_epoch = |v: &str| strip_epoch(v).len() != v.len();
        let epochs = affected.versions.iter().any(|v| has_epoch(v))
            || affected
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .any(|e| match e {
                    Event::Introduced(v)
                    | Event::Fixed(v)
                    | Event::LastAffected(v)
                    | Event::Limit(v) => has_epoch(v),
                });
        if epochs {
            &self.version
        } else {
            strip_epoch(&self.version)
        }
    }
}

/// Why a package cannot be matched at all (said once per kind in the report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoTarget {
    #[error("no distribution release known (os-release missing): {0} packages not matched")]
    NoRelease(PackageType),
    #[error("no advisory data for distribution '{0}'")]
    UnknownDistro(String),
    /// Packages of an ecosystem without advisory data here (conda) or
    /// without a version ordering for it (Packagist).
    #[error("no advisory matching for {0} packages")]
    Unsupported(PackageType),
    // -- conan (issue 18) --
    /// A package from outside the one registry the ecosystem's advisories
    /// cover: a Conan reference with a user (and channel) is not
    /// ConanCenter's.
    #[error("{0} packages not from {1}: not matched")]
    OtherRegistry(PackageType, &'static str),
}

/// Where a package's advisories are (the first of [`targets`]), or why
/// there are none to look at.
pub fn target(pkg: &Package, distro: Option<&Distro>) -> Result<Target, NoTarget> {
    let mut all = targets(pkg, distro)?;
    Ok(all.remove(0))
}

/// Every place a package's advisories are, for an image of which nothing
/// but its os-release is known; see [`targets_in`].
pub fn targets(pkg: &Package, distro: Option<&Distro>) -> Result<Vec<Target>, NoTarget> {
    targets_in(pkg, distro, &ImageFacts::default())
}

/// What the image as a whole says, beyond its os-release, about where its
/// packages' advisories are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageFacts {
    /// An Ubuntu image with Ubuntu Pro (ESM) updates installed: a package
    /// whose version carries `+esm` (`1.1.1-1ubuntu2.1~18.04.23+esm3`).
    /// Only Pro's `esm-infra`/`esm-apps` archives publish such versions, so
    /// one of them says the image takes Pro's fixes; its packages are then
    /// matched against `Ubuntu:Pro:<release>` records too. An image whose
    /// Pro sources are configured but which installed nothing from them yet
    /// is not told apart (its packages are the release's own, which the
    /// release's records cover). FIPS lineages
    /// (`Ubuntu:Pro:FIPS-updates:…`) are never matched: their builds are
    /// only in FIPS images, whose versions say `fips`.
    pub ubuntu_pro: bool,
}

impl ImageFacts {
    /// The facts of an inventory.
    pub fn of(inventory: &plimsoll_sbom::Inventory) -> ImageFacts {
        let esm = |v: &str| v.contains("+esm");
        ImageFacts {
            ubuntu_pro: inventory
                .distro
                .as_ref()
                .is_some_and(|d| d.id.as_deref() == Some("ubuntu"))
                && inventory.packages.iter().any(|p| {
                    p.package_type == PackageType::Deb
                        && (esm(&p.version) || p.source_version.as_deref().is_some_and(esm))
                }),
        }
    }
}

/// Every place a package's advisories are: its ecosystem's data; for a
/// package rebuilt by Root.io, Root's own feed first; on an Ubuntu Pro image
/// ([`ImageFacts::ubuntu_pro`]), the Pro records before the release's (see
/// [`Target::vendor_fork`]).
pub fn targets_in(
    pkg: &Package,
    distro: Option<&Distro>,
    image: &ImageFacts,
) -> Result<Vec<Target>, NoTarget> {
    let upstream = upstream_target(pkg, distro)?;
    let mut all: Vec<Target> = root_target(pkg, distro, &upstream).into_iter().collect();
    if image.ubuntu_pro
        && pkg.package_type == PackageType::Deb
        && let Some(EcosystemKey::Release(release)) = Some(&upstream.ecosystem)
        && let Some(version) = release.strip_prefix("Ubuntu:")
    {
        all.push(Target {
            ecosystem: EcosystemKey::Release(format!("Ubuntu:Pro:{version}")),
            vendor_fork: true,
            ..upstream.clone()
        });
    }
    all.push(upstream);
    Ok(all)
}

/// Root.io marks the packages it rebuilds with a name prefix (`rootio-jq`,
/// `@rootio/semver`, `rootio_requests`, Maven group `io.root.…`) or, for
/// packages it ships under the upstream name, a version token
/// (`1.6-2.1.root.io.2`, `2.31.0+root.io.1`). Its OSV feed names them with
/// the prefix, under `Root:<Distro>:<release>`, `Root:PyPI`, `Root:npm`,
/// `Root:Maven`.
const ROOT_PREFIX: &str = "rootio-";

/// The upstream name of a Root.io package: its name without Root's prefix.
fn strip_root(pkg: &Package, name: &str) -> String {
    match pkg.package_type {
        PackageType::Npm => match name.strip_prefix("@rootio/") {
            // Root writes a scoped package `@scope/name` as `@rootio/scope__name`.
            Some(bare) => match bare.split_once("__") {
                Some((scope, rest)) if !scope.is_empty() => format!("@{scope}/{rest}"),
                _ => bare.to_string(),
            },
            None => name.strip_prefix(ROOT_PREFIX).unwrap_or(name).to_string(),
        },
        PackageType::Maven => match name.split_once(':') {
            Some((group, artifact)) => format!(
                "{}:{artifact}",
                group.strip_prefix("io.root.").unwrap_or(group)
            ),
            None => name.to_string(),
        },
        _ => name.strip_prefix(ROOT_PREFIX).unwrap_or(name).to_string(),
    }
}

fn root_target(pkg: &Package, distro: Option<&Distro>, upstream: &Target) -> Option<Target> {
    let by_version = |token: &str| upstream.version.contains(token);
    let (ecosystem, name) = match pkg.package_type {
        PackageType::Deb | PackageType::Apk => {
            let marked = pkg.name.starts_with(ROOT_PREFIX)
                || pkg
                    .source_name
                    .as_deref()
                    .is_some_and(|s| s.starts_with(ROOT_PREFIX))
                || (pkg.package_type == PackageType::Deb && by_version(".root.io."));
            let d = distro?;
            let release = d.version_id.as_deref()?;
            let major = release.split('.').next().unwrap_or(release);
            let distro = match (pkg.package_type, d.id.as_deref()?) {
                (PackageType::Deb, "debian") => format!("Debian:{major}"),
                (PackageType::Deb, "ubuntu") => format!("Ubuntu:{release}"),
                (PackageType::Apk, "alpine") => {
                    let minor: Vec<&str> = release.split('.').take(2).collect();
                    format!("Alpine:{}", minor.join("."))
                }
                _ => return None,
            };
            if !marked {
                return None;
            }
            (
                format!("Root:{distro}"),
                format!("{ROOT_PREFIX}{}", upstream.name),
            )
        }
        PackageType::Pypi => {
            let name = pep503(&pkg.name);
            if !name.starts_with(ROOT_PREFIX) && !by_version("+root.io.") {
                return None;
            }
            (
                "Root:PyPI".to_string(),
                format!("{ROOT_PREFIX}{}", upstream.name),
            )
        }
        PackageType::Npm => {
            if !pkg.name.starts_with("@rootio/") && !pkg.name.starts_with(ROOT_PREFIX) {
                return None;
            }
            ("Root:npm".to_string(), pkg.name.clone())
        }
        PackageType::Maven => {
            let name = maven_name(pkg);
            if !name.starts_with("io.root.") {
                return None;
            }
            ("Root:Maven".to_string(), name)
        }
        PackageType::Rpm
        | PackageType::Golang
        | PackageType::Cargo
        | PackageType::Gem
        | PackageType::Composer
        | PackageType::Conda
        | PackageType::Nuget
        | PackageType::Github => return None,
        // Arch, kernel and Bitnami catalogers (issue 18).
        PackageType::Alpm
        | PackageType::LinuxKernel
        | PackageType::LinuxKernelModule
        | PackageType::Bitnami
        | PackageType::Binary => return None,
        // -- hackcran (issue 18) --
        PackageType::Hackage | PackageType::RPackage => return None,
        // -- hexpub (issue 18) --
        PackageType::Hex
        | PackageType::DartPub
        | PackageType::ErlangOtp
        | PackageType::Swift
        | PackageType::Cocoapods => return None,
        // -- portnix (issue 18) --
        PackageType::Portage
        | PackageType::Nix
        | PackageType::LuaRocks
        | PackageType::SwiplPack
        | PackageType::WordpressPlugin => return None,
        // -- conan (issue 18) --
        PackageType::Conan => return None,
        // -- opam (issue 18) --
        PackageType::Opam => return None,
    };
    Some(Target {
        ecosystem: EcosystemKey::Exact(ecosystem),
        name,
        vendor_fork: true,
        ..upstream.clone()
    })
}

/// Go's own version string (`go1.24.1`, `go1.21rc2`, `go1.20`) as the
/// SemVer that OSV's `stdlib` records use (`1.24.1`, `1.21.0-rc.2`,
/// `1.20.0`); anything else as it is.
pub fn go_toolchain_semver(version: &str) -> String {
    let Some(v) = version.strip_prefix("go") else {
        return version.to_string();
    };
    // A pre-release is written right after the number: go1.21rc2, go1.19beta1.
    let (number, pre) = match v.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => (&v[..at], Some(&v[at..])),
        None => (v, None),
    };
    if number.is_empty()
        || !number
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return version.to_string();
    }
    let mut parts: Vec<&str> = number.split('.').collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = parts.join(".");
    if let Some(pre) = pre {
        let digits = pre.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let word = &pre[..pre.len() - digits.len()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return version.to_string();
        }
        out = format!("{out}-{word}.{digits}");
    }
    out
}

/// A Bitnami component's version without the package revision Bitnami
/// appends (`17.2.0-8` is 17.2.0); a version with no numeric `-N` suffix
/// stays as it is.
pub fn bitnami_upstream_version(version: &str) -> &str {
    match version.rsplit_once('-') {
        Some((upstream, revision))
            if !upstream.is_empty()
                && !revision.is_empty()
                && revision.bytes().all(|b| b.is_ascii_digit()) =>
        {
            upstream
        }
        _ => version,
    }
}

/// The package's own ecosystem (Root.io's prefix taken off the name).
fn upstream_target(pkg: &Package, distro: Option<&Distro>) -> Result<Target, NoTarget> {
    let t = |ecosystem, name: &str, version: &str, ordering| Target {
        ecosystem,
        name: strip_root(pkg, name),
        version: version.to_string(),
        ordering,
        vendor_fork: false,
        epochless_data: false,
    };
    if pkg.package_type == PackageType::Alpm {
        // OSV has no Arch Linux ecosystem (Arch's own tracker is not
        // imported): every pacman package is unmatched, and said to be.
        let d = distro.and_then(|d| d.id.as_deref()).unwrap_or("arch");
        let release = distro
            .and_then(|d| d.version_id.as_deref().or(d.build_id.as_deref()))
            .unwrap_or("rolling");
        return Err(NoTarget::UnknownDistro(format!("{d} {release}")));
    }
    // -- portnix (issue 18) --
    if pkg.package_type == PackageType::Portage {
        // OSV has no Gentoo ecosystem (GLSAs are not imported): every
        // portage package is unmatched, and said to be.
        let d = distro.and_then(|d| d.id.as_deref()).unwrap_or("gentoo");
        return Err(NoTarget::UnknownDistro(
            match distro.and_then(|d| d.version_id.as_deref().or(d.build_id.as_deref())) {
                Some(release) => format!("{d} {release}"),
                None => d.to_string(),
            },
        ));
    }
    if pkg.package_type.is_os() {
        let d = distro.ok_or(NoTarget::NoRelease(pkg.package_type))?;
        return os_target(pkg, d).map(|(ecosystem, name, version, ordering)| Target {
            epochless_data: matches!(
                ecosystem.stem().split(':').next(),
                Some("SUSE" | "openSUSE" | "Photon OS" | "Mageia" | "openEuler" | "Azure Linux")
            ),
            ..t(ecosystem, &name, &version, ordering)
        });
    }
    Ok(match pkg.package_type {
        PackageType::Pypi => t(
            EcosystemKey::Exact("PyPI".into()),
            &pep503(&pkg.name),
            &pkg.version,
            Ecosystem::PyPI,
        ),
        PackageType::Npm => t(
            EcosystemKey::Exact("npm".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Npm,
        ),
        PackageType::Golang => t(
            EcosystemKey::Exact("Go".into()),
            &pkg.name,
            // The Go cataloger reports the toolchain as `stdlib` at `go1.24.1`.
            &if pkg.name == "stdlib" {
                go_toolchain_semver(&pkg.version)
            } else {
                pkg.version.clone()
            },
            Ecosystem::Go,
        ),
        PackageType::Cargo => t(
            EcosystemKey::Exact("crates.io".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::CratesIo,
        ),
        PackageType::Maven => t(
            EcosystemKey::Exact("Maven".into()),
            &maven_name(pkg),
            &pkg.version,
            Ecosystem::Maven,
        ),
        PackageType::Gem => t(
            EcosystemKey::Exact("RubyGems".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::RubyGems,
        ),
        PackageType::Nuget => t(
            EcosystemKey::Exact("NuGet".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::NuGet,
        ),
        PackageType::Github => t(
            EcosystemKey::Exact("GitHub Actions".into()),
            &github_repository(pkg),
            &pkg.version,
            Ecosystem::GitHubActions,
        ),
        // Binary: programs found by content have no OSV ecosystem (their
        // CPEs are in the SBOM for CPE-based matchers).
        // PHP packages under `Packagist`, and its repository-qualified
        // variants (`Packagist:https://packages.drupal.org/8`, Drupal's
        // modules), by `vendor/name`; PHP's `version_compare` order.
        PackageType::Composer => t(
            EcosystemKey::Release("Packagist".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Packagist,
        ),
        // No OSV data for conda.
        PackageType::Conda | PackageType::Binary => {
            return Err(NoTarget::Unsupported(pkg.package_type));
        }
        // Bitnami components against Bitnami's own OSV data (`BIT-…`
        // records, SEMVER ranges), by name, the version without Bitnami's
        // package revision (`7.4.0-0` is redis 7.4.0, revision 0), as grype
        // reads it; SemVer order.
        PackageType::Bitnami => t(
            EcosystemKey::Exact("Bitnami".into()),
            &pkg.name,
            bitnami_upstream_version(&pkg.version),
            Ecosystem::CratesIo,
        ),
        // No advisory matching for kernels yet (OSV's `Linux` ecosystem
        // names upstream kernel commits, not distribution builds).
        PackageType::LinuxKernel | PackageType::LinuxKernelModule => {
            return Err(NoTarget::Unsupported(pkg.package_type));
        }
        PackageType::Deb | PackageType::Apk | PackageType::Rpm | PackageType::Alpm => {
            unreachable!("handled above")
        }
        // -- hackcran (issue 18) --
        // Haskell packages under OSV's `Hackage` (the Haskell Security
        // Response Team's HSEC records), by name; Cabal's `Version` order.
        PackageType::Hackage => t(
            EcosystemKey::Exact("Hackage".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Hackage,
        ),
        // R packages under OSV's `CRAN` (the R Consortium's RSEC records),
        // by name; R's `package_version` order.
        PackageType::RPackage => t(
            EcosystemKey::Exact("CRAN".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Cran,
        ),
        // -- hexpub (issue 18) --
        // Elixir and Erlang packages under `Hex`, by the name `mix.lock` and
        // `rebar.lock` give (the application's, which is the Hex package's
        // for all but renamed dependencies); Elixir's `Version` order. A git
        // dependency's commit is no version: reported as not comparable.
        PackageType::Hex => t(
            EcosystemKey::Exact("Hex".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Hex,
        ),
        // OTP applications (OTP's own versions, `4.3.1.3`, are no SemVer)
        // are not matched; OSV has no CocoaPods ecosystem.
        PackageType::ErlangOtp | PackageType::Cocoapods => {
            return Err(NoTarget::Unsupported(pkg.package_type));
        }
        // -- pubswift (issue 18) --
        // Dart packages under OSV's `Pub`, by name; `pub_semver`'s order.
        PackageType::DartPub => t(
            EcosystemKey::Exact("Pub".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Pub,
        ),
        // Swift packages under OSV's `SwiftURL`, by the repository they are
        // fetched from as the advisories name it (`github.com/apple/swift-nio`:
        // no scheme, no `.git`); SwiftPM's order. A pin that follows a branch
        // or a revision has no version: reported as not comparable.
        PackageType::Swift => t(
            EcosystemKey::Exact("SwiftURL".into()),
            &swift_repository(pkg),
            &pkg.version,
            Ecosystem::SwiftUrl,
        ),
        // -- portnix (issue 18) --
        PackageType::Portage => unreachable!("handled above"),
        // OSV has no Nix, LuaRocks, SWI-Prolog or WordPress ecosystem.
        PackageType::Nix
        | PackageType::LuaRocks
        | PackageType::SwiplPack
        | PackageType::WordpressPlugin => {
            return Err(NoTarget::Unsupported(pkg.package_type));
        }
        // -- conan (issue 18) --
        // ConanCenter's packages are referenced without user and channel
        // (`zlib/1.2.13`); one with a user (`pkg:conan/<user>/<name>@…`) is
        // a company's or a person's build, which ConanCenter's advisories
        // do not speak for. Conan's own `Version` order.
        PackageType::Conan if conan_user(&pkg.purl).is_some() => {
            return Err(NoTarget::OtherRegistry(pkg.package_type, "ConanCenter"));
        }
        PackageType::Conan => t(
            EcosystemKey::Exact("ConanCenter".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::ConanCenter,
        ),
        // -- opam (issue 18) --
        // OCaml packages under OSV's `opam` (the OCaml Security Response
        // Team's OSEC records), by name; `OpamVersionCompare` order.
        PackageType::Opam => t(
            EcosystemKey::Exact("opam".into()),
            &pkg.name,
            &pkg.version,
            Ecosystem::Opam,
        ),
    })
}

// -- conan (issue 18) --
/// The user of a Conan package's purl (`pkg:conan/<user>/<name>@…`).
fn conan_user(purl: &str) -> Option<&str> {
    let path = purl.strip_prefix("pkg:conan/")?;
    let path = path.split(['@', '?', '#']).next().unwrap_or(path);
    path.rsplit_once('/').map(|(user, _)| user)
}

/// PEP 503 normalised project name: lowercase, runs of `-_.` as one `-`
/// (leading and trailing runs dropped). The database indexes PyPI names by
/// the same function ([`crate::db::package_key`]), so lookups and stored
/// keys always agree.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// `group:artifact`, as OSV names Maven packages, from the purl
/// (`pkg:maven/<group>/<artifact>@…`), else the name as it is.
fn maven_name(pkg: &Package) -> String {
    let path = pkg
        .purl
        .strip_prefix("pkg:maven/")
        .map(|p| p.split(['@', '?', '#']).next().unwrap_or(p));
    match path.and_then(|p| p.rsplit_once('/')) {
        Some((group, artifact)) => format!(
            "{}:{}",
            group.replace('/', ".").replace("%2F", "."),
            artifact
        ),
        None => pkg.name.clone(),
    }
}

/// `owner/repo`, as OSV names a GitHub Action, from the purl
/// (`pkg:github/<owner>/<repo>@<ref>#<path>`), else the first two
/// segments of the name (`actions/cache/restore` is `actions/cache`).
fn github_repository(pkg: &Package) -> String {
    let path = pkg
        .purl
        .strip_prefix("pkg:github/")
        .map(|p| p.split(['@', '?', '#']).next().unwrap_or(p))
        .unwrap_or(&pkg.name);
    let mut parts = path.splitn(3, '/');
    match (parts.next(), parts.next()) {
        (Some(owner), Some(repo)) => format!(
            "{}/{}",
            plimsoll_sbom::percent_decode(owner),
            plimsoll_sbom::percent_decode(repo)
        ),
        _ => pkg.name.clone(),
    }
}

/// The repository of a Swift package as OSV's `SwiftURL` records name it,
/// from its purl (`pkg:swift/<location>/<name>@<version>`, the location as
/// `Package.resolved` gives it without `https://`): `.git` and a trailing
/// `/` dropped, an scp-like `git@host:owner/repo` as `host/owner/repo`,
/// any other scheme (`http://`, `ssh://user@`) removed. The package's name
/// when the purl holds no location.
fn swift_repository(pkg: &Package) -> String {
    let Some(path) = pkg
        .purl
        .strip_prefix("pkg:swift/")
        .map(|p| p.split(['@', '?', '#']).next().unwrap_or(p))
    else {
        return pkg.name.clone();
    };
    let Some((location, _name)) = path.rsplit_once('/') else {
        return pkg.name.clone();
    };
    let location = plimsoll_sbom::percent_decode(location);
    let mut repo = location.as_str();
    if let Some((_, rest)) = repo.split_once("://") {
        repo = rest;
    }
    // `user@host/…` (ssh://git@github.com/…) and scp-like `git@host:owner/repo`.
    if let Some((user, rest)) = repo.split_once('@')
        && !user.contains('/')
    {
        repo = rest;
    }
    let repo = repo.trim_end_matches('/');
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    match repo.split_once(':') {
        Some((host, path))
            if !host.contains('/') && !path.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            format!("{host}/{path}")
        }
        _ => repo.to_string(),
    }
}

/// Whether a record's entry names the target package: ecosystem string and
/// name (names compared as the ecosystem compares them).
pub fn names(affected: &Affected, target: &Target) -> bool {
    target.ecosystem.matches(&affected.ecosystem)
        && crate::db::package_key(&affected.ecosystem, &affected.name)
            == crate::db::package_key(&affected.ecosystem, &target.name)
}

/// Whether a record is about a vulnerability. The Red Hat family's errata
/// feeds (AlmaLinux, Rocky Linux) also publish bug-fix and enhancement
/// errata (`ALBA-`, `ALEA-`, `RLBA-`, `RLEA-`, `RHBA-`, `RHEA-`): an older
/// package is "affected" by them only in that it lacks a bug fix or a
/// feature. Such an erratum that names no CVE is not a vulnerability.
pub fn is_security_record(advisory: &Advisory) -> bool {
    const NOT_SECURITY: [&str; 6] = ["ALBA-", "ALEA-", "RLBA-", "RLEA-", "RHBA-", "RHEA-"];
    !(NOT_SECURITY.iter().any(|p| advisory.id.starts_with(p))
        && advisory.aliases.is_empty()
        && advisory.related.is_empty())
}

/// The CVEs an erratum says it fixes in `related` rather than `aliases`
/// (AlmaLinux's `ALSA-`/`ALBA-`/`ALEA-`, Photon's `PHSA-`, Red Hat's
/// `RHSA-`… records): an erratum is not the same vulnerability as each of
/// its CVEs (so they never merge alias groups), but a finding from it is
/// about them, so they count among its ids, the ones ignores and VEX
/// statements name. `related` ids of other records (GHSA, PYSEC) name
/// different vulnerabilities and are not counted.
pub fn errata_cves(advisory: &Advisory) -> impl Iterator<Item = &str> {
    const ERRATA: [&str; 11] = [
        "ALSA-", "ALBA-", "ALEA-", "RLSA-", "RLBA-", "RLEA-", "RHSA-", "RHBA-", "RHEA-", "PHSA-",
        "MGASA-",
    ];
    let erratum = ERRATA.iter().any(|p| advisory.id.starts_with(p));
    advisory
        .related
        .iter()
        .filter(move |r| erratum && r.starts_with("CVE-"))
        .map(String::as_str)
}

/// The answer for one package and one record entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Affected; the versions that fix it (lowest first), if any.
    Affected {
        fixed: Vec<String>,
    },
    NotAffected,
    /// A version could not be ordered: reported, never taken as safe.
    Unknown(String),
}

/// Whether `version` is affected by `affected` (see the module docs).
pub fn evaluate(affected: &Affected, version: &str, ordering: Ecosystem) -> Verdict {
    let mut unknown = None;
    let mut hit = false;
    if affected
        .versions
        .iter()
        .any(|v| v == version || cmp(ordering, v, version).ok() == Some(Ordering::Equal))
    {
        hit = true;
    }
    for range in &affected.ranges {
        if hit {
            break;
        }
        let ord = match range.kind {
            RangeKind::Ecosystem => ordering,
            RangeKind::Semver => semver_flavour(ordering),
            // Commits: an installed package has none to compare.
            RangeKind::Git => continue,
        };
        match in_range(&range.events, version, ord, range.kind == RangeKind::Semver) {
            Ok(true) => hit = true,
            Ok(false) => {}
            Err(e) => unknown = Some(e),
        }
    }
    if hit {
        let mut fixed: Vec<String> = affected
            .fixed_versions()
            .filter(|f| cmp_ord(ordering, affected, version, f) == Some(Ordering::Less))
            .map(str::to_string)
            .collect();
        fixed.sort_by(|a, b| cmp_ord(ordering, affected, a, b).unwrap_or(Ordering::Equal));
        fixed.dedup();
        return Verdict::Affected { fixed };
    }
    match unknown {
        Some(e) => Verdict::Unknown(e),
        None => Verdict::NotAffected,
    }
}

/// How a `SEMVER` range orders versions: by the ecosystem's own SemVer
/// grammar where it has one (Go's takes `v1.2` and `+incompatible`, npm's a
/// leading `v`), else by SemVer 2.0.0 as Cargo reads it.
fn semver_flavour(ordering: Ecosystem) -> Ecosystem {
    match ordering {
        Ecosystem::Go | Ecosystem::Npm | Ecosystem::CratesIo => ordering,
        _ => Ecosystem::CratesIo,
    }
}

/// Orders two versions as the entry's ranges would (SEMVER ranges without
/// the Go-style `v`).
fn cmp_ord(ordering: Ecosystem, affected: &Affected, a: &str, b: &str) -> Option<Ordering> {
    let mut ranges = affected.version_ranges().peekable();
    let any = ranges.peek().is_some();
    if any && ranges.all(|r| r.kind == RangeKind::Semver) {
        cmp(semver_flavour(ordering), strip_v(a), strip_v(b)).ok()
    } else {
        cmp(ordering, a, b).ok()
    }
}

fn strip_v(v: &str) -> &str {
    v.strip_prefix('v').unwrap_or(v)
}

fn cmp(ordering: Ecosystem, a: &str, b: &str) -> Result<Ordering, String> {
    compare(ordering, a, b).map_err(|e| e.to_string())
}

/// OSV range evaluation over events sorted by version.
fn in_range(events: &[Event], version: &str, ord: Ecosystem, semver: bool) -> Result<bool, String> {
    let norm = |v: &str| {
        if semver {
            strip_v(v).to_string()
        } else {
            v.to_string()
        }
    };
    let version = norm(version);
    // `introduced: 0` sorts first; everything else by the ecosystem's order.
    let mut sorted: Vec<(Option<String>, &Event)> = Vec::with_capacity(events.len());
    for e in events {
        let v = match e {
            Event::Introduced(v) if v == "0" => None,
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
                Some(norm(v))
            }
        };
        sorted.push((v, e));
    }
    // Parse failures surface from the comparisons below; sort with a
    // fallible comparator by first checking every event version parses.
    for (v, _) in &sorted {
        if let Some(v) = v {
            cmp(ord, v, v)?;
        }
    }
    cmp(ord, &version, &version)?;
    sorted.sort_by(|(a, _), (b, _)| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare(ord, a, b).unwrap_or(Ordering::Equal),
    });
    let at_least = |v: &Option<String>| match v {
        None => true,
        Some(v) => compare(ord, &version, v).is_ok_and(|o| o != Ordering::Less),
    };
    let mut affected = false;
    let mut limits = Vec::new();
    for (v, e) in &sorted {
        match e {
            Event::Introduced(_) => {
                if at_least(v) {
                    affected = true;
                }
            }
            Event::Fixed(_) => {
                if at_least(v) {
                    affected = false;
                }
            }
            Event::LastAffected(_) => {
                if let Some(v) = v
                    && compare(ord, &version, v).is_ok_and(|o| o == Ordering::Greater)
                {
                    affected = false;
                }
            }
            Event::Limit(_) => limits.push(v.clone()),
        }
    }
    if affected && !limits.is_empty() {
        // Below at least one limit.
        affected = limits.iter().any(|l| !at_least(l));
    }
    Ok(affected)
}

/// Severity of a vulnerability finding, from CVSS or the advisory's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VulnSeverity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl VulnSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            VulnSeverity::Unknown => "unknown",
            VulnSeverity::Negligible => "negligible",
            VulnSeverity::Low => "low",
            VulnSeverity::Medium => "medium",
            VulnSeverity::High => "high",
            VulnSeverity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<VulnSeverity> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "unknown" => VulnSeverity::Unknown,
            "negligible" => VulnSeverity::Negligible,
            "low" => VulnSeverity::Low,
            "medium" => VulnSeverity::Medium,
            "high" => VulnSeverity::High,
            "critical" => VulnSeverity::Critical,
            _ => return None,
        })
    }

    /// A severity word as advisories write it: GHSA's `MODERATE`, Debian's
    /// `urgency`, Ubuntu's priority, Alpine/Red Hat's `Important`.
    pub fn from_word(word: &str) -> Option<VulnSeverity> {
        let w = word.trim().trim_end_matches('*').to_ascii_lowercase();
        Some(match w.as_str() {
            "critical" => VulnSeverity::Critical,
            "high" | "important" => VulnSeverity::High,
            "medium" | "moderate" => VulnSeverity::Medium,
            "low" => VulnSeverity::Low,
            "negligible" | "unimportant" => VulnSeverity::Negligible,
            _ => return None,
        })
    }
}

impl std::fmt::Display for VulnSeverity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a finding's severity was decided.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rated {
    pub severity: VulnSeverity,
    /// The CVSS base score, when a vector decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The vector, or the word and where it came from.
    pub source: String,
    /// The record the severity was read from, and what in it.
    #[serde(rename = "severity_origin", skip_serializing_if = "Option::is_none")]
    pub origin: Option<SeverityOrigin>,
}

/// Where a finding's severity comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeverityOrigin {
    /// The record's id: a record that matched the package (`GHSA-…`,
    /// `DSA-…`), or another record of the vulnerability (`CVE-…` of NVD).
    pub record: String,
    /// What kind of record: `osv`, `nvd` or `catalog`.
    pub record_kind: &'static str,
    /// What in the record: `CVSS_V3`, `database_specific.severity`,
    /// `ecosystem_specific.urgency`, `summary`.
    pub field: String,
    /// `matched`: the record matched the package; `alias`: the matched
    /// records carry no severity, and this record of the same vulnerability
    /// (its alias group) does.
    pub via: &'static str,
}

impl Rated {
    fn from(advisory: &Advisory, field: &str) -> Option<SeverityOrigin> {
        Some(SeverityOrigin {
            record: advisory.id.clone(),
            record_kind: advisory.origin.as_str(),
            field: field.to_string(),
            via: "matched",
        })
    }
}

/// The severity of `affected` in `advisory`. OS packages take their
/// distribution's own rating first (it knows how the package is built and
/// used there); otherwise the newest CVSS version present decides (a v4.0
/// vector over v3.1 over v3.0 over v2), then the advisory's own word.
pub fn rate(advisory: &Advisory, affected: &Affected, os: bool) -> Rated {
    let entries = || affected.severity.iter().chain(&advisory.severity);
    let word = || {
        entries()
            .filter(|s| !s.is_cvss())
            .find_map(|s| {
                VulnSeverity::from_word(&s.score).map(|sev| Rated {
                    severity: sev,
                    score: None,
                    source: format!("{} {}", s.kind, s.score),
                    origin: Rated::from(advisory, &s.kind),
                })
            })
            .or_else(|| {
                summary_word(&advisory.summary).map(|r| Rated {
                    origin: Rated::from(advisory, "summary"),
                    ..r
                })
            })
    };
    if os && let Some(r) = word() {
        return r;
    }
    let best = entries()
        .filter(|s| s.is_cvss())
        .filter_map(|s| crate::cvss::parse(&s.score).ok().map(|c| (c, s)))
        .max_by_key(|(c, _)| c.version());
    if let Some((c, s)) = best {
        let score = c.base_score();
        let severity = match c.severity() {
            crate::cvss::Severity::None => VulnSeverity::Negligible,
            crate::cvss::Severity::Low => VulnSeverity::Low,
            crate::cvss::Severity::Medium => VulnSeverity::Medium,
            crate::cvss::Severity::High => VulnSeverity::High,
            crate::cvss::Severity::Critical => VulnSeverity::Critical,
        };
        return Rated {
            severity,
            score: Some(score),
            source: s.score.clone(),
            origin: Rated::from(advisory, &s.kind),
        };
    }
    word().unwrap_or(Rated {
        severity: VulnSeverity::Unknown,
        score: None,
        source: "no severity in the advisory".into(),
        origin: None,
    })
}

/// The severity of a vulnerability whose matched records carry none, from
/// the other records of its alias group (GHSA, NVD, other ecosystems'
/// records): the highest any of them gives (a gate errs on the side of
/// caution), a CVSS score before a word on a tie, then the smallest record
/// id. `None` when none of them has a severity either. Each record is rated
/// CVSS first (the OS-package preference for the distribution's own word is
/// for the distribution's records, which are the matched ones).
pub fn rate_from_group(members: &[std::sync::Arc<Advisory>]) -> Option<Rated> {
    let none = Affected {
        ecosystem: String::new(),
        name: String::new(),
        purl: None,
        ranges: Vec::new(),
        versions: Vec::new(),
        severity: Vec::new(),
    };
    let mut best: Option<Rated> = None;
    let mut sorted: Vec<&Advisory> = members.iter().map(|a| a.as_ref()).collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for a in sorted {
        let r = rate(a, &none, false);
        if r.severity == VulnSeverity::Unknown {
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) => (r.severity, r.score.is_some()) > (b.severity, b.score.is_some()),
        };
        if better {
            best = Some(r);
        }
    }
    best.map(|mut r| {
        if let Some(o) = r.origin.as_mut() {
            o.via = "alias";
        }
        r
    })
}

/// The rating Red Hat style errata put before their title
/// (`Important: kernel security update`), as AlmaLinux and Rocky Linux
/// records carry it: in the summary, nowhere else.
fn summary_word(summary: &str) -> Option<Rated> {
    let (head, _) = summary.split_once(": ")?;
    if head.contains(' ') {
        return None;
    }
    VulnSeverity::from_word(head).map(|severity| Rated {
        severity,
        score: None,
        source: format!("summary {head}"),
        origin: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::{Range, SeverityEntry};

    fn affected(eco: &str, name: &str, ranges: Vec<Range>, versions: &[&str]) -> Affected {
        Affected {
            ecosystem: eco.into(),
            name: name.into(),
            purl: None,
            ranges,
            versions: versions.iter().map(|s| s.to_string()).collect(),
            severity: vec![],
        }
    }

    fn range(kind: RangeKind, events: Vec<Event>) -> Range {
        Range {
            kind,
            repo: None,
            events,
        }
    }

    use Event::{Fixed, Introduced, LastAffected, Limit};

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn debian_ranges_by_dpkg_order() {
        // DSA-style: introduced 0, fixed at the security update.
        let a = affected(
            "Debian:12",
            "glibc",
            vec![range(
                RangeKind::Ecosystem,
                vec![Introduced(s("0")), Fixed(s("2.36-9+deb12u3"))],
            )],
            &[],
        );
        assert_eq!(
            evaluate(&a, "2.36-9+deb12u2", Ecosystem::Debian),
            Verdict::Affected {
                fixed: vec![s("2.36-9+deb12u3")]
            }
        );
        assert_eq!(
            evaluate(&a, "2.36-9+deb12u3", Ecosystem::Debian),
            Verdict::NotAffected
        );
        assert_eq!(
            evaluate(&a, "2.36-9+deb12u10", Ecosystem::Debian),
            Verdict::NotAffected
        );
        // `~` sorts before anything: a backport is older than the release.
        assert!(matches!(
            evaluate(&a, "2.36-9+deb12u3~bpo1", Ecosystem::Debian),
            Verdict::Affected { .. }
        ));
    }

    #[test]
    fn a_git_range_s_fixed_commit_is_no_version_to_upgrade_to() {
        // OSEC and PyPA records carry a GIT range beside the version range;
        // its `fixed` is a commit. opam orders every string, so a commit
        // hash would pass for a version after the installed one.
        let mut a = affected(
            "opam",
            "tls",
            vec![range(
                RangeKind::Ecosystem,
                vec![Introduced(s("0")), Fixed(s("0.17.4"))],
            )],
            &[],
        );
        a.ranges.push(Range {
            kind: RangeKind::Git,
            repo: Some(s("https://github.com/mirleft/ocaml-tls")),
            events: vec![
                Introduced(s("0")),
                Fixed(s("f2d8e2b1c0a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5")),
            ],
        });
        assert_eq!(
            evaluate(&a, "0.17.3", Ecosystem::Opam),
            Verdict::Affected {
                fixed: vec![s("0.17.4")]
            }
        );
        assert_eq!(a.fixed_versions().collect::<Vec<_>>(), ["0.17.4"]);
    }

    #[test]
    fn several_ranges_last_affected_limit_and_versions() {
        let a = affected(
            "PyPI",
            "jinja2",
            vec![
                range(
                    RangeKind::Ecosystem,
                    vec![Introduced(s("0")), Fixed(s("2.10.1"))],
                ),
                range(
                    RangeKind::Ecosystem,
                    vec![Introduced(s("3.0.0")), LastAffected(s("3.0.2"))],
                ),
            ],
            &["2.11.0"],
        );
        let v = |x| evaluate(&a, x, Ecosystem::PyPI);
        assert_eq!(
            v("2.10"),
            Verdict::Affected {
                fixed: vec![s("2.10.1")]
            }
        );
        assert_eq!(v("2.10.1"), Verdict::NotAffected);
        assert!(
            matches!(v("2.11.0"), Verdict::Affected { .. }),
            "explicit versions list"
        );
        assert!(matches!(v("3.0.2"), Verdict::Affected { .. }));
        assert_eq!(v("3.0.3"), Verdict::NotAffected);
        // Events out of order in the record are sorted first.
        let b = affected(
            "npm",
            "lodash",
            vec![range(
                RangeKind::Semver,
                vec![Fixed(s("4.17.19")), Introduced(s("4.0.0"))],
            )],
            &[],
        );
        assert_eq!(
            evaluate(&b, "4.17.15", Ecosystem::Npm),
            Verdict::Affected {
                fixed: vec![s("4.17.19")]
            }
        );
        assert_eq!(evaluate(&b, "3.10.1", Ecosystem::Npm), Verdict::NotAffected);
        // limit: an upper bound that is not a fix.
        let c = affected(
            "Go",
            "example.com/m",
            vec![range(
                RangeKind::Semver,
                vec![Introduced(s("1.0.0")), Limit(s("1.5.0"))],
            )],
            &[],
        );
        assert!(matches!(
            evaluate(&c, "v1.2.0", Ecosystem::Go),
            Verdict::Affected { .. }
        ));
        assert_eq!(evaluate(&c, "v1.5.0", Ecosystem::Go), Verdict::NotAffected);
    }

    #[test]
    fn unparsable_versions_are_unknown_not_safe() {
        let a = affected(
            "npm",
            "x",
            vec![range(
                RangeKind::Semver,
                vec![Introduced(s("0")), Fixed(s("1.0.0"))],
            )],
            &[],
        );
        assert!(matches!(
            evaluate(&a, "not-a-version", Ecosystem::Npm),
            Verdict::Unknown(_)
        ));
        let b = affected(
            "Debian:12",
            "x",
            vec![range(
                RangeKind::Ecosystem,
                vec![Introduced(s("0")), Fixed(s("1:"))],
            )],
            &[],
        );
        assert!(matches!(
            evaluate(&b, "1.0-1", Ecosystem::Debian),
            Verdict::Unknown(_)
        ));
    }

    fn pkg(t: PackageType, name: &str, version: &str, purl: &str) -> Package {
        Package::new(t, name, version, purl, "x", 0)
    }

    #[test]
    fn targets_per_distribution_and_ecosystem() {
        let debian = Distro {
            id: Some(s("debian")),
            version_id: Some(s("12")),
            ..Default::default()
        };
        let mut libc = pkg(PackageType::Deb, "libc6", "2.36-9+deb12u4+b1", "");
        libc.source_name = Some(s("glibc"));
        libc.source_version = Some(s("2.36-9+deb12u4"));
        let t = target(&libc, Some(&debian)).unwrap();
        assert_eq!(t.ecosystem, EcosystemKey::Exact(s("Debian:12")));
        assert_eq!(
            (t.name.as_str(), t.version.as_str()),
            ("glibc", "2.36-9+deb12u4")
        );
        assert!(!t.ecosystem.matches("Debian:11"));
        assert_eq!(
            target(&libc, None),
            Err(NoTarget::NoRelease(PackageType::Deb))
        );

        let ubuntu = Distro {
            id: Some(s("ubuntu")),
            version_id: Some(s("22.04")),
            ..Default::default()
        };
        let t = target(&libc, Some(&ubuntu)).unwrap();
        assert!(t.ecosystem.matches("Ubuntu:22.04:LTS"));
        assert!(t.ecosystem.matches("Ubuntu:22.04"));
        assert!(!t.ecosystem.matches("Ubuntu:22.040"));
        assert!(!t.ecosystem.matches("Ubuntu:Pro:22.04:LTS"));

        let alpine = Distro {
            id: Some(s("alpine")),
            version_id: Some(s("3.18.4")),
            ..Default::default()
        };
        let mut musl = pkg(PackageType::Apk, "musl-utils", "1.2.4-r2", "");
        musl.source_name = Some(s("musl"));
        let t = target(&musl, Some(&alpine)).unwrap();
        assert_eq!(
            (t.ecosystem.stem(), t.name.as_str()),
            ("Alpine:v3.18", "musl")
        );

        let y = pkg(PackageType::Pypi, "PyYAML", "5.3", "pkg:pypi/pyyaml@5.3");
        let t = target(&y, None).unwrap();
        assert_eq!((t.ecosystem.stem(), t.name.as_str()), ("PyPI", "pyyaml"));
        assert_eq!(pep503("Foo__Bar.baz"), "foo-bar-baz");
        let t = target(&pkg(PackageType::Composer, "a/b", "v1.0", ""), None).unwrap();
        assert_eq!(
            (
                t.ecosystem
                    .matches("Packagist:https://packages.drupal.org/8"),
                t.ordering
            ),
            (true, Ecosystem::Packagist)
        );
        assert!(matches!(
            target(&pkg(PackageType::Conda, "numpy", "1.0", ""), None),
            Err(NoTarget::Unsupported(PackageType::Conda))
        ));
        let rack = pkg(PackageType::Gem, "rack", "2.2.22", "pkg:gem/rack@2.2.22");
        let t = target(&rack, None).unwrap();
        assert_eq!(
            (t.ecosystem.stem(), t.name.as_str(), t.ordering),
            ("RubyGems", "rack", Ecosystem::RubyGems)
        );
        let j = pkg(
            PackageType::Maven,
            "commons-lang3",
            "3.12.0",
            "pkg:maven/org.apache.commons/commons-lang3@3.12.0",
        );
        assert_eq!(
            target(&j, None).unwrap().name,
            "org.apache.commons:commons-lang3"
        );
        let n = pkg(
            PackageType::Nuget,
            "Newtonsoft.Json",
            "13.0.1",
            "pkg:nuget/Newtonsoft.Json@13.0.1",
        );
        let t = target(&n, None).unwrap();
        assert_eq!(
            (t.ecosystem.stem(), t.name.as_str(), t.ordering),
            ("NuGet", "Newtonsoft.Json", Ecosystem::NuGet)
        );
        let a = pkg(
            PackageType::Github,
            "actions/cache/restore",
            "v3.3.1",
            "pkg:github/actions/cache@v3.3.1#restore",
        );
        let t = target(&a, None).unwrap();
        assert_eq!(
            (t.ecosystem.stem(), t.name.as_str(), t.ordering),
            ("GitHub Actions", "actions/cache", Ecosystem::GitHubActions)
        );
        let fedora = Distro {
            id: Some(s("fedora")),
            version_id: Some(s("40")),
            id_like: None,
            ..Default::default()
        };
        assert_eq!(
            target(&pkg(PackageType::Rpm, "bash", "5.2", ""), Some(&fedora)),
            Err(NoTarget::UnknownDistro(s("fedora 40")))
        );
    }

    fn os(id: &str, version_id: &str, pretty: &str) -> Distro {
        Distro {
            id: Some(s(id)),
            version_id: Some(s(version_id)),
            pretty_name: (!pretty.is_empty()).then(|| s(pretty)),
            ..Default::default()
        }
    }

    fn rpm(name: &str, version: &str, source: &str, source_version: &str) -> Package {
        let mut p = pkg(PackageType::Rpm, name, version, "");
        p.source_name = Some(s(source));
        p.source_version = Some(s(source_version));
        p
    }

    #[test]
    fn red_hat_images_match_every_stream_of_their_major() {
        let libs = rpm("openssl-libs", "1:3.0.7-24.el9", "openssl", "3.0.7-24.el9");
        for d in [
            os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)"),
            os("centos", "9", "CentOS Stream 9"),
            Distro {
                id_like: Some(s("rhel centos fedora")),
                ..os("eurolinux", "9.2", "")
            },
        ] {
            let t = target(&libs, Some(&d)).unwrap();
            // By binary package, at the installed [epoch:]version-release.
            assert_eq!(
                (t.name.as_str(), t.version.as_str(), t.ordering),
                ("openssl-libs", "1:3.0.7-24.el9", Ecosystem::RedHat)
            );
            for stream in ["baseos", "appstream", "crb", "highavailability"] {
                assert!(
                    t.ecosystem
                        .matches(&format!("Red Hat:enterprise_linux:9::{stream}"))
                );
            }
            assert!(!t.ecosystem.matches("Red Hat:enterprise_linux:8::baseos"));
            assert!(!t.ecosystem.matches("Red Hat:enterprise_linux:90::baseos"));
            // EUS/AUS/E4S streams: not for an image that does not say so.
            assert!(!t.ecosystem.matches("Red Hat:rhel_eus:9.4::baseos"));
            assert!(!t.ecosystem.matches("Red Hat:rhel_aus:9.4::appstream"));
            // Nor layered products' streams.
            assert!(!t.ecosystem.matches("Red Hat:openshift:4.16::el9"));
        }
        // CentOS 7's streams are named by variant: `7::server`.
        let t = target(&libs, Some(&os("centos", "7", ""))).unwrap();
        assert!(t.ecosystem.matches("Red Hat:enterprise_linux:7::server"));
        // Rebuilds with data of their own keep it.
        let t = target(&libs, Some(&os("almalinux", "9.4", ""))).unwrap();
        assert_eq!(t.ecosystem, EcosystemKey::Exact(s("AlmaLinux:9")));
        // Oracle Linux says ID_LIKE="fedora": no data.
        let ol = Distro {
            id_like: Some(s("fedora")),
            ..os("ol", "9.4", "")
        };
        assert!(matches!(
            target(&libs, Some(&ol)),
            Err(NoTarget::UnknownDistro(_))
        ));
        // Arch: no advisory data, said so (never "clean").
        let arch = Distro {
            id: Some(s("arch")),
            build_id: Some(s("rolling")),
            ..Default::default()
        };
        let gmp = pkg(PackageType::Alpm, "gmp", "6.2.1-2", "");
        assert_eq!(
            target(&gmp, Some(&arch)).unwrap_err(),
            NoTarget::UnknownDistro(s("arch rolling"))
        );
        assert_eq!(
            target(&gmp, None).unwrap_err(),
            NoTarget::UnknownDistro(s("arch rolling"))
        );
        let redis = target(&pkg(PackageType::Bitnami, "redis", "7.4.0-0", ""), None).unwrap();
        assert_eq!(
            (redis.ecosystem, redis.name.as_str(), redis.version.as_str()),
            (EcosystemKey::Exact("Bitnami".into()), "redis", "7.4.0")
        );
        assert_eq!(bitnami_upstream_version("0.16.20220414"), "0.16.20220414");
        assert_eq!(bitnami_upstream_version("1.0.0-beta"), "1.0.0-beta");
        // -- portnix (issue 18) --
        let skopeo = pkg(PackageType::Portage, "app-containers/skopeo", "1.5.1", "");
        let gentoo = Distro {
            id: Some(s("gentoo")),
            version_id: Some(s("2.17")),
            ..Default::default()
        };
        assert_eq!(
            target(&skopeo, Some(&gentoo)).unwrap_err(),
            NoTarget::UnknownDistro(s("gentoo 2.17"))
        );
        assert_eq!(
            target(&skopeo, None).unwrap_err(),
            NoTarget::UnknownDistro(s("gentoo"))
        );
        assert_eq!(
            target(&pkg(PackageType::Nix, "glibc", "2.34-210", ""), None).unwrap_err(),
            NoTarget::Unsupported(PackageType::Nix)
        );
        assert_eq!(
            target(&pkg(PackageType::LuaRocks, "lpeg", "1.0.2-1", ""), None).unwrap_err(),
            NoTarget::Unsupported(PackageType::LuaRocks)
        );
        for t in [PackageType::LinuxKernel, PackageType::LinuxKernelModule] {
            assert_eq!(
                target(&pkg(t, "x", "1", ""), None).unwrap_err(),
                NoTarget::Unsupported(t)
            );
        }
    }

    #[test]
    fn red_hat_content_sets_name_the_streams() {
        let libs = rpm("openssl-libs", "1:3.0.7-24.el9", "openssl", "3.0.7-24.el9");
        let ubi = |sets: &[&str]| Distro {
            content_sets: sets.iter().map(|x| s(x)).collect(),
            ..os("rhel", "9.2", "Red Hat Enterprise Linux 9.2 (Plow)")
        };
        let t = target(
            &libs,
            Some(&ubi(&[
                "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2",
                "rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_2",
                "rhocp-4.16-for-rhel-9-x86_64-rpms",
            ])),
        )
        .unwrap();
        assert_eq!(t.ecosystem.stem(), "Red Hat:rhel_eus:9.2");
        assert!(t.ecosystem.matches("Red Hat:rhel_eus:9.2::baseos"));
        assert!(t.ecosystem.matches("Red Hat:rhel_eus:9.2::appstream"));
        assert!(!t.ecosystem.matches("Red Hat:enterprise_linux:9::baseos"));
        assert!(!t.ecosystem.matches("Red Hat:rhel_eus:9.4::baseos"));
        let t = target(
            &libs,
            Some(&ubi(&[
                "rhel-9-for-aarch64-baseos-rpms",
                "rhel-9-for-aarch64-appstream-debug-rpms",
                "codeready-builder-for-rhel-9-x86_64-rpms",
            ])),
        )
        .unwrap();
        assert!(t.ecosystem.matches("Red Hat:enterprise_linux:9::baseos"));
        assert!(t.ecosystem.matches("Red Hat:enterprise_linux:9::crb"));
        assert!(!t.ecosystem.matches("Red Hat:enterprise_linux:9::appstream"));
        let t = target(
            &libs,
            Some(&ubi(&[
                "ubi-9-appstream-rpms",
                "ubi-9-codeready-builder-rpms",
            ])),
        )
        .unwrap();
        assert!(t.ecosystem.matches("Red Hat:enterprise_linux:9::appstream"));
        assert!(t.ecosystem.matches("Red Hat:enterprise_linux:9::crb"));
        assert!(!t.ecosystem.matches("Red Hat:enterprise_linux:9::baseos"));
        // Nothing recognised (another major's, a layered product's): every
        // stream of the major.
        let t = target(
            &libs,
            Some(&ubi(&["rhel-8-for-x86_64-baseos-rpms", "releases"])),
        )
        .unwrap();
        assert_eq!(
            t.ecosystem,
            EcosystemKey::Release(s("Red Hat:enterprise_linux:9"))
        );
    }

    #[test]
    fn suse_and_opensuse_products_by_source_package() {
        // A binary with an epoch: the source rpm's version has none, as
        // SUSE's records.
        let p = rpm(
            "libopenssl3",
            "3.0.8-150500.5.14.1",
            "openssl-3",
            "3.0.8-150500.5.14.1",
        );
        let sles = os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5");
        let t = target(&p, Some(&sles)).unwrap();
        assert_eq!(
            (t.name.as_str(), t.version.as_str(), t.ordering),
            ("openssl-3", "3.0.8-150500.5.14.1", Ecosystem::RedHat)
        );
        assert_eq!(t.ecosystem.stem(), "SUSE");
        for yes in [
            "SUSE:Linux Enterprise Server 15 SP5",
            "SUSE:Linux Enterprise Module for Basesystem 15 SP5",
            "SUSE:Linux Enterprise Module for Server Applications 15 SP5",
        ] {
            assert!(t.ecosystem.matches(yes), "{yes}");
        }
        for no in [
            "SUSE:Linux Enterprise Server 15 SP4",
            "SUSE:Linux Enterprise Server 15 SP5 LTSS",
            "SUSE:Linux Enterprise Module for Basesystem 15 SP6",
            "SUSE:Linux Enterprise Micro 5.5",
            "openSUSE:Leap 15.5",
        ] {
            assert!(!t.ecosystem.matches(no), "{no}");
        }
        // Without PRETTY_NAME, from VERSION_ID.
        let t = target(&p, Some(&os("sles", "15.5", ""))).unwrap();
        assert!(t.ecosystem.matches("SUSE:Linux Enterprise Server 15 SP5"));
        let t = target(&p, Some(&os("sles", "15", ""))).unwrap();
        assert!(
            t.ecosystem
                .matches("SUSE:Linux Enterprise Module for Basesystem 15")
        );
        assert!(!t.ecosystem.matches("SUSE:Linux Enterprise Server 15 SP1"));
        let micro = os("sle-micro", "5.5", "SUSE Linux Enterprise Micro 5.5");
        let t = target(&p, Some(&micro)).unwrap();
        assert_eq!(
            t.ecosystem,
            EcosystemKey::any_of(vec![EcosystemKey::Exact(s(
                "SUSE:Linux Enterprise Micro 5.5"
            ))])
        );
        for (d, want) in [
            (
                os("opensuse-leap", "15.5", "openSUSE Leap 15.5"),
                "openSUSE:Leap 15.5",
            ),
            (os("opensuse-leap", "15.6", ""), "openSUSE:Leap 15.6"),
            (
                os("opensuse-leap-micro", "5.5", "openSUSE Leap Micro 5.5"),
                "openSUSE:Leap Micro 5.5",
            ),
            (
                os("opensuse-tumbleweed", "20240321", "openSUSE Tumbleweed"),
                "openSUSE:Tumbleweed",
            ),
        ] {
            let t = target(&p, Some(&d)).unwrap();
            assert_eq!(t.ecosystem, EcosystemKey::Exact(s(want)));
            assert_eq!(t.name, "openssl-3");
        }
        // The binary's epoch goes with the source's version-release, and is
        // compared only against records that write epochs.
        let e = rpm(
            "libxml2-2",
            "1:2.10.3-150500.5.17.1",
            "libxml2",
            "2.10.3-150500.5.17.1",
        );
        let t = target(&e, Some(&sles)).unwrap();
        assert!(t.epochless_data);
        assert_eq!(t.version, "1:2.10.3-150500.5.17.1");
        let plain = affected(
            "SUSE:Linux Enterprise Server 15 SP5",
            "libxml2",
            vec![range(
                RangeKind::Ecosystem,
                vec![Introduced(s("0")), Fixed(s("2.10.3-150500.5.20.1"))],
            )],
            &[],
        );
        assert_eq!(t.version_for(&plain), "2.10.3-150500.5.17.1");
        assert!(matches!(
            evaluate(&plain, t.version_for(&plain), t.ordering),
            Verdict::Affected { .. }
        ));
        let with_epoch = affected(
            "SUSE:Linux Enterprise Server 15 SP5",
            "libxml2",
            vec![range(
                RangeKind::Ecosystem,
                vec![Introduced(s("0")), Fixed(s("1:2.10.3-150500.5.20.1"))],
            )],
            &[],
        );
        assert_eq!(t.version_for(&with_epoch), "1:2.10.3-150500.5.17.1");
        // Red Hat's data writes epochs: an installed version is compared whole.
        let rh = target(&e, Some(&os("rhel", "9.4", ""))).unwrap();
        assert!(!rh.epochless_data);
        assert_eq!(rh.version_for(&plain), "1:2.10.3-150500.5.17.1");
        let mut bare = pkg(PackageType::Rpm, "x", "2:1.0-1", "");
        bare.source_name = None;
        let t = target(&bare, Some(&sles)).unwrap();
        assert_eq!(
            (t.version.as_str(), t.version_for(&plain)),
            ("2:1.0-1", "1.0-1")
        );
    }

    #[test]
    fn photon_mageia_open_euler_and_apk_families() {
        let p = rpm("openssl-libs", "3.0.9-1.ph5", "openssl", "3.0.9-1.ph5");
        let t = target(&p, Some(&os("photon", "5.0", "VMware Photon OS/Linux"))).unwrap();
        assert_eq!(
            (t.ecosystem.stem(), t.name.as_str()),
            ("Photon OS:5.0", "openssl")
        );
        let t = target(&p, Some(&os("photon", "4", ""))).unwrap();
        assert_eq!(t.ecosystem.stem(), "Photon OS:4.0");
        let t = target(&p, Some(&os("mageia", "9", "Mageia 9"))).unwrap();
        assert_eq!(t.ecosystem, EcosystemKey::Exact(s("Mageia:9")));
        let euler = |version: Option<&str>, pretty: &str| Distro {
            version: version.map(s),
            ..os("openEuler", "22.03", pretty)
        };
        for (d, want) in [
            (
                euler(Some("22.03 (LTS-SP3)"), ""),
                "openEuler:22.03-LTS-SP3",
            ),
            (euler(Some("24.03 (LTS)"), ""), "openEuler:24.03-LTS"),
            (euler(Some("22.03 LTS SP1"), ""), "openEuler:22.03-LTS-SP1"),
            (
                euler(None, "openEuler 20.03 (LTS-SP4)"),
                "openEuler:20.03-LTS-SP4",
            ),
            (euler(None, ""), "openEuler:22.03"),
        ] {
            assert_eq!(target(&p, Some(&d)).unwrap().ecosystem.stem(), want);
        }
        let mut apk = pkg(PackageType::Apk, "libcrypto3", "3.3.2-r0", "");
        apk.source_name = Some(s("openssl"));
        for (d, want) in [
            (os("minimos", "20240101", ""), "MinimOS"),
            (os("alpaquita", "23", ""), "Alpaquita:23"),
            (
                os("bellsoft-hardened-containers", "stream", ""),
                "BellSoft Hardened Containers:stream",
            ),
        ] {
            let t = target(&apk, Some(&d)).unwrap();
            assert_eq!(
                (t.ecosystem.stem(), t.name.as_str(), t.ordering),
                (want, "openssl", Ecosystem::Alpine)
            );
        }
        // Azure Linux and CBL-Mariner, its earlier name: one ecosystem,
        // by release, keyed by the source package.
        for (d, want) in [
            (os("azurelinux", "3.0", ""), "Azure Linux:3"),
            (os("mariner", "2.0", ""), "Azure Linux:2"),
        ] {
            let t = target(&p, Some(&d)).unwrap();
            assert_eq!((t.ecosystem.stem(), t.epochless_data), (want, true));
        }
        // A distribution OSV has no data for: said, never clean.
        assert_eq!(
            target(&p, Some(&os("clear-linux-os", "41000", ""))),
            Err(NoTarget::UnknownDistro(s("clear-linux-os 41000")))
        );
    }

    #[test]
    fn ubuntu_pro_records_apply_to_images_with_esm_packages() {
        let ubuntu = os("ubuntu", "16.04", "Ubuntu 16.04.7 LTS");
        let mut ssl = pkg(
            PackageType::Deb,
            "libssl1.0.0",
            "1.0.2g-1ubuntu4.20+esm5",
            "",
        );
        ssl.source_name = Some(s("openssl"));
        let mut zlib = pkg(PackageType::Deb, "zlib1g", "1:1.2.8.dfsg-2ubuntu4.3", "");
        zlib.source_name = Some(s("zlib"));
        let inventory = plimsoll_sbom::Inventory {
            distro: Some(ubuntu.clone()),
            packages: vec![zlib.clone(), ssl.clone()],
            warnings: Default::default(),
        };
        let facts = ImageFacts::of(&inventory);
        assert!(facts.ubuntu_pro);
        // Every package of a Pro image, updated from ESM or not.
        let all = targets_in(&zlib, Some(&ubuntu), &facts).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].vendor_fork && all[0].ecosystem.matches("Ubuntu:Pro:16.04:LTS"));
        assert!(
            !all[0]
                .ecosystem
                .matches("Ubuntu:Pro:FIPS-updates:16.04:LTS")
        );
        assert!(!all[0].ecosystem.matches("Ubuntu:16.04:LTS"));
        assert!(!all[1].vendor_fork && all[1].ecosystem.matches("Ubuntu:16.04:LTS"));
        // Without an ESM package: the release's records only.
        let plain = plimsoll_sbom::Inventory {
            packages: vec![zlib.clone()],
            ..inventory.clone()
        };
        assert!(!ImageFacts::of(&plain).ubuntu_pro);
        assert_eq!(targets(&zlib, Some(&ubuntu)).unwrap().len(), 1);
        // `+esm` on a Debian image means nothing.
        let debian = plimsoll_sbom::Inventory {
            distro: Some(os("debian", "12", "")),
            ..inventory
        };
        assert!(!ImageFacts::of(&debian).ubuntu_pro);
    }

    #[test]
    fn errata_related_cves_count_as_ids() {
        let adv = |id: &str, related: &[&str]| Advisory {
            id: id.into(),
            aliases: vec![],
            related: related.iter().map(|r| r.to_string()).collect(),
            summary: String::new(),
            published: None,
            modified: s("2024-01-01T00:00:00Z"),
            severity: vec![],
            references: vec![],
            group: 0,
            vulnerability_id: String::new(),
            origin: Default::default(),
            kev: None,
            epss: None,
        };
        let a = adv(
            "ALSA-2024:1234",
            &["CVE-2024-1", "CVE-2024-2", "RHSA-2024:1"],
        );
        assert_eq!(
            errata_cves(&a).collect::<Vec<_>>(),
            ["CVE-2024-1", "CVE-2024-2"]
        );
        let g = adv("GHSA-xxxx-yyyy-zzzz", &["CVE-2024-3"]);
        assert_eq!(errata_cves(&g).count(), 0);
        assert_eq!(
            errata_cves(&adv("PHSA-2023-5.0-0005", &["CVE-2023-21980"])).collect::<Vec<_>>(),
            ["CVE-2023-21980"]
        );
    }

    #[test]
    fn go_toolchain_versions_as_osv_semver() {
        // The Go cataloger's `go1.24.1` against OSV's `1.24.6`: without the
        // conversion every stdlib record was "unknown", the fixed ones too.
        assert_eq!(go_toolchain_semver("go1.24.1"), "1.24.1");
        assert_eq!(go_toolchain_semver("go1.20"), "1.20.0");
        assert_eq!(go_toolchain_semver("go1.21rc2"), "1.21.0-rc.2");
        assert_eq!(go_toolchain_semver("go1.19beta1"), "1.19.0-beta.1");
        assert_eq!(go_toolchain_semver("devel +abc"), "devel +abc");
        assert_eq!(go_toolchain_semver("go1..2"), "go1..2");
        assert_eq!(go_toolchain_semver("go1.22rc"), "go1.22rc");
        let stdlib = pkg(PackageType::Golang, "stdlib", "go1.24.1", "");
        let t = target(&stdlib, None).unwrap();
        let a = affected(
            "Go",
            "stdlib",
            vec![range(
                RangeKind::Semver,
                vec![Introduced(s("1.24.0-0")), Fixed(s("1.24.6"))],
            )],
            &[],
        );
        assert_eq!(
            evaluate(&a, &t.version, t.ordering),
            Verdict::Affected {
                fixed: vec![s("1.24.6")]
            }
        );
        // SEMVER ranges of Go records are read with Go's grammar (`v1.2`
        // shorthand), which SemVer 2.0.0 as Cargo reads it refuses.
        let short = affected(
            "Go",
            "example.com/m",
            vec![range(
                RangeKind::Semver,
                vec![Introduced(s("0")), Fixed(s("v1.2"))],
            )],
            &[],
        );
        assert!(matches!(
            evaluate(&short, "v1.1.9", Ecosystem::Go),
            Verdict::Affected { .. }
        ));
    }

    #[test]
    fn root_io_packages_have_two_targets() {
        let debian = Distro {
            id: Some(s("debian")),
            version_id: Some(s("12")),
            ..Default::default()
        };
        let mut jq = pkg(PackageType::Deb, "rootio-libjq1", "1.6-2.1.root.io.2", "");
        jq.source_name = Some(s("rootio-jq"));
        let all = targets(&jq, Some(&debian)).unwrap();
        let view: Vec<(&str, &str, bool)> = all
            .iter()
            .map(|t| (t.ecosystem.stem(), t.name.as_str(), t.vendor_fork))
            .collect();
        assert_eq!(
            view,
            [
                ("Root:Debian:12", "rootio-jq", true),
                ("Debian:12", "jq", false)
            ]
        );
        // Shipped under the upstream name, marked by the version only.
        let mut pam = pkg(
            PackageType::Deb,
            "libpam-modules",
            "1.5.2-6+deb12u1.root.io.4",
            "",
        );
        pam.source_name = Some(s("pam"));
        assert_eq!(target(&pam, Some(&debian)).unwrap().name, "rootio-pam");
        let alpine = Distro {
            id: Some(s("alpine")),
            version_id: Some(s("3.18.6")),
            ..Default::default()
        };
        let mut ng = pkg(PackageType::Apk, "rootio-libnghttp2", "1.57.0-r00072", "");
        ng.source_name = Some(s("rootio-nghttp2"));
        let all = targets(&ng, Some(&alpine)).unwrap();
        assert_eq!(all[0].ecosystem, EcosystemKey::Exact(s("Root:Alpine:3.18")));
        assert_eq!(all[1].ecosystem, EcosystemKey::Exact(s("Alpine:v3.18")));
        assert_eq!(all[1].name, "nghttp2");
        let scoped = pkg(
            PackageType::Npm,
            "@rootio/babel__core",
            "7.0.0-root.io.1",
            "",
        );
        let all = targets(&scoped, None).unwrap();
        assert_eq!(
            (all[0].name.as_str(), all[1].name.as_str()),
            ("@rootio/babel__core", "@babel/core")
        );
        let spring = pkg(
            PackageType::Maven,
            "spring-core",
            "5.3.40-root.io.1",
            "pkg:maven/io.root.org.springframework/spring-core@5.3.40-root.io.1",
        );
        let all = targets(&spring, None).unwrap();
        assert_eq!(
            (
                all[0].ecosystem.stem(),
                all[0].name.as_str(),
                all[1].name.as_str()
            ),
            (
                "Root:Maven",
                "io.root.org.springframework:spring-core",
                "org.springframework:spring-core"
            )
        );
        // Ordinary packages: one target, no Root lookup.
        let plain = pkg(PackageType::Deb, "jq", "1.6-2.1+deb12u1", "");
        assert_eq!(targets(&plain, Some(&debian)).unwrap().len(), 1);
        let go = pkg(PackageType::Golang, "rootio-x", "v1.0.0", "");
        assert_eq!(targets(&go, None).unwrap().len(), 1);
    }

    #[test]
    fn bug_fix_errata_are_not_vulnerabilities() {
        let erratum = |id: &str, related: &[&str]| Advisory {
            id: id.into(),
            aliases: vec![],
            related: related.iter().map(|r| r.to_string()).collect(),
            summary: String::new(),
            published: None,
            modified: s("2024-01-01T00:00:00Z"),
            severity: vec![],
            references: vec![],
            group: 0,
            vulnerability_id: String::new(),
            origin: Default::default(),
            kev: None,
            epss: None,
        };
        assert!(!is_security_record(&erratum("ALBA-2021:4166", &[])));
        assert!(!is_security_record(&erratum("RLEA-2022:1", &[])));
        assert!(is_security_record(&erratum(
            "ALSA-2020:1852",
            &["CVE-2018-6952"]
        )));
        // A bug-fix erratum that does name a CVE is kept.
        assert!(is_security_record(&erratum("ALBA-2024:1", &["CVE-2024-1"])));
        assert!(is_security_record(&erratum("GHSA-xxxx", &[])));
    }

    #[test]
    fn errata_rating_in_the_summary() {
        let adv = |summary: &str| Advisory {
            id: s("ALSA-2024:1"),
            aliases: vec![],
            related: vec![],
            summary: summary.into(),
            published: None,
            modified: s("2024-01-01T00:00:00Z"),
            severity: vec![],
            references: vec![],
            group: 0,
            vulnerability_id: String::new(),
            origin: Default::default(),
            kev: None,
            epss: None,
        };
        let a = affected("AlmaLinux:8", "x", vec![], &[]);
        let r = rate(&adv("Important: openssl security update"), &a, true);
        assert_eq!(
            (r.severity, r.source.as_str()),
            (VulnSeverity::High, "summary Important")
        );
        assert_eq!(
            rate(&adv("Moderate: x"), &a, false).severity,
            VulnSeverity::Medium
        );
        // Not a rating: a title that merely has a colon.
        assert_eq!(
            rate(&adv("Low level: x"), &a, true).severity,
            VulnSeverity::Unknown
        );
        assert_eq!(
            rate(&adv("bash: bug fix"), &a, true).severity,
            VulnSeverity::Unknown
        );
    }

    #[test]
    fn severity_choice() {
        let mut adv = Advisory {
            id: s("GHSA-1"),
            aliases: vec![],
            related: vec![],
            summary: String::new(),
            published: None,
            modified: s("2024-01-01T00:00:00Z"),
            severity: vec![
                SeverityEntry {
                    kind: s("CVSS_V3"),
                    score: s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                },
                SeverityEntry {
                    kind: s("database_specific.severity"),
                    score: s("MODERATE"),
                },
            ],
            references: vec![],
            group: 0,
            vulnerability_id: String::new(),
            origin: Default::default(),
            kev: None,
            epss: None,
        };
        let a = affected("PyPI", "x", vec![], &[]);
        let r = rate(&adv, &a, false);
        assert_eq!((r.severity, r.score), (VulnSeverity::Critical, Some(9.8)));
        // An OS package: the distribution's word first.
        assert_eq!(rate(&adv, &a, true).severity, VulnSeverity::Medium);
        adv.severity.clear();
        assert_eq!(rate(&adv, &a, false).severity, VulnSeverity::Unknown);
    }
}
