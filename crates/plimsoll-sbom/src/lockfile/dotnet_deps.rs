//! .NET's `*.deps.json`: the dependency manifest `dotnet build` and
//! `dotnet publish` write beside an application's assemblies, which the
//! runtime's host reads to load them. Every entry of its `libraries` map,
//! keyed `Name/Version`, is one package: NuGet packages (`"type":
//! "package"`), the application's own projects (`"project"`) and the rest
//! (`"referenceassembly"`, `"runtimepack"`), as syft lists them, as
//! `pkg:nuget/<Name>@<Version>`.
//!
//! A published application's `deps.json` records what was deployed, so it
//! counts in image scans too (syft 1.18 reads it in directory scans only).

use serde_json::Value;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// A NuGet package, `pkg:nuget/<Name>@<Version>` (the purl keeps NuGet's
/// case, as syft writes it).
pub fn nuget_package(name: &str, version: &str) -> LockedPackage {
    LockedPackage {
        package_type: PackageType::Nuget,
        name: name.to_string(),
        version: version.to_string(),
        purl: purl("nuget", None, name, version, &[]),
        licenses: Vec::new(),
    }
}

/// Reads a `*.deps.json`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let Some(libraries) = doc.get("libraries").and_then(Value::as_object) else {
        return Parsed::unreadable("no \"libraries\" object: not a .deps.json, skipped".into());
    };
    let mut out = Parsed::default();
    for key in libraries.keys() {
        match key.split_once('/') {
            Some((name, version))
                if !name.trim().is_empty()
                    && !version.trim().is_empty()
                    && !key.contains(char::is_whitespace) =>
            {
                out.push(nuget_package(name, version));
            }
            _ => out.warnings.push(format!(
                "libraries[{:?}] is not Name/Version: skipped",
                crate::license::clip(key, 80)
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        let p = parse(include_bytes!(
            "../../tests/data/lock/dotnet/TestLibrary.deps.json"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 14);
        let pairs = p.sorted_pairs();
        for want in [
            ("AWSSDK.Core", "3.7.10.6"),
            ("Newtonsoft.Json", "13.0.1"),
            ("TestLibrary", "1.0.0"),
            ("TestCommon", "1.0.0"),
        ] {
            assert!(pairs.contains(&want), "{want:?}");
        }
        let n = p.packages.iter().find(|p| p.name == "Serilog").unwrap();
        assert_eq!(n.purl, "pkg:nuget/Serilog@2.10.0");
        assert_eq!(n.package_type, PackageType::Nuget);
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"{"[..], "not valid JSON"),
            (b"{\"targets\":{}}", "no \"libraries\" object"),
            (b"{\"libraries\":{\"NoVersion\":{}}}", "is not Name/Version"),
            (b"{\"libraries\":{\"A/\":{}}}", "is not Name/Version"),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
    }
}
