//! The OCI distribution API, through `oci-client`: anonymous and bearer-token
//! auth (the WWW-Authenticate challenge flow), basic credentials from the
//! user's docker config.json, plain HTTP only for registries the user names.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use futures_util::TryStreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::image::{
    BlobSource, Image, MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_OCI_INDEX, MT_OCI_MANIFEST,
    RegistryCredential, ResolveOptions, resolve_descriptor,
};
use crate::{Digest, ImageRef, OciError};

const ACCEPT: &[&str] = &[
    MT_OCI_MANIFEST,
    MT_OCI_INDEX,
    MT_DOCKER_MANIFEST,
    MT_DOCKER_LIST,
];

/// Blobs of one repository in one registry. Owns a small tokio runtime:
/// the engine reads layers on rayon threads, and each read blocks on the
/// async stream through a bridge, keeping CPU work off the async threads.
pub struct RegistrySource {
    runtime: tokio::runtime::Runtime,
    client: Client,
    reference: Reference,
    auth: RegistryAuth,
    /// Manifests fetched while resolving, by digest, so the generic resolver
    /// reads them without a second request.
    manifests: std::sync::Mutex<std::collections::HashMap<Digest, Vec<u8>>>,
}

impl RegistrySource {
    fn error(&self, what: &str, e: oci_client::errors::OciDistributionError) -> OciError {
        registry_error(self.reference.resolve_registry(), what, e)
    }
}

fn registry_error(
    registry: &str,
    what: &str,
    e: oci_client::errors::OciDistributionError,
) -> OciError {
    use oci_client::errors::OciDistributionError as E;
    let why = match &e {
        E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => {
            format!("authentication failed (401): {e}; check credentials in docker config.json")
        }
        E::ImageManifestNotFoundError(_) => format!("not found (404): {e}"),
        E::ServerError { code, message, .. } => format!("HTTP {code}: {message}"),
        E::RequestError(re) if re.is_timeout() => {
            format!("timed out: {e}; raise --timeout for slow registries")
        }
        E::RequestError(re) if re.is_connect() => format!("cannot connect: {e}"),
        _ => e.to_string(),
    };
    OciError::Registry {
        registry: registry.to_string(),
        what: what.to_string(),
        why,
    }
}

impl BlobSource for RegistrySource {
    fn location(&self) -> String {
        format!(
            "registry {}/{}",
            self.reference.resolve_registry(),
            self.reference.repository()
        )
    }

    fn open(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        let d = digest.to_string();
        let stream = self
            .runtime
            .block_on(self.client.pull_blob_stream(&self.reference, d.as_str()))
            .map_err(|e| self.error(&format!("blob {d}"), e))?;
        let registry = self.reference.resolve_registry().to_string();
        let reader = StreamReader::new(stream.stream.map_err(move |e| {
            std::io::Error::new(
                e.kind(),
                format!("reading blob from registry {registry}: {e}"),
            )
        }));
        Ok(Box::new(SyncIoBridge::new_with_handle(
            reader,
            self.runtime.handle().clone(),
        )))
    }

    fn open_manifest(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        if let Some(bytes) = self.manifests.lock().expect("not poisoned").get(digest) {
            return Ok(Box::new(std::io::Cursor::new(bytes.clone())));
        }
        let r = self.reference.clone_with_digest(digest.to_string());
        let (bytes, _) = self
            .runtime
            .block_on(self.client.pull_manifest_raw(&r, &self.auth, ACCEPT))
            .map_err(|e| self.error(&format!("manifest {digest}"), e))?;
        Ok(Box::new(std::io::Cursor::new(bytes.to_vec())))
    }
}

