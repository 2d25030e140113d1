//! `plimsoll sbom --format cyclonedx|spdx` on small images built here: every
//! package is in both documents with its purl and licences, output is
//! byte-identical across runs under SOURCE_DATE_EPOCH, and both documents
//! pass scripts/validate-sbom.py (the official CycloneDX 1.6 and SPDX 2.3
//! schemas) when python3 and its packages are there. With
//! PLIMSOLL_REQUIRE_VALIDATORS=1 (scripts/test-all.sh sets it) a missing
//! validator fails the test instead of skipping it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;
use serde_json::Value;

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
const EPOCH: &str = "1700000000";

fn plimsoll(cache: &Path, args: &[&str], source_date_epoch: Option<&str>) -> Run {
    let cli = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .env_remove("DOCKER_CONFIG");
    match source_date_epoch {
        Some(e) => cli.env("SOURCE_DATE_EPOCH", e),
        None => cli.env_remove("SOURCE_DATE_EPOCH"),
    }
    .run(args)
}

fn para(name: &str, version: &str, arch: &str, extra: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nArchitecture: {arch}\n\
         Maintainer: Debian Maintainers <maint@lists.debian.org>\n{extra}Version: {version}\n\
         Description: {name}\n a package\n\n"
    )
}

/// Two layers: a base with four packages (an epoch, a `+` in a name) and a
/// layer that installs one more, so packages come from different layers.
fn image(compression: Compression) -> ImageSpec {
    let base_status = [
        para("base-files", "12.4+deb12u5", "amd64", ""),
        para("libc6", "2.36-9+deb12u4", "amd64", "Source: glibc\n"),
        para(
            "libstdc++6",
            "12.2.0-14",
            "amd64",
            "Source: gcc-12 (12.2.0-14)\n",
        ),
        para("zlib1g", "1:1.2.13.dfsg-1", "amd64", "Source: zlib\n"),
    ]
    .concat();
    let upper_status = [
        base_status.clone(),
        para("curl", "7.88.1-10+deb12u5", "amd64", ""),
    ]
    .concat();
    let base = Layer::new(
        &[
            dir("etc"),
            file("etc/os-release", OS_RELEASE),
            dir("var"),
            dir("var/lib"),
            dir("var/lib/dpkg"),
            file("var/lib/dpkg/status", base_status),
        ],
        compression,
    );
    let upper = Layer::new(&[file("var/lib/dpkg/status", upper_status)], compression);
    ImageSpec::new(vec![base, upper])
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    reference: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    Layout::new(&root.join("app")).add(&image(Compression::Gzip), "latest");
    let reference = format!("oci:{}:latest", root.join("app").display());
    Fixture {
        _dir: dir,
        root,
        reference,
    }
}

