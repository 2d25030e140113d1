//! CVSS v3.0 and v3.1 base scores.
//!
//! The base equations are the same in both versions (v3.1 §7.1); what
//! differs is Roundup. v3.0 defines it as the smallest number with one
//! decimal that is not below the input, which its reference calculator
//! computes as `ceil(x × 10) / 10`; v3.1 keeps the definition and prescribes,
//! in its Appendix A, rounding `x × 100000` to an integer first so that
//! floating-point noise (4.000000000000001) does not push a score up a tenth.
//! On all 2592 base vectors both give the exact-decimal answer (the oracle
//! corpus checks every one), so the two roundings are kept as specified.

use super::{Grammar, MetricDef, Metrics};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Minor {
    Zero,
    One,
}

/// The base score (v3.1 §7.1, Table 16 for the weights).
pub(super) fn base_score(metrics: &Metrics, minor: Minor) -> f64 {
    let value = |name| metrics.get_or_x(name);
    let scope_changed = value("S") == "C";
    let attack_vector: f64 = match value("AV") {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let attack_complexity = if value("AC") == "L" { 0.77 } else { 0.44 };
    let privileges_required = match (value("PR"), scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let user_interaction = if value("UI") == "N" { 0.85 } else { 0.62 };
    let impact_weight = |name| -> f64 {
        match value(name) {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        }
    };

    let impact_sub_score = 1.0
        - ((1.0 - impact_weight("C")) * (1.0 - impact_weight("I")) * (1.0 - impact_weight("A")));
    let impact = if scope_changed {
        7.52 * (impact_sub_score - 0.029) - 3.25 * (impact_sub_score - 0.02).powf(15.0)
    } else {
        6.42 * impact_sub_score
    };
    let exploitability =
        8.22 * attack_vector * attack_complexity * privileges_required * user_interaction;
    if impact <= 0.0 {
        return 0.0;
    }
    let unrounded = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    match minor {
        Minor::Zero => roundup_v30(unrounded),
        Minor::One => roundup_v31(unrounded),
    }
}

/// v3.0 Roundup: the smallest number, with one decimal, not below `x`.
fn roundup_v30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// v3.1 Roundup as Appendix A writes it: round `x × 100000` to the nearest
/// integer, then round up to a multiple of 10000 with integer arithmetic.
fn roundup_v31(x: f64) -> f64 {
    // x is within [0, 10] here, so the integer fits easily.
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_a_roundup() {
        // The examples of v3.1 §7 and Appendix A.
        assert_eq!(roundup_v31(4.02), 4.1);
        assert_eq!(roundup_v31(4.00), 4.0);
        assert_eq!(roundup_v31(1.200003), 1.2);
        // The floating-point trap Appendix A is about: 0.1 + 0.2 is
        // 0.30000000000000004, whose naive ceiling is 0.4.
        assert_eq!(roundup_v31(0.1 + 0.2), 0.3);
        assert_eq!(roundup_v30(0.1 + 0.2), 0.4);
        assert_eq!(roundup_v30(4.02), 4.1);
        assert_eq!(roundup_v30(4.0), 4.0);
    }
}
