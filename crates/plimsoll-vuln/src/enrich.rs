//! CVE facts from outside OSV, imported next to the OSV records by `plimsoll
//! db import` (the kind of each file is told by its content, not its name):
//!
//! | file | what plimsoll keeps | shape |
//! |---|---|---|
//! | NVD CVE JSON 2.0: an API response or a yearly feed (`{"format":"NVD_CVE", "vulnerabilities":[{"cve":{…}}]}`), or one `cve` object (the per-CVE files of NVD mirrors) | per CVE: its description, dates and one CVSS vector per version (`cvssMetricV40`, `V31`, `V30`, `V2`; NVD's own `Primary` metric first, else the first `Secondary` one, e.g. CISA-ADP's) | [`NvdRecord`] |
//! | CISA's Known Exploited Vulnerabilities catalog (`{"catalogVersion":…, "vulnerabilities":[{"cveID":…}]}`) | per CVE: date added, due date, ransomware use, name | [`Kev`] |
//! | FIRST's EPSS scores (`#model_version:…,score_date:…` comment line, `cve,epss,percentile` header; plain or gzip) | per CVE: score, percentile, date, model | [`Epss`] |
//!
//! Every fact is about one CVE, and the database keeps them on that CVE's
//! record: an OSV record whose id is the CVE gets them merged in; otherwise,
//! when an OSV record names the CVE (alias or upstream id), a record is made
//! for it ([`Origin::Nvd`](crate::osv::Origin::Nvd) when NVD described it, else [`Origin::Catalog`](crate::osv::Origin::Catalog)),
//! with no affected package. Facts about CVEs no OSV record names are
//! dropped (counted): NVD's feeds and EPSS's file cover every CVE, and 300,000
//! records no finding can reach cost a 54 MiB larger database and 0.4 s more
//! to open it (measured before this rule). Such a record joins the
//! alias group of every advisory that names the CVE (see
//! [`crate::db::alias`]), which is how a finding whose matched records carry
//! no severity takes one from NVD, and how every finding shows its KEV entry
//! and EPSS score ([`crate::findings`]).
//!
//! The parsers are strict: a file of one of these kinds that cannot be read
//! whole (a CVE id that is not one, a score outside 0..1, a row with the
//! wrong number of fields) is refused with the line or entry at fault, and
//! the import lists it as malformed; a rejected NVD record (`vulnStatus`
//! `Rejected`) is skipped, and so is a CVSS vector that does not parse (the
//! next source's vector of that version is taken).

use std::io::{BufRead, Read};

use serde::Deserialize;

use crate::osv::{Epss, Kev, SeverityEntry};

/// Bytes of a file's start that [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 4096;

/// Longest summary kept (characters), as for OSV records.
const MAX_SUMMARY_CHARS: usize = 400;

/// A file kind other than an OSV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nvd,
    Kev,
    Epss,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nvd => "NVD CVE JSON 2.0",
            Kind::Kev => "CISA KEV catalog",
            Kind::Epss => "FIRST EPSS scores",
        }
    }
}

/// Why a file of one of these kinds was refused.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error("{kind}: not readable: {error}")]
    Json {
        kind: &'static str,
        error: serde_json::Error,
    },
    #[error("{kind}: {what}")]
    Invalid { kind: &'static str, what: String },
    #[error("FIRST EPSS scores: line {line}: {what}")]
    Epss { line: usize, what: String },
    #[error("reading: {0}")]
    Io(#[from] std::io::Error),
}

/// What the start of a file says it is; `None`: an OSV record (or anything
/// else, which the OSV parser then refuses).
pub fn sniff(head: &[u8]) -> Option<Kind> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("#model_version") || text.to_ascii_lowercase().starts_with("cve,epss") {
        return Some(Kind::Epss);
    }
    if !text.starts_with('{') {
        return None;
    }
    if text.contains("\"catalogVersion\"")
        || (text.contains("\"vulnerabilities\"") && text.contains("\"cveID\""))
    {
        return Some(Kind::Kev);
    }
    if text.contains("\"NVD_CVE\"")
        || (text.contains("\"sourceIdentifier\"") && text.contains("\"vulnStatus\""))
    {
        return Some(Kind::Nvd);
    }
    None
}

