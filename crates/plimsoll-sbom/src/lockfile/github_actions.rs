//! GitHub Actions: the actions and reusable workflows a repository's
//! workflows (`.github/workflows/*.yml`, `*.yaml`) and composite actions
//! (`action.yml`, `action.yaml`) use, each `uses: owner/repo[/path]@ref`
//! as a package named as syft names it (`actions/cache/restore`, version
//! `v3`) with the purl syft writes, `pkg:github/<owner>/<repo>@<ref>`
//! and the path inside the repository as the purl's subpath
//! (`pkg:github/actions/cache@v3#restore`).
//!
//! Read are the `uses:` of each job (a reusable workflow) and of each
//! job's steps in a workflow, and of `runs.steps` in an action. A pinned
//! commit counts as the version (a comment naming the tag after it is a
//! comment); local actions (`./…`), Docker actions (`docker://…`) and refs
//! that are expressions name no versioned package and are passed over.
//! Only directory scans read them, as syft does. syft reads an
//! `action.yml` only under `.github/actions/*/`; plimsoll reads it
//! wherever it is (the root of a repository that is an action, too), but
//! not inside `node_modules` (an npm package's, not the project's).

use serde_json::Value;

use super::{LockedPackage, Parsed, yaml_document};
use crate::PackageType;
use crate::purl::percent_encode;

/// The package of one `uses:` value, if it names a repository at a ref.
pub fn uses_package(uses: &str) -> Option<LockedPackage> {
    let uses = uses.trim();
    if uses.starts_with("./") || uses.starts_with("docker://") || uses.contains("${{") {
        return None;
    }
    let (path, reference) = uses.rsplit_once('@')?;
    let mut parts = path.splitn(3, '/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let subpath = parts.next().unwrap_or("").trim_matches('/');
    if reference.is_empty() || uses.contains(char::is_whitespace) {
        return None;
    }
    let mut purl = format!(
        "pkg:github/{}/{}@{}",
        percent_encode(owner),
        percent_encode(repo),
        percent_encode(reference)
    );
    if !subpath.is_empty() {
        purl.push('#');
        let segments: Vec<String> = subpath.split('/').map(percent_encode).collect();
        purl.push_str(&segments.join("/"));
    }
    Some(LockedPackage {
        package_type: PackageType::Github,
        name: path.to_string(),
        version: reference.to_string(),
        purl,
        licenses: Vec::new(),
    })
}

fn steps_uses<'a>(steps: Option<&'a Value>, out: &mut Vec<&'a str>) {
    for step in steps.and_then(Value::as_array).into_iter().flatten() {
        if let Some(u) = step.get("uses").and_then(Value::as_str) {
            out.push(u);
        }
    }
}

/// Reads a workflow or an action's metadata file.
pub fn parse(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "workflow") {
        Ok(doc) => doc,
        Err(unreadable) => return unreadable,
    };
    let Value::Object(doc) = doc else {
        return Parsed::unreadable("not a YAML mapping: skipped".into());
    };
    let mut uses = Vec::new();
    if let Some(jobs) = doc.get("jobs").and_then(Value::as_object) {
        for job in jobs.values() {
            if let Some(u) = job.get("uses").and_then(Value::as_str) {
                uses.push(u);
            }
            steps_uses(job.get("steps"), &mut uses);
        }
    }
    steps_uses(doc.get("runs").and_then(|r| r.get("steps")), &mut uses);
    let mut out = Parsed::default();
    for u in uses {
        if let Some(p) = uses_package(u) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Parsed {
        let path = format!(
            "{}/tests/data/lock/github/.github/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse(&std::fs::read(path).unwrap())
    }

    fn purls(p: &Parsed) -> Vec<&str> {
        let mut v: Vec<_> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        v.sort();
        v
    }

    #[test]
    fn uses_forms() {
        let p = uses_package("actions/cache/restore@v3").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.purl.as_str()),
            (
                "actions/cache/restore",
                "v3",
                "pkg:github/actions/cache@v3#restore"
            )
        );
        let p = uses_package("octo-org/another-repo/.github/workflows/workflow.yml@v1").unwrap();
        assert_eq!(
            p.purl,
            "pkg:github/octo-org/another-repo@v1#.github/workflows/workflow.yml"
        );
        for none in [
            "./.github/actions/bootstrap",
            "docker://alpine:3.20",
            "actions/checkout",
            "actions/checkout@",
            "checkout@v4",
            "actions/checkout@${{ inputs.ref }}",
        ] {
            assert!(uses_package(none).is_none(), "{none}");
        }
    }

    #[test]
    fn syft_fixture_workflows() {
        let p = read("workflows/validations.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            purls(&p),
            [
                "pkg:github/actions/cache@v3",
                "pkg:github/actions/cache@v3#restore",
                "pkg:github/actions/cache@v3#save",
                "pkg:github/actions/checkout@v4",
            ]
        );
        let p = read("workflows/call-shared.yml");
        assert_eq!(
            purls(&p),
            [
                "pkg:github/actions/checkout@v4",
                "pkg:github/octo-org/another-repo@v1#.github/workflows/workflow.yml",
                "pkg:github/octo-org/this-repo@172239021f7ba04fe7327647b213799853a9eb89#.github/workflows/workflow-1.yml",
            ]
        );
        // A pinned commit with the tag in a comment: the commit is the version.
        let p = read("workflows/version-comments.yaml");
        assert!(p.sorted_pairs().contains(&(
            "actions/checkout",
            "11bd71901bbe5b1630ceea73d27597364c9af683"
        )));
    }

    #[test]
    fn syft_fixture_composite_action() {
        let p = read("actions/bootstrap/action.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("actions/cache", "v3"),
                (
                    "actions/checkout",
                    "11bd71901bbe5b1630ceea73d27597364c9af683"
                ),
                (
                    "actions/setup-go",
                    "41dfa10bad2bb2ae585af6ee5bb4d7d973ad74ed"
                ),
                ("actions/setup-go", "v4"),
            ]
        );
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"\xff"[..], "not UTF-8"),
            (b"jobs: [", "not valid YAML"),
            (b"just text", "not a YAML mapping"),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
        // Odd shapes are no packages, not errors.
        assert_eq!(parse(b"jobs: {a: 3, b: {steps: 4}}\n"), Parsed::default());
    }
}
