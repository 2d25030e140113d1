//! SARIF 2.1.0 (the format GitHub code scanning and most CI dashboards read).

use serde_json::{Value, json};

use crate::{Finding, RuleInfo};

/// Where the paths of findings are rooted, for SARIF's `uriBaseId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriBase {
    /// Paths inside an image's filesystem.
    ImageRoot,
    /// Paths of source files (Dockerfiles) relative to the working directory.
    SrcRoot,
}

/// Renders findings as a SARIF 2.1.0 log with one run. `subject` names what
/// was checked (an image reference with its digest, or the linted files);
/// paths become artifact URIs relative to `base`.
pub fn to_sarif(
    tool_version: &str,
    information_uri: &str,
    rules: &[RuleInfo],
    findings: &[Finding],
    subject: &str,
    base: UriBase,
) -> Value {
    let (base_id, base_uri) = match base {
        UriBase::ImageRoot => ("IMAGEROOT", "file:///"),
        UriBase::SrcRoot => ("SRCROOT", ""),
    };
    let rule_index = |code: &str| rules.iter().position(|r| r.code == code);
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.doc.trim() },
                "help": { "text": r.doc.trim(), "markdown": r.doc.trim() },
                "defaultConfiguration": { "level": r.severity.sarif_level() },
                "properties": {
                    "practice": r.practice,
                    "severity": r.severity.as_str(),
                    "tags": ["security", "container", r.practice],
                }
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if let Some(h) = &f.help {
                message.push_str(" Help: ");
                message.push_str(h);
            }
            let mut result = json!({
                "ruleId": f.code,
                "level": f.severity.sarif_level(),
                "message": { "text": message },
                "properties": {
                    "severity": f.severity.as_str(),
                    "practice": f.practice,
                },
            });
            if let Some(i) = rule_index(&f.code) {
                result["ruleIndex"] = json!(i);
            }
            if !f.aliases.is_empty() {
                result["properties"]["aliases"] = json!(f.aliases);
            }
            let uri = f
                .location
                .path
                .as_deref()
                .map(|p| uri_path(p.trim_start_matches('/')));
            let mut physical = json!({
                "artifactLocation": {
                    "uri": uri.clone().unwrap_or_default(),
                    "uriBaseId": base_id,
                }
            });
            if let Some(line) = f.location.line {
                physical["region"] = json!({ "startLine": line });
                if let Some(column) = f.location.column {
                    physical["region"]["startColumn"] = json!(column);
                }
            }
            let mut location = json!({});
            if uri.is_some() {
                location["physicalLocation"] = physical;
            }
            let mut logical = Vec::new();
            if let Some(field) = &f.location.field {
                logical.push(json!({ "fullyQualifiedName": field, "kind": "member" }));
            }
            if let (Some(layer), Some(digest)) = (f.location.layer, &f.location.layer_digest) {
                logical.push(json!({
                    "name": format!("layer {layer}"),
                    "fullyQualifiedName": digest,
                    "kind": "module",
                }));
            }
            if !logical.is_empty() {
                location["logicalLocations"] = json!(logical);
            }
            if location.as_object().is_some_and(|o| !o.is_empty()) {
                result["locations"] = json!([location]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "plimsoll",
                    "version": tool_version,
                    "informationUri": information_uri,
                    "rules": driver_rules,
                }
            },
            "originalUriBaseIds": original_base(base_id, base_uri, subject),
            "results": results,
        }]
    })
}

