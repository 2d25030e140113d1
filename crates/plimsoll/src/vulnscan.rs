//! `plimsoll scan`: the audit, the SBOM and the vulnerabilities of an image
//! from one pass over its layers, with one gate.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use plimsoll_audit::{AuditFacts, ImageReport, render_table};
use plimsoll_report::{Finding, RuleInfo, Severity, Summary};
use plimsoll_sbom::cyclonedx;
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnFinding, VulnReport};
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::policy::{Date, Policy};
use serde::Serialize;

use crate::{AuditJudge, AuditOptions, ImageArgs, Passes, emit, prepare};

#[derive(Args)]
pub struct ScanArgs {
    #[command(flatten)]
    image: ImageArgs,
    #[command(flatten)]
    audit: AuditOptions,
    /// Output format (cyclonedx: the SBOM with its vulnerabilities).
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    format: ScanFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a vulnerability or audit finding is at or above this severity:
    /// critical, high, medium, low, negligible or unknown [default: high, or [scan] fail_on].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Count only vulnerabilities with a fixed version (the others are still listed).
    #[arg(long)]
    ignore_unfixed: bool,
    /// OpenVEX document marking vulnerabilities not_affected or fixed; repeatable.
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// Ignore file: TOML with `[[ignore]]` entries (id, reason, optional package and
    /// expires), as `[[scan.ignore]]` in plimsoll.toml; repeatable.
    #[arg(long, value_name = "FILE")]
    ignore_file: Vec<PathBuf>,
    /// Advisory database [default: $PLIMSOLL_DB, [db] path, or $XDG_DATA_HOME/plimsoll/vuln.db].
    #[arg(long, env = "PLIMSOLL_DB", value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScanFormat {
    Table,
    Json,
    Sarif,
    Cyclonedx,
}

/// Vulnerabilities as SARIF results: one rule, the practice it enforces.
static VULNERABLE_PACKAGE: RuleInfo = plimsoll_report::rule_info!(
    "VULN001",
    "vulnerable-package",
    "P-E1",
    High,
    " An installed package has a known vulnerability.",
    "",
    " The package's version is inside an advisory's affected range for the",
    " image's distribution release (OS packages) or the package's ecosystem.",
    " The finding's severity is the advisory's (CVSS base score or the",
    " distribution's own rating); the message names the fixed version when",
    " there is one.",
    "",
    " Fix: upgrade the package (rebuild on a patched base image for OS",
    " packages), or record why it does not apply with an ignore rule or an",
    " OpenVEX statement."
);

