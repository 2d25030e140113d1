//! Hackage (Haskell packages): the order of Cabal's `Version` (and of
//! `Data.Version` in `base`, whose `Ord` compares `versionBranch` only),
//! which the Package Versioning Policy (PVP) builds on.
//!
//! A version is one or more non-negative integers separated by `.`
//! (`4000.3.16`, `0.1`, `2`); anything else (`1.0-beta`, `v1.0`, `1..2`,
//! Data.Version's deprecated `-tag` suffixes, which Cabal rejects) is
//! rejected. Two versions compare as lists of numbers, lexicographically:
//! component by component (`1.10` after `1.9`), and a version that is a
//! prefix of the other is the older (`1.0` before `1.0.0`, which Cabal also
//! keeps apart: `instance Ord Version` compares `versionNumbers`).
//!
//! Checked against the PVP's own examples (<https://pvp.haskell.org/>:
//! `2.1` < `2.1.0.4` < `2.1.1` < `2.2` < `3`) and Cabal's `Version`
//! documentation in the unit tests: no Haskell toolchain was installed to be
//! an oracle.

use super::{Numbers, Reason};

/// A Hackage version: its components.
pub(crate) fn parse(s: &str) -> Result<Numbers<'_>, Reason> {
    Numbers::parse(
        s.trim().split('.'),
        "a Hackage version is numbers separated by . (no tags)",
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
    fn pvp_examples() {
        // The PVP's ordering of A.B.C versions and longer ones.
        let ordered = [
            "0",
            "0.1",
            "1",
            "1.0",
            "1.0.0",
            "1.0.1",
            "2.1",
            "2.1.0.4",
            "2.1.1",
            "2.2",
            "3",
            "4000.3.16",
        ];
        for w in ordered.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Greater);
        }
        assert_eq!(cmp("1.10", "1.9"), Greater);
        assert_eq!(cmp("1.01", "1.1"), Equal);
    }

    #[test]
    fn rejects() {
        for s in ["1.0-beta", "v1.0", "1..2", "1.", ".1", "1.0a", "1-2"] {
            assert!(parse(s).is_err(), "{s}");
        }
    }
}
