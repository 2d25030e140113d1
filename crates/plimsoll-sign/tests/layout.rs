//! Sign and verify in a real OCI layout directory, and every way a
//! signature can be wrong.

mod common;

use std::collections::BTreeMap;

use plimsoll_sign::store::sha256;
use plimsoll_sign::{PrivateKey, RegistryOptions, Target, sign, verify};
use serde_json::Value;

fn open(dir: &std::path::Path, tag: &str) -> Target {
    Target::open(
        &format!("oci:{}:{tag}", dir.display()),
        None,
        &RegistryOptions::default(),
    )
    .unwrap()
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

/// The signature manifest of `target`, as JSON.
fn sig_manifest(dir: &std::path::Path, target: &Target) -> Value {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let tag = target.signature_tag();
    let d = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag.as_str())
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    serde_json::from_slice(&std::fs::read(dir.join("blobs/sha256").join(&d[7..])).unwrap()).unwrap()
}

/// Replaces the signature manifest of `target` with `manifest`.
fn put_sig_manifest(dir: &std::path::Path, target: &Target, manifest: &Value) {
    use plimsoll_sign::Store;
    let layout = plimsoll_sign::Layout::open(dir).unwrap();
    layout
        .put_manifest(
            &target.signature_tag(),
            "application/vnd.oci.image.manifest.v1+json",
            &serde_json::to_vec(manifest).unwrap(),
        )
        .unwrap();
}

#[test]
fn sign_then_verify_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("img");
    let digest = common::layout(&dir, "1.0", "a");
    let key = PrivateKey::generate();
    let target = open(&dir, "1.0");
    assert_eq!(target.digest, digest);
    assert_eq!(
        target.signature_tag(),
        format!("sha256-{}.sig", &digest[7..])
    );
    // Nothing signed yet: nothing verifies.
    let before = verify(&target, &key.public_key(), &none()).unwrap();
    assert!(!before.ok() && before.checks.is_empty());

    let mut a = BTreeMap::new();
    a.insert("build".to_string(), "42".to_string());
    let signed = sign(&target, &key, &a).unwrap();
    assert_eq!((signed.signatures, signed.added), (1, true));
    let ok = verify(&open(&dir, "1.0"), &key.public_key(), &a).unwrap();
    assert!(ok.ok(), "{ok:?}");
    assert_eq!(ok.verified, 1);
    assert_eq!(ok.checks[0].docker_reference.as_deref(), Some("img"));

    // The layer is cosign's: simple-signing media type, base64 signature annotation.
    let m = sig_manifest(&dir, &target);
    assert_eq!(
        m["layers"][0]["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    assert!(m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"].is_string());

    // Signing again with another key appends; the same signature again does not.
    let other = PrivateKey::generate();
    let second = sign(&target, &other, &none()).unwrap();
    assert_eq!((second.signatures, second.added), (2, true));
    let again = sign(&target, &other, &none()).unwrap();
    assert_eq!(again.signatures, 2, "ECDSA is randomised: {again:?}");
    let both = verify(&target, &other.public_key(), &none()).unwrap();
    assert_eq!(both.verified, 1);
    assert_eq!(both.checks.len(), 2);
    // The untagged layout reference still names the image, not its signatures.
    let untagged = Target::open(
        &format!("oci:{}", dir.display()),
        None,
        &RegistryOptions::default(),
    )
    .unwrap();
    assert_eq!(untagged.digest, digest);

    // Annotations must match.
    let mut wrong = BTreeMap::new();
    wrong.insert("build".to_string(), "43".to_string());
    let r = verify(&target, &key.public_key(), &wrong).unwrap();
    assert!(!r.ok());
    assert!(
        r.checks.iter().any(|c| c
            .reason
            .as_deref()
            .is_some_and(|w| w.contains("annotation build"))),
        "{r:?}"
    );
}

