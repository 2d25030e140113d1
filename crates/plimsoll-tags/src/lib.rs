//! A repository's tags against the tagging policy (P-D2): `X.Y.Z` never
//! moves (TAG001), `X.Y` / `X` / `latest` point at the newest release they
//! follow (TAG002), and every tag is a version, `latest` or a git commit
//! SHA, or matches the team's own configured scheme (TAG003).
//!
//! The tags and their digests come from the caller (`plimsoll_oci::
//! list_tags` for a registry); the first digest each release tag was seen
//! with comes from a [`Record`]: a local file `plimsoll tags check --record`
//! keeps, or the server's tag history read into one.

pub mod kind;
pub mod rules;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plimsoll_report::{Finding, Severity};
use regex::Regex;
use serde::{Deserialize, Serialize};

pub use kind::{Kind, classify, is_release};

/// The tag policy could not be used, or the record not read or written.
#[derive(Debug, thiserror::Error)]
pub enum TagsError {
    #[error("tag pattern {pattern:?}: {why}")]
    Pattern { pattern: String, why: String },
    #[error("tag record {path}: {why}")]
    Record { path: PathBuf, why: String },
}

/// The team's tag scheme beyond versions and SHAs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    allow: Vec<Regex>,
}

impl Options {
    /// `allow`: regular expressions a whole tag may match (`build-[0-9]+`).
    pub fn new(allow: &[String]) -> Result<Options, TagsError> {
        let allow = allow
            .iter()
            .map(|p| {
                Regex::new(&format!("^(?:{p})$")).map_err(|e| TagsError::Pattern {
                    pattern: p.clone(),
                    why: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Options { allow })
    }
}

/// When a release tag was first seen, and with which digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub digest: String,
    /// Unix time, seconds.
    pub first_seen: u64,
}

/// The first digest of every release tag seen, per repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Format version (1).
    pub version: u32,
    pub repositories: BTreeMap<String, BTreeMap<String, Seen>>,
}

impl Record {
    /// Reads `path`; a file that does not exist is an empty record.
    pub fn load(path: &Path) -> Result<Record, TagsError> {
        let err = |why: String| TagsError::Record {
            path: path.to_path_buf(),
            why,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Record {
                    version: 1,
                    ..Record::default()
                });
            }
            Err(e) => return Err(err(e.to_string())),
        };
        let r: Record = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a plimsoll tag record: {e}")))?;
        if r.version != 1 {
            return Err(err(format!(
                "format version {} (this plimsoll reads 1)",
                r.version
            )));
        }
        Ok(r)
    }

    /// Writes the record whole, replacing `path` atomically (a crash leaves
    /// the old file or the new one, never half of one).
    pub fn save(&self, path: &Path) -> Result<(), TagsError> {
        let err = |why: String| TagsError::Record {
            path: path.to_path_buf(),
            why,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .ok_or_else(|| err("not a file name".into()))?
            .to_string_lossy();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let mut text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        text.push('\n');
        std::fs::write(&tmp, text).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e.to_string())
        })
    }

    /// The first sighting of `repository:tag`.
    pub fn first(&self, repository: &str, tag: &str) -> Option<&Seen> {
        self.repositories.get(repository)?.get(tag)
    }

    /// Notes `repository:tag` → `digest` unless the tag was seen before
    /// (the first digest is what it must keep); whether it was new.
    pub fn note(&mut self, repository: &str, tag: &str, digest: &str, now: u64) -> bool {
        self.version = 1;
        let tags = self.repositories.entry(repository.to_string()).or_default();
        if tags.contains_key(tag) {
            return false;
        }
        tags.insert(
            tag.to_string(),
            Seen {
                digest: digest.to_string(),
                first_seen: now,
            },
        );
        true
    }
}

/// One tag as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub tag: String,
    pub digest: String,
    /// release, line, latest, git-sha, allowed, other.
    pub kind: &'static str,
}

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub repository: String,
    pub tags: Vec<Tag>,
    pub findings: Vec<Finding>,
    /// Release tags added to the record by this run.
    pub recorded: usize,
}

fn kind_word(k: &Kind) -> &'static str {
    match k {
        Kind::Release { .. } => "release",
        Kind::Line { .. } => "line",
        Kind::Latest => "latest",
        Kind::GitSha => "git-sha",
        Kind::Allowed => "allowed",
        Kind::Other => "other",
    }
}

