//! Where images and their signatures live: an OCI layout directory (tags
//! are `org.opencontainers.image.ref.name` annotations of index.json) or a
//! repository of an OCI registry (oci-client: read, and push of blobs and
//! manifests). Every read is capped; every blob read is checked against
//! its digest.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::SignError;

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Payload blobs fetched at once from a registry.
const BLOB_CONCURRENCY: usize = 8;
/// The most bytes of one manifest or index read.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

const ACCEPT: &[&str] = &[
    MT_OCI_MANIFEST,
    MT_OCI_INDEX,
    MT_DOCKER_MANIFEST,
    MT_DOCKER_LIST,
];

/// `sha256:` and the hex SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// Checks that `digest` is `sha256:` and 64 lower-case hex digits.
pub fn check_digest(digest: &str) -> Result<&str, SignError> {
    match digest.strip_prefix("sha256:") {
        Some(h) if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            Ok(h)
        }
        _ => Err(SignError::BadReference(format!(
            "\"{digest}\" is not a sha256 digest"
        ))),
    }
}

/// One repository: the image's, or the one its signatures are kept in.
pub trait Store {
    /// Where, for messages: `OCI layout DIR` or `registry HOST/REPO`.
    fn location(&self) -> String;
    /// The name a payload's `docker-reference` carries.
    fn identity(&self) -> String;
    /// A manifest by tag, or None when the tag does not exist.
    fn manifest_by_tag(&self, tag: &str) -> Result<Option<Vec<u8>>, SignError>;
    /// A manifest by digest (checked against it).
    fn manifest_by_digest(&self, digest: &str) -> Result<Vec<u8>, SignError>;
    /// A blob, at most `max` bytes, checked against its digest.
    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError>;
    /// Several blobs (at most `max` bytes each), in order; a registry
    /// fetches a few at once.
    fn blobs(&self, digests: &[String], max: u64) -> Vec<Result<Vec<u8>, SignError>> {
        digests.iter().map(|d| self.blob(d, max)).collect()
    }
    /// Stores a blob (no-op when present).
    fn put_blob(&self, data: &[u8]) -> Result<String, SignError>;
    /// Stores a manifest under `tag`.
    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<(), SignError>;
    /// Digests of manifests that refer to `digest` with `artifact_type`
    /// (OCI 1.1 referrers; the `sha256-<hex>` index tag where a registry
    /// has no referrers API).
    fn referrers(&self, digest: &str, artifact_type: &str) -> Result<Vec<String>, SignError>;
}

fn too_big(what: &str, max: u64) -> SignError {
    SignError::TooLarge(format!("{what} is larger than {} KiB", max / 1024))
}

fn check_blob(data: &[u8], digest: &str, what: &str) -> Result<(), SignError> {
    let actual = sha256(data);
    if actual != digest {
        return Err(SignError::Corrupt(format!(
            "{what}: content digest {actual} differs from {digest}"
        )));
    }
    Ok(())
}