/// The audit's severity scale for a vulnerability's.
fn audit_severity(s: VulnSeverity) -> Severity {
    match s {
        VulnSeverity::Critical => Severity::Critical,
        VulnSeverity::High => Severity::High,
        VulnSeverity::Medium => Severity::Medium,
        VulnSeverity::Low => Severity::Low,
        VulnSeverity::Negligible | VulnSeverity::Unknown => Severity::Info,
    }
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let p = prepare(&args.image)?;
    let sc = &p.config.scan;
    let fail_word = args
        .fail_on
        .clone()
        .or_else(|| sc.fail_on.clone())
        .unwrap_or_else(|| "high".into());
    let fail_on = VulnSeverity::parse(&fail_word).ok_or_else(|| {
        anyhow!(
            "--fail-on '{fail_word}': expected critical, high, medium, low, negligible or unknown"
        )
    })?;
    let ignore_unfixed = args.ignore_unfixed || sc.ignore_unfixed.unwrap_or(false);

    // Everything that can be wrong with the inputs is said before the image is read.
    let db_path = args
        .db
        .clone()
        .or_else(|| p.config.db.path.clone())
        .or_else(plimsoll_vuln::db::default_path)
        .ok_or_else(|| anyhow!("no data directory found; pass --db PATH or set PLIMSOLL_DB"))?;
    if !db_path.is_file() {
        bail!(
            "no vulnerability database at {}: build it with `plimsoll db import PATH…` \
             (OSV files or archives) or `plimsoll db update`",
            db_path.display()
        );
    }
    let db = Database::open(&db_path)
        .with_context(|| format!("opening the vulnerability database {}", db_path.display()))?;
    let mut ignores = sc.ignore.clone();
    for path in &args.ignore_file {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct IgnoreFile {
            #[serde(default)]
            ignore: Vec<plimsoll_vuln::policy::IgnoreRule>,
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: IgnoreFile = toml::from_str(&text)
            .with_context(|| format!("invalid ignore file {}", path.display()))?;
        ignores.extend(file.ignore);
    }
    let mut policy =
        Policy::new(ignores, Date::today()).map_err(|e| anyhow!("ignore rules: {e}"))?;
    for path in sc.vex.iter().chain(&args.vex) {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        policy.add_vex(&path.display().to_string(), &bytes)?;
    }
    for note in &policy.notes {
        eprintln!("warning: {note}");
    }
    let judge = AuditJudge::new(&p, &args.audit)?;

    let (image, scan) = crate::scan(&p, args.image.no_progress, Passes::ALL)?;
    let (audit_findings, facts): (Vec<Finding>, AuditFacts) = judge.run(&p, &image, &scan)?;
    let inventory = plimsoll_sbom::catalog(&scan)?;
    for w in &inventory.warnings {
        eprintln!("warning: {}: {w}", image.reference);
    }
    let ctx = crate::document_context(&image)?;
    let image_ids = vec![
        image.id().to_string(),
        image.reference.to_string(),
        ctx.subject.purl(),
    ];
    let vulns = plimsoll_vuln::findings::find(&inventory, &db, &policy, &image_ids)
        .map_err(|e| anyhow!("matching against {}: {e}", db_path.display()))?;
    for n in &vulns.not_matched {
        eprintln!("note: {n}");
    }

    let audit_threshold = audit_severity(fail_on);
    let failing = vulns.fails(fail_on, ignore_unfixed)
        || audit_findings.iter().any(|f| f.severity >= audit_threshold);
    let report = ImageReport::new(&image, &scan, &facts.tree, audit_findings);
    let database = DatabaseSummary {
        path: db_path.display().to_string(),
        built: db.meta().built_at.clone(),
        advisories: db.len(),
    };
    let text = match args.format {
        ScanFormat::Table => {
            render_table(&report) + "\n" + &render_vulns(&vulns, &database, ignore_unfixed)
        }
        ScanFormat::Json => {
            serde_json::to_string_pretty(&ScanReport {
                schema_version: 1,
                tool: serde_json::json!({"name": "plimsoll", "version": env!("CARGO_PKG_VERSION")}),
                image: &report.image,
                audit: AuditPart {
                    summary: Summary::of(&report.findings),
                    findings: &report.findings,
                },
                sbom: SbomPart {
                    distro: inventory.distro.as_ref(),
                    packages: inventory.packages.len(),
                },
                vulnerabilities: VulnPart {
                    summary: vuln_summary(&vulns, ignore_unfixed),
                    report: &vulns,
                },
                database: &database,
                fail_on: fail_on.as_str(),
                ignore_unfixed,
            })? + "\n"
        }
        ScanFormat::Sarif => {
            let mut findings = report.findings.clone();
            findings.extend(vulns.counted(ignore_unfixed).map(vuln_as_finding));
            let mut rules = plimsoll_audit::rule_infos();
            rules.push(VULNERABLE_PACKAGE);
            let subject = format!("{}@{}", report.image.reference, report.image.digest);
            serde_json::to_string_pretty(&plimsoll_report::to_sarif(
                env!("CARGO_PKG_VERSION"),
                crate::INFO_URI,
                &rules,
                &findings,
                &subject,
                plimsoll_report::UriBase::ImageRoot,
            ))? + "\n"
        }
        ScanFormat::Cyclonedx => {
            let mut bom = cyclonedx::Bom::new(&inventory, &ctx);
            bom.vulnerabilities = cyclonedx_vulns(&bom, &vulns, ignore_unfixed);
            bom.to_json()
        }
    };
    emit(&text, args.output.as_ref())?;
    std::mem::forget((facts, scan, report));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Serialize)]
