//! Properties every ecosystem's ordering must have, on generated versions:
//! reflexive equality, antisymmetry (`compare(a, b) == compare(b, a).reverse()`),
//! transitivity of `<=`, and equal versions comparing the same against any
//! third. The generators draw from small alphabets so that generated versions
//! often share prefixes, tie, and hit each grammar's separators and
//! qualifiers.
//!
//! Maven is the exception: `ComparableVersion` itself is not transitive once
//! a qualifier sits where another version has a sub-list (`1-alpha < 1 <
//! 1.sp.1`, yet `1-alpha > 1.sp.1`: "1-1 > 1-sp" puts any list after any
//! qualifier). Its comparator follows Maven there too, so for Maven the full
//! generator checks antisymmetry and reflexivity, and transitivity is
//! checked on the shapes real versions have (`1.2.3`, `1.2.3-SNAPSHOT`,
//! `1.2.3.RELEASE`, `1.0-beta-2`, `2.0.0-M1`, `1.0rc1`, `1.0-1`).

use std::cmp::Ordering;

use plimsoll_vuln::version::{Ecosystem, compare};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::string::string_regex;
use proptest::test_runner::TestRunner;

/// A generator of (mostly valid) version strings for `eco`.
fn pattern(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Debian | Ecosystem::Ubuntu => {
            r"([0-2]:)?[0-9][019abzA.+~]{0,5}(-[019ab.+~]{1,4}){0,2}"
        }
        Ecosystem::RedHat => r"([0-2]:)?[0-9][019abcA.~^_+]{0,6}(-[019ab.~^+]{1,5})?",
        Ecosystem::Alpine => concat!(
            r"(0|1|2|10)(\.(0|00|01|1|2|10)){0,3}[a-c]?",
            r"(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(0|1|2|10)?){0,2}",
            r"(~[0-9a-f]{1,3})?(-r(0|1|2|10))?"
        ),
        Ecosystem::PyPI => concat!(
            r"[vV]?([0-2]!)?(0|1|2|10|00)(\.(0|1|2|10|00)){0,3}",
            r"([-_.]?(a|b|rc|alpha|beta|c|pre|preview)[-_.]?(0|1|2|10)?)?",
            r"(-(0|1|2|10)|[-_.]?(post|rev|r)[-_.]?(0|1|2|10)?)?",
            r"([-_.]?dev[-_.]?(0|1|2|10)?)?",
            r"(\+(0|1|a|b|00|1a|A)([-_.](0|1|a|b|00|1a|A)){0,2})?"
        ),
        // -- hexpub (issue 18) --
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Hex => concat!(
            r"(0|1|2|10)\.(0|1|2|10)\.(0|1|2|10)",
            r"(-(0|1|2|10|a|b|alpha|beta|rc|x-y|A)(\.(0|1|2|10|a|b|alpha|rc)){0,3})?",
            r"(\+[0-9a-z]{1,3}(\.[0-9a-z]{1,3})?)?"
        ),
        Ecosystem::Go => concat!(
            r"v?(0|1|2|10)(\.(0|1|2|10)(\.(0|1|2|10)",
            r"(-(0|1|alpha|pre|0\.20191109021931-daa7c04131f5)(\.(0|1|alpha))?)?)?)?",
            r"(\+incompatible)?"
        ),
        Ecosystem::Maven => concat!(
            r"(0|1|2|10|00|alpha|a|b|m|rc|cr|snapshot|ga|final|release|sp|x|abc|SNAPSHOT)",
            r"([.-]?(0|1|2|10|00|alpha|a|b|m|rc|cr|snapshot|ga|final|sp|x|abc)){0,5}"
        ),
        Ecosystem::NuGet => concat!(
            r"(0|1|2|10|00)(\.(0|1|2|10|00)){0,3}",
            r"(-(0|1|2|10|a|b|A|B|alpha|beta|rc|x-y)(\.(0|1|2|10|a|b|alpha|rc)){0,3})?",
            r"(\+[0-9a-z]{1,3}(\.[0-9a-z]{1,3})?)?"
        ),
        Ecosystem::GitHubActions => concat!(
            r"v?(0|1|2|10)\.(0|1|2|10)\.(0|1|2|10)",
            r"(-(0|1|2|10|a|b|alpha|beta|rc)(\.(0|1|2|10|a|b|alpha|rc)){0,3})?"
        ),
        Ecosystem::Packagist => {
            r"v?(0|1|2|10|00)([.\-_+]?(0|1|2|10|00|dev|alpha|a|beta|b|RC|rc|pl|p|stable|x)){0,5}"
        }
        Ecosystem::RubyGems => concat!(
            r"(0|1|2|10|00)(\.(0|1|2|10|00|a|b|pre|rc|A|a1|0a)){0,4}",
            r"(-(0|1|a|b|pre)(\.(0|1|a|b)){0,2})?"
        ),
        // -- hackcran (issue 18) --
        Ecosystem::Hackage => r"(0|1|2|10|00|01)(\.(0|1|2|10|00|01)){0,4}",
        Ecosystem::Cran => r"(0|1|2|10|00|01)([.-](0|1|2|10|00|01|9000)){0,4}",
        // -- pubswift (issue 18) --
        Ecosystem::Pub => concat!(
            r"(0|1|2|10|01)\.(0|1|2|10)\.(0|1|2|10)",
            r"(-(0|1|2|10|01|a|b|-1|0x1|alpha|rc|x-y|A)(\.(0|1|2|10|a|b|alpha|rc)){0,3})?",
            r"(\+(0|1|01|a|b|0x2|z9)(\.(0|1|a|b)){0,2})?"
        ),
        Ecosystem::SwiftUrl => concat!(
            r"v?(0|1|2|10)\.(0|1|2|10)\.(0|1|2|10)",
            r"(-(0|1|2|10|a|b|alpha|beta|rc)(\.(0|1|2|10|a|b|alpha|rc)){0,3})?",
            r"(\+[0-9a-z]{1,3})?"
        ),
        // -- conan (issue 18) --
        // Numbers and words that start with a letter: Conan compares a
        // number with a string by its text, which is not transitive when a
        // string starts with a digit (9 < 10 < "1a" < 9).
        Ecosystem::ConanCenter => concat!(
            r"(0|1|2|10|00|cci|a)(\.(0|1|2|10|00|a|b|rc)){0,3}",
            r"(-(0|1|a|b|rc|alpha)?(\.(0|1|a)){0,2})?(\+(0|1|a|b)(\.(0|1))?)?"
        ),
        // -- opam (issue 18) --
        Ecosystem::Opam => r"[0-2~a]{1,2}([.\-+_~]?(0|1|2|10|00|a|b|beta|z|A|~)){0,5}",
    }
}

