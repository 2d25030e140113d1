//! The OSV advisory model: what plimsoll keeps of an OSV record
//! (<https://ossf.github.io/osv-schema/>), and the parser that reads one.
//!
//! An OSV record says which versions of which packages a vulnerability
//! affects. plimsoll keeps, per record, an [`Advisory`] (id, aliases,
//! summary, severities, dates, a few references) and one [`Affected`] per
//! `affected[]` entry that names a package (ecosystem string exactly as OSV
//! spells it, name, purl, ranges as data, explicit versions, severities).
//! The long `details` text, credits and the bulk of `database_specific` are
//! dropped: a scanner needs to decide and to point at the advisory, not to
//! reprint it.
//!
//! Ranges stay data (rustsec's lesson): events are kept in the order the
//! record gives them, and the matcher replays them with
//! [`crate::compare`] for `ECOSYSTEM` ranges and SemVer precedence for
//! `SEMVER` ranges. `GIT` ranges (commit hashes) are kept for completeness
//! but an installed package has no commit to compare.
//!
//! The parser is strict where leniency would turn into a wrong answer (a
//! range event it cannot read could be the `fixed` that clears a package, so
//! the whole record is refused with the reason) and lenient where nothing is
//! lost (unknown fields, `null` lists, `affected` entries without a package,
//! which OSV allows for pure git ranges).

use serde::{Deserialize, Deserializer, Serialize};

use crate::version::Ecosystem;

/// Largest OSV record read, in bytes. Real records reach a few MiB (Ubuntu's
/// kernel records enumerate thousands of versions); anything far beyond that
/// is not an advisory.
pub const MAX_RECORD_BYTES: u64 = 32 << 20;
/// Longest id, alias, ecosystem, package name or version string kept.
const MAX_IDENT: usize = 1024;
/// Longest summary kept (characters); longer ones are cut at a char boundary.
const MAX_SUMMARY_CHARS: usize = 400;
/// References kept per advisory, advisories and fixes first.
const MAX_REFERENCES: usize = 5;
/// Longest reference URL or severity string kept.
const MAX_URL: usize = 2048;

/// One advisory's metadata, shared by all its [`Affected`] entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record's id (`GHSA-…`, `DSA-3029-1`, `GO-2024-0001`, `CVE-…`).
    pub id: String,
    /// Other ids of the same vulnerability: OSV `aliases` plus `upstream`
    /// (the ids a downstream record such as `UBUNTU-CVE-…` derives from),
    /// sorted, without `id` itself.
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities (OSV `related`): never
    /// merged.
    pub related: Vec<String>,
    /// `summary`, or the first line of `details` when there is no summary.
    pub summary: String,
    /// RFC 3339 time the record was published, as the record spells it.
    pub published: Option<String>,
    /// RFC 3339 time of the record's last change.
    pub modified: String,
    /// Record-level severities: `severity[]` (CVSS vectors, Ubuntu
    /// priorities) and severity strings of the top-level `database_specific`
    /// (GHSA's `"HIGH"`).
    pub severity: Vec<SeverityEntry>,
    /// A few references (advisory and fix links first).
    pub references: Vec<Reference>,
    /// The alias group this advisory belongs to, filled in by the database
    /// (see [`crate::db`]): advisories of one group are one vulnerability.
    pub group: u32,
    /// The group's name: its CVE id when it has one, else its GHSA id, else
    /// its smallest id. Empty until the database fills it in.
    pub vulnerability_id: String,
    /// What kind of record this is: an OSV record, or a CVE record made from
    /// NVD's CVE JSON 2.0, CISA's KEV catalog or FIRST's EPSS scores
    /// ([`crate::enrich`]).
    pub origin: Origin,
    /// The CVE's entry in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: Option<Kev>,
    /// The CVE's FIRST EPSS score.
    pub epss: Option<Epss>,
}

/// What kind of record an [`Advisory`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// An OSV record (it may also carry KEV or EPSS facts merged into it).
    #[default]
    Osv,
    /// A CVE record from NVD's CVE JSON 2.0 (it may also carry KEV or EPSS facts).
    Nvd,
    /// A CVE known only from CISA's KEV catalog or FIRST's EPSS scores.
    Catalog,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Osv => "osv",
            Origin::Nvd => "nvd",
            Origin::Catalog => "catalog",
        }
    }
}

