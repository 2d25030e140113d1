//! CVSS v3.0 and v3.1 vectors: their grammar, and their base score by the
//! `cvss` crate.
//!
//! The base equations are the same in both versions (v3.1 §7.1); only
//! Roundup differs. v3.0 defines it as the smallest one-decimal number not
//! below the input (`ceil(x × 10) / 10`); v3.1's Appendix A rounds
//! `x × 100000` to an integer first so that floating-point noise cannot push
//! a score up a tenth. On all 2592 base vectors both give the exact-decimal
//! answer, and the oracle corpus checks every one of them in both versions.

use std::str::FromStr;

use super::{Grammar, metric};

const IMPACT: &[&str] = &["H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];
const MODIFIED_IMPACT: &[&str] = &["X", "N", "L", "H"];

/// Table 15 of the v3.1 spec (the v3.0 table lists the same metrics).
pub(super) static GRAMMAR: Grammar = Grammar {
    metrics: &[
        metric("AV", &["N", "A", "L", "P"]),
        metric("AC", &["L", "H"]),
        metric("PR", &["N", "L", "H"]),
        metric("UI", &["N", "R"]),
        metric("S", &["U", "C"]),
        metric("C", IMPACT),
        metric("I", IMPACT),
        metric("A", IMPACT),
        metric("E", &["X", "H", "F", "P", "U"]),
        metric("RL", &["X", "U", "W", "T", "O"]),
        metric("RC", &["X", "C", "R", "U"]),
        metric("CR", REQUIREMENT),
        metric("IR", REQUIREMENT),
        metric("AR", REQUIREMENT),
        metric("MAV", &["X", "N", "A", "L", "P"]),
        metric("MAC", &["X", "L", "H"]),
        metric("MPR", &["X", "N", "L", "H"]),
        metric("MUI", &["X", "N", "R"]),
        metric("MS", &["X", "U", "C"]),
        metric("MC", MODIFIED_IMPACT),
        metric("MI", MODIFIED_IMPACT),
        metric("MA", MODIFIED_IMPACT),
    ],
    mandatory: 8,
    // "Programs reading CVSS v3.1 vector strings must accept metrics in any
    // order" (v3.1 §6).
    ordered: false,
};

/// The base score of a vector [`GRAMMAR`] accepted. The crate applies
/// v3.0's Roundup to `CVSS:3.0` vectors and v3.1's to `CVSS:3.1` ones.
pub(super) fn base_score(vector: &str) -> Result<f64, String> {
    let parsed = ::cvss::v3::Vector::from_str(vector).map_err(|e| e.to_string())?;
    Ok(parsed.base_score().value())
}
