//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).
//!
//! - one package for the image (`primaryPackagePurpose` CONTAINER, its
//!   `pkg:oci` purl, the manifest digest as `versionInfo`), which the
//!   document DESCRIBES and which CONTAINS every other package;
//! - a package DEPENDS_ON the packages of its own lock file that the file
//!   says it depends on ([`Package::depends_on`](crate::Package::depends_on));
//! - one OPERATING_SYSTEM package for the distribution, one LIBRARY package
//!   per inventory package, in the inventory's order;
//! - `SPDXID`: `SPDXRef-Package-<type>-<name>-<16 hex>`, the hex digits from
//!   SHA-256 of the package's stable key (its purl, see [`package_keys`]);
//! - `externalRefs`: the purl as PACKAGE-MANAGER/purl; `downloadLocation`
//!   and `licenseConcluded` are NOASSERTION (nothing was downloaded or
//!   concluded); `licenseDeclared` is the declared licences' conjunction,
//!   free-text ones as `LicenseRef-…` with their text in
//!   `hasExtractedLicensingInfos`, or NOASSERTION when none are declared;
//! - `filesAnalyzed` is false: files are not listed;
//! - a program identified by its content (type `binary`): its CPEs as
//!   SECURITY/cpe23Type references, and the `comment` names every file it
//!   was found in with the classifier, the offset and the matched bytes;
//! - `documentNamespace`: `<tool uri>/spdx/<image name>-<uuid>` with a
//!   UUIDv8 of the SHA-256 of the document itself (serialised with an empty
//!   namespace), so identical output has one namespace.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::{
    DocumentContext, Licensing, conjunction, license_list_version, package_keys, rfc3339_utc,
    short_hash, uuid_v8_sha256,
};
use crate::{Inventory, Package};

pub const SPDX_VERSION: &str = "SPDX-2.3";
pub const NOASSERTION: &str = "NOASSERTION";
pub const IMAGE_ID: &str = "SPDXRef-Image";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub spdx_version: &'static str,
    pub data_license: &'static str,
    #[serde(rename = "SPDXID")]
    pub spdx_id: &'static str,
    pub name: String,
    pub document_namespace: String,
    pub creation_info: CreationInfo,
    pub packages: Vec<SpdxPackage>,
    pub relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
    /// `<tool uri>/spdx/<image name>`; the UUID is appended by [`Document::to_json`].
    #[serde(skip)]
    namespace_prefix: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    pub created: String,
    pub creators: Vec<String>,
    pub license_list_version: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    pub download_location: &'static str,
    pub files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    pub license_concluded: &'static str,
    pub license_declared: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    pub primary_package_purpose: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    pub reference_category: &'static str,
    pub reference_type: &'static str,
    pub reference_locator: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: &'static str,
    pub related_spdx_element: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    pub license_id: String,
    pub extracted_text: String,
    pub name: String,
}

impl Document {
    pub fn new(inventory: &Inventory, ctx: &DocumentContext) -> Document {
        let subject = &ctx.subject;
        let mut packages = Vec::with_capacity(inventory.packages.len() + 2);
        packages.push(SpdxPackage {
            spdx_id: IMAGE_ID.to_string(),
            name: subject.reference.clone(),
            version_info: Some(subject.digest.clone()),
            supplier: None,
            download_location: NOASSERTION,
            files_analyzed: false,
            source_info: None,
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_string(),
            description: None,
            comment: Some(format!("platform {}", subject.platform)),
            external_refs: vec![purl_ref(subject.purl())],
            primary_package_purpose: "CONTAINER",
        });
        if let Some(os) = os_package(inventory) {
            packages.push(os);
        }
        let mut extracted: BTreeMap<String, String> = BTreeMap::new(); // id -> text
        let keys = package_keys(&inventory.packages);
        for (pkg, key) in inventory.packages.iter().zip(&keys) {
            packages.push(package(pkg, key, &mut extracted));
        }
        let mut relationships = vec![Relationship {
            spdx_element_id: "SPDXRef-DOCUMENT".to_string(),
            relationship_type: "DESCRIBES",
            related_spdx_element: IMAGE_ID.to_string(),
        }];
        relationships.extend(packages.iter().skip(1).map(|p| Relationship {
            spdx_element_id: IMAGE_ID.to_string(),
            relationship_type: "CONTAINS",
            related_spdx_element: p.spdx_id.clone(),
        }));
        // The inventory's packages follow the image and the OS, in order.
        let first = packages.len() - inventory.packages.len();
        for (from, to) in crate::document::dependency_edges(&inventory.packages) {
            for j in to {
                relationships.push(Relationship {
                    spdx_element_id: packages[first + from].spdx_id.clone(),
                    relationship_type: "DEPENDS_ON",
                    related_spdx_element: packages[first + j].spdx_id.clone(),
                });
            }
        }
        Document {
            spdx_version: SPDX_VERSION,
            data_license: "CC0-1.0",
            spdx_id: "SPDXRef-DOCUMENT",
            name: subject.reference.clone(),
            document_namespace: String::new(),
            creation_info: CreationInfo {
                created: rfc3339_utc(ctx.created),
                creators: vec![format!("Tool: {}-{}", ctx.tool.name, ctx.tool.version)],
                license_list_version: license_list_version(),
            },
            packages,
            relationships,
            has_extracted_licensing_infos: extracted
                .into_iter()
                .map(|(license_id, text)| ExtractedLicense {
                    license_id,
                    name: text.clone(),
                    extracted_text: text,
                })
                .collect(),
            namespace_prefix: format!(
                "{}/spdx/{}",
                ctx.tool.info_uri.trim_end_matches('/'),
                uri_segment(&subject.name)
            ),
        }
    }

