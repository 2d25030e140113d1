//! The database as `plimsoll db` shows it: what a build made, and what a
//! database holds (table and JSON).

use std::fmt::Write as _;
use std::path::Path;

use plimsoll_report::human_bytes;

use super::Meta;
use crate::import::ImportReport;

/// What a build made: two lines for stdout, and the malformed advisories
/// (the first 20 unless `verbose`) for stderr.
pub fn render_build(
    path: &Path,
    meta: &Meta,
    report: &ImportReport,
    seconds: f64,
    verbose: bool,
) -> (String, String) {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} advisories from {} source(s), {} alias groups, {} packages ({}, {seconds:.1} s)",
        path.display(),
        meta.advisories,
        meta.sources.len(),
        meta.alias_groups,
        meta.packages,
        human_bytes(bytes),
    );
    let _ = writeln!(
        out,
        "  excluded: {} withdrawn, {} duplicate records, {} malformed; {} files ignored (not JSON, CSV or zip)",
        report.withdrawn,
        report.duplicates,
        report.malformed.len(),
        report.ignored_files
    );
    if report.nvd_records + report.kev_entries + report.epss_scores > 0 {
        let _ = writeln!(
            out,
            "  CVE facts: {} NVD records, {} KEV entries, {} EPSS scores; {} CVEs no OSV record names, not kept",
            report.nvd_records, report.kev_entries, report.epss_scores, report.unreferenced_cves
        );
    }
    let mut err = String::new();
    let shown = if verbose { usize::MAX } else { 20 };
    for m in report.malformed.iter().take(shown) {
        let _ = writeln!(err, "malformed: {}: {}", m.file, m.reason);
    }
    if report.malformed.len() > shown {
        let _ = writeln!(
            err,
            "malformed: … and {} more (--verbose lists them all)",
            report.malformed.len() - shown
        );
    }
    (out, err)
}

/// `plimsoll db status --format json`.
pub fn status_json(path: &Path, meta: &Meta) -> serde_json::Value {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    serde_json::json!({
        "path": path.display().to_string(),
        "size_bytes": bytes,
        "database": meta,
    })
}

/// `plimsoll db status`: the file, the build, the sources and the counts
/// per ecosystem.
pub fn render_status(path: &Path, meta: &Meta) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "database    {} ({})",
        path.display(),
        human_bytes(bytes)
    );
    let _ = writeln!(out, "schema      {}", meta.schema_version);
    let _ = writeln!(out, "built       {} by {}", meta.built_at, meta.built_by);
    let _ = writeln!(
        out,
        "advisories  {} ({} alias groups, {} packages; excluded {} withdrawn, {} duplicates, {} malformed)",
        meta.advisories,
        meta.alias_groups,
        meta.packages,
        meta.withdrawn_excluded,
        meta.duplicates,
        meta.malformed
    );
    let _ = writeln!(
        out,
        "CVE facts   {} NVD records, {} KEV entries, {} EPSS scores",
        meta.nvd_records, meta.kev_entries, meta.epss_scores
    );
    let _ = writeln!(out, "\nsources");
    for s in &meta.sources {
        let _ = writeln!(
            out,
            "  {:<9} sha256:{}  {:>7} records  {}",
            format!("{:?}", s.kind).to_lowercase(),
            s.sha256,
            s.records,
            s.location
        );
    }
    let _ = writeln!(
        out,
        "\n  {:<48} {:>10} {:>9}",
        "ecosystem", "advisories", "packages"
    );
    for e in &meta.ecosystems {
        let _ = writeln!(
            out,
            "  {:<48} {:>10} {:>9}",
            e.ecosystem, e.advisories, e.packages
        );
    }
    out
}
