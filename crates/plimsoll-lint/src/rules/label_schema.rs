//! What the label rules (DF082–DF090) share: the label schema of the
//! configuration (hadolint's `label-schema`, plimsoll.toml's `[lint]
//! label_schema`, `--require-label NAME:TYPE`) and the format of each type.
//!
//! The types are hadolint's: `text` (any value), `url` (an absolute URI,
//! RFC 3986), `spdx` (one SPDX licence identifier), `rfc3339` (a date-time),
//! `hash` (a git commit hash, 7 or 40 lower-case hex digits), `semver`
//! (Semantic Versioning 2.0.0, no `v` prefix) and `email` (an RFC 5322
//! address, `local@domain`).

use std::fmt;

use plimsoll_dockerfile::{Instruction, Keyword};

use crate::LintContext;

/// The type a schema gives a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelType {
    Text,
    Url,
    Spdx,
    Rfc3339,
    Hash,
    Semver,
    Email,
}

impl LabelType {
    /// hadolint's word for it; `""` is `text`, as hadolint reads it.
    pub fn parse(word: &str) -> Option<LabelType> {
        Some(match word.trim() {
            "" | "text" => LabelType::Text,
            "url" => LabelType::Url,
            "spdx" => LabelType::Spdx,
            "rfc3339" => LabelType::Rfc3339,
            "hash" => LabelType::Hash,
            "semver" => LabelType::Semver,
            "email" => LabelType::Email,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LabelType::Text => "text",
            LabelType::Url => "url",
            LabelType::Spdx => "spdx",
            LabelType::Rfc3339 => "rfc3339",
            LabelType::Hash => "hash",
            LabelType::Semver => "semver",
            LabelType::Email => "email",
        }
    }

    /// Whether `value` has this type's format.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            LabelType::Text => true,
            LabelType::Url => is_url(value),
            LabelType::Spdx => spdx::license_id(value).is_some(),
            LabelType::Rfc3339 => is_rfc3339(value),
            LabelType::Hash => is_git_hash(value),
            LabelType::Semver => semver::Version::parse(value).is_ok(),
            LabelType::Email => is_email(value),
        }
    }
}

impl fmt::Display for LabelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label schema entry that cannot be used; `origin` names where it was
/// written (`.hadolint.yaml label-schema`, `--require-label`).
#[derive(Debug, thiserror::Error)]
pub enum LabelSchemaError {
    #[error("{origin}: a label name is empty")]
    EmptyName { origin: String },
    #[error(
        "{origin}: label `{name}` has type `{ty}`; the types are text, url, spdx, rfc3339, hash, semver and email"
    )]
    UnknownType {
        origin: String,
        name: String,
        ty: String,
    },
}

/// Adds `(name, type word)` entries to `schema` (a later source overrides a
/// label's type).
pub fn add_entries<'a>(
    schema: &mut std::collections::BTreeMap<String, LabelType>,
    entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    origin: &str,
) -> Result<(), LabelSchemaError> {
    for (name, ty) in entries {
        if name.trim().is_empty() {
            return Err(LabelSchemaError::EmptyName {
                origin: origin.to_string(),
            });
        }
        let t = LabelType::parse(ty).ok_or_else(|| LabelSchemaError::UnknownType {
            origin: origin.to_string(),
            name: name.clone(),
            ty: ty.clone(),
        })?;
        schema.insert(name.trim().to_string(), t);
    }
    Ok(())
}

/// An absolute URI: a scheme, `:`, and the rest, as RFC 3986 parses it.
pub fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || "<>\"{}|\\^`".contains(c))
        && url::Url::parse(v).is_ok()
}

/// `2026-12-07T10:00:00Z`, `…T10:00:00.5+01:00` (RFC 3339 `date-time`).
pub fn is_rfc3339(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
            .then(|| v[r].parse::<u32>().unwrap_or(u32::MAX))
    };
    let (Some(_year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    if b[13] != b':' || b[16] != b':' {
        return false;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return false;
    }
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && rest[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                && rest[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// A git commit hash: 7 (abbreviated) or 40 lower-case hex digits.
pub fn is_git_hash(v: &str) -> bool {
    (v.len() == 7 || v.len() == 40) && v.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// `local@domain` as RFC 5322's addr-spec allows it: a dot-atom or quoted
/// local part, and a dot-atom domain (of labels) or a `[literal]`.
pub fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom =
        |s: &str| !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.chars().all(atext));
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        !local[1..local.len() - 1].contains(['"', '\r', '\n'])
    } else {
        dot_atom(local)
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2 && !domain[1..domain.len() - 1].contains(['[', ']', '\\'])
    } else {
        !domain.is_empty()
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    local_ok && domain_ok && local.len() <= 64 && v.len() <= 254
}

/// Every LABEL pair of this image's own stages: (instruction index, line,
/// key, value).
pub fn labels(ctx: &LintContext<'_>) -> Vec<(usize, u32, String, String)> {
    let mut out = Vec::new();
    for (i, ins) in ctx.df.instructions.iter().enumerate() {
        if ins.keyword == Keyword::Label {
            for (k, v) in ins.key_values() {
                out.push((i, ins.span.line, k, v.unwrap_or_default()));
            }
        }
    }
    out
}

/// The labels of one instruction, for rules that judge a LABEL at a time.
pub fn label_pairs(ins: &Instruction) -> Vec<(String, String)> {
    ins.key_values()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect()
}

/// The labels whose value does not have the schema's `kind` format, as
/// findings' (instruction, line, message), for the format rules.
pub fn misformatted(
    ctx: &LintContext<'_>,
    kind: LabelType,
    what: &str,
) -> Vec<(usize, u32, String)> {
    let schema = &ctx.options.label_schema;
    labels(ctx)
        .into_iter()
        .filter(|(_, _, k, v)| schema.get(k) == Some(&kind) && !v.is_empty() && !kind.accepts(v))
        .map(|(i, line, k, v)| (i, line, format!("label `{k}` is not {what}: `{v}`")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_url("https://github.com/plimsoll/plimsoll"));
        assert!(is_url("mailto:team@example.com"));
        assert!(!is_url("github.com/plimsoll"));
        assert!(!is_url("not a url"));
        assert!(is_rfc3339("2026-12-07T10:00:00Z"));
        assert!(is_rfc3339("2026-12-07T10:00:00.123+01:00"));
        assert!(!is_rfc3339("2026-12-07"));
        assert!(!is_rfc3339("2026-13-07T10:00:00Z"));
        assert!(!is_rfc3339("2026-12-07T10:00:00"));
        assert!(is_git_hash("0a1b2c3"));
        assert!(is_git_hash(&"a".repeat(40)));
        assert!(!is_git_hash("0A1B2C3"));
        assert!(!is_git_hash("0a1b2c3d"));
        assert!(LabelType::Semver.accepts("1.2.3-rc.1+build.5"));
        assert!(!LabelType::Semver.accepts("v1.2.3"));
        assert!(!LabelType::Semver.accepts("1.2"));
        assert!(LabelType::Spdx.accepts("Apache-2.0"));
        assert!(!LabelType::Spdx.accepts("Apache 2"));
        assert!(is_email("team+images@example.com"));
        assert!(is_email("\"odd name\"@example.com"));
        assert!(!is_email("team@"));
        assert!(!is_email("team.example.com"));
        assert!(!is_email("a..b@example.com"));
        assert_eq!(LabelType::parse(""), Some(LabelType::Text));
        assert_eq!(LabelType::parse("uri"), None);
    }
}
