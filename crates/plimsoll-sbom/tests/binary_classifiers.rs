//! The binary classifiers on real bytes: a couple of hundred bytes cut
//! around the version string of real programs of Debian bookworm packages
//! (tests/data/binary, see PROVENANCE.md there), classified under the path
//! the program has in an image; then the cataloger in the engine's pass
//! on tiny images: evidence, merging of one program found in several
//! files, files of OS packages skipped, JVM release files, whiteouts.

use std::path::Path;

use plimsoll_engine::Scan;
use plimsoll_sbom::{Inventory, Package, PackageType, catalog, classify_binary};
use plimsoll_testkit::{Item, file, scan_layers, symlink, whiteout};

fn snippet(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/binary")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (snippet, path in the image, package, version, classifier, offset of
/// the match in the snippet, matched bytes as kept in the evidence)
const REAL: &[(&str, &str, &str, &str, &str)] = &[
    (
        "bash.1003528-1003758.bin",
        "bin/bash",
        "bash",
        "5.2.15",
        "bash-binary",
    ),
    (
        "busybox.677966-678173.bin",
        "bin/busybox",
        "busybox",
        "1.35.0",
        "busybox-binary",
    ),
    (
        "curl.240381-240584.bin",
        "usr/bin/curl",
        "curl",
        "7.88.1",
        "curl-binary",
    ),
    (
        "VERSION.0-8.bin",
        "usr/lib/go-1.19/VERSION",
        "go",
        "1.19.8",
        "go-binary-hint",
    ),
    (
        "go.7515280-7515481.bin",
        "usr/lib/go-1.19/bin/go",
        "go",
        "1.19.8",
        "go-binary",
    ),
    (
        "gzip.81888-82086.bin",
        "bin/gzip",
        "gzip",
        "1.12",
        "gzip-binary",
    ),
    (
        "httpd.572049-572254.bin",
        "usr/local/apache2/bin/httpd",
        "httpd",
        "2.4.71",
        "httpd-binary",
    ),
    (
        "lighttpd.279158-279367.bin",
        "usr/sbin/lighttpd",
        "lighttpd",
        "1.4.69",
        "lighttpd-binary",
    ),
    (
        "mariadb.894503-894711.bin",
        "usr/bin/mariadb",
        "mariadb",
        "10.11.19",
        "mariadb-binary",
    ),
    (
        "memcached.191735-191943.bin",
        "usr/bin/memcached",
        "memcached",
        "1.6.18",
        "memcached-binary",
    ),
    (
        "nginx.930155-930375.bin",
        "usr/sbin/nginx",
        "nginx",
        "1.22.1",
        "nginx-binary",
    ),
    (
        "openssl.804835-805042.bin",
        "usr/bin/openssl",
        "openssl",
        "3.0.22",
        "openssl-binary",
    ),
    (
        "php.4422067-4422283.bin",
        "usr/local/bin/php",
        "php-cli",
        "8.2.36",
        "php-cli-binary",
    ),
    (
        "postgres.7358519-7358728.bin",
        "usr/lib/postgresql/15/bin/postgres",
        "postgresql",
        "15.20",
        "postgresql-binary",
    ),
    (
        "python3.11.2945563-2945763.bin",
        "usr/bin/python3.11",
        "python",
        "3.11.2",
        "python-binary",
    ),
    (
        "libpython3.11.so.1.0.4354598-4354798.bin",
        "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
        "python",
        "3.11.2",
        "python-binary-lib",
    ),
    (
        "xz.61814-62027.bin",
        "usr/bin/xz",
        "xz",
        "5.4.1",
        "xz-binary",
    ),
    (
        "zstd.1180274-1180474.bin",
        "usr/bin/zstd",
        "zstd",
        "1.5.4",
        "zstd-binary",
    ),
];

#[test]
fn real_programs_are_identified_with_syfts_names_and_purls() {
    for &(name, path, package, version, class) in REAL {
        let data = snippet(name);
        let found = classify_binary(path, &data);
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        let m = &found[0];
        assert_eq!(
            (m.package.as_str(), m.version.as_str(), m.class.as_str()),
            (package, version, class),
            "{name}"
        );
        // The snippets were cut 96 bytes before the match (or at 0).
        let expected_offset = if name.contains(".0-") { 0 } else { 96 };
        assert_eq!(m.offset, expected_offset, "{name}");
        assert!(m.matched.contains(version), "{name}: {}", m.matched);
        assert!(m.purl.starts_with("pkg:generic/"), "{}", m.purl);
        assert!(
            m.cpes.iter().all(|c| c.contains(&format!(":{version}:"))),
            "{:?}",
            m.cpes
        );
    }
    let python = classify_binary(
        "usr/bin/python3.11",
        &snippet("python3.11.2945563-2945763.bin"),
    );
    assert_eq!(python[0].purl, "pkg:generic/python@3.11.2");
    assert_eq!(
        python[0].cpes,
        [
            "cpe:2.3:a:python_software_foundation:python:3.11.2:*:*:*:*:*:*:*",
            "cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*"
        ]
    );
    assert_eq!(python[0].matched, "\\x003.11.2\\x00");
}

#[test]
fn names_decide_which_classifiers_run() {
    let nginx = snippet("nginx.930155-930375.bin");
    // The same bytes under another name: no classifier's glob wants them.
    assert!(classify_binary("usr/sbin/nginx-debug", &nginx).is_empty());
    assert!(classify_binary("usr/share/nginx/nginx.conf", &nginx).is_empty());
    // php's file name must be `php` and digits: Debian's php8.2 is not read.
    let php = snippet("php.4422067-4422283.bin");
    assert!(classify_binary("usr/bin/php8.2", &php).is_empty());
    assert_eq!(classify_binary("usr/bin/php82", &php)[0].version, "8.2.36");
    // python's version comes from the file name: python3.12 looks for 3.12.
    let py = snippet("python3.11.2945563-2945763.bin");
    assert!(classify_binary("usr/bin/python3.12", &py).is_empty());
    assert!(classify_binary("usr/bin/python3", &py).is_empty());
}

#[test]
fn debian_builds_syft_does_not_recognise_either() {
    // Debian's haproxy says `version 2.6.12-1+deb12u4, released`, which
    // none of syft's three patterns takes; its redis has no build id after
    // the version. syft 1.18.1 reports neither (scripts/binary-tree.py).
    assert!(
        classify_binary("usr/sbin/haproxy", &snippet("haproxy.3130305-3130531.bin")).is_empty()
    );
    assert!(
        classify_binary(
            "usr/local/bin/redis-server",
            &snippet("redis-server.1555774-1555976.bin")
        )
        .is_empty()
    );
}

#[test]
fn broken_input_finds_nothing_and_never_panics() {
    let openssl = snippet("openssl.804835-805042.bin");
    // Cut just inside the version: no match (the version needs x.y.z).
    let cut = &openssl[..96 + "\0OpenSSL 3.0".len()];
    assert!(classify_binary("usr/bin/openssl", cut).is_empty());
    assert!(classify_binary("usr/bin/openssl", b"").is_empty());
    assert!(classify_binary("usr/bin/openssl", &[0xff; 4096]).is_empty());
    // A version that is not UTF-8 cannot be one.
    assert!(classify_binary("usr/bin/jq", b"\x001.\xff\x00").is_empty());
    // Many near-misses: each classifier still runs once over the file.
    let noise: Vec<u8> = b"\x00OpenSSL 3.x".repeat(100_000);
    assert!(classify_binary("usr/bin/openssl", &noise).is_empty());
}

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

fn binaries(inv: &Inventory) -> Vec<&Package> {
    inv.of_type(PackageType::Binary).collect()
}

/// A dpkg status paragraph and file list for `package` owning `paths`.
fn dpkg(package: &str, version: &str, paths: &[&str]) -> Vec<Item> {
    let status = format!(
        "Package: {package}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\
         Description: x\n\n"
    );
    let list: String = paths.iter().map(|p| format!("/{p}\n")).collect();
    vec![
        file("var/lib/dpkg/status", status),
        file(&format!("var/lib/dpkg/info/{package}.list"), list),
    ]
}

#[test]
fn one_program_in_several_files_is_one_package_with_every_file_as_evidence() {
    let inv = catalog(&scan(vec![vec![
        file(
            "usr/local/bin/python3.11",
            snippet("python3.11.2945563-2945763.bin"),
        ),
        file(
            "usr/local/lib/libpython3.11.so.1.0",
            snippet("libpython3.11.so.1.0.4354598-4354798.bin"),
        ),
        file("usr/local/go/bin/go", snippet("go.7515280-7515481.bin")),
        file("usr/local/go/VERSION", snippet("VERSION.0-8.bin")),
        // A link's name is not classified (see tests/syft-binary-differences.tsv).
        symlink("usr/local/bin/mysql", "mariadb"),
        file(
            "usr/local/bin/mariadb",
            snippet("mariadb.894503-894711.bin"),
        ),
    ]]))
    .unwrap();
    let got: Vec<(&str, &str, &str, usize)> = binaries(&inv)
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.location.as_str(),
                p.evidence.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("go", "1.19.8", "usr/local/go/VERSION", 2),
            ("mariadb", "10.11.19", "usr/local/bin/mariadb", 1),
            ("python", "3.11.2", "usr/local/bin/python3.11", 2),
        ]
    );
    let python = binaries(&inv)[2];
    assert_eq!(
        python.evidence[1].path,
        "usr/local/lib/libpython3.11.so.1.0"
    );
    assert_eq!(python.evidence[1].class, "python-binary-lib");
    assert_eq!(python.evidence[1].offset, 96);
    assert_eq!(python.cpes.len(), 2);
}

