//! CVSS v4.0 scores: the MacroVector method of the v4.0 specification.
//!
//! 1. Six equivalence sets (EQ1–EQ6) sort the vector's effective metric
//!    values into levels; the six levels name its MacroVector, whose score
//!    (that of its highest-severity vectors) the spec tabulates
//!    ([`MACRO_VECTOR_SCORES`](super::v4_table::MACRO_VECTOR_SCORES)).
//! 2. For each EQ, the score drops from the MacroVector's towards that of the
//!    next lower MacroVector in proportion to the vector's severity distance
//!    from the highest-severity vector of its MacroVector, over the
//!    MacroVector's depth; the mean of those drops is subtracted.
//! 3. The result is rounded half up to one decimal.
//!
//! The arithmetic mirrors FIRST's reference calculator operation for
//! operation (severity levels as multiples of 0.1, its order of sums, its
//! `round((x + 1e-6) × 10) / 10`), so that ties round the same way.

use super::v4_table::MACRO_VECTOR_SCORES;
use super::{Grammar, MetricDef, Metrics};

const IMPACT: &[&str] = &["H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];
const MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const MODIFIED_SUBSEQUENT_IMPACT: &[&str] = &["X", "S", "H", "L", "N"];

/// Every v4.0 metric in the specification's order: base, threat,
/// environmental, supplemental.
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
            name: "AT",
            values: &["N", "P"],
        },
        MetricDef {
            name: "PR",
            values: &["N", "L", "H"],
        },
        MetricDef {
            name: "UI",
            values: &["N", "P", "A"],
        },
        MetricDef {
            name: "VC",
            values: IMPACT,
        },
        MetricDef {
            name: "VI",
            values: IMPACT,
        },
        MetricDef {
            name: "VA",
            values: IMPACT,
        },
        MetricDef {
            name: "SC",
            values: IMPACT,
        },
        MetricDef {
            name: "SI",
            values: IMPACT,
        },
        MetricDef {
            name: "SA",
            values: IMPACT,
        },
        MetricDef {
            name: "E",
            values: &["X", "A", "P", "U"],
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
            name: "MAT",
            values: &["X", "N", "P"],
        },
        MetricDef {
            name: "MPR",
            values: &["X", "N", "L", "H"],
        },
        MetricDef {
            name: "MUI",
            values: &["X", "N", "P", "A"],
        },
        MetricDef {
            name: "MVC",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MVI",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MVA",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MSC",
            values: MODIFIED_IMPACT,
        },
        MetricDef {
            name: "MSI",
            values: MODIFIED_SUBSEQUENT_IMPACT,
        },
        MetricDef {
            name: "MSA",
            values: MODIFIED_SUBSEQUENT_IMPACT,
        },
        MetricDef {
            name: "S",
            values: &["X", "N", "P"],
        },
        MetricDef {
            name: "AU",
            values: &["X", "N", "Y"],
        },
        MetricDef {
            name: "R",
            values: &["X", "A", "U", "I"],
        },
        MetricDef {
            name: "V",
            values: &["X", "D", "C"],
        },
        MetricDef {
            name: "RE",
            values: &["X", "L", "M", "H"],
        },
        MetricDef {
            name: "U",
            values: &["X", "Clear", "Green", "Amber", "Red"],
        },
    ],
    mandatory: 11,
    ordered: true,
};

const THREAT_METRICS: &[&str] = &["E"];
const ENVIRONMENTAL_METRICS: &[&str] = &[
    "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA",
];

/// Which metric groups a score takes into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Groups {
    /// CVSS-B: base metrics only, threat and environmental ones taken as Not
    /// Defined.
    BaseOnly,
    /// Every group the vector carries (supplemental metrics never score).
    All,
}

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

