//! NuGet's `packages.lock.json` (`RestorePackagesWithLockFile`): per
//! target framework, every package restore resolved, direct and
//! transitive, with its `resolved` version. Entries of type `Project`
//! (another project of the same solution) resolve no package and are
//! passed over; a package locked for several frameworks in one version
//! counts once.

use serde_json::Value;

use super::Parsed;
use super::dotnet_deps::nuget_package;

/// Reads a `packages.lock.json`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let Some(frameworks) = doc.get("dependencies").and_then(Value::as_object) else {
        return Parsed::unreadable(
            "no \"dependencies\" object: not a packages.lock.json, skipped".into(),
        );
    };
    let mut out = Parsed::default();
    for (framework, deps) in frameworks {
        let Some(deps) = deps.as_object() else {
            out.warnings.push(format!(
                "dependencies[{framework:?}] is not an object: skipped"
            ));
            continue;
        };
        for (name, entry) in deps {
            if entry.get("type").and_then(Value::as_str) == Some("Project") {
                continue;
            }
            let version = entry.get("resolved").and_then(Value::as_str).unwrap_or("");
            if name.trim().is_empty() || version.trim().is_empty() {
                out.warnings.push(format!(
                    "dependencies[{framework:?}][{name:?}] has no resolved version: skipped"
                ));
                continue;
            }
            out.push(nuget_package(name, version));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        let text = include_bytes!("../../tests/data/lock/dotnet/packages.lock.json");
        let p = parse(text);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let doc: Value = serde_json::from_slice(text).unwrap();
        let mut want: Vec<(String, String)> = doc["dependencies"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|d| d.as_object().unwrap().iter())
            .filter(|(_, e)| e["type"] != "Project")
            .map(|(n, e)| (n.clone(), e["resolved"].as_str().unwrap().to_string()))
            .collect();
        want.sort();
        want.dedup();
        let got: Vec<(String, String)> = p
            .sorted_pairs()
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(got.contains(&("AutoMapper".into(), "13.0.1".into())));
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"["[..], "not valid JSON"),
            (b"{\"version\":1}", "no \"dependencies\" object"),
            (b"{\"dependencies\":{\"net8.0\":3}}", "is not an object"),
            (
                b"{\"dependencies\":{\"net8.0\":{\"A\":{\"type\":\"Direct\"}}}}",
                "has no resolved version",
            ),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
        let p = parse(b"{\"dependencies\":{\"net8.0\":{\"Sib\":{\"type\":\"Project\"}}}}");
        assert_eq!(p, Parsed::default());
    }
}
