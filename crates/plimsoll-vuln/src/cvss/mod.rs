//! CVSS vector strings and their scores: v2.0, v3.0, v3.1 and v4.0, as
//! advisories carry them (OSV `severity[].score` holds the vector string).
//!
//! | version | vector | score |
//! |---|---|---|
//! | 2.0 | `AV:N/AC:L/Au:N/C:P/I:P/A:P` (no prefix) | base equation of the v2 guide §3.2.1 |
//! | 3.0 | `CVSS:3.0/AV:N/…` | base equations of the v3.0 spec, its Roundup (smallest one-decimal number not below the input) |
//! | 3.1 | `CVSS:3.1/AV:N/…` | base equations of the v3.1 spec §7.1, Roundup of its Appendix A |
//! | 4.0 | `CVSS:4.0/AV:N/…` | MacroVector scoring of the v4.0 spec (EQ1–EQ6, MacroVector table, severity-distance interpolation) |
//!
//! [`parse`] is strict: every mandatory base metric exactly once, only the
//! metrics and values the version defines (case-sensitive, as the specs'
//! tables spell them), no metric twice. Order follows each spec: v3.x vectors
//! may list metrics in any order ("Programs reading CVSS v3.1 vector strings
//! must accept metrics in any order", v3.1 §6), v2 likewise; v4.0 vectors
//! must list them in the specification's order, which is also what FIRST's
//! reference calculator enforces. An error names the metric at fault.
//!
//! [`Cvss::base_score`] is the score of the base metrics alone, which is what
//! an advisory publishes: for v4.0 that is CVSS-B, the score with every
//! threat and environmental metric Not Defined. [`Cvss::score`] also scores
//! the threat and environmental metrics of a v4.0 vector (CVSS-BT, -BE or
//! -BTE). Temporal and environmental metrics of v2/v3 vectors are validated
//! and otherwise ignored: [`Cvss::score`] is their base score.
//!
//! The scores come from the `cvss` crate (RustSec's, 3.x: no dependencies,
//! maintained with cargo-audit), which agrees with RedHat's Python `cvss`
//! library on every v2 and v3.x base vector, on all 104,976 v4.0 base vectors
//! and on 100,000 random v4.0 vectors with threat, environmental and
//! supplemental metrics (see `tests/cvss.rs`). Parsing is done here first,
//! because the crate is laxer than the specs: it upper-cases metric names and
//! values before matching them (`cvss:3.1/av:n/…` parses), takes v4.0
//! metrics in any order, and its errors do not say which metric is out of
//! order. Its v3.1 Roundup truncates `input × 100000` where Appendix A rounds
//! it; no base vector is affected (all 2592 are checked).
//!
//! Tested against the scores published next to vectors in real advisories,
//! the v2 guide's and FIRST's calculator's examples, and a corpus of RedHat's
//! `cvss` Python library (`tests/cvss.rs`, `tests/data/cvss_oracle.tsv`).

mod v2;
mod v3;
mod v4;

use std::fmt;
use std::str::FromStr;

/// Longest vector string [`parse`] reads. A v4.0 vector with every metric is
/// about 190 bytes; anything much longer is not a CVSS vector.
pub const MAX_VECTOR_LEN: usize = 512;

/// Longest excerpt of the input an error message quotes.
const MAX_EXCERPT_CHARS: usize = 48;

