//! Registry notifications (CNCF distribution): which events are pushes of an
//! image to scan.
//!
//! distribution 2.x batches events in an envelope `{"events": […]}` sent as
//! `application/vnd.docker.distribution.events.v1+json`; 3.x posts one event
//! at a time as `…events.v2+json`. Both are read. Only `push` of a manifest
//! or an index is acted on: blob pushes arrive as `application/octet-stream`,
//! a blob's HEAD probe as `pull`, and cosign's `sha256-….sig|att|sbom` tags
//! are signatures, not images.

use serde::Deserialize;

/// Manifest and index media types: what a push of an image is.
pub const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
];

/// Content types a notification may come with.
pub const EVENT_CONTENT_TYPES: &[&str] = &[
    "application/vnd.docker.distribution.events.v1+json",
    "application/vnd.docker.distribution.events.v2+json",
    "application/json",
];

/// One image pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// `host[:port]` of the registry, from the event's target URL.
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: String,
    /// The registry answered over plain HTTP (its URL is `http://`).
    pub insecure: bool,
}

impl Push {
    /// The reference to pull: `registry/repository@digest`.
    pub fn reference(&self) -> String {
        format!("{}/{}@{}", self.registry, self.repository, self.digest)
    }
}

/// What an envelope held.
#[derive(Debug, Default)]
pub struct Events {
    pub pushes: Vec<Push>,
    /// Events that are not pushes of an image (blobs, pulls, deletes, signatures).
    pub ignored: usize,
}

/// A notification that cannot be read; the message names the event and field.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the body is not JSON: {0}")]
    Json(serde_json::Error),
    #[error("expected an envelope {{\"events\": [...]}} or one event object with an \"action\"")]
    Shape,
    #[error("event {index} ({id}): {what}")]
    Field {
        index: usize,
        id: String,
        what: String,
    },
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    request: Option<Request>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default, rename = "mediaType")]
    media_type: Option<String>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    tag: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    host: Option<String>,
}

/// Reads a notification body.
pub fn parse(body: &[u8]) -> Result<Events, EventError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(EventError::Json)?;
    let list = match value {
        serde_json::Value::Object(mut map) => match map.remove("events") {
            Some(serde_json::Value::Array(events)) => events,
            Some(_) => return Err(EventError::Shape),
            None if map.contains_key("action") => vec![serde_json::Value::Object(map)],
            None => return Err(EventError::Shape),
        },
        _ => return Err(EventError::Shape),
    };
    let mut out = Events::default();
    for (index, raw) in list.into_iter().enumerate() {
        let event: Event = serde_json::from_value(raw).map_err(|e| EventError::Field {
            index,
            id: "?".into(),
            what: e.to_string(),
        })?;
        let id = event.id.clone().unwrap_or_else(|| "no id".into());
        let field = |what: String| EventError::Field {
            index,
            id: id.clone(),
            what,
        };
        let Some(target) = event.target else {
            out.ignored += 1;
            continue;
        };
        let is_manifest = target
            .media_type
            .as_deref()
            .is_some_and(|m| MANIFEST_TYPES.contains(&m));
        if event.action.as_deref() != Some("push") || !is_manifest {
            out.ignored += 1;
            continue;
        }
        let digest = target
            .digest
            .ok_or_else(|| field("a manifest push without target.digest".into()))?;
        if !valid_digest(&digest) {
            return Err(field(format!(
                "target.digest {digest:?} is not sha256:<64 hex digits>"
            )));
        }
        let repository = target
            .repository
            .ok_or_else(|| field("a manifest push without target.repository".into()))?;
        if !valid_repository(&repository) {
            return Err(field(format!(
                "target.repository {repository:?} is not a repository name"
            )));
        }
        let tag = target.tag.filter(|t| !t.is_empty());
        if let Some(t) = &tag {
            if !valid_tag(t) {
                return Err(field(format!("target.tag {t:?} is not a tag")));
            }
            if is_signature_tag(t) {
                out.ignored += 1;
                continue;
            }
        }
        let (registry, insecure) = match target.url.as_deref().and_then(url_host) {
            Some(h) => h,
            None => match event.request.and_then(|r| r.host) {
                Some(h) => (h, false),
                None => {
                    return Err(field(
                        "neither target.url nor request.host names the registry".into(),
                    ));
                }
            },
        };
        if !valid_host(&registry) {
            return Err(field(format!(
                "registry host {registry:?} is not host[:port]"
            )));
        }
        let push = Push {
            registry,
            repository,
            tag,
            digest,
            insecure,
        };
        // One scan per digest, however many events name it.
        if !out.pushes.contains(&push) {
            out.pushes.push(push);
        }
    }
    Ok(out)
}

