//! `plimsoll pin`: image references rewritten to `name:tag@sha256:…` (P-D1)
//! in Dockerfiles (every `FROM`, a global `ARG` default a `FROM` uses,
//! `COPY --from=IMAGE`), Kubernetes manifests and Compose files (every
//! container's `image`), each tag resolved once, nothing else in the text
//! changed: comments, indentation, quoting and line endings stay.
//!
//! - [`sites`] finds where each reference is written (a byte range), with
//!   the fronts the audits read these files with (`plimsoll_dockerfile`,
//!   `plimsoll_runtime`);
//! - [`Resolver`] asks what a tag points at now: the registry, or an OCI
//!   layout (`--resolve-from oci:DIR`), through `plimsoll_oci`; the index
//!   digest of a multi-platform image by default, the platform's manifest
//!   with `platform_digest`;
//! - [`pin`] rewrites the text and says what changed: a tag pinned, a pin
//!   gone stale (the tag has moved: replaced only with `update`), or why a
//!   reference could not be resolved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use plimsoll_oci::{ImageRef, NameRef, ResolveOptions};

/// A file could not be read as what its name says, or a path not walked.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("{path}: {why}")]
    Parse { path: String, why: String },
    #[error("{path}: {why}")]
    Path { path: String, why: String },
}

