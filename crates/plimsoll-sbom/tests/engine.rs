//! The cataloger on real (tiny) images built by the testkit and read by the
//! engine: layers replacing and deleting dpkg's database.

use plimsoll_engine::Scan;
use plimsoll_sbom::{Inventory, PackageType, catalog};
use plimsoll_testkit::{Item, file, scan_layers, symlink, whiteout};

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

fn para(name: &str, version: &str, arch: &str, extra: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nArchitecture: {arch}\n\
         {extra}Version: {version}\nDescription: {name}\n a package\n .\n really\n\n"
    )
}

fn base_status() -> String {
    [
        para("base-files", "12.4+deb12u5", "amd64", ""),
        para("libc6", "2.36-9+deb12u4", "amd64", "Source: glibc\n"),
        para("zlib1g", "1:1.2.13.dfsg-1", "amd64", "Source: zlib\n"),
        "Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n\n"
            .into(),
    ]
    .concat()
}

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

fn summary(inv: &Inventory) -> Vec<(String, String, usize)> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.layer))
        .collect()
}

fn s(name: &str, version: &str, layer: usize) -> (String, String, usize) {
    (name.into(), version.into(), layer)
}

#[test]
fn a_later_layer_rewrites_the_status_file() {
    let upper = [
        base_status(),
        para("curl", "7.88.1-10+deb12u5", "amd64", ""),
        para("libcurl4", "7.88.1-10+deb12u5", "amd64", "Source: curl\n"),
    ]
    .concat()
    // apt upgraded zlib1g in the same step.
    .replace("1:1.2.13.dfsg-1\n", "1:1.2.13.dfsg-1+b1\n");
    let scan = scan(vec![
        vec![
            file("var/lib/dpkg/status", base_status()),
            file("usr/lib/os-release", OS_RELEASE),
            symlink("etc/os-release", "../usr/lib/os-release"),
        ],
        vec![
            file("var/lib/dpkg/status", upper),
            file("usr/bin/curl", "ELF"),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        summary(&inv),
        [
            s("base-files", "12.4+deb12u5", 0),
            s("curl", "7.88.1-10+deb12u5", 1),
            s("libc6", "2.36-9+deb12u4", 0),
            s("libcurl4", "7.88.1-10+deb12u5", 1),
            s("zlib1g", "1:1.2.13.dfsg-1+b1", 1),
        ]
    );
    let distro = inv.distro.as_ref().unwrap();
    assert_eq!(distro.id.as_deref(), Some("debian"));
    assert_eq!(distro.version_id.as_deref(), Some("12"));
    assert_eq!(distro.version_codename.as_deref(), Some("bookworm"));
    let libcurl = &inv.packages[3];
    assert_eq!(
        (
            libcurl.source_name.as_deref(),
            libcurl.source_version.as_deref()
        ),
        (Some("curl"), Some("7.88.1-10+deb12u5"))
    );
    assert_eq!(libcurl.package_type, PackageType::Deb);
    assert_eq!(libcurl.location, "var/lib/dpkg/status");
    assert_eq!(
        libcurl.purl,
        "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12&upstream=curl"
    );
    assert_eq!(
        inv.packages[4].purl,
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1%2Bb1?arch=amd64&distro=debian-12&upstream=zlib"
    );
    // Deterministic: the same scan gives the same JSON.
    assert_eq!(inv.to_json(), catalog(&scan).unwrap().to_json());
}

#[test]
fn a_later_layer_deletes_the_status_file() {
    let scan = scan(vec![
        vec![
            file("var/lib/dpkg/status", base_status()),
            file("etc/os-release", OS_RELEASE),
        ],
        vec![whiteout("var/lib/dpkg/status")],
    ]);
    let inv = catalog(&scan).unwrap();
    assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    assert_eq!(inv.distro.unwrap().id.as_deref(), Some("debian"));
}

#[test]
fn deleted_then_reinstalled_counts_from_the_reinstall() {
    // Layer 1 deletes the whole dpkg directory, layer 2 brings libc6 back:
    // it is introduced by layer 2, not layer 0.
    let scan = scan(vec![
        vec![file("var/lib/dpkg/status", base_status())],
        vec![whiteout("var/lib/dpkg")],
        vec![file(
            "var/lib/dpkg/status",
            para("libc6", "2.36-9+deb12u4", "amd64", ""),
        )],
    ]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(summary(&inv), [s("libc6", "2.36-9+deb12u4", 2)]);
    // No os-release: the vendor defaults to debian, without a distro.
    assert_eq!(
        inv.packages[0].purl,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64"
    );
    assert!(inv.warnings.iter().any(|w| w.contains("no os-release ID")));
}

#[test]
fn distroless_status_d_files_per_package() {
    let ubuntu = "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n";
    let scan = scan(vec![
        vec![
            file("etc/os-release", ubuntu),
            file(
                "var/lib/dpkg/status.d/base-files",
                "Package: base-files\nVersion: 12ubuntu4.6\nArchitecture: amd64\n",
            ),
            file(
                "var/lib/dpkg/status.d/base-files.md5sums",
                "d41d8cd98f00b204e9800998ecf8427e  etc/issue\n",
            ),
            file(
                "var/lib/dpkg/status.d/libssl3",
                "Package: libssl3\nVersion: 3.0.2-0ubuntu1.15\nArchitecture: amd64\nSource: openssl\n",
            ),
            file("var/lib/dpkg/status.d/notes", "just some text\n"),
        ],
        vec![
            whiteout("var/lib/dpkg/status.d/libssl3"),
            file(
                "var/lib/dpkg/status.d/tzdata",
                "Package: tzdata\nVersion: 2024a-0ubuntu0.22.04\nArchitecture: all\n\ngarbage\n",
            ),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(
        summary(&inv),
        [
            s("base-files", "12ubuntu4.6", 0),
            s("tzdata", "2024a-0ubuntu0.22.04", 1)
        ]
    );
    assert_eq!(
        inv.packages[1].purl,
        "pkg:deb/ubuntu/tzdata@2024a-0ubuntu0.22.04?arch=all&distro=ubuntu-22.04"
    );
    assert_eq!(inv.packages[1].location, "var/lib/dpkg/status.d/tzdata");
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(
        inv.warnings[0].starts_with("var/lib/dpkg/status.d/tzdata:5: paragraph skipped"),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn images_without_dpkg_have_an_empty_inventory() {
    let scan = scan(vec![vec![file("etc/alpine-release", "3.20.0\n")]]);
    let mut inv = catalog(&scan).unwrap();
    // The release file fallback still names the distribution.
    let distro = inv.distro.take().unwrap();
    assert_eq!(
        (distro.id.as_deref(), distro.version_id.as_deref()),
        (Some("alpine"), Some("3.20.0"))
    );
    assert_eq!(inv, Inventory::default());
}

/// A `dir:` file that cannot be read when the engine reads it (here: a
/// fifo put in its place after the listing) is a warning of the listing,
/// read as nothing; the scan goes on and the fifo is never opened.
#[test]
fn an_unreadable_directory_file_is_a_warning() {
    use plimsoll_engine::{Engine, EngineOptions, NoProgress};
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        para("zlib1g", "1:1.2.13.dfsg-1", "amd64", ""),
    )
    .unwrap();
    let image = plimsoll_oci::resolve_dir(root, &plimsoll_oci::DirOptions::default()).unwrap();
    std::fs::remove_file(root.join("var/lib/dpkg/status")).unwrap();
    let st = std::process::Command::new("mkfifo")
        .arg(root.join("var/lib/dpkg/status"))
        .status()
        .unwrap();
    assert!(st.success());
    let mut engine = Engine::new(EngineOptions {
        cache: None,
        ..Default::default()
    });
    plimsoll_sbom::register(&mut engine);
    let scan = engine.scan(&image, &NoProgress).unwrap();
    let inv = catalog(&scan).unwrap();
    assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    let listing = image.source.directory().unwrap();
    let w = listing.warnings();
    assert_eq!(w.len(), 1, "{:?}", w.as_slice());
    assert!(
        w[0].ends_with(
            "var/lib/dpkg/status: unreadable: changed from a regular file since it was listed: \
             read as empty"
        ),
        "{:?}",
        w.as_slice()
    );
}

#[test]
fn red_hat_content_manifests_name_the_images_repositories() {
    // A UBI-style image: os-release, OSBS's content manifests (the base
    // image's and a layered build's) and Konflux's content-sets.json. A
    // later layer replaces one manifest and deletes another: only what the
    // final image shows counts.
    let rhel = "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.2 (Plow)\"\nID=\"rhel\"\n\
                ID_LIKE=\"fedora\"\nVERSION_ID=\"9.2\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.2 (Plow)\"\n";
    let manifest = |sets: &[&str]| {
        format!(
            "{{\"metadata\": {{\"icm_version\": 1, \"image_layer_index\": 0}},\n \"content_sets\": {sets:?},\n \"image_contents\": []}}"
        )
    };
    let scan = scan(vec![
        vec![
            file("etc/os-release", rhel),
            file(
                "root/buildinfo/content_manifests/ubi9-container-9.2-489.json",
                manifest(&[
                    "rhel-9-for-x86_64-baseos-rpms",
                    "rhel-9-for-x86_64-appstream-rpms",
                ]),
            ),
            file(
                "root/buildinfo/content_manifests/old-build.json",
                manifest(&["rhel-9-for-x86_64-supplementary-rpms"]),
            ),
            // Not a manifest: another directory, another extension.
            file(
                "root/buildinfo/content_manifests/sub/x.json",
                manifest(&["nested-rpms"]),
            ),
            file("root/buildinfo/Dockerfile-ubi9-9.2-489", "FROM scratch\n"),
        ],
        vec![
            file(
                "root/buildinfo/content_manifests/ubi9-container-9.2-489.json",
                manifest(&[
                    "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2",
                    "rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_2",
                ]),
            ),
            whiteout("root/buildinfo/content_manifests/old-build.json"),
            file(
                "usr/share/buildinfo/content-sets.json",
                manifest(&["rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2"]),
            ),
        ],
    ]);
    let inv = catalog(&scan).unwrap();
    let distro = inv.distro.as_ref().unwrap();
    assert_eq!(
        (
            distro.id.as_deref(),
            distro.id_like.as_deref(),
            distro.version.as_deref()
        ),
        (Some("rhel"), Some("fedora"), Some("9.2 (Plow)"))
    );
    assert_eq!(
        distro.content_sets,
        [
            "rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_2",
            "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2"
        ]
    );
    // Not valid JSON: skipped, not an error.
    let scan = scan_layers(
        vec![vec![
            file("etc/os-release", rhel),
            file("root/buildinfo/content_manifests/bad.json", "{not json"),
        ]],
        plimsoll_sbom::register,
    );
    assert!(
        catalog(&scan)
            .unwrap()
            .distro
            .unwrap()
            .content_sets
            .is_empty()
    );
}
