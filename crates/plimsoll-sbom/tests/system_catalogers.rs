//! The Arch (pacman), Gentoo (portage), Linux kernel and Bitnami catalogers on tiny images
//! built by the testkit: the real fixtures of `tests/data` (see the
//! PROVENANCE.md files there) in layers, with overwrites and whiteouts.

use std::path::Path;

use plimsoll_engine::Scan;
use plimsoll_sbom::{PackageType, catalog};
use plimsoll_testkit::{Item, file, scan_layers, whiteout};

fn data(path: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

const PACMAN: &str = "var/lib/pacman/local";

/// The syft fixtures' pacman database, each package's files at its path.
fn pacman_db() -> Vec<Item> {
    let mut items = Vec::new();
    for (pkg, files) in [
        ("gmp-6.2.1-2", true),
        ("emacs-29.3-3", false),
        ("tree-sitter-0.22.6-1", false),
        ("fuzzy-1.2-3", true),
        ("madeup-20.30-4", false),
        ("corrupt-0.2.1-3", false),
    ] {
        items.push(file(
            &format!("{PACMAN}/{pkg}/desc"),
            data(&format!("arch/local/{pkg}/desc")),
        ));
        if files {
            items.push(file(
                &format!("{PACMAN}/{pkg}/files"),
                data(&format!("arch/local/{pkg}/files")),
            ));
        }
    }
    items
}

#[test]
fn arch_packages_with_layers_and_whiteouts() {
    let mut base = pacman_db();
    base.push(file("usr/lib/os-release", data("arch/os-release")));
    let scan = scan(vec![
        base,
        // pacman -R fuzzy: its directory goes.
        vec![whiteout(&format!("{PACMAN}/fuzzy-1.2-3"))],
        // A newer gmp, described again in a later layer.
        vec![file(
            &format!("{PACMAN}/gmp-6.2.1-2/desc"),
            String::from_utf8(data("arch/local/gmp-6.2.1-2/desc"))
                .unwrap()
                .replace("%PACKAGER%\nAntonio", "%PACKAGER%\nSomeone"),
        )],
    ]);
    let inv = catalog(&scan).unwrap();
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(
        (
            d.id.as_deref(),
            d.version_id.as_deref(),
            d.build_id.as_deref()
        ),
        (Some("arch"), None, Some("rolling"))
    );
    let got: Vec<_> = inv
        .of_type(PackageType::Alpm)
        .map(|p| (p.name.as_str(), p.version.as_str(), p.layer))
        .collect();
    assert_eq!(
        got,
        [
            ("emacs", "29.3-3", 0),
            ("gmp", "6.2.1-2", 2),
            ("madeup", "20.30-4", 0),
            ("tree-sitter", "0.22.6-1", 0)
        ]
    );
    let gmp = inv.of_type(PackageType::Alpm).nth(1).unwrap();
    assert_eq!(
        gmp.purl,
        "pkg:alpm/arch/gmp@6.2.1-2?arch=x86_64&distro=arch-rolling&upstream=gmp"
    );
    assert_eq!(gmp.location, format!("{PACMAN}/gmp-6.2.1-2/desc"));
    assert_eq!(
        gmp.supplier.as_deref(),
        Some("Someone Rojas <arojas@archlinux.org>")
    );
    assert_eq!(gmp.licenses, ["LGPL3", "GPL"]);
    // The files from the `files` beside the desc (of the first layer).
    assert_eq!(gmp.files.len(), 13);
    assert!(gmp.files.contains(&"usr/lib/libgmp.so.10.4.1".to_string()));
    // The corrupt fixture: a warning naming layer and path.
    assert_eq!(
        inv.warnings.as_slice(),
        [format!(
            "layer 0: {PACMAN}/corrupt-0.2.1-3/desc: no valid %NAME% (\"\"): not a pacman package description, skipped"
        )]
    );
    // The OS packages are OS packages (matched against distribution data).
    assert!(PackageType::Alpm.is_os());
}

#[test]
fn arch_without_os_release_and_derivatives() {
    let scan_with = |os: Option<&str>| {
        let mut items = pacman_db();
        if let Some(os) = os {
            items.push(file("etc/os-release", os));
        }
        catalog(&scan(vec![items])).unwrap()
    };
    let purl = |inv: &plimsoll_sbom::Inventory| {
        inv.of_type(PackageType::Alpm)
            .find(|p| p.name == "gmp")
            .unwrap()
            .purl
            .clone()
    };
    assert_eq!(
        purl(&scan_with(None)),
        "pkg:alpm/arch/gmp@6.2.1-2?arch=x86_64&upstream=gmp"
    );
    assert_eq!(
        purl(&scan_with(Some(
            "NAME=\"Arch Linux ARM\"\nID=archarm\nBUILD_ID=rolling\n"
        ))),
        "pkg:alpm/archarm/gmp@6.2.1-2?arch=x86_64&distro=archarm-rolling&upstream=gmp"
    );
}

const MODULES: &str = "lib/modules/6.1.0-50-cloud-amd64/kernel/net";

#[test]
fn kernel_and_modules_with_layers_and_whiteouts() {
    let head = data("kernel/vmlinuz-6.1.0-50-cloud-amd64.head");
    let q = data(&format!("kernel/{MODULES}/8021q/8021q.ko"));
    let pkttype = data(&format!("kernel/{MODULES}/netfilter/xt_pkttype.ko"));
    let scan = scan(vec![
        vec![
            file("boot/vmlinuz-6.1.0-50-cloud-amd64", &head),
            // Named like a kernel, but a script: no package, no warning.
            file("usr/sbin/kernel-install", "#!/bin/sh\nexit 0\n"),
            file(&format!("{MODULES}/8021q/8021q.ko"), &q),
            file(&format!("{MODULES}/netfilter/xt_pkttype.ko"), &pkttype),
            file(&format!("{MODULES}/broken.ko"), &q[..100]),
        ],
        vec![
            whiteout(&format!("{MODULES}/netfilter/xt_pkttype.ko")),
            file("boot/vmlinuz-old", &head),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    let kernels: Vec<_> = inv
        .of_type(PackageType::LinuxKernel)
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.location.as_str(),
                p.layer,
            )
        })
        .collect();
    assert_eq!(
        kernels,
        [
            (
                "linux-kernel",
                "6.1.0-50-cloud-amd64",
                "boot/vmlinuz-6.1.0-50-cloud-amd64",
                0
            ),
            (
                "linux-kernel",
                "6.1.0-50-cloud-amd64",
                "boot/vmlinuz-old",
                1
            ),
        ]
    );
    let k = inv.of_type(PackageType::LinuxKernel).next().unwrap();
    assert_eq!(k.purl, "pkg:generic/linux-kernel@6.1.0-50-cloud-amd64");
    let modules: Vec<_> = inv
        .of_type(PackageType::LinuxKernelModule)
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    assert_eq!(modules, [("8021q", "1.8", "pkg:generic/8021q@1.8")]);
    let m = inv.of_type(PackageType::LinuxKernelModule).next().unwrap();
    assert_eq!(m.source_version.as_deref(), Some("6.1.0-50-cloud-amd64"));
    assert_eq!(m.licenses, ["GPL"]);
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(
        inv.warnings[0].starts_with(&format!("layer 0: {MODULES}/broken.ko: unreadable ELF")),
        "{:?}",
        inv.warnings
    );
    // The JSON names the types as syft does.
    let json: serde_json::Value = serde_json::from_str(&inv.to_json()).unwrap();
    let types: Vec<&str> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["linux-kernel", "linux-kernel", "linux-kernel-module"]
    );
}

