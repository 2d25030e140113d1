//! Audit rules on the built image: one file per rule under `rules/`, each
//! naming the practice it enforces. Rules read [`AuditContext`], built from
//! the engine's single pass; none reads a layer again.

pub mod analyzers;
mod judge;
mod redact;
mod report;
pub mod rule;
pub mod rules;
pub mod secrets;
mod users;

use std::collections::BTreeMap;

use plimsoll_engine::{Engine, FileTree, Scan, SymlinkLoop};
use plimsoll_oci::Image;
use plimsoll_report::{Finding, RuleInfo};

pub use analyzers::{ConfigFiles, FileSecrets, SecretFiles};
pub use judge::{Judge, JudgeError, rule_refs};
pub use plimsoll_report::declare_rule;
pub use redact::redact_config;
pub use report::{
    EfficiencySummary, INFO_URI, ImageReport, ImageSummary, ImageUser, LayerSummary,
    SCHEMA_VERSION, ScanInfo, Tool, inspect_json, render_inspect, render_table, to_junit, to_sarif,
};
pub use rule::Rule;
pub use users::RuntimeUser;

/// Thresholds and policy the rules read; all have defaults.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    /// dive's `lowestEfficiency`: below this efficiency score, IMG008 fires.
    pub min_efficiency: f64,
    /// dive's `highestUserWastedPercent` as a ratio: above it, IMG008 fires.
    pub max_wasted_ratio: f64,
    /// dive's `highestWastedBytes`: above it, IMG008 fires (None: off).
    pub max_wasted_bytes: Option<u64>,
    /// The environment the image is meant for, and how it is told (IMG017).
    pub environment: plimsoll_practice::services::Environment,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            min_efficiency: 0.9,
            max_wasted_ratio: 0.1,
            max_wasted_bytes: None,
            environment: plimsoll_practice::services::Environment::NONE,
        }
    }
}

/// An approved base image (P-D3): its reference and layer list.
#[derive(Debug, Clone)]
pub struct ApprovedBase {
    pub reference: String,
    pub diff_ids: Vec<String>,
}

/// Everything rules may look at.
pub struct AuditContext<'a> {
    pub image: &'a Image,
    /// True when the user named the image by digest.
    pub pinned_by_digest: bool,
    pub tree: &'a FileTree,
    /// Secrets per layer, bottom layer first.
    pub secrets: &'a [Vec<FileSecrets>],
    /// Final content of [`analyzers::CONFIG_FILES`] present in the image.
    pub config_files: &'a BTreeMap<String, Vec<u8>>,
    pub settings: &'a AuditSettings,
    /// None when no `--approved-base` was given (IMG014 then stays silent).
    pub approved_bases: Option<&'a [ApprovedBase]>,
}

impl AuditContext<'_> {
    /// The user the container runs as, resolved against /etc/passwd.
    pub fn runtime_user(&self) -> RuntimeUser {
        RuntimeUser::resolve(
            self.image.config.config.user.as_deref().unwrap_or(""),
            self.config_files.get("etc/passwd").map(Vec::as_slice),
            self.config_files.get("etc/group").map(Vec::as_slice),
        )
    }

    /// The digest of layer `i`, for locations.
    pub fn layer_digest(&self, i: usize) -> String {
        self.image
            .layers
            .get(i)
            .map(|l| l.digest.to_string())
            .unwrap_or_default()
    }

    /// The effective command: Entrypoint followed by Cmd.
    pub fn command(&self) -> Vec<String> {
        let c = &self.image.config.config;
        let mut v = c.entrypoint.clone().unwrap_or_default();
        v.extend(c.cmd.clone().unwrap_or_default());
        v
    }
}

/// A rule could not run on this image.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{image}")]
    SymlinkLoop {
        image: String,
        #[source]
        source: SymlinkLoop,
    },
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
}

/// Adds the audit's analysers to the engine's single pass.
pub fn register_analyzers(engine: &mut Engine) {
    engine.register(SecretFiles);
    engine.register(ConfigFiles);
}

/// The facts the rules need, gathered from a scan.
pub struct AuditFacts {
    pub tree: FileTree,
    pub secrets: Vec<Vec<FileSecrets>>,
    pub config_files: BTreeMap<String, Vec<u8>>,
}

impl AuditFacts {
    pub fn from_scan(scan: &Scan) -> Result<Self, AuditError> {
        Self::with_tree(scan, scan.file_tree()?)
    }

    /// The facts, given the scan's merged file tree (built once by a caller
    /// that needs it for other analyses too).
    pub fn with_tree(scan: &Scan, tree: FileTree) -> Result<Self, AuditError> {
        let secrets = scan.facts::<SecretFiles>()?;
        let per_layer = scan.facts::<ConfigFiles>()?;
        // The final version of each config file is the one from the layer
        // the merged tree says it comes from.
        let mut config_files = BTreeMap::new();
        for path in analyzers::CONFIG_FILES {
            if let Some(node) = tree.files.get(path)
                && let Some(layer) = per_layer.get(node.layer())
                && let Some((_, bytes)) = layer.iter().find(|(p, _)| p == path)
            {
                config_files.insert(path.to_string(), bytes.clone());
            }
        }
        Ok(AuditFacts {
            tree,
            secrets,
            config_files,
        })
    }
}

/// Every audit rule, in code order.
pub fn all_rules() -> Vec<&'static dyn Rule> {
    rules::ALL.to_vec()
}

/// The documentation of every rule.
pub fn rule_infos() -> Vec<RuleInfo> {
    rules::ALL.iter().map(|r| *r.info()).collect()
}

/// Runs every rule; findings sorted by severity (worst first), then code, then path.
pub fn audit(ctx: &AuditContext<'_>) -> Result<Vec<Finding>, AuditError> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        rule.check(ctx, &mut out)?;
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.location.path.cmp(&b.location.path))
            .then_with(|| a.location.field.cmp(&b.location.field))
    });
    Ok(out)
}
