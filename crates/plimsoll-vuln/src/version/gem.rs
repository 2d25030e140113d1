//! Ruby gem versions, ordered as `Gem::Version#<=>` of RubyGems 3.5 and
//! later orders them (`lib/rubygems/version.rb`).
//!
//! Valid strings match `ANCHORED_VERSION_PATTERN`, `\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`;
//! every `-` then reads `.pre.` (`1.0-1` is `1.0.pre.1`). A version is
//! compared by its *canonical segments*: the runs of digits (numbers) and of
//! letters (strings) left after trailing zero segments, and zero segments
//! right before the first letter of a pre-release, are removed. A string
//! segment sorts before any number, so any version with letters is a
//! pre-release of the version without them.

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp, span};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros ("0" for zero): Ruby's `to_i`, so that
    /// `==` is numeric.
    Num(String),
    Str(String),
}

#[derive(Debug, Clone)]
pub(super) struct Version {
    /// `@version`: stripped, `-` replaced by `.pre.`.
    version: String,
    canonical: Vec<Segment>,
}

/// Ruby's `\s`: `[ \t\r\n\f\v]`.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c' | '\x0b')
}

impl Version {
    pub(super) fn parse(s: &str) -> Result<Self, Reason> {
        let t = s.trim_matches(is_ruby_space);
        if !matches_pattern(t.as_bytes()) {
            return Err("Malformed version number string".into());
        }
        // "version = 0 if ... /\A\s*\Z/", then strip and gsub("-", ".pre.").
        let version = if t.is_empty() {
            "0".to_owned()
        } else {
            t.replace('-', ".pre.")
        };
        let canonical = canonical_segments(&version);
        Ok(Version { version, canonical })
    }
}

/// `[0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, anchored;
/// or empty. Greedy matching decides it: no part can give back characters
/// that a later part could use.
fn matches_pattern(b: &[u8]) -> bool {
    if b.is_empty() {
        return true;
    }
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    let alnum_dash = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    let mut i = span(b, |c| c.is_ascii_digit());
    if i == 0 {
        return false;
    }
    while b.get(i) == Some(&b'.') && span(&b[i + 1..], alnum) > 0 {
        i += 1 + span(&b[i + 1..], alnum);
    }
    if b.get(i) == Some(&b'-') {
        let n = span(&b[i + 1..], alnum_dash);
        if n == 0 {
            return false;
        }
        i += 1 + n;
        while b.get(i) == Some(&b'.') && span(&b[i + 1..], alnum_dash) > 0 {
            i += 1 + span(&b[i + 1..], alnum_dash);
        }
    }
    i == b.len()
}

/// `canonical_segments`: two substitutions on the string, then
/// `partition_segments`.
fn canonical_segments(version: &str) -> Vec<Segment> {
    let b = version.as_bytes();
    let zero_or_dot = |c: u8| c == b'0' || c == b'.';
    // "remove trailing 0 segments, using dot or letter as anchor":
    // sub(/(?<=[a-zA-Z.])[.0]+\z/, ""). The leftmost start inside the
    // trailing run of [.0] that follows a letter or a dot.
    let run = b.iter().rev().take_while(|&&c| zero_or_dot(c)).count();
    let mut end = b.len();
    for p in b.len() - run..b.len() {
        if p > 0 && (b[p - 1].is_ascii_alphabetic() || b[p - 1] == b'.') {
            end = p;
            break;
        }
    }
    let mut canonical = b[..end].to_vec();
    // "remove 0 segments before the first letter in a prerelease version":
    // sub!(/(?<=\.|\A)[0.]+(?=[a-zA-Z])/, "") if prerelease?. The first run
    // of [0.] that starts the string or follows a dot and is followed by a
    // letter.
    if b.iter().any(u8::is_ascii_alphabetic) {
        let c = &canonical;
        let cut = (0..c.len()).find_map(|p| {
            if !(p == 0 || c[p - 1] == b'.') || !zero_or_dot(c[p]) {
                return None;
            }
            let e = p + span(&c[p..], zero_or_dot);
            c.get(e)
                .is_some_and(u8::is_ascii_alphabetic)
                .then_some(p..e)
        });
        if let Some(cut) = cut {
            canonical.drain(cut);
        }
    }
    partition_segments(&canonical)
}

/// `ver.scan(/\d+|[a-z]+/i)`, digits as integers.
fn partition_segments(b: &[u8]) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let digits = span(&b[i..], |c| c.is_ascii_digit());
        let letters = span(&b[i..], |c| c.is_ascii_alphabetic());
        if digits > 0 {
            let n = &b[i..i + digits];
            let n = &n[span(n, |c| c == b'0').min(n.len() - 1)..];
            segments.push(Segment::Num(String::from_utf8_lossy(n).into_owned()));
            i += digits;
        } else if letters > 0 {
            let s = &b[i..i + letters];
            segments.push(Segment::Str(String::from_utf8_lossy(s).into_owned()));
            i += letters;
        } else {
            i += 1;
        }
    }
    segments
}