const PG: &str = "opt/bitnami/postgresql";

#[test]
fn bitnami_components_and_their_files() {
    let spdx = data("bitnami/json/opt/bitnami/postgresql/.spdx-postgresql.spdx");
    let scan = scan(vec![
        vec![
            file(&format!("{PG}/.spdx-postgresql.spdx"), &spdx),
            file(&format!("{PG}/bin/postgres"), "real binary here"),
            file(&format!("{PG}/share/pljava/pljava-1.6.8.jar"), "jar"),
            file(
                "opt/bitnami/redis/.spdx-redis.spdx",
                data("bitnami/no-rel/opt/bitnami/redis/.spdx-redis.spdx"),
            ),
            file(
                "opt/bitnami/broken/.spdx-broken.spdx",
                data("bitnami/invalid/opt/bitnami/redis/.spdx-redis.spdx"),
            ),
        ],
        // The redis product removed.
        vec![whiteout("opt/bitnami/redis")],
    ]);
    let inv = catalog(&scan).unwrap();
    let got: Vec<_> = inv
        .of_type(PackageType::Bitnami)
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(got.len(), 16, "{got:?}"); // of 19 SPDX packages, 3 Maven jars
    assert!(got.contains(&("postgresql", "17.2.0-8")));
    assert!(!got.iter().any(|(n, _)| *n == "redis"), "{got:?}");
    let pg = inv
        .of_type(PackageType::Bitnami)
        .find(|p| p.name == "postgresql")
        .unwrap();
    assert_eq!(
        pg.purl,
        "pkg:bitnami/postgresql@17.2.0-8?arch=arm64&distro=debian-12"
    );
    assert_eq!(pg.location, format!("{PG}/.spdx-postgresql.spdx"));
    // The main component owns what no other one does.
    assert_eq!(pg.files, [format!("{PG}/bin/postgres")]);
    let pljava = inv
        .of_type(PackageType::Bitnami)
        .find(|p| p.name == "pljava")
        .unwrap();
    assert_eq!(pljava.files.len(), 3);
    assert!(
        pljava
            .files
            .contains(&format!("{PG}/share/pljava/pljava-1.6.8.jar"))
    );
    // (The stand-in jar is no zip: the Java cataloger says so.)
    let ours: Vec<&String> = inv
        .warnings
        .iter()
        .filter(|w| !w.ends_with("Could not find EOCD"))
        .collect();
    assert_eq!(ours.len(), 1, "{:?}", inv.warnings);
    assert!(
        ours[0].starts_with(
            "layer 0: opt/bitnami/broken/.spdx-broken.spdx: not an SPDX JSON document"
        ),
        "{:?}",
        inv.warnings
    );
}

