//! Debian and Ubuntu versions, `[epoch:]upstream[-revision]`, ordered as
//! `dpkg --compare-versions` orders them: `parseversion()` in
//! `lib/dpkg/parsehelp.c` and `verrevcmp()` in `lib/dpkg/version.c`, which
//! implement Debian Policy 5.6.12 and deb-version(7).
//!
//! What dpkg rejects (errors) is a [`Reason`]; what it only warns about
//! (upstream not starting with a digit, characters outside the allowed sets)
//! is compared anyway, as `dpkg --compare-versions` does.

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp, span};

#[derive(Debug, Clone, Copy)]
pub(super) struct Version<'a> {
    epoch: u32,
    upstream: &'a str,
    /// Empty when there is no `-`: verrevcmp treats a missing revision as "",
    /// which compares equal to "0" (`1.0` == `1.0-0`).
    revision: &'a str,
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        // Leading and trailing blanks (space, tab) are trimmed; blanks inside
        // are an error.
        let s = s.trim_matches(is_blank);
        if s.is_empty() {
            return Err("version string is empty".into());
        }
        if s.contains(is_blank) {
            return Err("version string has embedded spaces".into());
        }
        if s.contains('\0') {
            // dpkg reads C strings: it could never be given one.
            return Err("version string contains a NUL byte".into());
        }
        // The epoch is everything before the first ':', read with strtol().
        let (epoch, rest) = match s.split_once(':') {
            Some((epoch, rest)) => {
                let epoch = parse_epoch(epoch)?;
                if rest.is_empty() {
                    return Err("nothing after colon in version number".into());
                }
                (epoch, rest)
            }
            None => (0, s),
        };
        // The revision is everything after the last '-' (so the upstream
        // version may hold hyphens, and colons, when there is an epoch).
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err("revision number is empty".into()),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err("version number is empty".into());
        }
        // dpkg only warns when the upstream version does not start with a
        // digit or holds characters other than alphanumerics and `.+-~:`, or
        // the revision others than alphanumerics and `.+~`, and then compares.
        Ok(Version {
            epoch,
            upstream,
            revision,
        })
    }
}

impl Ord for Version<'_> {
    /// Epochs numerically, then upstream versions, then revisions, each with
    /// verrevcmp.
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