/// Maven versions of the usual shapes, on which `ComparableVersion` is
/// transitive: numbers, then one `-number`, or one qualifier (after `-`,
/// directly, or last after `.`) with an optional number and `-number`.
const MAVEN_USUAL: &str = concat!(
    r"(0|1|2|10|00)(\.(0|1|2|10|00)){0,3}",
    r"(-(1|2|10)|-?(alpha|a|b|m|beta|milestone|rc|cr|snapshot|SNAPSHOT|ga|final|Final|sp|x|abc)",
    r"(0|1|2|10)?(-(1|2|10))?|\.(alpha|beta|M|rc|RC|snapshot|RELEASE|Final|sp|x)(0|1|2|10)?)?"
);

/// 300 cases a property; failures are reported, never written into the
/// source tree.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(300)
    }
}

fn versions_matching(pattern: &str) -> impl Strategy<Value = Vec<String>> {
    let one = string_regex(pattern).expect("valid generator pattern");
    proptest::collection::vec(one, 2..10)
}

fn versions(eco: Ecosystem) -> impl Strategy<Value = Vec<String>> {
    versions_matching(pattern(eco))
}

/// Checks the order properties on every pair and triple of the valid ones.
fn check_order(eco: Ecosystem, versions: &[String]) -> Result<(), TestCaseError> {
    check(eco, versions, true)
}

/// Reflexivity and antisymmetry on every pair, and with `transitive`
/// transitivity and consistent equality on every triple, of the valid ones.
fn check(eco: Ecosystem, versions: &[String], transitive: bool) -> Result<(), TestCaseError> {
    let valid: Vec<&str> = versions
        .iter()
        .map(String::as_str)
        .filter(|v| compare(eco, v, v).is_ok())
        .collect();
    let cmp = |a: &str, b: &str| compare(eco, a, b).expect("both valid");
    for &a in &valid {
        prop_assert_eq!(cmp(a, a), Ordering::Equal, "{} not equal to itself", a);
        for &b in &valid {
            let ab = cmp(a, b);
            prop_assert_eq!(ab, cmp(b, a).reverse(), "antisymmetry: {} vs {}", a, b);
            if !transitive {
                continue;
            }
            for &c in &valid {
                let (bc, ac) = (cmp(b, c), cmp(a, c));
                if ab.is_le() && bc.is_le() {
                    prop_assert!(ac.is_le(), "transitivity: {a} <= {b} <= {c} but {a} > {c}");
                }
                if ab.is_eq() {
                    prop_assert_eq!(
                        ac,
                        bc,
                        "{} == {} but they compare differently to {}",
                        a,
                        b,
                        c
                    );
                }
            }
        }
    }
    Ok(())
}

