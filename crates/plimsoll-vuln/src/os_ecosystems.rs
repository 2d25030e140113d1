//! Which OSV ecosystem holds an OS package's advisories, decided by the
//! image's os-release: the distributions plimsoll matches, the key each
//! one's data uses, and why.
//!
//! | os-release `ID` | ecosystem | name, version |
//! |---|---|---|
//! | `debian` | `Debian:<major>` | source package, source version |
//! | `ubuntu` | `Ubuntu:<release>[:LTS]`; with ESM builds installed also `Ubuntu:Pro:<release>[:LTS]`, whose "not affected" outweighs the release's "affected" | source package, source version |
//! | `alpine` | `Alpine:v<major.minor>` | origin, apk version |
//! | `wolfi`, `chainguard`, `minimos`, `cleanstart` | `Wolfi`, `Chainguard`, `MinimOS`, `CleanStart` (rolling) | origin |
//! | `alpaquita`, `bellsoft-hardened-containers` | `Alpaquita:<VERSION_ID>`, `BellSoft Hardened Containers:<VERSION_ID>` | origin |
//! | `almalinux`, `rocky` | `AlmaLinux:<major>`, `Rocky Linux:<major>` | binary package, `[epoch:]version-release` |
//! | `rhel` (UBI too), `centos`, or `rhel` in `ID_LIKE` | the streams the image's Red Hat content manifests name ([`Distro::content_sets`](plimsoll_sbom::Distro::content_sets): `rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2` is `Red Hat:rhel_eus:9.2::baseos`), else every `Red Hat:enterprise_linux:<major>::<stream>` (baseos, appstream, crb, …: a package can be in any), never EUS/AUS/E4S | binary package, `[epoch:]version-release` |
//! | `sles`, `sles_sap`, `sled`, `sle-micro`, `sl-micro`, `sle_hpc` | `SUSE:<PRETTY_NAME without "SUSE ">`, and on SLE 15 the Basesystem and Server Applications modules of the same service pack; not LTSS | source package, source version-release |
//! | `opensuse-leap`, `opensuse-leap-micro`, `opensuse-tumbleweed` | `openSUSE:<PRETTY_NAME without "openSUSE ">` (`Leap 15.5`, `Tumbleweed`); Slowroll (`opensuse-slowroll`, Tumbleweed's packages, later) against `openSUSE:Tumbleweed` | source package |
//! | `photon` | `Photon OS:<major.minor>` | source package |
//! | `mageia` | `Mageia:<major>` | source package |
//! | `openEuler` | `openEuler:<YY.MM>[-LTS[-SPn]]` from `VERSION="22.03 (LTS-SP3)"` | source package |
//! | `azurelinux`, `mariner` (CBL-Mariner, Azure Linux's earlier name) | `Azure Linux:<major>` (`3` for Azure Linux 3.0, `2` for CBL-Mariner 2.0) | source package |
//!
//! Why these choices:
//! - Red Hat's streams: the records name one entry per product stream a
//!   package ships in, and a package's fix is the same in every stream of a
//!   major, so the image's streams need not be known; the extended-support
//!   streams (EUS, AUS, E4S, `rhel_eus:9.2::…`) carry their own, lower
//!   fixes for subscribers, and nothing in an image's os-release says it is
//!   one: only the content manifests Red Hat's builds leave in the image
//!   do (`root/buildinfo/content_manifests/*.json`,
//!   `usr/share/buildinfo/content-sets.json`), and when they name streams
//!   the image is matched against those alone. CentOS
//!   Stream runs ahead of RHEL: its packages compared with RHEL's fixes can
//!   show a fixed package as affected until RHEL ships the fix.
//! - SUSE: OSV's SUSE ecosystem names products as os-release's
//!   `PRETTY_NAME` does; SLE 15 systems and the SLE BCI images install their
//!   packages from the Basesystem (and Server Applications) modules, whose
//!   records list packages the product's own may not. LTSS and other paid
//!   extensions are subscriptions nothing in the image shows.
//! - Ubuntu Pro: see [`ImageFacts::ubuntu_pro`](crate::matcher::ImageFacts::ubuntu_pro).
//! - Azure Linux: OSV's records are converted from Microsoft's OVAL feeds
//!   (`AZL-<definition>`), which name source packages and write their
//!   fixes without the `.azl3`/`.cm2` release tag (`9.8p1-1`): an installed
//!   `9.8p1-1.azl3` is that fix, rpm's ordering puts it after.
//! - Source-keyed rpm data (SUSE, openSUSE, Photon OS, Mageia, openEuler, Azure Linux)
//!   writes versions as source rpm file names do, usually without an epoch:
//!   see [`Target::version_for`](crate::matcher::Target::version_for).
//!