/// A CVE's entry in CISA's Known Exploited Vulnerabilities catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    /// `dateAdded`: when CISA listed it (YYYY-MM-DD).
    pub date_added: String,
    /// `dueDate`: the remediation deadline for US federal agencies.
    pub due_date: String,
    /// `knownRansomwareCampaignUse`: `Known` or `Unknown`.
    pub ransomware: String,
    /// `vulnerabilityName`.
    pub name: String,
    /// The catalog's `catalogVersion`.
    pub catalog: String,
}

/// A CVE's FIRST EPSS score: the probability of exploitation activity in
/// the next 30 days, and its percentile among all scored CVEs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// 0 to 1.
    pub score: f64,
    /// 0 to 1.
    pub percentile: f64,
    /// The scores' date (`score_date` of the file, YYYY-MM-DD), empty when
    /// the file does not say.
    pub date: String,
    /// The EPSS model (`model_version` of the file, `v2025.03.14`).
    pub model: String,
}

// Scores are read from decimal text and checked to be in [0, 1]: never NaN.
impl Eq for Epss {}

/// One `affected[]` entry: a package in an ecosystem, and which of its
/// versions are affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The OSV ecosystem string, release suffix included: `Debian:12`,
    /// `Alpine:v3.18`, `AlmaLinux:8`, `PyPI`, `Red Hat:rhel_e4s:9.2::appstream`.
    pub ecosystem: String,
    /// The package name as the record spells it.
    pub name: String,
    /// The package's purl, when the record gives one.
    pub purl: Option<String>,
    /// Version ranges, in record order.
    pub ranges: Vec<Range>,
    /// Explicitly enumerated affected versions.
    pub versions: Vec<String>,
    /// Per-package severities: `affected[].severity[]` and the severity
    /// strings of `ecosystem_specific`/`database_specific` (Debian's
    /// `urgency`, RustSec's `cvss`).
    pub severity: Vec<SeverityEntry>,
}

/// A version range: events replayed in order over sorted versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub kind: RangeKind,
    /// The repository of a `GIT` range.
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

/// OSV `ranges[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    /// Versions ordered by the ecosystem's own rules.
    Ecosystem,
    /// SemVer 2.0.0 precedence.
    Semver,
    /// Commit hashes of `repo`.
    Git,
}

/// One range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Affected from this version on (`"0"`: from the first version).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// The last affected version (affected up to and including it).
    LastAffected(String),
    /// Upper bound of the range (exclusive), not a fix.
    Limit(String),
}

/// A severity as the record states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityEntry {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or `Ubuntu` for `severity[]` entries;
    /// `ecosystem_specific.<key>` / `database_specific.<key>` for the free
    /// strings (`ecosystem_specific.urgency`, `database_specific.severity`,
    /// `database_specific.cvss`).
    pub kind: String,
    /// The vector or the word, as written (`CVSS:3.1/AV:N/…`, `HIGH`, `low`).
    pub score: String,
}

/// A reference link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// OSV reference type (`ADVISORY`, `FIX`, `WEB`, …).
    pub kind: String,
    pub url: String,
}

impl Advisory {
    /// The id and every alias: the identifiers of this vulnerability.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The CVSS vectors among the severities (`CVSS_V*` entries and
    /// `database_specific.cvss`).
    pub fn cvss_vectors(&self) -> impl Iterator<Item = &SeverityEntry> {
        self.severity.iter().filter(|s| s.is_cvss())
    }
}

impl SeverityEntry {
    /// Whether the score is a CVSS vector.
    pub fn is_cvss(&self) -> bool {
        self.kind.starts_with("CVSS_") || self.score.starts_with("CVSS:")
    }
}

impl Affected {
    /// The ranges over versions (`ECOSYSTEM`, `SEMVER`), without the `GIT`
    /// ranges over commits.
    pub fn version_ranges(&self) -> impl Iterator<Item = &Range> {
        self.ranges.iter().filter(|r| r.kind != RangeKind::Git)
    }

    /// The version-ordering family of the ecosystem, when plimsoll knows it.
    pub fn ordering(&self) -> Option<Ecosystem> {
        Ecosystem::from_osv(&self.ecosystem)
    }

