//! RPM versions, `[epoch:]version[-release]`, ordered as `rpm.labelCompare`
//! orders `(epoch, version, release)` triples: `rpmverCmp()` in
//! `rpmio/rpmver.c` over `rpmvercmp()` in `rpmio/rpmvercmp.c`, RPM 4.18 and
//! later (with the `~` pre-release and `^` snapshot separators).
//!
//! The string is split at the first `:` (the epoch, which must be digits;
//! empty or missing is 0) and the last `-` (the release, which may be
//! missing). RPM itself accepts any bytes; this rejects only what cannot be an
//! EVR: an empty string, a non-numeric epoch and an empty version.

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp, span};

#[derive(Debug, Clone, Copy)]
pub(super) struct Version<'a> {
    epoch: &'a str,
    version: &'a str,
    release: Option<&'a str>,
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        if s.is_empty() {
            return Err("version string is empty".into());
        }
        if s.contains('\0') {
            return Err("version string contains a NUL byte".into());
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((epoch, rest)) => {
                if !epoch.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(format!("epoch {epoch:?} is not a number").into());
                }
                // parseEVR(): an empty epoch ("":1.0) is "0".
                (epoch, rest)
            }
            None => ("", s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release)),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err("version is empty".into());
        }
        Ok(Version {
            epoch,
            version,
            release,
        })
    }
}

