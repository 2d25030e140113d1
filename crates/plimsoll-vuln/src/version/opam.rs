//! opam's version ordering: `OpamVersionCompare.compare` of opam 2.5
//! (`src/core/opamVersionCompare.ml`, itself from the Dose library), the
//! order of the opam manual's "Version ordering" section.
//!
//! It is Debian's algorithm (`verrevcmp`) with two differences:
//!
//! - no epoch: a `:` is an ordinary character (opam 2.1 still split an
//!   epoch at the first `:`, but opam's version grammar admits no `:`, so
//!   no real version has one);
//! - the revision is still split off at the last `-` and compared after the
//!   rest, as dpkg does (`1.0-2` is `1.0` revision `2`; `1-0` equals `1`).
//!
//! Each of the two parts is compared as alternating runs: a non-digit run
//! character by character, `~` before everything (even the end of the
//! string), then letters (by ASCII), then any other character (by byte);
//! a digit run as the unbounded number it spells; a part that ends where
//! the other goes on with digits that are all zeros is equal to it
//! (`1.0` and `1.00`, `a` and `a0`), with a `~` it is greater (`1` after
//! `1~beta`), with anything else it is smaller (`1` before `1.0`).
//!
//! Every string is a version (opam compares any two strings); only an empty
//! one is refused, by `compare`. Checked against opam's own function on the
//! corpus of `tests/data/opam.tsv`.

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp, span};

/// An opam version: the string, ordered as opam orders it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Version<'a>(&'a [u8]);

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        Ok(Version(s.as_bytes()))
    }
}

/// `extract_revision`: (before the last `-`, after it), or (all, "").
fn split_revision(v: &[u8]) -> (&[u8], &[u8]) {
    match v.iter().rposition(|&c| c == b'-') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, b""),
    }
}

/// `compare_chars`: `~` first, then letters, then anything else; within a
/// class by byte.
fn cmp_chars(a: u8, b: u8) -> Ordering {
    let class = |c: u8| match c {
        b'~' => 0,
        _ if c.is_ascii_alphabetic() => 1,
        _ => 2,
    };
    class(a).cmp(&class(b)).then(a.cmp(&b))
}

/// `compare_chunks`: one part (the version, or the revision) against another.
fn cmp_chunks(x: &[u8], y: &[u8]) -> Ordering {
    let zeros = |s: &[u8]| span(s, |c| c == b'0');
    let (mut x, mut y) = (x, y);
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            // One part ended: the other's rest is equal if it is all
            // zeros, greater unless it goes on with `~`.
            (None, Some(_)) => {
                return match y.get(zeros(y)) {
                    None => Ordering::Equal,
                    Some(b'~') => Ordering::Greater,
                    Some(_) => Ordering::Less,
                };
            }
            (Some(_), None) => {
                return match x.get(zeros(x)) {
                    None => Ordering::Equal,
                    Some(b'~') => Ordering::Less,
                    Some(_) => Ordering::Greater,
                };
            }
            (Some(&a), Some(&b)) => match (a.is_ascii_digit(), b.is_ascii_digit()) {
                (true, true) => {
                    let (nx, ny) = (
                        span(x, |c| c.is_ascii_digit()),
                        span(y, |c| c.is_ascii_digit()),
                    );
                    match cmp_digits(&x[..nx], &y[..ny]) {
                        Ordering::Equal => (x, y) = (&x[nx..], &y[ny..]),
                        o => return o,
                    }
                }
                // A digit is after `~`, before anything else.
                (true, false) => {
                    return if b == b'~' {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                (false, true) => {
                    return if a == b'~' {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                }
                (false, false) => match cmp_chars(a, b) {
                    Ordering::Equal => (x, y) = (&x[1..], &y[1..]),
                    o => return o,
                },
            },
        }
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.0 == other.0 {
            return Ordering::Equal;
        }
        let (u1, r1) = split_revision(self.0);
        let (u2, r2) = split_revision(other.0);
        cmp_chunks(u1, u2).then_with(|| cmp_chunks(r1, r2))
    }
}

ord_by_cmp!(Version<'_>);

#[cfg(test)]
mod tests {
    use super::super::{Ecosystem, compare};
    use std::cmp::Ordering::{self, Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(Ecosystem::Opam, a, b).unwrap()
    }

    #[test]
    fn the_manuals_examples() {
        // The opam manual ("Version ordering"): `~` sorts before anything,
        // letters before other characters, digit runs as numbers.
        let sorted = [
            "~~", "~", "~beta2", "~beta10", "0.1", "1.0~beta", "1.0", "1.0-test", "1.0.1",
            "1.0.10", "dev", "trunk",
        ];
        for w in sorted.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn where_opam_is_not_dpkg() {
        // dpkg reads `1:0` as epoch 1 (after every epoch-0 version); opam 2.5
        // has no epoch.
        assert_eq!(cmp("1:0", "2"), Less);
        // The revision is still split off at the last `-`.
        assert_eq!(cmp("1-0", "1"), Equal);
        assert_eq!(cmp("1.0-2", "1.0.1"), Less);
        assert_eq!(cmp("1.0-beta", "1.0a"), Less);
        // Zeros, `+`, `_`, a number as long as no integer holds.
        assert_eq!(cmp("1.00", "1.0"), Equal);
        assert_eq!(cmp("a", "a0"), Equal);
        assert_eq!(cmp("4.02.0+beta1", "4.02.0"), Greater);
        assert_eq!(cmp("4.02.0+beta1", "4.02.0~beta1"), Greater);
        assert_eq!(cmp("1_0", "1.0"), Greater);
        assert_eq!(
            cmp("1.184467440737095516160", "1.18446744073709551615"),
            Greater
        );
    }
}