/// The effective value of every metric that scores: a modified (M*) metric
/// overrides its base metric, and E, CR, IR and AR default to their highest
/// severity (A, H) when Not Defined.
struct Effective {
    av: &'static str,
    ac: &'static str,
    at: &'static str,
    pr: &'static str,
    ui: &'static str,
    vc: &'static str,
    vi: &'static str,
    va: &'static str,
    sc: &'static str,
    /// `S` (Safety) when MSI is `S`.
    si: &'static str,
    /// `S` (Safety) when MSA is `S`.
    sa: &'static str,
    e: &'static str,
    cr: &'static str,
    ir: &'static str,
    ar: &'static str,
}

impl Effective {
    fn new(metrics: &Metrics, groups: Groups) -> Effective {
        let all = groups == Groups::All;
        let base = |name| metrics.get_or_x(name);
        let modified = |name, modified_name| match metrics.get_or_x(modified_name) {
            "X" => base(name),
            value if all => value,
            _ => base(name),
        };
        let defaulted = |name, highest| match metrics.get_or_x(name) {
            "X" => highest,
            value if all => value,
            _ => highest,
        };
        Effective {
            av: modified("AV", "MAV"),
            ac: modified("AC", "MAC"),
            at: modified("AT", "MAT"),
            pr: modified("PR", "MPR"),
            ui: modified("UI", "MUI"),
            vc: modified("VC", "MVC"),
            vi: modified("VI", "MVI"),
            va: modified("VA", "MVA"),
            sc: modified("SC", "MSC"),
            si: modified("SI", "MSI"),
            sa: modified("SA", "MSA"),
            e: defaulted("E", "A"),
            cr: defaulted("CR", "H"),
            ir: defaulted("IR", "H"),
            ar: defaulted("AR", "H"),
        }
    }

    /// The MacroVector: the level of each equivalence set, 0 the most
    /// severe.
    fn macro_vector(&self) -> [u8; 6] {
        // EQ1: AV/PR/UI.
        let eq1 = if self.av == "N" && self.pr == "N" && self.ui == "N" {
            0
        } else if (self.av == "N" || self.pr == "N" || self.ui == "N") && self.av != "P" {
            1
        } else {
            2
        };
        // EQ2: AC/AT.
        let eq2 = if self.ac == "L" && self.at == "N" {
            0
        } else {
            1
        };
        // EQ3: VC/VI/VA.
        let eq3 = if self.vc == "H" && self.vi == "H" {
            0
        } else if self.vc == "H" || self.vi == "H" || self.va == "H" {
            1
        } else {
            2
        };
        // EQ4: SC/SI/SA, with Safety (MSI:S or MSA:S) the most severe.
        let eq4 = if self.si == "S" || self.sa == "S" {
            0
        } else if self.sc == "H" || self.si == "H" || self.sa == "H" {
            1
        } else {
            2
        };
        // EQ5: E.
        let eq5 = match self.e {
            "A" => 0,
            "P" => 1,
            _ => 2,
        };
        // EQ6: CR/IR/AR against VC/VI/VA.
        let eq6 = if (self.cr == "H" && self.vc == "H")
            || (self.ir == "H" && self.vi == "H")
            || (self.ar == "H" && self.va == "H")
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    /// Severity levels (in steps of 0.1, 0.0 the most severe) of the metrics
    /// whose distances are measured, in the reference calculator's order.
    fn levels(&self) -> Levels {
        Levels {
            av: level(self.av, &[("N", 0.0), ("A", 0.1), ("L", 0.2), ("P", 0.3)]),
            pr: level(self.pr, &[("N", 0.0), ("L", 0.1), ("H", 0.2)]),
            ui: level(self.ui, &[("N", 0.0), ("P", 0.1), ("A", 0.2)]),
            ac: level(self.ac, &[("L", 0.0), ("H", 0.1)]),
            at: level(self.at, &[("N", 0.0), ("P", 0.1)]),
            vc: level(self.vc, IMPACT_LEVELS),
            vi: level(self.vi, IMPACT_LEVELS),
            va: level(self.va, IMPACT_LEVELS),
            sc: level(self.sc, SUBSEQUENT_LEVELS),
            si: level(self.si, SUBSEQUENT_LEVELS),
            sa: level(self.sa, SUBSEQUENT_LEVELS),
            cr: level(self.cr, REQUIREMENT_LEVELS),
            ir: level(self.ir, REQUIREMENT_LEVELS),
            ar: level(self.ar, REQUIREMENT_LEVELS),
            e: level(self.e, &[("A", 0.0), ("P", 0.1), ("U", 0.2)]),
        }
    }
}

const IMPACT_LEVELS: &[(&str, f64)] = &[("H", 0.0), ("L", 0.1), ("N", 0.2)];
const SUBSEQUENT_LEVELS: &[(&str, f64)] = &[("S", 0.0), ("H", 0.1), ("L", 0.2), ("N", 0.3)];
const REQUIREMENT_LEVELS: &[(&str, f64)] = &[("H", 0.0), ("M", 0.1), ("L", 0.2)];

/// The level of `value` in `table`. Every effective value is in its table
/// (the grammar admits no other); 0.0 keeps a miss harmless.
fn level(value: &str, table: &[(&str, f64)]) -> f64 {
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map_or(0.0, |(_, level)| *level)
}

#[derive(Debug, Clone, Copy)]
struct Levels {
    av: f64,
    pr: f64,
    ui: f64,
    ac: f64,
    at: f64,
    vc: f64,
    vi: f64,
    va: f64,
    sc: f64,
    si: f64,
    sa: f64,
    cr: f64,
    ir: f64,
    ar: f64,
    e: f64,
}

impl Levels {
    /// `self − max`, metric by metric.
    fn minus(&self, max: &Levels) -> Levels {
        Levels {
            av: self.av - max.av,
            pr: self.pr - max.pr,
            ui: self.ui - max.ui,
            ac: self.ac - max.ac,
            at: self.at - max.at,
            vc: self.vc - max.vc,
            vi: self.vi - max.vi,
            va: self.va - max.va,
            sc: self.sc - max.sc,
            si: self.si - max.si,
            sa: self.sa - max.sa,
            cr: self.cr - max.cr,
            ir: self.ir - max.ir,
            ar: self.ar - max.ar,
            e: self.e - max.e,
        }
    }

