//! What a user says about findings: ignore rules with reasons and expiry
//! dates, and OpenVEX statements ("not affected", "fixed").
//!
//! Both apply to a finding through its identifiers (the advisory id and all
//! its aliases, so an ignore of `CVE-2023-1234` also covers the GHSA and DSA
//! of the same flaw) and its package (name or package URL).

use serde::Deserialize;

/// One ignore rule, as written in `plimsoll.toml`:
///
/// ```toml
/// [[scan.ignore]]
/// id = "CVE-2023-4911"          # any alias of the vulnerability
/// package = "libc6"             # optional: a package name or purl prefix
/// reason = "no setuid binaries in this image"
/// expires = "2027-03-31"        # optional; afterwards the rule stops applying
/// ```
///
/// Every condition given must hold (Grype's rule semantics); a rule must
/// give at least one besides the reason. `.trivyignore`, `.trivyignore.yaml`
/// and `.grype.yaml` are read into the same rules ([`crate::ignore_files`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// Any alias of the vulnerability; empty: any vulnerability (with
    /// another condition, as in a Grype rule naming only a package).
    #[serde(default)]
    pub id: String,
    /// A package name, or a purl (prefix: without a version it covers all).
    #[serde(default)]
    pub package: Option<String>,
    /// A regular expression the whole package name matches (Grype's
    /// regex-like `package.name`).
    #[serde(default)]
    pub package_regex: Option<String>,
    /// The package's exact version.
    #[serde(default)]
    pub version: Option<String>,
    /// The package's type as plimsoll reports it (`deb`, `npm`, `pypi`, `golang`, …).
    #[serde(default, rename = "type")]
    pub package_type: Option<String>,
    /// A glob (`**` crosses directories) on the file that lists the package,
    /// with or without the leading `/`: `/usr/local/lib/node_modules/**`.
    #[serde(default)]
    pub location: Option<String>,
    /// `fixed` (a fixed version is known) or `not-fixed` (none yet).
    #[serde(default)]
    pub fix_state: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<String>,
    /// Where the rule was written (`.trivyignore:3`), shown with what it suppresses.
    #[serde(skip)]
    pub source: Option<String>,
}

impl IgnoreRule {
    /// `CVE-1 in libc6`, `any vulnerability of lodash`: the rule in a few words.
    pub fn describe(&self) -> String {
        let what = if self.id.is_empty() {
            "any vulnerability".to_string()
        } else {
            self.id.clone()
        };
        let mut of = Vec::new();
        if let Some(p) = self.package.as_deref().or(self.package_regex.as_deref()) {
            of.push(p.to_string());
        }
        if let Some(v) = &self.version {
            of.push(format!("version {v}"));
        }
        if let Some(t) = &self.package_type {
            of.push(format!("type {t}"));
        }
        if let Some(l) = &self.location {
            of.push(format!("at {l}"));
        }
        if let Some(f) = &self.fix_state {
            of.push(format!("fix state {f}"));
        }
        if of.is_empty() {
            what
        } else {
            format!("{what} in {}", of.join(", "))
        }
    }

    fn has_condition(&self) -> bool {
        !self.id.trim().is_empty()
            || self.package.is_some()
            || self.package_regex.is_some()
            || self.version.is_some()
            || self.package_type.is_some()
            || self.location.is_some()
            || self.fix_state.is_some()
    }
}

/// An ignore rule checked and compiled.
#[derive(Debug, Clone)]
struct Ignore {
    rule: IgnoreRule,
    expires: Option<Date>,
    name: Option<regex::Regex>,
    location: Option<globset::GlobMatcher>,
}

impl Ignore {
    fn applies(&self, s: &Subject<'_>) -> bool {
        let r = &self.rule;
        (r.id.is_empty() || s.has_id(&r.id))
            && r.package
                .as_deref()
                .is_none_or(|p| p == s.package_name || purl_matches(p, s.purl))
            && self
                .name
                .as_ref()
                .is_none_or(|re| re.is_match(s.package_name))
            && r.version.as_deref().is_none_or(|v| v == s.version)
            && r.package_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case(s.package_type))
            && self
                .location
                .as_ref()
                .is_none_or(|g| g.is_match(s.location.trim_start_matches('/')))
            && r.fix_state.as_deref().is_none_or(|f| match f {
                "fixed" => s.fixed,
                _ => !s.fixed,
            })
    }
}

