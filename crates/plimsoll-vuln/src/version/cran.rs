//! CRAN (R packages): R's `package_version` order, which
//! `compareVersion` and the `<`, `==` of `package_version` objects follow
//! (R 4.2 `base/R/version.R`).
//!
//! A version is two or more non-negative integers separated by `.` or `-`
//! (`1.5.0.9000`, `0.1-2`; the separators are interchangeable: `1-2` is
//! `1.2`); anything else (`1`, `1.0a`, `1..2`, `v1.0`) is rejected, as
//! `package_version(strict = TRUE)` of R 4.2.2 rejects it ("invalid version
//! specification"; so does a space around the version). Two
//! versions compare component by component as numbers (`1.10` after `1.9`,
//! `01` equal to `1`); when one runs out first, it is the older (`1.0` before
//! `1.0.0`).
//!
//! Checked against Debian's R 4.2.2 (`r-base-core`) in
//! tests/data/cran.tsv (`tests/oracle_versions.rs`).

use super::{Num, Reason};

/// A parsed R package version: its components.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version<'a>(Vec<Num<'a>>);

impl<'a> Version<'a> {
    pub(crate) fn parse(s: &'a str) -> Result<Self, Reason> {
        let parts: Vec<&str> = s.split(['.', '-']).collect();
        if parts.len() < 2 {
            return Err("an R package version has two or more numbers separated by . or -".into());
        }
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("invalid version specification (only digits, . and - allowed)".into());
            }
            out.push(Num(p.as_bytes()));
        }
        Ok(Version(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn order() {
        assert_eq!(cmp("1.0", "1.0.0"), Less);
        assert_eq!(cmp("1.10", "1.9"), Greater);
        assert_eq!(cmp("1-2", "1.2"), Equal);
        assert_eq!(cmp("0.1-2", "0.1.10"), Less);
        assert_eq!(cmp("1.01", "1.1"), Equal);
        assert_eq!(cmp("1.5.0.9000", "1.5.1"), Less);
    }

    #[test]
    fn rejects() {
        for s in [
            "1", "1.0a", "1..2", "v1.0", "1.0-", "-1.0", "1.0 beta", "1,0", " 2.0 ",
        ] {
            assert!(Version::parse(s).is_err(), "{s}");
        }
    }
}