#[test]
fn programs_in_files_of_os_packages_are_left_to_the_os_package() {
    let mut base = dpkg("openssl", "3.0.22-1~deb12u2", &["usr/bin/openssl"]);
    base.push(file(
        "usr/bin/openssl",
        snippet("openssl.804835-805042.bin"),
    ));
    // Listed as /bin/curl, stored under usr/bin with bin a symlink (merged /usr).
    base.push(symlink("bin", "usr/bin"));
    base.push(file("usr/bin/curl", snippet("curl.240381-240584.bin")));
    base[0] = file(
        "var/lib/dpkg/status",
        "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.22-1~deb12u2\n\
         Description: x\n\nPackage: curl\nStatus: install ok installed\nArchitecture: amd64\n\
         Version: 7.88.1-10+deb12u15\nDescription: x\n\n",
    );
    base.push(file("var/lib/dpkg/info/curl.list", "/bin/curl\n"));
    // Not owned: xz under /usr/local.
    base.push(file("usr/local/bin/xz", snippet("xz.61814-62027.bin")));
    // A copy of the owned openssl, same version: syft merges the two into
    // one package and drops it with the owned file; so does plimsoll.
    base.push(file(
        "opt/openssl/bin/openssl",
        snippet("openssl.804835-805042.bin"),
    ));
    let inv = catalog(&scan(vec![base])).unwrap();
    let got: Vec<(&str, &str)> = binaries(&inv)
        .iter()
        .map(|p| (p.name.as_str(), p.location.as_str()))
        .collect();
    assert_eq!(got, [("xz", "usr/local/bin/xz")]);
    assert_eq!(inv.of_type(PackageType::Deb).count(), 2);
}

