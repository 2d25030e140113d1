//! Published vectors (cosign's keys_test.go, sigstore-rs's test data: see
//! tests/data/PROVENANCE) and interoperability with the `sigstore` crate
//! as an independent implementation: keys and signatures both ways.

mod common;

use std::collections::BTreeMap;

use base64::Engine as _;
use common::data;
use plimsoll_sign::keys::COSIGN_LABEL;
use plimsoll_sign::{Password, PrivateKey, PublicKeyPem, SignError, payload};
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, Signature, SigningScheme};

fn pw(s: &str) -> impl FnOnce() -> Result<Password, SignError> {
    let s = s.to_string();
    move || Ok(Password::new(s))
}

fn no_password() -> Result<Password, SignError> {
    panic!("a plain key must not ask for a password")
}

#[test]
fn cosign_encrypted_keys_decrypt_with_their_passwords() {
    // SIGSTORE label, N=32768, PKCS#8 inside.
    let key =
        PrivateKey::from_pem(&data("cosign-keys_test-pemsigstorekey.key"), pw("hello")).unwrap();
    let sig = key.sign(b"x");
    key.public_key().verify(b"x", &sig).unwrap();
    // Legacy COSIGN label with N=65536 read from the file; SEC1 inside.
    let legacy =
        PrivateKey::from_pem(&data("cosign-keys_test-pemcosigneckey.key"), pw("hello")).unwrap();
    assert_eq!(legacy.label(), COSIGN_LABEL);
    // The wrong password: refused, and not named.
    let err = PrivateKey::from_pem(&data("cosign-keys_test-pemsigstorekey.key"), pw("hellO"))
        .unwrap_err();
    assert!(matches!(err, SignError::WrongPassword), "{err}");
    assert!(!format!("{err} {err:?}").contains("hellO"));
    // The legacy label with PKCS#8 inside.
    let other =
        PrivateKey::from_pem(&data("cosign-keys_test-pemcosignkey.key"), pw("hello")).unwrap();
    assert_eq!(other.label(), COSIGN_LABEL);
    assert_ne!(other.public_key(), key.public_key());
}

#[test]
fn sigstore_rs_keys_decrypt() {
    let empty = PrivateKey::from_pem(
        &data("sigstore-rs-cosign_generated_encrypted_empty_private.key"),
        pw(""),
    )
    .unwrap();
    assert_eq!(empty.label(), plimsoll_sign::keys::SIGSTORE_LABEL);
    let enc =
        PrivateKey::from_pem(&data("sigstore-rs-ecdsa_encrypted_private.key"), pw("123")).unwrap();
    assert_eq!(enc.label(), COSIGN_LABEL);
    let plain = PrivateKey::from_pem(&data("sigstore-rs-ecdsa_private.key"), no_password).unwrap();
    for key in [&empty, &enc, &plain] {
        let sig = key.sign(b"m");
        key.public_key().verify(b"m", &sig).unwrap();
    }
    assert_ne!(enc.public_key(), plain.public_key());
    assert!(
        PrivateKey::from_pem(&data("sigstore-rs-rsa_encrypted_private.key"), pw("123"))
            .unwrap_err()
            .to_string()
            .contains("P-256")
    );
}

#[test]
fn plain_ec_keys_from_cosign_tests_are_read() {
    for f in [
        "cosign-keys_test-validecp256.key",
        "cosign-keys_test-validecpkcs8.key",
    ] {
        let key = PrivateKey::from_pem(&data(f), no_password).unwrap();
        let sig = key.sign(b"m");
        key.public_key().verify(b"m", &sig).unwrap();
    }
    let err =
        PrivateKey::from_pem(&data("cosign-keys_test-validecp384.key"), no_password).unwrap_err();
    assert!(err.to_string().contains("P-256"), "{err}");
}