/// Credentials for `registry` from docker's config.json (`auths.<host>.auth`
/// or username/password). Credential helpers are not run.
pub fn docker_credentials(registry: &str, config: Option<&PathBuf>) -> RegistryAuth {
    let path = config.cloned().or_else(|| {
        std::env::var_os("DOCKER_CONFIG")
            .map(|d| PathBuf::from(d).join("config.json"))
            .or_else(|| dirs::home_dir().map(|h| h.join(".docker/config.json")))
    });
    let Some(Ok(text)) = path.map(std::fs::read_to_string) else {
        return RegistryAuth::Anonymous;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return RegistryAuth::Anonymous;
    };
    let Some(auths) = json.get("auths").and_then(|a| a.as_object()) else {
        return RegistryAuth::Anonymous;
    };
    let host_of = |k: &str| {
        k.trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    for (key, entry) in auths {
        let host = host_of(key);
        let matches = host == registry
            || (registry == "index.docker.io"
                && (host == "docker.io" || host == "index.docker.io"));
        if !matches {
            continue;
        }
        if let Some(auth) = entry.get("auth").and_then(|a| a.as_str())
            && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(auth.trim())
            && let Ok(s) = String::from_utf8(raw)
            && let Some((u, p)) = s.split_once(':')
        {
            return RegistryAuth::Basic(u.to_string(), p.to_string());
        }
        if let (Some(u), Some(p)) = (
            entry.get("username").and_then(|v| v.as_str()),
            entry.get("password").and_then(|v| v.as_str()),
        ) {
            return RegistryAuth::Basic(u.to_string(), p.to_string());
        }
    }
    RegistryAuth::Anonymous
}

/// An HTTP Authorization value that is not a registry credential. The
/// message never holds the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("expected \"Basic <base64 of user:password>\" or \"Bearer <token>\"")]
    Scheme,
    #[error("the Basic credential is not base64 of \"user:password\"")]
    Basic,
    #[error("the credential is empty")]
    Empty,
}

impl RegistryCredential {
    /// Reads an HTTP Authorization value (`Basic <base64 of user:pass>` or
    /// `Bearer <token>`, scheme in any case).
    pub fn from_authorization(value: &str) -> Result<RegistryCredential, CredentialError> {
        let (scheme, rest) = value
            .trim()
            .split_once(char::is_whitespace)
            .ok_or(CredentialError::Scheme)?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(CredentialError::Empty);
        }
        if scheme.eq_ignore_ascii_case("bearer") {
            return Ok(RegistryCredential::Bearer(rest.to_string()));
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(CredentialError::Scheme);
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| CredentialError::Basic)?;
        let text = String::from_utf8(raw).map_err(|_| CredentialError::Basic)?;
        let (user, pass) = text.split_once(':').ok_or(CredentialError::Basic)?;
        Ok(RegistryCredential::Basic {
            user: user.to_string(),
            pass: pass.to_string(),
        })
    }

    fn to_auth(&self) -> RegistryAuth {
        match self {
            RegistryCredential::Basic { user, pass } => {
                RegistryAuth::Basic(user.clone(), pass.clone())
            }
            RegistryCredential::Bearer(token) => RegistryAuth::Bearer(token.clone()),
        }
    }
}

/// Resolves a registry reference: the tag to a manifest digest once, then
/// everything by digest.
pub fn resolve_registry(reference_str: &str, opts: &ResolveOptions) -> Result<Image, OciError> {
    // One process-wide TLS provider (ring); ignore "already installed".
    let _ = rustls::crypto::ring::default_provider().install_default();
    let reference: Reference = reference_str.parse().map_err(|e| OciError::BadReference {
        reference: reference_str.to_string(),
        why: format!("{e}"),
    })?;
    let (registry, runtime, client, auth) = connect(&reference, opts)?;
    let what = format!("manifest {reference}");
    let (bytes, _) = runtime
        .block_on(async {
            client
                .auth(&reference, &auth, RegistryOperation::Pull)
                .await?;
            client.pull_manifest_raw(&reference, &auth, ACCEPT).await
        })
        .map_err(|e| registry_error(&registry, &what, e))?;
    let digest = Digest::of(&bytes);
    if let Some(pinned) = reference.digest() {
        let pinned: Digest = pinned.parse()?;
        if pinned != digest {
            return Err(OciError::DigestMismatch {
                blob: what,
                expected: pinned.to_string(),
                actual: digest.to_string(),
            });
        }
    }
    let tag = reference.tag().map(str::to_string);
    let source = Arc::new(RegistrySource {
        runtime,
        client,
        reference,
        auth,
        manifests: Default::default(),
    });
    source
        .manifests
        .lock()
        .expect("not poisoned")
        .insert(digest.clone(), bytes.to_vec());
    let size = Some(bytes.len() as u64);
    resolve_descriptor(
        source,
        ImageRef::Registry {
            reference: reference_str.to_string(),
        },
        tag,
        digest,
        size,
        opts,
    )
}

