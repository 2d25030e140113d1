//! CVSS v2 vectors: their grammar, and their base score (the v2 guide,
//! §3.2.1) by the `cvss` crate.

use std::str::FromStr;

use super::{Grammar, MetricDef};

const IMPACT: &[&str] = &["N", "P", "C"];
const REQUIREMENT: &[&str] = &["L", "M", "H", "ND"];

/// The metrics of the v2 guide §2.4; temporal and environmental
/// ones are validated and otherwise ignored.
pub(super) static GRAMMAR: Grammar = Grammar {
    metrics: &[
        MetricDef {
            name: "AV",
            values: &["L", "A", "N"],
        },
        MetricDef {
            name: "AC",
            values: &["H", "M", "L"],
        },
        MetricDef {
            name: "Au",
            values: &["M", "S", "N"],
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
            values: &["U", "POC", "F", "H", "ND"],
        },
        MetricDef {
            name: "RL",
            values: &["OF", "TF", "W", "U", "ND"],
        },
        MetricDef {
            name: "RC",
            values: &["UC", "UR", "C", "ND"],
        },
        MetricDef {
            name: "CDP",
            values: &["N", "L", "LM", "MH", "H", "ND"],
        },
        MetricDef {
            name: "TD",
            values: &["N", "L", "M", "H", "ND"],
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
