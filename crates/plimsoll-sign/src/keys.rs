//! Key pairs in cosign's formats: the public key as PEM `PUBLIC KEY`
//! (SubjectPublicKeyInfo, ECDSA P-256), the private key as PEM `ENCRYPTED
//! SIGSTORE PRIVATE KEY`: base64 of a JSON document naming the KDF (scrypt,
//! N/r/p and salt), the cipher (NaCl secretbox, nonce) and the ciphertext of
//! the PKCS#8 key. Passwords are never part of an error or of any output.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use crypto_secretbox::XSalsa20Poly1305;
use crypto_secretbox::aead::{Aead, KeyInit};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;
use p256::pkcs8::der::pem::{self, LineEnding};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use p256::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::SignError;

/// The label cosign writes today.
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label older cosign releases wrote; read, and kept on import.
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";
const PUBLIC_LABEL: &str = "PUBLIC KEY";

/// cosign's (go-securesystemslib's) scrypt parameters for new keys.
pub const SCRYPT_N: u64 = 32768;
pub const SCRYPT_R: u32 = 8;
pub const SCRYPT_P: u32 = 1;
/// The most memory a key file may ask scrypt for (128·N·r bytes): 256 MiB,
/// four times cosign's 2^16 keys. More is a hostile or corrupt file.
pub const MAX_SCRYPT_BYTES: u64 = 256 << 20;
/// Key files are small; anything bigger is not a key.
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// A password, wiped from memory when dropped; its Debug shows nothing.
pub struct Password(Zeroizing<Vec<u8>>);

impl Password {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Password(Zeroizing::new(bytes.into()))
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// An ECDSA P-256 private key.
#[derive(Clone)]
pub struct PrivateKey {
    key: SecretKey,
    /// The PEM label it was read with, kept when re-encrypting (import).
    label: &'static str,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(…)")
    }
}

/// An ECDSA P-256 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyPem {
    key: VerifyingKey,
}

#[derive(Serialize, Deserialize)]
struct EncryptedKey {
    kdf: Kdf,
    cipher: Cipher,
    #[serde(with = "b64")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    #[serde(with = "b64")]
    salt: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    #[serde(with = "b64")]
    nonce: Vec<u8>,
}

/// Go's encoding/json writes `[]byte` as standard base64 with padding.
mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(serde::de::Error::custom)
    }
}

fn bad_key(why: impl Into<String>) -> SignError {
    SignError::BadKey(why.into())
}

impl PrivateKey {
    /// A new random key.
    pub fn generate() -> PrivateKey {
        PrivateKey {
            key: SecretKey::generate(),
            label: SIGSTORE_LABEL,
        }
    }

    /// Reads a private key: cosign's encrypted PEM (either label; N/r/p and
    /// salt from the file; PKCS#8 inside, or SEC1 as a few tools wrote), or a
    /// plain PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`. `password` is
    /// asked for only when the key is encrypted.
    pub fn from_pem(
        text: &str,
        password: impl FnOnce() -> Result<Password, SignError>,
    ) -> Result<PrivateKey, SignError> {
        let (label, der) = decode_pem(text)?;
        match label.as_str() {
            SIGSTORE_LABEL | COSIGN_LABEL => {
                let password = password()?;
                let plain = decrypt(&der, password.as_bytes())?;
                let key = parse_private_der(&plain)?;
                Ok(PrivateKey {
                    key,
                    label: if label == COSIGN_LABEL {
                        COSIGN_LABEL
                    } else {
                        SIGSTORE_LABEL
                    },
                })
            }
            "PRIVATE KEY" | "EC PRIVATE KEY" => Ok(PrivateKey {
                key: parse_private_der(&der)?,
                label: SIGSTORE_LABEL,
            }),
            "RSA PRIVATE KEY" => Err(bad_key(
                "an RSA key; plimsoll signs with ECDSA P-256 keys only",
            )),
            "PUBLIC KEY" => Err(bad_key("a public key where a private key was expected")),
            other => Err(bad_key(format!(
                "unsupported PEM type \"{other}\"; expected {SIGSTORE_LABEL}, {COSIGN_LABEL}, \
                 PRIVATE KEY or EC PRIVATE KEY"
            ))),
        }
    }

