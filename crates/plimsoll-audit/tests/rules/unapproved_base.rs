//! IMG014 unapproved-base.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file};

use super::*;

fn app_layer() -> Layer {
    Layer::new(&[dir("app"), file("app/main", "x")], Compression::Gzip)
}

fn other_base() -> Layer {
    Layer::new(
        &[dir("etc"), file("etc/os-release", "ID=alpine\n")],
        Compression::Gzip,
    )
}

fn image() -> ImageSpec {
    ImageSpec::new(vec![base_layer(), app_layer()]).config(clean_config())
}

#[test]
fn built_on_another_base() {
    let found = Audit::new(image())
        .approved_bases(&[("corp/base:1", vec![other_base().diff_id])])
        .findings("IMG014");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "unapproved-base");
    assert_eq!(f.practice, "P-D3");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.location.field.as_deref(), Some("rootfs.diff_ids"));
    assert_eq!(
        f.message,
        "the image's layers do not start with any approved base: corp/base:1 (0 of its 1 layers match)"
    );
}

#[test]
fn only_part_of_a_base_matches() {
    let found = Audit::new(image())
        .approved_bases(&[
            (
                "corp/base:2",
                vec![base_layer().diff_id, other_base().diff_id],
            ),
            ("corp/alpine:3", vec![other_base().diff_id]),
        ])
        .findings("IMG014");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.ends_with(
            ": corp/base:2 (1 of its 2 layers match), corp/alpine:3 (0 of its 1 layers match)"
        ),
        "{}",
        found[0].message
    );
}

#[test]
fn a_base_with_no_layers_approves_nothing() {
    let found = Audit::new(image())
        .approved_bases(&[("corp/empty", Vec::new())])
        .findings("IMG014");
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn near_miss_built_on_an_approved_base() {
    for bases in [
        vec![("corp/base:1", vec![base_layer().diff_id])],
        vec![
            ("corp/alpine:3", vec![other_base().diff_id]),
            ("corp/base:1", vec![base_layer().diff_id]),
        ],
        // The image itself, every layer: still "starts with" the base.
        vec![(
            "corp/app:1",
            vec![base_layer().diff_id, app_layer().diff_id],
        )],
    ] {
        let found = Audit::new(image())
            .approved_bases(&bases)
            .findings("IMG014");
        assert!(found.is_empty(), "{found:#?}");
    }
}

#[test]
fn near_miss_no_approved_bases_configured() {
    silent(
        "IMG014",
        ImageSpec::new(vec![other_base(), app_layer()]).config(clean_config()),
    );
}
