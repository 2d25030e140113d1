//! The admission policy: `[admission]` in `plimsoll.toml`, stated in the
//! practices' own terms.
//!
//! ```toml
//! [admission]
//! enforce = ["P-F1", "P-F2", "P-F6", "CFG011"]   # deny when any of these fails
//! warn = ["P-F3", "P-F4", "P-F10"]                # admit, with a warning
//! require_digest = true         # every image as repo@sha256:… (P-D1)
//! require_scan = true           # a passing scan of that digest (P-E1, P-E2)
//! unknown_scan = "deny"         # or "warn": not scanned yet, pending, failed to scan
//! require_signature = true      # a cosign signature by one of these keys (P-D4)
//! signature_keys = ["cosign.pub"]   # PEM public keys, relative to this file
//! signature_repository = "registry.example:5000/signatures"   # as COSIGN_REPOSITORY
//! trusted_registries = ["registry.example:5000", "*.corp.example"]   # P-D5
//! standard = "restricted"       # or "baseline": the Pod Security Standard every pod must meet
//! standard_version = "v1.29"    # its checks as of this Kubernetes version (default: newest)
//! exempt_namespaces = ["kube-system"]
//! exempt_users = ["system:serviceaccount:ci:deployer"]
//! failure = "closed"            # "open": admit when plimsoll itself fails
//! server = "https://plimsoll.example"   # where verdicts come from (or `store`)
//! server_token_file = "/var/run/secrets/plimsoll/token"
//! store = "sqlite:/var/lib/plimsoll/server.db"
//! verdict_ttl_secs = 300        # cache of passed/failed verdicts
//! unknown_ttl_secs = 10         # cache of not-scanned/pending answers
//! cache_entries = 10000
//! resolve_tags = true          # an image named by tag: its scan by the digest the tag points at
//! tag_ttl_secs = 30            # how long a tag's digest is trusted
//! insecure_registries = ["registry.local:5000"]   # resolved over plain HTTP
//! ```
//!
//! A word of `enforce` or `warn` is a practice id (`P-F1`: every rule that
//! enforces it) or a rule code or name (`CFG001`, `privileged`); `enforce`
//! wins over `warn`. Nothing listed: the defaults below. Rules neither list
//! names are not judged.

use std::path::PathBuf;

use plimsoll_report::{Finding, RuleInfo, names_rule};
use serde::Deserialize;

use crate::signature::SignatureKeys;

/// Practices denied when `enforce` and `warn` are both empty: the faults
/// that hand the node to the container.
pub const DEFAULT_ENFORCE: &[&str] = &["P-F1", "P-F2", "P-F6"];
/// Practices warned about by default.
pub const DEFAULT_WARN: &[&str] = &[
    "P-F3", "P-F4", "P-F5", "P-F7", "P-F8", "P-F9", "P-F10", "P-F11", "P-D1", "P-D2", "P-D5",
];

/// `[admission]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionConfig {
    #[serde(default)]
    pub enforce: Vec<String>,
    #[serde(default)]
    pub warn: Vec<String>,
    #[serde(default)]
    pub require_digest: bool,
    #[serde(default)]
    pub require_scan: bool,
    #[serde(default)]
    pub require_signature: bool,
    /// cosign public keys (PEM) a signature may be made with.
    #[serde(default)]
    pub signature_keys: Vec<PathBuf>,
    /// Where signatures are kept when not beside each image (cosign's
    /// `COSIGN_REPOSITORY`): a registry repository.
    pub signature_repository: Option<String>,
    pub unknown_scan: Option<Unknown>,
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    /// The Kubernetes Pod Security Standard every pod must meet
    /// (`baseline` or `restricted`, checks as of the newest release).
    pub standard: Option<String>,
    /// The Kubernetes version whose Pod Security Standards checks apply
    /// (`v1.29`, as the namespace label `enforce-version`; default: newest).
    pub standard_version: Option<String>,
    #[serde(default)]
    pub exempt_namespaces: Vec<String>,
    /// Users (`system:serviceaccount:NS:NAME` for a service account) whose
    /// requests are admitted unchecked.
    #[serde(default)]
    pub exempt_users: Vec<String>,
    pub failure: Option<Failure>,
    /// Base URL of `plimsoll serve` (verdicts by digest).
    pub server: Option<String>,
    /// File holding the server's API token, when its read API needs one.
    pub server_token_file: Option<PathBuf>,
    /// The server's store, read directly (`sqlite:PATH`, `postgres://…`).
    pub store: Option<String>,
    pub verdict_ttl_secs: Option<u64>,
    pub unknown_ttl_secs: Option<u64>,
    pub cache_entries: Option<usize>,
    /// With `require_scan`, resolve an image named by tag to the digest
    /// it points at now and look its scan up by that (default true);
    /// false: a tag has no verdict (`unknown_scan` decides).
    pub resolve_tags: Option<bool>,
    /// How long a tag's digest is trusted before the registry is asked
    /// again (default 30 s).
    pub tag_ttl_secs: Option<u64>,
    /// Registries (host[:port]) reached over plain HTTP to resolve tags.
    #[serde(default)]
    pub insecure_registries: Vec<String>,
}