/// Judges `tags` (tag, digest) of `repository` against the policy, with
/// the first sightings in `history`.
pub fn check(
    repository: &str,
    tags: &[(String, String)],
    history: &Record,
    options: &Options,
) -> Report {
    let kinds: Vec<(&str, &str, Kind)> = tags
        .iter()
        .map(|(t, d)| (t.as_str(), d.as_str(), classify(t, &options.allow)))
        .collect();
    let mut findings = Vec::new();
    for (tag, digest, kind) in &kinds {
        let field = format!("tags[{tag}]");
        match kind {
            Kind::Release { .. } => {
                if let Some(seen) = history.first(repository, tag)
                    && seen.digest != *digest
                {
                    findings.push(
                        Finding::new(
                            &rules::MovedReleaseTag::INFO,
                            format!(
                                "release tag `{tag}` points at {digest}, but it was first seen at {} (unix time {}): an X.Y.Z tag must never move",
                                seen.digest, seen.first_seen
                            ),
                        )
                        .at_field(field),
                    );
                }
            }
            Kind::Line { parts, variant } => {
                if let Some((newest, newest_digest)) = newest(&kinds, Some(parts), variant)
                    && newest_digest != *digest
                {
                    findings.push(stale(tag, digest, newest, newest_digest, field));
                }
            }
            Kind::Latest => {
                if let Some((newest, newest_digest)) = newest(&kinds, None, "")
                    && newest_digest != *digest
                {
                    findings.push(stale(tag, digest, newest, newest_digest, field));
                }
            }
            Kind::GitSha | Kind::Allowed => {}
            Kind::Other => findings.push(
                Finding::new(
                    &rules::UnconventionalTag::INFO,
                    format!(
                        "tag `{tag}` names neither a version (X.Y.Z, X.Y, X), `latest`, nor a git commit SHA"
                    ),
                )
                .at_field(field),
            ),
        }
    }
    Report {
        repository: repository.to_string(),
        tags: kinds
            .iter()
            .map(|(t, d, k)| Tag {
                tag: t.to_string(),
                digest: d.to_string(),
                kind: kind_word(k),
            })
            .collect(),
        findings,
        recorded: 0,
    }
}

fn stale(tag: &str, digest: &str, newest: &str, newest_digest: &str, field: String) -> Finding {
    Finding::new(
        &rules::StaleMovingTag::INFO,
        format!(
            "`{tag}` points at {digest}, not at the newest release it follows, `{newest}` ({newest_digest})"
        ),
    )
    .at_field(field)
}

/// The newest non-pre-release release of `variant` whose version starts
/// with `parts` (any, for None).
fn newest<'a>(
    kinds: &'a [(&'a str, &'a str, Kind)],
    parts: Option<&[u64]>,
    variant: &str,
) -> Option<(&'a str, &'a str)> {
    kinds
        .iter()
        .filter_map(|(t, d, k)| match k {
            Kind::Release {
                version,
                variant: v,
                prerelease: false,
            } if v == variant && parts.is_none_or(|p| version.starts_with(p)) => {
                Some((*version, *t, *d))
            }
            _ => None,
        })
        // The highest version; of equal ones (v1.2.3 and 1.2.3), the first.
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(_, t, d)| (t, d))
}

/// Adds the release tags of `report` not seen before to `record`; how many.
pub fn record(report: &mut Report, record: &mut Record, now: u64) -> usize {
    let mut n = 0;
    for t in &report.tags {
        if t.kind == "release" && record.note(&report.repository, &t.tag, &t.digest, now) {
            n += 1;
        }
    }
    report.recorded = n;
    n
}

