//! The gem, lock-file and conda catalogers on tiny images built by the
//! testkit and on directories: which files count in image scans and which
//! only in directory scans (syft's selection), overwrites and whiteouts.
//! File contents are the real fixtures of `tests/data` (see the
//! PROVENANCE.md files there).

use std::path::Path;

use plimsoll_engine::Scan;
use plimsoll_sbom::{Inventory, PackageType, catalog};
use plimsoll_testkit::{Item, file, scan_image, scan_layers, whiteout};

fn data(path: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn scan(layers: Vec<Vec<Item>>) -> Scan {
    scan_layers(layers, plimsoll_sbom::register)
}

/// A directory holding `files` (path, content), scanned as `dir:`.
fn scan_dir(files: &[(&str, Vec<u8>)]) -> Inventory {
    let root = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = root.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
    }
    let scan = scan_image(
        &format!("dir:{}", root.path().display()),
        plimsoll_sbom::register,
    );
    assert!(scan.directory);
    catalog(&scan).unwrap()
}

fn of_type(inv: &Inventory, t: PackageType) -> Vec<(String, String, String)> {
    inv.of_type(t)
        .map(|p| (p.name.clone(), p.version.clone(), p.location.clone()))
        .collect()
}

fn t(name: &str, version: &str, location: &str) -> (String, String, String) {
    (name.into(), version.into(), location.into())
}

const GEMS: &str = "usr/lib/ruby/gems/3.1.0/specifications";
const DEBIAN_GEMS: &str = "usr/share/rubygems-integration/all/specifications";

#[test]
fn installed_gems_in_images_with_layers_and_whiteouts() {
    let rack = data("ruby/rack-2.2.22.gemspec");
    let scan = scan(vec![
        vec![
            file(&format!("{DEBIAN_GEMS}/rack-2.2.22.gemspec"), &rack),
            file(
                &format!("{GEMS}/default/openssl-3.0.1.gemspec"),
                data("ruby/openssl-3.0.1.gemspec"),
            ),
            file(
                &format!("{GEMS}/default/digest-3.1.0.gemspec"),
                data("ruby/digest-3.1.0.gemspec"),
            ),
            // A gem's own source gemspec: declared, not installed.
            file(
                "usr/lib/ruby/gems/3.1.0/gems/rack-2.2.22/rack.gemspec",
                &rack,
            ),
            file(
                &format!("{GEMS}/broken-1.gemspec"),
                "s.name = 'broken'\ns.version = Broken::VERSION\n",
            ),
        ],
        vec![
            whiteout(&format!("{GEMS}/default/digest-3.1.0.gemspec")),
            file(
                "usr/local/bundle/specifications/bundler-2.1.4.gemspec",
                data("ruby/bundler.gemspec"),
            ),
        ],
    ]);
    assert!(!scan.directory);
    let inv = catalog(&scan).unwrap();
    assert_eq!(
        of_type(&inv, PackageType::Gem),
        [
            t(
                "bundler",
                "2.1.4",
                "usr/local/bundle/specifications/bundler-2.1.4.gemspec"
            ),
            t(
                "openssl",
                "3.0.1",
                &format!("{GEMS}/default/openssl-3.0.1.gemspec")
            ),
            t(
                "rack",
                "2.2.22",
                &format!("{DEBIAN_GEMS}/rack-2.2.22.gemspec")
            ),
        ]
    );
    let rack = inv
        .of_type(PackageType::Gem)
        .find(|p| p.name == "rack")
        .unwrap();
    assert_eq!(
        (rack.purl.as_str(), rack.layer, rack.licenses.as_slice()),
        ("pkg:gem/rack@2.2.22", 0, &["MIT".to_string()][..])
    );
    assert_eq!(
        inv.of_type(PackageType::Gem)
            .find(|p| p.name == "bundler")
            .unwrap()
            .layer,
        1
    );
    assert_eq!(
        inv.warnings.as_slice(),
        [format!(
            "layer 0: {GEMS}/broken-1.gemspec: broken: version is not a string literal: skipped"
        )]
    );
}

#[test]
fn every_gemspec_counts_in_directory_scans() {
    let inv = scan_dir(&[
        ("vendor/rack/rack.gemspec", data("ruby/rack-2.2.22.gemspec")),
        ("app/formatador.gemspec", data("ruby/formatador.gemspec")),
    ]);
    assert_eq!(
        of_type(&inv, PackageType::Gem),
        [
            t("formatador", "1.1.0", "app/formatador.gemspec"),
            t("rack", "2.2.22", "vendor/rack/rack.gemspec"),
        ]
    );
}