/// Relates the log's rules to another tool's codes for the same rules
/// (`pairs` of plimsoll code and the other tool's, e.g. `("DF001", "DL3008")`):
/// the other tool becomes a SARIF taxonomy (`runs[0].taxonomies`) whose taxa
/// are its codes, each rule gets a `relationships` entry of kind `equal` to
/// its counterpart and the code among its `tags`, and each result the code
/// in `taxa`, so a dashboard keyed by the other tool's codes finds them.
pub fn relate_to_tool(log: &mut Value, tool: &str, information_uri: &str, pairs: &[(&str, &str)]) {
    let Some(run) = log["runs"].get_mut(0) else {
        return;
    };
    let mut taxa: Vec<&str> = pairs.iter().map(|(_, alias)| *alias).collect();
    taxa.sort_unstable();
    taxa.dedup();
    let index_of = |alias: &str| taxa.binary_search(&alias).ok();
    let taxonomy_index = run["taxonomies"].as_array().map_or(0, Vec::len);
    let reference = |alias: &str| {
        json!({
            "id": alias,
            "index": index_of(alias),
            "toolComponent": { "name": tool, "index": taxonomy_index },
        })
    };
    let mut by_code: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (code, alias) in pairs {
        by_code.entry(*code).or_default().push(*alias);
    }
    if let Some(rules) = run["tool"]["driver"]["rules"].as_array_mut() {
        for rule in rules {
            let Some(aliases) = rule["id"].as_str().and_then(|c| by_code.get(c)) else {
                continue;
            };
            rule["relationships"] = aliases
                .iter()
                .map(|a| json!({ "target": reference(a), "kinds": ["equal"] }))
                .collect();
            if let Some(tags) = rule["properties"]["tags"].as_array_mut() {
                tags.extend(aliases.iter().map(|a| json!(a)));
            }
        }
    }
    if let Some(results) = run["results"].as_array_mut() {
        for result in results {
            let Some(aliases) = result["ruleId"].as_str().and_then(|c| by_code.get(c)) else {
                continue;
            };
            result["taxa"] = aliases.iter().map(|a| reference(a)).collect();
        }
    }
    let taxonomy = json!({
        "name": tool,
        "informationUri": information_uri,
        "taxa": taxa.iter().map(|t| json!({ "id": t })).collect::<Vec<_>>(),
    });
    match run["taxonomies"].as_array_mut() {
        Some(list) => list.push(taxonomy),
        None => run["taxonomies"] = json!([taxonomy]),
    }
}

fn original_base(id: &str, uri: &str, subject: &str) -> Value {
    let mut entry = json!({ "description": { "text": format!("root of {subject}") } });
    if !uri.is_empty() {
        entry["uri"] = json!(uri);
    }
    json!({ id: entry })
}

/// Percent-encodes an image path as a relative URI reference: each segment
/// keeps RFC 3986 unreserved and sub-delimiter characters, everything else
/// (space, `%`, `#`, `?`, non-ASCII) becomes `%XX` of its UTF-8 bytes.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_relate_to_another_tools_codes() {
        static R: RuleInfo = crate::rule_info!("DF014", "apt-missing-yes", "P-B1", Medium, " Y.");
        static S: RuleInfo = crate::rule_info!("DF015", "other", "P-B1", Low, " Z.");
        let f = [Finding::new(&R, "m").with_aliases(["DL3014"])];
        let mut log = to_sarif("1", "u", &[R, S], &f, "x", UriBase::SrcRoot);
        relate_to_tool(
            &mut log,
            "hadolint",
            "https://example.invalid/",
            &[("DF014", "DL3014")],
        );
        let run = &log["runs"][0];
        assert_eq!(run["taxonomies"][0]["name"], "hadolint");
        assert_eq!(run["taxonomies"][0]["taxa"][0]["id"], "DL3014");
        let rel = &run["tool"]["driver"]["rules"][0]["relationships"][0];
        assert_eq!(rel["target"]["id"], "DL3014");
        assert_eq!(rel["target"]["toolComponent"]["name"], "hadolint");
        assert_eq!(rel["kinds"][0], "equal");
        assert!(
            run["tool"]["driver"]["rules"][1]
                .get("relationships")
                .is_none()
        );
        assert_eq!(run["results"][0]["taxa"][0]["id"], "DL3014");
        assert_eq!(run["results"][0]["properties"]["aliases"][0], "DL3014");
    }

    #[test]
    fn paths_become_valid_uri_references() {
        assert_eq!(uri_path("usr/bin/env"), "usr/bin/env");
        assert_eq!(uri_path("srv/my app/100%.env"), "srv/my%20app/100%25.env");
        assert_eq!(uri_path("a#b?c"), "a%23b%3Fc");
        assert_eq!(uri_path("caf\u{e9}"), "caf%C3%A9");
    }
}