#[test]
fn layers_whiteouts_and_jvm_release_files() {
    let release = b"IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"21.0.1\"\n\
JAVA_RUNTIME_VERSION=\"21.0.1+12-LTS\"\nIMAGE_TYPE=\"JDK\"\n\
SOURCE_REPO=\"https://github.com/adoptium/jdk21u.git\"\n";
    let inv = catalog(&scan(vec![
        vec![
            file("usr/bin/zstd", snippet("zstd.1180274-1180474.bin")),
            file("usr/bin/xz", snippet("xz.61814-62027.bin")),
            file("opt/java/openjdk/release", release.as_slice()),
            file("opt/java/openjdk/bin/javac", "x"),
            file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
            file("usr/lib/os/release", "NAME=not a jvm\n"),
        ],
        vec![whiteout("usr/bin/zstd")],
    ]))
    .unwrap();
    let got: Vec<(&str, &str, &str, usize)> = binaries(&inv)
        .iter()
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
                "openjdk",
                "21.0.1+12-LTS",
                "pkg:generic/oracle/openjdk@21.0.1%2B12-LTS?repository_url=https://github.com/adoptium/jdk21u.git",
                0
            ),
            ("xz", "5.4.1", "pkg:generic/xz@5.4.1", 0),
        ]
    );
    let jvm = binaries(&inv)[0];
    assert_eq!(jvm.evidence[0].class, "java-jvm-release");
    assert_eq!(jvm.cpes, ["cpe:2.3:a:oracle:openjdk:21.0.1:*:*:*:*:*:*:*"]);
}