/// What an image with no usable verdict gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unknown {
    #[default]
    Deny,
    Warn,
}

/// What the webhook answers when it cannot judge (a verdict source down).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    #[default]
    Closed,
    Open,
}

/// A policy that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "[admission] {list}: `{word}` names no practice or rule of the run-time rules (a practice id such as P-F1, or a code such as CFG001)"
    )]
    UnknownWord { list: &'static str, word: String },
    #[error(
        "[admission] require_signature needs signature_keys: the cosign public keys (PEM) a signature may be made with"
    )]
    NoSignatureKeys,
    #[error("[admission] signature_keys: {0}")]
    SignatureKey(#[from] crate::signature::KeyFileError),
    #[error(
        "[admission] require_scan needs a verdict source: set `server` (plimsoll serve's URL) or `store`"
    )]
    NoVerdictSource,
    #[error("[admission] server and store are alternatives; set one")]
    TwoVerdictSources,
    #[error(
        "[admission] standard: {0:?} is not a Pod Security Standard level (baseline, restricted)"
    )]
    Standard(String),
    #[error("[admission] standard_version: {0}")]
    StandardVersion(String),
}

/// How a rule's finding is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Deny,
    Warn,
    Ignore,
}

/// A checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub enforce: Vec<String>,
    pub warn: Vec<String>,
    pub require_digest: bool,
    pub require_scan: bool,
    pub require_signature: bool,
    pub signature_keys: SignatureKeys,
    pub unknown_scan: Unknown,
    pub trusted_registries: Vec<String>,
    pub standard: Option<plimsoll_runtime::pss::Level>,
    pub standard_version: Option<u32>,
    pub exempt_namespaces: Vec<String>,
    pub exempt_users: Vec<String>,
    pub failure: Failure,
    pub resolve_tags: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(&AdmissionConfig::default()).expect("the default policy is valid")
    }
}

fn names(word: &str, info: &RuleInfo) -> bool {
    info.practice.eq_ignore_ascii_case(word.trim()) || names_rule(word, info, &[])
}

impl Policy {
    /// Checks `[admission]`: every word names a practice or rule of the
    /// run-time rules, and what is required can be provided.
    pub fn new(c: &AdmissionConfig) -> Result<Policy, PolicyError> {
        if c.require_signature && c.signature_keys.is_empty() {
            return Err(PolicyError::NoSignatureKeys);
        }
        // Read even when not required, so a wrong file is said at once.
        let signature_keys = SignatureKeys::read(&c.signature_keys)?;
        if c.server.is_some() && c.store.is_some() {
            return Err(PolicyError::TwoVerdictSources);
        }
        if c.require_scan && c.server.is_none() && c.store.is_none() {
            return Err(PolicyError::NoVerdictSource);
        }
        let standard = match c.standard.as_deref() {
            None => None,
            Some(s) => Some(
                s.parse::<plimsoll_runtime::pss::Level>()
                    .map_err(|_| PolicyError::Standard(s.to_string()))?,
            ),
        };
        let infos = judged_rules();
        for (list, words) in [("enforce", &c.enforce), ("warn", &c.warn)] {
            for w in words {
                if !infos.iter().any(|i| names(w, i)) {
                    return Err(PolicyError::UnknownWord {
                        list,
                        word: w.clone(),
                    });
                }
            }
        }
        let (enforce, warn) = if c.enforce.is_empty() && c.warn.is_empty() {
            (
                DEFAULT_ENFORCE.iter().map(|s| s.to_string()).collect(),
                DEFAULT_WARN.iter().map(|s| s.to_string()).collect(),
            )
        } else {
            (c.enforce.clone(), c.warn.clone())
        };
        Ok(Policy {
            enforce,
            warn,
            require_digest: c.require_digest,
            require_scan: c.require_scan,
            require_signature: c.require_signature,
            signature_keys,
            resolve_tags: c.resolve_tags.unwrap_or(true),
            unknown_scan: c.unknown_scan.unwrap_or_default(),
            trusted_registries: c.trusted_registries.clone(),
            standard,
            standard_version: match &c.standard_version {
                Some(v) => Some(
                    plimsoll_runtime::pss::parse_version(v)
                        .map_err(PolicyError::StandardVersion)?,
                ),
                None => None,
            },
            exempt_namespaces: c.exempt_namespaces.clone(),
            exempt_users: c.exempt_users.clone(),
            failure: c.failure.unwrap_or_default(),
        })
    }