use plimsoll_sbom::{Distro, Package, PackageType};

use crate::matcher::{EcosystemKey, NoTarget};
use crate::version::Ecosystem;

/// Where an OS package's advisories are: (ecosystem key, name, version,
/// ordering), decided by the image's os-release (see the module docs).
pub(crate) fn os_target(
    pkg: &Package,
    d: &Distro,
) -> Result<(EcosystemKey, String, String, Ecosystem), NoTarget> {
    let id =
        d.id.as_deref()
            .ok_or(NoTarget::NoRelease(pkg.package_type))?;
    let source = pkg.source_name.clone().unwrap_or_else(|| pkg.name.clone());
    // Source-keyed rpm data (SUSE, openSUSE, Photon, Mageia, openEuler, Azure Linux):
    // the source package's `version-release` (its file name's), with the
    // binary's epoch, which the source's is (one spec file).
    let source_evr = || match &pkg.source_version {
        Some(vr) if strip_epoch(vr).len() == vr.len() => {
            match pkg.version.len() - strip_epoch(&pkg.version).len() {
                0 => vr.clone(),
                n => format!("{}{vr}", &pkg.version[..n]),
            }
        }
        Some(evr) => evr.clone(),
        None => pkg.version.clone(),
    };
    let binary = |key: EcosystemKey| {
        Ok((
            key,
            pkg.name.clone(),
            pkg.version.clone(),
            Ecosystem::RedHat,
        ))
    };
    let by_source =
        |key: EcosystemKey, ordering: Ecosystem| Ok((key, source.clone(), source_evr(), ordering));
    let unknown = || {
        NoTarget::UnknownDistro(match d.version_id.as_deref() {
            Some(v) => format!("{id} {v}"),
            None => id.to_string(),
        })
    };
    let apk_source = |key: &str| {
        Ok((
            EcosystemKey::Exact(key.to_string()),
            source.clone(),
            pkg.version.clone(),
            Ecosystem::Alpine,
        ))
    };
    // Rolling distributions: one ecosystem, no release.
    match (pkg.package_type, id) {
        (PackageType::Apk, "wolfi") => return apk_source("Wolfi"),
        (PackageType::Apk, "chainguard") => return apk_source("Chainguard"),
        (PackageType::Apk, "minimos") => return apk_source("MinimOS"),
        (PackageType::Apk, "cleanstart" | "clnstrt") => return apk_source("CleanStart"),
        (PackageType::Rpm, "opensuse-tumbleweed" | "opensuse-slowroll") => {
            return by_source(
                EcosystemKey::Exact("openSUSE:Tumbleweed".into()),
                Ecosystem::RedHat,
            );
        }
        _ => {}
    }
    let release = d
        .version_id
        .as_deref()
        .ok_or(NoTarget::NoRelease(pkg.package_type))?;
    let major = release.split('.').next().unwrap_or(release);
    match (pkg.package_type, id) {
        (PackageType::Deb, "debian") => Ok((
            EcosystemKey::Exact(format!("Debian:{major}")),
            source,
            pkg.source_version
                .clone()
                .unwrap_or_else(|| pkg.version.clone()),
            Ecosystem::Debian,
        )),
        (PackageType::Deb, "ubuntu") => Ok((
            EcosystemKey::Release(format!("Ubuntu:{release}")),
            source,
            pkg.source_version
                .clone()
                .unwrap_or_else(|| pkg.version.clone()),
            Ecosystem::Ubuntu,
        )),
        (PackageType::Apk, "alpine") => {
            let minor: Vec<&str> = release.split('.').take(2).collect();
            apk_source(&format!("Alpine:v{}", minor.join(".")))
        }
        (PackageType::Apk, "alpaquita") => apk_source(&format!("Alpaquita:{release}")),
        (PackageType::Apk, "bellsoft-hardened-containers") => {
            apk_source(&format!("BellSoft Hardened Containers:{release}"))
        }
        (PackageType::Rpm, "almalinux") => {
            binary(EcosystemKey::Exact(format!("AlmaLinux:{major}")))
        }
        (PackageType::Rpm, "rocky") => binary(EcosystemKey::Exact(format!("Rocky Linux:{major}"))),
        (PackageType::Rpm, _) if red_hat_like(d) => binary(red_hat_streams(d, major)),

        (PackageType::Rpm, "sles" | "sles_sap" | "sled" | "sle-micro" | "sl-micro" | "sle_hpc") => {
            suse_key(d, release)
                .map(|key| by_source(key, Ecosystem::RedHat))
                .unwrap_or_else(|| Err(unknown()))
        }
        (PackageType::Rpm, "opensuse-leap" | "opensuse-leap-micro" | "opensuse") => {
            // OSV's release is os-release's PRETTY_NAME without the
            // distribution: `openSUSE Leap 15.5` -> `openSUSE:Leap 15.5`.
            let product = match d
                .pretty_name
                .as_deref()
                .and_then(|p| p.strip_prefix("openSUSE "))
            {
                Some(p) if p.contains("Tumbleweed") => "Tumbleweed".to_string(),
                Some(p) => p.to_string(),
                None => format!("Leap {release}"),
            };
            by_source(
                EcosystemKey::Exact(format!("openSUSE:{product}")),
                Ecosystem::RedHat,
            )
        }
        (PackageType::Rpm, "photon") => {
            let minor = if release.contains('.') {
                release.to_string()
            } else {
                format!("{release}.0")
            };
            by_source(
                EcosystemKey::Exact(format!("Photon OS:{minor}")),
                Ecosystem::RedHat,
            )
        }
        (PackageType::Rpm, "mageia") => by_source(
            EcosystemKey::Exact(format!("Mageia:{major}")),
            Ecosystem::RedHat,
        ),
        (PackageType::Rpm, "azurelinux" | "mariner") => by_source(
            EcosystemKey::Exact(format!("Azure Linux:{major}")),
            Ecosystem::RedHat,
        ),
        (PackageType::Rpm, "openEuler" | "openeuler") => match open_euler_release(d) {
            Some(r) => by_source(
                EcosystemKey::Exact(format!("openEuler:{r}")),
                Ecosystem::RedHat,
            ),
            None => Err(unknown()),
        },
        _ => Err(unknown()),
    }
}

