//! `plimsoll_diff` on small real OCI images built here: every kind of
//! difference, the shared base read once through the layer cache, the
//! container-diff shape, and a bad reference.

use plimsoll_diff::{ImageDiff, Side};
use plimsoll_engine::{Cache, EngineOptions, NoProgress};
use plimsoll_oci::ResolveOptions;
use plimsoll_testkit::{
    BuiltImage, Compression, ImageSpec, Item, Layer, Layout, dir, file, file_mode, symlink,
    whiteout,
};
use serde_json::{Value, json};

fn layer(items: &[Item]) -> Layer {
    Layer::new(items, Compression::Gzip)
}

fn base() -> Layer {
    layer(&[
        dir("etc"),
        file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
        file("etc/hostname", "box\n"),
        dir("var/lib/dpkg"),
    ])
    .created_by("ADD rootfs.tar /")
}

fn dpkg(packages: &[(&str, &str)]) -> Item {
    let mut status = String::new();
    for (name, version) in packages {
        status.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
        ));
    }
    file("var/lib/dpkg/status", status)
}

fn no_cache() -> EngineOptions {
    EngineOptions {
        cache: None,
        ..Default::default()
    }
}

fn read_ref(options: &EngineOptions, reference: &str) -> Side {
    let image = plimsoll_diff::resolve(reference, &ResolveOptions::default(), "first")
        .unwrap_or_else(|e| panic!("{e}"));
    plimsoll_diff::read(options, image, &NoProgress).unwrap_or_else(|e| panic!("{e}"))
}

fn read(options: &EngineOptions, image: &BuiltImage) -> Side {
    read_ref(options, &image.reference)
}

fn diff_specs(a: &ImageSpec, b: &ImageSpec) -> ImageDiff {
    let (ia, ib) = (BuiltImage::new(a, "1"), BuiltImage::new(b, "2"));
    let options = no_cache();
    plimsoll_diff::diff(&read(&options, &ia), &read(&options, &ib))
}

#[test]
fn identical_images_have_no_difference() {
    let spec = ImageSpec::new(vec![base(), layer(&[dpkg(&[("libc6", "2.36-9")])])])
        .config(json!({"User": "app", "Env": ["A=1"]}));
    let d = diff_specs(&spec, &spec);
    assert!(d.identical, "{}", d.to_table());
    assert!(d.files.is_empty() && d.packages.is_empty());
    assert!(d.metadata.is_empty() && d.history.is_empty());
    assert_eq!(d.layers.shared, 2);
    assert!(d.layers.only_image1.is_empty() && d.layers.only_image2.is_empty());
    assert_eq!(d.size.image1, d.size.image2);
    assert!(
        d.to_table()
            .contains("no difference in files, packages, metadata or history")
    );
    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    assert_eq!(cd[1]["Diff"], json!({"Adds": [], "Dels": [], "Mods": []}));
    assert_eq!(cd[7]["Diff"], json!([]));
}

