//! Ignores from the configuration file: whole rules, paths for every rule,
//! and paths for one rule.

use std::collections::HashSet;

use globset::{Glob, GlobSet, GlobSetBuilder};
use plimsoll_report::Finding;

/// A bad pattern in the configuration.
#[derive(Debug, thiserror::Error)]
#[error("invalid path pattern '{pattern}'")]
pub struct FilterError {
    pub pattern: String,
    #[source]
    pub source: globset::Error,
}

/// Drops findings the user chose to ignore.
#[derive(Debug, Default)]
pub struct Filter {
    rules: HashSet<String>,
    paths: Option<GlobSet>,
    per_rule: Vec<(String, GlobSet)>,
}

fn globs(patterns: &[String]) -> Result<GlobSet, FilterError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // Paths in findings are absolute; accept patterns written either way.
        let anchored = if p.starts_with('/') || p.starts_with('*') {
            p.clone()
        } else {
            format!("/{p}")
        };
        b.add(Glob::new(&anchored).map_err(|source| FilterError {
            pattern: p.clone(),
            source,
        })?);
    }
    b.build().map_err(|source| FilterError {
        pattern: patterns.join(", "),
        source,
    })
}

impl Filter {
    /// `rules`: codes or names to drop; `paths`: globs dropped for every
    /// rule; `per_rule`: (code or name, globs).
    pub fn new(
        rules: &[String],
        paths: &[String],
        per_rule: &[(String, Vec<String>)],
    ) -> Result<Self, FilterError> {
        Ok(Filter {
            rules: rules.iter().map(|r| r.to_ascii_lowercase()).collect(),
            paths: if paths.is_empty() {
                None
            } else {
                Some(globs(paths)?)
            },
            per_rule: per_rule
                .iter()
                .map(|(r, p)| Ok((r.to_ascii_lowercase(), globs(p)?)))
                .collect::<Result<_, FilterError>>()?,
        })
    }

    pub fn keeps(&self, f: &Finding) -> bool {
        let code = f.code.to_ascii_lowercase();
        let name = f.name.to_ascii_lowercase();
        if self.rules.contains(&code) || self.rules.contains(&name) {
            return false;
        }
        let Some(path) = &f.location.path else {
            return true;
        };
        if self.paths.as_ref().is_some_and(|g| g.is_match(path)) {
            return false;
        }
        !self
            .per_rule
            .iter()
            .any(|(r, g)| (*r == code || *r == name) && g.is_match(path))
    }

    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().filter(|f| self.keeps(f)).collect()
    }
}
