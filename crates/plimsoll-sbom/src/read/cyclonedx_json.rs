//! CycloneDX JSON, spec versions 1.2 to 1.6
//! (<https://cyclonedx.org/docs/1.6/json/>): `metadata.component` is the
//! subject; `components` (nested ones too) are the packages, except
//! `operating-system` components, which name the distribution.

use serde_json::Value;

use super::{Parsed, RawPackage};
use crate::Distro;

pub(crate) fn parse(content: &[u8]) -> Result<Parsed, String> {
    let doc: Value = serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = doc.as_object().ok_or("the document is not a JSON object")?;
    if obj.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err("\"bomFormat\" is not \"CycloneDX\"".into());
    }
    let mut parsed = Parsed {
        spec_version: obj
            .get("specVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        ..Parsed::default()
    };
    let meta_component = obj.get("metadata").and_then(|m| m.get("component"));
    if let Some(c) = meta_component {
        if !c.is_object() {
            return Err("metadata.component is not an object".into());
        }
        parsed.subject = str_of(c, "name");
        parsed.subject_version = str_of(c, "version");
        if str_of(c, "type").as_deref() == Some("operating-system") {
            parsed.distro = Some(os_distro(c));
        }
    }
    match obj.get("components") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => walk(list, "components", &mut parsed, 0)?,
        Some(_) => return Err("\"components\" is not an array".into()),
    }
    Ok(parsed)
}

/// Nesting deeper than this is not a real document.
const MAX_DEPTH: usize = 64;

fn walk(list: &[Value], at: &str, parsed: &mut Parsed, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{at}: components nested more than {MAX_DEPTH} deep"
        ));
    }
    for (i, c) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if !c.is_object() {
            return Err(format!("{here} is not an object"));
        }
        let ty = str_of(c, "type").unwrap_or_default();
        if ty == "operating-system" {
            if parsed.distro.is_none() {
                parsed.distro = Some(os_distro(c));
            }
        } else if super::is_not_a_package(&ty) {
            // Files and data sets some writers list (syft's file metadata): not packages.
        } else if ty != "container"
            || str_of(c, "purl").is_some_and(|p| !super::is_subject_purl(Some(&p)))
        {
            parsed.packages.push(raw(c, &here));
        }
        match c.get("components") {
            None | Some(Value::Null) => {}
            Some(Value::Array(inner)) => {
                walk(inner, &format!("{here}.components"), parsed, depth + 1)?
            }
            Some(_) => return Err(format!("{here}.components is not an array")),
        }
    }
    Ok(())
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn properties(c: &Value) -> Vec<(String, String)> {
    c.get("properties")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter_map(|p| Some((str_of(p, "name")?, str_of(p, "value").unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default()
}

fn raw(c: &Value, at: &str) -> RawPackage {
    let mut licenses = Vec::new();
    for l in c
        .get("licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(e) = str_of(l, "expression") {
            licenses.push(e);
        } else if let Some(id) = l
            .get("license")
            .and_then(|lic| str_of(lic, "id").or_else(|| str_of(lic, "name")))
        {
            licenses.push(id);
        }
    }
    RawPackage {
        at: at.to_string(),
        name: str_of(c, "name").unwrap_or_default(),
        group: str_of(c, "group"),
        version: str_of(c, "version").unwrap_or_default(),
        purl: str_of(c, "purl"),
        cpes: str_of(c, "cpe").into_iter().collect(),
        licenses,
        supplier: c
            .get("supplier")
            .and_then(|s| str_of(s, "name"))
            .or_else(|| str_of(c, "publisher"))
            .or_else(|| str_of(c, "author")),
        properties: properties(c),
    }
}

/// An `operating-system` component as the distribution.
fn os_distro(c: &Value) -> Distro {
    super::cyclonedx_os_distro(
        &properties(c),
        str_of(c, "name"),
        str_of(c, "version"),
        str_of(c, "description"),
    )
}