/// The referrers of `digest` named by the `sha256-<hex>` index tag.
fn referrers_from_index(index: &[u8], artifact_type: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(index) else {
        return Vec::new();
    };
    v.get("manifests")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter(|m| m.get("artifactType").and_then(Value::as_str) == Some(artifact_type))
                .filter_map(|m| m.get("digest").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- layout

/// An OCI image layout directory.
pub struct Layout {
    dir: PathBuf,
}

impl Layout {
    pub fn open(dir: &Path) -> Result<Layout, SignError> {
        if !dir.join("oci-layout").is_file() {
            return Err(SignError::BadReference(format!(
                "{} is not an OCI image layout (no oci-layout file)",
                dir.display()
            )));
        }
        Ok(Layout {
            dir: dir.to_path_buf(),
        })
    }

    /// Opens the layout at `dir`, creating an empty one (the directory,
    /// `oci-layout` and an `index.json` without manifests) when there is none.
    pub fn create(dir: &Path) -> Result<Layout, SignError> {
        if !dir.join("oci-layout").is_file() {
            let file_err = |path: PathBuf| move |source| SignError::File { path, source };
            std::fs::create_dir_all(dir.join("blobs/sha256"))
                .map_err(file_err(dir.join("blobs/sha256")))?;
            if !dir.join("index.json").is_file() {
                write_atomic(
                    &dir.join("index.json"),
                    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
                )?;
            }
            write_atomic(
                &dir.join("oci-layout"),
                br#"{"imageLayoutVersion":"1.0.0"}"#,
            )?;
        }
        Layout::open(dir)
    }

    fn index_path(&self) -> PathBuf {
        self.dir.join("index.json")
    }

    fn index(&self) -> Result<Value, SignError> {
        let bytes = read_capped(&self.index_path(), MAX_MANIFEST_BYTES, "index.json")?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            SignError::Corrupt(format!("{}: not JSON: {e}", self.index_path().display()))
        })?;
        if !v.get("manifests").is_some_and(Value::is_array) {
            return Err(SignError::Corrupt(format!(
                "{}: no manifests array",
                self.index_path().display()
            )));
        }
        Ok(v)
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf, SignError> {
        let hex = check_digest(digest)?;
        Ok(self.dir.join("blobs/sha256").join(hex))
    }

    /// The descriptor of index.json that `tag` names; without a tag, the
    /// only one that is not a signature or referrers tag.
    pub fn descriptor(&self, tag: Option<&str>) -> Result<Value, SignError> {
        let index = self.index()?;
        let manifests = index["manifests"].as_array().expect("checked");
        let name = |m: &Value| {
            m.get("annotations")
                .and_then(|a| a.get(REF_NAME))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let found: Vec<&Value> = match tag {
            Some(t) => manifests
                .iter()
                .filter(|m| name(m).as_deref() == Some(t))
                .collect(),
            None => manifests
                .iter()
                .filter(|m| !name(m).is_some_and(|n| n.starts_with("sha256-")))
                .collect(),
        };
        match (found.as_slice(), tag) {
            ([one], _) => Ok((*one).clone()),
            ([], Some(t)) => Err(SignError::NotFound(format!(
                "no image tagged \"{t}\" in {}",
                self.location()
            ))),
            ([], None) => Err(SignError::NotFound(format!(
                "no image in {}",
                self.location()
            ))),
            (_, _) => Err(SignError::BadReference(format!(
                "{} holds several images; name one with oci:DIR:TAG",
                self.location()
            ))),
        }
    }

    fn write_index(&self, index: &Value) -> Result<(), SignError> {
        let text = serde_json::to_vec(index).expect("JSON values serialise");
        write_atomic(&self.index_path(), &text)
    }
}

fn read_capped(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, SignError> {
    let file = std::fs::File::open(path).map_err(|source| SignError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut out)
        .map_err(|source| SignError::File {
            path: path.to_path_buf(),
            source,
        })?;
    if out.len() as u64 > max {
        return Err(too_big(what, max));
    }
    Ok(out)
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<(), SignError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, data)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            SignError::File {
                path: path.to_path_buf(),
                source,
            }
        })
}

impl Store for Layout {
    fn location(&self) -> String {
        format!("OCI layout {}", self.dir.display())
    }