/// Every lock-file fixture at the path its format is found by.
fn lock_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "rust/Cargo.lock",
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")).unwrap(),
        ),
        ("go/go.mod", data("lock/go/many-packages/go.mod")),
        (
            "web/package-lock.json",
            data("lock/npm/v3/package-lock.json"),
        ),
        (
            "web/node_modules/x/package-lock.json",
            data("lock/npm/v1/package-lock.json"),
        ),
        ("classic/yarn.lock", data("lock/yarn/classic/yarn.lock")),
        ("py/requirements.txt", data("lock/python/requirements.txt")),
        ("py/poetry.lock", data("lock/python/poetry.lock")),
        ("py/Pipfile.lock", data("lock/python/Pipfile.lock")),
        ("rb/Gemfile.lock", data("lock/ruby/Gemfile.lock")),
        ("php/composer.lock", data("lock/php/composer.lock")),
        (
            "php/vendor/composer/installed.json",
            data("lock/php/composer_2/installed.json"),
        ),
        (
            "pnpm/pnpm-lock.yaml",
            data("lock/pnpm/generated-v9/pnpm-lock.yaml"),
        ),
        ("uv/uv.lock", data("lock/uv/generated/uv.lock")),
        ("java/pom.xml", data("lock/java/pom-app/pom.xml")),
        (
            "java/gradle.lockfile",
            data("lock/java/gradle/gradle.lockfile"),
        ),
        (
            "dotnet/bin/TestLibrary.deps.json",
            data("lock/dotnet/TestLibrary.deps.json"),
        ),
        (
            "dotnet/packages.lock.json",
            data("lock/dotnet/packages.lock.json"),
        ),
        (
            ".github/workflows/validations.yaml",
            data("lock/github/.github/workflows/validations.yaml"),
        ),
        (
            ".github/actions/bootstrap/action.yaml",
            data("lock/github/.github/actions/bootstrap/action.yaml"),
        ),
    ]
}

#[test]
fn lock_files_count_in_directory_scans_only() {
    let files = lock_files();
    let items: Vec<Item> = files.iter().map(|(p, c)| file(p, c)).collect();
    let inv = catalog(&scan(vec![items])).unwrap();
    // An image: only Composer's installation record and .NET's deps.json.
    let mut locations: Vec<(&str, PackageType)> = inv
        .packages
        .iter()
        .map(|p| (p.location.as_str(), p.package_type))
        .collect();
    locations.dedup();
    assert_eq!(
        locations,
        [
            ("php/vendor/composer/installed.json", PackageType::Composer),
            ("dotnet/bin/TestLibrary.deps.json", PackageType::Nuget),
        ]
    );
    assert_eq!(inv.packages.len(), 2 + 14);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);

    let inv = scan_dir(&files);
    let from = |path: &str| inv.packages.iter().filter(|p| p.location == path).count();
    let cargo_lock = String::from_utf8(files[0].1.clone()).unwrap();
    assert_eq!(
        from("rust/Cargo.lock"),
        cargo_lock.matches("[[package]]").count()
    );
    assert_eq!(from("go/go.mod"), 6);
    assert_eq!(from("web/package-lock.json"), 77);
    assert_eq!(from("web/node_modules/x/package-lock.json"), 0);
    assert_eq!(from("classic/yarn.lock"), 9);
    assert_eq!(from("py/requirements.txt"), 10);
    assert!(from("py/poetry.lock") > 0 && from("py/Pipfile.lock") > 0);
    assert!(from("rb/Gemfile.lock") > 40);
    assert_eq!(from("php/composer.lock"), 2);
    assert_eq!(from("php/vendor/composer/installed.json"), 2);
    assert_eq!(from("pnpm/pnpm-lock.yaml"), 77);
    assert_eq!(from("uv/uv.lock"), 18);
    assert_eq!(from("java/pom.xml"), 3);
    assert_eq!(from("java/gradle.lockfile"), 4);
    assert_eq!(from("dotnet/bin/TestLibrary.deps.json"), 14);
    assert_eq!(from("dotnet/packages.lock.json"), 9);
    assert_eq!(from(".github/workflows/validations.yaml"), 4);
    assert_eq!(from(".github/actions/bootstrap/action.yaml"), 4);
    let types = |path: &str| -> Vec<PackageType> {
        let mut t: Vec<_> = inv
            .packages
            .iter()
            .filter(|p| p.location == path)
            .map(|p| p.package_type)
            .collect();
        t.dedup();
        t
    };
    assert_eq!(types("pnpm/pnpm-lock.yaml"), [PackageType::Npm]);
    assert_eq!(types("uv/uv.lock"), [PackageType::Pypi]);
    assert_eq!(types("java/gradle.lockfile"), [PackageType::Maven]);
    assert_eq!(types("dotnet/packages.lock.json"), [PackageType::Nuget]);
    assert_eq!(
        types(".github/workflows/validations.yaml"),
        [PackageType::Github]
    );
    let gem = inv
        .packages
        .iter()
        .find(|p| p.location == "rb/Gemfile.lock")
        .unwrap();
    assert_eq!(gem.package_type, PackageType::Gem);
    // The syft fixture's one line without a name.
    assert_eq!(
        inv.warnings.as_slice(),
        ["layer 0: py/requirements.txt: line 23: no package name in \"==2.3.4\": skipped"]
    );
}