/// Parses a CVSS vector string of any supported version.
pub fn parse(vector: &str) -> Result<Cvss, CvssError> {
    if vector.len() > MAX_VECTOR_LEN {
        return Err(CvssError::TooLong { len: vector.len() });
    }
    if vector.is_empty() {
        return Err(CvssError::Empty);
    }
    let (version, body) = if let Some(body) = vector.strip_prefix("CVSS:3.0/") {
        (Version::V3_0, body)
    } else if let Some(body) = vector.strip_prefix("CVSS:3.1/") {
        (Version::V3_1, body)
    } else if let Some(body) = vector.strip_prefix("CVSS:4.0/") {
        (Version::V4_0, body)
    } else if vector.starts_with("CVSS:") {
        let prefix = vector.split('/').next().unwrap_or(vector);
        return Err(CvssError::UnsupportedVersion {
            prefix: excerpt(prefix),
        });
    } else {
        // v2 vectors carry no prefix; only a string that starts like one is
        // taken for one, so that garbage is reported as such.
        let first = vector.split('/').next().unwrap_or(vector);
        let name = first.split(':').next().unwrap_or(first);
        if !v2::GRAMMAR.metrics.iter().any(|def| def.name == name) {
            return Err(CvssError::NotAVector {
                input: excerpt(vector),
            });
        }
        (Version::V2_0, vector)
    };
    let grammar = match version {
        Version::V2_0 => &v2::GRAMMAR,
        Version::V3_0 | Version::V3_1 => &v3::GRAMMAR,
        Version::V4_0 => &v4::GRAMMAR,
    };
    let metrics = grammar.parse(version, body)?;
    let scores = match version {
        Version::V2_0 => v2::base_score(vector).map(|base| (base, base)),
        Version::V3_0 | Version::V3_1 => v3::base_score(vector).map(|base| (base, base)),
        Version::V4_0 => v4::scores(vector, &metrics),
    };
    // The grammar accepts only what the scoring crate reads, so this is not
    // expected; it is an error rather than a panic all the same.
    let (base_score, score) = scores.map_err(|reason| CvssError::Unscored { version, reason })?;
    Ok(Cvss {
        version,
        metrics,
        base_score,
        score,
    })
}

/// A parsed, valid CVSS vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Cvss {
    version: Version,
    metrics: Metrics,
    base_score: f64,
    score: f64,
}

impl Cvss {
    /// The CVSS version the vector's prefix names (v2 vectors have none).
    pub fn version(&self) -> Version {
        self.version
    }

    /// The base score, 0.0 to 10.0 with one decimal, rounded as the version's
    /// specification rounds. For v4.0 this is CVSS-B: threat and
    /// environmental metrics in the vector are ignored.
    pub fn base_score(&self) -> f64 {
        self.base_score
    }

    /// The qualitative rating of [`Cvss::base_score`]: the v3.x/v4.0 rating
    /// scale, or for v2 (whose specification has none) NVD's v2 scale, which
    /// has only Low (0.0–3.9), Medium and High (7.0–10.0).
    pub fn severity(&self) -> Severity {
        let score = self.base_score();
        match self.version {
            Version::V2_0 => Severity::from_v2_score(score),
            _ => Severity::from_score(score),
        }
    }

    /// The score of every metric group the vector carries that this module
    /// scores. v4.0: CVSS-B, -BT, -BE or -BTE as the spec defines them (see
    /// [`Cvss::nomenclature`]). v2/v3: the base score, since their temporal
    /// and environmental equations are not implemented.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// What [`Cvss::score`] measures, in the v4.0 spec's nomenclature:
    /// `CVSS-B` for base metrics only, `CVSS-BT` with threat metrics,
    /// `CVSS-BE` with environmental ones, `CVSS-BTE` with both. Always
    /// `CVSS-B` for v2/v3, whose [`Cvss::score`] is the base score.
    pub fn nomenclature(&self) -> &'static str {
        match self.version {
            Version::V4_0 => v4::nomenclature(&self.metrics),
            _ => "CVSS-B",
        }
    }

    /// The value the vector gives a metric (by its abbreviation, e.g. `AV`),
    /// if the vector lists it.
    pub fn metric(&self, name: &str) -> Option<&'static str> {
        self.metrics.get(name)
    }
}

impl FromStr for Cvss {
    type Err = CvssError;

    fn from_str(vector: &str) -> Result<Self, Self::Err> {
        parse(vector)
    }
}

/// A CVSS specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    V2_0,
    V3_0,
    V3_1,
    V4_0,
}

impl Version {
    /// The version as vectors spell it: `2.0`, `3.0`, `3.1`, `4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Qualitative severity rating, ordered from None to Critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The qualitative severity rating scale of v3.x (v3.1 §5) and v4.0:
    /// None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0.
    pub fn from_score(score: f64) -> Severity {
        // Scores carry one decimal; comparing against the midpoints keeps a
        // score such as 3.9000000000000004 in its band.
        if score < 0.05 {
            Severity::None
        } else if score < 3.95 {
            Severity::Low
        } else if score < 6.95 {
            Severity::Medium
        } else if score < 8.95 {
            Severity::High
        } else {
            Severity::Critical
        }
    }