    /// Pretty JSON with the content-derived namespace filled in.
    pub fn to_json(&self) -> String {
        let mut doc = self.clone();
        doc.document_namespace = String::new();
        let unnamed = serde_json::to_vec(&doc).expect("an SPDX document always serialises");
        doc.document_namespace = format!("{}-{}", self.namespace_prefix, uuid_v8_sha256(&unnamed));
        serde_json::to_string_pretty(&doc).expect("an SPDX document always serialises") + "\n"
    }
}

fn purl_ref(purl: String) -> ExternalRef {
    ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl,
    }
}

fn os_package(inventory: &Inventory) -> Option<SpdxPackage> {
    let distro = inventory.distro.as_ref()?;
    let id = distro.id.clone()?;
    Some(SpdxPackage {
        spdx_id: format!("SPDXRef-OperatingSystem-{}", id_string(&id)),
        name: id,
        version_info: distro.version_id.clone(),
        supplier: None,
        download_location: NOASSERTION,
        files_analyzed: false,
        source_info: None,
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_string(),
        description: distro.pretty_name.clone(),
        comment: None,
        external_refs: Vec::new(),
        primary_package_purpose: "OPERATING_SYSTEM",
    })
}

fn package(pkg: &Package, key: &str, extracted: &mut BTreeMap<String, String>) -> SpdxPackage {
    let license_declared = match crate::document::licensing(&pkg.licenses) {
        Licensing::Unknown => NOASSERTION.to_string(),
        Licensing::Expression(e) => e,
        Licensing::Mixed(texts) => {
            let ids: Vec<String> = texts
                .into_iter()
                .map(|(text, valid)| {
                    if valid {
                        text
                    } else {
                        let id = license_ref(&text);
                        extracted.insert(id.clone(), text);
                        id
                    }
                })
                .collect();
            conjunction(ids.iter().map(String::as_str))
        }
    };
    // SPDX 2.3 §10: every `LicenseRef-…` the document uses is defined in
    // `hasExtractedLicensingInfos`, also one a package declared verbatim
    // (`LicenseRef-OCamlPro-Non-Commercial` in an opam file): its text is
    // that identifier, all the package says of it.
    for id in declared_license_refs(&license_declared) {
        extracted
            .entry(id.to_string())
            .or_insert_with(|| id.to_string());
    }
    let source_info = match (&pkg.source_name, &pkg.source_version) {
        (Some(n), Some(v)) => Some(format!("built from source package {n} {v}")),
        (Some(n), None) => Some(format!("built from source package {n}")),
        _ => None,
    };
    SpdxPackage {
        spdx_id: format!(
            "SPDXRef-Package-{}-{}-{}",
            pkg.package_type,
            id_string(&pkg.name),
            short_hash(&[key], 16)
        ),
        name: pkg.name.clone(),
        version_info: (!pkg.version.is_empty()).then(|| pkg.version.clone()),
        supplier: pkg.supplier.as_deref().and_then(supplier),
        download_location: NOASSERTION,
        files_analyzed: false,
        source_info,
        license_concluded: NOASSERTION,
        license_declared,
        description: None,
        comment: Some(comment(pkg)),
        external_refs: pkg
            .cpes
            .iter()
            .map(|c| ExternalRef {
                reference_category: "SECURITY",
                reference_type: "cpe23Type",
                reference_locator: c.clone(),
            })
            .chain((!pkg.purl.is_empty()).then(|| purl_ref(pkg.purl.clone())))
            .collect(),
        primary_package_purpose: "LIBRARY",
    }
}

/// Where the package was found; a program identified by its content lists
/// each file with the classifier, offset and matched bytes.
fn comment(pkg: &Package) -> String {
    if pkg.evidence.is_empty() {
        return format!("layer {}, listed in /{}", pkg.layer, pkg.location);
    }
    let found: Vec<String> = pkg
        .evidence
        .iter()
        .map(|e| {
            format!(
                "/{} ({} at offset {}: {})",
                e.path, e.class, e.offset, e.matched
            )
        })
        .collect();
    format!(
        "layer {}, identified by its content: {}",
        pkg.layer,
        found.join("; ")
    )
}

/// SPDX's `idstring` (letters, digits, `.`, `-`): every other character
/// becomes `-`, runs of `-` collapse, at most 64 characters.
fn id_string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
        if out.len() >= 64 {
            break;
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unnamed".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The `LicenseRef-…` identifiers of a licence expression (not the
/// `DocumentRef-…:LicenseRef-…` ones, which another document defines).
fn declared_license_refs(expression: &str) -> impl Iterator<Item = &str> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .map(|w| w.strip_suffix('+').unwrap_or(w))
        .filter(|w| w.starts_with("LicenseRef-"))
}