/// `1:2.3-4` without its epoch.
pub(crate) fn strip_epoch(evr: &str) -> &str {
    match evr.split_once(':') {
        Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => evr,
    }
}

/// Red Hat Enterprise Linux and the images built on it: UBI (`ID=rhel`),
/// CentOS Linux and CentOS Stream (`ID=centos`), and a rebuild that names
/// `rhel` in `ID_LIKE` and has no data of its own here (AlmaLinux and Rocky
/// Linux do, and are matched against it first; Oracle Linux says only
/// `fedora`).
fn red_hat_like(d: &Distro) -> bool {
    match d.id.as_deref() {
        Some("rhel" | "centos") => true,
        Some("almalinux" | "rocky" | "fedora" | "ol" | "amzn") => false,
        _ => d
            .id_like
            .as_deref()
            .is_some_and(|l| l.split_whitespace().any(|w| w == "rhel")),
    }
}

/// The Red Hat product streams of an image of RHEL `major`: those its
/// content manifests name ([`Distro::content_sets`](plimsoll_sbom::Distro::content_sets)), else every stream of
/// the major (`Red Hat:enterprise_linux:<major>::…`).
fn red_hat_streams(d: &Distro, major: &str) -> EcosystemKey {
    let streams: Vec<EcosystemKey> = d
        .content_sets
        .iter()
        .filter_map(|set| red_hat_stream(set, major))
        .collect();
    if streams.is_empty() {
        EcosystemKey::Release(format!("Red Hat:enterprise_linux:{major}"))
    } else {
        EcosystemKey::any_of(streams)
    }
}