    fn all_non_negative(&self) -> bool {
        [
            self.av, self.pr, self.ui, self.ac, self.at, self.vc, self.vi, self.va, self.sc,
            self.si, self.sa, self.cr, self.ir, self.ar, self.e,
        ]
        .iter()
        .all(|distance| *distance >= 0.0)
    }
}

/// The highest-severity vectors of each EQ level (the spec's "max composed"
/// table), as the values of the metrics the EQ covers.
fn eq1_maxes(level: u8) -> &'static [[&'static str; 3]] {
    // AV, PR, UI.
    match level {
        0 => &[["N", "N", "N"]],
        1 => &[["A", "N", "N"], ["N", "L", "N"], ["N", "N", "P"]],
        _ => &[["P", "N", "N"], ["A", "L", "P"]],
    }
}

fn eq2_maxes(level: u8) -> &'static [[&'static str; 2]] {
    // AC, AT.
    match level {
        0 => &[["L", "N"]],
        _ => &[["H", "N"], ["L", "P"]],
    }
}

fn eq3_eq6_maxes(eq3: u8, eq6: u8) -> &'static [[&'static str; 6]] {
    // VC, VI, VA, CR, IR, AR.
    match (eq3, eq6) {
        (0, 0) => &[["H", "H", "H", "H", "H", "H"]],
        (0, _) => &[
            ["H", "H", "L", "M", "M", "H"],
            ["H", "H", "H", "M", "M", "M"],
        ],
        (1, 0) => &[
            ["L", "H", "H", "H", "H", "H"],
            ["H", "L", "H", "H", "H", "H"],
        ],
        (1, _) => &[
            ["L", "H", "L", "H", "M", "H"],
            ["L", "H", "H", "H", "M", "M"],
            ["H", "L", "H", "M", "H", "M"],
            ["H", "L", "L", "M", "H", "H"],
            ["L", "L", "H", "H", "H", "M"],
        ],
        // EQ3 level 2 (no High impact) always has EQ6 level 1.
        _ => &[["L", "L", "L", "H", "H", "H"]],
    }
}