    /// Every `fixed` version of every version range, in record order: the
    /// versions to upgrade to. A `GIT` range's fixes are commits, not
    /// versions a package manager installs, and are left out.
    pub fn fixed_versions(&self) -> impl Iterator<Item = &str> {
        self.version_ranges().flat_map(|r| {
            r.events.iter().filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
        })
    }
}

/// Why a record was refused. The message is shown to the user after the
/// file name.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    #[error("not an OSV record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("record is {size} bytes, over the {max}-byte limit")]
    TooLarge { size: u64, max: u64 },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is {len} bytes long, over the {max}-byte limit")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error(
        "affected[{index}] ({package}): unknown range type {kind:?} (OSV has ECOSYSTEM, SEMVER, GIT)"
    )]
    RangeType {
        index: usize,
        package: String,
        kind: String,
    },
    #[error(
        "affected[{index}] ({package}): a range event must hold exactly one of introduced, fixed, last_affected, limit"
    )]
    Event { index: usize, package: String },
    #[error("affected[{index}] ({package}): a GIT range has no repo")]
    GitRepo { index: usize, package: String },
}

/// What one record turned out to be.
#[derive(Debug)]
pub enum Parsed {
    /// A live advisory.
    Record(Box<Record>),
    /// A withdrawn advisory (`withdrawn` is set): it must not be reported.
    Withdrawn { id: String },
}

/// A parsed, live advisory.
#[derive(Debug, Clone)]
pub struct Record {
    pub advisory: Advisory,
    pub affected: Vec<Affected>,
    /// `affected[]` entries without a package (pure git ranges): not
    /// indexable by package, so not kept.
    pub affected_without_package: usize,
}

/// Reads one OSV record (JSON).
pub fn parse(bytes: &[u8]) -> Result<Parsed, OsvError> {
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(OsvError::TooLarge {
            size: bytes.len() as u64,
            max: MAX_RECORD_BYTES,
        });
    }
    let raw: RawRecord = serde_json::from_slice(bytes)?;
    let id = ident("id", raw.id)?;
    if raw.withdrawn.is_some() {
        return Ok(Parsed::Withdrawn { id });
    }

    let mut aliases: Vec<String> = Vec::new();
    for a in raw.aliases.into_iter().chain(raw.upstream) {
        let a = ident("aliases[]", a)?;
        if a != id {
            aliases.push(a);
        }
    }
    aliases.sort();
    aliases.dedup();
    let mut related = raw
        .related
        .into_iter()
        .map(|r| ident("related[]", r))
        .collect::<Result<Vec<_>, _>>()?;
    related.sort();
    related.dedup();

    let summary = match raw.summary.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => cut_chars(s, MAX_SUMMARY_CHARS),
        _ => raw
            .details
            .as_deref()
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(|l| cut_chars(l, MAX_SUMMARY_CHARS))
            .unwrap_or_default(),
    };

    let mut severity = severities(raw.severity);
    severity.extend(specific_severities(
        "database_specific",
        &raw.database_specific,
    ));

    let advisory = Advisory {
        id,
        aliases,
        related,
        summary,
        published: raw.published.map(|p| cut_bytes(&p, 64)),
        modified: cut_bytes(&raw.modified, 64),
        severity,
        references: references(raw.references),
        group: 0,
        vulnerability_id: String::new(),
        origin: Origin::Osv,
        kev: None,
        epss: None,
    };

    let mut affected = Vec::with_capacity(raw.affected.len());
    let mut affected_without_package = 0;
    for (index, a) in raw.affected.into_iter().enumerate() {
        let Some(package) = a.package else {
            affected_without_package += 1;
            continue;
        };
        let ecosystem = ident("affected[].package.ecosystem", package.ecosystem)?;
        let name = ident("affected[].package.name", package.name)?;
        let label = || format!("{ecosystem}/{name}");
        let mut ranges = Vec::with_capacity(a.ranges.len());
        for r in a.ranges {
            let kind = match r.kind.as_str() {
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "SEMVER" => RangeKind::Semver,
                "GIT" => RangeKind::Git,
                _ => {
                    return Err(OsvError::RangeType {
                        index,
                        package: label(),
                        kind: cut_bytes(&r.kind, 64),
                    });
                }
            };
            if kind == RangeKind::Git && r.repo.as_deref().is_none_or(str::is_empty) {
                return Err(OsvError::GitRepo {
                    index,
                    package: label(),
                });
            }
            let mut events = Vec::with_capacity(r.events.len());
            for e in r.events {
                let event = match (e.introduced, e.fixed, e.last_affected, e.limit) {
                    (Some(v), None, None, None) => Event::Introduced(ident("introduced", v)?),
                    (None, Some(v), None, None) => Event::Fixed(ident("fixed", v)?),
                    (None, None, Some(v), None) => Event::LastAffected(ident("last_affected", v)?),
                    (None, None, None, Some(v)) => Event::Limit(ident("limit", v)?),
                    _ => {
                        return Err(OsvError::Event {
                            index,
                            package: label(),
                        });
                    }
                };
                events.push(event);
            }
            ranges.push(Range {
                kind,
                repo: r.repo.map(|u| cut_bytes(&u, MAX_URL)),
                events,
            });
        }
        let versions = a
            .versions
            .into_iter()
            .map(|v| ident("affected[].versions[]", v))
            .collect::<Result<Vec<_>, _>>()?;
        let mut severity = severities(a.severity);
        severity.extend(specific_severities(
            "ecosystem_specific",
            &a.ecosystem_specific,
        ));
        severity.extend(specific_severities(
            "database_specific",
            &a.database_specific,
        ));
        affected.push(Affected {
            ecosystem,
            name,
            purl: package
                .purl
                .filter(|p| !p.is_empty())
                .map(|p| cut_bytes(&p, MAX_URL)),
            ranges,
            versions,
            severity,
        });
    }

    Ok(Parsed::Record(Box::new(Record {
        advisory,
        affected,
        affected_without_package,
    })))
}