/// A calendar date, for comparing expiry dates with today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD` (a full RFC 3339 timestamp is cut to its date).
    pub fn parse(s: &str) -> Option<Date> {
        let d = s.get(..10)?;
        let mut it = d.split('-');
        let year = it.next()?.parse().ok()?;
        let month = it.next()?.parse().ok()?;
        let day = it.next()?.parse().ok()?;
        let ok = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        (ok && d.len() == 10 && it.next().is_none()).then_some(Date { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_unix_days((secs / 86_400) as i64)
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's
    /// days-to-civil algorithm).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The finding a policy is asked about.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// The advisory id and every alias.
    pub ids: &'a [String],
    pub package_name: &'a str,
    pub purl: &'a str,
    pub version: &'a str,
    /// `deb`, `npm`, … ([`plimsoll_sbom::PackageType::as_str`]).
    pub package_type: &'a str,
    /// The file that lists the package.
    pub location: &'a str,
    /// Whether a fixed version is known.
    pub fixed: bool,
}

impl Subject<'_> {
    fn has_id(&self, id: &str) -> bool {
        self.ids.iter().any(|i| i.eq_ignore_ascii_case(id))
    }
}

/// Why a finding is not reported as a vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    Ignored {
        reason: String,
        expires: Option<Date>,
        /// Where the rule was written, when not in plimsoll's own configuration.
        source: Option<String>,
    },
    Vex {
        status: VexStatus,
        justification: Option<String>,
        document: String,
    },
}

/// Ignore rules and VEX documents, checked once when loaded.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    ignores: Vec<Ignore>,
    vex: Vec<(String, VexStatement)>,
    /// Expired ignores and the like: said once, on stderr.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("ignore rule for {id}: {why}")]
    BadIgnore { id: String, why: String },
    #[error("{document}: {why}")]
    BadVex { document: String, why: String },
}

impl Policy {
    /// Checks the rules against `today`: a rule needs a reason; an expired
    /// rule is dropped and a note says so (it must not silently go on hiding
    /// a vulnerability, nor silently vanish).
    pub fn new(rules: Vec<IgnoreRule>, today: Date) -> Result<Policy, PolicyError> {
        let mut p = Policy::default();
        for rule in rules {
            let bad = |why: String| PolicyError::BadIgnore {
                id: match &rule.source {
                    Some(s) => format!("{} ({s})", rule.describe()),
                    None => rule.describe(),
                },
                why,
            };
            if rule.reason.trim().is_empty() {
                return Err(bad("a reason is required".into()));
            }
            if !rule.has_condition() {
                return Err(bad(
                    "it names nothing to ignore: give an id, a package, a version, a type, a location or a fix state".into(),
                ));
            }
            if let Some(f) = &rule.fix_state
                && !matches!(f.as_str(), "fixed" | "not-fixed")
            {
                return Err(bad(format!(
                    "fix state '{f}' is neither 'fixed' nor 'not-fixed'"
                )));
            }
            let name = match &rule.package_regex {
                Some(re) => Some(
                    regex::Regex::new(&format!("^(?:{re})$"))
                        .map_err(|e| bad(format!("package regex '{re}': {e}")))?,
                ),
                None => None,
            };
            let location = match &rule.location {
                Some(glob) => Some(
                    globset::GlobBuilder::new(glob.trim_start_matches('/'))
                        .literal_separator(true)
                        .build()
                        .map_err(|e| bad(format!("location '{glob}': {e}")))?
                        .compile_matcher(),
                ),
                None => None,
            };
            let expires = match &rule.expires {
                None => None,
                Some(s) => Some(
                    Date::parse(s)
                        .ok_or_else(|| bad(format!("expires '{s}' is not a date (YYYY-MM-DD)")))?,
                ),
            };
            if let Some(e) = expires
                && e < today
            {
                p.notes.push(format!(
                    "ignore rule for {}{} expired on {e}: it no longer applies (reason was: {})",
                    rule.describe(),
                    rule.source
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default(),
                    rule.reason
                ));
                continue;
            }
            p.ignores.push(Ignore {
                rule,
                expires,
                name,
                location,
            });
        }
        Ok(p)
    }

