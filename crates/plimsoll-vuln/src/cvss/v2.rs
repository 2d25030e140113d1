//! CVSS v2 base scores (the v2 guide, §3.2.1).
//!
//! Every weight has at most four decimals, so the base equation is computed
//! in exact integer arithmetic and rounded half up once, at the end, as
//! `round_to_1_decimal` means: no floating-point noise can move a score across
//! a .x5 boundary.

use super::{Grammar, MetricDef, Metrics};

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

/// BaseScore = round_to_1_decimal(((0.6 × Impact) + (0.4 × Exploitability)
/// − 1.5) × f(Impact)), Impact = 10.41 × (1 − (1 − C)(1 − I)(1 − A)),
/// Exploitability = 20 × AV × AC × Au, f(Impact) = 0 if Impact is 0, else
/// 1.176.
pub(super) fn base_score(metrics: &Metrics) -> f64 {
    let value = |name| metrics.get_or_x(name);
    // Weights in thousandths.
    let access_vector: i64 = match value("AV") {
        "L" => 395,
        "A" => 646,
        _ => 1000,
    };
    let access_complexity: i64 = match value("AC") {
        "H" => 350,
        "M" => 610,
        _ => 710,
    };
    let authentication: i64 = match value("Au") {
        "M" => 450,
        "S" => 560,
        _ => 704,
    };
    // 1 − impact weight, in thousandths (weights N 0, P 0.275, C 0.660).
    let unimpacted = |name| -> i64 {
        match value(name) {
            "P" => 725,
            "C" => 340,
            _ => 1000,
        }
    };

    // (1 − C)(1 − I)(1 − A) in units of 1e-9; Impact in units of 1e-11.
    let unimpacted_product = unimpacted("C") * unimpacted("I") * unimpacted("A");
    let impact = 1041 * (1_000_000_000 - unimpacted_product);
    if impact == 0 {
        return 0.0;
    }
    // Exploitability in units of 1e-9.
    let exploitability = 20 * access_vector * access_complexity * authentication;
    // 0.6 × Impact + 0.4 × Exploitability − 1.5, in units of 1e-12.
    let sum = 6 * impact + 400 * exploitability - 1_500_000_000_000;
    // × 1.176, in units of 1e-15.
    let unrounded = sum * 1176;
    // Round half up to tenths (units of 1e-14); never below 0.
    let tenths = (unrounded + 50_000_000_000_000)
        .div_euclid(100_000_000_000_000)
        .max(0);
    tenths as f64 / 10.0
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