fn sbom(f: &Fixture, format: &str, cache: &str, epoch: Option<&str>) -> String {
    let r = plimsoll(
        &f.root.join(cache),
        &["sbom", &f.reference, "--format", format, "--no-progress"],
        epoch,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

#[test]
fn cyclonedx_has_the_image_and_one_component_per_package() {
    let f = fixture();
    let plain: Value = serde_json::from_str(&sbom(&f, "json", "c", Some(EPOCH))).unwrap();
    let bom: Value = serde_json::from_str(&sbom(&f, "cyclonedx", "c", Some(EPOCH))).unwrap();
    let packages = plain["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 5);
    let digest = plain["image"]["digest"].as_str().unwrap();

    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let image = &bom["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], f.reference.as_str());
    assert_eq!(image["version"], digest);
    assert_eq!(image["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        image["hashes"][0]["content"],
        digest.strip_prefix("sha256:").unwrap()
    );
    assert_eq!(
        image["purl"],
        format!("pkg:oci/app@{digest}?arch=amd64&tag=latest")
    );
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["name"],
        "plimsoll"
    );

    let components = bom["components"].as_array().unwrap();
    let os: Vec<&Value> = components
        .iter()
        .filter(|c| c["type"] == "operating-system")
        .collect();
    assert_eq!(os.len(), 1);
    assert_eq!(
        (&os[0]["name"], &os[0]["version"]),
        (&"debian".into(), &"12".into())
    );
    let libraries: Vec<&Value> = components
        .iter()
        .filter(|c| c["type"] == "library")
        .collect();
    assert_eq!(libraries.len(), packages.len());
    assert_eq!(components.len(), packages.len() + 1);
    // Same packages, same (sorted) order, same purls.
    for (c, p) in libraries.iter().zip(packages) {
        assert_eq!(c["name"], p["name"]);
        assert_eq!(c["version"], p["version"]);
        assert_eq!(c["purl"], p["purl"]);
        assert_eq!(
            c["bom-ref"], p["purl"],
            "purls are unique here, so they are the refs"
        );
        assert_eq!(
            property(c, "plimsoll:layer:index"),
            Some(p["layer"].to_string().as_str())
        );
        assert_eq!(
            property(c, "plimsoll:location:path"),
            Some("/var/lib/dpkg/status")
        );
        assert!(property(c, "plimsoll:layer:diffID").is_some_and(|d| d.starts_with("sha256:")));
        assert_eq!(
            c["evidence"]["occurrences"][0]["location"],
            "/var/lib/dpkg/status"
        );
        // Licences: written exactly when the inventory has some.
        let declared = p["licenses"].as_array().map_or(0, Vec::len);
        assert_eq!(c.get("licenses").is_some(), declared > 0, "{c}");
        assert_eq!(
            c["supplier"]["name"],
            "Debian Maintainers <maint@lists.debian.org>"
        );
    }
    let curl = libraries.iter().find(|c| c["name"] == "curl").unwrap();
    assert_eq!(property(curl, "plimsoll:layer:index"), Some("1"));
    let libstdcxx = libraries
        .iter()
        .find(|c| c["name"] == "libstdc++6")
        .unwrap();
    let purl = libstdcxx["purl"].as_str().unwrap();
    assert!(
        purl.starts_with("pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?"),
        "{purl}"
    );
    assert_eq!(
        property(libstdcxx, "plimsoll:package:sourceName"),
        Some("gcc-12")
    );

    let refs: HashSet<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), components.len(), "bom-refs are unique");
    let deps = bom["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0]["ref"], image["bom-ref"]);
    let depends_on: HashSet<&str> = strs(&deps[0]["dependsOn"]).into_iter().collect();
    assert_eq!(depends_on, refs);
}

#[test]
fn spdx_has_the_image_and_one_package_per_package() {
    let f = fixture();
    let plain: Value = serde_json::from_str(&sbom(&f, "json", "c", Some(EPOCH))).unwrap();
    let doc: Value = serde_json::from_str(&sbom(&f, "spdx", "c", Some(EPOCH))).unwrap();
    let packages = plain["packages"].as_array().unwrap();
    let digest = plain["image"]["digest"].as_str().unwrap();

    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["name"], f.reference.as_str());
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(
        strs(&doc["creationInfo"]["creators"]),
        [format!("Tool: plimsoll-{}", env!("CARGO_PKG_VERSION"))]
    );
    let ns = doc["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with("https://") && ns.contains("/spdx/app-") && !ns.contains('#'),
        "{ns}"
    );

    let spdx_packages = doc["packages"].as_array().unwrap();
    assert_eq!(
        spdx_packages.len(),
        packages.len() + 2,
        "image, OS, packages"
    );
    let image = &spdx_packages[0];
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["versionInfo"], digest);
    assert_eq!(
        image["externalRefs"][0]["referenceLocator"],
        format!("pkg:oci/app@{digest}?arch=amd64&tag=latest")
    );
    assert_eq!(
        spdx_packages[1]["primaryPackagePurpose"],
        "OPERATING_SYSTEM"
    );
    for (s, p) in spdx_packages[2..].iter().zip(packages) {
        assert_eq!(s["name"], p["name"]);
        assert_eq!(s["versionInfo"], p["version"]);
        assert_eq!(
            s["externalRefs"],
            serde_json::json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p["purl"],
            }])
        );
        assert_eq!(s["downloadLocation"], "NOASSERTION");
        assert_eq!(s["licenseConcluded"], "NOASSERTION");
        let declared = p["licenses"].as_array().map_or(0, Vec::len);
        assert_eq!(s["licenseDeclared"] == "NOASSERTION", declared == 0, "{s}");
        assert_eq!(s["filesAnalyzed"], false);
        assert_eq!(
            s["supplier"],
            "Person: Debian Maintainers (maint@lists.debian.org)"
        );
        let id = s["SPDXID"].as_str().unwrap();
        assert!(id.starts_with("SPDXRef-Package-deb-"), "{id}");
        assert!(
            id.strip_prefix("SPDXRef-")
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
            "{id}"
        );
    }
    let libstdcxx = spdx_packages
        .iter()
        .find(|p| p["name"] == "libstdc++6")
        .unwrap();
    let id = libstdcxx["SPDXID"].as_str().unwrap();
    assert!(id.starts_with("SPDXRef-Package-deb-libstdc-6-"), "{id}");
    assert_eq!(
        libstdcxx["sourceInfo"],
        "built from source package gcc-12 12.2.0-14"
    );
    let ids: HashSet<&str> = spdx_packages
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), spdx_packages.len(), "SPDXIDs are unique");

    let rels = doc["relationships"].as_array().unwrap();
    assert_eq!(rels.len(), spdx_packages.len());
    assert_eq!(
        (
            &rels[0]["spdxElementId"],
            &rels[0]["relationshipType"],
            &rels[0]["relatedSpdxElement"]
        ),
        (
            &"SPDXRef-DOCUMENT".into(),
            &"DESCRIBES".into(),
            &image["SPDXID"]
        )
    );
    let contained: HashSet<&str> = rels[1..]
        .iter()
        .inspect(|r| {
            assert_eq!(r["relationshipType"], "CONTAINS");
            assert_eq!(r["spdxElementId"], image["SPDXID"]);
        })
        .map(|r| r["relatedSpdxElement"].as_str().unwrap())
        .collect();
    assert_eq!(contained.len() + 1, ids.len());
    assert!(contained.iter().all(|id| ids.contains(id)));
}

