//! SPDX 2.2 and 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>): the
//! package the document DESCRIBES is the subject (else the document's
//! name); OPERATING-SYSTEM packages name the distribution; CONTAINER
//! packages and `pkg:oci` ones are the image itself; every other package
//! is a package, its purl from a PACKAGE-MANAGER (or PACKAGE_MANAGER)
//! `purl` reference, its CPEs from SECURITY `cpe23Type`/`cpe22Type` ones.

use std::collections::HashMap;

use serde_json::Value;

use super::{Parsed, RawPackage, SpdxPackage};

pub(crate) fn parse(content: &[u8]) -> Result<Parsed, String> {
    let doc: Value = serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = doc.as_object().ok_or("the document is not a JSON object")?;
    let spec_version = str_of(&doc, "spdxVersion").ok_or("no \"spdxVersion\"")?;
    let mut described: Vec<String> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for r in obj
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if str_of(r, "relationshipType").as_deref() == Some("DESCRIBES")
            && str_of(r, "spdxElementId").as_deref() == Some("SPDXRef-DOCUMENT")
            && let Some(id) = str_of(r, "relatedSpdxElement")
        {
            described.push(id);
        }
    }
    let extracted: HashMap<String, String> = obj
        .get("hasExtractedLicensingInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                str_of(e, "licenseId")?,
                str_of(e, "extractedText").or_else(|| str_of(e, "name"))?,
            ))
        })
        .collect();
    let packages = match obj.get("packages") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, p)| spdx_package(p, i))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err("\"packages\" is not an array".into()),
    };
    Ok(super::spdx_parsed(
        spec_version,
        str_of(&doc, "name"),
        &described,
        &extracted,
        packages,
    ))
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn spdx_package(p: &Value, i: usize) -> Result<SpdxPackage, String> {
    if !p.is_object() {
        return Err(format!("packages[{i}] is not an object"));
    }
    let mut out = SpdxPackage {
        id: str_of(p, "SPDXID").unwrap_or_else(|| format!("packages[{i}]")),
        purpose: str_of(p, "primaryPackagePurpose"),
        declared: str_of(p, "licenseDeclared"),
        concluded: str_of(p, "licenseConcluded"),
        supplier: str_of(p, "supplier").or_else(|| str_of(p, "originator")),
        raw: RawPackage {
            name: str_of(p, "name").unwrap_or_default(),
            version: str_of(p, "versionInfo").unwrap_or_default(),
            ..RawPackage::default()
        },
    };
    for r in p
        .get("externalRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(category), Some(ty), Some(locator)) = (
            str_of(r, "referenceCategory"),
            str_of(r, "referenceType"),
            str_of(r, "referenceLocator"),
        ) else {
            continue;
        };
        out.reference(&category, &ty, locator);
    }
    Ok(out)
}
