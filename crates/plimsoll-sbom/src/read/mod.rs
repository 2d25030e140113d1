//! Reading SBOM documents other tools (or plimsoll) wrote: CycloneDX JSON
//! (1.2–1.6) and XML, SPDX 2.2/2.3 JSON and SPDX tag-value, into plimsoll's
//! own [`Inventory`], so the matcher matches them as it matches an image's
//! packages (`plimsoll scan sbom:FILE`).
//!
//! - the format is told by content ([`detect`]), never by the file name;
//! - each package keeps its name, version and purl; the purl's type decides
//!   its [`PackageType`] (plimsoll's own `plimsoll:package:type` property,
//!   and syft's `syft:package:type` for `pkg:generic` kernels, first); its
//!   qualifiers give the architecture (`arch`) and the source package
//!   (`upstream`: `name` or `name@version`; an rpm's source rpm file name);
//!   licences, supplier and CPEs as the document states them;
//! - the distribution ([`Inventory::distro`]) is the document's
//!   operating-system component (CycloneDX, with syft's `syft:distro:*` and
//!   plimsoll's `plimsoll:distro:codename` properties) or OPERATING-SYSTEM
//!   package (SPDX), else the `distro=<id>-<version>` qualifier of the OS
//!   packages' purls (syft and plimsoll write it), else none: OS packages
//!   are then reported as not matched, as for an image of an unknown
//!   distribution;
//! - a component without a purl, or with a purl type plimsoll has no
//!   ecosystem for, is left out with a warning naming it; the document's
//!   subject (the image or directory it describes) is not a package, nor
//!   are CycloneDX `file`, `data`, `machine-learning-model` and
//!   `cryptographic-asset` components;
//! - bad input is an error naming the file and what is wrong
//!   ([`ReadError`]), never a panic.

mod cyclonedx_json;
mod cyclonedx_xml;
mod spdx_json;
mod spdx_tag;

use std::fmt;

use crate::purl::percent_decode;
use crate::{Distro, Inventory, Package, PackageType};

/// The most a document may be (syft's SBOM of a large image is tens of
/// megabytes).
pub const SBOM_LIMIT: u64 = 512 * 1024 * 1024;

/// The SBOM formats plimsoll reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    CycloneDxJson,
    CycloneDxXml,
    SpdxJson,
    SpdxTagValue,
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SbomFormat::CycloneDxJson => "CycloneDX JSON",
            SbomFormat::CycloneDxXml => "CycloneDX XML",
            SbomFormat::SpdxJson => "SPDX JSON",
            SbomFormat::SpdxTagValue => "SPDX tag-value",
        })
    }
}

/// What an SBOM document says: its subject and packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomDocument {
    pub format: SbomFormat,
    /// The spec version the document states (`1.6`, `SPDX-2.3`).
    pub spec_version: String,
    /// What the document describes: CycloneDX `metadata.component`'s name,
    /// the package an SPDX document DESCRIBES, else the SPDX document's
    /// name. None when it names nothing.
    pub subject: Option<String>,
    /// The subject's version (an image's digest, for plimsoll and syft).
    pub subject_version: Option<String>,
    /// The packages (sorted) and distribution; warnings name what was
    /// left out.
    pub inventory: Inventory,
    /// `sha256:<hex>` of the document's bytes: its identity when the
    /// subject has no digest.
    pub content_digest: String,
}

/// An SBOM document could not be read; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "{file}: not an SBOM plimsoll reads (CycloneDX JSON or XML, SPDX JSON or tag-value): {why}"
    )]
    Unknown { file: String, why: String },
    #[error("{file}: {format}: {why}")]
    Invalid {
        file: String,
        format: SbomFormat,
        why: String,
    },
    #[error("{file}: {size} bytes, more than the {limit} an SBOM may be")]
    TooLarge { file: String, size: u64, limit: u64 },
}