    /// NVD's scale for v2 base scores: Low 0.0–3.9, Medium 4.0–6.9,
    /// High 7.0–10.0.
    pub fn from_v2_score(score: f64) -> Severity {
        if score < 3.95 {
            Severity::Low
        } else if score < 6.95 {
            Severity::Medium
        } else {
            Severity::High
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a valid CVSS vector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("empty CVSS vector")]
    Empty,
    #[error("CVSS vector of {len} bytes is longer than {MAX_VECTOR_LEN}")]
    TooLong { len: usize },
    #[error(
        "unsupported CVSS version prefix {prefix:?} (expected CVSS:3.0, CVSS:3.1 or CVSS:4.0, or a bare v2 vector)"
    )]
    UnsupportedVersion { prefix: String },
    #[error("not a CVSS vector: {input:?}")]
    NotAVector { input: String },
    #[error("malformed CVSS {version} component {component:?} (expected METRIC:VALUE)")]
    MalformedComponent { version: Version, component: String },
    #[error("unknown CVSS {version} metric {metric:?}")]
    UnknownMetric { version: Version, metric: String },
    #[error("invalid value {value:?} for CVSS {version} metric {metric}")]
    InvalidValue {
        version: Version,
        metric: &'static str,
        value: String,
    },
    #[error("CVSS {version} metric {metric} appears more than once")]
    DuplicateMetric {
        version: Version,
        metric: &'static str,
    },
    #[error("CVSS {version} metric {metric} must come before {after}")]
    OutOfOrder {
        version: Version,
        metric: &'static str,
        after: &'static str,
    },
    #[error("CVSS {version} vector lacks the mandatory base metric {metric}")]
    MissingMetric {
        version: Version,
        metric: &'static str,
    },
    #[error("CVSS {version} vector could not be scored: {reason}")]
    Unscored { version: Version, reason: String },
}

/// At most [`MAX_EXCERPT_CHARS`] characters of untrusted input, for errors.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// One metric a version defines: its abbreviation and every value it allows.
struct MetricDef {
    name: &'static str,
    values: &'static [&'static str],
}

/// The metric `name` with the values it allows, as a version's table lists
/// them.
const fn metric(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef { name, values }
}

/// Most metrics any version defines (v4.0: 11 base, 1 threat, 14
/// environmental, 6 supplemental).
const MAX_METRICS: usize = 32;

/// The vector syntax of one version.
struct Grammar {
    /// Every metric, in the specification's order; the mandatory base
    /// metrics come first.
    metrics: &'static [MetricDef],
    /// How many of the first `metrics` are mandatory.
    mandatory: usize,
    /// Whether metrics must appear in the order of `metrics`.
    ordered: bool,
}

/// The metric values of a parsed vector, by position in its grammar; each
/// value is the grammar's own `&'static str`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Metrics {
    defs: &'static [MetricDef],
    values: [Option<&'static str>; MAX_METRICS],
}

impl fmt::Debug for MetricDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for MetricDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for MetricDef {}

impl Metrics {
    /// The value the vector gives `name`, if it lists it.
    fn get(&self, name: &str) -> Option<&'static str> {
        let index = self.defs.iter().position(|def| def.name == name)?;
        self.values.get(index).copied().flatten()
    }

    /// The value of `name`, or `X` (Not Defined) when the vector omits it.
    fn get_or_x(&self, name: &str) -> &'static str {
        self.get(name).unwrap_or("X")
    }
}

