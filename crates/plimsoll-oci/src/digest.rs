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

impl FromStr for Digest {
    type Err = OciError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| OciError::BadDigest {
            digest: s.to_string(),
            why: why.to_string(),
        };
        let (algo, hex) = s
            .split_once(':')
            .ok_or_else(|| bad("no algorithm prefix"))?;
        if algo != "sha256" {
            return Err(bad("only sha256 digests are supported"));
        }
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("expected 64 hex characters"));
        }
        Ok(Digest {
            hex: hex.to_ascii_lowercase(),
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