/// `LicenseRef-<text>` when the text is already an idstring; otherwise
/// its idstring form plus 8 hex digits of its hash, so two texts never share
/// an id and the same text always gets the same one.
fn license_ref(text: &str) -> String {
    let id = id_string(text);
    if id == text {
        format!("LicenseRef-{id}")
    } else {
        format!("LicenseRef-{id}-{}", short_hash(&[text], 8))
    }
}

/// SPDX `Person: name (email)` / `Organization: name (email)`: a maintainer
/// given as `Name <email>` is taken for a person, anything else (a vendor,
/// a team without address) for an organisation.
fn supplier(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some((name, rest)) = text.split_once('<')
        && let Some(email) = rest.strip_suffix('>')
        && !name.trim().is_empty()
        && !email.contains(['<', '>', '(', ')'])
    {
        return Some(format!("Person: {} ({})", name.trim(), email.trim()));
    }
    Some(format!("Organization: {text}"))
}

/// A path segment for the namespace URI: unreserved characters only.
fn uri_segment(s: &str) -> String {
    let seg: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if seg.is_empty() { "image".into() } else { seg }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cyclonedx::tests::{context, inventory};
    use serde_json::Value;

    #[test]
    fn document_structure() {
        let doc = Document::new(&inventory(), &context());
        let v: Value = serde_json::from_str(&doc.to_json()).unwrap();
        assert_eq!(v["spdxVersion"], "SPDX-2.3");
        assert_eq!(v["creationInfo"]["created"], "2023-11-14T22:13:20Z");
        let ns = v["documentNamespace"].as_str().unwrap();
        assert!(
            ns.starts_with("https://example.invalid/plimsoll/spdx/app-"),
            "{ns}"
        );
        let pkgs = v["packages"].as_array().unwrap();
        assert_eq!(pkgs.len(), 4);
        assert_eq!(pkgs[0]["primaryPackagePurpose"], "CONTAINER");
        assert_eq!(pkgs[1]["primaryPackagePurpose"], "OPERATING_SYSTEM");
        let libc = &pkgs[2];
        assert!(
            libc["SPDXID"]
                .as_str()
                .unwrap()
                .starts_with("SPDXRef-Package-deb-libc6-")
        );
        assert_eq!(
            libc["supplier"],
            "Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)"
        );
        assert_eq!(
            libc["externalRefs"][0]["referenceLocator"],
            inventory().packages[0].purl
        );
        assert_eq!(libc["licenseConcluded"], "NOASSERTION");
        let six = &pkgs[3];
        let declared = six["licenseDeclared"].as_str().unwrap();
        assert!(
            declared.starts_with("MIT AND LicenseRef-BSD-License-"),
            "{declared}"
        );
        let refs = v["hasExtractedLicensingInfos"].as_array().unwrap();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0]["extractedText"], "BSD License");
        assert!(declared.ends_with(refs[0]["licenseId"].as_str().unwrap()));
        let rels = v["relationships"].as_array().unwrap();
        assert_eq!(rels.len(), 4);
        assert_eq!(rels[0]["relationshipType"], "DESCRIBES");
        assert!(
            rels[1..]
                .iter()
                .all(|r| r["relationshipType"] == "CONTAINS")
        );
    }

    #[test]
    fn a_declared_license_ref_is_defined_in_the_document() {
        let mut inv = inventory();
        inv.packages[1].licenses = vec![
            "LicenseRef-OCamlPro-Non-Commercial".into(),
            "Apache-2.0".into(),
        ];
        let v: Value = serde_json::from_str(&Document::new(&inv, &context()).to_json()).unwrap();
        let declared = v["packages"][3]["licenseDeclared"].as_str().unwrap();
        assert!(
            declared.contains("LicenseRef-OCamlPro-Non-Commercial"),
            "{declared}"
        );
        let refs = v["hasExtractedLicensingInfos"].as_array().unwrap();
        assert_eq!(refs.len(), 1, "{refs:?}");
        assert_eq!(refs[0]["licenseId"], "LicenseRef-OCamlPro-Non-Commercial");
        assert_eq!(
            refs[0]["extractedText"],
            "LicenseRef-OCamlPro-Non-Commercial"
        );
        assert_eq!(
            declared_license_refs("(MIT OR LicenseRef-A+) AND DocumentRef-x:LicenseRef-B")
                .collect::<Vec<_>>(),
            ["LicenseRef-A"]
        );
    }

    #[test]
    fn ids_are_idstrings() {
        assert_eq!(id_string("libstdc++6"), "libstdc-6");
        assert_eq!(id_string("@angular/core"), "angular-core");
        assert_eq!(id_string("___"), "unnamed");
        assert_eq!(license_ref("Artistic"), "LicenseRef-Artistic");
        assert_ne!(license_ref("BSD License"), license_ref("BSD-License"));
        assert_eq!(supplier("CentOS"), Some("Organization: CentOS".into()));
    }
}
