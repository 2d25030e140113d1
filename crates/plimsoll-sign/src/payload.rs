//! The simple-signing payload cosign signs: which image (by manifest
//! digest), under which name, and optional annotations. Built byte for byte
//! as cosign's Go encoder writes it; read as Go's decoder does (object keys
//! match case-insensitively). Signatures are always checked over the raw
//! bytes, never over a re-serialisation.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::SignError;

pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";
/// The layer media type of a simple-signing payload.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The most bytes a payload may have (cosign's are a few hundred).
pub const MAX_PAYLOAD_BYTES: u64 = 1 << 20;

/// What a payload says.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub docker_reference: String,
    pub manifest_digest: String,
    pub kind: String,
    /// `optional`, when an object; string values are what `--annotation`
    /// compares against.
    pub optional: BTreeMap<String, Value>,
}

/// The payload cosign writes for `reference` at `digest`: Go's
/// encoding/json of its struct (field order critical, optional; map keys
/// sorted; `<`, `>`, `&`, U+2028 and U+2029 escaped; no annotations is
/// `"optional":null`).
pub fn build(reference: &str, digest: &str, annotations: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = String::from("{\"critical\":{\"identity\":{\"docker-reference\":");
    out.push_str(&go_string(reference));
    out.push_str("},\"image\":{\"docker-manifest-digest\":");
    out.push_str(&go_string(digest));
    out.push_str("},\"type\":");
    out.push_str(&go_string(SIMPLE_SIGNING_TYPE));
    out.push_str("},\"optional\":");
    if annotations.is_empty() {
        out.push_str("null");
    } else {
        out.push('{');
        for (i, (k, v)) in annotations.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&go_string(k));
            out.push(':');
            out.push_str(&go_string(v));
        }
        out.push('}');
    }
    out.push('}');
    out.into_bytes()
}

/// A JSON string as Go's encoding/json writes it (HTML-safe escaping).
fn go_string(s: &str) -> String {
    let json = serde_json::to_string(s).expect("strings serialise");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The member of `obj` named `key`: an exact match first, else the first
/// case-insensitive one (Go's rule; it folds Unicode case, ASCII suffices
/// for these keys).
fn field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn object<'a>(
    v: Option<&'a Value>,
    what: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, SignError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(SignError::Payload(format!("{what} is not an object"))),
    }
}

fn string(v: Option<&Value>, what: &str) -> Result<String, SignError> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(SignError::Payload(format!("{what} is not a string"))),
    }
}

/// Reads a payload (at most [`MAX_PAYLOAD_BYTES`]).
pub fn parse(raw: &[u8]) -> Result<Payload, SignError> {
    if raw.len() as u64 > MAX_PAYLOAD_BYTES {
        return Err(SignError::Payload(format!(
            "{} bytes, more than the {} KiB a signature payload may have",
            raw.len(),
            MAX_PAYLOAD_BYTES / 1024
        )));
    }
    let v: Value =
        serde_json::from_slice(raw).map_err(|e| SignError::Payload(format!("not JSON: {e}")))?;
    let Value::Object(top) = v else {
        return Err(SignError::Payload("not a JSON object".into()));
    };
    let empty = serde_json::Map::new();
    let critical = object(field(&top, "critical"), "critical")?.unwrap_or(&empty);
    let identity = object(field(critical, "identity"), "critical.identity")?.unwrap_or(&empty);
    let image = object(field(critical, "image"), "critical.image")?.unwrap_or(&empty);
    let optional = object(field(&top, "optional"), "optional")?
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Ok(Payload {
        docker_reference: string(
            field(identity, "docker-reference"),
            "critical.identity.docker-reference",
        )?,
        manifest_digest: string(
            field(image, "docker-manifest-digest"),
            "critical.image.docker-manifest-digest",
        )?,
        kind: string(field(critical, "type"), "critical.type")?,
        optional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_what_go_writes() {
        let none = build("registry.example/app", "sha256:ab", &BTreeMap::new());
        assert_eq!(
            String::from_utf8(none).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#
        );
        let mut a = BTreeMap::new();
        a.insert("z".to_string(), "1".to_string());
        a.insert("a&b".to_string(), "<x>".to_string());
        let some = String::from_utf8(build("r", "d", &a)).unwrap();
        assert!(
            some.ends_with(r#""optional":{"a\u0026b":"\u003cx\u003e","z":"1"}}"#),
            "{some}"
        );
        let p = parse(some.as_bytes()).unwrap();
        assert_eq!(p.optional["a&b"], "<x>");
    }

    #[test]
    fn reads_keys_case_insensitively() {
        let raw = br#"{"Critical":{"Identity":{"docker-reference":"r"},"Image":{"Docker-manifest-digest":"sha256:1"},"Type":"cosign container image signature"},"optional":null}"#;
        let p = parse(raw).unwrap();
        assert_eq!(p.manifest_digest, "sha256:1");
        assert_eq!(p.kind, SIMPLE_SIGNING_TYPE);
        assert!(parse(b"[1]").is_err());
        assert!(parse(br#"{"critical":{"image":"x"}}"#).is_err());
    }
}