// -- portnix (issue 18) --

const PORTAGE: &str = "var/db/pkg/app-containers/skopeo-1.5.1";

/// syft's portage fixture (skopeo 1.5.1's CONTENTS, LICENSE and SIZE).
fn portage_db() -> Vec<Item> {
    ["CONTENTS", "LICENSE", "SIZE"]
        .iter()
        .map(|f| {
            file(
                &format!("{PORTAGE}/{f}"),
                data(&format!("portage/{PORTAGE}/{f}")),
            )
        })
        .collect()
}

#[test]
fn gentoo_packages_with_layers_whiteouts_and_owned_files() {
    let mut base = portage_db();
    // A package whose directory name holds no version (syft's glob fixture).
    base.push(file("var/db/pkg/x/y/CONTENTS", "bogus contents\n"));
    // A second package, removed in a later layer (emerge --unmerge).
    base.push(file(
        "var/db/pkg/app-arch/xz-utils-5.4.2/CONTENTS",
        "dir /usr\nobj /usr/bin/xz 0123456789abcdef0123456789abcdef 1649284374\n",
    ));
    // skopeo's binary is portage's file, not a program of its own (here
    // bytes openssl's classifier identifies); xz's, once its package is
    // removed, is one.
    base.push(file(
        "usr/bin/skopeo",
        data("binary/openssl.804835-805042.bin"),
    ));
    base.push(file("usr/bin/xz", data("binary/xz.61814-62027.bin")));
    let inv = catalog(&scan(vec![
        base,
        vec![whiteout("var/db/pkg/app-arch/xz-utils-5.4.2")],
        // The licence rewritten in a later layer.
        vec![file(
            &format!("{PORTAGE}/LICENSE"),
            "|| ( MIT Apache-2.0 )\n",
        )],
    ]))
    .unwrap();
    let got: Vec<_> = inv
        .of_type(PackageType::Portage)
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.layer,
            )
        })
        .collect();
    assert_eq!(
        got,
        [(
            "app-containers/skopeo",
            "1.5.1",
            "pkg:ebuild/app-containers/skopeo@1.5.1",
            0
        )]
    );
    let skopeo = inv.of_type(PackageType::Portage).next().unwrap();
    assert_eq!(skopeo.location, format!("{PORTAGE}/CONTENTS"));
    assert_eq!(skopeo.licenses, ["MIT", "Apache-2.0"]);
    assert_eq!(skopeo.files.len(), 4);
    assert!(skopeo.files.contains(&"usr/bin/skopeo".to_string()));
    // The classifier leaves usr/bin/skopeo to portage; xz's package is gone
    // with its directory, so usr/bin/xz is a program of its own again.
    let binaries: Vec<_> = inv
        .of_type(PackageType::Binary)
        .flat_map(|p| p.evidence.iter().map(|e| e.path.as_str()))
        .collect();
    assert_eq!(binaries, ["usr/bin/xz"]);
    assert_eq!(
        inv.warnings.as_slice(),
        [
            "layer 0: var/db/pkg/x/y/CONTENTS: the directory's name holds no Gentoo package version: not a package, skipped"
        ]
    );
    assert!(PackageType::Portage.is_os());
}