/// cosign's signature, attestation and SBOM tags.
fn is_signature_tag(tag: &str) -> bool {
    tag.strip_prefix("sha256-").is_some_and(|rest| {
        [".sig", ".att", ".sbom"]
            .iter()
            .any(|s| rest.ends_with(s) && rest.len() == 64 + s.len())
    })
}

/// `host[:port]` and whether the scheme is plain HTTP.
pub(crate) fn url_host(url: &str) -> Option<(String, bool)> {
    let (scheme, rest) = url.split_once("://")?;
    let insecure = match scheme {
        "http" => true,
        "https" => false,
        _ => return None,
    };
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| (host.to_string(), insecure))
}

pub fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub(crate) fn valid_repository(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 255
        && r.split('/').all(|part| {
            // distribution's path-component: lowercase alphanumerics joined
            // by `.`, `_`, `__` or dashes; starts and ends alphanumeric.
            let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            part.bytes().next().is_some_and(alnum)
                && part.bytes().last().is_some_and(alnum)
                && part.bytes().all(|b| alnum(b) || b"._-".contains(&b))
        })
}

pub(crate) fn valid_tag(t: &str) -> bool {
    t.len() <= 128
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

pub(crate) fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

    fn event(action: &str, media: &str, tag: &str) -> serde_json::Value {
        serde_json::json!({
            "id": "e1", "timestamp": "2026-12-06T10:00:00Z", "action": action,
            "target": {"mediaType": media, "digest": D, "size": 528, "repository": "team/app",
                       "url": format!("http://127.0.0.1:5000/v2/team/app/manifests/{D}"), "tag": tag},
            "request": {"id": "r", "addr": "127.0.0.1:4242", "host": "127.0.0.1:5000", "method": "PUT"},
            "actor": {}, "source": {"addr": "h:5000"}
        })
    }

    #[test]
    fn an_envelope_of_blob_and_manifest_events_gives_the_manifest_push() {
        let body = serde_json::json!({"events": [
            event("push", "application/octet-stream", ""),
            event("pull", "application/vnd.oci.image.manifest.v1+json", ""),
            event("push", "application/vnd.oci.image.manifest.v1+json", "1.0"),
            event("push", "application/vnd.oci.image.manifest.v1+json", "1.0"),
        ]});
        let ev = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(ev.ignored, 2);
        assert_eq!(ev.pushes.len(), 1, "deduped");
        let p = &ev.pushes[0];
        assert_eq!(p.reference(), format!("127.0.0.1:5000/team/app@{D}"));
        assert_eq!(p.tag.as_deref(), Some("1.0"));
        assert!(p.insecure);
    }

    #[test]
    fn a_single_v2_event_and_signature_tags() {
        let one = event(
            "push",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "",
        );
        let ev = parse(one.to_string().as_bytes()).unwrap();
        assert_eq!(ev.pushes.len(), 1);
        assert_eq!(ev.pushes[0].tag, None);
        let sig = event(
            "push",
            "application/vnd.oci.image.manifest.v1+json",
            &format!("sha256-{}.sig", &D[7..]),
        );
        let ev = parse(sig.to_string().as_bytes()).unwrap();
        assert_eq!((ev.pushes.len(), ev.ignored), (0, 1));
    }

    #[test]
    fn malformed_events_are_named() {
        let e = parse(b"{not json").unwrap_err().to_string();
        assert!(e.contains("not JSON"), "{e}");
        assert!(parse(b"[]").unwrap_err().to_string().contains("envelope"));
        let mut bad = event("push", "application/vnd.oci.image.manifest.v1+json", "");
        bad["target"]["digest"] = "sha256:zz".into();
        let e = parse(bad.to_string().as_bytes()).unwrap_err().to_string();
        assert!(e.contains("event 0 (e1)") && e.contains("sha256:zz"), "{e}");
        let mut bad = event("push", "application/vnd.oci.image.manifest.v1+json", "");
        bad["target"]["repository"] = "../../etc".into();
        assert!(parse(bad.to_string().as_bytes()).is_err());
        let mut bad = event("push", "application/vnd.oci.image.manifest.v1+json", "x y");
        bad["target"]["tag"] = "x y".into();
        assert!(parse(bad.to_string().as_bytes()).is_err());
    }
}
