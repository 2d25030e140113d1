//! IMG015 moving-tag.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

#[test]
fn tagged_latest() {
    let (built, found) = Audit::new(image_configured(json!({})))
        .tag(Some("latest"))
        .run_with_image();
    let found = only("IMG015", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "moving-tag");
    assert_eq!(f.practice, "P-D2");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.location.field.as_deref(), Some("reference"));
    assert_eq!(
        f.message,
        format!(
            "the image is tagged `latest`, which moves with every push; pin {}",
            built.image.id()
        )
    );
}

#[test]
fn no_tag_at_all() {
    let (built, found) = Audit::new(image_configured(json!({})))
        .tag(None)
        .run_with_image();
    let found = only("IMG015", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        format!(
            "the image has no tag (a missing tag means `latest`); pin {}",
            built.image.id()
        )
    );
}

#[test]
fn near_miss_version_tags() {
    for tag in [
        "1.0",
        "1.2.3",
        "2024-06-01",
        "3f2a9c1",
        "latest-1.2",
        "LATEST2",
    ] {
        let found = Audit::new(image_configured(json!({})))
            .tag(Some(tag))
            .findings("IMG015");
        assert!(found.is_empty(), "{tag}: {found:#?}");
    }
}

#[test]
fn near_miss_pinned_by_digest() {
    for tag in [Some("latest"), None] {
        let found = Audit::new(image_configured(json!({})))
            .tag(tag)
            .pinned_by_digest()
            .findings("IMG015");
        assert!(found.is_empty(), "{tag:?}: {found:#?}");
    }
}

#[test]
fn channel_tags_move_too() {
    for tag in ["stable", "lts-bookworm-slim", "edge", "mainline-alpine"] {
        let found = Audit::new(image_configured(json!({})))
            .tag(Some(tag))
            .findings("IMG015");
        assert_eq!(found.len(), 1, "{tag}: {found:#?}");
        assert!(
            found[0].message.contains("release channel"),
            "{tag}: {found:#?}"
        );
    }
}