#[test]
fn files_added_removed_and_changed_in_each_way() {
    let one = ImageSpec::new(vec![
        base(),
        layer(&[
            dir("app"),
            file("app/same-size", "hello"),
            file("app/grows", "1"),
            file_mode("app/run", "#!/bin/sh\n", 0o644, 0),
            file_mode("app/owned", "x", 0o644, 0),
            symlink("app/current", "v1"),
            file("app/gone", "bye"),
        ]),
    ]);
    let two = ImageSpec::new(vec![
        base(),
        layer(&[
            dir("app"),
            file("app/same-size", "HELLO"),
            file("app/grows", "12345"),
            file_mode("app/run", "#!/bin/sh\n", 0o755, 0),
            file_mode("app/owned", "x", 0o644, 1000),
            symlink("app/current", "v2"),
            file("app/new", "hi"),
            whiteout("etc/hostname"),
        ]),
    ]);
    let d = diff_specs(&one, &two);
    assert!(!d.identical);
    assert_eq!(d.layers.shared, 1);
    let added: Vec<&str> = d.files.added.iter().map(|f| f.path.as_str()).collect();
    let removed: Vec<&str> = d.files.removed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(added, ["/app/new"]);
    assert_eq!(removed, ["/app/gone", "/etc/hostname"]);
    let changed: Vec<(&str, Vec<&str>)> = d
        .files
        .changed
        .iter()
        .map(|c| (c.path.as_str(), c.changes.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            ("/app/current", vec!["link"]),
            ("/app/grows", vec!["size", "content"]),
            ("/app/owned", vec!["owner"]),
            ("/app/run", vec!["mode"]),
            ("/app/same-size", vec!["content"]),
        ]
    );
    let run = d
        .files
        .changed
        .iter()
        .find(|c| c.path == "/app/run")
        .unwrap();
    assert_eq!(
        (run.image1.mode.as_str(), run.image2.mode.as_str()),
        ("0644", "0755")
    );
    let same = &d.files.changed[4];
    assert_eq!(
        same.image2.digest.as_deref(),
        Some(plimsoll_testkit::sha256(b"HELLO").as_str())
    );
    assert_eq!(same.image2.layer, 1);
    let table = d.to_table();
    assert!(
        table.contains("Files: 1 added, 2 removed, 5 changed"),
        "{table}"
    );
    assert!(table.contains("~ /app/run  mode 0644 -> 0755"), "{table}");
    assert!(
        table.contains("~ /app/owned  owner 0:0 -> 1000:1000"),
        "{table}"
    );
    assert!(table.contains("~ /app/current  link v1 -> v2"), "{table}");

    // container-diff: Mods are content and link changes only, sizes as it gives them.
    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    let file = &cd[1];
    assert_eq!(file["DiffType"], "File");
    assert_eq!(
        file["Diff"]["Adds"],
        json!([{"Name": "/app/new", "Size": 2}])
    );
    assert_eq!(
        file["Diff"]["Dels"],
        json!([{"Name": "/app/gone", "Size": 3}, {"Name": "/etc/hostname", "Size": 4}])
    );
    let mods: Vec<&str> = file["Diff"]["Mods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    assert_eq!(mods, ["/app/current", "/app/grows", "/app/same-size"]);
    assert_eq!(
        file["Diff"]["Mods"][1],
        json!({"Name": "/app/grows", "Size1": 1, "Size2": 5})
    );
}

#[test]
fn packages_added_removed_and_version_changed_with_their_layer() {
    let one = ImageSpec::new(vec![
        base(),
        layer(&[dpkg(&[("libc6", "2.36-9"), ("curl", "7.88.1-10")])]),
    ]);
    let two = ImageSpec::new(vec![
        base(),
        layer(&[dpkg(&[("libc6", "2.36-9"), ("curl", "7.88.1-10")])]),
        layer(&[dpkg(&[("libc6", "2.36-9+deb12u4"), ("jq", "1.6-2.1")])]),
    ]);
    let d = diff_specs(&one, &two);
    let p = &d.packages;
    assert_eq!(p.added.len(), 1, "{}", d.to_table());
    assert_eq!((p.added[0].name.as_str(), p.added[0].layer), ("jq", 2));
    assert_eq!(p.removed.len(), 1);
    assert_eq!(
        (p.removed[0].name.as_str(), p.removed[0].layer),
        ("curl", 1)
    );
    assert_eq!(p.changed.len(), 1);
    let c = &p.changed[0];
    assert_eq!(
        (
            c.name.as_str(),
            c.image1.version.as_str(),
            c.image2.version.as_str()
        ),
        ("libc6", "2.36-9", "2.36-9+deb12u4")
    );
    assert_eq!((c.image1.layer, c.image2.layer), (1, 2));
    assert_eq!(p.added[0].location, "/var/lib/dpkg/status");
    // The first two layers are the same blobs: the base they share.
    assert_eq!(d.layers.shared, 2);
    assert_eq!(d.layers.only_image2.len(), 1);
    let table = d.to_table();
    assert!(
        table.contains("Packages: 1 added, 1 removed, 1 changed"),
        "{table}"
    );
    assert!(
        table.contains("~ deb     libc6 2.36-9 -> 2.36-9+deb12u4 (layer 1 -> 2)"),
        "{table}"
    );

    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    let apt = &cd[0];
    assert_eq!(apt["DiffType"], "Apt");
    assert_eq!(apt["Diff"]["Packages1"][0]["Name"], "curl");
    assert_eq!(apt["Diff"]["Packages2"][0]["Name"], "jq");
    assert_eq!(
        apt["Diff"]["InfoDiff"][0],
        json!({"Package": "libc6", "Info1": {"Version": "2.36-9", "Size": 0},
               "Info2": {"Version": "2.36-9+deb12u4", "Size": 0}})
    );
}

#[test]
fn metadata_changes_field_by_field() {
    let one = ImageSpec::new(vec![base()]).config(json!({
        "User": "root",
        "Env": ["PATH=/usr/bin", "MODE=dev"],
        "Entrypoint": ["/app/run"],
        "Labels": {"team": "a", "old": "x"},
        "ExposedPorts": {"80/tcp": {}},
    }));
    let two = ImageSpec::new(vec![base()]).config(json!({
        "User": "app",
        "Env": ["PATH=/usr/bin", "MODE=prod", "NEW=1"],
        "Entrypoint": ["/app/run", "--serve"],
        "Labels": {"team": "b"},
        "ExposedPorts": {"80/tcp": {}, "443/tcp": {}},
        "Healthcheck": {"Test": ["CMD", "/app/health"]},
    }));
    let d = diff_specs(&one, &two);
    let fields: Vec<(&str, Option<&Value>, Option<&Value>)> = d
        .metadata
        .iter()
        .map(|m| (m.field.as_str(), m.image1.as_ref(), m.image2.as_ref()))
        .collect();
    assert_eq!(
        fields,
        [
            (
                "entrypoint",
                Some(&json!(["/app/run"])),
                Some(&json!(["/app/run", "--serve"]))
            ),
            (
                "exposed_ports",
                Some(&json!(["80/tcp"])),
                Some(&json!(["443/tcp", "80/tcp"]))
            ),
            ("healthcheck", None, Some(&json!(["CMD", "/app/health"]))),
            ("user", Some(&json!("root")), Some(&json!("app"))),
            ("env.MODE", Some(&json!("dev")), Some(&json!("prod"))),
            ("env.NEW", None, Some(&json!("1"))),
            ("label.old", Some(&json!("x")), None),
            ("label.team", Some(&json!("a")), Some(&json!("b"))),
        ]
    );
    // The layers are the same: no file differs, the images do.
    assert!(d.files.is_empty() && !d.identical);
    let table = d.to_table();
    assert!(table.contains("~ user: \"root\" -> \"app\""), "{table}");
    assert!(table.contains("+ env.NEW: (unset) -> \"1\""), "{table}");

    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    let meta = &cd[3];
    assert_eq!(meta["DiffType"], "Metadata");
    assert_eq!(
        meta["Diff"]["Adds"],
        json!([
            "User: app",
            "ExposedPorts: 443/tcp:{} 80/tcp:{}",
            "Env: PATH=/usr/bin,MODE=prod,NEW=1",
            "Entrypoint: /app/run,--serve",
            "Labels: team:b"
        ])
    );
    assert_eq!(meta["Diff"]["Dels"][0], "User: root");
}

#[test]
fn the_shared_base_is_read_once_through_the_layer_cache() {
    let top = |s: &str| layer(&[file("srv/app", s)]).created_by("COPY app /srv/");
    let one = ImageSpec::new(vec![base(), layer(&[file("srv/lib", "lib")]), top("one")]);
    let two = ImageSpec::new(vec![base(), layer(&[file("srv/lib", "lib")]), top("two!")]);
    // One layout, two tags: the shared blobs are the same files (a blob in
    // another file is verified again before its cached facts are trusted).
    let layout_dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(layout_dir.path());
    layout.add(&one, "1");
    layout.add(&two, "2");
    let tag = |t: &str| format!("oci:{}:{t}", layout_dir.path().display());
    let cache_dir = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        cache: Some(Cache::new(cache_dir.path().to_path_buf())),
        ..Default::default()
    };
    let (a, b) = (read_ref(&options, &tag("1")), read_ref(&options, &tag("2")));
    assert_eq!((a.layers_read, a.layers_from_cache), (3, 0));
    // Only the second image's own top layer is read.
    assert_eq!((b.layers_read, b.layers_from_cache), (1, 2));
    let d = plimsoll_diff::diff(&a, &b);
    assert_eq!(d.layers.shared, 2);
    assert_eq!(plimsoll_diff::shared_prefix(&a, &b), 2);
    assert_eq!(
        d.layers.shared_layers[0].created_by.as_deref(),
        Some("ADD rootfs.tar /")
    );
    assert_eq!(d.layers.only_image1[0].index, 2);
    assert_eq!(d.read.layers_from_cache, 2);
    let changed: Vec<(&str, Vec<&str>)> = d
        .files
        .changed
        .iter()
        .map(|c| (c.path.as_str(), c.changes.clone()))
        .collect();
    // The digests of both top layers came through the cache too.
    assert_eq!(changed, [("/srv/app", vec!["size", "content"])]);
    // Both histories hold their own COPY step: the same text, so no history difference.
    assert!(d.history.is_empty());
    assert_eq!(d.size.image2.files_bytes, d.size.image1.files_bytes + 1);
    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    assert_eq!(cd[7]["DiffType"], "Size");
    assert_eq!(
        cd[7]["Diff"][0]["Size2"].as_u64().unwrap() - cd[7]["Diff"][0]["Size1"].as_u64().unwrap(),
        1
    );

    // Without a cache, a private one for the two reads: the base still read once.
    let (private, guard) = plimsoll_diff::session_options(&no_cache());
    let dir = guard.as_ref().map(|g| g.path().to_path_buf()).unwrap();
    let (a3, b3) = (read_ref(&private, &tag("1")), read_ref(&private, &tag("2")));
    assert_eq!(
        (a3.layers_read, b3.layers_read, b3.layers_from_cache),
        (3, 1, 2)
    );
    drop(guard);
    assert!(!dir.exists(), "the private cache is removed");

    // A fully cached rerun reads nothing and gives the same diff.
    let (a2, b2) = (read_ref(&options, &tag("1")), read_ref(&options, &tag("2")));
    assert_eq!(a2.layers_read + b2.layers_read, 0);
    let again = plimsoll_diff::diff(&a2, &b2);
    assert_eq!(again.files.changed, d.files.changed);
    assert_eq!(again.read.layers_from_cache, 6);
}