    fn identity(&self) -> String {
        // A layout has no repository name: its directory's stands for it.
        self.dir
            .canonicalize()
            .unwrap_or_else(|_| self.dir.clone())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "oci-layout".into())
    }

    fn manifest_by_tag(&self, tag: &str) -> Result<Option<Vec<u8>>, SignError> {
        match self.descriptor(Some(tag)) {
            Ok(d) => {
                let digest = d.get("digest").and_then(Value::as_str).unwrap_or_default();
                self.manifest_by_digest(digest).map(Some)
            }
            Err(SignError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn manifest_by_digest(&self, digest: &str) -> Result<Vec<u8>, SignError> {
        self.blob(digest, MAX_MANIFEST_BYTES)
    }

    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError> {
        let path = self.blob_path(digest)?;
        let data = read_capped(&path, max, &format!("blob {digest}"))?;
        check_blob(&data, digest, &format!("{} blob", self.location()))?;
        Ok(data)
    }

    fn put_blob(&self, data: &[u8]) -> Result<String, SignError> {
        let digest = sha256(data);
        let path = self.blob_path(&digest)?;
        if !path.is_file() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| SignError::File {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            write_atomic(&path, data)?;
        }
        Ok(digest)
    }

    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<(), SignError> {
        let digest = self.put_blob(bytes)?;
        let mut index = self.index()?;
        let manifests = index["manifests"].as_array_mut().expect("checked");
        manifests.retain(|m| {
            m.get("annotations")
                .and_then(|a| a.get(REF_NAME))
                .and_then(Value::as_str)
                != Some(tag)
        });
        let mut annotations = BTreeMap::new();
        annotations.insert(REF_NAME.to_string(), tag.to_string());
        manifests.push(serde_json::json!({
            "mediaType": media_type,
            "digest": digest,
            "size": bytes.len(),
            "annotations": annotations,
        }));
        self.write_index(&index)
    }

    fn referrers(&self, digest: &str, artifact_type: &str) -> Result<Vec<String>, SignError> {
        let tag = digest.replace(':', "-");
        Ok(match self.manifest_by_tag(&tag)? {
            Some(index) => referrers_from_index(&index, artifact_type),
            None => Vec::new(),
        })
    }
}

// -------------------------------------------------------------- registry

/// How to reach registries.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// Hosts (host[:port]) spoken to over plain HTTP.
    pub insecure: Vec<String>,
    /// Network timeout [default 30 s].
    pub timeout: Option<std::time::Duration>,
    /// docker config.json with credentials [default $DOCKER_CONFIG or ~/.docker].
    pub docker_config: Option<PathBuf>,
}

/// One repository of an OCI registry.
pub struct Registry {
    runtime: std::sync::Arc<tokio::runtime::Runtime>,
    client: oci_client::Client,
    reference: oci_client::Reference,
    auth: oci_client::secrets::RegistryAuth,
}

impl Registry {
    /// Opens the repository `reference` names (a tag or digest in it is
    /// kept as the default manifest to resolve).
    pub fn open(reference: &str, opts: &RegistryOptions) -> Result<Registry, SignError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("plimsoll-sign-net")
            .enable_all()
            .build()
            .map_err(|e| SignError::Registry {
                registry: String::new(),
                why: format!("starting the network runtime: {e}"),
            })?;
        Self::open_with(std::sync::Arc::new(runtime), reference, opts)
    }

    fn open_with(
        runtime: std::sync::Arc<tokio::runtime::Runtime>,
        reference: &str,
        opts: &RegistryOptions,
    ) -> Result<Registry, SignError> {
        use oci_client::client::{ClientConfig, ClientProtocol};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let parsed: oci_client::Reference = reference
            .parse()
            .map_err(|e| SignError::BadReference(format!("{reference}: {e}")))?;
        let registry = parsed.resolve_registry().to_string();
        let insecure = opts
            .insecure
            .iter()
            .any(|h| *h == registry || *h == parsed.registry());
        let timeout = opts.timeout.unwrap_or(std::time::Duration::from_secs(30));
        let config = ClientConfig {
            protocol: if insecure {
                ClientProtocol::HttpsExcept(vec![registry.clone(), parsed.registry().to_string()])
            } else {
                ClientProtocol::Https
            },
            read_timeout: Some(timeout),
            connect_timeout: Some(timeout.min(std::time::Duration::from_secs(10))),
            user_agent: concat!("plimsoll/", env!("CARGO_PKG_VERSION")),
            ..Default::default()
        };
        let auth = plimsoll_oci::docker_credentials(&registry, opts.docker_config.as_ref());
        Ok(Registry {
            runtime,
            client: oci_client::Client::new(config),
            reference: parsed,
            auth,
        })
    }

    /// Another repository of the same or another registry, sharing the runtime.
    pub fn sibling(&self, repository: &str, opts: &RegistryOptions) -> Result<Registry, SignError> {
        Self::open_with(self.runtime.clone(), repository, opts)
    }

    fn error(&self, what: &str, e: oci_client::errors::OciDistributionError) -> SignError {
        use oci_client::errors::OciDistributionError as E;
        let why = match &e {
            E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => format!(
                "{what}: authentication failed (401): {e}; check credentials in docker config.json"
            ),
            E::ServerError { code, message, .. } => format!("{what}: HTTP {code}: {message}"),
            E::RequestError(re) if re.is_connect() => format!("{what}: cannot connect: {e}"),
            _ => format!("{what}: {e}"),
        };
        SignError::Registry {
            registry: self.reference.resolve_registry().to_string(),
            why,
        }
    }

    fn with_tag(&self, tag: &str) -> oci_client::Reference {
        oci_client::Reference::with_tag(
            self.reference.registry().to_string(),
            self.reference.repository().to_string(),
            tag.to_string(),
        )
    }

    fn with_digest(&self, digest: &str) -> oci_client::Reference {
        oci_client::Reference::with_digest(
            self.reference.registry().to_string(),
            self.reference.repository().to_string(),
            digest.to_string(),
        )
    }

    fn authenticate(&self, op: oci_client::RegistryOperation) -> Result<(), SignError> {
        self.runtime
            .block_on(self.client.auth(&self.reference, &self.auth, op))
            .map(|_| ())
            .map_err(|e| self.error("authenticating", e))
    }

    /// The digest of the manifest the opened reference names (its digest
    /// checked when it pins one).
    pub fn resolve(&self) -> Result<String, SignError> {
        self.authenticate(oci_client::RegistryOperation::Pull)?;
        let what = format!("manifest {}", self.reference);
        let (bytes, _) = self
            .runtime
            .block_on(
                self.client
                    .pull_manifest_raw(&self.reference, &self.auth, ACCEPT),
            )
            .map_err(|e| self.error(&what, e))?;
        let digest = sha256(&bytes);
        if let Some(pinned) = self.reference.digest()
            && pinned != digest
        {
            return Err(SignError::Corrupt(format!(
                "{what}: content digest {digest} differs from the pinned {pinned}"
            )));
        }
        Ok(digest)
    }

    fn pull_manifest(&self, r: &oci_client::Reference) -> Result<Option<Vec<u8>>, SignError> {
        use oci_client::errors::OciDistributionError as E;
        match self
            .runtime
            .block_on(self.client.pull_manifest_raw(r, &self.auth, ACCEPT))
        {
            Ok((bytes, _)) if bytes.len() as u64 > MAX_MANIFEST_BYTES => {
                Err(too_big(&format!("manifest {r}"), MAX_MANIFEST_BYTES))
            }
            Ok((bytes, _)) => Ok(Some(bytes.to_vec())),
            Err(E::ImageManifestNotFoundError(_)) => Ok(None),
            Err(E::ServerError { code: 404, .. }) => Ok(None),
            Err(E::RegistryError { envelope, .. })
                if envelope.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        oci_client::errors::OciErrorCode::ManifestUnknown
                            | oci_client::errors::OciErrorCode::NotFound
                    )
                }) =>
            {
                Ok(None)
            }
            Err(e) => Err(self.error(&format!("manifest {r}"), e)),
        }
    }

    async fn blob_async(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError> {
        use futures_util::StreamExt;
        check_digest(digest)?;
        let r = self.with_digest(digest);
        let what = format!("blob {digest}");
        let mut stream = self
            .client
            .pull_blob_stream(&r, digest)
            .await
            .map_err(|e| self.error(&what, e))?;
        if stream.content_length.is_some_and(|n| n > max) {
            return Err(too_big(&what, max));
        }
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| SignError::Registry {
                registry: self.reference.resolve_registry().to_string(),
                why: format!("{what}: {e}"),
            })?;
            if (out.len() + chunk.len()) as u64 > max {
                return Err(too_big(&what, max));
            }
            out.extend_from_slice(&chunk);
        }
        check_blob(&out, digest, &format!("{} blob", self.location()))?;
        Ok(out)
    }
}