fn eq4_maxes(level: u8) -> &'static [[&'static str; 3]] {
    // SC, SI, SA.
    match level {
        0 => &[["H", "S", "S"]],
        1 => &[["H", "H", "H"]],
        _ => &[["L", "L", "L"]],
    }
}

fn eq5_max(level: u8) -> &'static str {
    match level {
        0 => "A",
        1 => "P",
        _ => "U",
    }
}

/// The depth of each EQ level ("max severity" table), in steps of 0.1.
fn eq1_depth(level: u8) -> f64 {
    match level {
        0 => 1.0,
        1 => 4.0,
        _ => 5.0,
    }
}

fn eq2_depth(level: u8) -> f64 {
    if level == 0 { 1.0 } else { 2.0 }
}

fn eq3_eq6_depth(eq3: u8, eq6: u8) -> f64 {
    match (eq3, eq6) {
        (0, 0) => 7.0,
        (0, _) => 6.0,
        (1, _) => 8.0,
        _ => 10.0,
    }
}

fn eq4_depth(level: u8) -> f64 {
    match level {
        0 => 6.0,
        1 => 5.0,
        _ => 4.0,
    }
}

/// The tabulated score of a MacroVector, if it exists.
fn macro_vector_score(levels: [u8; 6]) -> Option<f64> {
    let mut key = [b'0'; 6];
    for (digit, level) in key.iter_mut().zip(levels) {
        *digit = b'0'.checked_add(level).filter(u8::is_ascii_digit)?;
    }
    let key = std::str::from_utf8(&key).ok()?;
    MACRO_VECTOR_SCORES
        .binary_search_by(|(candidate, _)| (*candidate).cmp(key))
        .ok()
        .and_then(|index| MACRO_VECTOR_SCORES.get(index))
        .map(|(_, score)| *score)
}

/// The score of `levels` with one EQ level raised by one (the next lower
/// MacroVector along that EQ), if that MacroVector exists.
fn next_lower(levels: [u8; 6], eq_index: usize) -> Option<f64> {
    let mut lower = levels;
    let level = lower.get_mut(eq_index)?;
    *level += 1;
    macro_vector_score(lower)
}

