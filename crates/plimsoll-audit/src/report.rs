//! The audit report: one JSON document (stable, documented in the README)
//! and the human renderings of it.

use std::fmt::Write as _;

use plimsoll_engine::{FileTree, Scan};
use plimsoll_oci::Image;
use plimsoll_report::{Finding, Summary};
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change to the JSON document.
pub const SCHEMA_VERSION: u32 = 1;

pub use plimsoll_report::Tool;

/// One layer as reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerSummary {
    pub index: usize,
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    pub media_type: String,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    /// Sum of file sizes in the layer (dive's layer size).
    pub files_bytes: u64,
    pub entries: u64,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    /// Bytes of this layer that later layers delete or overwrite.
    pub hidden_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub from_cache: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EfficiencySummary {
    pub score: f64,
    pub wasted_bytes: u64,
    pub user_bytes: u64,
    pub wasted_user_ratio: f64,
    pub inefficiencies: Vec<plimsoll_engine::Inefficiency>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageSummary {
    pub reference: String,
    /// The image's identity: the manifest digest (config digest for legacy
    /// docker archives, which have no manifest).
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    pub config_digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub platform: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    pub files: usize,
    pub efficiency: EfficiencySummary,
    pub layers: Vec<LayerSummary>,
    /// Who the image's processes run as (its config's `User`, resolved in
    /// its /etc/passwd): what a run time without its own user gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<ImageUser>,
}

/// The user an image runs as by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUser {
    /// The config's `User` as written; empty when unset (root).
    pub user: String,
    /// The uid it resolves to; absent for a name the image's /etc/passwd
    /// does not hold (the run time may still map it to root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u64>,
    /// Whether that is root (uid 0, `root`, or no `User` at all).
    pub root: bool,
}

impl ImageUser {
    /// The user of `image`, resolved in the files `facts` kept.
    pub fn of(image: &Image, facts: &crate::AuditFacts) -> ImageUser {
        let spec = image.config.config.user.as_deref().unwrap_or("");
        let user = crate::RuntimeUser::resolve(
            spec,
            facts.config_files.get("etc/passwd").map(Vec::as_slice),
            facts.config_files.get("etc/group").map(Vec::as_slice),
        );
        ImageUser {
            root: user.is_root(),
            uid: user.uid,
            user: user.spec,
        }
    }

