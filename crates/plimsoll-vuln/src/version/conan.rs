//! Conan's version ordering: `conan.internal.model.version.Version` of
//! Conan 2 (the `conan` package; Conan says of it "this is NOT an
//! implementation of semver, as users may use any pattern in their
//! versions"). Checked line by line against that class's answers in
//! `tests/data/conan.tsv`.
//!
//! - The build is what follows the last `+`; the pre-release what follows
//!   the first `-` of the rest (`1.0-rc.1+b.2`). Both are versions of their
//!   own, split at `.` only.
//! - Each `.`-separated item is a number when Python's `int()` reads it
//!   (`010`, `1_0` and `+2` are numbers; `-3` in a pre-release or build is
//!   a negative one), else a string. Numbers compare as numbers, strings
//!   byte by byte, and a number against a string as its decimal text
//!   against the string (`10` < `a`, `2` > `10a`).
//! - Trailing zero items do not count (`1.2` = `1.2.0`).
//! - Items compare left to right, a prefix first (`1.2` < `1.2.a`).
//! - A pre-release is before its release, and after any lower release
//!   (`1.0-rc` < `1.0` < `1.1-rc`); two pre-releases compare by items, then
//!   pre-release, then build; releases by items, then build, no build
//!   first (`1.0` < `1.0+1`).
//!
//! Every string is a version (Conan rejects none); only an empty one is an
//! error here, as everywhere.

use std::cmp::Ordering;

use super::{Reason, cmp_digits};

/// One item: a number (sign, digits without leading zeros or `_`) or a
/// string.
#[derive(Debug, Clone)]
enum Item<'a> {
    Int { negative: bool, digits: String },
    Str(&'a str),
}

impl<'a> Item<'a> {
    /// As `_VersionItem` reads it: Python's `int()` of the ASCII text
    /// (an optional sign, digits, single `_` between digits), else the
    /// string.
    fn new(s: &'a str) -> Item<'a> {
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let groups_ok = !body.is_empty()
            && body
                .split('_')
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
        if !groups_ok {
            return Item::Str(s);
        }
        let digits: String = body.chars().filter(|&c| c != '_').collect();
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        Item::Int {
            // `-0` is 0.
            negative: negative && digits != "0",
            digits: digits.to_string(),
        }
    }

    fn is_zero(&self) -> bool {
        matches!(self, Item::Int { digits, .. } if digits == "0")
    }

    /// Python's `str()` of a number: its decimal text.
    fn text(negative: bool, digits: &str) -> String {
        if negative {
            format!("-{digits}")
        } else {
            digits.to_string()
        }
    }
}

impl Ord for Item<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (
                Item::Int {
                    negative: na,
                    digits: a,
                },
                Item::Int {
                    negative: nb,
                    digits: b,
                },
            ) => match (na, nb) {
                (false, false) => cmp_digits(a.as_bytes(), b.as_bytes()),
                (true, true) => cmp_digits(b.as_bytes(), a.as_bytes()),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
            },
            (Item::Str(a), Item::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            // A number and a string: Python compares their `str()`s.
            (Item::Int { negative, digits }, Item::Str(s)) => {
                Item::text(*negative, digits).as_bytes().cmp(s.as_bytes())
            }
            (Item::Str(s), Item::Int { negative, digits }) => {
                s.as_bytes().cmp(Item::text(*negative, digits).as_bytes())
            }
        }
    }
}

super::ord_by_cmp!(Item<'_>);

/// The items of one `.`-separated part, trailing zeros dropped.
fn items(s: &str) -> Vec<Item<'_>> {
    let mut items: Vec<Item> = s.split('.').map(Item::new).collect();
    while items.last().is_some_and(Item::is_zero) {
        items.pop();
    }
    items
}

/// A Conan version.
#[derive(Debug, Clone)]
pub(crate) struct Version<'a> {
    main: Vec<Item<'a>>,
    pre: Option<Vec<Item<'a>>>,
    build: Option<Vec<Item<'a>>>,
}

impl<'a> Version<'a> {
    pub(crate) fn parse(s: &'a str) -> Result<Self, Reason> {
        let (rest, build) = match s.rsplit_once('+') {
            Some((rest, build)) => (rest, Some(items(build))),
            None => (s, None),
        };
        let (main, pre) = match rest.split_once('-') {
            Some((main, pre)) => (main, Some(items(pre))),
            None => (rest, None),
        };
        Ok(Version {
            main: items(main),
            pre,
            build,
        })
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.pre, &other.pre) {
            (Some(a), Some(b)) => self
                .main
                .cmp(&other.main)
                .then_with(|| a.cmp(b))
                .then_with(|| self.build.cmp(&other.build)),
            // A pre-release is before its own release only.
            (Some(_), None) => self.main.cmp(&other.main).then(Ordering::Less),
            (None, Some(_)) => self.main.cmp(&other.main).then(Ordering::Greater),
            (None, None) => self
                .main
                .cmp(&other.main)
                .then_with(|| self.build.cmp(&other.build)),
        }
    }
}

super::ord_by_cmp!(Version<'_>);

#[cfg(test)]
mod tests {
    use super::super::{Ecosystem, compare};
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn conan_center_shapes() {
        for (a, b, want) in [
            ("1.2.12", "1.2.13", Less),
            ("1.2.13", "1.2.13.0", Equal),
            ("1.2.10", "1.2.9", Greater),
            ("3.0.0-beta1", "3.0.0", Less),
            ("3.0.0-beta1", "2.9", Greater),
            ("3.0.0-alpha", "3.0.0-beta", Less),
            ("1.0", "1.0+1", Less),
            ("1.0+1", "1.0+2", Less),
            ("cci.20210118", "cci.20230301", Less),
            ("cci.20210118", "1.0", Greater),
            ("1.2", "1.2.a", Less),
            ("1_0", "10", Equal),
            ("10", "a", Less),
            ("2", "10a", Greater),
            ("1.0-a.-1", "1.0-a.1", Less),
            // `a.0` is `a` (trailing zeros dropped), a prefix of `a.-1`.
            ("1.0-a.-1", "1.0-a.0", Greater),
            ("1.0-", "1.0-alpha", Less),
        ] {
            assert_eq!(compare(Ecosystem::ConanCenter, a, b), Ok(want), "{a} {b}");
        }
    }
}
