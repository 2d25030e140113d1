//! From an inventory to vulnerability findings: every package matched
//! against the advisories of its ecosystem, records of one vulnerability
//! (aliases: CVE, GHSA, DSA, …) merged into one finding per package, the
//! user's policy (ignores, VEX) applied, and the result sorted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use plimsoll_sbom::{Inventory, Package, PackageType};
use serde::Serialize;

use crate::matcher::{self, EcosystemKey, NoTarget, Rated, Verdict, VulnSeverity};
use crate::osv::{Advisory, Affected, Epss, Kev};
use crate::policy::{Policy, Subject, Suppression};

/// Where advisories come from: the embedded database, or anything else that
/// can list a package's records.
pub trait AdvisoryLookup {
    /// Every record entry for `name` in the ecosystems `key` accepts, with
    /// its advisory.
    fn lookup(
        &self,
        key: &EcosystemKey,
        name: &str,
    ) -> Result<Vec<(Arc<Advisory>, Affected)>, String>;

    /// Every record of the vulnerability `advisory` describes (its alias
    /// group), `advisory` included; empty when the source does not group
    /// records.
    fn alias_group(&self, _advisory: &Advisory) -> Result<Vec<Arc<Advisory>>, String> {
        Ok(Vec::new())
    }
}

impl AdvisoryLookup for crate::db::Database {
    fn lookup(
        &self,
        key: &EcosystemKey,
        name: &str,
    ) -> Result<Vec<(Arc<Advisory>, Affected)>, String> {
        Ok(self
            .advisories_for(key.stem(), name)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|p| (p.advisory, p.affected))
            .collect())
    }

    fn alias_group(&self, advisory: &Advisory) -> Result<Vec<Arc<Advisory>>, String> {
        if advisory.vulnerability_id.is_empty() {
            return Ok(Vec::new());
        }
        self.group_advisories(advisory.group)
            .map_err(|e| e.to_string())
    }
}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub purl: String,
    pub layer: usize,
    pub location: String,
}

impl From<&Package> for PackageRef {
    fn from(p: &Package) -> Self {
        PackageRef {
            name: p.name.clone(),
            version: p.version.clone(),
            package_type: p.package_type,
            purl: p.purl.clone(),
            layer: p.layer,
            location: p.location.clone(),
        }
    }
}

/// Affected for sure, or not decidable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "why")]
pub enum MatchStatus {
    Affected,
    /// A version could not be ordered; reported as possibly affected.
    Unknown(String),
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnFinding {
    /// The vulnerability's name: its CVE when it has one, else its GHSA,
    /// else the record id.
    pub id: String,
    /// Every id of the vulnerability (records and their aliases), sorted.
    pub aliases: Vec<String>,
    /// The records that matched, e.g. `DSA-5514-1`, `DEBIAN-CVE-2023-4911`.
    pub advisories: Vec<String>,
    pub package: PackageRef,
    #[serde(flatten)]
    pub status: MatchStatus,
    /// Versions that fix it, lowest first; empty: no fix yet.
    pub fixed: Vec<String>,
    /// The severity, and where it comes from (`severity_origin`): a matched
    /// record, or another record of the vulnerability when those carry none.
    #[serde(flatten)]
    pub rating: Rated,
    /// The CVE's entry in CISA's Known Exploited Vulnerabilities catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<Kev>,
    /// The CVE's FIRST EPSS score (the newest imported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    pub summary: String,
    /// Ignored or declared not affected: kept in the report, not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<SuppressionView>,
}

/// A suppression as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressionView {
    /// `ignore` or `vex`.
    pub by: &'static str,
    pub reason: String,
}

impl From<Suppression> for SuppressionView {
    fn from(s: Suppression) -> Self {
        match s {
            Suppression::Ignored {
                reason,
                expires,
                source,
            } => SuppressionView {
                by: "ignore",
                reason: match (expires, source) {
                    (Some(e), Some(s)) => format!("{reason} (until {e}; {s})"),
                    (Some(e), None) => format!("{reason} (until {e})"),
                    (None, Some(s)) => format!("{reason} ({s})"),
                    (None, None) => reason,
                },
            },
            Suppression::Vex {
                status,
                justification,
                document,
            } => SuppressionView {
                by: "vex",
                reason: format!(
                    "{} in {document}{}",
                    status.as_str(),
                    justification.map(|j| format!(": {j}")).unwrap_or_default()
                ),
            },
        }
    }
}

/// Everything the matcher found, plus what it could not look at.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VulnReport {
    pub findings: Vec<VulnFinding>,
    /// Packages not matched and why, e.g. "no advisory data for
    /// distribution 'centos 7': 140 rpm packages not matched".
    pub not_matched: Vec<String>,
    /// Packages looked up.
    pub packages_matched: usize,
}