ord_by_cmp!(Version<'_>);

/// `c_isblank()`: the characters dpkg trims and refuses inside a version.
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The epoch as dpkg reads it: `strtol(string, &end, 10)` must stop exactly at
/// the colon (so leading whitespace and a sign are accepted, as strtol does),
/// and the value must lie in `0..=INT_MAX`.
fn parse_epoch(e: &str) -> Result<u32, Reason> {
    let b = e.as_bytes();
    let mut i = span(b, |c| c == b' ' || (b'\t'..=b'\r').contains(&c));
    let negative = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = &b[i..i + span(&b[i..], |c| c.is_ascii_digit())];
    if digits.is_empty() {
        // strtol converted nothing: its end pointer is the string's start.
        return Err("epoch in version is empty".into());
    }
    if i + digits.len() != b.len() {
        return Err("epoch in version is not number".into());
    }
    let zero = digits.iter().all(|&c| c == b'0');
    if negative && !zero {
        return Err("epoch in version is negative".into());
    }
    if cmp_digits(digits, i32::MAX.to_string().as_bytes()) == Ordering::Greater {
        return Err("epoch in version is too big".into());
    }
    let value = digits
        .iter()
        .fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
    Ok(value)
}

/// dpkg's `order()`: the weight of one character in a non-digit part. `~`
/// sorts before everything, even the end of the part (which weighs the same
/// as a digit: 0); letters sort by ASCII before all other characters, which
/// sort by ASCII + 256. Bytes ≥ 0x80 (dpkg warns about them) depend on the
/// signedness of C's `char`; this follows amd64 and i386, where it is signed.
fn order(c: Option<u8>) -> i32 {
    match c {
        None | Some(b'0'..=b'9') => 0,
        Some(c @ (b'A'..=b'Z' | b'a'..=b'z')) => i32::from(c),
        Some(b'~') => -1,
        // `c + 256` with `c` a signed char, as on amd64 (where the reference
        // data comes from): bytes 0x80..=0xFF weigh 128..=255, between the
        // letters and the other ASCII characters.
        Some(c @ 0x80..) => i32::from(c as i8) + 256,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp()`: alternately compare a non-digit part character by
/// character with [`order`], then a digit part numerically, until one
/// differs or both strings end.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit parts. At the end of one string its weight is 0, which
        // is never the weight of a non-digit, so the loop stops there.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        // Digit parts, numerically (an empty part is 0).
        let da = span(&a[i..], |c| c.is_ascii_digit());
        let db = span(&b[j..], |c| c.is_ascii_digit());
        let ord = cmp_digits(&a[i..i + da], &b[j..j + db]);
        if ord != Ordering::Equal {
            return ord;
        }
        i += da;
        j += db;
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        let (va, vb) = (Version::parse(a).unwrap(), Version::parse(b).unwrap());
        va.cmp(&vb)
    }

    #[track_caller]
    fn assert_order(sorted: &[&str]) {
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn tilde_sorts_before_everything_even_the_end() {
        // deb-version(7): "~~ < ~~a < ~ < (empty) < a".
        assert_order(&["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"]);
        assert_order(&["1.0~rc1-1", "1.0-1", "1.0+b1-1", "1.0.1-1"]);
        assert_order(&["2.30-0ubuntu1~", "2.30-0ubuntu1", "2.30-0ubuntu1+b1"]);
    }

    #[test]
    fn letters_sort_before_non_letters() {
        // Policy 5.6.12: letters sort earlier than non-letters.
        assert_order(&["1.0a", "1.0z", "1.0+", "1.0."]);
        assert_order(&["1A", "1Z", "1a", "1z", "1+", "1."]);
        assert_eq!(cmp("1.0+dfsg", "1.0.1"), Ordering::Less);
    }

    #[test]
    fn digits_compare_numerically() {
        assert_eq!(cmp("1.10", "1.9"), Ordering::Greater);
        assert_eq!(cmp("1.010", "1.10"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.00"), Ordering::Equal);
        assert_eq!(cmp("1.1.12+dfsg-2", "1.1.111-2"), Ordering::Less);
        assert_eq!(
            cmp("1.99999999999999999999999", "1.100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn epoch_then_upstream_then_revision() {
        assert_order(&["0.9-9", "1.0-1", "1:0.1-1", "1:0.1-2", "2:0.0.1"]);
        assert_eq!(cmp("0:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("00:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("20081126:1", "15:9"), Ordering::Greater);
    }

    #[test]
    fn missing_revision_is_revision_zero() {
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0-1"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-~"), Ordering::Greater);
    }

    #[test]
    fn last_hyphen_separates_the_revision() {
        // Upstream "1.0-2", revision "3": the upstream "1.0-2" is past "1.0".
        assert_eq!(cmp("1.0-2-3", "1.0-2-2"), Ordering::Greater);
        assert_eq!(cmp("1.0-2-3", "1.0-3"), Ordering::Greater);
        assert_eq!(cmp("1.0-2-3", "1.0.1-1"), Ordering::Less);
        // Colons may appear in the upstream version after an epoch.
        assert_eq!(cmp("1:2:3", "1:2.3"), Ordering::Greater);
    }

    #[test]
    fn warnings_still_compare() {
        // dpkg warns "version number does not start with digit" and
        // "invalid character in version number", and compares anyway.
        assert_eq!(cmp("a1.0", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0_1", "1.0+1"), Ordering::Greater);
        assert_eq!(cmp("1.0é", "1.0+"), Ordering::Less);
        assert_eq!(cmp("1.0é", "1.0z"), Ordering::Greater);
        assert_eq!(cmp(" 1.0\t", "1.0"), Ordering::Equal);
    }

    #[test]
    fn errors() {
        let cases = [
            ("", "version string is empty"),
            ("  ", "version string is empty"),
            ("1.0 2", "version string has embedded spaces"),
            (":1.0", "epoch in version is empty"),
            ("a:1.0", "epoch in version is empty"),
            ("1a:1.0", "epoch in version is not number"),
            ("-1:1.0", "epoch in version is negative"),
            ("2147483648:1.0", "epoch in version is too big"),
            ("1:", "nothing after colon in version number"),
            ("1.0-", "revision number is empty"),
            ("-1", "version number is empty"),
            ("1:-1", "version number is empty"),
        ];
        for (v, why) in cases {
            assert_eq!(Version::parse(v).unwrap_err(), why, "{v:?}");
        }
        // strtol accepts a sign and leading whitespace, and "-0" is zero.
        assert_eq!(cmp("+1:1.0", "1:1.0"), Ordering::Equal);
        assert_eq!(cmp("-0:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("2147483647:1", "1:1"), Ordering::Greater);
    }
}