#[test]
fn container_diff_shape_names_every_differ_in_its_order() {
    let spec = ImageSpec::new(vec![base()]);
    let d = diff_specs(&spec, &spec);
    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    let kinds: Vec<&str> = cd
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["DiffType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Apt", "File", "History", "Metadata", "Node", "Pip", "RPM", "Size"
        ]
    );
    // container-diff's field order, whatever order a JSON map keeps.
    let text = d.to_container_diff();
    let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    assert!(at("Image1") < at("Image2") && at("Image2") < at("DiffType"));
    assert!(at("DiffType") < at("Diff"), "{text}");
    assert!(text.find("\"Packages1\"").unwrap() < text.find("\"InfoDiff\"").unwrap());
    for r in cd.as_array().unwrap() {
        let mut keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["Diff", "DiffType", "Image1", "Image2"]);
        assert!(r["Image1"].as_str().unwrap().starts_with("oci:"));
    }
    for i in [0, 4, 5, 6] {
        assert_eq!(
            cd[i]["Diff"],
            json!({"Packages1": [], "Packages2": [], "InfoDiff": []})
        );
    }
    assert_eq!(cd[2]["Diff"], json!({"Adds": [], "Dels": []}));
}

#[test]
fn python_and_node_packages_in_container_diff_shape() {
    let site = "usr/lib/python3/dist-packages";
    let py = |v: &str| {
        file(
            &format!("{site}/six-{v}.dist-info/METADATA"),
            format!("Metadata-Version: 2.1\nName: six\nVersion: {v}\n"),
        )
    };
    let node = |v: &str| {
        file(
            "app/node_modules/pax/package.json",
            format!("{{\"name\": \"pax\", \"version\": \"{v}\"}}"),
        )
    };
    let one = ImageSpec::new(vec![base(), layer(&[py("1.15.0")])]);
    let two = ImageSpec::new(vec![base(), layer(&[py("1.16.0"), node("0.2.1")])]);
    let d = diff_specs(&one, &two);
    assert_eq!(d.packages.changed.len(), 1, "{}", d.to_table());
    assert_eq!(d.packages.added.len(), 1);
    let cd: Value = serde_json::from_str(&d.to_container_diff()).unwrap();
    let node_diff = &cd[4]["Diff"];
    assert_eq!(node_diff["Packages2"][0]["Name"], "pax");
    assert_eq!(node_diff["Packages2"][0]["Path"], "/app/node_modules/pax/");
    assert_eq!(node_diff["Packages2"][0]["Version"], "0.2.1");
    let pip = &cd[5]["Diff"];
    assert_eq!(pip["InfoDiff"][0]["Package"], "six");
    assert_eq!(pip["InfoDiff"][0]["Info1"][0]["Version"], "1.15.0");
    assert_eq!(pip["InfoDiff"][0]["Info2"][0]["Version"], "1.16.0");
}

#[test]
fn a_bad_reference_is_named_in_the_error() {
    let missing = "oci:/nonexistent/plimsoll-diff-layout:1";
    let err = plimsoll_diff::resolve(missing, &ResolveOptions::default(), "second")
        .err()
        .expect("a missing layout is an error");
    let msg = err.to_string();
    assert!(
        msg.starts_with("second image 'oci:/nonexistent/plimsoll-diff-layout:1': "),
        "{msg}"
    );
    assert!(msg.contains("oci:DIR[:TAG]"), "{msg}");
    let err = plimsoll_diff::resolve("bogus:://", &ResolveOptions::default(), "first")
        .err()
        .expect("an unparsable reference is an error");
    assert!(
        err.to_string().starts_with("first image 'bogus:://'"),
        "{err}"
    );
}
