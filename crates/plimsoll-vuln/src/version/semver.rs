//! SemVer 2.0.0 versions, `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, ordered
//! by SemVer precedence (semver.org §11), for npm and crates.io; Go's
//! flavour is in `golang`.
//!
//! The grammar is SemVer's: numbers without leading zeros, identifiers of
//! `[0-9A-Za-z-]` that are never empty, numeric pre-release identifiers
//! without leading zeros. Each ecosystem adds its tool's edges:
//!
//! - crates.io (the `semver` crate Cargo uses): nothing else; numbers must fit
//!   `u64`.
//! - npm (node-semver in its default, strict mode): surrounding whitespace and
//!   one leading `v` are accepted, at most 256 characters, numbers at most
//!   `Number.MAX_SAFE_INTEGER`.
//! - Hex (Elixir's `Version`): nothing else; numbers unbounded.
//! - SwiftURL (SwiftPM's `Version`, as a tag names it): one leading `v`
//!   accepted, numbers at most `Int.max` (64-bit).
//! - Go (`golang.org/x/mod/semver`): `v1` and `v1.2` are `v1.0.0` and
//!   `v1.2.0` when nothing follows, numbers unbounded.

use std::cmp::Ordering;

use super::{Num, Reason, cmp_digits, ord_by_cmp};

/// A pre-release identifier: numeric ones compare numerically and sort
/// before alphanumeric ones, which compare in ASCII order (§11.4.1–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ident<'a> {
    Numeric(Num<'a>),
    Alphanumeric(&'a [u8]),
}

#[derive(Debug, Clone)]
pub(super) struct Version<'a> {
    major: Num<'a>,
    minor: Num<'a>,
    patch: Num<'a>,
    /// Empty for a release. Build metadata is not kept: precedence ignores
    /// it (§10).
    pre: Vec<Ident<'a>>,
}

/// What differs between the ecosystems' grammars.
pub(super) struct Grammar {
    /// The largest major, minor or patch number accepted.
    pub(super) max: Option<&'static str>,
    /// Go's `v1` and `v1.2` shorthands.
    pub(super) shorthand: bool,
}

const CARGO: Grammar = Grammar {
    max: Some("18446744073709551615"),
    shorthand: false,
};

const HEX: Grammar = Grammar {
    max: None,
    shorthand: false,
};

const SWIFT: Grammar = Grammar {
    max: Some("9223372036854775807"),
    shorthand: false,
};

const NPM: Grammar = Grammar {
    max: Some("9007199254740991"),
    shorthand: false,
};

impl<'a> Version<'a> {
    pub(super) fn parse_cargo(s: &'a str) -> Result<Self, Reason> {
        Self::parse_with(s, &CARGO)
    }

    /// Hex (Elixir's `Version.parse`): SemVer's grammar, nothing else
    /// accepted (no `v`, no whitespace, no `1.0` shorthand), numbers
    /// unbounded (Erlang integers).
    pub(super) fn parse_hex(s: &'a str) -> Result<Self, Reason> {
        Self::parse_with(s, &HEX)
    }

    /// SwiftPM's `Version(tag:)`: SemVer's grammar after one leading `v`,
    /// `Int` numbers; build metadata takes no part in the order.
    pub(super) fn parse_swift(s: &'a str) -> Result<Self, Reason> {
        Self::parse_with(s.strip_prefix('v').unwrap_or(s), &SWIFT)
    }

    pub(super) fn parse_npm(s: &'a str) -> Result<Self, Reason> {
        if s.encode_utf16().count() > 256 {
            return Err("longer than 256 characters".into());
        }
        // String.prototype.trim(), then FULLPLAIN's `v?`.
        let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        Self::parse_with(s.strip_prefix('v').unwrap_or(s), &NPM)
    }

    pub(super) fn parse_with(s: &'a str, grammar: &Grammar) -> Result<Self, Reason> {
        if s.is_empty() {
            return Err("version string is empty".into());
        }
        // Build metadata is everything after the first '+'; it must be
        // well-formed but does not take part in precedence.
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (s, None),
        };
        if let Some(build) = build {
            identifiers(build, "build metadata", false)?;
        }
        // The pre-release is everything after the first '-' (identifiers may
        // hold more hyphens).
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, identifiers(pre, "pre-release", true)?),
            None => (rest, Vec::new()),
        };
        let mut numbers = core.split('.');
        let mut next = |what: &str| -> Result<Option<Num<'a>>, Reason> {
            numbers
                .next()
                .map(|n| number(n, what, grammar.max))
                .transpose()
        };
        let major = next("major")?.expect("split yields at least one part");
        let (minor, patch) = match (next("minor")?, next("patch")?) {
            (Some(minor), Some(patch)) => (minor, patch),
            (minor, None) if grammar.shorthand && pre.is_empty() && build.is_none() => {
                (minor.unwrap_or(Num(b"0")), Num(b"0"))
            }
            _ => return Err("expected MAJOR.MINOR.PATCH".into()),
        };
        if numbers.next().is_some() {
            return Err("more than three numbers before the pre-release".into());
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
        })
    }
}

