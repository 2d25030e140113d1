//! Helpers shared by the unit tests.

pub(crate) use crate::{SecretHit, SecretScanner};

pub(crate) use plimsoll_testkit::{ALNUM, rnd};
pub(crate) const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub(crate) const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(crate) fn scanner() -> SecretScanner {
    SecretScanner::new()
}

pub(crate) fn kinds(hits: &[SecretHit]) -> Vec<&str> {
    hits.iter().map(|h| h.kind.as_str()).collect()
}

/// Asserts exactly one hit of `kind` and that its redaction does not reveal `secret`.
pub(crate) fn assert_one(hits: &[SecretHit], kind: &str, secret: &str) {
    assert_eq!(kinds(hits), vec![kind], "hits: {hits:?}");
    assert_redacted(&hits[0], secret);
}

pub(crate) fn assert_redacted(hit: &SecretHit, secret: &str) {
    assert!(
        !hit.redacted.contains(secret),
        "redaction reveals the secret: {hit:?}"
    );
    let stars = hit.redacted.chars().filter(|&c| c == '*').count();
    assert!((1..=12).contains(&stars), "stars: {hit:?}");
    // At most 4 characters of the secret are shown.
    let shown = secret.len().min(5);
    assert!(
        !hit.redacted.contains(&secret[..shown]) || secret.len() <= 4,
        "redaction shows more than 4 characters: {hit:?}"
    );
}

pub(crate) fn aws_key_id() -> String {
    format!("AKIA{}", "Z7QK3VXN5MBT2LPD")
}

pub(crate) fn aws_secret() -> String {
    // 40 base64 characters with upper, lower, digits and '/'.
    format!("{}/{}", rnd(7, 20, ALNUM), rnd(8, 19, ALNUM))
}

pub(crate) fn pem(kind: &str, lines: usize, seed: u64) -> String {
    let mut s = format!("-----BEGIN {kind}PRIVATE {}-----\n", "KEY");
    for i in 0..lines {
        s.push_str(&rnd(seed + i as u64, 64, B64));
        s.push('\n');
    }
    s.push_str(&format!("-----END {kind}PRIVATE {}-----\n", "KEY"));
    s
}
