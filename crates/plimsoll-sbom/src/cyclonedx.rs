//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).
//!
//! - `metadata.component` is the image: type `container`, named by the
//!   reference, versioned and hashed by its manifest digest, with a
//!   `pkg:oci` purl;
//! - one `operating-system` component for the distribution, one `library`
//!   component per package, in the inventory's order; each `bom-ref` is the
//!   package's stable key ([`package_keys`]);
//! - licences: one SPDX `expression` when every declared licence is valid
//!   SPDX, otherwise one `license.name` per declared text (the schema allows
//!   either a single expression or a list of licences, not both);
//! - where a package was found: `evidence.occurrences` and the properties
//!   `plimsoll:layer:index`, `plimsoll:layer:diffID`, `plimsoll:location:path`;
//!   for a program identified by its content (type `binary`), one
//!   occurrence per file with the match's `offset` and, as
//!   `additionalContext`, the classifier and the matched bytes, and an
//!   `evidence.identity` for the version (technique `binary-analysis`);
//!   its first CPE is `cpe`, the others properties `plimsoll:cpe23`;
//! - `dependencies`: the image's (it contains every component), then one
//!   entry per package whose lock file states its dependencies
//!   ([`Package::depends_on`](crate::Package::depends_on)), naming the
//!   components of the same file it depends on; other packages' own
//!   dependencies are not known, so they are left out rather than declared
//!   empty;
//! - `serialNumber`: `urn:uuid:` + a UUIDv8 of the SHA-256 of the document
//!   itself (serialised with an empty serial number), so identical output
//!   has one serial number and any change gets a new one.
//!
//! [`Bom::vulnerabilities`] is empty here; a vulnerability scan fills it
//! (with `affects` naming components by `bom-ref`) before [`Bom::to_json`].

use serde::Serialize;

use crate::document::{
    DocumentContext, Licensing, dependency_edges, package_keys, rfc3339_utc, uuid_v8_sha256,
};
use crate::{Inventory, Package};

pub const SPEC_VERSION: &str = "1.6";
/// The `bom-ref` of the image (`metadata.component`).
pub const IMAGE_REF: &str = "plimsoll:image";

