//! Dart packages (OSV's `Pub`): versions as `pub` reads and orders them
//! (the `pub_semver` package's `Version.parse` and `Version.compareTo`).
//!
//! The grammar is SemVer's shape, `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, with
//! pub's own edges:
//!
//! - major, minor and patch are ASCII digit runs, leading zeros allowed
//!   (`01.02.03` is `1.2.3`), each a Dart `int` (64-bit): a larger number is
//!   rejected, as `int.parse` throws;
//! - pre-release and build identifiers are `[0-9A-Za-z-]+`; one that Dart's
//!   `int.tryParse` reads as an integer is a number (decimal, leading zeros
//!   allowed, an optional `-` sign, or a `0x` hexadecimal literal of at most
//!   16 digits, which wraps into the 64-bit range as Dart's does); every other
//!   one, a decimal past the 64-bit range included, is a string.
//!
//! The order differs from SemVer's precedence in one place: build metadata
//! counts. Pre-releases sort before the release; then a version without
//! build metadata sorts before one with it (`1.0.0 < 1.0.0+1`), and two
//! builds compare identifier by identifier like pre-releases: a missing
//! identifier first, numbers before strings, numbers by value, strings by
//! their (ASCII) code units.

use std::cmp::Ordering;

use super::{Reason, ord_by_cmp};

/// One dot-separated pre-release or build identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    /// `int.tryParse` succeeded; numbers sort before strings.
    Number(i64),
    String(&'a [u8]),
}

#[derive(Debug, Clone)]
pub(super) struct Version<'a> {
    major: i64,
    minor: i64,
    patch: i64,
    pre: Vec<Part<'a>>,
    build: Vec<Part<'a>>,
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, parts(build, "build")?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, parts(pre, "pre-release")?),
            None => (rest, Vec::new()),
        };
        let mut numbers = core.split('.');
        let mut next = |what: &str| -> Result<i64, Reason> {
            let n = numbers
                .next()
                .ok_or_else(|| Reason::from("expected MAJOR.MINOR.PATCH"))?;
            if n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format!("{what} version {n:?} is not a number").into());
            }
            n.parse()
                .map_err(|_| format!("{what} version {n} is too large").into())
        };
        let (major, minor, patch) = (next("major")?, next("minor")?, next("patch")?);
        if numbers.next().is_some() {
            return Err("more than three numbers before the pre-release".into());
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            build,
        })
    }
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty.
fn parts<'a>(s: &'a str, what: &str) -> Result<Vec<Part<'a>>, Reason> {
    s.split('.')
        .map(|id| {
            super::semver::identifier(id, what)?;
            Ok(dart_int(id).map_or(Part::String(id.as_bytes()), Part::Number))
        })
        .collect()
}

/// Dart's `int.tryParse` (VM, no radix) on a string of `[0-9A-Za-z-]`: an
/// optional `-`, then decimal digits that fit an `int`, or `0x`/`0X` and at
/// most 16 hexadecimal digits (read as 64 bits, so `0xffffffffffffffff` is
/// -1).
fn dart_int(id: &str) -> Option<i64> {
    let (negative, digits) = match id.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, id),
    };
    let value = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 => {
            u64::from_str_radix(hex, 16).ok()? as i64
        }
        Some(_) => return None,
        None if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) => {
            // `-9223372036854775808` fits although its magnitude alone does not.
            return format!("{}{digits}", if negative { "-" } else { "" })
                .parse()
                .ok();
        }
        None => return None,
    };
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// `_compareLists`: identifier by identifier, a missing one first.
fn compare_parts(a: &[Part<'_>], b: &[Part<'_>]) -> Ordering {
    // Slices order element by element and a prefix first: exactly this.
    a.cmp(b)
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            // A pre-release sorts before the release.
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (false, false) => compare_parts(&self.pre, &other.pre),
                (a, b) => a.cmp(&b),
            })
            // No build sorts before a build, then builds compare.
            .then_with(|| match (self.build.is_empty(), other.build.is_empty()) {
                (false, false) => compare_parts(&self.build, &other.build),
                (a, b) => b.cmp(&a),
            })
    }
}

ord_by_cmp!(Version<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn builds_count_and_sort_after_no_build() {
        assert_eq!(cmp("1.0.0", "1.0.0+build"), Ordering::Less);
        assert_eq!(cmp("1.0.0-pre+build", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-pre", "1.0.0-pre+build"), Ordering::Less);
        assert_eq!(cmp("1.2.3+1", "1.2.3+a"), Ordering::Less);
        assert_eq!(cmp("1.2.3+a1", "1.2.3+a"), Ordering::Greater);
        assert_eq!(cmp("1.2.3+900", "1.2.3+a"), Ordering::Less);
    }

    #[test]
    fn dart_int_parse_rules() {
        // Leading zeros are read as the number (canonicalizedVersion's example).
        assert_eq!(
            cmp("01.02.03-01.dev+pre.02", "1.2.3-1.dev+pre.2"),
            Ordering::Equal
        );
        // Hexadecimal and signed identifiers are numbers to int.tryParse.
        assert_eq!(cmp("1.0.0-0x10", "1.0.0-16"), Ordering::Equal);
        assert_eq!(cmp("1.0.0--1", "1.0.0-0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-0xffffffffffffffff", "1.0.0--1"), Ordering::Equal);
        // A decimal past 64 bits is a string, so after every number.
        assert_eq!(
            cmp("1.0.0-99999999999999999999", "1.0.0-9223372036854775807"),
            Ordering::Greater
        );
        assert_eq!(dart_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(dart_int("0x"), None);
        assert_eq!(dart_int("0x10000000000000000"), None);
    }

    #[test]
    fn rejects_what_version_parse_rejects() {
        for bad in [
            "1.0",
            "v1.0.0",
            "1.0.0.0",
            "1.0.0-",
            "1.0.0+",
            "1.0.0-a..b",
            "1.0.0-a_b",
            " 1.0.0",
            "9223372036854775808.0.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(Version::parse("9223372036854775807.0.0").is_ok());
    }
}
