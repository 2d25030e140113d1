use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while finding and reading an image. Each
/// variant names the thing (image, blob, file) and the cause.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error("invalid image reference '{reference}': {why}")]
    BadReference { reference: String, why: String },
    #[error("invalid digest '{digest}': {why}")]
    BadDigest { digest: String, why: String },
    #[error("invalid platform '{platform}': {why}")]
    BadPlatform { platform: String, why: String },
    #[error("{what}: {item} has digest '{digest}': {why}")]
    BadDescriptor {
        what: String,
        item: String,
        digest: String,
        why: String,
    },
    #[error("{blob}: digest mismatch: expected {expected}, content hashes to {actual}")]
    DigestMismatch {
        blob: String,
        expected: String,
        actual: String,
    },
    /// `blob` names the blob with its digest, or its caller does (a layer's error is
    /// prefixed with the image, the layer and its digest): the digest is not repeated.
    #[error("{blob}: size mismatch: descriptor says {expected} bytes, read {actual}")]
    SizeMismatch {
        blob: String,
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("{blob}: {size} bytes exceeds the limit of {cap} bytes for this kind of blob")]
    TooLarge { blob: String, size: u64, cap: u64 },
    #[error("{blob}: blob {digest} is missing from {location}")]
    MissingBlob {
        blob: String,
        digest: String,
        location: String,
    },
    #[error("{}: not a regular file ({kind}); refusing to read it", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("{path}")]
    File {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("{what}: invalid JSON")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{what}: unsupported media type '{media_type}'")]
    UnknownMediaType { what: String, media_type: String },
    #[error("{image}: {why}")]
    Layout { image: String, why: String },
    #[error("invalid exclude pattern '{pattern}': {why}")]
    BadPattern { pattern: String, why: String },
    #[error("{image}: no manifest for platform {wanted}; available: {available}")]
    NoPlatform {
        image: String,
        wanted: String,
        available: String,
    },
    #[error("{image}: tag '{tag}' not found; available: {available}")]
    NoTag {
        image: String,
        tag: String,
        available: String,
    },
    #[error("registry {registry}: {what}: {why}")]
    Registry {
        registry: String,
        what: String,
        why: String,
    },
}

impl OciError {
    /// Wraps an I/O error raised while reading `what`, unwrapping the typed
    /// error a verifying reader may have put inside it.
    pub fn from_io(what: &str, e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<OciError>()) {
            let inner = e.into_inner().expect("checked above");
            return *inner.downcast::<OciError>().expect("checked above");
        }
        OciError::Io {
            what: what.to_string(),
            source: e,
        }
    }
}