struct DatabaseSummary {
    path: String,
    built: String,
    advisories: usize,
}

#[derive(Serialize)]
struct ScanReport<'a> {
    schema_version: u32,
    tool: serde_json::Value,
    image: &'a plimsoll_audit::ImageSummary,
    audit: AuditPart<'a>,
    sbom: SbomPart<'a>,
    vulnerabilities: VulnPart<'a>,
    database: &'a DatabaseSummary,
    fail_on: &'static str,
    ignore_unfixed: bool,
}

#[derive(Serialize)]
struct AuditPart<'a> {
    summary: Summary,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct SbomPart<'a> {
    distro: Option<&'a plimsoll_sbom::Distro>,
    packages: usize,
}

#[derive(Serialize)]
struct VulnPart<'a> {
    summary: VulnSummary,
    #[serde(flatten)]
    report: &'a VulnReport,
}

/// Counted findings per severity, plus what was set aside.
#[derive(Serialize, Default)]
struct VulnSummary {
    total: usize,
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    negligible: usize,
    unknown: usize,
    /// Possibly affected: a version could not be ordered.
    undecided: usize,
    suppressed: usize,
    unfixed_not_counted: usize,
}

fn vuln_summary(v: &VulnReport, ignore_unfixed: bool) -> VulnSummary {
    let mut s = VulnSummary::default();
    for f in v.counted(ignore_unfixed) {
        s.total += 1;
        *match f.rating.severity {
            VulnSeverity::Critical => &mut s.critical,
            VulnSeverity::High => &mut s.high,
            VulnSeverity::Medium => &mut s.medium,
            VulnSeverity::Low => &mut s.low,
            VulnSeverity::Negligible => &mut s.negligible,
            VulnSeverity::Unknown => &mut s.unknown,
        } += 1;
        if matches!(f.status, MatchStatus::Unknown(_)) {
            s.undecided += 1;
        }
    }
    s.suppressed = v.findings.iter().filter(|f| f.suppressed.is_some()).count();
    if ignore_unfixed {
        s.unfixed_not_counted = v
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.fixed.is_empty())
            .count();
    }
    s
}

fn vuln_message(f: &VulnFinding) -> String {
    let mut m = format!(
        "{} in {} {} ({})",
        f.id, f.package.name, f.package.version, f.package.package_type
    );
    match (&f.status, f.fixed.first()) {
        (MatchStatus::Unknown(why), _) => m.push_str(&format!(": possibly affected, {why}")),
        (MatchStatus::Affected, Some(fix)) => m.push_str(&format!(": fixed in {fix}")),
        (MatchStatus::Affected, None) => m.push_str(": no fix yet"),
    }
    if !f.summary.is_empty() {
        m.push_str(" - ");
        m.push_str(&f.summary);
    }
    m
}

fn vuln_as_finding(f: &VulnFinding) -> Finding {
    Finding::new(&VULNERABLE_PACKAGE, vuln_message(f))
        .with_severity(audit_severity(f.rating.severity))
        .at_path(format!("/{}", f.package.location))
        .with_help(match f.fixed.first() {
            Some(v) => format!("upgrade {} to {v} or later", f.package.name),
            None => "no fixed version yet: mitigate, or record why it does not apply".into(),
        })
}