fn ident(field: &'static str, s: String) -> Result<String, OsvError> {
    if s.trim().is_empty() {
        return Err(OsvError::Empty { field });
    }
    if s.len() > MAX_IDENT {
        return Err(OsvError::TooLong {
            field,
            len: s.len(),
            max: MAX_IDENT,
        });
    }
    Ok(s)
}

fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

fn cut_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    s[..at].to_string()
}

fn severities(raw: Vec<RawSeverity>) -> Vec<SeverityEntry> {
    raw.into_iter()
        .filter(|s| !s.score.trim().is_empty())
        .map(|s| SeverityEntry {
            kind: cut_bytes(&s.kind, 64),
            score: cut_bytes(s.score.trim(), MAX_URL),
        })
        .collect()
}

/// The severity words OSV producers put in their free-form objects: GHSA's
/// and Ubuntu's `severity`, Debian's `urgency`, `priority`, RustSec's `cvss`
/// vector. Only string values count (RustSec writes `"cvss": null`).
fn specific_severities(prefix: &str, specific: &Option<RawSpecific>) -> Vec<SeverityEntry> {
    let Some(s) = specific else {
        return Vec::new();
    };
    [
        ("severity", &s.severity),
        ("urgency", &s.urgency),
        ("priority", &s.priority),
        ("cvss", &s.cvss),
    ]
    .into_iter()
    .filter_map(|(key, value)| match value {
        Some(serde_json::Value::String(v)) if !v.trim().is_empty() => Some(SeverityEntry {
            kind: format!("{prefix}.{key}"),
            score: cut_bytes(v.trim(), MAX_URL),
        }),
        _ => None,
    })
    .collect()
}

/// Keeps advisory and fix links first, then the rest in record order.
fn references(mut raw: Vec<RawReference>) -> Vec<Reference> {
    let rank = |kind: &str| match kind {
        "ADVISORY" => 0,
        "FIX" => 1,
        "WEB" => 2,
        _ => 3,
    };
    raw.retain(|r| !r.url.is_empty());
    raw.sort_by_key(|r| rank(&r.kind));
    raw.into_iter()
        .take(MAX_REFERENCES)
        .map(|r| Reference {
            kind: cut_bytes(&r.kind, 32),
            url: cut_bytes(&r.url, MAX_URL),
        })
        .collect()
}

// The JSON shape, as lenient as is safe: unknown fields are ignored and
// `null` stands for an empty list.

#[derive(Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    modified: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<serde::de::IgnoredAny>,
    #[serde(default, deserialize_with = "null_as_empty")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    upstream: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    related: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_as_empty")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "null_as_empty")]
    references: Vec<RawReference>,
    #[serde(default)]
    database_specific: Option<RawSpecific>,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default, deserialize_with = "null_as_empty")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "null_as_empty")]
    versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    ecosystem_specific: Option<RawSpecific>,
    #[serde(default)]
    database_specific: Option<RawSpecific>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    score: String,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
}

