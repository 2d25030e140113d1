//! SPDX 2.x tag-value (<https://spdx.github.io/spdx-spec/v2.3/>), read as
//! the JSON form is: `Tag: value` lines, `<text>…</text>` values over
//! several lines; a package starts at `PackageName:`, and
//! `ExternalRef: <category> <type> <locator>` lines give its purl and CPEs.

use std::collections::HashMap;

use super::{Parsed, RawPackage, SpdxPackage};

pub(crate) fn parse(content: &[u8]) -> Result<Parsed, String> {
    let text = std::str::from_utf8(content).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut spec_version = None;
    let mut doc_name = None;
    let mut described = Vec::new();
    let mut extracted: HashMap<String, String> = HashMap::new();
    let mut pending_ref: Option<String> = None;
    let mut packages: Vec<SpdxPackage> = Vec::new();
    // Once a file or snippet starts, tags until the next package are its.
    let mut in_package = false;
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(format!("line {}: no `Tag: value`: {line:?}", n + 1));
        };
        let tag = tag.trim();
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut v = rest.to_string();
            let start = n + 1;
            while !v.contains("</text>") {
                let Some((_, more)) = lines.next() else {
                    return Err(format!("line {start}: <text> without </text>"));
                };
                v.push('\n');
                v.push_str(more);
            }
            value = v
                .split("</text>")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
        }
        match tag {
            "SPDXVersion" => spec_version = Some(value),
            "DocumentName" => doc_name = Some(value),
            "Relationship" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if let [from, "DESCRIBES", to] = parts[..]
                    && from == "SPDXRef-DOCUMENT"
                {
                    described.push(to.to_string());
                }
            }
            "LicenseID" => pending_ref = Some(value),
            "ExtractedText" => {
                if let Some(id) = pending_ref.take() {
                    extracted.insert(id, value);
                }
            }
            "PackageName" => {
                in_package = true;
                packages.push(SpdxPackage {
                    id: format!("package at line {}", n + 1),
                    raw: RawPackage {
                        name: value,
                        ..RawPackage::default()
                    },
                    ..SpdxPackage::default()
                });
            }
            "FileName" | "SnippetSPDXID" => in_package = false,
            _ if in_package => {
                let Some(p) = packages.last_mut() else {
                    continue;
                };
                match tag {
                    "SPDXID" => p.id = value,
                    "PackageVersion" => p.raw.version = value,
                    "PrimaryPackagePurpose" => p.purpose = Some(value),
                    "PackageLicenseDeclared" => p.declared = Some(value),
                    "PackageLicenseConcluded" => p.concluded = Some(value),
                    "PackageSupplier" => p.supplier = Some(value),
                    "PackageOriginator" if p.supplier.is_none() => p.supplier = Some(value),
                    "ExternalRef" => {
                        let mut parts = value.split_whitespace();
                        if let (Some(category), Some(ty), Some(locator)) =
                            (parts.next(), parts.next(), parts.next())
                        {
                            p.reference(category, ty, locator.to_string());
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let spec_version = spec_version.ok_or("no `SPDXVersion:` line")?;
    Ok(super::spdx_parsed(
        spec_version,
        doc_name,
        &described,
        &extracted,
        packages,
    ))
}