/// Tells the format by the document's content: JSON with `bomFormat`
/// CycloneDX or an `spdxVersion`, XML whose root is CycloneDX's `bom`,
/// or tag-value text with `SPDXVersion:`.
pub fn detect(content: &[u8]) -> Option<SbomFormat> {
    let text = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = &text[start..];
    match text[0] {
        b'{' => {
            // Cheap look at the keys; the parser decides for real.
            let head = &text[..text.len().min(1 << 20)];
            let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
            if has(b"\"bomFormat\"") {
                Some(SbomFormat::CycloneDxJson)
            } else if has(b"\"spdxVersion\"") {
                Some(SbomFormat::SpdxJson)
            } else {
                None
            }
        }
        b'<' => {
            let head = &text[..text.len().min(1 << 16)];
            let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
            has(b"cyclonedx.org/schema/bom").then_some(SbomFormat::CycloneDxXml)
        }
        _ => {
            let head = String::from_utf8_lossy(&text[..text.len().min(1 << 16)]);
            head.lines()
                .any(|l| l.trim_start().starts_with("SPDXVersion:"))
                .then_some(SbomFormat::SpdxTagValue)
        }
    }
}

/// Reads the document `content` of `file` (named in errors and warnings).
pub fn read_document(file: &str, content: &[u8]) -> Result<SbomDocument, ReadError> {
    if content.len() as u64 > SBOM_LIMIT {
        return Err(ReadError::TooLarge {
            file: file.into(),
            size: content.len() as u64,
            limit: SBOM_LIMIT,
        });
    }
    let format = detect(content).ok_or_else(|| ReadError::Unknown {
        file: file.into(),
        why: describe_unknown(content),
    })?;
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let invalid = |why: String| ReadError::Invalid {
        file: file.into(),
        format,
        why,
    };
    let parsed = match format {
        SbomFormat::CycloneDxJson => cyclonedx_json::parse(content),
        SbomFormat::CycloneDxXml => cyclonedx_xml::parse(content),
        SbomFormat::SpdxJson => spdx_json::parse(content),
        SbomFormat::SpdxTagValue => spdx_tag::parse(content),
    }
    .map_err(invalid)?;
    let mut doc = parsed.into_document(format, file);
    doc.content_digest = {
        use sha2::{Digest as _, Sha256};
        let hash = Sha256::digest(content);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    };
    Ok(doc)
}

/// Reads the SBOM document at `path`.
pub fn read_file(path: &std::path::Path) -> Result<SbomDocument, ReadError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Unknown {
        file: file.clone(),
        why: format!("cannot be read: {e}"),
    })?;
    if meta.len() > SBOM_LIMIT {
        return Err(ReadError::TooLarge {
            file,
            size: meta.len(),
            limit: SBOM_LIMIT,
        });
    }
    let content = std::fs::read(path).map_err(|e| ReadError::Unknown {
        file: file.clone(),
        why: format!("cannot be read: {e}"),
    })?;
    read_document(&file, &content)
}

fn describe_unknown(content: &[u8]) -> String {
    let text = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        None => "the file is empty".into(),
        Some(b'{') => "JSON without CycloneDX's \"bomFormat\" or SPDX's \"spdxVersion\"".into(),
        Some(b'<') => {
            "XML without CycloneDX's namespace (http://cyclonedx.org/schema/bom/…)".into()
        }
        Some(_) => "no `SPDXVersion:` line and neither JSON nor XML".into(),
    }
}

/// One package as a document lists it, before it becomes a [`Package`].
#[derive(Debug, Default, Clone)]
pub(crate) struct RawPackage {
    /// Where it is in the document (`components[3]`, `SPDXRef-…`), for warnings.
    pub at: String,
    pub name: String,
    /// CycloneDX `group` (npm scope, Go module prefix, Maven group).
    pub group: Option<String>,
    pub version: String,
    pub purl: Option<String>,
    pub cpes: Vec<String>,
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
    /// `name=value` properties (CycloneDX), in document order.
    pub properties: Vec<(String, String)>,
}

impl RawPackage {
    fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// What a format's parser gives: the subject, the OS it names and the
/// packages.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub spec_version: String,
    pub subject: Option<String>,
    pub subject_version: Option<String>,
    pub distro: Option<Distro>,
    pub packages: Vec<RawPackage>,
    pub warnings: Vec<String>,
}