/// A client for `reference`'s registry: plain HTTP only when the user named
/// it insecure, credentials from the options or the docker config.json.
fn connect(
    reference: &Reference,
    opts: &ResolveOptions,
) -> Result<(String, tokio::runtime::Runtime, Client, RegistryAuth), OciError> {
    let registry = reference.resolve_registry().to_string();
    let insecure: Vec<String> = opts
        .insecure_registries
        .iter()
        .filter(|h| **h == registry || **h == reference.registry())
        .cloned()
        .collect();
    let config = ClientConfig {
        protocol: if insecure.is_empty() {
            ClientProtocol::Https
        } else {
            ClientProtocol::HttpsExcept(vec![registry.clone(), reference.registry().to_string()])
        },
        read_timeout: Some(opts.timeout),
        connect_timeout: Some(opts.timeout.min(std::time::Duration::from_secs(10))),
        platform_resolver: None,
        user_agent: concat!("plimsoll/", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("plimsoll-net")
        .enable_all()
        .build()
        .map_err(|source| OciError::Io {
            what: "starting the network runtime".into(),
            source,
        })?;
    let client = Client::new(config);
    let auth = match &opts.credential {
        Some(c) => c.to_auth(),
        None => docker_credentials(&registry, opts.docker_config.as_ref()),
    };
    Ok((registry, runtime, client, auth))
}

/// Tags listed at once per request (the registry may send fewer).
const TAGS_PAGE: usize = 1000;
/// Manifest digests asked for at once while listing tags.
const TAG_DIGESTS_AT_ONCE: usize = 8;

/// Every tag of the repository `repository` (`HOST/REPO`, no tag) and the
/// digest of the manifest it points at now (the index of a multi-platform
/// image: what the tag names), sorted by tag.
pub fn list_tags(
    repository: &str,
    opts: &ResolveOptions,
) -> Result<Vec<(String, String)>, OciError> {
    use futures_util::StreamExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let reference: Reference = repository.parse().map_err(|e| OciError::BadReference {
        reference: repository.to_string(),
        why: format!("{e}"),
    })?;
    let (registry, runtime, client, auth) = connect(&reference, opts)?;
    runtime.block_on(async {
        client
            .auth(&reference, &auth, RegistryOperation::Pull)
            .await
            .map_err(|e| registry_error(&registry, &format!("repository {repository}"), e))?;
        let mut tags: Vec<String> = Vec::new();
        loop {
            let last = tags.last().cloned();
            let page = client
                .list_tags(&reference, &auth, Some(TAGS_PAGE), last.as_deref())
                .await
                .map_err(|e| registry_error(&registry, &format!("tags of {repository}"), e))?;
            let n = page.tags.len();
            tags.extend(page.tags.into_iter().filter(|t| Some(t) != last.as_ref()));
            if n < TAGS_PAGE || tags.last() == last.as_ref() {
                break;
            }
        }
        tags.sort();
        tags.dedup();
        let digests = futures_util::stream::iter(tags.iter().map(|tag| {
            let r = Reference::with_tag(
                reference.registry().to_string(),
                reference.repository().to_string(),
                tag.clone(),
            );
            let (client, auth) = (&client, &auth);
            async move {
                let (bytes, _) = client.pull_manifest_raw(&r, auth, ACCEPT).await?;
                Ok::<_, oci_client::errors::OciDistributionError>(Digest::of(&bytes).to_string())
            }
        }))
        .buffered(TAG_DIGESTS_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
        tags.into_iter()
            .zip(digests)
            .map(|(tag, d)| {
                d.map(|d| (tag.clone(), d)).map_err(|e| {
                    registry_error(&registry, &format!("manifest {repository}:{tag}"), e)
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_values_become_credentials() {
        // "robot$scan:s3cret" in base64, as Harbor sends a robot account.
        let basic = RegistryCredential::from_authorization("Basic cm9ib3Qkc2NhbjpzM2NyZXQ=");
        assert_eq!(
            basic,
            Ok(RegistryCredential::Basic {
                user: "robot$scan".into(),
                pass: "s3cret".into()
            })
        );
        assert_eq!(
            RegistryCredential::from_authorization("bearer  eyJ.abc.def "),
            Ok(RegistryCredential::Bearer("eyJ.abc.def".into()))
        );
        for (value, error) in [
            ("Digest x", CredentialError::Scheme),
            ("token", CredentialError::Scheme),
            ("Basic !!!", CredentialError::Basic),
            ("Basic bm9jb2xvbg==", CredentialError::Basic), // "nocolon"
            ("Bearer   ", CredentialError::Scheme),
            ("Basic \t x", CredentialError::Basic),
        ] {
            assert_eq!(
                RegistryCredential::from_authorization(value),
                Err(error),
                "{value}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let basic = RegistryCredential::Basic {
            user: "robot".into(),
            pass: "s3cret".into(),
        };
        let bearer = RegistryCredential::Bearer("tok-123".into());
        let shown = format!(
            "{basic:?} {bearer:?} {:?}",
            ResolveOptions {
                credential: Some(bearer.clone()),
                ..Default::default()
            }
        );
        assert!(shown.contains("robot"), "{shown}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("tok-123"),
            "{shown}"
        );
    }
}