#[test]
fn sigstore_rs_signature_layer_verifies() {
    let key = PublicKeyPem::from_pem(&data("sigstore-rs-signature-layer.pub")).unwrap();
    let raw = data("sigstore-rs-signature-layer.payload.json").into_bytes();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(data("sigstore-rs-signature-layer.sig").trim())
        .unwrap();
    key.verify(&raw, &sig).unwrap();
    let p = payload::parse(&raw).unwrap();
    assert_eq!(
        p.manifest_digest,
        "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b"
    );
    // plimsoll writes the same payload bytes for that image.
    assert_eq!(
        payload::build(
            "registry-testing.svc.lan/busybox",
            &p.manifest_digest,
            &BTreeMap::new()
        ),
        raw
    );
    // One changed byte, a truncated signature: refused.
    let mut changed = raw.clone();
    changed[10] ^= 1;
    assert!(key.verify(&changed, &sig).is_err());
    assert!(key.verify(&raw, &sig[..sig.len() - 1]).is_err());
}

#[test]
fn what_plimsoll_signs_sigstore_rs_verifies() {
    let key = PrivateKey::generate();
    let raw = payload::build("r.example/app", "sha256:00", &BTreeMap::new());
    let sig = key.sign(&raw);
    let theirs = CosignVerificationKey::from_pem(
        key.public_key().to_pem().as_bytes(),
        &SigningScheme::ECDSA_P256_SHA256_ASN1,
    )
    .unwrap();
    theirs.verify_signature(Signature::Raw(&sig), &raw).unwrap();
    let b64 = plimsoll_sign::keys::signature_b64(&sig);
    theirs
        .verify_signature(Signature::Base64Encoded(b64.as_bytes()), &raw)
        .unwrap();
    assert!(
        theirs
            .verify_signature(Signature::Raw(&sig), b"other")
            .is_err()
    );
}

#[test]
fn what_sigstore_rs_signs_plimsoll_verifies() {
    let signer = SigningScheme::ECDSA_P256_SHA256_ASN1
        .create_signer()
        .unwrap();
    let pair = signer.to_sigstore_keypair().unwrap();
    let raw = payload::build("r.example/app", "sha256:01", &BTreeMap::new());
    let sig = signer.sign(&raw).unwrap();
    let ours = PublicKeyPem::from_pem(&pair.public_key_to_pem().unwrap()).unwrap();
    ours.verify(&raw, &sig).unwrap();
    assert!(ours.verify(b"other", &sig).is_err());
    let other = PrivateKey::generate().public_key();
    assert!(other.verify(&raw, &sig).is_err());
}

#[test]
fn keys_cross_both_ways() {
    // plimsoll's encrypted key, read by sigstore-rs; its signature verified by plimsoll.
    let key = PrivateKey::generate();
    let pem = key.to_encrypted_pem(&Password::new("s3cret pass")).unwrap();
    let theirs = SigStoreKeyPair::from_encrypted_pem(pem.as_bytes(), b"s3cret pass").unwrap();
    // sigstore-rs ends PEM lines with CRLF, Go (and plimsoll) with LF.
    let lf = |s: String| s.replace("\r\n", "\n");
    assert_eq!(
        lf(theirs.public_key_to_pem().unwrap()),
        key.public_key().to_pem()
    );
    let signer = theirs
        .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .unwrap();
    let sig = signer.sign(b"msg").unwrap();
    key.public_key().verify(b"msg", &sig).unwrap();
    assert!(SigStoreKeyPair::from_encrypted_pem(pem.as_bytes(), b"wrong").is_err());

    // sigstore-rs's encrypted key, read by plimsoll.
    let pair = SigningScheme::ECDSA_P256_SHA256_ASN1
        .create_signer()
        .unwrap()
        .to_sigstore_keypair()
        .unwrap();
    let their_pem = pair.private_key_to_encrypted_pem(b"pw 2").unwrap();
    let ours = PrivateKey::from_pem(&their_pem, pw("pw 2")).unwrap();
    assert_eq!(
        ours.public_key().to_pem(),
        lf(pair.public_key_to_pem().unwrap())
    );
    assert!(matches!(
        PrivateKey::from_pem(&their_pem, pw("pw 3")),
        Err(SignError::WrongPassword)
    ));
}