/// Matches every package of `inventory`; `image_ids` name the image for VEX.
pub fn find(
    inventory: &Inventory,
    db: &dyn AdvisoryLookup,
    policy: &Policy,
    image_ids: &[String],
) -> Result<VulnReport, String> {
    let mut report = VulnReport::default();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    // Alias groups already read, by vulnerability.
    let mut groups_seen: BTreeMap<String, Arc<Vec<Arc<Advisory>>>> = BTreeMap::new();
    let image = matcher::ImageFacts::of(inventory);
    for pkg in &inventory.packages {
        let targets = match matcher::targets_in(pkg, inventory.distro.as_ref(), &image) {
            Ok(t) => t,
            Err(e) => {
                let key = match e {
                    NoTarget::NoRelease(t) => {
                        format!("no distribution release known: {t} packages")
                    }
                    NoTarget::Unsupported(t) => {
                        format!("no advisory matching for {t} packages")
                    }
                    // -- conan (issue 18) --
                    NoTarget::OtherRegistry(t, registry) => {
                        format!("not from {registry}: {t} packages")
                    }
                    NoTarget::UnknownDistro(d) => {
                        format!(
                            "no advisory data for distribution '{d}': {} packages",
                            pkg.package_type
                        )
                    }
                };
                *skipped.entry(key).or_default() += 1;
                continue;
            }
        };
        report.packages_matched += 1;
        // One finding per vulnerability (alias group) of this package.
        let mut groups: BTreeMap<String, VulnFinding> = BTreeMap::new();
        // Vulnerabilities a vendor fork's own feed says its build is or is
        // not affected by (see `Target::vendor_fork`).
        let mut fork_clears: BTreeSet<String> = BTreeSet::new();
        let mut fork_affected: BTreeSet<String> = BTreeSet::new();
        // One matched record per finding: the way to its alias group.
        let mut matched: BTreeMap<String, Arc<Advisory>> = BTreeMap::new();
        for target in &targets {
            for (adv, aff) in db.lookup(&target.ecosystem, &target.name)? {
                if !matcher::names(&aff, target) || !matcher::is_security_record(&adv) {
                    continue;
                }
                let name = if adv.vulnerability_id.is_empty() {
                    preferred_id(adv.identifiers())
                } else {
                    adv.vulnerability_id.clone()
                };
                let verdict = matcher::evaluate(&aff, target.version_for(&aff), target.ordering);
                if target.vendor_fork {
                    if verdict == Verdict::NotAffected {
                        fork_clears.insert(name.clone());
                    } else {
                        fork_affected.insert(name.clone());
                    }
                }
                let (status, fixed) = match verdict {
                    Verdict::NotAffected => continue,
                    Verdict::Affected { fixed } => (MatchStatus::Affected, fixed),
                    // The installed version cannot be ordered against the fixes,
                    // so every fix the record names is a candidate (and the
                    // finding stays visible under --ignore-unfixed).
                    Verdict::Unknown(why) => (
                        MatchStatus::Unknown(why),
                        aff.fixed_versions().map(str::to_string).collect(),
                    ),
                };
                let rating = matcher::rate(&adv, &aff, pkg.package_type.is_os());
                matched
                    .entry(name.clone())
                    .or_insert_with(|| Arc::clone(&adv));
                let f = groups.entry(name.clone()).or_insert_with(|| VulnFinding {
                    id: name,
                    aliases: Vec::new(),
                    advisories: Vec::new(),
                    package: PackageRef::from(pkg),
                    status: status.clone(),
                    fixed: Vec::new(),
                    rating: rating.clone(),
                    kev: None,
                    epss: None,
                    summary: adv.summary.clone(),
                    suppressed: None,
                });
                f.aliases.extend(adv.identifiers().map(str::to_string));
                f.aliases
                    .extend(matcher::errata_cves(&adv).map(str::to_string));
                f.advisories.push(adv.id.clone());
                // Affected anywhere beats unknown elsewhere; then only the
                // fixes above the installed version count.
                let fixes_count = match (&f.status, &status) {
                    (MatchStatus::Unknown(_), MatchStatus::Affected) => {
                        f.status = MatchStatus::Affected;
                        f.fixed.clear();
                        true
                    }
                    (MatchStatus::Affected, MatchStatus::Unknown(_)) => false,
                    _ => true,
                };
                for v in fixed.into_iter().filter(|_| fixes_count) {
                    if !f.fixed.contains(&v) {
                        f.fixed.push(v);
                    }
                }
                if rating.severity > f.rating.severity {
                    f.rating = rating;
                }
                if f.summary.is_empty() {
                    f.summary = adv.summary.clone();
                }
            }
        }
        for (name, mut f) in groups {
            if fork_clears.contains(&name) && !fork_affected.contains(&name) {
                continue;
            }
            if let Some(adv) = matched.get(&name) {
                let members = match groups_seen.get(&name) {
                    Some(m) => Arc::clone(m),
                    None => {
                        let m = Arc::new(db.alias_group(adv)?);
                        groups_seen.insert(name.clone(), Arc::clone(&m));
                        m
                    }
                };
                enrich(&mut f, adv, &members);
            }
            f.aliases.sort();
            f.aliases.dedup();
            f.advisories.sort();
            f.advisories.dedup();
            // Several records' fixes: the lowest first, by the ecosystem's order.
            // (Every target of a package orders versions the same way.)
            if let Some(t) = targets.first() {
                f.fixed.sort_by(|a, b| {
                    crate::version::compare(t.ordering, a, b).unwrap_or(std::cmp::Ordering::Equal)
                });
            }
            let subject = Subject {
                ids: &f.aliases,
                package_name: &pkg.name,
                purl: &pkg.purl,
                version: &pkg.version,
                package_type: pkg.package_type.as_str(),
                location: &pkg.location,
                fixed: !f.fixed.is_empty(),
            };
            f.suppressed = policy.suppression(&subject, image_ids).map(Into::into);
            report.findings.push(f);
        }
    }
    report.not_matched = skipped
        .into_iter()
        .map(|(k, n)| format!("{k} ({n}) not matched"))
        .collect();
    report.findings.sort_by(|a, b| {
        b.rating
            .severity
            .cmp(&a.rating.severity)
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.location.cmp(&b.package.location))
    });
    Ok(report)
}

