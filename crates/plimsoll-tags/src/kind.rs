//! What a tag says it is (P-D2): a release `X.Y.Z` (immutable), a release
//! line `X.Y` or `X` (moves to the newest matching release), `latest`
//! (moves to the newest release), a git commit SHA (immutable), or none of
//! these. A leading `v` is allowed (`v1.2.3`); a `-suffix` after the
//! version is a variant (`1.2.3-alpine`: the line `1.2-alpine` follows the
//! newest `1.2.*-alpine`) or, when it starts with a pre-release word
//! (`rc1`, `beta.2`), a pre-release that no moving tag follows.

use regex::Regex;

/// What a tag is, by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `X.Y.Z[-variant]`: never moves.
    Release {
        version: [u64; 3],
        variant: String,
        prerelease: bool,
    },
    /// `X.Y[-variant]` or `X[-variant]`: follows the newest matching release.
    Line { parts: Vec<u64>, variant: String },
    /// `latest`: follows the newest release without a variant.
    Latest,
    /// A git commit SHA (7 to 40 hex digits, optionally `sha-`/`git-`
    /// prefixed): never moves.
    GitSha,
    /// Matched one of the configured patterns: the team's own scheme.
    Allowed,
    /// None of the above.
    Other,
}

/// Words a pre-release suffix starts with.
const PRERELEASE: &[&str] = &[
    "rc", "alpha", "beta", "pre", "preview", "dev", "snapshot", "a", "b",
];

/// Classifies `tag`; `allow` are the configured patterns of the team's own
/// scheme (whole-tag regular expressions).
pub fn classify(tag: &str, allow: &[Regex]) -> Kind {
    if tag == "latest" {
        return Kind::Latest;
    }
    if is_git_sha(tag) {
        return Kind::GitSha;
    }
    if let Some(k) = version(tag) {
        return k;
    }
    if allow.iter().any(|r| r.is_match(tag)) {
        return Kind::Allowed;
    }
    Kind::Other
}

/// Whether `tag` is a release (`X.Y.Z`, any variant or pre-release): a tag
/// that must never move.
pub fn is_release(tag: &str) -> bool {
    matches!(version(tag), Some(Kind::Release { .. }))
}

fn is_git_sha(tag: &str) -> bool {
    let hex = ["sha-", "git-", "commit-"]
        .iter()
        .find_map(|p| tag.strip_prefix(p))
        .unwrap_or(tag);
    (7..=40).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        // All digits is a build number or a date, not a commit.
        && hex.bytes().any(|b| b.is_ascii_alphabetic())
}

fn version(tag: &str) -> Option<Kind> {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let (numbers, variant) = match t.split_once('-') {
        Some((n, v)) if !v.is_empty() => (n, v),
        Some(_) => return None,
        None => (t, ""),
    };
    let parts: Vec<u64> = numbers
        .split('.')
        .map(|p| {
            if p.is_empty() || p.len() > 18 || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    let prerelease = {
        let first: String = variant
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        !first.is_empty()
            && PRERELEASE.contains(&first.as_str())
            && variant[first.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_digit() || c == '.' || c == '-')
    };
    match parts.len() {
        3 => Some(Kind::Release {
            version: [parts[0], parts[1], parts[2]],
            variant: if prerelease {
                String::new()
            } else {
                variant.to_string()
            },
            prerelease,
        }),
        1 | 2 if !prerelease => Some(Kind::Line {
            parts,
            variant: variant.to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(tag: &str) -> Kind {
        classify(tag, &[])
    }

    #[test]
    fn releases_lines_and_shas() {
        assert_eq!(
            k("1.2.3"),
            Kind::Release {
                version: [1, 2, 3],
                variant: String::new(),
                prerelease: false
            }
        );
        assert_eq!(
            k("v10.0.12-alpine"),
            Kind::Release {
                version: [10, 0, 12],
                variant: "alpine".into(),
                prerelease: false
            }
        );
        assert!(matches!(
            k("2.0.0-rc1"),
            Kind::Release {
                prerelease: true,
                ..
            }
        ));
        assert!(matches!(
            k("2.0.0-beta.2"),
            Kind::Release {
                prerelease: true,
                ..
            }
        ));
        // "bookworm" starts with "b" but is a variant, not a pre-release.
        assert!(matches!(
            k("1.2.3-bookworm"),
            Kind::Release {
                prerelease: false,
                ..
            }
        ));
        assert_eq!(
            k("1.2"),
            Kind::Line {
                parts: vec![1, 2],
                variant: String::new()
            }
        );
        assert_eq!(
            k("3-slim"),
            Kind::Line {
                parts: vec![3],
                variant: "slim".into()
            }
        );
        assert_eq!(k("latest"), Kind::Latest);
        assert_eq!(k("3f2c1ab"), Kind::GitSha);
        assert_eq!(k("sha-3f2c1ab9d0e4"), Kind::GitSha);
        // All digits: a build number, not a commit.
        assert_eq!(
            k("20261207"),
            Kind::Line {
                parts: vec![20261207],
                variant: String::new()
            }
        );
        for other in [
            "stable", "1.2.3.4", "1..2", "v", "-1", "1.2-", "main-abc", "1.2-rc1",
        ] {
            assert_eq!(k(other), Kind::Other, "{other}");
        }
        let allow = [Regex::new("^build-[0-9]+$").unwrap()];
        assert_eq!(classify("build-42", &allow), Kind::Allowed);
        assert_eq!(classify("stable", &allow), Kind::Other);
    }
}