#[test]
fn tampering_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("img");
    common::layout(&dir, "1.0", "a");
    let key = PrivateKey::generate();
    let target = open(&dir, "1.0");
    sign(&target, &key, &none()).unwrap();
    let good = sig_manifest(&dir, &target);
    let reason = |target: &Target| {
        let r = verify(target, &key.public_key(), &none()).unwrap();
        assert!(!r.ok(), "{r:?}");
        r.checks
            .iter()
            .map(|c| c.reason.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("; ")
    };

    // A changed payload (stored under its own digest, so only the signature can tell).
    let payload_digest = good["layers"][0]["digest"].as_str().unwrap();
    let raw = std::fs::read(dir.join("blobs/sha256").join(&payload_digest[7..])).unwrap();
    let changed = String::from_utf8(raw.clone())
        .unwrap()
        .replace("\"optional\":null", "\"optional\":{\"x\":\"y\"}");
    let changed_digest = common::put(&dir, changed.as_bytes());
    let mut m = good.clone();
    m["layers"][0]["digest"] = changed_digest.clone().into();
    m["layers"][0]["size"] = changed.len().into();
    put_sig_manifest(&dir, &target, &m);
    assert!(reason(&target).contains("does not match the key"));

    // A payload whose bytes differ from its digest.
    std::fs::write(dir.join("blobs/sha256").join(&changed_digest[7..]), &raw).unwrap();
    assert!(reason(&target).contains("differs"));

    // A truncated signature.
    let mut m = good.clone();
    let sig = m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]
        .as_str()
        .unwrap()
        .to_string();
    m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"] =
        sig[..sig.len() - 8].to_string().into();
    put_sig_manifest(&dir, &target, &m);
    let why = reason(&target);
    assert!(why.contains("signature"), "{why}");

    // A signature by another key.
    put_sig_manifest(&dir, &target, &good);
    assert!(verify(&target, &key.public_key(), &none()).unwrap().ok());
    let stranger = PrivateKey::generate();
    let r = verify(&target, &stranger.public_key(), &none()).unwrap();
    assert!(!r.ok());
    assert!(
        r.checks[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("does not match the key")
    );

    // A valid signature for another image, copied beside this one.
    let dir_b = tmp.path().join("other");
    common::layout(&dir_b, "1.0", "b");
    let target_b = open(&dir_b, "1.0");
    sign(&target_b, &key, &none()).unwrap();
    let b = sig_manifest(&dir_b, &target_b);
    let b_payload = b["layers"][0]["digest"].as_str().unwrap();
    common::put(
        &dir,
        &std::fs::read(dir_b.join("blobs/sha256").join(&b_payload[7..])).unwrap(),
    );
    put_sig_manifest(&dir, &target, &b);
    let why = reason(&target);
    assert!(why.contains("signed for another image"), "{why}");
}

#[test]
fn referrers_index_tag_is_read() {
    // An OCI 1.1 signature manifest with a subject, listed in the
    // sha256-<hex> index tag (the referrers fallback).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("img");
    let digest = common::layout(&dir, "1.0", "a");
    let key = PrivateKey::generate();
    let target = open(&dir, "1.0");
    let raw = plimsoll_sign::payload::build("img", &digest, &none());
    let payload_digest = common::put(&dir, &raw);
    let sig = plimsoll_sign::keys::signature_b64(&key.sign(&raw));
    let config = common::put(&dir, b"{}");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": plimsoll_sign::SIGNATURE_ARTIFACT_TYPE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
        "layers": [{
            "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
            "digest": payload_digest, "size": raw.len(),
            "annotations": {"dev.cosignproject.cosign/signature": sig},
        }],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest},
    });
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let manifest_digest = common::put(&dir, &bytes);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest, "size": bytes.len(),
            "artifactType": plimsoll_sign::SIGNATURE_ARTIFACT_TYPE,
        }],
    });
    use plimsoll_sign::Store;
    plimsoll_sign::Layout::open(&dir)
        .unwrap()
        .put_manifest(
            &digest.replace(':', "-"),
            "application/vnd.oci.image.index.v1+json",
            &serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    let r = verify(&target, &key.public_key(), &none()).unwrap();
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.checks[0].source, format!("referrer {manifest_digest}"));
    assert_eq!(sha256(&bytes), manifest_digest);
}

#[test]
fn hostile_signature_manifests_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("img");
    common::layout(&dir, "1.0", "a");
    let key = PrivateKey::generate();
    let target = open(&dir, "1.0");
    sign(&target, &key, &none()).unwrap();
    let good = sig_manifest(&dir, &target);
    // Thousands of layers: refused without reading them.
    let mut m = good.clone();
    let layer = m["layers"][0].clone();
    m["layers"] = Value::Array(vec![layer.clone(); 5000]);
    put_sig_manifest(&dir, &target, &m);
    let r = verify(&target, &key.public_key(), &none()).unwrap();
    assert!(!r.ok());
    assert!(
        r.checks[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("5000 layers"),
        "{r:?}"
    );
    // Signing onto it is refused too.
    assert!(
        sign(&target, &key, &none())
            .unwrap_err()
            .to_string()
            .contains("layers")
    );
    // A payload that claims to be huge is not read.
    let mut m = good.clone();
    m["layers"][0]["size"] = (1u64 << 40).into();
    put_sig_manifest(&dir, &target, &m);
    let r = verify(&target, &key.public_key(), &none()).unwrap();
    assert!(
        r.checks[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("larger than"),
        "{r:?}"
    );
    // A payload blob bigger than the cap, whatever the manifest says.
    let big = vec![b' '; 2 << 20];
    let big_digest = common::put(&dir, &big);
    let mut m = good.clone();
    m["layers"][0]["digest"] = big_digest.into();
    put_sig_manifest(&dir, &target, &m);
    let r = verify(&target, &key.public_key(), &none()).unwrap();
    assert!(
        r.checks[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("larger than"),
        "{r:?}"
    );
}