/// The files `paths` name: files as given; directories walked for
/// Dockerfiles (as `plimsoll lint` walks them) and YAML/JSON files (as
/// `plimsoll config audit` does), sorted, each once.
pub fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PinError> {
    let mut out = Vec::new();
    for p in paths {
        let err = |why: String| PinError::Path {
            path: p.display().to_string(),
            why,
        };
        if p.is_dir() {
            let mut found = Vec::new();
            plimsoll_lint::files::discover(p, &mut found).map_err(|e| err(e.to_string()))?;
            found.extend(
                plimsoll_runtime::files::manifests_under(p).map_err(|e| err(e.to_string()))?,
            );
            found.sort();
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(err("no such file or directory".into()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

/// Replaces `path`'s content with `text`: written beside it and renamed
/// over it, so a crash leaves the old file or the new one, never half; the
/// file's permissions are kept.
pub fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.plimsoll-pin.{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Where an image reference is written: `text[start..end]` is `image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub start: usize,
    pub end: usize,
    /// 1-based.
    pub line: u32,
    pub image: String,
}

/// The image references of `text` (the file `path`): a Dockerfile by its
/// name (as `plimsoll lint` tells), else YAML or JSON.
pub fn sites(path: &Path, text: &str) -> Result<Vec<Site>, PinError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if plimsoll_lint::files::is_dockerfile(&name) {
        dockerfile_sites(path, text)
    } else {
        yaml_sites(path, text)
    }
}

fn line_of(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset.min(text.len())].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// `word` inside `text[from..to]`, as a site.
fn find_in(text: &str, from: usize, to: usize, word: &str) -> Option<Site> {
    let region = text.get(from..to.min(text.len()))?;
    let i = region.find(word)?;
    let start = from + i;
    Some(Site {
        start,
        end: start + word.len(),
        line: line_of(text, start),
        image: word.to_string(),
    })
}

/// A reference worth pinning: not `scratch`, no variable left in it.
fn pinnable(image: &str) -> bool {
    !image.is_empty() && !image.contains('$') && !image.eq_ignore_ascii_case("scratch")
}

fn dockerfile_sites(path: &Path, text: &str) -> Result<Vec<Site>, PinError> {
    let df = plimsoll_dockerfile::parse(text).map_err(|e| PinError::Parse {
        path: path.display().to_string(),
        why: e.to_string(),
    })?;
    let stage_names: Vec<&str> = df.stages.iter().filter_map(|s| s.name.as_deref()).collect();
    let is_stage = |w: &str| {
        stage_names.iter().any(|n| n.eq_ignore_ascii_case(w)) || w.parse::<usize>().is_ok()
    };
    // Global ARGs (before the first FROM) with a literal default.
    let mut global_args: HashMap<String, Site> = HashMap::new();
    for ins in df.instructions.iter().filter(|i| i.stage.is_none()) {
        if ins.keyword != plimsoll_dockerfile::Keyword::Arg {
            continue;
        }
        for (k, v) in ins.key_values() {
            let Some(v) = v else { continue };
            let needle = format!("{k}=");
            let Some(key) = find_in(text, ins.span.start, ins.span.end, &needle) else {
                continue;
            };
            if let Some(site) = find_in(text, key.end, ins.span.end, &v) {
                global_args.insert(k, site);
            }
        }
    }
    let mut out: Vec<Site> = Vec::new();
    for stage in &df.stages {
        let ins = &df.instructions[stage.from];
        let image = stage.image.as_str();
        let var = image
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| image.strip_prefix('$'));
        let site = match var {
            Some(name) => global_args.get(name).cloned(),
            None if is_stage(image) => None,
            None => find_in(text, ins.args_span.start, ins.args_span.end, image),
        };
        if let Some(site) = site.filter(|s| pinnable(&s.image) && !is_stage(&s.image))
            && !out.contains(&site)
        {
            out.push(site);
        }
    }
    for ins in &df.instructions {
        if ins.keyword != plimsoll_dockerfile::Keyword::Copy {
            continue;
        }
        let Some(flag) = ins.flag("from") else {
            continue;
        };
        let Some(value) = flag.value.as_deref() else {
            continue;
        };
        if is_stage(value) || !pinnable(value) {
            continue;
        }
        if let Some(site) = find_in(text, flag.span.start, flag.span.end, value) {
            out.push(site);
        }
    }
    out.sort_by_key(|s| s.start);
    Ok(out)
}

fn yaml_sites(path: &Path, text: &str) -> Result<Vec<Site>, PinError> {
    use plimsoll_runtime::files::{SourceKind, detect};
    let name = path.display().to_string();
    let err = |why: String| PinError::Parse {
        path: name.clone(),
        why,
    };
    let workloads = match detect(text) {
        SourceKind::Kubernetes => {
            plimsoll_runtime::kubernetes::read_manifests(&name, text)
                .map_err(|e| err(e.to_string()))?
                .workloads
        }
        SourceKind::Compose => {
            let vars = plimsoll_runtime::compose::Variables::default();
            plimsoll_runtime::compose::read_compose(&name, text, &vars)
                .map_err(|e| err(e.to_string()))?
                .workloads
        }
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut out: Vec<Site> = Vec::new();
    for w in &workloads {
        for c in w.containers() {
            let Some(image) = &c.image else { continue };
            // Only what this file says (not an override's or an include's).
            let elsewhere = image.file.as_deref().is_some_and(|f| f != name.as_str());
            if elsewhere || !pinnable(&image.value) {
                continue;
            }
            let Some(&line_start) = line_starts.get(image.pos.line.saturating_sub(1) as usize)
            else {
                continue;
            };
            let line_text = &text[line_start..];
            // Columns count characters.
            let col = image.pos.column.saturating_sub(1) as usize;
            let Some((offset, _)) = line_text.char_indices().nth(col) else {
                continue;
            };
            let mut start = line_start + offset;
            if text[start..].starts_with(['"', '\'']) {
                start += 1;
            }
            let end = start + image.value.len();
            // An interpolated or folded value is not written as read: left alone.
            if text.get(start..end) != Some(image.value.as_str()) {
                continue;
            }
            let site = Site {
                start,
                end,
                line: image.pos.line,
                image: image.value.clone(),
            };
            if !out.contains(&site) {
                out.push(site);
            }
        }
    }
    out.sort_by_key(|s| s.start);
    Ok(out)
}

/// Where tags are resolved.
pub struct Resolver {
    options: ResolveOptions,
    layout: Option<PathBuf>,
    platform_digest: bool,
    cache: HashMap<String, Result<String, String>>,
}

impl Resolver {
    /// `layout`: resolve from this OCI layout (by tag) instead of
    /// registries; `platform_digest`: the platform's manifest digest rather
    /// than the index's.
    pub fn new(options: ResolveOptions, layout: Option<PathBuf>, platform_digest: bool) -> Self {
        Resolver {
            options,
            layout,
            platform_digest,
            cache: HashMap::new(),
        }
    }

    /// The digest `image` (a name with a tag) points at now; each image is
    /// resolved once.
    pub fn digest(&mut self, image: &str) -> Result<String, String> {
        if let Some(hit) = self.cache.get(image) {
            return hit.clone();
        }
        let answer = self.resolve(image);
        self.cache.insert(image.to_string(), answer.clone());
        answer
    }

    fn resolve(&self, image: &str) -> Result<String, String> {
        let name = NameRef::parse(image);
        let reference = match &self.layout {
            // The layout's ref.name: the reference as written (`debian:12`),
            // else its tag alone (`12`).
            Some(dir) => {
                let tag = name.tag.unwrap_or("latest");
                let written = format!("{}:{tag}", name.name);
                let full = ImageRef::OciLayout {
                    dir: dir.clone(),
                    tag: Some(written),
                };
                if let Ok(found) = plimsoll_oci::resolve(&full, &self.options) {
                    return Ok(self.pick(&found));
                }
                ImageRef::OciLayout {
                    dir: dir.clone(),
                    tag: Some(tag.to_string()),
                }
            }
            None => ImageRef::Registry {
                reference: match name.tag {
                    Some(t) => format!("{}:{t}", name.name),
                    None => name.name.to_string(),
                },
            },
        };
        let resolved =
            plimsoll_oci::resolve(&reference, &self.options).map_err(|e| e.to_string())?;
        Ok(self.pick(&resolved))
    }

    /// The index digest, or the platform's manifest digest.
    fn pick(&self, image: &plimsoll_oci::Image) -> String {
        match (&image.index_digest, self.platform_digest) {
            (Some(index), false) => index.to_string(),
            _ => image.id().to_string(),
        }
    }
}

/// What happened to one reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A tag (or a bare name) now pinned.
    Pinned { line: u32, from: String, to: String },
    /// A pinned digest that is no longer what its tag points at; replaced
    /// only with `update`.
    Stale {
        line: u32,
        image: String,
        current: String,
        replaced: bool,
    },
    /// Already pinned to what the tag points at (or pinned without a tag).
    Current { line: u32, image: String },
    /// The tag could not be resolved.
    Failed {
        line: u32,
        image: String,
        why: String,
    },
}

/// The text with its references pinned, and what happened to each.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub text: String,
    pub changes: Vec<Change>,
}

impl Pinned {
    /// Whether `--check` fails: a reference unpinned, stale or unresolved.
    pub fn needs_work(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c, Change::Current { .. }))
    }
}

/// Pins every site of `text`. With `update`, a stale pin is replaced by
/// the tag's current digest; without, it is reported and left.
pub fn pin(text: &str, sites: &[Site], resolver: &mut Resolver, update: bool) -> Pinned {
    let mut out = String::with_capacity(text.len() + sites.len() * 72);
    let mut changes = Vec::new();
    let mut at = 0;
    for site in sites {
        let name = NameRef::parse(&site.image);
        let base = match name.tag {
            Some(t) => format!("{}:{t}", name.name),
            None => name.name.to_string(),
        };
        let replacement = match (name.digest, name.tag) {
            // Pinned without a tag: nothing says what it should move to.
            (Some(_), None) => {
                changes.push(Change::Current {
                    line: site.line,
                    image: site.image.clone(),
                });
                None
            }
            (pinned, _) => match resolver.digest(&base) {
                Err(why) => {
                    changes.push(Change::Failed {
                        line: site.line,
                        image: site.image.clone(),
                        why,
                    });
                    None
                }
                Ok(current) => match pinned {
                    Some(p) if p == current => {
                        changes.push(Change::Current {
                            line: site.line,
                            image: site.image.clone(),
                        });
                        None
                    }
                    Some(_) => {
                        changes.push(Change::Stale {
                            line: site.line,
                            image: site.image.clone(),
                            current: current.clone(),
                            replaced: update,
                        });
                        update.then(|| format!("{base}@{current}"))
                    }
                    None => {
                        let to = format!("{base}@{current}");
                        changes.push(Change::Pinned {
                            line: site.line,
                            from: site.image.clone(),
                            to: to.clone(),
                        });
                        Some(to)
                    }
                },
            },
        };
        if let Some(r) = replacement {
            out.push_str(&text[at..site.start]);
            out.push_str(&r);
            at = site.end;
        }
    }
    out.push_str(&text[at..]);
    Pinned { text: out, changes }
}

/// How `plimsoll pin` words a change of `path` (`check`: nothing is
/// written); `None` for a reference already current. The bool is whether
/// the line is an error (standard error).
pub fn describe(path: &Path, change: &Change, check: bool) -> Option<(bool, String)> {
    let p = path.display();
    Some(match change {
        Change::Pinned { line, from, to } => {
            let verb = if check { "unpinned" } else { "pinned" };
            (false, format!("{p}:{line}: {verb} {from} -> {to}"))
        }
        Change::Stale {
            line,
            image,
            current,
            replaced,
        } => {
            let what = if *replaced && !check {
                "updated"
            } else {
                "stale (--update replaces it)"
            };
            (
                false,
                format!("{p}:{line}: {what} {image}: the tag now points at {current}"),
            )
        }
        Change::Failed { line, image, why } => {
            (true, format!("{p}:{line}: cannot resolve {image}: {why}"))
        }
        Change::Current { .. } => return None,
    })
}

/// The changes of a run, counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub files: usize,
    pub current: usize,
    /// Pinned, or stale (replaced or not).
    pub todo: usize,
    pub failed: usize,
    /// Stale pins left in place (no `update`).
    pub stale_left: usize,
}

impl Tally {
    pub fn add(&mut self, changes: &[Change]) {
        self.files += 1;
        for c in changes {
            match c {
                Change::Current { .. } => self.current += 1,
                Change::Pinned { .. } => self.todo += 1,
                Change::Stale { replaced, .. } => {
                    self.todo += 1;
                    self.stale_left += usize::from(!replaced);
                }
                Change::Failed { .. } => self.failed += 1,
            }
        }
    }

    /// The closing line.
    pub fn summary(&self, check: bool) -> String {
        format!(
            "{} file(s): {} reference(s) already pinned, {} {}, {} not resolved",
            self.files,
            self.current,
            self.todo,
            if check {
                "to pin or update"
            } else {
                "pinned or updated"
            },
            self.failed
        )
    }

    /// Whether the run fails (exit 1): a tag not resolved, something to do
    /// under `check`, or a stale pin left in place (still wrong).
    pub fn fails(&self, check: bool) -> bool {
        self.failed > 0 || (check && self.todo > 0) || self.stale_left > 0
    }
}