impl Store for Registry {
    fn location(&self) -> String {
        format!(
            "registry {}/{}",
            self.reference.registry(),
            self.reference.repository()
        )
    }

    fn identity(&self) -> String {
        // go-containerregistry's Repository.Name(): Docker Hub as index.docker.io.
        format!(
            "{}/{}",
            self.reference.resolve_registry(),
            self.reference.repository()
        )
    }

    fn manifest_by_tag(&self, tag: &str) -> Result<Option<Vec<u8>>, SignError> {
        self.authenticate(oci_client::RegistryOperation::Pull)?;
        self.pull_manifest(&self.with_tag(tag))
    }

    fn manifest_by_digest(&self, digest: &str) -> Result<Vec<u8>, SignError> {
        check_digest(digest)?;
        let bytes = self
            .pull_manifest(&self.with_digest(digest))?
            .ok_or_else(|| {
                SignError::NotFound(format!("manifest {digest} in {}", self.location()))
            })?;
        check_blob(&bytes, digest, &format!("{} manifest", self.location()))?;
        Ok(bytes)
    }

    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError> {
        self.runtime.block_on(self.blob_async(digest, max))
    }

    fn blobs(&self, digests: &[String], max: u64) -> Vec<Result<Vec<u8>, SignError>> {
        use futures_util::stream::{self, StreamExt};
        self.runtime.block_on(
            stream::iter(digests.iter().map(|d| self.blob_async(d, max)))
                .buffered(BLOB_CONCURRENCY)
                .collect(),
        )
    }

