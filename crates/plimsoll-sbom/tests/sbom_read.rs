//! The SBOM reader (`plimsoll_sbom::read`) on real documents: syft's own
//! format fixtures (every format and spec version it ships), syft's
//! CycloneDX of a real Debian image, and plimsoll's own CycloneDX and SPDX
//! of a real tree read back (see tests/data/sbom/README.md).

use std::path::Path;

use plimsoll_sbom::cyclonedx::Bom;
use plimsoll_sbom::read::{ReadError, SbomFormat, read_document, read_file};
use plimsoll_sbom::spdx::Document;
use plimsoll_sbom::{
    DocumentContext, ImageSubject, Inventory, Licensing, Package, PackageType, ToolInfo, catalog,
    licensing,
};
use plimsoll_testkit::scan_image;

fn data(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn read(path: &str) -> plimsoll_sbom::read::SbomDocument {
    read_file(&data(path)).unwrap_or_else(|e| panic!("{e}"))
}

const PARTYBUS: &str =
    "pkg:golang/github.com/wagoodman/go-partybus@v0.0.0-20230516145632-8ccac152c651";

#[test]
fn syft_fixtures_in_every_format() {
    let cases = [
        (
            "sbom/syft/cyclonedxjson-1.2.json",
            SbomFormat::CycloneDxJson,
            "1.2",
        ),
        (
            "sbom/syft/cyclonedxjson-1.6.json",
            SbomFormat::CycloneDxJson,
            "1.6",
        ),
        (
            "sbom/syft/cyclonedxxml-1.2.xml",
            SbomFormat::CycloneDxXml,
            "1.2",
        ),
        (
            "sbom/syft/cyclonedxxml-1.6.xml",
            SbomFormat::CycloneDxXml,
            "1.6",
        ),
        (
            "sbom/syft/spdxjson-2.2.json",
            SbomFormat::SpdxJson,
            "SPDX-2.2",
        ),
        (
            "sbom/syft/spdxjson-2.3.json",
            SbomFormat::SpdxJson,
            "SPDX-2.3",
        ),
        (
            "sbom/syft/spdxtagvalue-2.3.sbom",
            SbomFormat::SpdxTagValue,
            "SPDX-2.3",
        ),
    ];
    for (path, format, version) in cases {
        let doc = read(path);
        assert_eq!(doc.format, format, "{path}");
        assert_eq!(doc.spec_version, version, "{path}");
        // The go.mod the document describes is its subject, not a package.
        assert_eq!(doc.subject.as_deref(), Some("go.mod"), "{path}");
        let inv = &doc.inventory;
        assert!(inv.warnings.is_empty(), "{path}: {:?}", inv.warnings);
        assert_eq!(inv.packages.len(), 1, "{path}: {:?}", inv.packages);
        let p = &inv.packages[0];
        assert_eq!(p.package_type, PackageType::Golang, "{path}");
        assert_eq!(p.name, "github.com/wagoodman/go-partybus", "{path}");
        assert_eq!(p.version, "v0.0.0-20230516145632-8ccac152c651", "{path}");
        assert_eq!(p.purl, PARTYBUS, "{path}");
        assert_eq!(
            p.cpes[0],
            "cpe:2.3:a:wagoodman:go-partybus:v0.0.0-20230516145632-8ccac152c651:*:*:*:*:*:*:*",
            "{path}"
        );
        assert_eq!(inv.distro, None, "{path}");
    }
    // syft's second CPE: a property in CycloneDX JSON, a second reference in SPDX.
    assert_eq!(
        read("sbom/syft/cyclonedxjson-1.6.json").inventory.packages[0]
            .cpes
            .len(),
        2
    );
    assert_eq!(
        read("sbom/syft/spdxtagvalue-2.3.sbom").inventory.packages[0]
            .cpes
            .len(),
        2
    );
}

#[test]
fn syft_alpine_spdx_names_its_distribution_by_purls() {
    let doc = read("sbom/syft/spdxjson-alpine-3.10.syft.spdx.json");
    let inv = &doc.inventory;
    assert_eq!(doc.subject.as_deref(), Some("alpine-3.10"));
    let d = inv.distro.as_ref().expect("distro from distro= qualifiers");
    assert_eq!(d.id.as_deref(), Some("alpine"));
    assert_eq!(d.version_id.as_deref(), Some("3.10.9"));
    assert!(
        inv.packages
            .iter()
            .all(|p| p.package_type == PackageType::Apk)
    );
    let busybox = inv.packages.iter().find(|p| p.name == "busybox").unwrap();
    assert_eq!(busybox.version, "1.30.1-r5");
    assert_eq!(busybox.arch.as_deref(), Some("x86_64"));
    assert_eq!(busybox.licenses, ["GPL-2.0"]);
    assert_eq!(
        busybox.supplier.as_deref(),
        Some("Natanael Copa <ncopa@alpinelinux.org>")
    );
    // Every SECURITY cpe23Type reference, in order.
    let ssl = inv
        .packages
        .iter()
        .find(|p| p.name == "ssl_client")
        .unwrap();
    assert_eq!(ssl.cpes.len(), 6);
    assert_eq!(
        ssl.cpes[0],
        "cpe:2.3:a:ssl-client:ssl-client:1.30.1-r5:*:*:*:*:*:*:*"
    );
}

#[test]
fn syft_tag_value_and_micronaut_fixtures() {
    let tv = read("sbom/syft/spdxtagvalue-tag-value.spdx");
    assert_eq!(tv.format, SbomFormat::SpdxTagValue);
    let names: Vec<(&str, &str, PackageType)> = tv
        .inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.package_type))
        .collect();
    assert!(!names.is_empty(), "{:?}", tv.inventory.warnings);
    for p in &tv.inventory.packages {
        assert!(p.purl.starts_with("pkg:"), "{p:?}");
    }
    let micronaut = read("sbom/syft/cyclonedxjson-micronaut-1.6.json");
    assert!(
        micronaut
            .inventory
            .packages
            .iter()
            .all(|p| p.package_type == PackageType::Maven),
        "{:?}",
        micronaut.inventory
    );
}

