//! Go module versions, ordered as `golang.org/x/mod/semver.Compare` orders
//! them: SemVer 2.0.0 precedence with a leading `v`, where `v1` and `v1.2`
//! stand for `v1.0.0` and `v1.2.0`.
//!
//! Go-specific forms need no rule of their own: pseudo-versions
//! (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…-…` after
//! `v1.2.3`, `v1.2.3-pre.0.2019…-…` after `v1.2.3-pre`) are pre-releases
//! that sort after the version they build on and before the next release,
//! and `+incompatible` is build metadata, which precedence ignores.
//!
//! The `v` is optional here: go.mod, `go version -m` and module proxies
//! write it, OSV's Go records do not (`"fixed": "1.20.5"`, and
//! `"introduced": "0"`, which is `v0` = `v0.0.0`). x/mod's `Compare` treats
//! invalid strings as equal to each other and below every valid one; here
//! they are errors.

use super::Reason;
use super::semver::{Grammar, Version};

const GO: Grammar = Grammar {
    max: None,
    shorthand: true,
};

pub(super) fn parse(s: &str) -> Result<Version<'_>, Reason> {
    Version::parse_with(s.strip_prefix('v').unwrap_or(s), &GO)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        parse(a).unwrap().cmp(&parse(b).unwrap())
    }

    #[track_caller]
    fn assert_groups(sorted: &[&[&str]]) {
        for (i, ga) in sorted.iter().enumerate() {
            for (j, gb) in sorted.iter().enumerate() {
                for a in ga.iter() {
                    for b in gb.iter() {
                        assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
                    }
                }
            }
        }
    }

    /// x/mod/semver's own test list (`semver_test.go`, `TestCompare`), in
    /// order, versions with the same canonical form grouped.
    #[test]
    fn x_mod_semver_order() {
        assert_groups(&[
            &["v1.0.0-alpha"],
            &["v1.0.0-alpha.1"],
            &["v1.0.0-alpha.beta"],
            &["v1.0.0-beta"],
            &["v1.0.0-beta.2"],
            &["v1.0.0-beta.11"],
            &["v1.0.0-rc.1"],
            &["v1", "v1.0", "v1.0.0"],
            &["v1.2", "v1.2.0"],
            &["v1.2.3-456"],
            &["v1.2.3-456.789"],
            &["v1.2.3-456-789"],
            &["v1.2.3-456a"],
            &["v1.2.3-pre", "v1.2.3-pre+meta"],
            &["v1.2.3-pre.1"],
            &["v1.2.3-zzz"],
            &[
                "v1.2.3",
                "v1.2.3+meta",
                "v1.2.3+meta-pre",
                "v1.2.3+meta-pre.sha.256a",
            ],
        ]);
        assert_eq!(cmp("v1.19", "v1.2"), Ordering::Greater);
        assert_eq!(cmp("v2", "v1"), Ordering::Greater);
    }

    #[test]
    fn pseudo_versions_incompatible_and_no_v() {
        assert_groups(&[
            &["0", "v0", "v0.0.0"],
            &["v0.0.1-0.20191109021931-daa7c04131f5"],
            &["v0.0.1"],
            &["v0.1.0-alpha.1", "v0.1.0-alpha.1+build"],
            &["v1.2.3-pre"],
            &["v1.2.3-pre.0.20191109021931-daa7c04131f5"],
            &["v1.2.3", "1.2.3"],
            &["v1.2.4-0.20191109021931-daa7c04131f5"],
            &["v1.2.4-0.20200101000000-abcdefabcdef"],
            &["v1.2.4"],
            &["v2.0.0+incompatible", "v2.0.0", "2.0.0"],
            &["v2.0.1-0.20200101000000-abcdefabcdef+incompatible"],
            &["v2.0.1"],
            &["v10"],
        ]);
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "v",
            "v.1",
            "v1.",
            "v1-pre",
            "v1.2-pre",
            "v1+meta",
            "v1.2.3.4",
            "v01.2.3",
            "v1.02",
            "v1.2.3-01",
            "v1.2.3-",
            "v1.2.3+",
            "v1.2.3-a..b",
            "vv1.2.3",
            " v1.2.3",
        ] {
            assert!(parse(v).is_err(), "{v:?} should be invalid");
        }
        // Numbers are unbounded in x/mod/semver.
        assert_eq!(
            cmp("v99999999999999999999.0.0", "v99999999999999999998.9.9"),
            Ordering::Greater
        );
    }
}
