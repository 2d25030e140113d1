//! The Python and npm catalogers and dpkg's file lists and copyright
//! licences, on tiny images built by the testkit and read by the engine:
//! overwrites, whiteouts, malformed and oversized files.

use plimsoll_engine::Scan;
use plimsoll_sbom::{Inventory, Package, PackageType, catalog};
use plimsoll_testkit::{Item, dir, file, scan_image, scan_layers, symlink, whiteout};

const SITE: &str = "usr/lib/python3/dist-packages";
const LOCAL: &str = "usr/local/lib/python3.11/dist-packages";

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

fn of_type(inv: &Inventory, t: PackageType) -> Vec<(String, String, usize)> {
    inv.of_type(t)
        .map(|p| (p.name.clone(), p.version.clone(), p.layer))
        .collect()
}

fn s(name: &str, version: &str, layer: usize) -> (String, String, usize) {
    (name.into(), version.into(), layer)
}

fn find<'a>(inv: &'a Inventory, t: PackageType, name: &str) -> &'a Package {
    inv.of_type(t)
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {t} package {name} in {:#?}", inv.packages))
}

fn metadata(name: &str, version: &str, extra: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: s\n{extra}\n\
         Long description\n\nLicense: not-a-header\n"
    )
}

#[test]
fn python_distributions_with_files_licences_and_layers() {
    let record = "requests/__init__.py,sha256=a,1\nrequests/api.py,sha256=b,2\n\
                  requests-2.19.1.dist-info/METADATA,,\n../../../bin/req,,\n";
    let scan = scan(vec![
        vec![
            file(
                &format!("{SITE}/pip-23.0.1.dist-info/METADATA"),
                metadata(
                    "pip",
                    "23.0.1",
                    "Author: The pip developers\nAuthor-email: distutils-sig@python.org\nLicense: MIT\n",
                ),
            ),
            file(
                &format!("{SITE}/setuptools-66.1.1.egg-info/PKG-INFO"),
                metadata(
                    "setuptools",
                    "66.1.1",
                    "License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n",
                ),
            ),
            file(
                &format!("{SITE}/setuptools-66.1.1.egg-info/installed-files.txt"),
                "../setuptools/__init__.py\nPKG-INFO\n",
            ),
            // distutils' single-file form, and CPython's own (not a package).
            file(
                &format!("{SITE}/Zope.Interface-5.0.egg-info"),
                metadata("zope.interface", "5.0", "License: ZPL 2.1\n"),
            ),
            file(
                "usr/lib/python2.7/Python-2.7.egg-info",
                metadata("Python", "2.7", ""),
            ),
        ],
        vec![
            file(
                &format!("{LOCAL}/requests-2.19.1.dist-info/METADATA"),
                metadata("requests", "2.19.1", "License: Apache 2.0\n"),
            ),
            file(&format!("{LOCAL}/requests-2.19.1.dist-info/RECORD"), record),
            file(
                &format!("{LOCAL}/PyYAML-5.3.dist-info/METADATA"),
                metadata("PyYAML", "5.3", "License-Expression: MIT\n"),
            ),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        of_type(&inv, PackageType::Pypi),
        [
            s("pip", "23.0.1", 0),
            s("pyyaml", "5.3", 1),
            s("requests", "2.19.1", 1),
            s("setuptools", "66.1.1", 0),
            s("zope-interface", "5.0", 0),
        ]
    );
    let pip = find(&inv, PackageType::Pypi, "pip");
    assert_eq!(pip.purl, "pkg:pypi/pip@23.0.1");
    assert_eq!(pip.licenses, ["MIT"]);
    assert_eq!(
        pip.supplier.as_deref(),
        Some("The pip developers <distutils-sig@python.org>")
    );
    assert_eq!(
        pip.location,
        format!("{SITE}/pip-23.0.1.dist-info/METADATA")
    );
    let req = find(&inv, PackageType::Pypi, "requests");
    assert_eq!(req.licenses, ["Apache-2.0"]);
    assert_eq!(
        req.files,
        [
            "usr/local/bin/req".to_string(),
            format!("{LOCAL}/requests-2.19.1.dist-info/METADATA"),
            format!("{LOCAL}/requests/__init__.py"),
            format!("{LOCAL}/requests/api.py"),
        ]
    );
    let st = find(&inv, PackageType::Pypi, "setuptools");
    assert_eq!(st.licenses, ["MIT"]);
    assert_eq!(
        st.files,
        [
            format!("{SITE}/setuptools-66.1.1.egg-info/PKG-INFO"),
            format!("{SITE}/setuptools/__init__.py"),
        ]
    );
    let zope = find(&inv, PackageType::Pypi, "zope-interface");
    assert_eq!(zope.purl, "pkg:pypi/zope-interface@5.0");
    assert_eq!(zope.licenses, ["ZPL 2.1"]);
    assert!(zope.files.is_empty());
    assert_eq!(
        find(&inv, PackageType::Pypi, "pyyaml").location,
        format!("{LOCAL}/PyYAML-5.3.dist-info/METADATA")
    );
}

#[test]
fn upgrades_and_whiteouts_decide_what_the_image_has() {
    let lodash = |v: &str| format!(r#"{{"name":"lodash","version":"{v}","license":"MIT"}}"#);
    let scan = scan(vec![
        vec![
            file(
                &format!("{LOCAL}/urllib3-1.24.1.dist-info/METADATA"),
                metadata("urllib3", "1.24.1", ""),
            ),
            file(
                &format!("{LOCAL}/six-1.16.0.dist-info/METADATA"),
                metadata("six", "1.16.0", ""),
            ),
            file(
                &format!("{LOCAL}/six-1.16.0.dist-info/RECORD"),
                "six.py,,\n",
            ),
            file(
                "srv/app/node_modules/lodash/package.json",
                lodash("4.17.15"),
            ),
            file(
                "srv/app/node_modules/left-pad/package.json",
                r#"{"name":"left-pad","version":"1.3.0"}"#,
            ),
        ],
        vec![
            // pip upgraded urllib3: the old dist-info is deleted, a new one added.
            whiteout(&format!("{LOCAL}/urllib3-1.24.1.dist-info")),
            file(
                &format!("{LOCAL}/urllib3-2.0.0.dist-info/METADATA"),
                metadata("urllib3", "2.0.0", ""),
            ),
            // six's RECORD alone is deleted: the package stays, without files.
            whiteout(&format!("{LOCAL}/six-1.16.0.dist-info/RECORD")),
            // lodash rewritten in place, left-pad removed.
            file(
                "srv/app/node_modules/lodash/package.json",
                lodash("4.17.21"),
            ),
            whiteout("srv/app/node_modules/left-pad"),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        of_type(&inv, PackageType::Pypi),
        [s("six", "1.16.0", 0), s("urllib3", "2.0.0", 1)]
    );
    assert!(find(&inv, PackageType::Pypi, "six").files.is_empty());
    assert_eq!(of_type(&inv, PackageType::Npm), [s("lodash", "4.17.21", 1)]);
}

#[test]
fn npm_packages_nested_scoped_and_outside_node_modules() {
    let scan = scan(vec![vec![
        file(
            "srv/app/package.json",
            r#"{"name":"app","version":"1.0.0","private":true,"dependencies":{"lodash":"^4"}}"#,
        ),
        file(
            "srv/app/node_modules/@babel/core/package.json",
            r#"{"name":"@babel/core","version":"7.0.0","license":"MIT","author":{"name":"Sebastian","email":"s@x.org"}}"#,
        ),
        file(
            "srv/app/node_modules/a/node_modules/b/package.json",
            r#"{"name":"b","version":"2.0.0","licenses":[{"type":"BSD-3-Clause"},{"type":"GPL-2.0"}]}"#,
        ),
        // An ESM marker inside a package: no package, no warning.
        file(
            "srv/app/node_modules/a/esm/package.json",
            r#"{"type":"module"}"#,
        ),
        file(
            "usr/share/nodejs/debian-pkg/package.json",
            r#"{"name":"debian-pkg","version":"0.1.0","license":"(MIT OR Apache-2.0)","author":"Jane <j@x.org> (https://x.org)"}"#,
        ),
        // A directory named package.json is not a manifest.
        dir("srv/app/odd/package.json"),
    ]]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        of_type(&inv, PackageType::Npm),
        [
            s("@babel/core", "7.0.0", 0),
            s("app", "1.0.0", 0),
            s("b", "2.0.0", 0),
            s("debian-pkg", "0.1.0", 0),
        ]
    );
    let babel = find(&inv, PackageType::Npm, "@babel/core");
    assert_eq!(babel.purl, "pkg:npm/%40babel/core@7.0.0");
    assert_eq!(babel.licenses, ["MIT"]);
    assert_eq!(babel.supplier.as_deref(), Some("Sebastian <s@x.org>"));
    assert_eq!(
        babel.location,
        "srv/app/node_modules/@babel/core/package.json"
    );
    let b = find(&inv, PackageType::Npm, "b");
    assert_eq!(b.licenses, ["BSD-3-Clause", "GPL-2.0"]);
    let deb = find(&inv, PackageType::Npm, "debian-pkg");
    assert_eq!(deb.licenses, ["(MIT OR Apache-2.0)"]);
    assert_eq!(deb.supplier.as_deref(), Some("Jane <j@x.org>"));
}

#[test]
fn malformed_and_oversized_files_warn_with_layer_and_path() {
    // Headers over the 1 MiB read: the package is still found (its Name
    // comes first), with a warning about the cut.
    let huge_header = format!(
        "Name: big\nVersion: 1.0\nDescription: {}\n continued\n",
        "x".repeat(1_200_000)
    );
    // A manifest over the 4 MiB limit is not read at all.
    let huge_manifest = format!(
        r#"{{"name":"huge","version":"1.0.0","readme":"{}"}}"#,
        "y".repeat(4 * 1024 * 1024 + 10)
    );
    let huge_warning = format!(
        "layer 1: srv/node_modules/huge/package.json: {} bytes, larger than 4194304: not read",
        huge_manifest.len()
    );
    let scan = scan(vec![
        vec![file(
            &format!("{SITE}/ok-1.0.dist-info/METADATA"),
            metadata("ok", "1.0", ""),
        )],
        vec![
            file(
                &format!("{SITE}/bad-1.0.dist-info/METADATA"),
                b"\x00\x01\xff\xfe binary junk".as_slice(),
            ),
            file(
                &format!("{SITE}/noname-1.0.dist-info/METADATA"),
                "Version: 1.0\nSummary: no name\n",
            ),
            file(&format!("{SITE}/big-1.0.dist-info/METADATA"), huge_header),
            file(
                "srv/node_modules/broken/package.json",
                r#"{"name": "broken", "#,
            ),
            file("srv/node_modules/huge/package.json", huge_manifest),
            file(
                "srv/node_modules/ok/package.json",
                r#"{"name":"ok","version":"1.0.0"}"#,
            ),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(
        of_type(&inv, PackageType::Pypi),
        [s("big", "1.0", 1), s("ok", "1.0", 0)]
    );
    assert_eq!(of_type(&inv, PackageType::Npm), [s("ok", "1.0.0", 1)]);
    let w = inv.warnings.join("\n");
    for needle in [
        &format!("layer 1: {SITE}/bad-1.0.dist-info/METADATA: no metadata headers")[..],
        &format!("layer 1: {SITE}/noname-1.0.dist-info/METADATA: no Name field: skipped"),
        &format!("layer 1: {SITE}/big-1.0.dist-info/METADATA: headers longer than 1048576 bytes"),
        "layer 1: srv/node_modules/broken/package.json: not valid JSON",
        &huge_warning,
    ] {
        assert!(w.contains(needle), "missing {needle:?} in:\n{w}");
    }
    assert_eq!(inv.warnings.len(), 5, "{w}");
}

#[test]
fn deleted_malformed_files_no_longer_warn() {
    let scan = scan(vec![
        vec![file("srv/node_modules/broken/package.json", "{")],
        vec![whiteout("srv/node_modules/broken")],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert!(inv.packages.is_empty());
}

const STATUS: &str = "Package: libgcc-s1\nStatus: install ok installed\nArchitecture: amd64\n\
Source: gcc-12\nVersion: 12.2.0-14\n\n\
Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n\
Package: gcc-12-base\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.2.0-14\n";

const DEP5: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: bash\n\nFiles: *\nCopyright: 1987-2022 FSF\nLicense: GPL-3+\n\n\
Files: doc/*\nLicense: GFDL-NIV-1.3 or Expat\n\nLicense: GPL-3+\n On Debian systems see\n \
/usr/share/common-licenses/GPL-3.\n";

const FREE_FORM: &str = "This is the Debian GNU/Linux prepackaged version of the GNU compiler\n\
collection. It is GPL-compatible. The GCC runtime is licensed under the GPL,\n\
see `/usr/share/common-licenses/GPL-3', and the docs under\n\
`/usr/share/common-licenses/GFDL-1.2'.\n";

#[test]
fn dpkg_packages_get_their_files_and_copyright_licences() {
    let scan = scan(vec![
        vec![
            dir("usr"),
            dir("usr/bin"),
            dir("usr/share/doc/bash"),
            symlink("bin", "usr/bin"),
            file("var/lib/dpkg/status", STATUS),
            file(
                "var/lib/dpkg/info/bash.list",
                "/.\n/usr\n/usr/bin\n/usr/bin/bash\n/bin/rbash\n/usr/share/doc/bash/copyright\n",
            ),
            file("usr/bin/bash", "ELF"),
            file("usr/share/doc/bash/copyright", DEP5),
            file(
                "var/lib/dpkg/info/libgcc-s1:amd64.list",
                "/.\n/usr/lib/x86_64-linux-gnu/libgcc_s.so.1\n/usr/share/doc/libgcc-s1\n",
            ),
            // As Debian ships it: the doc directory is a link to the base package's.
            symlink("usr/share/doc/libgcc-s1", "gcc-12-base"),
            file("usr/share/doc/gcc-12-base/copyright", FREE_FORM),
            file(
                "var/lib/dpkg/info/gcc-12-base:amd64.list",
                "/.\n/usr/share/doc/gcc-12-base/copyright\n",
            ),
        ],
        vec![
            // A later layer deletes bash's copyright and libgcc's file list.
            whiteout("usr/share/doc/bash/copyright"),
            whiteout("var/lib/dpkg/info/libgcc-s1:amd64.list"),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings); // no os-release
    let bash = find(&inv, PackageType::Deb, "bash");
    // Directories (also "usr/bin" reached through the "bin" link) are left out.
    assert_eq!(
        bash.files,
        ["bin/rbash", "usr/bin/bash", "usr/share/doc/bash/copyright"]
    );
    assert!(bash.licenses.is_empty(), "its copyright was deleted");
    let libgcc = find(&inv, PackageType::Deb, "libgcc-s1");
    assert!(libgcc.files.is_empty(), "its list was deleted");
    assert_eq!(libgcc.licenses, ["GPL-3.0-only", "GFDL-1.2-only"]);
    let base = find(&inv, PackageType::Deb, "gcc-12-base");
    assert_eq!(base.files, ["usr/share/doc/gcc-12-base/copyright"]);
    assert_eq!(base.licenses, libgcc.licenses);

    // Without the whiteouts: bash's DEP-5 licences, mapped.
    let scan2 = self::scan(vec![vec![
        file("var/lib/dpkg/status", STATUS),
        file("usr/share/doc/bash/copyright", DEP5),
    ]]);
    let inv = catalog(&scan2).unwrap();
    assert_eq!(
        find(&inv, PackageType::Deb, "bash").licenses,
        ["GPL-3.0-or-later", "GFDL-1.3-no-invariants-only", "MIT"]
    );
}

/// Peer comparison on the big reference image: our pypi and npm (name,
/// version) sets cover at least 99% of syft's, and every difference is
/// printed; deb licence agreement is printed for the report.
/// Run: `PLIMSOLL_LAB_IMAGES=/work/lab-images cargo test -p plimsoll-sbom
/// --test lang_catalogers -- --ignored --nocapture`.
#[test]
#[ignore = "needs PLIMSOLL_LAB_IMAGES (the reference images) and syft"]
fn big_image_language_packages_cover_syfts() {
    use std::collections::{BTreeMap, BTreeSet};

    let lab = std::env::var("PLIMSOLL_LAB_IMAGES").expect("set PLIMSOLL_LAB_IMAGES");
    let big = std::path::Path::new(&lab).join("big");
    let scan = scan_image(
        &format!("oci:{}:latest", big.display()),
        plimsoll_sbom::register,
    );
    let inv = catalog(&scan).unwrap();

    let syft = std::process::Command::new("syft")
        .args([
            "scan",
            &format!("oci-dir:{}", big.display()),
            "-o",
            "json",
            "-q",
        ])
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .expect("syft must be installed");
    assert!(
        syft.status.success(),
        "{}",
        String::from_utf8_lossy(&syft.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&syft.stdout).unwrap();
    let artifacts = theirs["artifacts"].as_array().unwrap();

    for (ours_type, syft_type) in [(PackageType::Pypi, "python"), (PackageType::Npm, "npm")] {
        let ours: BTreeSet<(String, String)> = inv
            .of_type(ours_type)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        let syfts: BTreeSet<(String, String)> = artifacts
            .iter()
            .filter(|a| a["type"] == syft_type)
            .map(|a| {
                let v = a["version"].as_str().unwrap_or("");
                // syft stubs a missing version as UNKNOWN; we leave it empty.
                let v = if v == "UNKNOWN" { "" } else { v };
                (a["name"].as_str().unwrap_or("").to_string(), v.to_string())
            })
            .collect();
        let common = ours.intersection(&syfts).count();
        println!(
            "{ours_type}: syft {}, ours {}, common {common}",
            syfts.len(),
            ours.len()
        );
        for only in syfts.difference(&ours) {
            println!("  only syft: {only:?}");
        }
        for only in ours.difference(&syfts) {
            println!("  only ours: {only:?}");
        }
        assert!(
            common * 100 >= syfts.len() * 99,
            "{ours_type}: {common} of syft's {} found",
            syfts.len()
        );
    }

    // Deb licences: syft's ids (its SPDX mapping where it has one, with
    // Debian's `Expat` read as MIT) against ours.
    let mut syft_lic: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in artifacts.iter().filter(|a| a["type"] == "deb") {
        let set = syft_lic
            .entry(a["name"].as_str().unwrap_or("").to_string())
            .or_default();
        for l in a["licenses"].as_array().into_iter().flatten() {
            let id = match l["spdxExpression"].as_str() {
                Some(e) if !e.is_empty() => e,
                _ => l["value"].as_str().unwrap_or(""),
            };
            set.insert(if id == "Expat" {
                "MIT".into()
            } else {
                id.to_string()
            });
        }
    }
    let (mut equal, mut theirs_total, mut ours_total, mut common) = (0, 0, 0, 0);
    for p in inv.of_type(PackageType::Deb) {
        let ours: BTreeSet<String> = p.licenses.iter().cloned().collect();
        let theirs = syft_lic.get(&p.name).cloned().unwrap_or_default();
        equal += usize::from(ours == theirs);
        theirs_total += theirs.len();
        ours_total += ours.len();
        common += ours.intersection(&theirs).count();
    }
    println!(
        "deb licences: {} packages, {equal} with equal sets; syft names {theirs_total}, \
         we name {ours_total}, {common} in common",
        syft_lic.len()
    );
}