#[test]
fn bad_documents_are_errors_naming_the_file() {
    let e = read_file(&data("sbom/syft/cyclonedxjson-bad-sbom")).unwrap_err();
    assert!(matches!(e, ReadError::Unknown { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("cyclonedxjson-bad-sbom: not an SBOM"),
        "{e}"
    );
    // Detected by content, then broken: the error says where.
    let cut = std::fs::read(data("sbom/syft/spdxjson-2.3.json")).unwrap();
    let e = read_document("cut.json", &cut[..cut.len() / 2]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cut.json: SPDX JSON: invalid JSON"),
        "{e}"
    );
    let e = read_document(
        "c.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.json: CycloneDX JSON: \"components\" is not an array"
    );
    let e = read_document(
        "c.xml",
        b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><components>",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("c.xml: CycloneDX XML: invalid XML"),
        "{e}"
    );
    let e = read_document(
        "t.spdx",
        b"SPDXVersion: SPDX-2.3\nPackageName: x\nPackageComment: <text>open\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("<text> without </text>"), "{e}");
    let e = read_file(Path::new("/nonexistent/sbom.json")).unwrap_err();
    assert!(e.to_string().starts_with("/nonexistent/sbom.json: "), "{e}");
}

/// Every fixture cut at many points, and with bytes flipped: a document or
/// an error naming the file, never a panic (the fuzz target `sbom_read`
/// goes further).
#[test]
fn cut_and_damaged_documents_never_panic() {
    let dir = data("sbom/syft");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(data("sbom/syft-lab-small.cdx.json"));
    for path in files {
        let content = std::fs::read(&path).unwrap();
        let step = (content.len() / 97).max(1);
        for cut in (0..content.len()).step_by(step) {
            if let Err(e) = read_document("cut", &content[..cut]) {
                assert!(e.to_string().starts_with("cut: "), "{e}");
            }
            let mut flipped = content.clone();
            flipped[cut] ^= 0x5a;
            if let Err(e) = read_document("flip", &flipped) {
                assert!(e.to_string().starts_with("flip: "), "{e}");
            }
        }
    }
}

#[test]
fn unknown_purl_types_and_missing_purls_are_warnings() {
    let doc = read_document(
        "mixed.cdx.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
            {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
            {"type": "library", "name": "thing", "version": "1", "purl": "pkg:bogus/thing@1"},
            {"type": "library", "name": "nopurl", "version": "2"},
            {"type": "file", "name": "/etc/passwd"}
        ]}"#,
    )
    .unwrap();
    assert_eq!(doc.inventory.packages.len(), 1);
    let w = doc.inventory.warnings.as_slice();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("mixed.cdx.json: components[1] (thing 1): purl type \"bogus\""),
        "{w:?}"
    );
    assert!(w[1].contains("components[2] (nopurl 2): no purl"), "{w:?}");
}

/// syft 1.18.1's CycloneDX of a real Debian 12 image.
#[test]
fn syft_cyclonedx_of_a_debian_image() {
    let doc = read("sbom/syft-lab-small.cdx.json");
    let inv = &doc.inventory;
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(
        (
            d.id.as_deref(),
            d.version_id.as_deref(),
            d.version_codename.as_deref()
        ),
        (Some("debian"), Some("12"), Some("bookworm"))
    );
    assert_eq!(inv.packages.len(), 96);
    assert!(
        doc.subject
            .as_deref()
            .unwrap()
            .ends_with("lab-images/small")
    );
    assert!(
        doc.subject_version
            .as_deref()
            .unwrap()
            .starts_with("sha256:")
    );
    let libc = inv
        .packages
        .iter()
        .find(|p| p.name == "libc6")
        .expect("libc6");
    assert_eq!(libc.package_type, PackageType::Deb);
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.arch.as_deref(), Some("amd64"));
    // syft's first location (`syft:location:0:path`) is where it was found.
    assert_eq!(libc.location, "usr/share/doc/libc6/copyright");
    // Every package has an ecosystem and a purl.
    assert!(inv.packages.iter().all(|p| p.purl.starts_with("pkg:")));
}