/// Builds with the C compiler (`cc`, installed by .ci/run with g++) a
/// shared library `soname` holding `text`, and a program that needs it
/// (`DT_NEEDED`) and holds `own` in its bytes. Returns (library, program).
fn linked_pair(soname: &str, text: &[u8], own: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn c_bytes(b: &[u8]) -> String {
        b.iter().map(|b| format!("\\x{b:02x}")).collect()
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cc = |args: &[&str]| {
        let out = std::process::Command::new("cc")
            .args(args)
            .current_dir(d)
            .output()
            .expect("cc (the C compiler .ci/run installs with g++) runs");
        assert!(
            out.status.success(),
            "cc {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        d.join("lib.c"),
        format!(
            "__attribute__((used)) const char text[] = \"{}\";\nint lib_fn(void) {{ return 1; }}\n",
            c_bytes(text)
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("main.c"),
        format!(
            "__attribute__((used)) const char own[] = \"{}\";\nint lib_fn(void);\nint main(void) {{ return lib_fn(); }}\n",
            c_bytes(own)
        ),
    )
    .unwrap();
    let soname_flag = format!("-Wl,-soname,{soname}");
    cc(&["-shared", "-fPIC", &soname_flag, "-o", "lib.so", "lib.c"]);
    cc(&["-o", "prog", "main.c", "./lib.so"]);
    (
        std::fs::read(d.join("lib.so")).unwrap(),
        std::fs::read(d.join("prog")).unwrap(),
    )
}

/// A package's name, version and evidence files with their classifiers.
type Found<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

fn evidence(p: &Package) -> Vec<(&str, &str)> {
    p.evidence
        .iter()
        .map(|e| (e.path.as_str(), e.class.as_str()))
        .collect()
}

#[test]
fn python_found_through_the_libpython_it_links_anywhere_in_the_image() {
    // As the official python image: /usr/local/bin/python3.11 needs
    // libpython3.11.so.1.0 in /usr/local/lib, whose bytes hold the version.
    let (lib, program) = linked_pair("libpython3.11.so.1.0", b"\x003.11.2\x00", b"");
    // A `python3` that is a file (not a link): its name has no version,
    // the lookup still reads it. Its own bytes hold another version, which
    // counts only where the lookup finds nothing (syft's order).
    let (_, python3) = linked_pair("libpython3.11.so.1.0", b"", b"\x003.11.9\x00");
    let (_, orphan) = linked_pair("libpython3.12.so.1.0", b"", b"\x003.12.1\x00");
    let inv = catalog(&scan(vec![
        vec![file("usr/local/lib/libpython3.11.so.1.0", &lib)],
        vec![
            file("usr/local/bin/python3.11", &program),
            file("usr/local/bin/python3", &python3),
            symlink("usr/local/bin/python", "python3"),
            // Needs a library the image does not have: the version in its
            // name and bytes (the file-name template) counts.
            file("opt/py/bin/python3.12", &orphan),
        ],
    ]))
    .unwrap();
    let got: Vec<Found> = binaries(&inv)
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), evidence(p)))
        .collect();
    assert_eq!(
        got,
        [
            (
                "python",
                "3.11.2",
                vec![
                    ("usr/local/bin/python3", "python-binary"),
                    ("usr/local/bin/python3.11", "python-binary"),
                    ("usr/local/lib/libpython3.11.so.1.0", "python-binary"),
                    ("usr/local/lib/libpython3.11.so.1.0", "python-binary-lib"),
                ]
            ),
            (
                "python",
                "3.12.1",
                vec![("opt/py/bin/python3.12", "python-binary")]
            ),
        ]
    );
    let python = binaries(&inv)[0];
    // The program's evidence is the library's name in its dynamic section.
    let e = &python.evidence[1];
    assert_eq!(e.matched, "libpython3.11.so.1.0");
    assert_eq!(
        &program[e.offset as usize..e.offset as usize + e.matched.len()],
        e.matched.as_bytes()
    );
    assert_eq!(python.location, "usr/local/bin/python3");
    assert_eq!(python.layer, 1);
}