#[test]
fn documents_are_byte_identical_under_source_date_epoch() {
    let f = fixture();
    for format in ["cyclonedx", "spdx"] {
        // The first run reads the layers, the second the cache: same bytes.
        let first = sbom(&f, format, &format!("{format}-cache"), Some(EPOCH));
        let second = sbom(&f, format, &format!("{format}-cache"), Some(EPOCH));
        assert_eq!(first, second, "{format}");
        let uncached = sbom(&f, format, &format!("{format}-other"), Some(EPOCH));
        assert_eq!(first, uncached, "{format}");
        // Another time is another document: new timestamp, new serial/namespace.
        let later = sbom(&f, format, &format!("{format}-cache"), Some("1700000001"));
        let (a, b): (Value, Value) = (
            serde_json::from_str(&first).unwrap(),
            serde_json::from_str(&later).unwrap(),
        );
        let id = if format == "cyclonedx" {
            "serialNumber"
        } else {
            "documentNamespace"
        };
        assert_ne!(a[id], b[id], "{format}");
        assert_eq!(
            a[if format == "cyclonedx" {
                "components"
            } else {
                "packages"
            }],
            b[if format == "cyclonedx" {
                "components"
            } else {
                "packages"
            }]
        );
    }
}

#[test]
fn a_bad_source_date_epoch_is_an_error() {
    let f = fixture();
    for bad in ["yesterday", "-5", "1.5"] {
        let r = plimsoll(
            &f.root.join("c"),
            &["sbom", &f.reference, "--format", "spdx", "--no-progress"],
            Some(bad),
        );
        assert_eq!(r.code, 2, "{bad}: {}", r.stdout);
        assert!(r.stderr.contains("SOURCE_DATE_EPOCH"), "{}", r.stderr);
    }
    let help = plimsoll(&f.root.join("c"), &["sbom", "--help"], None);
    assert!(help.stdout.contains("SOURCE_DATE_EPOCH"), "{}", help.stdout);
}

#[test]
fn docker_archives_are_named_after_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("My-App.tar");
    docker_archive(&archive, &image(Compression::None), "my-app:1.0");
    let r = plimsoll(
        &dir.path().join("c"),
        &[
            "sbom",
            &format!("docker-archive:{}", archive.display()),
            "--format",
            "cyclonedx",
            "-o",
            &dir.path().join("bom.json").display().to_string(),
        ],
        Some(EPOCH),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bom: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bom.json")).unwrap()).unwrap();
    let purl = bom["metadata"]["component"]["purl"].as_str().unwrap();
    assert!(purl.starts_with("pkg:oci/my-app@sha256:"), "{purl}");
    assert_eq!(bom["components"].as_array().unwrap().len(), 6);
}

/// Runs scripts/validate-sbom.py --self-test; None when python3 or the
/// validator's packages are missing (its exit status 2).
fn validate(files: &[&Path]) -> Option<(i32, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-sbom.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--self-test")
        .args(files)
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(2) => {
            eprintln!("validate-sbom.py cannot run:\n{text}");
            None
        }
        code => Some((code.unwrap_or(-1), text)),
    }
}

#[test]
fn documents_pass_the_official_schemas() {
    let f = fixture();
    let cdx = f.root.join("bom.cdx.json");
    let spdx = f.root.join("bom.spdx.json");
    std::fs::write(&cdx, sbom(&f, "cyclonedx", "c", Some(EPOCH))).unwrap();
    std::fs::write(&spdx, sbom(&f, "spdx", "c", Some(EPOCH))).unwrap();
    // A document that is not valid must fail, so a pass means something.
    let broken = f.root.join("broken.cdx.json");
    let mut bad: Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    bad["components"][1]["type"] = "gadget".into();
    std::fs::write(&broken, serde_json::to_vec(&bad).unwrap()).unwrap();

    let Some((code, text)) = validate(&[&cdx, &spdx]) else {
        assert!(
            std::env::var("PLIMSOLL_REQUIRE_VALIDATORS").as_deref() != Ok("1"),
            "PLIMSOLL_REQUIRE_VALIDATORS=1 but scripts/validate-sbom.py cannot run \
             (python3 -m pip install -r scripts/test-requirements.txt)"
        );
        eprintln!("SKIPPED: python3 with jsonschema and cyclonedx-python-lib is not available");
        return;
    };
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("valid CycloneDX 1.6 (6 components)"),
        "{text}"
    );
    assert!(text.contains("valid SPDX 2.3 (7 packages)"), "{text}");
    assert!(text.contains("rejected as expected"), "{text}");
    let (code, text) = validate(&[&broken]).expect("ran once already");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("INVALID") && text.contains("gadget"),
        "{text}"
    );
}