impl Grammar {
    /// Parses the `/`-separated `METRIC:VALUE` components after the prefix.
    fn parse(&'static self, version: Version, body: &str) -> Result<Metrics, CvssError> {
        let mut values = [None; MAX_METRICS];
        let mut previous: Option<usize> = None;
        for component in body.split('/') {
            let malformed = || CvssError::MalformedComponent {
                version,
                component: excerpt(component),
            };
            let (name, value) = component.split_once(':').ok_or_else(malformed)?;
            if name.is_empty() || value.is_empty() || value.contains(':') {
                return Err(malformed());
            }
            let unknown = || CvssError::UnknownMetric {
                version,
                metric: excerpt(name),
            };
            let (index, def) = self
                .metrics
                .iter()
                .enumerate()
                .find(|(_, def)| def.name == name)
                .ok_or_else(unknown)?;
            // Only a grammar of more than MAX_METRICS metrics has no slot.
            let slot = values.get_mut(index).ok_or_else(unknown)?;
            if slot.is_some() {
                return Err(CvssError::DuplicateMetric {
                    version,
                    metric: def.name,
                });
            }
            if self.ordered
                && let Some(after) = previous
                    .filter(|&p| p > index)
                    .and_then(|p| self.metrics.get(p))
            {
                return Err(CvssError::OutOfOrder {
                    version,
                    metric: def.name,
                    after: after.name,
                });
            }
            let value = def
                .values
                .iter()
                .find(|allowed| **allowed == value)
                .ok_or_else(|| CvssError::InvalidValue {
                    version,
                    metric: def.name,
                    value: excerpt(value),
                })?;
            *slot = Some(*value);
            previous = Some(index);
        }
        let missing = self
            .metrics
            .iter()
            .zip(values.iter())
            .take(self.mandatory)
            .find(|(_, value)| value.is_none());
        if let Some((def, _)) = missing {
            return Err(CvssError::MissingMetric {
                version,
                metric: def.name,
            });
        }
        Ok(Metrics {
            defs: self.metrics,
            values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_metric_at_fault() {
        let cases: &[(&str, CvssError)] = &[
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                CvssError::MissingMetric {
                    version: Version::V3_1,
                    metric: "A",
                },
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L",
                CvssError::DuplicateMetric {
                    version: Version::V3_1,
                    metric: "AV",
                },
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q",
                CvssError::InvalidValue {
                    version: Version::V3_1,
                    metric: "A",
                    value: "Q".into(),
                },
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X",
                CvssError::UnknownMetric {
                    version: Version::V3_1,
                    metric: "ZZ".into(),
                },
            ),
            (
                "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                CvssError::OutOfOrder {
                    version: Version::V4_0,
                    metric: "AV",
                    after: "AC",
                },
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
                CvssError::MissingMetric {
                    version: Version::V4_0,
                    metric: "SA",
                },
            ),
            (
                "CVSS:3.2/AV:N",
                CvssError::UnsupportedVersion {
                    prefix: "CVSS:3.2".into(),
                },
            ),
            (
                "hello",
                CvssError::NotAVector {
                    input: "hello".into(),
                },
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
                CvssError::MalformedComponent {
                    version: Version::V3_1,
                    component: String::new(),
                },
            ),
            (
                "AV:N/AC:L/Au:N/C:P/I:P",
                CvssError::MissingMetric {
                    version: Version::V2_0,
                    metric: "A",
                },
            ),
        ];
        for (vector, expected) in cases {
            assert_eq!(parse(vector).as_ref(), Err(expected), "{vector}");
        }
    }

    #[test]
    fn metric_names_and_values_are_case_sensitive() {
        assert!(parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_ok());
        assert!(matches!(
            parse("CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::UnknownMetric { .. })
        ));
        assert!(matches!(
            parse("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::InvalidValue { metric: "AV", .. })
        ));
        assert!(matches!(
            parse("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::NotAVector { .. })
        ));
    }

    #[test]
    fn errors_quote_at_most_a_bounded_excerpt() {
        let long_value = "Q".repeat(400);
        let vector = format!("CVSS:3.1/AV:{long_value}");
        let message = parse(&vector).map(|_| ()).unwrap_err().to_string();
        assert!(message.len() < 200, "{message}");
        assert_eq!(
            parse(&"A".repeat(MAX_VECTOR_LEN + 1)),
            Err(CvssError::TooLong {
                len: MAX_VECTOR_LEN + 1
            })
        );
    }

    #[test]
    fn severity_bands_follow_the_rating_scale() {
        let bands = [
            (0.0, Severity::None),
            (0.1, Severity::Low),
            (3.9, Severity::Low),
            (4.0, Severity::Medium),
            (6.9, Severity::Medium),
            (7.0, Severity::High),
            (8.9, Severity::High),
            (9.0, Severity::Critical),
            (10.0, Severity::Critical),
        ];
        for (score, severity) in bands {
            assert_eq!(Severity::from_score(score), severity, "{score}");
        }
        assert_eq!(Severity::from_v2_score(0.0), Severity::Low);
        assert_eq!(Severity::from_v2_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_v2_score(7.0), Severity::High);
        assert_eq!(Severity::from_v2_score(10.0), Severity::High);
    }
}