/// A major, minor or patch number: digits, no leading zero, at most `max`.
fn number<'a>(s: &'a str, what: &str, max: Option<&str>) -> Result<Num<'a>, Reason> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("{what} version {s:?} is not a number").into());
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(format!("{what} version {s:?} has a leading zero").into());
    }
    if max.is_some_and(|max| cmp_digits(s.as_bytes(), max.as_bytes()) == Ordering::Greater) {
        return Err(format!("{what} version {s} is too large").into());
    }
    Ok(Num(s.as_bytes()))
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty; in a
/// pre-release, numeric ones must not have leading zeros.
fn identifiers<'a>(s: &'a str, what: &str, pre: bool) -> Result<Vec<Ident<'a>>, Reason> {
    s.split('.')
        .map(|id| {
            identifier(id, what)?;
            if !id.bytes().all(|c| c.is_ascii_digit()) {
                return Ok(Ident::Alphanumeric(id.as_bytes()));
            }
            if pre && id.len() > 1 && id.starts_with('0') {
                return Err(format!("numeric {what} identifier {id:?} has a leading zero").into());
            }
            Ok(Ident::Numeric(Num(id.as_bytes())))
        })
        .collect()
}

/// One identifier of SemVer's grammar: `[0-9A-Za-z-]+` (shared with Pub's).
pub(super) fn identifier(id: &str, what: &str) -> Result<(), Reason> {
    if id.is_empty() {
        return Err(format!("empty {what} identifier").into());
    }
    if !id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return Err(format!("{what} identifier {id:?} has characters outside [0-9A-Za-z-]").into());
    }
    Ok(())
}

impl Ord for Version<'_> {
    /// §11: major, minor, patch numerically; then a pre-release sorts before
    /// the release; pre-releases compare identifier by identifier, and a
    /// shorter list that is a prefix of a longer one sorts first.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (false, false) => self.pre.cmp(&other.pre),
                (a, b) => a.cmp(&b),
            })
    }
}

ord_by_cmp!(Version<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        let va = Version::parse_cargo(a).unwrap();
        let vb = Version::parse_cargo(b).unwrap();
        va.cmp(&vb)
    }

    #[test]
    fn semver_org_precedence_examples() {
        // §11.2 and §11.4.
        let sorted = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(cmp("1.0.0+build.1", "1.0.0+build.2"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-alpha+001", "1.0.0-alpha"), Ordering::Equal);
        assert_eq!(
            cmp("1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0"),
            Ordering::Equal
        );
    }

    #[test]
    fn identifiers_and_numbers() {
        use Ordering::{Greater as G, Less as L};
        let cases = [
            ("1.0.0-alpha-1", "1.0.0-alpha", G),
            ("1.0.0-a-b", "1.0.0-a", G),
            ("1.0.0-0A", "1.0.0-0a", L),
            ("1.0.0-Z", "1.0.0-a", L),
            ("1.0.0-2", "1.0.0-10", L),
            ("1.0.0-999", "1.0.0--", L),
            ("1.10.0", "1.9.0", G),
            ("1.0.0-x.7.z.92", "1.0.0-x.7.z.100", L),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn grammars() {
        for v in [
            "1.2.3", "0.0.0", "1.2.3-0", "1.2.3-0a", "1.2.3+01", "1.2.3--",
        ] {
            assert!(Version::parse_cargo(v).is_ok(), "{v:?}");
        }
        for v in [
            "",
            "1",
            "1.2",
            "v1.2.3",
            " 1.2.3",
            "01.2.3",
            "1.02.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3+",
            "1.2.3+a+b",
            "1.2.3.4",
            "1.2.3-a_b",
            "18446744073709551616.0.0",
        ] {
            assert!(Version::parse_cargo(v).is_err(), "{v:?}");
        }
        // npm: `v`, whitespace; numbers up to 2^53-1.
        let npm = |v| Version::parse_npm(v);
        assert_eq!(npm(" v1.2.3 ").unwrap(), npm("1.2.3").unwrap());
        assert!(npm("9007199254740991.0.0").is_ok());
        assert!(npm("9007199254740992.0.0").is_err());
        assert!(npm("=1.2.3").is_err());
        assert!(npm("V1.2.3").is_err());
        assert!(npm(&format!("1.2.3-{}", "a".repeat(251))).is_err());
    }
}