impl Report {
    /// Whether a finding is at `fail_on` or above.
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= fail_on)
    }

    /// rustc-style diagnostics, then one line of counts.
    pub fn render_table(&self) -> String {
        let files = [plimsoll_report::render::FileFindings {
            path: &self.repository,
            source: None,
            error: None,
            findings: &self.findings,
        }];
        let mut out = plimsoll_report::render::to_diagnostics(&files);
        let count = |k: &str| self.tags.iter().filter(|t| t.kind == k).count();
        out.push_str(&format!(
            "{}: {} tags ({} releases, {} moving, {} git SHAs, {} other); {} findings{}\n",
            self.repository,
            self.tags.len(),
            count("release"),
            count("line") + count("latest"),
            count("git-sha"),
            count("other") + count("allowed"),
            self.findings.len(),
            if self.recorded > 0 {
                format!("; {} release tags recorded", self.recorded)
            } else {
                String::new()
            }
        ));
        out
    }

    /// SARIF 2.1.0, one run.
    pub fn to_sarif(&self, tool_version: &str) -> serde_json::Value {
        let rules: Vec<plimsoll_report::RuleInfo> = rules::ALL.iter().map(|r| **r).collect();
        plimsoll_report::to_sarif(
            tool_version,
            "https://github.com/plimsoll",
            &rules,
            &self.findings,
            &self.repository,
            plimsoll_report::UriBase::SrcRoot,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[(&str, char)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(t, c)| {
                (
                    t.to_string(),
                    format!("sha256:{}", c.to_string().repeat(64)),
                )
            })
            .collect()
    }

    fn codes(r: &Report) -> Vec<(String, String)> {
        r.findings
            .iter()
            .map(|f| (f.code.clone(), f.location.field.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn moving_tags_follow_the_newest_release_of_their_variant() {
        let t = tags(&[
            ("1.2.3", 'a'),
            ("1.2.10", 'b'),
            ("1.3.0", 'c'),
            ("2.0.0-rc1", 'd'),
            ("1.2", 'b'),    // right: 1.2.10, not 1.2.3 (numeric order)
            ("1", 'b'),      // wrong: 1.3.0
            ("latest", 'c'), // right: the pre-release does not count
            ("1.3.0-alpine", 'e'),
            ("1-alpine", 'e'),   // right
            ("1.3-alpine", 'c'), // wrong: the alpine variant is e
            ("3f2c1ab", 'a'),
            ("stable", 'a'),
        ]);
        let r = check("reg/app", &t, &Record::default(), &Options::default());
        assert_eq!(
            codes(&r),
            [
                ("TAG002".to_string(), "tags[1]".to_string()),
                ("TAG002".into(), "tags[1.3-alpine]".into()),
                ("TAG003".into(), "tags[stable]".into()),
            ]
        );
        assert!(
            r.findings[0].message.contains("`1.3.0`"),
            "{:?}",
            r.findings
        );
        let allowed = Options::new(&["stable|edge".into()]).unwrap();
        let r = check("reg/app", &t, &Record::default(), &allowed);
        assert_eq!(r.findings.len(), 2);
        assert!(Options::new(&["(".into()]).is_err());
    }

    #[test]
    fn a_release_tag_that_moved_is_found_and_the_first_digest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tags.json");
        let mut history = Record::load(&path).unwrap();
        let first = tags(&[("1.0.0", 'a'), ("1.0.1", 'b')]);
        let mut r = check("reg/app", &first, &history, &Options::default());
        assert!(r.findings.is_empty());
        assert_eq!(record(&mut r, &mut history, 100), 2);
        history.save(&path).unwrap();

        let mut history = Record::load(&path).unwrap();
        let moved = tags(&[("1.0.0", 'c'), ("1.0.1", 'b')]);
        let mut r = check("reg/app", &moved, &history, &Options::default());
        assert_eq!(
            codes(&r),
            [("TAG001".to_string(), "tags[1.0.0]".to_string())]
        );
        assert!(r.findings[0].message.contains(&"a".repeat(64)));
        // The moved tag does not overwrite its first digest.
        assert_eq!(record(&mut r, &mut history, 200), 0);
        assert_eq!(
            history.first("reg/app", "1.0.0").unwrap().digest,
            first[0].1
        );
        assert!(r.fails(Severity::High));
        // Another repository's history is its own.
        let r = check("reg/other", &moved, &history, &Options::default());
        assert!(r.findings.is_empty());
    }

    #[test]
    fn a_broken_record_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tags.json");
        std::fs::write(&path, "{not json").unwrap();
        let e = Record::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("tags.json") && e.contains("not a plimsoll tag record"),
            "{e}"
        );
        std::fs::write(&path, r#"{"version": 7, "repositories": {}}"#).unwrap();
        let e = Record::load(&path).unwrap_err().to_string();
        assert!(e.contains("format version 7"), "{e}");
    }
}