const GLIBC: &str = "nix/store/h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin";

#[test]
fn nix_store_paths_with_layers_and_whiteouts() {
    let inv = catalog(&scan(vec![
        vec![
            // syft's fixture: the store path's directories are implied.
            file(
                &format!("{GLIBC}/lib/glibc.so"),
                data(&format!("nix/{GLIBC}/lib/glibc.so")),
            ),
            file(
                &format!("{GLIBC}/share/man/glibc.1"),
                data(&format!("nix/{GLIBC}/share/man/glibc.1")),
            ),
            // A derivation and a source tree: no package.
            file(
                "nix/store/yzahni8aig6mdrvcsccgwm2515lcpi5q-git-minimal-2.36.0.drv",
                "Derive(...)",
            ),
            file(
                "nix/store/w3hl7zrmc9qvzadc0k7cp9ysxiyz88j6-base-system/etc/x",
                "x",
            ),
            file(
                "nix/store/nwv742f1bxv6g78hy9yc6slxdbxlmqhb-kmod-29/bin/kmod",
                "x",
            ),
            // A program in a store path is the store path's (as in syft),
            // one outside any is a package of its own.
            file(
                "nix/store/3ggsdl2x3x0jx3v2l1cgp2bxbgnmcs5h-xz-5.4.4-bin/bin/xz",
                data("binary/xz.61814-62027.bin"),
            ),
            file(
                "usr/local/bin/zstd",
                data("binary/zstd.1180274-1180474.bin"),
            ),
        ],
        // nix-collect-garbage: kmod's store path goes.
        vec![whiteout(
            "nix/store/nwv742f1bxv6g78hy9yc6slxdbxlmqhb-kmod-29",
        )],
        vec![file(
            "nix/store/nwf2y0nc48ybim56308cr5ccvwkabcqc-openssl-1.1.1q/lib/libssl.so.1.1",
            "x",
        )],
    ]))
    .unwrap();
    let got: Vec<_> = inv
        .of_type(PackageType::Nix)
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.layer,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "glibc",
                "2.34-210",
                "pkg:nix/glibc@2.34-210?output=bin&outputhash=h0cnbmfcn93xm5dg2x27ixhag1cwndga",
                0
            ),
            (
                "openssl",
                "1.1.1q",
                "pkg:nix/openssl@1.1.1q?outputhash=nwf2y0nc48ybim56308cr5ccvwkabcqc",
                2
            ),
            (
                "xz",
                "5.4.4",
                "pkg:nix/xz@5.4.4?output=bin&outputhash=3ggsdl2x3x0jx3v2l1cgp2bxbgnmcs5h",
                0
            )
        ]
    );
    let binaries: Vec<_> = inv
        .of_type(PackageType::Binary)
        .flat_map(|p| p.evidence.iter().map(|e| e.path.as_str()))
        .collect();
    assert_eq!(binaries, ["usr/local/bin/zstd"]);
    let glibc = inv.of_type(PackageType::Nix).next().unwrap();
    assert_eq!(glibc.location, GLIBC);
    assert_eq!(
        glibc.files,
        [
            format!("{GLIBC}/lib/glibc.so"),
            format!("{GLIBC}/share/man/glibc.1")
        ]
    );
    assert!(!PackageType::Nix.is_os() && PackageType::Nix.owns_its_files());
}