const CONDA: &str = "opt/conda/conda-meta";

#[test]
fn conda_environments_in_images() {
    let zlib = data("conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json");
    let jl = data("conda/conda-meta/jupyterlab-4.4.3-pyhd8ed1ab_0.json");
    let scan = scan(vec![
        vec![
            file(&format!("{CONDA}/zlib-1.2.11-h90dfc92_1014.json"), &zlib),
            file(&format!("{CONDA}/jupyterlab-4.4.3-pyhd8ed1ab_0.json"), &jl),
            file(&format!("{CONDA}/history"), "==> 2024-01-01 <==\n"),
            file(&format!("{CONDA}/broken-1-0.json"), "{\"name\": \"broken\""),
        ],
        vec![whiteout(&format!(
            "{CONDA}/jupyterlab-4.4.3-pyhd8ed1ab_0.json"
        ))],
    ]);
    let inv = catalog(&scan).unwrap();
    assert_eq!(
        of_type(&inv, PackageType::Conda),
        [t(
            "zlib",
            "1.2.11",
            &format!("{CONDA}/zlib-1.2.11-h90dfc92_1014.json")
        )]
    );
    let z = inv.of_type(PackageType::Conda).next().unwrap();
    assert_eq!(
        z.purl,
        "pkg:conda/zlib@1.2.11?build=h90dfc92_1014&subdir=osx-arm64"
    );
    assert!(z.files.contains(&"opt/conda/lib/libz.a".to_string()));
    assert_eq!(inv.warnings.len(), 1);
    assert!(
        inv.warnings[0].starts_with(&format!("layer 0: {CONDA}/broken-1-0.json: not valid JSON"))
    );
}

/// What lock files say about dependencies reaches both SBOM formats: a
/// CycloneDX `dependencies` entry and SPDX `DEPENDS_ON` relationships per
/// package with any, naming packages of the same file only.
#[test]
fn lock_file_dependencies_in_cyclonedx_and_spdx() {
    use plimsoll_sbom::cyclonedx::Bom;
    use plimsoll_sbom::spdx::Document;
    use plimsoll_sbom::{DocumentContext, ImageSubject, ToolInfo};

    let inv = scan_dir(&[
        ("uv/uv.lock", data("lock/uv/generated/uv.lock")),
        // The same requests 2.32.3 in another file: its edges stay there.
        ("old/uv.lock", data("lock/uv/uv.lock")),
        (
            "web/package-lock.json",
            data("lock/npm/v3/package-lock.json"),
        ),
    ]);
    let requests: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.name == "requests")
        .collect();
    assert_eq!(requests.len(), 2);
    let new = requests
        .iter()
        .find(|p| p.location == "uv/uv.lock")
        .unwrap();
    assert_eq!(
        new.depends_on,
        [
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.3",
            "pkg:pypi/idna@3.21",
            "pkg:pypi/urllib3@2.8.0",
        ]
    );

    let ctx = DocumentContext {
        subject: ImageSubject {
            reference: "dir:/src".into(),
            digest: format!("sha256:{}", "ab".repeat(32)),
            name: "src".into(),
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
    };
    let bom: serde_json::Value = serde_json::from_str(&Bom::new(&inv, &ctx).to_json()).unwrap();
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let deps = bom["dependencies"].as_array().unwrap();
    // The image's entry, then one per package with dependencies.
    let with_deps = inv
        .packages
        .iter()
        .filter(|p| !p.depends_on.is_empty())
        .count();
    assert_eq!(deps.len(), 1 + with_deps);
    for d in &deps[1..] {
        assert!(refs.contains(&d["ref"].as_str().unwrap()));
        for to in d["dependsOn"].as_array().unwrap() {
            assert!(refs.contains(&to.as_str().unwrap()), "{to}");
        }
    }
    // Two requests 2.32.3 share a purl: their bom-refs carry the file.
    let entry = deps
        .iter()
        .find(|d| d["ref"] == "pkg:pypi/requests@2.32.3#uv/uv.lock")
        .expect("requests of uv/uv.lock");
    assert_eq!(entry["dependsOn"].as_array().unwrap().len(), 4);
    let express = deps
        .iter()
        .find(|d| d["ref"] == "pkg:npm/express@4.21.2")
        .unwrap();
    assert_eq!(express["dependsOn"].as_array().unwrap().len(), 31);

    let spdx: serde_json::Value =
        serde_json::from_str(&Document::new(&inv, &ctx).to_json()).unwrap();
    let ids: Vec<&str> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    let depends: Vec<_> = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DEPENDS_ON")
        .collect();
    let edges: usize = inv.packages.iter().map(|p| p.depends_on.len()).sum();
    assert_eq!(depends.len(), edges);
    assert!(depends.iter().all(|r| {
        ids.contains(&r["spdxElementId"].as_str().unwrap())
            && ids.contains(&r["relatedSpdxElement"].as_str().unwrap())
    }));
}

