//! Content digests (`sha256:<64 hex>`), the identity of every blob.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::OciError;

/// A validated `sha256:` digest. Other algorithms are rejected: every image
/// plimsoll has met uses sha256, and an unknown algorithm cannot be verified.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    hex: String,
}

impl Digest {
    /// Builds a digest from 32 raw bytes of SHA-256 output.
    pub fn from_sha256_bytes(bytes: &[u8]) -> Self {
        Digest {
            hex: hex::encode(bytes),
        }
    }

    /// The lower-case hex part, without the algorithm.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// `sha256:` followed by the hex part.
    pub fn algorithm(&self) -> &'static str {
        "sha256"
    }

    /// A short form for tables: the first 12 hex characters.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }

    /// SHA-256 of a byte slice.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest as _;
        Self::from_sha256_bytes(&sha2::Sha256::digest(bytes))
    }
}

/// Why `text` is not a digest plimsoll can verify (OCI image spec: `algorithm:encoded`,
/// sha256 with 64 lowercase hex characters); the one check for references and descriptors.
pub(crate) fn digest_problem(text: &str) -> Result<(), String> {
    let Some((algo, hex)) = text.split_once(':') else {
        return Err("no algorithm prefix (expected sha256:<64 hex>)".into());
    };
    let lower_hex = |b: u8| matches!(b, b'0'..=b'9' | b'a'..=b'f');
    match algo {
        "sha256" if hex.len() == 64 && hex.bytes().all(lower_hex) => Ok(()),
        "sha256" if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => Err(
            "the hex is uppercase; the OCI image spec requires lowercase (re-push or fix the manifest)"
                .into(),
        ),
        "sha256" => Err(format!("expected 64 hex characters, found {}", hex.len())),
        "sha512" => Err("sha512 digests are not supported: plimsoll verifies sha256 only".into()),
        other => Err(format!(
            "'{}' is not a digest algorithm of the OCI image spec (sha256, sha512)",
            other.chars().take(32).collect::<String>()
        )),
    }
}

impl FromStr for Digest {
    type Err = OciError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // A reference may spell the hex in upper case (it is read case-blind); a
        // descriptor may not (the manifest check calls `digest_problem` on the text as is).
        let lowered = s.to_ascii_lowercase();
        let canonical = match s.split_once(':') {
            Some((algo, _)) => format!("{algo}:{}", &lowered[algo.len() + 1..]),
            None => s.to_string(),
        };
        digest_problem(&canonical).map_err(|why| OciError::BadDigest {
            digest: s.to_string(),
            why,
        })?;
        Ok(Digest {
            hex: canonical["sha256:".len()..].to_string(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Digest = "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
            .parse()
            .unwrap();
        assert_eq!(d, Digest::of(b""));
        assert_eq!(d.short(), "e3b0c44298fc");
    }

    #[test]
    fn rejects_bad_digests() {
        for bad in ["sha256:abc", "md5:e3b0", "e3b0c442", "sha256:zz"] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
    }
}