/// One fact about one CVE.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    Nvd(Box<NvdRecord>),
    Kev(Box<Kev>),
    Epss(Epss),
}

/// What plimsoll keeps of an NVD CVE record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvdRecord {
    /// The English description's first line.
    pub summary: String,
    pub published: Option<String>,
    /// `lastModified`: the newest record of a CVE wins.
    pub modified: String,
    /// One CVSS vector per version, newest version last, as `CVSS_V4`,
    /// `CVSS_V3` or `CVSS_V2` entries (the kinds OSV uses).
    pub severity: Vec<SeverityEntry>,
}

/// Reads a file of `kind`: every fact it holds, with its CVE id.
pub fn parse(kind: Kind, reader: impl Read) -> Result<Vec<(String, Fact)>, EnrichError> {
    match kind {
        Kind::Nvd => parse_nvd(reader),
        Kind::Kev => parse_kev(reader),
        Kind::Epss => parse_epss(std::io::BufReader::new(reader)),
    }
}

fn cve_id(kind: Kind, id: &str) -> Result<String, EnrichError> {
    let id = id.trim();
    let valid = id
        .strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(year, n)| {
            year.len() == 4
                && year.bytes().all(|b| b.is_ascii_digit())
                && (4..=19).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_digit())
        });
    if valid {
        Ok(id.to_string())
    } else {
        Err(EnrichError::Invalid {
            kind: kind.as_str(),
            what: format!("{:?} is not a CVE id (CVE-YYYY-NNNN)", cut(id, 64)),
        })
    }
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

// NVD CVE JSON 2.0 (https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema).

#[derive(Deserialize)]
#[serde(untagged)]
enum NvdFile {
    Feed { vulnerabilities: Vec<NvdItem> },
    One(Box<NvdCve>),
}