// -- hexpub (issue 18) --
/// Elixir, Erlang, Dart, OTP, Swift and CocoaPods files: directory scans
/// only, as syft selects them; each file's packages of its own type, and
/// `mix.lock`'s requirements as dependencies.
#[test]
fn hex_dart_otp_swift_and_pod_files_in_directory_scans_only() {
    let files = [
        ("ex/mix.lock", data("lock/hex/mix.lock")),
        ("erl/rebar.lock", data("lock/hex/rebar-2/rebar.lock")),
        ("dart/pubspec.lock", data("lock/dart/pubspec.lock")),
        ("rabbit/ebin/rabbit.app", data("lock/otp/rabbitmq.app")),
        (
            "swift/Package.resolved",
            data("lock/swift/v2/Package.resolved"),
        ),
        ("ios/Podfile.lock", data("lock/swift/Podfile.lock")),
    ];
    let items: Vec<Item> = files.iter().map(|(p, c)| file(p, c)).collect();
    let inv = catalog(&scan(vec![items])).unwrap();
    assert!(inv.packages.is_empty(), "{:?}", inv.packages);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);

    let inv = scan_dir(&files);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    for (path, ty, count) in [
        ("ex/mix.lock", PackageType::Hex, 15),
        ("erl/rebar.lock", PackageType::Hex, 8),
        ("dart/pubspec.lock", PackageType::DartPub, 7),
        ("rabbit/ebin/rabbit.app", PackageType::ErlangOtp, 1),
        ("swift/Package.resolved", PackageType::Swift, 5),
        ("ios/Podfile.lock", PackageType::Cocoapods, 23),
    ] {
        let of_file: Vec<_> = inv.packages.iter().filter(|p| p.location == path).collect();
        assert_eq!(of_file.len(), count, "{path}");
        assert!(of_file.iter().all(|p| p.package_type == ty), "{path}");
    }
    let cowboy = inv.packages.iter().find(|p| p.name == "cowboy").unwrap();
    assert_eq!(cowboy.depends_on, ["pkg:hex/cowlib@2.11.0"]);
}

// -- conan (issue 18) --
/// Conan: `conanfile.txt` and `conan.lock` count in directory scans only;
/// a Conan 1 cache's `conaninfo.txt` records an installed package and
/// counts in image scans too, with its `full_requires` as dependencies.
#[test]
fn conan_files_declared_and_installed() {
    // (The package id shortened: tar names of the testkit stay short.)
    const INFO: &str =
        "root/.conan/data/mfast/1.2.2/my_user/my_channel/package/9d1f076b/conaninfo.txt";
    let info = data(
        "lock/conan/conaninfo/mfast/1.2.2/my_user/my_channel/package/9d1f076b471417647c2022a78d5e2c1f834289ac/conaninfo.txt",
    );
    let files = [
        ("cpp/conanfile.txt", data("lock/conan/conanfile.txt")),
        ("cpp/conan.lock", data("lock/conan/conan.lock")),
        ("cpp2/conan.lock", data("lock/conan/v2/conan.lock")),
        (INFO, info),
    ];
    let items: Vec<Item> = files.iter().map(|(p, c)| file(p, c)).collect();
    let inv = catalog(&scan(vec![items])).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(inv.packages.len(), 6, "{:?}", inv.packages);
    assert!(inv.packages.iter().all(|p| p.location == INFO));
    let mfast = inv.packages.iter().find(|p| p.name == "mfast").unwrap();
    assert_eq!(
        mfast.purl,
        "pkg:conan/my_user/mfast@1.2.2?channel=my_channel"
    );
    assert_eq!(mfast.depends_on.len(), 5, "{:?}", mfast.depends_on);

    let inv = scan_dir(&files);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    for (path, count) in [
        ("cpp/conanfile.txt", 6),
        ("cpp/conan.lock", 6),
        ("cpp2/conan.lock", 2),
        (INFO, 6),
    ] {
        let of_file: Vec<_> = inv.packages.iter().filter(|p| p.location == path).collect();
        assert_eq!(of_file.len(), count, "{path}");
        assert!(
            of_file.iter().all(|p| p.package_type == PackageType::Conan),
            "{path}"
        );
    }
    let boost = inv
        .packages
        .iter()
        .find(|p| p.name == "boost" && p.location == "cpp/conan.lock")
        .unwrap();
    assert_eq!(boost.depends_on.len(), 3, "{:?}", boost.depends_on);
}