macro_rules! order_properties {
    ($($name:ident => $eco:expr),* $(,)?) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(vs in versions($eco)) {
                    check_order($eco, &vs)?;
                }
            )*
        }
    };
}

order_properties! {
    dpkg_is_a_total_order => Ecosystem::Debian,
    rpm_is_a_total_order => Ecosystem::RedHat,
    apk_is_a_total_order => Ecosystem::Alpine,
    pep440_is_a_total_order => Ecosystem::PyPI,
    npm_is_a_total_order => Ecosystem::Npm,
    cargo_is_a_total_order => Ecosystem::CratesIo,
    go_is_a_total_order => Ecosystem::Go,
    gem_is_a_total_order => Ecosystem::RubyGems,
    packagist_is_a_total_order => Ecosystem::Packagist,
    // -- hackcran (issue 18) --
    hackage_is_a_total_order => Ecosystem::Hackage,
    cran_is_a_total_order => Ecosystem::Cran,
    // -- hexpub (issue 18) --
    hex_is_a_total_order => Ecosystem::Hex,
    // -- pubswift (issue 18) --
    pub_is_a_total_order => Ecosystem::Pub,
    swift_is_a_total_order => Ecosystem::SwiftUrl,
    // -- conan (issue 18) --
    conan_is_a_total_order_on_usual_versions => Ecosystem::ConanCenter,
    // -- opam (issue 18) --
    opam_is_a_total_order => Ecosystem::Opam,
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn maven_is_a_total_order_on_usual_versions(vs in versions_matching(MAVEN_USUAL)) {
        check_order(Ecosystem::Maven, &vs)?;
    }

    #[test]
    fn maven_is_antisymmetric(vs in versions(Ecosystem::Maven)) {
        check(Ecosystem::Maven, &vs, false)?;
    }
}

/// The counterexample above, pinned: this is Maven 3.9's own answer.
#[test]
fn maven_is_not_transitive_like_maven() {
    let cmp = |a, b| compare(Ecosystem::Maven, a, b).unwrap();
    assert_eq!(cmp("1-alpha", "1"), Ordering::Less);
    assert_eq!(cmp("1", "1.sp.1"), Ordering::Less);
    assert_eq!(cmp("1-alpha", "1.sp.1"), Ordering::Greater);
}

proptest! {
    #![proptest_config(config())]

    /// No input makes a comparator panic, and whatever compares does so
    /// antisymmetrically.
    #[test]
    fn arbitrary_strings_never_panic(
        a in r"[0-9a-zA-Z.+~^_:!@ -]{0,10}|\PC{0,8}",
        b in r"[0-9a-zA-Z.+~^_:!@ -]{0,10}|\PC{0,8}",
    ) {
        for eco in Ecosystem::ALL {
            let ab = compare(eco, &a, &b);
            let ba = compare(eco, &b, &a);
            if let (Ok(ab), Ok(ba)) = (ab, ba) {
                prop_assert_eq!(ab, ba.reverse(), "{} {:?} vs {:?}", eco, a, b);
            }
        }
    }
}

/// The generators must mostly produce valid versions, or the properties
/// above would hold vacuously.
#[test]
fn generators_produce_valid_versions() {
    let mut runner = TestRunner::deterministic();
    let generators = Ecosystem::ALL
        .map(|eco| (eco, pattern(eco)))
        .into_iter()
        .chain([(Ecosystem::Maven, MAVEN_USUAL)]);
    for (eco, pattern) in generators {
        let strategy = string_regex(pattern).expect("valid generator pattern");
        let samples = 500;
        let valid = (0..samples)
            .filter(|_| {
                let v = strategy.new_tree(&mut runner).expect("sample").current();
                compare(eco, &v, &v).is_ok()
            })
            .count();
        assert!(
            valid * 10 >= samples * 6,
            "{eco}: only {valid} of {samples} generated versions are valid"
        );
    }
}
