//! The apk and rpm catalogers on tiny images built by the testkit and read
//! by the engine: later layers rewriting, replacing and deleting the
//! package databases; rpm databases built in every format here.

use plimsoll_engine::Scan;
use plimsoll_sbom::rpm::fixtures::{build_bdb, build_ndb, build_sqlite, test_header};
use plimsoll_sbom::{Inventory, PackageType, catalog};
use plimsoll_testkit::{Item, file, scan_layers, symlink, whiteout};

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

fn summary(inv: &Inventory) -> Vec<(PackageType, String, String, usize)> {
    inv.packages
        .iter()
        .map(|p| (p.package_type, p.name.clone(), p.version.clone(), p.layer))
        .collect()
}

fn s(
    t: PackageType,
    name: &str,
    version: &str,
    layer: usize,
) -> (PackageType, String, String, usize) {
    (t, name.into(), version.into(), layer)
}

const APK_DB: &str = "lib/apk/db/installed";

fn apk(name: &str, version: &str, origin: &str, files: &str) -> String {
    format!(
        "C:Q1checksum=\nP:{name}\nV:{version}\nA:x86_64\nS:1000\nI:2000\nT:{name} package\n\
         U:https://example.invalid/\nL:MIT BSD\no:{origin}\nm:Someone <someone@example.invalid>\n\
         t:1700000000\nc:0123456789abcdef\nD:so:libc.musl-x86_64.so.1\n{files}\n"
    )
}

fn alpine_base() -> String {
    [
        apk(
            "musl",
            "1.2.4_git20230717-r4",
            "musl",
            "F:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1abc=\nR:libc.musl-x86_64.so.1\n",
        ),
        apk("busybox", "1.36.1-r15", "busybox", "F:bin\nR:busybox\n"),
        apk(
            "ssl_client",
            "1.36.1-r15",
            "busybox",
            "F:usr/bin\nR:ssl_client\n",
        ),
    ]
    .concat()
}

const ALPINE_RELEASE: &str =
    "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";