    /// cosign's encrypted PEM of this key, with fresh salt and nonce.
    pub fn to_encrypted_pem(&self, password: &Password) -> Result<Zeroizing<String>, SignError> {
        self.to_encrypted_pem_with(password, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    }

    /// As [`Self::to_encrypted_pem`] with given scrypt parameters (tests use
    /// small ones).
    pub fn to_encrypted_pem_with(
        &self,
        password: &Password,
        n: u64,
        r: u32,
        p: u32,
    ) -> Result<Zeroizing<String>, SignError> {
        let pkcs8 = self
            .key
            .to_pkcs8_der()
            .map_err(|e| bad_key(format!("encoding PKCS#8: {e}")))?;
        let salt: [u8; 32] = Generate::generate();
        let nonce: [u8; 24] = Generate::generate();
        let secret = derive(password.as_bytes(), &salt, n, r, p)?;
        let cipher = XSalsa20Poly1305::new((&*secret).into());
        let ciphertext = cipher
            .encrypt((&nonce).into(), pkcs8.as_bytes())
            .map_err(|_| bad_key("encrypting the key failed"))?;
        let doc = EncryptedKey {
            kdf: Kdf {
                name: "scrypt".into(),
                params: ScryptParams { n, r, p },
                salt: salt.to_vec(),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: nonce.to_vec(),
            },
            ciphertext,
        };
        let json = serde_json::to_vec(&doc).expect("plain structs serialise");
        let text = pem::encode_string(self.label, LineEnding::LF, &json)
            .map_err(|e| bad_key(format!("encoding PEM: {e}")))?;
        Ok(Zeroizing::new(text))
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKeyPem {
        PublicKeyPem {
            key: VerifyingKey::from(&SigningKey::from(&self.key)),
        }
    }

    /// ECDSA P-256 over SHA-256 of `message`, ASN.1 DER.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signing = SigningKey::from(&self.key);
        let sig: Signature = signing.sign(message);
        sig.to_der().as_bytes().to_vec()
    }

    /// The PEM label the key was read with.
    pub fn label(&self) -> &'static str {
        self.label
    }
}

impl PublicKeyPem {
    /// Reads PEM `PUBLIC KEY` (SPKI); only ECDSA P-256 keys are accepted.
    pub fn from_pem(text: &str) -> Result<PublicKeyPem, SignError> {
        let (label, der) = decode_pem(text)?;
        if label != PUBLIC_LABEL {
            return Err(bad_key(format!(
                "PEM type \"{label}\" where a PUBLIC KEY was expected"
            )));
        }
        let key = PublicKey::from_public_key_der(&der).map_err(|e| {
            bad_key(format!(
                "not an ECDSA P-256 public key ({e}); plimsoll verifies P-256 signatures only"
            ))
        })?;
        Ok(PublicKeyPem {
            key: VerifyingKey::from(key),
        })
    }

    pub fn to_pem(&self) -> String {
        PublicKey::from(&self.key)
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
    }

    /// Whether `signature` (ASN.1 DER) is this key's over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        let sig = DerSignature::try_from(signature)
            .map_err(|_| SignError::Signature("not an ASN.1 DER ECDSA signature".into()))?;
        self.key
            .verify(message, &sig)
            .map_err(|_| SignError::Signature("the signature does not match the key".into()))
    }
}

fn decode_pem(text: &str) -> Result<(String, Zeroizing<Vec<u8>>), SignError> {
    // Text before the first boundary (comments some tools write) is skipped.
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| bad_key("not PEM (no -----BEGIN line)"))?;
    let body = text[start..].replace("\r\n", "\n");
    let body = body.trim_end();
    // Only the first block is read.
    let end = body
        .find("-----END ")
        .and_then(|i| {
            body[i..]
                .find("-----\n")
                .map(|j| i + j + 5)
                .or(Some(body.len()))
        })
        .unwrap_or(body.len());
    let (label, der) = pem::decode_vec(&body.as_bytes()[..end])
        .map_err(|e| bad_key(format!("malformed PEM: {e}")))?;
    Ok((label.to_string(), Zeroizing::new(der)))
}

fn parse_private_der(der: &[u8]) -> Result<SecretKey, SignError> {
    if let Ok(k) = SecretKey::from_pkcs8_der(der) {
        return Ok(k);
    }
    if let Ok(k) = SecretKey::from_sec1_der(der) {
        return Ok(k);
    }
    Err(bad_key(
        "not an ECDSA P-256 private key (PKCS#8 or SEC1); plimsoll signs with P-256 keys only",
    ))
}