impl Parsed {
    fn into_document(self, format: SbomFormat, file: &str) -> SbomDocument {
        let mut inventory = Inventory::default();
        for w in &self.warnings {
            inventory.warnings.push(format!("{file}: {w}"));
        }
        for raw in self.packages {
            match package(&raw, file) {
                Ok(p) => inventory.packages.push(p),
                Err(why) => inventory.warnings.push(format!(
                    "{file}: {} ({} {}): {why}; left out",
                    raw.at, raw.name, raw.version
                )),
            }
        }
        inventory.distro = self
            .distro
            .filter(|d| d.id.is_some())
            .or_else(|| distro_of_purls(&inventory.packages));
        inventory.sort();
        SbomDocument {
            format,
            spec_version: self.spec_version,
            subject: self.subject.filter(|s| !s.trim().is_empty()),
            subject_version: self.subject_version.filter(|s| !s.trim().is_empty()),
            inventory,
            content_digest: String::new(),
        }
    }
}

/// A package URL taken apart (<https://github.com/package-url/purl-spec>):
/// type lowercased, namespace, name, version and qualifiers decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPurl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl ParsedPurl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`.
    pub fn parse(purl: &str) -> Result<ParsedPurl, String> {
        let rest = purl
            .trim()
            .strip_prefix("pkg:")
            .ok_or_else(|| format!("purl {purl:?} does not start with pkg:"))?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (ty, path) = rest
            .split_once('/')
            .ok_or_else(|| format!("purl {purl:?} has no name"))?;
        if ty.is_empty() {
            return Err(format!("purl {purl:?} has no type"));
        }
        // The version follows the last `@` after the last `/` (a scoped npm
        // name's `@` is encoded, or comes before a `/`).
        let (path, version) = match path.rfind('@') {
            Some(i) if !path[i..].contains('/') => {
                (&path[..i], Some(percent_decode(&path[i + 1..])))
            }
            _ => (path, None),
        };
        let path = path.trim_end_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (
                Some(
                    ns.split('/')
                        .filter(|s| !s.is_empty())
                        .map(percent_decode)
                        .collect::<Vec<_>>()
                        .join("/"),
                ),
                n,
            ),
            None => (None, path),
        };
        if name.is_empty() {
            return Err(format!("purl {purl:?} has no name"));
        }
        let qualifiers = qualifiers
            .split('&')
            .filter(|q| !q.is_empty())
            .filter_map(|q| q.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), percent_decode(v)))
            .collect();
        Ok(ParsedPurl {
            ty: ty.to_ascii_lowercase(),
            namespace: namespace.filter(|n| !n.is_empty()),
            name: percent_decode(name),
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A CycloneDX `operating-system` component as the distribution (JSON and
/// XML alike): its name and version, its description as the pretty name,
/// and syft's and plimsoll's `…:distro:*` properties where they say more.
pub(super) fn cyclonedx_os_distro(
    props: &[(String, String)],
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
) -> Distro {
    let prop = |names: &[&str]| {
        props
            .iter()
            .find(|(n, v)| names.contains(&n.as_str()) && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    Distro {
        id: prop(&["syft:distro:id"])
            .or(name)
            .map(|s| s.to_ascii_lowercase()),
        version_id: prop(&["syft:distro:versionID"]).or(version),
        version_codename: prop(&["syft:distro:versionCodename", "plimsoll:distro:codename"]),
        pretty_name: prop(&["syft:distro:prettyName"]).or(description),
        id_like: prop(&["syft:distro:idLike"]),
        ..Distro::default()
    }
}

/// The package type of a purl type; None where plimsoll has no ecosystem.
/// `pkg:generic` is a program identified by its content (syft's and
/// plimsoll's `binary`) unless the document's type property says kernel.
fn purl_type(ty: &str) -> Option<PackageType> {
    Some(match ty {
        "deb" => PackageType::Deb,
        "apk" => PackageType::Apk,
        "rpm" => PackageType::Rpm,
        "pypi" => PackageType::Pypi,
        "npm" => PackageType::Npm,
        "golang" => PackageType::Golang,
        "cargo" => PackageType::Cargo,
        "maven" => PackageType::Maven,
        "gem" => PackageType::Gem,
        "composer" => PackageType::Composer,
        "conda" => PackageType::Conda,
        "nuget" => PackageType::Nuget,
        "github" | "githubactions" => PackageType::Github,
        "alpm" => PackageType::Alpm,
        "bitnami" => PackageType::Bitnami,
        "generic" => PackageType::Binary,
        "hackage" => PackageType::Hackage,
        "cran" => PackageType::RPackage,
        "hex" => PackageType::Hex,
        "pub" => PackageType::DartPub,
        "otp" => PackageType::ErlangOtp,
        "swift" => PackageType::Swift,
        "cocoapods" => PackageType::Cocoapods,
        "ebuild" => PackageType::Portage,
        "nix" => PackageType::Nix,
        "luarocks" => PackageType::LuaRocks,
        "swiplpack" => PackageType::SwiplPack,
        "conan" => PackageType::Conan,
        "opam" => PackageType::Opam,
        _ => return None,
    })
}

/// The package type a document's type property names: plimsoll's own
/// names ([`PackageType::as_str`]) and syft's where they differ.
fn named_type(name: &str) -> Option<PackageType> {
    if let Some(t) = PackageType::ALL.iter().find(|t| t.as_str() == name) {
        return Some(*t);
    }
    Some(match name {
        "python" => PackageType::Pypi,
        "go-module" => PackageType::Golang,
        "rust-crate" => PackageType::Cargo,
        "java-archive" | "jenkins-plugin" | "graalvm-native-image" => PackageType::Maven,
        "php-composer" | "php-pecl" | "php-pear" => PackageType::Composer,
        "dotnet" => PackageType::Nuget,
        "github-action" | "github-action-workflow" => PackageType::Github,
        _ => return None,
    })
}

/// A document's package as plimsoll's [`Package`], or why it cannot be one.
fn package(raw: &RawPackage, file: &str) -> Result<Package, String> {
    let purl = match raw.purl.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(ParsedPurl::parse(p)?),
        None => None,
    };
    let declared = raw
        .property("plimsoll:package:type")
        .and_then(named_type)
        .or_else(|| {
            // syft writes kernels and modules as pkg:generic; its type says which.
            raw.property("syft:package:type")
                .and_then(named_type)
                .filter(|t| matches!(t, PackageType::LinuxKernel | PackageType::LinuxKernelModule))
        });
    let package_type = match (&purl, declared) {
        (_, Some(t)) => t,
        (Some(p), None) => purl_type(&p.ty)
            .ok_or_else(|| format!("purl type {:?} has no ecosystem in plimsoll", p.ty))?,
        (None, None) => return Err("no purl to tell its ecosystem".into()),
    };
    let mut name = raw.name.trim().to_string();
    if name.is_empty() {
        name = purl.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    }
    if name.is_empty() {
        return Err("no name".into());
    }
    // CycloneDX writers that split a scope or module path into `group`.
    if let Some(group) = raw
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        && matches!(
            package_type,
            PackageType::Npm | PackageType::Golang | PackageType::Composer | PackageType::Github
        )
        && !name.contains('/')
    {
        name = format!("{group}/{name}");
    }
    let mut version = raw.version.trim().to_string();
    if version.is_empty()
        && let Some(v) = purl.as_ref().and_then(|p| p.version.clone())
    {
        version = v;
    }
    let location = raw
        .property("plimsoll:location:path")
        .or_else(|| raw.property("syft:location:0:path"))
        .map(|p| p.trim_start_matches('/').to_string())
        .unwrap_or_else(|| file.to_string());
    let layer = raw
        .property("plimsoll:layer:index")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut pkg = Package::new(
        package_type,
        name,
        version,
        raw.purl.as_deref().map(str::trim).unwrap_or_default(),
        location,
        layer,
    );
    pkg.arch = raw
        .property("plimsoll:package:arch")
        .map(str::to_string)
        .or_else(|| {
            purl.as_ref()
                .and_then(|p| p.qualifier("arch"))
                .map(str::to_string)
        });
    let (source_name, source_version) = purl
        .as_ref()
        .map(|p| source_of(p, package_type))
        .unwrap_or_default();
    pkg.source_name = raw
        .property("plimsoll:package:sourceName")
        .map(str::to_string)
        .or(source_name);
    pkg.source_version = raw
        .property("plimsoll:package:sourceVersion")
        .map(str::to_string)
        .or(source_version);
    pkg.licenses = raw
        .licenses
        .iter()
        .flat_map(|l| split_conjunction(l))
        .collect();
    pkg.supplier = raw.supplier.clone();
    pkg.cpes = raw.cpes.clone();
    for (n, v) in &raw.properties {
        if (n == "plimsoll:cpe23" || n == "syft:cpe23") && !pkg.cpes.contains(v) {
            pkg.cpes.push(v.clone());
        }
    }
    Ok(pkg)
}

/// The source package a purl's `upstream` qualifier names: `name` or
/// `name@version` (deb, apk); an rpm's source rpm file
/// (`openssl-3.0.7-27.el9.src.rpm`: name `openssl`, version `3.0.7-27.el9`).
fn source_of(purl: &ParsedPurl, ty: PackageType) -> (Option<String>, Option<String>) {
    let Some(up) = purl.qualifier("upstream") else {
        return (None, None);
    };
    if ty == PackageType::Rpm
        && let Some(stem) = up
            .strip_suffix(".src.rpm")
            .or(up.strip_suffix(".nosrc.rpm"))
    {
        let mut parts = stem.rsplitn(3, '-');
        if let (Some(release), Some(version), Some(name)) =
            (parts.next(), parts.next(), parts.next())
        {
            return (Some(name.into()), Some(format!("{version}-{release}")));
        }
        return (Some(stem.into()), None);
    }
    match up.split_once('@') {
        Some((n, v)) => (
            Some(n.into()),
            Some(v.into()).filter(|v: &String| !v.is_empty()),
        ),
        None => (Some(up.into()), None),
    }
}

/// The distribution the OS packages' purls name (`distro=debian-12`,
/// `distro=alpine-3.19.1`, `distro=rhel-9.4`), when they agree on one.
fn distro_of_purls(packages: &[Package]) -> Option<Distro> {
    let mut found: Option<String> = None;
    for p in packages.iter().filter(|p| p.package_type.is_os()) {
        let Ok(purl) = ParsedPurl::parse(&p.purl) else {
            continue;
        };
        let Some(d) = purl.qualifier("distro") else {
            continue;
        };
        match &found {
            None => found = Some(d.to_string()),
            Some(f) if f == d => {}
            Some(_) => return None,
        }
    }
    let found = found?;
    Some(distro_from_qualifier(&found))
}

/// `<id>-<version>` (the version starts at the last `-` followed by a
/// digit; `opensuse-leap-15.5`), or just the id.
pub fn distro_from_qualifier(q: &str) -> Distro {
    let split = q
        .char_indices()
        .filter(|(i, c)| *c == '-' && q[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i)
        .next_back();
    let (id, version) = match split {
        Some(i) => (&q[..i], Some(q[i + 1..].to_string())),
        None => (q, None),
    };
    Distro {
        id: Some(id.to_ascii_lowercase()),
        version_id: version,
        ..Distro::default()
    }
}

/// Licence texts of SPDX's `licenseDeclared` (or concluded): none for
/// NOASSERTION and NONE.
pub(crate) fn spdx_license(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    (!t.is_empty() && t != "NOASSERTION" && t != "NONE").then(|| t.to_string())
}

/// `Organization: X` / `Person: X` / `Tool: X` as X; none for NOASSERTION.
pub(crate) fn spdx_supplier(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    if t.is_empty() || t == "NOASSERTION" {
        return None;
    }
    let t = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    Some(t.trim().to_string()).filter(|s| !s.is_empty())
}

/// One SPDX package, JSON or tag-value, before the document's subject and
/// distribution are told apart from its packages.
#[derive(Debug, Default)]
pub(crate) struct SpdxPackage {
    pub id: String,
    pub purpose: Option<String>,
    pub declared: Option<String>,
    pub concluded: Option<String>,
    pub supplier: Option<String>,
    pub raw: RawPackage,
}

impl SpdxPackage {
    /// An `externalRefs` entry: the purl and CPEs; others are ignored.
    pub fn reference(&mut self, category: &str, ty: &str, locator: String) {
        let category = category.to_ascii_uppercase().replace('_', "-");
        match (category.as_str(), ty) {
            ("PACKAGE-MANAGER", "purl") if self.raw.purl.is_none() => self.raw.purl = Some(locator),
            ("SECURITY", "cpe23Type" | "cpe22Type") if !self.raw.cpes.contains(&locator) => {
                self.raw.cpes.push(locator)
            }
            _ => {}
        }
    }
}

/// The SPDX document's subject, distribution and packages, from either
/// serialisation.
pub(crate) fn spdx_parsed(
    spec_version: String,
    doc_name: Option<String>,
    described: &[String],
    extracted: &std::collections::HashMap<String, String>,
    packages: Vec<SpdxPackage>,
) -> Parsed {
    let mut parsed = Parsed {
        spec_version,
        subject: doc_name,
        ..Parsed::default()
    };
    if let Some(p) = described
        .first()
        .and_then(|d| packages.iter().find(|p| &p.id == d))
    {
        parsed.subject = Some(p.raw.name.clone());
        parsed.subject_version = Some(p.raw.version.clone());
    }
    for mut p in packages {
        let purpose = p.purpose.as_deref().unwrap_or_default();
        if purpose.to_ascii_uppercase().replace('_', "-") == "OPERATING-SYSTEM" {
            if parsed.distro.is_none() && !p.raw.name.is_empty() {
                parsed.distro = Some(Distro {
                    id: Some(p.raw.name.to_ascii_lowercase()),
                    version_id: Some(p.raw.version.clone()).filter(|v| !v.is_empty()),
                    ..Distro::default()
                });
            }
            continue;
        }
        let is_described = described.contains(&p.id);
        if is_subject_purpose(purpose)
            || is_subject_purl(p.raw.purl.as_deref())
            || (is_described && p.raw.purl.is_none())
        {
            continue;
        }
        let licence =
            spdx_license(p.declared.as_deref()).or_else(|| spdx_license(p.concluded.as_deref()));
        p.raw.licenses = licence
            .map(|l| {
                split_conjunction(&l)
                    .into_iter()
                    .map(|t| extracted.get(&t).cloned().unwrap_or(t))
                    .collect()
            })
            .unwrap_or_default();
        p.raw.supplier = spdx_supplier(p.supplier.as_deref());
        p.raw.at = p.id;
        parsed.packages.push(p.raw);
    }
    parsed
}

/// The terms of a top-level `AND` (each without its outer parentheses):
/// a package under `MIT AND (GPL-2.0 OR BSD-3-Clause)` is under both
/// terms, as plimsoll lists them; anything else is one term.
pub(crate) fn split_conjunction(expr: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && expr[i..].starts_with(" AND ") => {
                terms.push(&expr[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    terms.push(&expr[start..]);
    terms
        .into_iter()
        .map(|t| {
            let t = t.trim();
            let inner = t.strip_prefix('(').and_then(|t| t.strip_suffix(')'));
            // Only when the parentheses enclose the whole term.
            match inner {
                Some(x) if balanced(x) => x.trim().to_string(),
                _ => t.to_string(),
            }
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// SPDX purposes that are the described thing, not a package in it.
pub(crate) fn is_subject_purpose(purpose: &str) -> bool {
    matches!(
        purpose.to_ascii_uppercase().replace('_', "-").as_str(),
        "CONTAINER" | "OPERATING-SYSTEM"
    )
}

/// CycloneDX component types that are never packages.
pub(crate) fn is_not_a_package(component_type: &str) -> bool {
    matches!(
        component_type,
        "file" | "data" | "machine-learning-model" | "cryptographic-asset"
    )
}

/// Purl types of the described thing itself (an image), not a package.
pub(crate) fn is_subject_purl(purl: Option<&str>) -> bool {
    purl.is_some_and(|p| p.starts_with("pkg:oci/") || p.starts_with("pkg:docker/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The purl type plimsoll's catalogers write for each package type. The
    /// match has no wildcard: a new package type does not compile here
    /// until it says its purl type, and the test below makes the reader
    /// know it.
    fn written_purl_type(t: PackageType) -> Option<&'static str> {
        use PackageType::*;
        Some(match t {
            Deb => "deb",
            Apk => "apk",
            Rpm => "rpm",
            Pypi => "pypi",
            Npm => "npm",
            Golang => "golang",
            Cargo => "cargo",
            Maven => "maven",
            Gem => "gem",
            Composer => "composer",
            Conda => "conda",
            Nuget => "nuget",
            Github => "github",
            Alpm => "alpm",
            // Programs and kernels share `pkg:generic` (told apart by the
            // document's type property).
            LinuxKernel | LinuxKernelModule | Binary => return None,
            Bitnami => "bitnami",
            Hackage => "hackage",
            RPackage => "cran",
            Hex => "hex",
            DartPub => "pub",
            ErlangOtp => "otp",
            Swift => "swift",
            Cocoapods => "cocoapods",
            Portage => "ebuild",
            Nix => "nix",
            LuaRocks => "luarocks",
            SwiplPack => "swiplpack",
            // No purl at all (as syft).
            WordpressPlugin => return None,
            Conan => "conan",
            Opam => "opam",
        })
    }

    #[test]
    fn every_purl_type_plimsoll_writes_is_read_back() {
        for t in PackageType::ALL {
            if let Some(ty) = written_purl_type(t) {
                assert_eq!(purl_type(ty), Some(t), "pkg:{ty}/… should read as {t:?}");
            }
        }
        assert_eq!(purl_type("generic"), Some(PackageType::Binary));
    }

    #[test]
    fn purls_come_apart() {
        let p = ParsedPurl::parse(
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14",
        )
        .unwrap();
        assert_eq!(p.ty, "deb");
        assert_eq!(p.namespace.as_deref(), Some("debian"));
        assert_eq!(p.name, "libstdc++6");
        assert_eq!(p.version.as_deref(), Some("12.2.0-14"));
        assert_eq!(p.qualifier("upstream"), Some("gcc-12@12.2.0-14"));
        assert_eq!(
            source_of(&p, PackageType::Deb),
            (Some("gcc-12".into()), Some("12.2.0-14".into()))
        );
        let npm = ParsedPurl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(npm.namespace.as_deref(), Some("@babel"));
        assert_eq!(npm.name, "core");
        let go = ParsedPurl::parse("pkg:golang/github.com/a/b/v2@v2.1.0").unwrap();
        assert_eq!(go.namespace.as_deref(), Some("github.com/a/b"));
        assert_eq!(go.name, "v2");
        assert!(ParsedPurl::parse("deb/x").is_err());
        assert!(ParsedPurl::parse("pkg:deb").is_err());
        let rpm = ParsedPurl::parse(
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.4",
        )
        .unwrap();
        assert_eq!(
            source_of(&rpm, PackageType::Rpm),
            (Some("openssl".into()), Some("3.0.7-27.el9".into()))
        );
    }

    #[test]
    fn conjunctions_split_at_the_top() {
        assert_eq!(split_conjunction("MIT"), vec!["MIT"]);
        assert_eq!(
            split_conjunction("MIT AND (GPL-2.0 OR BSD-3-Clause) AND LicenseRef-x"),
            vec!["MIT", "GPL-2.0 OR BSD-3-Clause", "LicenseRef-x"]
        );
        assert_eq!(split_conjunction("(A OR B) AND (C)"), vec!["A OR B", "C"]);
        assert_eq!(split_conjunction("(A) OR (B)"), vec!["(A) OR (B)"]);
    }

    #[test]
    fn distro_qualifiers() {
        let d = distro_from_qualifier("debian-12");
        assert_eq!(
            (d.id.as_deref(), d.version_id.as_deref()),
            (Some("debian"), Some("12"))
        );
        let d = distro_from_qualifier("opensuse-leap-15.5");
        assert_eq!(
            (d.id.as_deref(), d.version_id.as_deref()),
            (Some("opensuse-leap"), Some("15.5"))
        );
        let d = distro_from_qualifier("wolfi");
        assert_eq!((d.id.as_deref(), d.version_id), (Some("wolfi"), None));
    }

    #[test]
    fn detection_is_by_content() {
        assert_eq!(
            detect(b"  {\"bomFormat\": \"CycloneDX\"}"),
            Some(SbomFormat::CycloneDxJson)
        );
        assert_eq!(
            detect(b"{\"spdxVersion\": \"SPDX-2.3\"}"),
            Some(SbomFormat::SpdxJson)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"/>"),
            Some(SbomFormat::CycloneDxXml)
        );
        assert_eq!(
            detect(b"SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n"),
            Some(SbomFormat::SpdxTagValue)
        );
        assert_eq!(detect(b"{\"a\": 1}"), None);
        assert_eq!(detect(b""), None);
        let e = read_document("x.json", b"{\"a\": 1}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.json: not an SBOM"), "{e}");
        let e = read_document("e.json", b"").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }
}