fn render_vulns(v: &VulnReport, db: &DatabaseSummary, ignore_unfixed: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "vulnerabilities ({} advisories, database built {})",
        db.advisories, db.built
    );
    let rows: Vec<&VulnFinding> = v.counted(ignore_unfixed).collect();
    if rows.is_empty() {
        let _ = writeln!(out, "  none found in {} packages", v.packages_matched);
    } else {
        let _ = writeln!(
            out,
            "  {:<10} {:<20} {:<28} {:<24} {:<24} {:>5}",
            "severity", "vulnerability", "package", "installed", "fixed in", "layer"
        );
        for f in &rows {
            let sev = match (&f.status, f.rating.score) {
                (MatchStatus::Unknown(_), _) => format!("{}?", f.rating.severity),
                (_, Some(score)) => format!("{} {score:.1}", f.rating.severity),
                _ => f.rating.severity.to_string(),
            };
            let _ = writeln!(
                out,
                "  {:<10} {:<20} {:<28} {:<24} {:<24} {:>5}",
                sev,
                f.id,
                format!("{} ({})", f.package.name, f.package.package_type),
                f.package.version,
                f.fixed.first().map(String::as_str).unwrap_or("-"),
                f.package.layer
            );
        }
    }
    let s = vuln_summary(v, ignore_unfixed);
    let _ = writeln!(
        out,
        "\n{} vulnerabilities in {} packages: {} critical, {} high, {} medium, {} low, {} negligible, {} unknown; {} suppressed{}",
        s.total,
        v.packages_matched,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.negligible,
        s.unknown,
        s.suppressed,
        if ignore_unfixed {
            format!(", {} without a fix not counted", s.unfixed_not_counted)
        } else {
            String::new()
        }
    );
    for f in v.findings.iter().filter(|f| f.suppressed.is_some()) {
        if let Some(sup) = &f.suppressed {
            let _ = writeln!(
                out,
                "  suppressed {} in {} ({}): {}",
                f.id, f.package.name, sup.by, sup.reason
            );
        }
    }
    out
}

/// CycloneDX `vulnerabilities`: counted findings, each pointing at the
/// components (bom-refs) of its package.
fn cyclonedx_vulns(
    bom: &cyclonedx::Bom,
    v: &VulnReport,
    ignore_unfixed: bool,
) -> Vec<cyclonedx::Vulnerability> {
    let mut out: Vec<cyclonedx::Vulnerability> = Vec::new();
    for f in v.counted(ignore_unfixed) {
        let refs: Vec<cyclonedx::Affect> = bom
            .refs_of_purl(&f.package.purl)
            .map(|r| cyclonedx::Affect {
                bom_ref: r.to_string(),
            })
            .collect();
        if refs.is_empty() {
            continue;
        }
        let vector = f
            .rating
            .source
            .starts_with("CVSS:")
            .then(|| f.rating.source.clone());
        let method = vector.as_deref().map(|v| {
            if v.starts_with("CVSS:4") {
                "CVSSv4"
            } else if v.starts_with("CVSS:3.1") {
                "CVSSv31"
            } else {
                "CVSSv3"
            }
        });
        let rating = cyclonedx::Rating {
            severity: match f.rating.severity {
                VulnSeverity::Critical => "critical",
                VulnSeverity::High => "high",
                VulnSeverity::Medium => "medium",
                VulnSeverity::Low => "low",
                VulnSeverity::Negligible => "info",
                VulnSeverity::Unknown => "unknown",
            },
            score: f.rating.score,
            method: method.or(Some("other")),
            vector,
        };
        // One entry per vulnerability; packages affected by it are listed together.
        if let Some(existing) = out.iter_mut().find(|x| x.id == f.id) {
            for r in refs {
                if !existing.affects.iter().any(|a| a.bom_ref == r.bom_ref) {
                    existing.affects.push(r);
                }
            }
            continue;
        }
        out.push(cyclonedx::Vulnerability {
            id: f.id.clone(),
            source: Some(cyclonedx::VulnerabilitySource {
                name: f
                    .advisories
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "OSV".into()),
                url: None,
            }),
            ratings: vec![rating],
            description: (!f.summary.is_empty()).then(|| f.summary.clone()),
            affects: refs,
        });
    }
    out
}
