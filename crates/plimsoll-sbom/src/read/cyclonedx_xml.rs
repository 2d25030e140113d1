//! CycloneDX XML (<https://cyclonedx.org/docs/1.6/xml/>), read as the JSON
//! form is: `metadata/component` is the subject; `components/component`
//! (nested ones too) are the packages, except `operating-system` ones,
//! which name the distribution. Elements are matched by local name, so
//! every spec version's namespace reads alike; DTDs are refused.

use roxmltree::{Document, Node};

use super::{Parsed, RawPackage};
use crate::Distro;

pub(crate) fn parse(content: &[u8]) -> Result<Parsed, String> {
    let text = std::str::from_utf8(content).map_err(|e| format!("not UTF-8: {e}"))?;
    let doc = Document::parse(text).map_err(|e| format!("invalid XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "bom" {
        return Err(format!(
            "the root element is <{}>, not CycloneDX's <bom>",
            root.tag_name().name()
        ));
    }
    let spec_version = root
        .tag_name()
        .namespace()
        .and_then(|ns| ns.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    let mut parsed = Parsed {
        spec_version,
        ..Parsed::default()
    };
    if let Some(c) = child(root, "metadata").and_then(|m| child(m, "component")) {
        parsed.subject = text_of(c, "name");
        parsed.subject_version = text_of(c, "version");
        if c.attribute("type") == Some("operating-system") {
            parsed.distro = Some(os_distro(c));
        }
    }
    if let Some(list) = child(root, "components") {
        walk(list, "components", &mut parsed, 0)?;
    }
    Ok(parsed)
}

const MAX_DEPTH: usize = 64;

fn walk(list: Node, at: &str, parsed: &mut Parsed, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{at}: components nested more than {MAX_DEPTH} deep"
        ));
    }
    for (i, c) in children(list, "component").enumerate() {
        let here = format!("{at}/component[{}]", i + 1);
        let ty = c.attribute("type").unwrap_or_default();
        if ty == "operating-system" {
            if parsed.distro.is_none() {
                parsed.distro = Some(os_distro(c));
            }
        } else if super::is_not_a_package(ty) {
            // Files and data sets some writers list (syft's file metadata): not packages.
        } else if ty != "container" {
            parsed.packages.push(raw(c, &here));
        }
        if let Some(inner) = child(c, "components") {
            walk(inner, &format!("{here}/components"), parsed, depth + 1)?;
        }
    }
    Ok(())
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(n, name).next()
}

fn text_of(n: Node, name: &'static str) -> Option<String> {
    child(n, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn properties(c: Node) -> Vec<(String, String)> {
    child(c, "properties")
        .map(|ps| {
            children(ps, "property")
                .filter_map(|p| {
                    Some((
                        p.attribute("name")?.to_string(),
                        p.text().unwrap_or_default().trim().to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn raw(c: Node, at: &str) -> RawPackage {
    let mut licenses = Vec::new();
    if let Some(ls) = child(c, "licenses") {
        for l in ls.children().filter(|l| l.is_element()) {
            match l.tag_name().name() {
                "expression" => licenses.extend(l.text().map(|t| t.trim().to_string())),
                "license" => licenses.extend(text_of(l, "id").or_else(|| text_of(l, "name"))),
                _ => {}
            }
        }
    }
    licenses.retain(|l| !l.is_empty());
    RawPackage {
        at: at.to_string(),
        name: text_of(c, "name").unwrap_or_default(),
        group: text_of(c, "group"),
        version: text_of(c, "version").unwrap_or_default(),
        purl: text_of(c, "purl"),
        cpes: text_of(c, "cpe").into_iter().collect(),
        licenses,
        supplier: child(c, "supplier")
            .and_then(|s| text_of(s, "name"))
            .or_else(|| text_of(c, "publisher"))
            .or_else(|| text_of(c, "author")),
        properties: properties(c),
    }
}

/// An `operating-system` component as the distribution.
fn os_distro(c: Node) -> Distro {
    super::cyclonedx_os_distro(
        &properties(c),
        text_of(c, "name"),
        text_of(c, "version"),
        text_of(c, "description"),
    )
}
