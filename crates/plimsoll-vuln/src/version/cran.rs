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

use super::{Numbers, Reason};

/// An R package version: its components, two or more.
pub(crate) fn parse(s: &str) -> Result<Numbers<'_>, Reason> {
    if s.split(['.', '-']).count() < 2 {
        return Err("an R package version has two or more numbers separated by . or -".into());
    }
    Numbers::parse(
        s.split(['.', '-']),
        "invalid version specification (only digits, . and - allowed)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        parse(a).unwrap().cmp(&parse(b).unwrap())
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
            assert!(parse(s).is_err(), "{s}");
        }
    }
}