#[test]
fn ruby_found_through_libruby_after_its_own_bytes() {
    let version = b"ruby 3.3.6 (2024-11-05 revision 75015d4c1f) [x86_64-linux]";
    let (lib, program) = linked_pair("libruby.so.3.3", version, b"");
    let (_, own) = linked_pair(
        "libruby.so.3.3",
        b"",
        b"ruby 3.2.1 (2023-02-08 revision 31819e82c8) [x86_64-linux]",
    );
    let base = vec![
        // The needed name is a link to the library (as `make install`
        // leaves it): the link's target is read and reported.
        file("usr/local/lib/libruby.so.3.3.6", &lib),
        symlink("usr/local/lib/libruby.so.3.3", "libruby.so.3.3.6"),
        file("usr/local/bin/ruby", &program),
        // Its own bytes name a version: the lookup is not tried.
        file("opt/other/bin/ruby", &own),
    ];
    let inv = catalog(&scan(vec![base.clone()])).unwrap();
    let got: Vec<Found> = binaries(&inv)
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), evidence(p)))
        .collect();
    assert_eq!(
        got,
        [
            ("ruby", "3.2.1", vec![("opt/other/bin/ruby", "ruby-binary")]),
            (
                "ruby",
                "3.3.6",
                vec![
                    ("usr/local/bin/ruby", "ruby-binary"),
                    ("usr/local/lib/libruby.so.3.3.6", "ruby-binary"),
                ]
            ),
        ]
    );
    assert_eq!(
        inv.packages
            .iter()
            .find(|p| p.version == "3.3.6")
            .unwrap()
            .cpes,
        ["cpe:2.3:a:ruby-lang:ruby:3.3.6:*:*:*:*:*:*:*"]
    );
    // A library alone is no package; deleted in a later layer, the program
    // finds nothing.
    let inv = catalog(&scan(vec![
        base.clone(),
        vec![whiteout("usr/local/lib/libruby.so.3.3.6")],
    ]))
    .unwrap();
    let names: Vec<&str> = binaries(&inv).iter().map(|p| p.version.as_str()).collect();
    assert_eq!(names, ["3.2.1"]);
    // Debian's naming (libruby-3.1.so.3.1) is not what syft looks for.
    let (lib, program) = linked_pair("libruby-3.1.so.3.1", version, b"");
    let inv = catalog(&scan(vec![vec![
        file("usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1", &lib),
        file("usr/bin/ruby", &program),
    ]]))
    .unwrap();
    assert!(binaries(&inv).is_empty());
}

#[test]
fn a_library_of_an_os_package_takes_the_program_with_it() {
    let (lib, program) = linked_pair("libpython3.11.so.1.0", b"\x003.11.2\x00", b"");
    let mut base = dpkg(
        "libpython3.11",
        "3.11.2-6+deb12u9",
        &["usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"],
    );
    base.push(file("usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", &lib));
    base.push(file("usr/local/bin/python3.11", &program));
    let inv = catalog(&scan(vec![base])).unwrap();
    // syft's ownership overlap: the merged package has an owned file.
    assert!(binaries(&inv).is_empty());
    assert_eq!(inv.of_type(PackageType::Deb).count(), 1);
}
