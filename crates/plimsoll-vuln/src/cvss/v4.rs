//! CVSS v4.0 vectors: their grammar, and their scores by the `cvss` crate,
//! which implements the specification's MacroVector method (EQ1–EQ6, the
//! MacroVector score table, the severity-distance interpolation, rounding as
//! FIRST's reference calculator does).
//!
//! The base score is CVSS-B: the crate scores the vector cut down to its
//! eleven base metrics, which the specification defines as the score with
//! every threat and environmental metric Not Defined. The score of the whole
//! vector (CVSS-BT/BE/BTE) is the crate's score of the vector as written.

use std::str::FromStr;

use super::{Grammar, Metrics, metric};

const IMPACT: &[&str] = &["H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];
const MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const MODIFIED_SUBSEQUENT_IMPACT: &[&str] = &["X", "S", "H", "L", "N"];

/// Every v4.0 metric in the specification's order: base, threat,
/// environmental, supplemental.
pub(super) static GRAMMAR: Grammar = Grammar {
    metrics: &[
        metric("AV", &["N", "A", "L", "P"]),
        metric("AC", &["L", "H"]),
        metric("AT", &["N", "P"]),
        metric("PR", &["N", "L", "H"]),
        metric("UI", &["N", "P", "A"]),
        metric("VC", IMPACT),
        metric("VI", IMPACT),
        metric("VA", IMPACT),
        metric("SC", IMPACT),
        metric("SI", IMPACT),
        metric("SA", IMPACT),
        metric("E", &["X", "A", "P", "U"]),
        metric("CR", REQUIREMENT),
        metric("IR", REQUIREMENT),
        metric("AR", REQUIREMENT),
        metric("MAV", &["X", "N", "A", "L", "P"]),
        metric("MAC", &["X", "L", "H"]),
        metric("MAT", &["X", "N", "P"]),
        metric("MPR", &["X", "N", "L", "H"]),
        metric("MUI", &["X", "N", "P", "A"]),
        metric("MVC", MODIFIED_IMPACT),
        metric("MVI", MODIFIED_IMPACT),
        metric("MVA", MODIFIED_IMPACT),
        metric("MSC", MODIFIED_IMPACT),
        metric("MSI", MODIFIED_SUBSEQUENT_IMPACT),
        metric("MSA", MODIFIED_SUBSEQUENT_IMPACT),
        metric("S", &["X", "N", "P"]),
        metric("AU", &["X", "N", "Y"]),
        metric("R", &["X", "A", "U", "I"]),
        metric("V", &["X", "D", "C"]),
        metric("RE", &["X", "L", "M", "H"]),
        metric("U", &["X", "Clear", "Green", "Amber", "Red"]),
    ],
    mandatory: 11,
    ordered: true,
};

const THREAT_METRICS: &[&str] = &["E"];
const ENVIRONMENTAL_METRICS: &[&str] = &[
    "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA",
];

/// `CVSS-B`, `CVSS-BT`, `CVSS-BE` or `CVSS-BTE`, after the groups the
/// vector gives a defined (non-`X`) value.
pub(super) fn nomenclature(metrics: &Metrics) -> &'static str {
    let defined = |names: &[&str]| names.iter().any(|name| metrics.get_or_x(name) != "X");
    match (defined(THREAT_METRICS), defined(ENVIRONMENTAL_METRICS)) {
        (false, false) => "CVSS-B",
        (true, false) => "CVSS-BT",
        (false, true) => "CVSS-BE",
        (true, true) => "CVSS-BTE",
    }
}

/// How many of [`GRAMMAR`]'s metrics are base metrics.
const BASE_METRICS: usize = 11;

/// CVSS-B, and the score of every group the vector carries, of a vector
/// [`GRAMMAR`] accepted.
pub(super) fn scores(vector: &str, metrics: &Metrics) -> Result<(f64, f64), String> {
    let whole = ::cvss::v4::Vector::from_str(vector)
        .map_err(|e| e.to_string())?
        .score()
        .value();
    if nomenclature(metrics) == "CVSS-B" {
        return Ok((whole, whole));
    }
    // The grammar keeps metrics in specification order, so the base metrics
    // are the first eleven components.
    let base_only: Vec<&str> = vector.split('/').take(1 + BASE_METRICS).collect();
    let base = ::cvss::v4::Vector::from_str(&base_only.join("/"))
        .map_err(|e| e.to_string())?
        .score()
        .value();
    Ok((base, whole))
}
