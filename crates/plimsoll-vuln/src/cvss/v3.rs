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

use super::{Grammar, MetricDef};

const IMPACT: &[&str] = &["H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];
const MODIFIED_IMPACT: &[&str] = &["X", "N", "L", "H"];

/// Table 15 of the v3.1 spec (the v3.0 table lists the same metrics).
pub(super) static GRAMMAR: Grammar = Grammar {
    metrics: &[
        MetricDef {
            name: "AV",
            values: &["N", "A", "L", "P"],
        },
        MetricDef {
            name: "AC",
            values: &["L", "H"],
        },
        MetricDef {
            name: "PR",
            values: &["N", "L", "H"],
        },
        MetricDef {
            name: "UI",
            values: &["N", "R"],
        },
        MetricDef {
            name: "S",
            values: &["U", "C"],
        },
        MetricDef {
            name: "C",
            values: IMPACT,
        },
        MetricDef {
            name: "I",
            values: IMPACT,
        },
        MetricDef {
            name: "A",
            values: IMPACT,
        },
        MetricDef {
            name: "E",
            values: &["X", "H", "F", "P", "U"],
        },
        MetricDef {
            name: "RL",
            values: &["X", "U", "W", "T", "O"],
        },
        MetricDef {
            name: "RC",
            values: &["X", "C", "R", "U"],
        },
        MetricDef {
            name: "CR",
            values: REQUIREMENT,
        },
        MetricDef {
            name: "IR",
            values: REQUIREMENT,
        },
        MetricDef {
            name: "AR",
            values: REQUIREMENT,
        },
        MetricDef {
            name: "MAV",
            values: &["X", "N", "A", "L", "P"],
        },
        MetricDef {
            name: "MAC",
            values: &["X", "L", "H"],
        },
        MetricDef {
            name: "MPR",
            values: &["X", "N", "L", "H"],
        },
        MetricDef {
            name: "MUI",
            values: &["X", "N", "R"],
        },
        MetricDef {
            name: "MS",
            values: &["X", "U", "C"],
        },
        MetricDef {
            name: "MC",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MI",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MA",
            values: MODIFIED_IMPACT,
        },
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
