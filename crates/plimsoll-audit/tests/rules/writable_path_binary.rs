//! IMG007 writable-path-binary.

use plimsoll_report::Severity;
use plimsoll_testkit::{Item, dir, file_mode};
use serde_json::json;

use super::*;

fn owned(path: &str, mode: u32, uid: u64, gid: u64) -> Item {
    Item::File {
        path: path.into(),
        data: b"\x7fELF".to_vec(),
        mode,
        uid,
        gid,
    }
}

#[test]
fn a_world_writable_program() {
    let (built, found) =
        Audit::new(image_with(&[file_mode("usr/bin/tool", b"x", 0o777, 0)])).run_with_image();
    let found = only("IMG007", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "writable-path-binary");
    assert_eq!(f.practice, "P-C4");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.message,
        "/usr/bin/tool is writable by the runtime user (mode 0777)"
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/bin/tool"));
    assert_eq!(f.location.layer, Some(1));
    assert_eq!(
        f.location.layer_digest.as_deref(),
        Some(built.image.layers[1].digest.to_string().as_str())
    );
}

#[test]
fn a_program_not_owned_by_root() {
    let f = one(
        "IMG007",
        image_with(&[
            dir("usr/local"),
            dir("usr/local/bin"),
            owned("usr/local/bin/app", 0o755, 10001, 10001),
        ]),
    );
    assert_eq!(
        f.message,
        "/usr/local/bin/app is owned by uid 10001, not root"
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/local/bin/app"));
}

#[test]
fn group_writable_for_the_runtime_users_group() {
    let f = one(
        "IMG007",
        image_with(&[owned("usr/bin/tool", 0o775, 0, 10001)]),
    );
    assert_eq!(
        f.message,
        "/usr/bin/tool is writable by the runtime user (mode 0775)"
    );
}

#[test]
fn owner_writable_when_the_runtime_user_owns_it_by_name() {
    // `app` resolves to 10001 through /etc/passwd; the file is 10001's.
    let spec = image_with(&[owned("usr/bin/tool", 0o755, 10001, 0)])
        .config(config_with(json!({"User": "app"})));
    let f = one("IMG007", spec);
    assert_eq!(f.message, "/usr/bin/tool is owned by uid 10001, not root");
}

#[test]
fn a_writable_path_directory() {
    let open = Item::Dir {
        path: "usr/local/bin".into(),
        mode: 0o777,
    };
    let f = one("IMG007", image_with(&[dir("usr/local"), open]));
    assert_eq!(
        f.message,
        "PATH directory /usr/local/bin (mode 0777, uid 0) is writable by the runtime user"
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/local/bin"));
    assert_eq!(f.location.layer, Some(1));
}

#[test]
fn the_images_own_path_is_followed() {
    let spec = image_with(&[
        dir("app"),
        dir("app/bin"),
        owned("app/bin/run", 0o755, 10001, 10001),
    ])
    .config(config_with(json!({"Env": ["PATH=/app/bin:/usr/bin:/bin"]})));
    let f = one("IMG007", spec);
    assert_eq!(f.location.path.as_deref(), Some("/app/bin/run"));
}

#[test]
fn a_directory_reached_twice_is_reported_once() {
    // `/bin` is a symlink to `usr/bin` in the base layer.
    let found = findings(
        "IMG007",
        image_with(&[file_mode("usr/bin/tool", b"x", 0o777, 0)]),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn near_miss_root_owned_read_only_programs() {
    silent(
        "IMG007",
        image_with(&[
            file_mode("usr/bin/tool", b"x", 0o755, 0),
            file_mode("usr/local/bin/app", b"x", 0o555, 0),
        ]),
    );
}

#[test]
fn near_miss_files_outside_path() {
    silent(
        "IMG007",
        image_with(&[
            owned("app/bin/run", 0o777, 10001, 10001),
            owned("usr/bin/sub/deeper", 0o777, 10001, 10001),
            owned("opt/tool", 0o777, 0, 0),
        ]),
    );
}

#[test]
fn near_miss_group_or_owner_write_for_someone_else() {
    // Writable by root and by group 50, neither of which the runtime user (10001) is.
    silent("IMG007", image_with(&[owned("usr/bin/tool", 0o775, 0, 50)]));
}

#[test]
fn near_miss_group_write_when_running_as_root() {
    // Root can write anything anyway; IMG001 reports that, not this rule.
    let spec =
        image_with(&[owned("usr/bin/tool", 0o775, 0, 0)]).config(config_with(json!({"User": "0"})));
    silent("IMG007", spec);
}