#[test]
fn apk_a_later_layer_rewrites_the_database() {
    let upper = alpine_base().replace("1.36.1-r15", "1.36.1-r16")
        + &apk("curl", "8.5.0-r0", "curl", "F:usr/bin\nR:curl\n");
    let scan = scan(vec![
        vec![
            file(APK_DB, alpine_base()),
            file("etc/os-release", ALPINE_RELEASE),
        ],
        vec![file(APK_DB, upper), file("usr/bin/curl", "ELF")],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    use PackageType::Apk;
    assert_eq!(
        summary(&inv),
        [
            s(Apk, "busybox", "1.36.1-r16", 1),
            s(Apk, "curl", "8.5.0-r0", 1),
            s(Apk, "musl", "1.2.4_git20230717-r4", 0),
            s(Apk, "ssl_client", "1.36.1-r16", 1),
        ]
    );
    let ssl = &inv.packages[3];
    assert_eq!(
        ssl.purl,
        "pkg:apk/alpine/ssl_client@1.36.1-r16?arch=x86_64&distro=alpine-3.19.1&upstream=busybox"
    );
    assert_eq!(
        (ssl.source_name.as_deref(), ssl.source_version.as_deref()),
        (Some("busybox"), Some("1.36.1-r16"))
    );
    assert_eq!(ssl.files, ["usr/bin/ssl_client"]);
    assert_eq!(ssl.licenses, ["MIT", "BSD"]);
    assert_eq!(
        ssl.supplier.as_deref(),
        Some("Someone <someone@example.invalid>")
    );
    assert_eq!(ssl.location, APK_DB);
    let musl = &inv.packages[2];
    assert_eq!(
        musl.purl,
        "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"
    );
    assert_eq!(
        musl.files,
        ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
    );
    assert_eq!(inv.to_json(), catalog(&scan).unwrap().to_json());
}

#[test]
fn apk_a_later_layer_deletes_the_database() {
    for deleting in [
        whiteout(APK_DB),
        whiteout("lib/apk"),
        symlink(APK_DB, "/dev/null"),
    ] {
        let scan = scan(vec![
            vec![
                file(APK_DB, alpine_base()),
                file("etc/os-release", ALPINE_RELEASE),
            ],
            vec![deleting],
        ]);
        let inv = catalog(&scan).unwrap();
        assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    }
}

#[test]
fn apk_without_os_release_and_with_a_broken_record() {
    let db = alpine_base() + "P:broken\nA:x86_64\n\n";
    let scan = scan(vec![vec![file(APK_DB, db)]]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(inv.packages.len(), 3);
    assert_eq!(
        inv.packages[0].purl,
        "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64"
    );
    assert!(
        inv.warnings.iter().any(|w| w.contains("no os-release ID")),
        "{:?}",
        inv.warnings
    );
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("broken has no version")),
        "{:?}",
        inv.warnings
    );
}

const RHEL_RELEASE: &str = "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n";
const BDB: &str = "var/lib/rpm/Packages";
const SQLITE: &str = "usr/lib/sysimage/rpm/rpmdb.sqlite";
const NDB: &str = "usr/lib/sysimage/rpm/Packages.db";

fn rhel_headers() -> Vec<Vec<u8>> {
    vec![
        test_header(
            "bash",
            "5.1.8-9.el9",
            Some("x86_64"),
            &["/usr/bin/bash", "/etc/skel/.bashrc"],
        ),
        test_header(
            "openssl-libs",
            "1:3.0.7-27.el9",
            Some("x86_64"),
            &["/usr/lib64/libssl.so.3"],
        ),
        test_header("gpg-pubkey", "fd431d51-4ae0493b", None, &[]),
    ]
}

#[test]
fn rpm_berkeley_db_replaced_by_sqlite_in_a_later_layer() {
    // The image's rpm is upgraded: the Berkeley DB goes, an SQLite database
    // takes its place with bash unchanged, openssl-libs removed, curl new.
    let mut sqlite_headers = rhel_headers();
    sqlite_headers.remove(1);
    sqlite_headers.push(test_header(
        "curl",
        "7.76.1-29.el9_4",
        Some("x86_64"),
        &["/usr/bin/curl"],
    ));
    let scan = scan(vec![
        vec![
            file(BDB, build_bdb(&rhel_headers(), 4096)),
            file("etc/os-release", RHEL_RELEASE),
        ],
        vec![
            whiteout(BDB),
            file(SQLITE, build_sqlite(&sqlite_headers, 4096)),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    use PackageType::Rpm;
    assert_eq!(
        summary(&inv),
        [
            s(Rpm, "bash", "5.1.8-9.el9", 0),
            s(Rpm, "curl", "7.76.1-29.el9_4", 1),
            s(Rpm, "gpg-pubkey", "fd431d51-4ae0493b", 0),
        ]
    );
    let bash = &inv.packages[0];
    assert_eq!(
        bash.purl,
        "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4&upstream=bash-5.1.8-9.el9.src.rpm"
    );
    assert_eq!(bash.location, SQLITE);
    assert_eq!(bash.files, ["etc/skel/.bashrc", "usr/bin/bash"]);
    assert_eq!(
        (bash.source_name.as_deref(), bash.source_version.as_deref()),
        (Some("bash"), Some("5.1.8-9.el9"))
    );
    assert_eq!(bash.licenses, ["MIT"]);
    assert_eq!(bash.supplier.as_deref(), Some("Fixture Vendor"));
    assert_eq!(inv.packages[2].arch, None);
}

#[test]
fn rpm_epoch_and_each_format_at_its_path() {
    for (path, db) in [
        (BDB, build_bdb(&rhel_headers(), 512)),
        (SQLITE, build_sqlite(&rhel_headers(), 512)),
        (NDB, build_ndb(&rhel_headers())),
    ] {
        let scan = scan(vec![vec![
            file(path, db),
            file("etc/os-release", RHEL_RELEASE),
        ]]);
        let inv = catalog(&scan).unwrap();
        assert!(inv.warnings.is_empty(), "{path}: {:?}", inv.warnings);
        let openssl = inv
            .packages
            .iter()
            .find(|p| p.name == "openssl-libs")
            .unwrap();
        assert_eq!(openssl.version, "1:3.0.7-27.el9", "{path}");
        assert_eq!(
            openssl.purl,
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-libs-3.0.7-27.el9.src.rpm",
            "{path}"
        );
        assert_eq!(inv.packages.len(), 3, "{path}");
    }
}

#[test]
fn rpm_damaged_database_in_a_later_layer_is_a_warning() {
    let good = build_sqlite(&rhel_headers(), 1024);
    let mut damaged = good.clone();
    // Break the table's root page (page 2): the schema still names it.
    damaged[1024] = 0x42;
    let scan = scan(vec![
        vec![file(SQLITE, good), file("etc/os-release", RHEL_RELEASE)],
        vec![file(SQLITE, damaged)],
    ]);
    let inv = catalog(&scan).unwrap();
    // The lower layer's database is overwritten: its packages are gone too.
    assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(
        inv.warnings[0].starts_with(&format!(
            "layer 1: {SQLITE}: page 2: not a table b-tree page"
        )),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn rpm_unread_write_ahead_log_and_no_os_release() {
    let scan = scan(vec![vec![
        file(SQLITE, build_sqlite(&rhel_headers(), 4096)),
        file(&format!("{SQLITE}-wal"), vec![1u8; 4096]),
        file(&format!("{SQLITE}-shm"), vec![0u8; 32768]),
    ]]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(inv.packages.len(), 3);
    assert_eq!(
        inv.packages[0].purl,
        "pkg:rpm/bash@5.1.8-9.el9?arch=x86_64&upstream=bash-5.1.8-9.el9.src.rpm"
    );
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
    assert!(inv.warnings.iter().any(|w| w.contains("no os-release ID")));
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("rpmdb.sqlite-wal: 4096 bytes"))
    );
}

#[test]
fn rpm_and_apk_beside_dpkg_each_in_their_own_type() {
    let scan = scan(vec![vec![
        file(APK_DB, alpine_base()),
        file(NDB, build_ndb(&rhel_headers())),
        file("etc/os-release", ALPINE_RELEASE),
    ]]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(inv.of_type(PackageType::Apk).count(), 3);
    assert_eq!(inv.of_type(PackageType::Rpm).count(), 3);
    assert_eq!(inv.of_type(PackageType::Deb).count(), 0);
    // Sorted by type first: apk before rpm.
    assert_eq!(inv.packages[0].package_type, PackageType::Apk);
    assert_eq!(inv.packages[5].package_type, PackageType::Rpm);
}