fn is_zero(s: &Segment) -> bool {
    matches!(s, Segment::Num(n) if n == "0")
}

impl Ord for Version {
    /// `<=>`: equal strings or canonical segments are equal; otherwise the
    /// first differing segment decides (a string before a number, numbers
    /// numerically, strings bytewise); past the shorter one, the longer wins
    /// on its first non-zero number and loses on a string.
    fn cmp(&self, other: &Self) -> Ordering {
        if self.version == other.version || self.canonical == other.canonical {
            return Ordering::Equal;
        }
        let (l, r) = (&self.canonical, &other.canonical);
        for (a, b) in l.iter().zip(r) {
            let ord = match (a, b) {
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
                (Segment::Num(a), Segment::Num(b)) => cmp_digits(a.as_bytes(), b.as_bytes()),
                (Segment::Str(a), Segment::Str(b)) => a.cmp(b),
            };
            if ord.is_ne() {
                return ord;
            }
        }
        let (longer, sign) = if l.len() > r.len() {
            (&l[r.len()..], Ordering::Greater)
        } else {
            (&r[l.len()..], Ordering::Less)
        };
        match longer.iter().find(|s| !is_zero(s)) {
            Some(Segment::Str(_)) => sign.reverse(),
            Some(Segment::Num(_)) => sign,
            None => Ordering::Equal,
        }
    }
}

ord_by_cmp!(Version);

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    /// RubyGems' test_gem_version.rb, `test_spaceship` and `test_semver`.
    #[test]
    fn spaceship() {
        use Ordering::{Equal as E, Greater as G, Less as L};
        let cases = [
            ("1.0", "1.0.0", E),
            ("1.0", "1.0.a", G),
            ("1.8.2", "0.0.0", G),
            ("1.8.2", "1.8.2.a", G),
            ("1.8.2.b", "1.8.2.a", G),
            ("1.8.2.a", "1.8.2", L),
            ("1.8.2.a10", "1.8.2.a9", G),
            ("", "0", E),
            ("0.beta.1", "0.0.beta.1", E),
            ("0.0.beta", "0.0.beta.1", L),
            ("0.0.beta", "0.beta.1", L),
            ("5.a", "5.0.0.rc2", L),
            ("5.x", "5.0.0.rc2", G),
            ("1.9.3", "1.9.3", E),
            ("1.9.3", "1.9.2.99", G),
            ("1.9.3", "1.9.3.1", L),
            ("1.0.0-alpha", "1.0.0-alpha.1", L),
            ("1.0.0-alpha.1", "1.0.0-beta.2", L),
            ("1.0.0-beta.2", "1.0.0-beta.11", L),
            ("1.0.0-beta.11", "1.0.0-rc.1", L),
            ("1.0.0-rc1", "1.0.0", L),
            ("1.0.0-1", "1", L),
            ("1.freeze.test", "1", L),
            ("1.2", "1.2.0", E),
            ("1.2.b1", "1.2.b.1", E),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a:?} <=> {b:?}");
            assert_eq!(cmp(b, a), want.reverse(), "{b:?} <=> {a:?}");
        }
    }

    #[test]
    fn canonical_segments_of_the_test_suite() {
        use Segment::{Num, Str};
        let n = |s: &str| Num(s.into());
        assert_eq!(v("1.0.0").canonical, [n("1")]);
        assert_eq!(
            v("1.0.0.a.1.0").canonical,
            [n("1"), Str("a".into()), n("1")]
        );
        assert_eq!(
            v("1.2.3-1").canonical,
            [n("1"), n("2"), n("3"), Str("pre".into()), n("1")]
        );
        assert_eq!(v("10.0").canonical, [n("10")]);
        assert_eq!(v("100").canonical, [n("100")]);
        // Only the first run of zeros before a letter goes.
        assert_eq!(
            v("1.a.0.b").canonical,
            [n("1"), Str("a".into()), Str("b".into())]
        );
    }

    #[test]
    fn strings_are_case_sensitive_and_numbers_unbounded() {
        assert_eq!(cmp("1.A", "1.a"), Ordering::Less);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(
            cmp("1.99999999999999999999999", "1.100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn malformed() {
        for s in [
            "junk",
            "1.0\n2.0",
            "1..2",
            "1.2 3.4",
            "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
            "1.",
            "1.0-",
            ".1",
            "a.1",
            "1.0_1",
            "1.-a",
            "1.0+1",
        ] {
            assert!(Version::parse(s).is_err(), "{s:?} is malformed");
        }
        for s in [
            "1",
            " 1.0 ",
            "1.a",
            "1-a-b",
            "1--1",
            "1.0-rc.1",
            "1.0.0.pre-1",
        ] {
            assert!(Version::parse(s).is_ok(), "{s:?} is valid");
        }
    }
}