#[derive(Deserialize)]
struct NvdItem {
    cve: NvdCve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCve {
    id: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<NvdDescription>,
    #[serde(default)]
    metrics: NvdMetrics,
}

#[derive(Deserialize)]
struct NvdDescription {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NvdMetrics {
    #[serde(default)]
    cvss_metric_v40: Vec<NvdMetric>,
    #[serde(default)]
    cvss_metric_v31: Vec<NvdMetric>,
    #[serde(default)]
    cvss_metric_v30: Vec<NvdMetric>,
    #[serde(default)]
    cvss_metric_v2: Vec<NvdMetric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdMetric {
    #[serde(rename = "type", default)]
    kind: String,
    cvss_data: NvdCvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCvssData {
    vector_string: String,
}

fn parse_nvd(reader: impl Read) -> Result<Vec<(String, Fact)>, EnrichError> {
    let file: NvdFile =
        serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|error| {
            EnrichError::Json {
                kind: Kind::Nvd.as_str(),
                error,
            }
        })?;
    let cves = match file {
        NvdFile::Feed { vulnerabilities } => vulnerabilities.into_iter().map(|v| v.cve).collect(),
        NvdFile::One(cve) => vec![*cve],
    };
    let mut out = Vec::with_capacity(cves.len());
    for cve in cves {
        if cve.vuln_status.as_deref() == Some("Rejected") {
            continue;
        }
        let id = cve_id(Kind::Nvd, &cve.id)?;
        let m = cve.metrics;
        let mut severity = Vec::new();
        // Oldest version first: the matcher takes the newest version present.
        for (kind, metrics) in [
            ("CVSS_V2", &m.cvss_metric_v2),
            ("CVSS_V3", &m.cvss_metric_v30),
            ("CVSS_V3", &m.cvss_metric_v31),
            ("CVSS_V4", &m.cvss_metric_v40),
        ] {
            // A vector that does not parse is skipped (another source's
            // of the same version is taken): one CNA's malformed vector
            // must not cost a yearly feed its other thousands of records.
            let valid: Vec<&str> = metrics
                .iter()
                .filter(|x| x.kind == "Primary")
                .chain(metrics.iter().filter(|x| x.kind != "Primary"))
                .map(|x| x.cvss_data.vector_string.trim())
                .filter(|v| crate::cvss::parse(v).is_ok())
                .collect();
            let Some(vector) = valid.first() else {
                continue;
            };
            severity.push(SeverityEntry {
                kind: kind.to_string(),
                score: vector.to_string(),
            });
        }
        let summary = cve
            .descriptions
            .iter()
            .find(|d| d.lang == "en")
            .or(cve.descriptions.first())
            .and_then(|d| d.value.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(|l| cut(l, MAX_SUMMARY_CHARS))
            .unwrap_or_default();
        out.push((
            id,
            Fact::Nvd(Box::new(NvdRecord {
                summary,
                published: cve.published,
                modified: cve.last_modified.unwrap_or_default(),
                severity,
            })),
        ));
    }
    Ok(out)
}

// CISA KEV (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json).

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevFile {
    #[serde(default)]
    catalog_version: String,
    vulnerabilities: Vec<KevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    vulnerability_name: String,
    #[serde(default)]
    date_added: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: String,
}

fn parse_kev(reader: impl Read) -> Result<Vec<(String, Fact)>, EnrichError> {
    let file: KevFile =
        serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|error| {
            EnrichError::Json {
                kind: Kind::Kev.as_str(),
                error,
            }
        })?;
    file.vulnerabilities
        .into_iter()
        .map(|v| {
            let id = cve_id(Kind::Kev, &v.cve_id)?;
            Ok((
                id,
                Fact::Kev(Box::new(Kev {
                    date_added: v.date_added,
                    due_date: v.due_date,
                    ransomware: v.known_ransomware_campaign_use,
                    name: cut(&v.vulnerability_name, MAX_SUMMARY_CHARS),
                    catalog: file.catalog_version.clone(),
                })),
            ))
        })
        .collect()
}

// FIRST EPSS (https://www.first.org/epss/data_stats): daily CSV.

fn parse_epss(reader: impl BufRead) -> Result<Vec<(String, Fact)>, EnrichError> {
    let mut model = String::new();
    let mut date = String::new();
    let mut header = false;
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let n = i + 1;
        let err = |what: String| EnrichError::Epss { line: n, what };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            // `#model_version:v2025.03.14,score_date:2025-08-15T00:00:00+0000`
            for item in comment.split(',') {
                match item.split_once(':') {
                    Some(("model_version", v)) => model = cut(v.trim(), 32),
                    Some(("score_date", v)) => date = v.trim().chars().take(10).collect(),
                    _ => {}
                }
            }
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header {
            if fields.len() < 3
                || !fields[0].eq_ignore_ascii_case("cve")
                || !fields[1].eq_ignore_ascii_case("epss")
                || !fields[2].eq_ignore_ascii_case("percentile")
            {
                return Err(err(format!(
                    "expected the header cve,epss,percentile, found {:?}",
                    cut(line, 64)
                )));
            }
            header = true;
            continue;
        }
        if fields.len() != 3 {
            return Err(err(format!(
                "expected 3 fields (cve,epss,percentile), found {}",
                fields.len()
            )));
        }
        let id = cve_id(Kind::Epss, fields[0]).map_err(|e| err(e.to_string()))?;
        let score = probability(fields[1]).map_err(|w| err(format!("epss {w}")))?;
        let percentile = probability(fields[2]).map_err(|w| err(format!("percentile {w}")))?;
        out.push((
            id,
            Fact::Epss(Epss {
                score,
                percentile,
                date: date.clone(),
                model: model.clone(),
            }),
        ));
    }
    if !header {
        return Err(EnrichError::Epss {
            line: 0,
            what: "no cve,epss,percentile header".into(),
        });
    }
    Ok(out)
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{:?} is not a number from 0 to 1", cut(s, 32))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_kind_by_content() {
        assert_eq!(
            sniff(b"#model_version:v2025.03.14,score_date:x\ncve,epss,percentile\n"),
            Some(Kind::Epss)
        );
        assert_eq!(sniff(b"cve,epss,percentile\n"), Some(Kind::Epss));
        assert_eq!(
            sniff(br#"{"title":"CISA Catalog","catalogVersion":"1","vulnerabilities":[]}"#),
            Some(Kind::Kev)
        );
        assert_eq!(
            sniff(br#"{"resultsPerPage":1,"format":"NVD_CVE","version":"2.0"}"#),
            Some(Kind::Nvd)
        );
        assert_eq!(
            sniff(br#"{"id":"CVE-1","sourceIdentifier":"x","vulnStatus":"Received"}"#),
            Some(Kind::Nvd)
        );
        assert_eq!(sniff(br#"{"id":"GHSA-x","modified":"m"}"#), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn epss_rows_need_a_header_and_scores_from_0_to_1() {
        let ok = parse(
            Kind::Epss,
            &b"cve,epss,percentile\nCVE-2024-0001,0.5,0.9\n"[..],
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
        for (text, why) in [
            (
                "cve,epss,percentile\nCVE-2024-0001,1.5,0.9\n",
                "line 2: epss",
            ),
            (
                "cve,epss,percentile\nCVE-2024-0001,0.5\n",
                "line 2: expected 3 fields",
            ),
            ("cve,epss,percentile\nGHSA-1,0.5,0.1\n", "not a CVE id"),
            ("CVE-2024-0001,0.5,0.9\n", "line 1: expected the header"),
            ("#model_version:v1\n", "no cve,epss,percentile header"),
        ] {
            let e = parse(Kind::Epss, text.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    #[test]
    fn nvd_keeps_the_primary_metric_of_each_version_and_skips_rejected_records() {
        let json = r#"{"format":"NVD_CVE","vulnerabilities":[
          {"cve":{"id":"CVE-2024-0001","lastModified":"2024-02-01T00:00:00.000",
            "descriptions":[{"lang":"es","value":"uno"},{"lang":"en","value":"one\ntwo"}],
            "metrics":{"cvssMetricV31":[
              {"source":"cna","type":"Secondary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}},
              {"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
              "cvssMetricV2":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"2.0","vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P"}}]}}},
          {"cve":{"id":"CVE-2024-0002","vulnStatus":"Rejected","descriptions":[]}}]}"#;
        let facts = parse(Kind::Nvd, json.as_bytes()).unwrap();
        assert_eq!(facts.len(), 1, "the rejected record is skipped");
        let (id, Fact::Nvd(r)) = &facts[0] else {
            panic!("{facts:?}")
        };
        assert_eq!(id, "CVE-2024-0001");
        assert_eq!(r.summary, "one");
        assert_eq!(
            r.severity
                .iter()
                .map(|s| (s.kind.as_str(), s.score.as_str()))
                .collect::<Vec<_>>(),
            [
                ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"),
                ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
            ]
        );
        // A vector that does not parse is skipped, the next source's taken.
        let bad = r#"{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2024-0001","metrics":{"cvssMetricV31":[
            {"type":"Primary","cvssData":{"vectorString":"CVSS:3.1/AV:Q"}},
            {"type":"Secondary","cvssData":{"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}}]}}}]}"#;
        let facts = parse(Kind::Nvd, bad.as_bytes()).unwrap();
        let Fact::Nvd(r) = &facts[0].1 else {
            panic!("{facts:?}")
        };
        assert_eq!(
            r.severity[0].score,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"
        );
        let e = parse(
            Kind::Nvd,
            &br#"{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"NVD-1"}}]}"#[..],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"NVD-1\" is not a CVE id"), "{e}");
    }

    #[test]
    fn kev_entries_need_cve_ids() {
        let e = parse(
            Kind::Kev,
            &br#"{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-20-1"}]}"#[..],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("CISA KEV catalog") && e.contains("not a CVE id"),
            "{e}"
        );
        let e = parse(Kind::Kev, &br#"{"catalogVersion":"1"}"#[..])
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing field `vulnerabilities`"), "{e}");
    }
}