    /// Adds an OpenVEX document (JSON), named `document` in messages.
    pub fn add_vex(&mut self, document: &str, json: &[u8]) -> Result<(), PolicyError> {
        let bad = |why: String| PolicyError::BadVex {
            document: document.to_string(),
            why,
        };
        let doc: VexDocument = serde_json::from_slice(json)
            .map_err(|e| bad(format!("not an OpenVEX document: {e}")))?;
        if doc.statements.is_empty() {
            return Err(bad("no statements".into()));
        }
        for s in doc.statements {
            self.vex
                .push((document.to_string(), s.normalize().map_err(bad)?));
        }
        Ok(())
    }

    /// Why `subject` is suppressed, if it is. `image_ids` are the ways the
    /// scanned image itself may be named as a VEX product (its digest, its
    /// `pkg:oci` purl, its reference).
    pub fn suppression(&self, subject: &Subject<'_>, image_ids: &[String]) -> Option<Suppression> {
        if let Some(i) = self.ignores.iter().find(|i| i.applies(subject)) {
            return Some(Suppression::Ignored {
                reason: i.rule.reason.clone(),
                expires: i.expires,
                source: i.rule.source.clone(),
            });
        }
        // The last applicable statement wins (documents are read in order,
        // later ones update earlier ones).
        let mut verdict = None;
        for (doc, s) in &self.vex {
            if !s.vulnerabilities.iter().any(|v| subject.has_id(v))
                || !s.applies_to(subject, image_ids)
            {
                continue;
            }
            verdict = Some((doc, s));
        }
        let (doc, s) = verdict?;
        matches!(s.status, VexStatus::NotAffected | VexStatus::Fixed).then(|| Suppression::Vex {
            status: s.status,
            justification: s.justification.clone().or_else(|| s.impact.clone()),
            document: doc.clone(),
        })
    }
}

/// OpenVEX statement status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