fn context(name: &str) -> DocumentContext {
    DocumentContext {
        subject: ImageSubject {
            reference: format!("dir:/{name}"),
            digest: format!("sha256:{}", "ab".repeat(32)),
            name: name.into(),
            repository_url: None,
            tag: None,
            platform: "linux/amd64".into(),
            diff_ids: vec![],
        },
        tool: ToolInfo {
            name: "plimsoll".into(),
            version: "0.1.0".into(),
            info_uri: "https://example.invalid/plimsoll".into(),
        },
        created: 1_700_000_000,
    }
}

/// What a document keeps of a package: its identity, source, licences
/// (as the writers state them) and CPEs.
type Kept = (
    PackageType,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Vec<String>,
);

fn kept(p: &Package) -> Kept {
    let licences = match licensing(&p.licenses) {
        Licensing::Unknown => String::new(),
        Licensing::Expression(e) => e,
        Licensing::Mixed(texts) => texts
            .into_iter()
            .map(|(t, _)| t)
            .collect::<Vec<_>>()
            .join("|"),
    };
    (
        p.package_type,
        p.name.clone(),
        p.version.clone(),
        p.purl.clone(),
        p.arch.clone(),
        p.source_name.clone(),
        p.source_version.clone(),
        licences,
        p.cpes.clone(),
    )
}

fn all_kept(inv: &Inventory, with_purl_only: bool) -> Vec<Kept> {
    let mut v: Vec<Kept> = inv
        .packages
        .iter()
        .filter(|p| !with_purl_only || !p.purl.is_empty())
        .map(kept)
        .collect();
    v.sort();
    v
}

/// plimsoll's own CycloneDX and SPDX of a real tree (this crate's test
/// data: lock files of many ecosystems, Bitnami, kernel, Ruby, conda,
/// Nix, R, Lua… fixtures) read back give the same packages.
#[test]
fn plimsolls_own_documents_read_back() {
    let scan = scan_image(
        &format!("dir:{}", data("").display()),
        plimsoll_sbom::register,
    );
    let inv = catalog(&scan).unwrap();
    assert!(inv.packages.len() > 500, "{}", inv.packages.len());
    let ctx = context("data");

    let cdx = Bom::new(&inv, &ctx).to_json();
    let back = read_document("own.cdx.json", cdx.as_bytes()).unwrap();
    assert_eq!(back.format, SbomFormat::CycloneDxJson);
    assert_eq!(back.subject.as_deref(), Some("dir:/data"));
    assert!(
        back.inventory.warnings.is_empty(),
        "{:?}",
        back.inventory.warnings
    );
    assert_same(&all_kept(&back.inventory, false), &all_kept(&inv, false));
    // CycloneDX keeps where each was found, too.
    let mut places: Vec<(String, usize)> = back
        .inventory
        .packages
        .iter()
        .map(|p| (p.location.clone(), p.layer))
        .collect();
    let mut original: Vec<(String, usize)> = inv
        .packages
        .iter()
        .map(|p| (p.location.clone(), p.layer))
        .collect();
    places.sort();
    original.sort();
    assert_eq!(places, original);

    let spdx = Document::new(&inv, &ctx).to_json();
    let back = read_document("own.spdx.json", spdx.as_bytes()).unwrap();
    assert_eq!(back.format, SbomFormat::SpdxJson);
    // SPDX has no place for plimsoll's package type: a package without a
    // purl (a WordPress plugin) cannot be told apart, and is said to be left out.
    let without_purl = inv.packages.iter().filter(|p| p.purl.is_empty()).count();
    assert_eq!(
        back.inventory.warnings.as_slice().len(),
        without_purl,
        "{:?}",
        back.inventory.warnings
    );
    // Nor for types sharing `pkg:generic` (kernels, binaries) or a kernel
    // module's kernel (its source, which its purl does not carry): compare
    // those by everything else.
    let generic = |mut k: Kept| {
        if k.3.starts_with("pkg:generic/") {
            k.0 = PackageType::Binary;
            k.5 = None;
            k.6 = None;
        }
        k
    };
    let mut a: Vec<Kept> = all_kept(&back.inventory, true)
        .into_iter()
        .map(generic)
        .collect();
    let mut b: Vec<Kept> = all_kept(&inv, true).into_iter().map(generic).collect();
    a.sort();
    b.sort();
    assert_same(&a, &b);
}

/// The packages only one side has, if any.
fn assert_same(read: &[Kept], written: &[Kept]) {
    let only_read: Vec<&Kept> = read.iter().filter(|k| !written.contains(k)).collect();
    let only_written: Vec<&Kept> = written.iter().filter(|k| !read.contains(k)).collect();
    assert!(
        only_read.is_empty() && only_written.is_empty(),
        "read back only: {only_read:#?}\nwritten only: {only_written:#?}"
    );
    assert_eq!(read.len(), written.len());
}