fn derive(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, SignError> {
    if n < 2 || !n.is_power_of_two() {
        return Err(bad_key(format!(
            "scrypt N = {n} is not a power of two above 1"
        )));
    }
    let bytes = 128u64.saturating_mul(n).saturating_mul(u64::from(r));
    if bytes > MAX_SCRYPT_BYTES || r == 0 || p == 0 || p > 16 {
        return Err(bad_key(format!(
            "scrypt parameters N={n} r={r} p={p} are out of range (at most {} MiB of memory, \
             p at most 16)",
            MAX_SCRYPT_BYTES >> 20
        )));
    }
    let params = scrypt::Params::new(n.trailing_zeros() as u8, r, p)
        .map_err(|_| bad_key(format!("scrypt parameters N={n} r={r} p={p} are invalid")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, &mut *out).map_err(|_| bad_key("scrypt failed"))?;
    Ok(out)
}

fn decrypt(doc: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, SignError> {
    let doc: EncryptedKey = serde_json::from_slice(doc)
        .map_err(|e| bad_key(format!("the encrypted key's JSON is malformed: {e}")))?;
    if doc.kdf.name != "scrypt" {
        return Err(bad_key(format!(
            "unsupported key derivation \"{}\"; expected scrypt",
            doc.kdf.name
        )));
    }
    if doc.cipher.name != "nacl/secretbox" {
        return Err(bad_key(format!(
            "unsupported cipher \"{}\"; expected nacl/secretbox",
            doc.cipher.name
        )));
    }
    let nonce: [u8; 24] = doc
        .cipher
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| bad_key("the secretbox nonce is not 24 bytes"))?;
    let p = &doc.kdf.params;
    let secret = derive(password, &doc.kdf.salt, p.n, p.r, p.p)?;
    let cipher = XSalsa20Poly1305::new((&*secret).into());
    cipher
        .decrypt((&nonce).into(), doc.ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| SignError::WrongPassword)
}

/// Reads a key file, at most [`MAX_KEY_FILE_BYTES`].
pub fn read_key_file(path: &Path) -> Result<String, SignError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| SignError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|source| SignError::File {
            path: path.to_path_buf(),
            source,
        })?;
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(bad_key(format!(
            "{} is larger than {} KiB: not a key file",
            path.display(),
            MAX_KEY_FILE_BYTES / 1024
        )));
    }
    Ok(text)
}

/// Writes `text` to `path` with mode 0600; an existing file is an error
/// unless `force`.
pub fn write_key_file(path: &Path, text: &str, force: bool, mode: u32) -> Result<(), SignError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = OpenOptions::new();
    opts.write(true).mode(mode);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut file = opts.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            SignError::Exists(path.to_path_buf())
        } else {
            SignError::File {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    // An existing file keeps its mode on truncation: set it.
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .and_then(|_| file.write_all(text.as_bytes()))
        .and_then(|_| file.sync_all())
        .map_err(|source| SignError::File {
            path: path.to_path_buf(),
            source,
        })
}

/// A base64 signature as it stands in an annotation.
pub fn signature_b64(sig: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_small_parameters() {
        let key = PrivateKey::generate();
        let pw = Password::new("correct horse");
        let pem = key.to_encrypted_pem_with(&pw, 1024, 8, 1).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = PrivateKey::from_pem(&pem, || Ok(Password::new("correct horse"))).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let err = PrivateKey::from_pem(&pem, || Ok(Password::new("hunter2-xyz"))).unwrap_err();
        assert!(matches!(err, SignError::WrongPassword), "{err}");
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
        let sig = key.sign(b"payload");
        key.public_key().verify(b"payload", &sig).unwrap();
        assert!(key.public_key().verify(b"payloaD", &sig).is_err());
        let pubpem = key.public_key().to_pem();
        assert!(pubpem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(PublicKeyPem::from_pem(&pubpem).unwrap(), key.public_key());
    }

    #[test]
    fn hostile_scrypt_parameters_are_refused() {
        assert!(derive(b"", b"salt", 1 << 30, 8, 1).is_err());
        assert!(derive(b"", b"salt", 1000, 8, 1).is_err());
        assert!(derive(b"", b"salt", 1024, 8, 0).is_err());
    }
}