impl Ord for Version<'_> {
    /// `rpmverCmp()`: epochs (a missing one is "0"), then versions, then
    /// releases, each with `rpmvercmp()`; a missing release sorts before any
    /// release (`compare_values(NULL, r) == -1`), as in `rpm.labelCompare`.
    fn cmp(&self, other: &Self) -> Ordering {
        // rpmvercmp() of two digit strings is their numeric order.
        cmp_digits(self.epoch.as_bytes(), other.epoch.as_bytes())
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| match (self.release, other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

ord_by_cmp!(Version<'_>);

/// `rpmvercmp()`: both strings are cut into maximal runs of ASCII digits or
/// ASCII letters, everything else but `~` and `^` being a separator, and the
/// runs compared pairwise.
pub(super) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let is_sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        i += span(&a[i..], is_sep);
        j += span(&b[j..], is_sep);
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        // "handle the tilde separator, it sorts before everything else":
        // 1.0~rc1 < 1.0, and ~ against anything but ~ loses.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // "Handle caret separator. Concept is the same as tilde, except that
        // if one of the strings ends (base version), the other is considered
        // as higher version": 1.0 < 1.0^git1 < 1.0.1.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // "If we ran to the end of either, we are finished with the loop".
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        // "grab first completely alpha or completely numeric segment"; its
        // kind is decided by `a`.
        let numeric = ca.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (ea, eb) = (i + span(&a[i..], class), j + span(&b[j..], class));
        // "numeric segments are always newer than alpha segments".
        if eb == j {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        // Numbers by value ("whichever number has more digits wins" once
        // leading zeros are gone), letters with strcmp().
        let ord = if numeric {
            cmp_digits(&a[i..ea], &b[j..eb])
        } else {
            a[i..ea].cmp(&b[j..eb])
        };
        if ord != Ordering::Equal {
            return ord;
        }
        i = ea;
        j = eb;
    }
    // "whichever version still has characters left over wins"; only
    // separators left on both sides is equal (1.0 == 1_0 == 1.0.).
    (i < a.len()).cmp(&(j < b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        let (va, vb) = (Version::parse(a).unwrap(), Version::parse(b).unwrap());
        va.cmp(&vb)
    }

    /// Cases from RPM's own test suite (tests/rpmvercmp.at), as
    /// `(a, b, rpmvercmp(a, b))`.
    #[test]
    fn rpmvercmp_test_suite() {
        use Ordering::{Equal as E, Greater as G, Less as L};
        let cases = [
            ("1.0", "1.0", E),
            ("1.0", "2.0", L),
            ("2.0", "1.0", G),
            ("2.0.1", "2.0.1", E),
            ("2.0", "2.0.1", L),
            ("2.0.1", "2.0", G),
            ("2.0.1a", "2.0.1a", E),
            ("2.0.1a", "2.0.1", G),
            ("2.0.1", "2.0.1a", L),
            ("5.5p1", "5.5p1", E),
            ("5.5p1", "5.5p2", L),
            ("5.5p2", "5.5p1", G),
            ("5.5p10", "5.5p10", E),
            ("5.5p1", "5.5p10", L),
            ("5.5p10", "5.5p1", G),
            ("10xyz", "10.1xyz", L),
            ("10.1xyz", "10xyz", G),
            ("xyz10", "xyz10", E),
            ("xyz10", "xyz10.1", L),
            ("xyz10.1", "xyz10", G),
            ("xyz.4", "xyz.4", E),
            ("xyz.4", "8", L),
            ("8", "xyz.4", G),
            ("xyz.4", "2", L),
            ("2", "xyz.4", G),
            ("5.5p2", "5.6p1", L),
            ("5.6p1", "5.5p2", G),
            ("5.6p1", "6.5p1", L),
            ("6.5p1", "5.6p1", G),
            ("6.0.rc1", "6.0", G),
            ("6.0", "6.0.rc1", L),
            ("10b2", "10a1", G),
            ("10a2", "10b2", L),
            ("1.0aa", "1.0aa", E),
            ("1.0a", "1.0aa", L),
            ("1.0aa", "1.0a", G),
            ("10.0001", "10.0001", E),
            ("10.0001", "10.1", E),
            ("10.1", "10.0001", E),
            ("10.0001", "10.0039", L),
            ("10.0039", "10.0001", G),
            ("4.999.9", "5.0", L),
            ("5.0", "4.999.9", G),
            ("20101121", "20101121", E),
            ("20101121", "20101122", L),
            ("20101122", "20101121", G),
            ("2_0", "2_0", E),
            ("2.0", "2_0", E),
            ("2_0", "2.0", E),
            ("a", "a", E),
            ("a+", "a+", E),
            ("a+", "a_", E),
            ("a_", "a+", E),
            ("+a", "+a", E),
            ("+a", "_a", E),
            ("_a", "+a", E),
            ("+_", "+_", E),
            ("_+", "+_", E),
            ("_+", "_+", E),
            ("+", "_", E),
            ("_", "+", E),
            ("1.0~rc1", "1.0~rc1", E),
            ("1.0~rc1", "1.0", L),
            ("1.0", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc2", L),
            ("1.0~rc2", "1.0~rc1", G),
            ("1.0~rc1~git123", "1.0~rc1~git123", E),
            ("1.0~rc1~git123", "1.0~rc1", L),
            ("1.0~rc1", "1.0~rc1~git123", G),
            ("1.0^", "1.0^", E),
            ("1.0^", "1.0", G),
            ("1.0", "1.0^", L),
            ("1.0^git1", "1.0^git1", E),
            ("1.0^git1", "1.0", G),
            ("1.0", "1.0^git1", L),
            ("1.0^git1", "1.0^git2", L),
            ("1.0^git2", "1.0^git1", G),
            ("1.0^git1", "1.01", L),
            ("1.01", "1.0^git1", G),
            ("1.0^20160101", "1.0^20160101", E),
            ("1.0^20160101", "1.0.1", L),
            ("1.0.1", "1.0^20160101", G),
            ("1.0^20160101^git1", "1.0^20160101^git1", E),
            ("1.0^20160102", "1.0^20160101^git1", G),
            ("1.0^20160101^git1", "1.0^20160102", L),
            ("1.0~rc1^git1", "1.0~rc1^git1", E),
            ("1.0~rc1^git1", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc1^git1", L),
            ("1.0^git1~pre", "1.0^git1~pre", E),
            ("1.0^git1", "1.0^git1~pre", G),
            ("1.0^git1~pre", "1.0^git1", L),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "rpmvercmp({a:?}, {b:?})");
        }
    }

    #[test]
    fn non_ascii_is_a_separator() {
        // risalpha()/risdigit() are ASCII only (the commented-out cases at the
        // end of tests/rpmvercmp.at).
        assert_eq!(rpmvercmp("1.1.α", "1.1.β"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.1.ββ", "1.1.αα"), Ordering::Equal);
    }

    #[test]
    fn epoch_version_release() {
        assert_eq!(cmp("1:1.0-1", "2.0-1"), Ordering::Greater);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(cmp(":1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(cmp("1.0-2.el8", "1.0-10.el8"), Ordering::Less);
        assert_eq!(cmp("1.0-1.el8_5", "1.0-1.el8"), Ordering::Greater);
        // The release is after the last '-', and without `~` a pre-release
        // tag in the version sorts after the bare version.
        assert_eq!(cmp("1.0-rc1-1", "1.0-1"), Ordering::Greater);
        assert_eq!(cmp("1.0~rc1-1", "1.0-1"), Ordering::Less);
        // A missing release sorts before any release (labelCompare).
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0-"), Ordering::Less);
    }

    #[test]
    fn errors() {
        assert_eq!(Version::parse("").unwrap_err(), "version string is empty");
        assert_eq!(
            Version::parse("a:1.0").unwrap_err(),
            "epoch \"a\" is not a number"
        );
        assert_eq!(Version::parse("1:-1").unwrap_err(), "version is empty");
        assert_eq!(Version::parse("-1").unwrap_err(), "version is empty");
    }
}
