//! IMG008 wasted-bytes.

use plimsoll_audit::AuditSettings;
use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file, whiteout};

use super::*;

/// A 200 kB blob added in one layer and deleted in the next.
fn deleted_later() -> ImageSpec {
    let add = Layer::new(
        &[dir("opt"), file("opt/blob.bin", vec![7u8; 200_000])],
        Compression::Gzip,
    );
    let delete = Layer::new(&[whiteout("opt/blob.bin")], Compression::Gzip);
    ImageSpec::new(vec![base_layer(), add, delete]).config(clean_config())
}

/// 1 MB of base, 2 MB of new files, and a 100-byte file overwritten: 200
/// wasted bytes, far under dive's default thresholds.
fn slightly_wasteful() -> ImageSpec {
    let base = Layer::new(
        &[
            dir("data"),
            file("data/big", vec![1u8; 1_000_000]),
            file("data/small", vec![2u8; 100]),
        ],
        Compression::Gzip,
    );
    let app = Layer::new(
        &[
            dir("data"),
            file("data/new", vec![3u8; 2_000_000]),
            file("data/small", vec![4u8; 100]),
        ],
        Compression::Gzip,
    );
    ImageSpec::new(vec![base, app]).config(clean_config())
}

#[test]
fn a_file_deleted_in_a_later_layer() {
    let f = one("IMG008", deleted_later());
    assert_eq!(f.name, "wasted-bytes");
    assert_eq!(f.practice, "P-B3");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.location.path.as_deref(), Some("/opt/blob.bin"));
    assert!(f.message.starts_with("195.3 KiB wasted ("), "{}", f.message);
    assert!(f.message.contains("efficiency "), "{}", f.message);
    assert!(f.message.contains("is below 90.00%"), "{}", f.message);
    assert!(
        f.message.contains("of the non-base layers (limit 10.00%)"),
        "{}",
        f.message
    );
    assert!(
        f.message.ends_with("largest: /opt/blob.bin ×2 195.3 KiB"),
        "{}",
        f.message
    );
}

#[test]
fn the_byte_limit_when_set() {
    let settings = AuditSettings {
        max_wasted_bytes: Some(100),
        ..AuditSettings::default()
    };
    let found = Audit::new(slightly_wasteful())
        .settings(settings)
        .findings("IMG008");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert!(
        f.message
            .starts_with("200 B wasted (wasted bytes exceed 100 B)"),
        "{}",
        f.message
    );
    assert_eq!(f.location.path.as_deref(), Some("/data/small"));
}

#[test]
fn near_miss_under_the_default_thresholds() {
    silent("IMG008", slightly_wasteful());
}

#[test]
fn near_miss_under_a_byte_limit_it_does_not_reach() {
    let settings = AuditSettings {
        max_wasted_bytes: Some(200),
        ..AuditSettings::default()
    };
    let found = Audit::new(slightly_wasteful())
        .settings(settings)
        .findings("IMG008");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn near_miss_relaxed_thresholds() {
    let settings = AuditSettings {
        min_efficiency: 0.0,
        max_wasted_ratio: 1.0,
        max_wasted_bytes: None,
        ..AuditSettings::default()
    };
    let found = Audit::new(deleted_later())
        .settings(settings)
        .findings("IMG008");
    assert!(found.is_empty(), "{found:#?}");
}