// OpenVEX as written: v0.2 uses objects for vulnerabilities and products,
// earlier drafts plain strings. Both are read.
#[derive(Deserialize)]
struct VexDocument {
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVuln {
    Name(String),
    Object {
        name: Option<String>,
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawProduct {
    Id(String),
    Object {
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        identifiers: Option<serde_json::Map<String, serde_json::Value>>,
        #[serde(default)]
        subcomponents: Vec<RawProduct>,
    },
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: RawVuln,
    #[serde(default)]
    products: Vec<RawProduct>,
    status: VexStatus,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
}

#[derive(Debug, Clone)]
struct VexStatement {
    vulnerabilities: Vec<String>,
    /// (product ids, subcomponent ids): a statement applies to a package
    /// when a product names it, or names the image and either has no
    /// subcomponents or a subcomponent names the package.
    products: Vec<(Vec<String>, Vec<String>)>,
    status: VexStatus,
    justification: Option<String>,
    impact: Option<String>,
}

impl RawProduct {
    fn ids(&self) -> Vec<String> {
        match self {
            RawProduct::Id(s) => vec![s.clone()],
            RawProduct::Object {
                id, identifiers, ..
            } => {
                let mut v: Vec<String> = id.iter().cloned().collect();
                if let Some(map) = identifiers {
                    v.extend(map.values().filter_map(|x| x.as_str().map(str::to_string)));
                }
                v
            }
        }
    }
}

impl RawStatement {
    fn normalize(self) -> Result<VexStatement, String> {
        let vulnerabilities: Vec<String> = match self.vulnerability {
            RawVuln::Name(n) => vec![n],
            RawVuln::Object { name, id, aliases } => {
                name.into_iter().chain(id).chain(aliases).collect()
            }
        };
        if vulnerabilities.is_empty() {
            return Err("a statement names no vulnerability".into());
        }
        if self.products.is_empty() {
            return Err(format!(
                "the statement on {} names no product",
                vulnerabilities[0]
            ));
        }
        if self.status == VexStatus::NotAffected
            && self.justification.is_none()
            && self.impact_statement.is_none()
        {
            // OpenVEX requires one of them for not_affected.
            return Err(format!(
                "the not_affected statement on {} has neither justification nor impact_statement",
                vulnerabilities[0]
            ));
        }
        let products = self
            .products
            .iter()
            .map(|p| {
                let subs = match p {
                    RawProduct::Object { subcomponents, .. } => {
                        subcomponents.iter().flat_map(RawProduct::ids).collect()
                    }
                    RawProduct::Id(_) => Vec::new(),
                };
                (p.ids(), subs)
            })
            .collect();
        Ok(VexStatement {
            vulnerabilities,
            products,
            status: self.status,
            justification: self.justification,
            impact: self.impact_statement,
        })
    }
}

impl VexStatement {
    fn applies_to(&self, subject: &Subject<'_>, image_ids: &[String]) -> bool {
        self.products.iter().any(|(ids, subs)| {
            let names_package = ids.iter().any(|id| purl_matches(id, subject.purl));
            let names_image = ids.iter().any(|id| names_image(id, image_ids));
            names_package
                || (names_image
                    && (subs.is_empty() || subs.iter().any(|s| purl_matches(s, subject.purl))))
        })
    }
}

fn names_image(id: &str, image_ids: &[String]) -> bool {
    image_ids.iter().any(|i| {
        id == i
            // `pkg:oci/name@sha256%3A…` names the image by digest.
            || (i.starts_with("sha256:")
                && id.replace("%3A", ":").replace("%3a", ":").contains(i.as_str()))
    })
}

/// Whether `pattern` (a purl, perhaps without version or qualifiers) names
/// the package `purl`: type, namespace and name equal; the version, when
/// the pattern has one, equal; the pattern's qualifiers a subset.
pub fn purl_matches(pattern: &str, purl: &str) -> bool {
    /// (type/namespace/name, version, qualifiers)
    type Parts<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, &'a str)>);
    fn split(p: &str) -> Option<Parts<'_>> {
        let p = p.strip_prefix("pkg:")?;
        let p = p.split('#').next().unwrap_or(p);
        let (p, q) = match p.split_once('?') {
            Some((a, b)) => (a, Some(b)),
            None => (p, None),
        };
        let (path, version) = match p.rsplit_once('@') {
            Some((a, v)) if !a.ends_with('/') => (a, Some(v)),
            _ => (p, None),
        };
        let quals = q
            .map(|q| q.split('&').filter_map(|kv| kv.split_once('=')).collect())
            .unwrap_or_default();
        Some((path, version, quals))
    }
    let (Some((pp, pv, pq)), Some((sp, sv, sq))) = (split(pattern), split(purl)) else {
        return false;
    };
    pp.eq_ignore_ascii_case(sp)
        && pv.is_none_or(|v| Some(v) == sv)
        && pq.iter().all(|kv| sq.contains(kv))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 23,
    };

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(
            Date::parse("2028-02-29"),
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2026-11-23T10:00:00Z"), Some(TODAY));
        assert_eq!(Date::parse("26-11-23"), None);
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_415).to_string(), "2025-11-23");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn ignores_by_any_alias_and_package_until_expiry() {
        let rules = vec![
            IgnoreRule {
                id: "CVE-2023-4911".into(),
                package: Some("libc6".into()),
                reason: "no setuid binaries".into(),
                expires: Some("2027-01-01".into()),
                ..IgnoreRule::default()
            },
            IgnoreRule {
                id: "CVE-2020-1".into(),
                package: None,
                reason: "old".into(),
                expires: Some("2026-11-22".into()),
                ..IgnoreRule::default()
            },
        ];
        let p = Policy::new(rules, TODAY).unwrap();
        assert_eq!(p.notes.len(), 1);
        assert!(
            p.notes[0].contains("expired on 2026-11-22"),
            "{:?}",
            p.notes
        );
        let aliases = ids(&["DSA-5514-1", "cve-2023-4911"]);
        let libc = Subject {
            ids: &aliases,
            package_name: "libc6",
            purl: "pkg:deb/debian/libc6@2.36-9?arch=amd64",
            ..Subject::default()
        };
        assert!(matches!(
            p.suppression(&libc, &[]),
            Some(Suppression::Ignored { .. })
        ));
        let other = Subject {
            package_name: "libc-bin",
            purl: "pkg:deb/debian/libc-bin@2.36-9",
            ..libc
        };
        assert_eq!(p.suppression(&other, &[]), None);
        let old = ids(&["CVE-2020-1"]);
        assert_eq!(
            p.suppression(&Subject { ids: &old, ..libc }, &[]),
            None,
            "expired rule applied"
        );

        let err = Policy::new(
            vec![IgnoreRule {
                id: "X".into(),
                package: None,
                reason: " ".into(),
                expires: None,
                ..IgnoreRule::default()
            }],
            TODAY,
        )
        .unwrap_err();
        assert!(err.to_string().contains("reason is required"));
        let err = Policy::new(
            vec![IgnoreRule {
                id: "X".into(),
                package: None,
                reason: "r".into(),
                expires: Some("soon".into()),
                ..IgnoreRule::default()
            }],
            TODAY,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a date"));
    }

    #[test]
    fn openvex_statements() {
        // Shaped like the OpenVEX v0.2.0 specification's examples.
        let doc = br#"{
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.com/vex/1",
          "author": "Security team",
          "timestamp": "2026-11-01T00:00:00Z",
          "version": 1,
          "statements": [
            {
              "vulnerability": {"name": "CVE-2023-4911"},
              "products": [{"@id": "pkg:oci/app@sha256%3Aabc", "subcomponents": [{"@id": "pkg:deb/debian/libc6"}]}],
              "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path"
            },
            {
              "vulnerability": {"name": "CVE-2024-1"},
              "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
              "status": "affected"
            },
            {
              "vulnerability": {"name": "GHSA-xxxx"},
              "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
              "status": "fixed"
            }
          ]
        }"#;
        let mut p = Policy::new(vec![], TODAY).unwrap();
        p.add_vex("vex.json", doc).unwrap();
        let image = ids(&["sha256:abc"]);
        let a = ids(&["CVE-2023-4911"]);
        let libc = Subject {
            ids: &a,
            package_name: "libc6",
            purl: "pkg:deb/debian/libc6@2.36-9?arch=amd64",
            ..Subject::default()
        };
        match p.suppression(&libc, &image) {
            Some(Suppression::Vex {
                status,
                justification,
                document,
            }) => {
                assert_eq!(status, VexStatus::NotAffected);
                assert_eq!(
                    justification.as_deref(),
                    Some("vulnerable_code_not_in_execute_path")
                );
                assert_eq!(document, "vex.json");
            }
            other => panic!("{other:?}"),
        }
        // Another image digest: the statement is about a different product.
        assert_eq!(p.suppression(&libc, &ids(&["sha256:def"])), None);
        let b = ids(&["CVE-2024-1"]);
        let lodash = Subject {
            ids: &b,
            package_name: "lodash",
            purl: "pkg:npm/lodash@4.17.15",
            ..Subject::default()
        };
        assert_eq!(
            p.suppression(&lodash, &image),
            None,
            "affected suppresses nothing"
        );
        let c = ids(&["CVE-2024-2", "GHSA-xxxx"]);
        assert!(matches!(
            p.suppression(&Subject { ids: &c, ..lodash }, &image),
            Some(Suppression::Vex {
                status: VexStatus::Fixed,
                ..
            })
        ));
        let d = ids(&["GHSA-xxxx"]);
        let newer = Subject {
            ids: &d,
            package_name: "lodash",
            purl: "pkg:npm/lodash@4.17.21",
            ..Subject::default()
        };
        assert_eq!(p.suppression(&newer, &image), None, "other version");

        let err = p.add_vex("bad.json", br#"{"statements":[{"vulnerability":{"name":"CVE-1"},"products":["pkg:npm/a"],"status":"not_affected"}]}"#).unwrap_err();
        assert!(err.to_string().contains("neither justification"), "{err}");
        assert!(
            p.add_vex("x.json", b"[1,2")
                .unwrap_err()
                .to_string()
                .starts_with("x.json: not an OpenVEX")
        );
    }

    #[test]
    fn purl_patterns() {
        assert!(purl_matches(
            "pkg:deb/debian/libc6",
            "pkg:deb/debian/libc6@2.36?arch=amd64"
        ));
        assert!(purl_matches(
            "pkg:deb/debian/libc6?arch=amd64",
            "pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12"
        ));
        assert!(!purl_matches(
            "pkg:deb/debian/libc6?arch=arm64",
            "pkg:deb/debian/libc6@2.36?arch=amd64"
        ));
        assert!(!purl_matches(
            "pkg:deb/debian/libc6@2.37",
            "pkg:deb/debian/libc6@2.36"
        ));
        assert!(purl_matches(
            "pkg:npm/%40angular/core@16.0.0",
            "pkg:npm/%40angular/core@16.0.0"
        ));
        assert!(!purl_matches("libc6", "pkg:deb/debian/libc6@2.36"));
    }
}