/// The v4.0 score of `metrics`, with the groups `groups` selects.
pub(super) fn score(metrics: &Metrics, groups: Groups) -> f64 {
    let effective = Effective::new(metrics, groups);
    // A vector with no impact at all scores 0.
    if [
        effective.vc,
        effective.vi,
        effective.va,
        effective.sc,
        effective.si,
        effective.sa,
    ]
    .iter()
    .all(|value| *value == "N")
    {
        return 0.0;
    }
    let levels = effective.macro_vector();
    let [eq1, eq2, eq3, eq4, eq5, eq6] = levels;
    let Some(value) = macro_vector_score(levels) else {
        // Every reachable MacroVector is tabulated.
        return 0.0;
    };

    // The next lower MacroVector of each EQ. EQ3 and EQ6 move together:
    // 00 → 01 or 10 (the higher scoring), 01 → 11, 10 → 11, 11 → 21.
    let lower_eq1 = next_lower(levels, 0);
    let lower_eq2 = next_lower(levels, 1);
    let lower_eq3_eq6 = match (eq3, eq6) {
        (0, 0) => match (next_lower(levels, 5), next_lower(levels, 2)) {
            (Some(left), Some(right)) => Some(left.max(right)),
            (left, right) => left.or(right),
        },
        (1, 0) => next_lower(levels, 5),
        (2, _) => None,
        _ => next_lower(levels, 2),
    };
    let lower_eq4 = next_lower(levels, 3);
    let lower_eq5 = next_lower(levels, 4);

    // The severity distance from the first highest-severity vector of the
    // MacroVector that is at least as severe in every metric; the reference
    // calculator keeps the last candidate's distances if none is.
    let current = effective.levels();
    let mut distances = None;
    'search: for [av, pr, ui] in eq1_maxes(eq1) {
        for [ac, at] in eq2_maxes(eq2) {
            for [vc, vi, va, cr, ir, ar] in eq3_eq6_maxes(eq3, eq6) {
                for [sc, si, sa] in eq4_maxes(eq4) {
                    let max = Effective {
                        av,
                        ac,
                        at,
                        pr,
                        ui,
                        vc,
                        vi,
                        va,
                        sc,
                        si,
                        sa,
                        e: eq5_max(eq5),
                        cr,
                        ir,
                        ar,
                    };
                    let candidate = current.minus(&max.levels());
                    distances = Some(candidate);
                    if candidate.all_non_negative() {
                        break 'search;
                    }
                }
            }
        }
    }
    let Some(distance) = distances else {
        return round_to_tenth(value);
    };

    const STEP: f64 = 0.1;
    let mut available_lower = 0_u32;
    let mut proportional = |lower: Option<f64>, current_distance: f64, depth: f64| -> f64 {
        match lower {
            Some(lower) => {
                available_lower += 1;
                let max_scoring_difference = value - lower;
                let proportion = current_distance / (depth * STEP);
                max_scoring_difference * proportion
            }
            None => 0.0,
        }
    };
    let eq1_drop = proportional(
        lower_eq1,
        distance.av + distance.pr + distance.ui,
        eq1_depth(eq1),
    );
    let eq2_drop = proportional(lower_eq2, distance.ac + distance.at, eq2_depth(eq2));
    let eq3_eq6_drop = proportional(
        lower_eq3_eq6,
        distance.vc + distance.vi + distance.va + distance.cr + distance.ir + distance.ar,
        eq3_eq6_depth(eq3, eq6),
    );
    let eq4_drop = proportional(
        lower_eq4,
        distance.sc + distance.si + distance.sa,
        eq4_depth(eq4),
    );
    // EQ5 has a single value per level: its distance is always 0, but an
    // existing lower MacroVector still counts towards the mean.
    let eq5_drop = proportional(lower_eq5, 0.0, 1.0);
    let mean_drop = if available_lower == 0 {
        0.0
    } else {
        (eq1_drop + eq2_drop + eq3_eq6_drop + eq4_drop + eq5_drop) / f64::from(available_lower)
    };
    round_to_tenth((value - mean_drop).clamp(0.0, 10.0))
}

/// Half-up rounding to one decimal, with the reference calculator's 1e-6
/// nudge so that 8.6 − 7.15 = 1.4499999999999993 rounds to 1.5.
fn round_to_tenth(x: f64) -> f64 {
    ((x + 1e-6) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_vector_table_is_sorted_and_complete() {
        assert!(
            MACRO_VECTOR_SCORES
                .windows(2)
                .all(|pair| matches!(pair, [a, b] if a.0 < b.0))
        );
        // 3 EQ1 × 2 EQ2 × 5 EQ3/EQ6 pairs (00, 01, 10, 11, 21) × 3 EQ4 × 3 EQ5.
        let mut count = 0;
        for eq1 in 0..3 {
            for eq2 in 0..2 {
                for (eq3, eq6) in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)] {
                    for eq4 in 0..3 {
                        for eq5 in 0..3 {
                            assert!(macro_vector_score([eq1, eq2, eq3, eq4, eq5, eq6]).is_some());
                            count += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(count, MACRO_VECTOR_SCORES.len());
        assert_eq!(macro_vector_score([0, 0, 2, 0, 0, 0]), None);
    }

    #[test]
    fn rounding_nudge() {
        assert_eq!(round_to_tenth(8.6 - 7.15), 1.5);
        assert_eq!(round_to_tenth(4.945833333333333), 4.9);
        assert_eq!(round_to_tenth(4.25), 4.3);
    }
}