/// What the rest of the vulnerability's records add to a finding: a
/// severity when the matched records have none
/// ([`matcher::rate_from_group`]), the KEV entry and the newest EPSS score.
fn enrich(f: &mut VulnFinding, matched: &Arc<Advisory>, members: &[Arc<Advisory>]) {
    let all = || std::iter::once(matched).chain(members.iter());
    if f.rating.severity == VulnSeverity::Unknown
        && let Some(r) = matcher::rate_from_group(members)
    {
        f.rating = r;
    }
    f.kev = all().find_map(|a| a.kev.clone());
    f.epss = all()
        .filter_map(|a| a.epss.as_ref())
        .max_by(|a, b| a.date.cmp(&b.date))
        .cloned();
}

/// How counted findings fail a gate: at or above a severity (unknown ones
/// counting as `unknown_as` when set), listed in CISA's KEV catalog
/// (`fail_on_kev`), or with an EPSS score at or above `fail_on_epss`.
/// Judged here for every front (scan, server, admission).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub fail_on: VulnSeverity,
    /// Count only findings with a fixed version.
    pub ignore_unfixed: bool,
    /// The severity an `unknown` finding counts as (`None`: unknown, which
    /// only `fail_on = unknown` catches).
    pub unknown_as: Option<VulnSeverity>,
    pub fail_on_kev: bool,
    /// EPSS score (0 to 1) from which a finding fails the gate.
    pub fail_on_epss: Option<f64>,
}

/// Why a finding fails a [`Gate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateReason {
    Severity,
    Kev,
    Epss,
}

impl Gate {
    /// A gate on severity alone.
    pub fn new(fail_on: VulnSeverity, ignore_unfixed: bool) -> Gate {
        Gate {
            fail_on,
            ignore_unfixed,
            unknown_as: None,
            fail_on_kev: false,
            fail_on_epss: None,
        }
    }

    /// The severity a finding counts as.
    pub fn counted_severity(&self, f: &VulnFinding) -> VulnSeverity {
        match (f.rating.severity, self.unknown_as) {
            (VulnSeverity::Unknown, Some(s)) => s,
            (s, _) => s,
        }
    }

    /// Why `f` fails the gate (`None`: it does not). Suppressed findings and,
    /// with `ignore_unfixed`, findings without a fix never fail it.
    pub fn fails(&self, f: &VulnFinding) -> Option<GateReason> {
        if f.suppressed.is_some() || (self.ignore_unfixed && f.fixed.is_empty()) {
            return None;
        }
        if self.counted_severity(f) >= self.fail_on {
            Some(GateReason::Severity)
        } else if self.fail_on_kev && f.kev.is_some() {
            Some(GateReason::Kev)
        } else if self
            .fail_on_epss
            .is_some_and(|t| f.epss.as_ref().is_some_and(|e| e.score >= t))
        {
            Some(GateReason::Epss)
        } else {
            None
        }
    }
}

/// CVE first, then GHSA, then the smallest id.
pub fn preferred_id<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort();
    ids.iter()
        .find(|i| i.starts_with("CVE-"))
        .or_else(|| ids.iter().find(|i| i.starts_with("GHSA-")))
        .or(ids.first())
        .map(|s| s.to_string())
        .unwrap_or_default()
}

impl VulnReport {
    /// Findings that count: not suppressed, and (with `ignore_unfixed`)
    /// with a fix available.
    pub fn counted(&self, ignore_unfixed: bool) -> impl Iterator<Item = &VulnFinding> {
        self.findings
            .iter()
            .filter(move |f| f.suppressed.is_none() && (!ignore_unfixed || !f.fixed.is_empty()))
    }

    /// Whether any counted finding is at or above `threshold`.
    pub fn fails(&self, threshold: VulnSeverity, ignore_unfixed: bool) -> bool {
        self.fails_gate(&Gate::new(threshold, ignore_unfixed))
    }

    /// Whether any finding fails `gate`.
    pub fn fails_gate(&self, gate: &Gate) -> bool {
        self.findings.iter().any(|f| gate.fails(f).is_some())
    }
}
