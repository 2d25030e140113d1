//! crates.io ordering against Cargo's own parser, the `semver` crate: on
//! generated strings, valid and invalid (leading zeros, empty identifiers, a
//! `v`, too many or too large numbers), both must accept the same strings and
//! order the accepted ones alike (`cmp_precedence`: build metadata ignored).

use plimsoll_vuln::version::{Ecosystem, compare};
use proptest::prelude::*;

const GENERATOR: &str = concat!(
    r"(v|=| )?(0|00|01|1|10|18446744073709551615|18446744073709551616)",
    r"(\.(0|01|1|10)){0,3}",
    r"(-(0|00|01|1|10|a|A|0a|x-y|-|)(\.(0|00|1|a|Z|)){0,2})?",
    r"(\+(0|00|a|)(\.(0|a|-|)){0,2})?"
);

/// Mostly valid versions, for comparing orders.
const VALID: &str = concat!(
    r"(0|1|10)\.(0|1|10)\.(0|1|10)",
    r"(-(0|1|10|a|A|0a|x-y|-)(\.(0|1|a|Z|0a)){0,2})?",
    r"(\+(0|00|a)(\.(0|a|-)){0,1})?"
);

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(2000)
    })]

    #[test]
    fn crates_io_accepts_what_the_semver_crate_accepts(v in GENERATOR) {
        prop_assert_eq!(
            compare(Ecosystem::CratesIo, &v, &v).is_ok(),
            semver::Version::parse(&v).is_ok(),
            "validity of {:?}", v
        );
    }

    #[test]
    fn crates_io_orders_as_the_semver_crate(a in VALID, b in VALID) {
        let (x, y) = (semver::Version::parse(&a), semver::Version::parse(&b));
        prop_assert!(x.is_ok() && y.is_ok(), "generator made {:?} or {:?}", a, b);
        if let (Ok(x), Ok(y)) = (x, y) {
            prop_assert_eq!(
                compare(Ecosystem::CratesIo, &a, &b).unwrap(),
                x.cmp_precedence(&y),
                "{:?} vs {:?}", a, b
            );
        }
    }
}
