//! IMG002 setuid-setgid-file.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Item, Layer, dir, file_mode, whiteout};

use super::*;

#[test]
fn a_setuid_root_binary() {
    let (built, found) = Audit::new(image_with(&[
        dir("usr"),
        dir("usr/bin"),
        file_mode("usr/bin/helper", b"x", 0o4755, 0),
    ]))
    .run_with_image();
    let found = only("IMG002", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "setuid-setgid-file");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.message,
        "/usr/bin/helper is setuid (mode 4755, runs as uid 0)"
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/bin/helper"));
    assert_eq!(f.location.layer, Some(1));
    assert_eq!(
        f.location.layer_digest.as_deref(),
        Some(built.image.layers[1].digest.to_string().as_str())
    );
}

#[test]
fn setgid_names_the_group() {
    let setgid = Item::File {
        path: "usr/bin/wall".into(),
        data: b"x".to_vec(),
        mode: 0o2755,
        uid: 0,
        gid: 5,
    };
    let f = one("IMG002", image_with(&[dir("usr"), dir("usr/bin"), setgid]));
    assert_eq!(
        f.message,
        "/usr/bin/wall is setgid (mode 2755, runs as gid 5)"
    );
}

#[test]
fn both_bits() {
    let f = one(
        "IMG002",
        image_with(&[file_mode("opt/both", b"x", 0o6755, 1000)]),
    );
    assert_eq!(
        f.message,
        "/opt/both is setuid and setgid (mode 6755, runs as uid 1000)"
    );
}

#[test]
fn every_file_with_the_bit_is_reported() {
    let found = findings(
        "IMG002",
        image_with(&[
            file_mode("usr/bin/su", b"x", 0o4755, 0),
            file_mode("usr/bin/passwd", b"x", 0o4755, 0),
            file_mode("usr/bin/ls", b"x", 0o755, 0),
        ]),
    );
    let paths: Vec<_> = found
        .iter()
        .filter_map(|f| f.location.path.as_deref())
        .collect();
    assert_eq!(paths, ["/usr/bin/passwd", "/usr/bin/su"]);
}

#[test]
fn near_miss_ordinary_and_sticky_modes() {
    silent(
        "IMG002",
        image_with(&[
            file_mode("usr/bin/tool", b"x", 0o755, 0),
            file_mode("usr/bin/sticky", b"x", 0o1755, 0),
        ]),
    );
}

#[test]
fn near_miss_a_setgid_directory() {
    let shared = Item::Dir {
        path: "srv/shared".into(),
        mode: 0o2775,
    };
    silent("IMG002", image_with(&[dir("srv"), shared]));
}

#[test]
fn near_miss_the_bit_dropped_or_the_file_deleted_later() {
    let add = Layer::new(
        &[
            file_mode("usr/bin/helper", b"x", 0o4755, 0),
            file_mode("usr/bin/gone", b"x", 0o4755, 0),
        ],
        Compression::Gzip,
    );
    let fix = Layer::new(
        &[
            file_mode("usr/bin/helper", b"x", 0o755, 0),
            whiteout("usr/bin/gone"),
        ],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![base_layer(), add, fix]).config(clean_config());
    silent("IMG002", spec);
}