#[derive(Debug, Clone, Serialize)]
pub struct Bom {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    #[serde(rename = "bomFormat")]
    pub bom_format: &'static str,
    #[serde(rename = "specVersion")]
    pub spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    pub serial_number: String,
    pub version: u32,
    pub metadata: Metadata,
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    pub timestamp: String,
    pub tools: Tools,
    pub component: Component,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tools {
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub component_type: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Entity>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hash {
    pub alg: &'static str,
    pub content: String,
}

/// One element of a `licenses` array: the schema allows a list of
/// `license` objects or exactly one `expression`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    License { license: NamedLicense },
    Expression { expression: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedLicense {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalReference {
    #[serde(rename = "type")]
    pub reference_type: &'static str,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Property {
    pub name: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<Identity>,
    pub occurrences: Vec<Occurrence>,
}

/// How a field of the component was established (CycloneDX 1.6
/// `evidence.identity`).
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub field: &'static str,
    pub confidence: f64,
    #[serde(rename = "concludedValue")]
    pub concluded_value: String,
    pub methods: Vec<Method>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub technique: &'static str,
    pub confidence: f64,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(rename = "additionalContext", skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub bom_ref: String,
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

/// A vulnerability affecting components of this BOM (filled by a scan).
#[derive(Debug, Clone, Serialize)]
pub struct Vulnerability {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<VulnerabilitySource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `bom-ref`s of the affected components.
    pub affects: Vec<Affect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VulnerabilitySource {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rating {
    /// `critical`, `high`, `medium`, `low`, `info`, `none` or `unknown`.
    pub severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// `CVSSv31`, `CVSSv4`, `other`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Affect {
    #[serde(rename = "ref")]
    pub bom_ref: String,
}

impl Bom {
    /// The BOM of `inventory`, without vulnerabilities.
    pub fn new(inventory: &Inventory, ctx: &DocumentContext) -> Bom {
        let subject = &ctx.subject;
        let mut image = Component {
            component_type: "container",
            bom_ref: Some(IMAGE_REF.to_string()),
            name: subject.reference.clone(),
            version: Some(subject.digest.clone()),
            purl: Some(subject.purl()),
            properties: vec![Property {
                name: "plimsoll:image:platform",
                value: subject.platform.clone(),
            }],
            ..Component::default()
        };
        if let Some(hash) = digest_hash(&subject.digest) {
            image.hashes.push(hash);
        }
        let tool = Component {
            component_type: "application",
            name: ctx.tool.name.clone(),
            version: Some(ctx.tool.version.clone()),
            external_references: vec![ExternalReference {
                reference_type: "website",
                url: ctx.tool.info_uri.clone(),
            }],
            ..Component::default()
        };

        let mut components = Vec::with_capacity(inventory.packages.len() + 1);
        if let Some(os) = os_component(inventory) {
            components.push(os);
        }
        let keys = package_keys(&inventory.packages);
        for (pkg, key) in inventory.packages.iter().zip(&keys) {
            components.push(package_component(pkg, key.clone(), &subject.diff_ids));
        }
        let mut dependencies = vec![Dependency {
            bom_ref: IMAGE_REF.to_string(),
            depends_on: components
                .iter()
                .filter_map(|c| c.bom_ref.clone())
                .collect(),
        }];
        dependencies.extend(
            dependency_edges(&inventory.packages)
                .into_iter()
                .map(|(from, to)| Dependency {
                    bom_ref: keys[from].clone(),
                    depends_on: to.into_iter().map(|j| keys[j].clone()).collect(),
                }),
        );
        Bom {
            schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
            bom_format: "CycloneDX",
            spec_version: SPEC_VERSION,
            serial_number: String::new(),
            version: 1,
            metadata: Metadata {
                timestamp: rfc3339_utc(ctx.created),
                tools: Tools {
                    components: vec![tool],
                },
                component: image,
            },
            components,
            dependencies,
            vulnerabilities: Vec::new(),
        }
    }

    /// The component `bom-ref` of the package with this purl, for
    /// vulnerabilities' `affects`.
    pub fn refs_of_purl<'a>(&'a self, purl: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.components
            .iter()
            .filter(move |c| c.purl.as_deref() == Some(purl))
            .filter_map(|c| c.bom_ref.as_deref())
    }

    /// Pretty JSON with the content-derived serial number filled in.
    pub fn to_json(&self) -> String {
        let mut bom = self.clone();
        bom.serial_number = String::new();
        let unsigned = serde_json::to_vec(&bom).expect("a BOM always serialises");
        bom.serial_number = format!("urn:uuid:{}", uuid_v8_sha256(&unsigned));
        serde_json::to_string_pretty(&bom).expect("a BOM always serialises") + "\n"
    }
}

/// `sha256:<hex>` as a CycloneDX hash; None for other algorithms or bad hex.
fn digest_hash(digest: &str) -> Option<Hash> {
    let (alg, hex) = digest.split_once(':')?;
    let (alg, len) = match alg {
        "sha256" => ("SHA-256", 64),
        "sha512" => ("SHA-512", 128),
        _ => return None,
    };
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Hash {
        alg,
        content: hex.to_ascii_lowercase(),
    })
}

fn os_component(inventory: &Inventory) -> Option<Component> {
    let distro = inventory.distro.as_ref()?;
    let id = distro.id.clone()?;
    let version = distro.version_id.clone();
    let bom_ref = match &version {
        Some(v) => format!("plimsoll:os:{id}@{v}"),
        None => format!("plimsoll:os:{id}"),
    };
    let mut properties = Vec::new();
    if let Some(codename) = &distro.version_codename {
        properties.push(Property {
            name: "plimsoll:distro:codename",
            value: codename.clone(),
        });
    }
    Some(Component {
        component_type: "operating-system",
        bom_ref: Some(bom_ref),
        name: id,
        version,
        description: distro.pretty_name.clone(),
        properties,
        ..Component::default()
    })
}

fn package_component(pkg: &Package, key: String, diff_ids: &[String]) -> Component {
    let licenses = match crate::document::licensing(&pkg.licenses) {
        Licensing::Unknown => Vec::new(),
        Licensing::Expression(expression) => vec![LicenseChoice::Expression { expression }],
        Licensing::Mixed(texts) => texts
            .into_iter()
            .map(|(name, _)| LicenseChoice::License {
                license: NamedLicense { name },
            })
            .collect(),
    };
    let mut properties = vec![Property {
        name: "plimsoll:package:type",
        value: pkg.package_type.to_string(),
    }];
    if let Some(arch) = &pkg.arch {
        properties.push(Property {
            name: "plimsoll:package:arch",
            value: arch.clone(),
        });
    }
    if let Some(s) = &pkg.source_name {
        properties.push(Property {
            name: "plimsoll:package:sourceName",
            value: s.clone(),
        });
    }
    if let Some(s) = &pkg.source_version {
        properties.push(Property {
            name: "plimsoll:package:sourceVersion",
            value: s.clone(),
        });
    }
    properties.push(Property {
        name: "plimsoll:layer:index",
        value: pkg.layer.to_string(),
    });
    if let Some(diff_id) = diff_ids.get(pkg.layer) {
        properties.push(Property {
            name: "plimsoll:layer:diffID",
            value: diff_id.clone(),
        });
    }
    properties.push(Property {
        name: "plimsoll:location:path",
        value: format!("/{}", pkg.location),
    });
    for cpe in pkg.cpes.iter().skip(1) {
        properties.push(Property {
            name: "plimsoll:cpe23",
            value: cpe.clone(),
        });
    }
    Component {
        component_type: "library",
        bom_ref: Some(key),
        supplier: pkg
            .supplier
            .as_ref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Entity { name: s.clone() }),
        name: pkg.name.clone(),
        version: (!pkg.version.is_empty()).then(|| pkg.version.clone()),
        licenses,
        cpe: pkg.cpes.first().cloned(),
        purl: (!pkg.purl.is_empty()).then(|| pkg.purl.clone()),
        properties,
        evidence: Some(evidence(pkg)),
        ..Component::default()
    }
}

/// Where the package was found; for a program identified by its content,
/// every file with the match and how the version was concluded.
fn evidence(pkg: &Package) -> Evidence {
    if pkg.evidence.is_empty() {
        return Evidence {
            identity: Vec::new(),
            occurrences: vec![Occurrence {
                location: format!("/{}", pkg.location),
                offset: None,
                additional_context: None,
            }],
        };
    }
    let context = |e: &crate::BinaryEvidence| format!("{} matched {}", e.class, e.matched);
    Evidence {
        identity: vec![Identity {
            field: "version",
            confidence: 1.0,
            concluded_value: pkg.version.clone(),
            methods: pkg
                .evidence
                .iter()
                .map(|e| Method {
                    technique: "binary-analysis",
                    confidence: 1.0,
                    value: format!("/{}: {}", e.path, context(e)),
                })
                .collect(),
        }],
        occurrences: pkg
            .evidence
            .iter()
            .map(|e| Occurrence {
                location: format!("/{}", e.path),
                offset: Some(e.offset),
                additional_context: Some(context(e)),
            })
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::{ImageSubject, ToolInfo};
    use crate::{Distro, PackageType};
    use serde_json::Value;

    pub(crate) fn context() -> DocumentContext {
        DocumentContext {
            subject: ImageSubject {
                reference: "oci:/images/app:latest".into(),
                digest: format!("sha256:{}", "ab".repeat(32)),
                name: "app".into(),
                repository_url: None,
                tag: Some("latest".into()),
                platform: "linux/amd64".into(),
                diff_ids: vec!["sha256:0000".into(), "sha256:1111".into()],
            },
            tool: ToolInfo {
                name: "plimsoll".into(),
                version: "0.1.0".into(),
                info_uri: "https://example.invalid/plimsoll".into(),
            },
            created: 1_700_000_000,
        }
    }

    pub(crate) fn inventory() -> Inventory {
        let mut libc = Package::new(
            PackageType::Deb,
            "libc6",
            "2.36-9+deb12u4",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            "var/lib/dpkg/status",
            0,
        );
        libc.arch = Some("amd64".into());
        libc.source_name = Some("glibc".into());
        libc.licenses = vec![
            "LGPL-2.1-or-later".into(),
            "GPL-2.0-or-later WITH GCC-exception-2.0".into(),
        ];
        libc.supplier = Some("GNU Libc Maintainers <debian-glibc@lists.debian.org>".into());
        let mut six = Package::new(
            PackageType::Pypi,
            "six",
            "1.16.0",
            "pkg:pypi/six@1.16.0",
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            1,
        );
        six.licenses = vec!["MIT".into(), "BSD License".into()];
        Inventory {
            distro: Some(Distro {
                id: Some("debian".into()),
                version_id: Some("12".into()),
                version_codename: Some("bookworm".into()),
                pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
                ..Default::default()
            }),
            packages: vec![libc, six],
            warnings: Default::default(),
        }
    }

    #[test]
    fn bom_structure() {
        let bom = Bom::new(&inventory(), &context());
        let v: Value = serde_json::from_str(&bom.to_json()).unwrap();
        assert_eq!(v["specVersion"], "1.6");
        assert_eq!(v["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
        let image = &v["metadata"]["component"];
        assert_eq!(image["type"], "container");
        assert_eq!(image["hashes"][0]["content"], "ab".repeat(32));
        assert_eq!(
            image["purl"],
            format!(
                "pkg:oci/app@sha256:{}?arch=amd64&tag=latest",
                "ab".repeat(32)
            )
        );
        let comps = v["components"].as_array().unwrap();
        assert_eq!(comps.len(), 3);
        assert_eq!(comps[0]["type"], "operating-system");
        assert_eq!(comps[0]["name"], "debian");
        assert_eq!(comps[1]["bom-ref"], comps[1]["purl"]);
        assert_eq!(
            comps[1]["licenses"],
            serde_json::json!([{"expression": "LGPL-2.1-or-later AND (GPL-2.0-or-later WITH GCC-exception-2.0)"}])
        );
        assert_eq!(
            comps[2]["licenses"],
            serde_json::json!([{"license": {"name": "MIT"}}, {"license": {"name": "BSD License"}}])
        );
        let props: Vec<(&str, &str)> = comps[2]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
            .collect();
        assert!(props.contains(&("plimsoll:layer:index", "1")));
        assert!(props.contains(&("plimsoll:layer:diffID", "sha256:1111")));
        assert_eq!(
            v["dependencies"][0]["dependsOn"].as_array().unwrap().len(),
            3
        );
        assert!(v.get("vulnerabilities").is_none());
    }

    #[test]
    fn serial_number_follows_the_content() {
        let inv = inventory();
        let a = Bom::new(&inv, &context()).to_json();
        assert_eq!(a, Bom::new(&inv, &context()).to_json());
        let serial = |s: &str| {
            serde_json::from_str::<Value>(s).unwrap()["serialNumber"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert!(serial(&a).starts_with("urn:uuid:"));
        let mut later = context();
        later.created += 1;
        assert_ne!(serial(&a), serial(&Bom::new(&inv, &later).to_json()));
        let mut other = context();
        other.subject.digest = format!("sha256:{}", "cd".repeat(32));
        assert_ne!(serial(&a), serial(&Bom::new(&inv, &other).to_json()));
    }

    fn with_vulnerability() -> Bom {
        let mut bom = Bom::new(&inventory(), &context());
        let affects: Vec<Affect> = bom
            .refs_of_purl("pkg:pypi/six@1.16.0")
            .map(|r| Affect {
                bom_ref: r.to_string(),
            })
            .collect();
        assert_eq!(affects.len(), 1);
        bom.vulnerabilities.push(Vulnerability {
            id: "CVE-2099-0001".into(),
            source: None,
            ratings: vec![Rating {
                severity: "high",
                score: Some(7.5),
                method: Some("CVSSv31"),
                vector: None,
            }],
            description: None,
            affects,
        });
        bom
    }

    #[test]
    fn vulnerabilities_name_components() {
        let v: Value = serde_json::from_str(&with_vulnerability().to_json()).unwrap();
        assert_eq!(
            v["vulnerabilities"][0]["affects"][0]["ref"],
            "pkg:pypi/six@1.16.0"
        );
    }

    /// Both writers' documents, with licences of every kind (an expression,
    /// a conjunction, free text) and a vulnerability, against the official
    /// schemas via scripts/validate-sbom.py, which must run when
    /// PLIMSOLL_REQUIRE_VALIDATORS=1 (as scripts/test-all.sh sets).
    #[test]
    fn documents_pass_the_official_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let cdx = dir.path().join("unit.cdx.json");
        let spdx = dir.path().join("unit.spdx.json");
        std::fs::write(&cdx, with_vulnerability().to_json()).unwrap();
        std::fs::write(
            &spdx,
            crate::spdx::Document::new(&inventory(), &context()).to_json(),
        )
        .unwrap();
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-sbom.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg("--self-test")
            .args([&cdx, &spdx])
            .output();
        let runs = matches!(&out, Ok(o) if o.status.code() != Some(2));
        if !runs {
            assert!(
                std::env::var("PLIMSOLL_REQUIRE_VALIDATORS").as_deref() != Ok("1"),
                "PLIMSOLL_REQUIRE_VALIDATORS=1 but scripts/validate-sbom.py cannot run: {out:?}"
            );
            eprintln!("SKIPPED: scripts/validate-sbom.py cannot run here");
            return;
        }
        let out = out.unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("valid CycloneDX 1.6 (3 components)"),
            "{text}"
        );
        assert!(text.contains("valid SPDX 2.3 (4 packages)"), "{text}");
    }

    /// A program identified by its content: CPEs, and every file with the
    /// match's offset and bytes, in CycloneDX and in SPDX.
    #[test]
    fn binary_evidence_in_both_formats() {
        let mut python = Package::new(
            PackageType::Binary,
            "python",
            "3.11.2",
            "pkg:generic/python@3.11.2",
            "usr/bin/python3.11",
            0,
        );
        python.cpes = vec![
            "cpe:2.3:a:python_software_foundation:python:3.11.2:*:*:*:*:*:*:*".into(),
            "cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*".into(),
        ];
        python.evidence = vec![
            crate::BinaryEvidence {
                path: "usr/bin/python3.11".into(),
                class: "python-binary".into(),
                offset: 2945659,
                matched: "\\x003.11.2\\x00".into(),
            },
            crate::BinaryEvidence {
                path: "usr/lib/libpython3.11.so.1.0".into(),
                class: "python-binary-lib".into(),
                offset: 4354694,
                matched: "\\x003.11.2\\x00".into(),
            },
        ];
        let inv = Inventory {
            packages: vec![python],
            ..Inventory::default()
        };
        let bom: Value = serde_json::from_str(&Bom::new(&inv, &context()).to_json()).unwrap();
        let c = &bom["components"][0];
        assert_eq!(
            c["cpe"],
            "cpe:2.3:a:python_software_foundation:python:3.11.2:*:*:*:*:*:*:*"
        );
        let props = c["properties"].as_array().unwrap();
        assert!(props.iter().any(|p| p["name"] == "plimsoll:cpe23"
            && p["value"] == "cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*"));
        assert!(
            props
                .iter()
                .any(|p| p["name"] == "plimsoll:package:type" && p["value"] == "binary")
        );
        let occ = c["evidence"]["occurrences"].as_array().unwrap();
        assert_eq!(occ.len(), 2);
        assert_eq!(occ[1]["location"], "/usr/lib/libpython3.11.so.1.0");
        assert_eq!(occ[1]["offset"], 4354694);
        assert_eq!(
            occ[0]["additionalContext"],
            "python-binary matched \\x003.11.2\\x00"
        );
        let identity = &c["evidence"]["identity"][0];
        assert_eq!(identity["field"], "version");
        assert_eq!(identity["concludedValue"], "3.11.2");
        assert_eq!(identity["methods"][0]["technique"], "binary-analysis");

        let spdx: Value =
            serde_json::from_str(&crate::spdx::Document::new(&inv, &context()).to_json()).unwrap();
        let p = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "python")
            .unwrap();
        let refs = p["externalRefs"].as_array().unwrap();
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[0]["referenceType"], "cpe23Type");
        assert_eq!(refs[0]["referenceCategory"], "SECURITY");
        assert_eq!(refs[2]["referenceLocator"], "pkg:generic/python@3.11.2");
        let comment = p["comment"].as_str().unwrap();
        assert!(
            comment.contains(
                "/usr/bin/python3.11 (python-binary at offset 2945659: \\x003.11.2\\x00)"
            ),
            "{comment}"
        );
        // Other packages keep their single occurrence and no identity.
        let bom: Value =
            serde_json::from_str(&Bom::new(&inventory(), &context()).to_json()).unwrap();
        assert!(bom["components"][1]["evidence"].get("identity").is_none());
        assert!(
            bom["components"][1]["evidence"]["occurrences"][0]
                .get("offset")
                .is_none()
        );
    }
}