    /// Known to run as a non-root uid.
    pub fn is_known_non_root(&self) -> bool {
        !self.root && self.uid.is_some_and(|u| u != 0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanInfo {
    pub elapsed_ms: u64,
    pub layers_read: usize,
    pub layers_from_cache: usize,
}

/// `plimsoll image audit --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub image: ImageSummary,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub scan: ScanInfo,
}

impl ImageReport {
    pub fn new(image: &Image, scan: &Scan, tree: &FileTree, findings: Vec<Finding>) -> Self {
        let config = crate::redact_config(&image.config);
        let history = config.layer_history(image.layers.len());
        let layers: Vec<LayerSummary> = scan
            .layers
            .iter()
            .zip(&tree.layers)
            .map(|(l, ch)| LayerSummary {
                index: l.layer.index,
                digest: l.layer.digest.to_string(),
                diff_id: l.layer.diff_id.as_ref().map(ToString::to_string),
                media_type: l.layer.media_type.clone(),
                compressed_bytes: l.stats.compressed_bytes,
                uncompressed_bytes: l.stats.uncompressed_bytes,
                files_bytes: ch.size,
                entries: l.stats.entries,
                added: ch.added,
                changed: ch.changed,
                removed: ch.removed,
                hidden_bytes: ch.hidden_bytes,
                created_by: history
                    .get(l.layer.index)
                    .copied()
                    .flatten()
                    .and_then(|h| h.created_by.clone()),
                from_cache: l.from_cache,
            })
            .collect();
        let e = &tree.efficiency;
        let from_cache = scan.layers.iter().filter(|l| l.from_cache).count();
        ImageReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::PLIMSOLL,
            image: ImageSummary {
                reference: image.reference.to_string(),
                digest: image.id().to_string(),
                manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
                config_digest: image.config_digest.to_string(),
                tag: image.tag.clone(),
                platform: image.platform(),
                platform_note: image.platform_note.clone(),
                created: image.config.created.clone(),
                compressed_bytes: layers.iter().map(|l| l.compressed_bytes).sum(),
                uncompressed_bytes: layers.iter().map(|l| l.uncompressed_bytes).sum(),
                files: tree.files.len(),
                efficiency: EfficiencySummary {
                    score: e.score,
                    wasted_bytes: e.wasted_bytes,
                    user_bytes: e.user_size,
                    wasted_user_ratio: e.wasted_user_ratio,
                    inefficiencies: e.inefficiencies.iter().take(20).cloned().collect(),
                },
                layers,
                user: None,
            },
            summary: Summary::of(&findings),
            findings,
            scan: ScanInfo {
                elapsed_ms: scan.elapsed.as_millis() as u64,
                layers_read: scan.layers.len() - from_cache,
                layers_from_cache: from_cache,
            },
        }
    }

    /// The report with the image's default user ([`ImageUser::of`]).
    pub fn with_user(mut self, image: &Image, facts: &crate::AuditFacts) -> Self {
        self.image.user = Some(ImageUser::of(image, facts));
        self
    }
}

/// Bytes in binary units, one decimal.
pub use plimsoll_report::human_bytes as human;

/// Where plimsoll's documentation lives, for SARIF's `informationUri`.
pub const INFO_URI: &str = "https://github.com/plimsoll/plimsoll";

/// `image audit --format junit`: one test suite for the image
/// (`reference@digest`), a failing test case per finding, one passing case
/// when there is none.
pub fn to_junit(r: &ImageReport) -> String {
    let subject = format!("{}@{}", r.image.reference, r.image.digest);
    plimsoll_report::to_junit(&[plimsoll_report::FileFindings {
        path: &subject,
        source: None,
        error: None,
        findings: &r.findings,
    }])
}

/// `image audit --format sarif`: the findings against every image rule.
pub fn to_sarif(r: &ImageReport) -> serde_json::Value {
    let subject = format!("{}@{}", r.image.reference, r.image.digest);
    plimsoll_report::to_sarif(
        env!("CARGO_PKG_VERSION"),
        INFO_URI,
        &crate::rule_infos(),
        &r.findings,
        &subject,
        plimsoll_report::UriBase::ImageRoot,
    )
}

/// `image inspect --format json`: the audit document without findings,
/// with the image's config (secrets masked: [`crate::redact_config`]).
pub fn inspect_json(r: &ImageReport, image: &Image) -> serde_json::Value {
    serde_json::json!({
        "schema_version": r.schema_version,
        "tool": r.tool,
        "image": r.image,
        "config": crate::redact_config(&image.config),
        "scan": r.scan,
    })
}

fn header(out: &mut String, title: &str, r: &ImageReport) {
    let i = &r.image;
    let _ = writeln!(out, "{title} {}", i.reference);
    let _ = writeln!(out, "  digest    {}", i.digest);
    if i.manifest_digest.is_none() {
        let _ = writeln!(
            out,
            "            (legacy docker archive: no manifest; this is the config digest)"
        );
    }
    let _ = writeln!(
        out,
        "  platform  {}{}",
        i.platform,
        i.platform_note
            .as_deref()
            .map(|n| format!("  ({n})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "  size      {} compressed, {} uncompressed, {} layers, {} files",
        human(i.compressed_bytes),
        human(i.uncompressed_bytes),
        i.layers.len(),
        i.files
    );
    let _ = writeln!(
        out,
        "  waste     efficiency {:.2}%, {} wasted ({:.2}% of non-base layers)",
        i.efficiency.score * 100.0,
        human(i.efficiency.wasted_bytes),
        i.efficiency.wasted_user_ratio * 100.0
    );
    let _ = writeln!(
        out,
        "  scanned   in {:.2} s ({} of {} layers from cache)",
        r.scan.elapsed_ms as f64 / 1000.0,
        r.scan.layers_from_cache,
        i.layers.len()
    );
}

/// The people-facing rendering of an audit.
pub fn render_table(r: &ImageReport) -> String {
    let mut out = String::new();
    header(&mut out, "plimsoll image audit", r);
    out.push('\n');
    for f in &r.findings {
        let _ = writeln!(
            out,
            "{:<8} {} {} [{}]  {}",
            f.severity.as_str().to_uppercase(),
            f.code,
            f.name,
            f.practice,
            f.message
        );
        let mut at = Vec::new();
        if let Some(p) = &f.location.path {
            at.push(match f.location.line {
                Some(l) => format!("{p}:{l}"),
                None => p.clone(),
            });
        }
        if let Some(field) = &f.location.field {
            at.push(field.clone());
        }
        if let (Some(l), Some(d)) = (f.location.layer, &f.location.layer_digest) {
            at.push(format!("layer {l} {}", &d[..d.len().min(19)]));
        }
        if !at.is_empty() {
            let _ = writeln!(out, "   --> {}", at.join("  "));
        }
        if let Some(h) = &f.help {
            let _ = writeln!(out, "   help: {h}");
        }
    }
    let s = &r.summary;
    if s.total == 0 {
        let _ = writeln!(out, "no findings");
    } else {
        let _ = writeln!(
            out,
            "\n{} findings: {} critical, {} high, {} medium, {} low, {} info",
            s.total, s.critical, s.high, s.medium, s.low, s.info
        );
    }
    out
}

/// `plimsoll image inspect`: layers and config, like dive without the TUI.
pub fn render_inspect(r: &ImageReport, image: &Image) -> String {
    let mut out = String::new();
    header(&mut out, "plimsoll image inspect", r);
    let _ = writeln!(
        out,
        "\n{:>3}  {:<19}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  {:>10}  created by",
        "#", "digest", "compressed", "size", "added", "changed", "removed", "wasted"
    );
    for l in &r.image.layers {
        let created: String = l
            .created_by
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        let _ = writeln!(
            out,
            "{:>3}  {:<19}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  {:>10}  {}",
            l.index,
            &l.digest[..l.digest.len().min(19)],
            human(l.compressed_bytes),
            human(l.uncompressed_bytes),
            l.added,
            l.changed,
            l.removed,
            human(l.hidden_bytes),
            created
        );
    }
    let config = crate::redact_config(&image.config);
    let c = &config.config;
    let _ = writeln!(out, "\nconfig");
    let show = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map(|v| serde_json::to_string(v).unwrap_or_default())
            .unwrap_or_else(|| "(none)".into())
    };
    let _ = writeln!(
        out,
        "  User        {}",
        c.user
            .as_deref()
            .filter(|u| !u.is_empty())
            .unwrap_or("(unset: root)")
    );
    let _ = writeln!(
        out,
        "  WorkingDir  {}",
        c.working_dir.as_deref().unwrap_or("")
    );
    let _ = writeln!(out, "  Entrypoint  {}", show(&c.entrypoint));
    let _ = writeln!(out, "  Cmd         {}", show(&c.cmd));
    let ports: Vec<&String> = c.exposed_ports.keys().collect();
    let _ = writeln!(
        out,
        "  Ports       {}",
        if ports.is_empty() {
            "(none)".to_string()
        } else {
            ports
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    let _ = writeln!(
        out,
        "  Healthcheck {}",
        c.healthcheck
            .as_ref()
            .map(|h| h.test.join(" "))
            .unwrap_or_else(|| "(none)".into())
    );
    for e in &c.env {
        let _ = writeln!(out, "  Env         {e}");
    }
    for (k, v) in &c.labels {
        let _ = writeln!(out, "  Label       {k}={v}");
    }
    let ineff = &r.image.efficiency.inefficiencies;
    if !ineff.is_empty() {
        let _ = writeln!(
            out,
            "\nlargest paths stored more than once (dive's inefficiencies)"
        );
        for i in ineff.iter().take(10) {
            let _ = writeln!(
                out,
                "  {:>10}  ×{}  /{}",
                human(i.cumulative_size),
                i.count,
                i.path
            );
        }
    }
    out
}