/// The few severity keys of a `*_specific` object; every other key is
/// skipped without being kept.
#[derive(Deserialize)]
struct RawSpecific {
    #[serde(default)]
    severity: Option<serde_json::Value>,
    #[serde(default)]
    urgency: Option<serde_json::Value>,
    #[serde(default)]
    priority: Option<serde_json::Value>,
    #[serde(default)]
    cvss: Option<serde_json::Value>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Record {
        match parse(json.as_bytes()).unwrap() {
            Parsed::Record(r) => *r,
            Parsed::Withdrawn { id } => panic!("{id} unexpectedly withdrawn"),
        }
    }

    #[test]
    fn reads_ranges_versions_and_every_kind_of_severity() {
        let r = record(
            r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-02T00:00:00Z",
            "published":"2024-01-01T00:00:00Z","aliases":["CVE-2024-1","GHSA-aaaa-bbbb-cccc"],
            "upstream":["CVE-2024-1"],"related":null,"summary":"  bad thing ",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "database_specific":{"severity":"HIGH","cwe_ids":["CWE-1"]},
            "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl","purl":"pkg:deb/debian/openssl"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]},
                        {"type":"GIT","repo":"https://example.org/r.git","events":[{"introduced":"abc"},{"limit":"def"}]}],
              "versions":["3.0.9-1"],"ecosystem_specific":{"urgency":"medium"},
              "database_specific":{"cvss":null}},
              {"ranges":[{"type":"GIT","repo":"https://example.org/x","events":[{"introduced":"0"}]}]}]}"#,
        );
        let a = &r.advisory;
        assert_eq!(
            a.aliases,
            ["CVE-2024-1"],
            "id dropped, upstream merged, deduped"
        );
        assert_eq!(a.summary, "bad thing");
        assert_eq!(a.severity.len(), 2);
        assert_eq!(a.severity[1].kind, "database_specific.severity");
        assert_eq!(r.affected_without_package, 1);
        let f = &r.affected[0];
        assert_eq!(f.ecosystem, "Debian:12");
        assert_eq!(f.fixed_versions().collect::<Vec<_>>(), ["3.0.11-1~deb12u2"]);
        assert_eq!(f.ranges[1].events[1], Event::Limit("def".into()));
        assert_eq!(f.severity.len(), 1, "null cvss skipped");
        assert_eq!(f.severity[0].score, "medium");
        assert_eq!(f.ordering(), Some(Ecosystem::Debian));
    }

    #[test]
    fn withdrawn_records_are_recognised() {
        let p = parse(br#"{"id":"GO-1","modified":"x","withdrawn":"2024-01-01T00:00:00Z"}"#);
        assert!(matches!(p, Ok(Parsed::Withdrawn { id }) if id == "GO-1"));
    }

    #[test]
    fn summary_falls_back_to_the_first_line_of_details() {
        let r = record(r#"{"id":"X-1","modified":"m","details":"\n\n first line \nsecond"}"#);
        assert_eq!(r.advisory.summary, "first line");
    }

    #[test]
    fn refuses_what_could_turn_into_a_wrong_answer() {
        for (json, why) in [
            (r#"{"id":136,"module_name":"x"}"#, "invalid type"),
            (r#"{"modified":"m"}"#, "missing field `id`"),
            (r#"{"id":" ","modified":"m"}"#, "id is empty"),
            (
                r#"{"id":"A","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#,
                "exactly one",
            ),
            (
                r#"{"id":"A","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"NPM","events":[]}]}]}"#,
                "unknown range type",
            ),
            (r#"[1,2]"#, "not an OSV record"),
        ] {
            let e = parse(json.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(why), "{json}: {e}");
        }
    }

    #[test]
    fn references_put_advisories_first_and_are_capped() {
        let refs: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"type":"WEB","url":"https://w/{i}"}}"#))
            .chain([r#"{"type":"ADVISORY","url":"https://a"}"#.to_string()])
            .collect();
        let r = record(&format!(
            r#"{{"id":"A","modified":"m","references":[{}]}}"#,
            refs.join(",")
        ));
        assert_eq!(r.advisory.references.len(), MAX_REFERENCES);
        assert_eq!(r.advisory.references[0].url, "https://a");
    }
}
