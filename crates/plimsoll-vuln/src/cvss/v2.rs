//! CVSS v2 vectors: their grammar, and their base score (the v2 guide,
//! §3.2.1) by the `cvss` crate.

use std::str::FromStr;

use super::{Grammar, metric};

const IMPACT: &[&str] = &["N", "P", "C"];
const REQUIREMENT: &[&str] = &["L", "M", "H", "ND"];

/// The metrics of the v2 guide §2.4; temporal and environmental
/// ones are validated and otherwise ignored.
pub(super) static GRAMMAR: Grammar = Grammar {
    metrics: &[
        metric("AV", &["L", "A", "N"]),
        metric("AC", &["H", "M", "L"]),
        metric("Au", &["M", "S", "N"]),
        metric("C", IMPACT),
        metric("I", IMPACT),
        metric("A", IMPACT),
        metric("E", &["U", "POC", "F", "H", "ND"]),
        metric("RL", &["OF", "TF", "W", "U", "ND"]),
        metric("RC", &["UC", "UR", "C", "ND"]),
        metric("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
        metric("TD", &["N", "L", "M", "H", "ND"]),
        metric("CR", REQUIREMENT),
        metric("IR", REQUIREMENT),
        metric("AR", REQUIREMENT),
    ],
    mandatory: 6,
    ordered: false,
};

/// The base score of a vector [`GRAMMAR`] accepted (the crate's `score` is
/// the v2 base score).
pub(super) fn base_score(vector: &str) -> Result<f64, String> {
    let parsed = ::cvss::v2::Vector::from_str(vector).map_err(|e| e.to_string())?;
    Ok(parsed.score().value())
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn guide_examples() {
        // The three worked examples of the v2 guide §3.3.
        for (vector, base) in [
            ("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8),  // CVE-2002-0392
            ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // CVE-2003-0818
            ("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2),  // CVE-2003-0062
        ] {
            let cvss = parse(vector).map_err(|e| e.to_string());
            assert_eq!(cvss.map(|c| c.base_score()), Ok(base), "{vector}");
        }
    }
}
