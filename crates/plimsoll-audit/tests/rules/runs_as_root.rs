//! IMG001 runs-as-root.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file};
use serde_json::json;

use super::*;

fn user(spec: &str) -> ImageSpec {
    image_configured(json!({ "User": spec }))
}

#[test]
fn no_user_means_root() {
    let f = one("IMG001", image_configured(json!({ "User": null })));
    assert_eq!(f.name, "runs-as-root");
    assert_eq!(f.practice, "P-C3");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.location.field.as_deref(), Some("config.User"));
    assert_eq!(f.message, "no User is set, so the container runs as root");
    assert!(f.help.is_some());
}

#[test]
fn an_empty_user_means_root() {
    let f = one("IMG001", user(""));
    assert_eq!(f.message, "no User is set, so the container runs as root");
}

#[test]
fn root_by_name_number_or_group() {
    for spec in ["root", "0", "0:0", "root:app", "0:10001"] {
        let f = one("IMG001", user(spec));
        assert_eq!(f.message, format!("User '{spec}' is root (uid 0)"));
        assert_eq!(f.location.field.as_deref(), Some("config.User"));
    }
}

#[test]
fn a_name_that_resolves_to_uid_0() {
    let passwd = format!("{PASSWD}toor:x:0:0::/root:/bin/sh\n");
    let users = Layer::new(&[dir("etc"), file("etc/passwd", passwd)], Compression::Gzip);
    let spec =
        ImageSpec::new(vec![base_layer(), users]).config(config_with(json!({"User": "toor"})));
    let f = one("IMG001", spec);
    assert_eq!(f.message, "User 'toor' is root (uid 0)");
}

#[test]
fn root_without_passwd_is_still_root() {
    let spec = ImageSpec::new(vec![Layer::new(&[dir("app")], Compression::Gzip)])
        .config(config_with(json!({"User": "root"})));
    let f = one("IMG001", spec);
    assert_eq!(f.message, "User 'root' is root (uid 0)");
}

#[test]
fn an_unknown_name_cannot_be_cleared() {
    let f = one("IMG001", user("ghost"));
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.message
            .starts_with("User 'ghost' is not in the image's /etc/passwd"),
        "{}",
        f.message
    );
    assert_eq!(f.location.field.as_deref(), Some("config.User"));
}

#[test]
fn a_name_is_looked_up_in_the_final_passwd() {
    // The later layer's /etc/passwd no longer has `app`.
    let users = Layer::new(
        &[
            dir("etc"),
            file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
        ],
        Compression::Gzip,
    );
    let spec =
        ImageSpec::new(vec![base_layer(), users]).config(config_with(json!({"User": "app"})));
    let f = one("IMG001", spec);
    assert!(
        f.message.starts_with("User 'app' is not in"),
        "{}",
        f.message
    );
}

#[test]
fn near_miss_unprivileged_users() {
    for spec in ["10001", "app", "app:app", "10001:10001", "4242"] {
        silent("IMG001", user(spec));
    }
}

#[test]
fn near_miss_a_numeric_user_needs_no_passwd() {
    let spec = ImageSpec::new(vec![Layer::new(&[dir("app")], Compression::Gzip)])
        .config(config_with(json!({"User": "65532"})));
    silent("IMG001", spec);
}