    /// What a finding gets: one of the run-time rules on the pod spec, or
    /// one of the image audit's in the image's stored scan (by its code).
    pub fn action(&self, f: &Finding) -> Action {
        self.action_for_code(&f.code)
    }

    /// What a finding of rule `code` gets.
    pub fn action_for_code(&self, code: &str) -> Action {
        let Some(info) = judged_rules().iter().find(|i| i.code == code) else {
            return Action::Ignore;
        };
        if self.enforce.iter().any(|w| names(w, info)) {
            Action::Deny
        } else if self.warn.iter().any(|w| names(w, info)) {
            Action::Warn
        } else {
            Action::Ignore
        }
    }
}

/// The rules a policy word may name: the run-time rules, judged on the
/// pod spec, and the image audit's, judged from each image's stored scan
/// (`require_scan`).
fn judged_rules() -> &'static [RuleInfo] {
    static RULES: std::sync::LazyLock<Vec<RuleInfo>> = std::sync::LazyLock::new(|| {
        let mut out = plimsoll_runtime::rule_infos();
        out.extend(plimsoll_audit::rule_refs().iter().map(|r| *r.info));
        out
    });
    &RULES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml_enforce: &[&str], toml_warn: &[&str]) -> Result<Policy, PolicyError> {
        Policy::new(&AdmissionConfig {
            enforce: toml_enforce.iter().map(|s| s.to_string()).collect(),
            warn: toml_warn.iter().map(|s| s.to_string()).collect(),
            ..AdmissionConfig::default()
        })
    }

    #[test]
    fn words_are_practices_codes_or_names() {
        let p = policy(&["P-F1", "cfg002"], &["no-resource-limits"]).unwrap();
        let privileged = Finding::new(plimsoll_runtime::rules::ALL[0].info(), "x");
        assert_eq!(privileged.practice, "P-F1");
        assert_eq!(p.action(&privileged), Action::Deny);
        let e = policy(&["P-Z9"], &[]).unwrap_err().to_string();
        assert!(e.contains("`P-Z9` names no practice or rule"), "{e}");
    }

    #[test]
    fn requirements_that_cannot_be_met_are_refused() {
        let c = AdmissionConfig {
            require_signature: true,
            ..AdmissionConfig::default()
        };
        assert!(matches!(Policy::new(&c), Err(PolicyError::NoSignatureKeys)));
        let c = AdmissionConfig {
            require_signature: true,
            signature_keys: vec!["/nonexistent/cosign.pub".into()],
            ..AdmissionConfig::default()
        };
        let e = Policy::new(&c).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/cosign.pub"), "{e}");
        let c = AdmissionConfig {
            require_scan: true,
            ..AdmissionConfig::default()
        };
        assert!(matches!(Policy::new(&c), Err(PolicyError::NoVerdictSource)));
    }

    #[test]
    fn the_default_denies_privilege_and_warns_about_the_rest() {
        let p = Policy::default();
        for r in plimsoll_runtime::rules::ALL {
            let f = Finding::new(r.info(), "x");
            let want = if DEFAULT_ENFORCE.contains(&r.info().practice) {
                Action::Deny
            } else if DEFAULT_WARN.contains(&r.info().practice) {
                Action::Warn
            } else {
                Action::Ignore
            };
            assert_eq!(p.action(&f), want, "{}", r.info().code);
        }
    }
}