    fn put_blob(&self, data: &[u8]) -> Result<String, SignError> {
        let digest = sha256(data);
        self.authenticate(oci_client::RegistryOperation::Push)?;
        let r = self.with_digest(&digest);
        let exists = self
            .runtime
            .block_on(self.client.blob_exists(&r, &digest))
            .unwrap_or(false);
        if !exists {
            self.runtime
                .block_on(self.client.push_blob(&r, data.to_vec(), &digest))
                .map_err(|e| self.error(&format!("pushing blob {digest}"), e))?;
        }
        Ok(digest)
    }

    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<(), SignError> {
        self.authenticate(oci_client::RegistryOperation::Push)?;
        let r = self.with_tag(tag);
        let content_type = media_type.parse().expect("media types are header values");
        self.runtime
            .block_on(
                self.client
                    .push_manifest_raw(&r, bytes.to_vec(), content_type),
            )
            .map_err(|e| self.error(&format!("pushing manifest {tag}"), e))?;
        Ok(())
    }

    fn referrers(&self, digest: &str, artifact_type: &str) -> Result<Vec<String>, SignError> {
        self.authenticate(oci_client::RegistryOperation::Pull)?;
        let r = self.with_digest(digest);
        let index = self
            .runtime
            .block_on(self.client.pull_referrers(&r, Some(artifact_type)))
            .map_err(|e| self.error(&format!("referrers of {digest}"), e))?;
        Ok(index
            .manifests
            .into_iter()
            .filter(|m| {
                m.artifact_type
                    .as_deref()
                    .is_none_or(|t| t == artifact_type)
            })
            .map(|m| m.digest)
            .collect())
    }
}