/// The stream a content set (a repository id) is, as OSV's Red Hat
/// ecosystem names it: `rhel-9-for-x86_64-baseos-rpms` and
/// `ubi-9-baseos-rpms` are `Red Hat:enterprise_linux:9::baseos`;
/// `rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_2` is
/// `Red Hat:rhel_eus:9.2::appstream` (`aus`, `e4s` alike);
/// `codeready-builder-for-rhel-9-x86_64-rpms` and
/// `ubi-9-codeready-builder-rpms` are `…::crb`. `None` for other
/// repositories (debug and source ones, layered products').
fn red_hat_stream(set: &str, major: &str) -> Option<EcosystemKey> {
    let (set, release) = match set.split_once("__") {
        Some((set, release)) => (set, Some(release.replace("_DOT_", "."))),
        None => (set, None),
    };
    let rest = set.strip_suffix("-rpms")?;
    let main = |stream: &str| {
        Some(EcosystemKey::Exact(format!(
            "Red Hat:enterprise_linux:{major}::{stream}"
        )))
    };
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if let Some(stream) = rest.strip_prefix(&format!("ubi-{major}-")) {
        return match stream {
            "codeready-builder" => main("crb"),
            s if word(s) => main(s),
            _ => None,
        };
    }
    if let Some(arch) = rest
        .strip_prefix("codeready-builder-for-rhel-")
        .and_then(|r| r.strip_prefix(major))
        .and_then(|r| r.strip_prefix('-'))
    {
        return word(arch).then(|| main("crb")).flatten();
    }
    let r = rest.strip_prefix(&format!("rhel-{major}-for-"))?;
    let (arch, stream) = r.split_once('-')?;
    if !word(arch) {
        return None;
    }
    for extended in ["eus", "aus", "e4s", "tus"] {
        if let Some(stream) = stream.strip_suffix(&format!("-{extended}")) {
            let release = release?;
            return (word(stream) && release.starts_with(&format!("{major}."))).then(|| {
                EcosystemKey::Exact(format!("Red Hat:rhel_{extended}:{release}::{stream}"))
            });
        }
    }
    if word(stream) { main(stream) } else { None }
}

/// The SUSE products whose records cover an SLE image's packages: the
/// product its os-release names (`PRETTY_NAME="SUSE Linux Enterprise Server
/// 15 SP5"`, OSV's `SUSE:Linux Enterprise Server 15 SP5`) and, on SLE 15,
/// the modules every such system (and the SLE BCI container images, built
/// from the same update repositories) takes its packages from: Basesystem
/// and Server Applications. LTSS, ESPOS and other subscriptions' records
/// are not matched: nothing in an image says it has them.
fn suse_key(d: &Distro, release: &str) -> Option<EcosystemKey> {
    let product = match d
        .pretty_name
        .as_deref()
        .and_then(|p| p.strip_prefix("SUSE "))
    {
        Some(p) => p.to_string(),
        None => {
            // No PRETTY_NAME: `15.5` is "Linux Enterprise Server 15 SP5".
            let (major, sp) = release.split_once('.').unwrap_or((release, "0"));
            let sp = if sp == "0" {
                String::new()
            } else {
                format!(" SP{sp}")
            };
            match d.id.as_deref() {
                Some("sles") => format!("Linux Enterprise Server {major}{sp}"),
                _ => return None,
            }
        }
    };
    let mut keys = vec![EcosystemKey::Exact(format!("SUSE:{product}"))];
    // `15 SP5` of `Linux Enterprise Server 15 SP5`.
    let service_pack = product
        .split_once(" 15")
        .map(|(_, rest)| format!("15{rest}"))
        .filter(|sp| sp == "15" || sp.starts_with("15 SP"));
    if !product.contains("Micro")
        && let Some(sp) = service_pack
    {
        for module in ["Basesystem", "Server Applications"] {
            keys.push(EcosystemKey::Exact(format!(
                "SUSE:Linux Enterprise Module for {module} {sp}"
            )));
        }
    }
    Some(EcosystemKey::any_of(keys))
}

/// openEuler's release as OSV names it (`22.03-LTS-SP3`), from os-release's
/// `VERSION="22.03 (LTS-SP3)"` (or `PRETTY_NAME="openEuler 22.03
/// (LTS-SP3)"`); an innovation release has no qualifier (`23.09`).
fn open_euler_release(d: &Distro) -> Option<String> {
    let from = |text: &str| -> Option<String> {
        let text = text.trim();
        let text = text.strip_prefix("openEuler").unwrap_or(text).trim();
        let (number, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let qualifier = rest
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim()
            .replace(' ', "-");
        Some(if qualifier.is_empty() {
            number.to_string()
        } else {
            format!("{number}-{qualifier}")
        })
    };
    d.version
        .as_deref()
        .and_then(from)
        .or_else(|| d.pretty_name.as_deref().and_then(from))
        .or_else(|| d.version_id.clone())
}
