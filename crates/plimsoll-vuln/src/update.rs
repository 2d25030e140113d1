//! Downloading OSV archives: `<base URL>/<Ecosystem>/all.zip`, the layout of
//! the OSV data export (and of any mirror of it), with the list of
//! ecosystems in `<base URL>/ecosystems.txt` unless the caller names them.
//!
//! Only what changed is downloaded: each archive is kept in `archive_dir`
//! with a small JSON sidecar holding the server's `ETag` and
//! `Last-Modified`, sent back as `If-None-Match` / `If-Modified-Since`; a
//! `304 Not Modified` costs no body. A server that ignores conditional
//! requests still sends the archive, and then an unchanged SHA-256 counts as
//! unchanged. A new archive is written beside the old one, checked to be a
//! readable zip, then renamed over it: a failed or corrupt download leaves
//! the previous copy in place and names the ecosystem and URL in the error.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Largest archive accepted by default (the biggest OSV archives are a few
/// hundred MiB).
pub const DEFAULT_MAX_ARCHIVE_BYTES: u64 = 4 << 30;
/// Largest `ecosystems.txt` read.
const MAX_LIST_BYTES: u64 = 1 << 20;

/// What to download and where to keep it.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Base URL; archives are at `<base>/<Ecosystem>/all.zip`.
    pub base_url: String,
    /// Ecosystems to fetch; empty: every line of `<base>/ecosystems.txt`.
    pub ecosystems: Vec<String>,
    /// Where archives and their sidecars are kept between runs.
    pub archive_dir: PathBuf,
    /// Connect timeout, and the longest wait for any single read.
    pub timeout: Duration,
    pub max_archive_bytes: u64,
    /// Local inputs imported with the archives at every rebuild (`[db]
    /// extra`): NVD CVE JSON 2.0, CISA KEV and FIRST EPSS files, OSV
    /// directories. A change to one of them rebuilds the database too.
    pub extra: Vec<PathBuf>,
    /// The same kinds of input by URL (`[db] extra` entries that are
    /// `http(s)://` URLs: NVD's yearly feeds, CISA's KEV JSON, FIRST's
    /// EPSS CSV): downloaded with conditional requests like the archives,
    /// kept under `<archive_dir>/extra/`, imported with them.
    pub extra_urls: Vec<String>,
    /// Told as archives download (a progress bar); `None`: nothing is told.
    pub progress: Option<std::sync::Arc<dyn DownloadProgress>>,
}

/// What a download tells as it goes, for a progress bar: each archive's
/// start (with its size when the server says it), every chunk received,
/// and its end. Called from the downloading thread.
pub trait DownloadProgress: Send + Sync + std::fmt::Debug {
    fn archive_started(&self, ecosystem: &str, total: Option<u64>);
    fn bytes(&self, n: u64);
    fn archive_finished(&self, ecosystem: &str, outcome: Outcome);
}

/// What happened to one archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A new or changed archive was downloaded.
    Downloaded { bytes: u64 },
    /// The server said (304) or the digest showed that nothing changed.
    Unchanged,
}

/// One archive after the update.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveStatus {
    pub ecosystem: String,
    pub url: String,
    /// The local copy.
    pub path: PathBuf,
    pub sha256: String,
    pub outcome: Outcome,
}

/// The outcome of [`download`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateReport {
    pub archives: Vec<ArchiveStatus>,
}

impl UpdateReport {
    /// Whether any archive was downloaded.
    pub fn changed(&self) -> bool {
        self.archives
            .iter()
            .any(|a| matches!(a.outcome, Outcome::Downloaded { .. }))
    }

    /// Bytes downloaded (archive bodies).
    pub fn downloaded_bytes(&self) -> u64 {
        self.archives
            .iter()
            .map(|a| match a.outcome {
                Outcome::Downloaded { bytes } => bytes,
                Outcome::Unchanged => 0,
            })
            .sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("invalid advisory source URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("invalid ecosystem name {name:?} (a single path segment is expected)")]
    Ecosystem { name: String },
    /// The request failed (no connection, a timeout, TLS): said once,
    /// with its innermost cause, not reqwest's chain that repeats the URL.
    #[error("{url}: {}", describe_http(error))]
    Http { url: String, error: reqwest::Error },
    #[error("{url}: the server answered {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: more than {max} bytes; refusing to download it")]
    TooLarge { url: String, max: u64 },
    #[error("{url}: lists no ecosystem")]
    NoEcosystems { url: String },
    #[error(
        "archive of {ecosystem} downloaded from {url} is not a readable zip ({source}); the previous copy, if any, is kept"
    )]
    Corrupt {
        ecosystem: String,
        url: String,
        #[source]
        source: crate::zipdir::ZipError,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The sidecar of a kept archive.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Sidecar {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    sha256: String,
    bytes: u64,
}

/// What went wrong with a request, once: `cannot connect (dns error: …)`,
/// `timed out`, the innermost cause of reqwest's chain (shared with the
/// server's client and webhooks).
pub fn describe_http(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({cause})")
    }
}

/// Downloads every archive that changed since the last run.
pub fn download(opts: &UpdateOptions) -> Result<UpdateReport, UpdateError> {
    let base = opts.base_url.trim().trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(UpdateError::Url {
            url: opts.base_url.clone(),
            reason: "expected an http:// or https:// URL".into(),
        });
    }
    reqwest::Url::parse(base).map_err(|e| UpdateError::Url {
        url: opts.base_url.clone(),
        reason: e.to_string(),
    })?;
    // reqwest is built without a default crypto provider (as oci-client
    // is): install ring's once for the process; an already installed one
    // stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(opts.timeout)
        .timeout(opts.timeout)
        .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| UpdateError::Http {
            url: base.to_string(),
            error,
        })?;

    let ecosystems = if opts.ecosystems.is_empty() {
        list_ecosystems(&client, base)?
    } else {
        opts.ecosystems.clone()
    };
    let mut report = UpdateReport::default();
    for ecosystem in ecosystems {
        let ecosystem = ecosystem.trim().to_string();
        if ecosystem.is_empty()
            || ecosystem.len() > 128
            || ecosystem.contains(['/', '\\'])
            || ecosystem == "."
            || ecosystem == ".."
            || ecosystem.chars().any(char::is_control)
        {
            return Err(UpdateError::Ecosystem { name: ecosystem });
        }
        let url = format!("{base}/{}/all.zip", encode_segment(&ecosystem));
        let dir = opts.archive_dir.join(safe_dir_name(&ecosystem));
        report.archives.push(fetch_archive(
            &client,
            opts,
            &ecosystem,
            &url,
            &dir,
            ("all.zip", true),
        )?);
    }
    for url in &opts.extra_urls {
        let parsed = reqwest::Url::parse(url).map_err(|e| UpdateError::Url {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(UpdateError::Url {
                url: url.clone(),
                reason: "expected an http:// or https:// URL".into(),
            });
        }
        let name = parsed
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|n| !n.is_empty())
            .map(safe_dir_name)
            .unwrap_or_else(|| "download".into());
        let dir = opts.archive_dir.join("extra").join(safe_dir_name(
            url.split_once("://").map_or(url.as_str(), |(_, r)| r),
        ));
        report.archives.push(fetch_archive(
            &client,
            opts,
            url,
            url,
            &dir,
            (&name, false),
        )?);
    }
    Ok(report)
}

fn list_ecosystems(
    client: &reqwest::blocking::Client,
    base: &str,
) -> Result<Vec<String>, UpdateError> {
    let url = format!("{base}/ecosystems.txt");
    let http = |error| UpdateError::Http {
        url: url.clone(),
        error,
    };
    let resp = client.get(&url).send().map_err(http)?;
    if !resp.status().is_success() {
        return Err(UpdateError::Status {
            url: url.clone(),
            status: resp.status(),
        });
    }
    let mut body = Vec::new();
    resp.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|source| UpdateError::Io {
            path: PathBuf::from(&url),
            source,
        })?;
    if body.len() as u64 > MAX_LIST_BYTES {
        return Err(UpdateError::TooLarge {
            url,
            max: MAX_LIST_BYTES,
        });
    }
    let list: Vec<String> = String::from_utf8_lossy(&body)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    if list.is_empty() {
        return Err(UpdateError::NoEcosystems { url });
    }
    Ok(list)
}

/// Downloads `url` into `dir/<file>` when it changed (`file`, and whether
/// it must be a readable zip: OSV's archives are, the extra inputs are not).
fn fetch_archive(
    client: &reqwest::blocking::Client,
    opts: &UpdateOptions,
    ecosystem: &str,
    url: &str,
    dir: &Path,
    (file, zip): (&str, bool),
) -> Result<ArchiveStatus, UpdateError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UpdateError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let archive = dir.join(file);
    let sidecar_path = dir.join(format!("{file}.json"));
    // The sidecar counts only if the archive it describes is still there.
    let previous: Option<Sidecar> = std::fs::read(&sidecar_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Sidecar>(&b).ok())
        .filter(|s| s.url == url && std::fs::metadata(&archive).is_ok_and(|m| m.len() == s.bytes));

    let mut request = client.get(url);
    if let Some(p) = &previous {
        if let Some(etag) = &p.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &p.last_modified {
            request = request.header(IF_MODIFIED_SINCE, lm);
        }
    }
    let http = |error| UpdateError::Http {
        url: url.to_string(),
        error,
    };
    let response = request.send().map_err(http)?;
    let status = response.status();
    let status_of = |outcome, sha256: String| ArchiveStatus {
        ecosystem: ecosystem.to_string(),
        url: url.to_string(),
        path: archive.clone(),
        sha256,
        outcome,
    };
    if status == StatusCode::NOT_MODIFIED
        && let Some(p) = previous.clone()
    {
        if let Some(pr) = &opts.progress {
            pr.archive_finished(ecosystem, Outcome::Unchanged);
        }
        return Ok(status_of(Outcome::Unchanged, p.sha256));
    }
    if status != StatusCode::OK {
        return Err(UpdateError::Status {
            url: url.to_string(),
            status,
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > opts.max_archive_bytes)
    {
        return Err(UpdateError::TooLarge {
            url: url.to_string(),
            max: opts.max_archive_bytes,
        });
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let etag = header(ETAG);
    let last_modified = header(LAST_MODIFIED);
    if let Some(pr) = &opts.progress {
        pr.archive_started(ecosystem, response.content_length());
    }

    let tmp = dir.join(format!(".{file}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut out = File::create(&tmp).map_err(io(&tmp))?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut body = response.take(opts.max_archive_bytes + 1);
        let mut buf = vec![0u8; 256 << 10];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(UpdateError::Io {
                        path: PathBuf::from(url),
                        source,
                    });
                }
            };
            bytes += n as u64;
            if let Some(pr) = &opts.progress {
                pr.bytes(n as u64);
            }
            if bytes > opts.max_archive_bytes {
                return Err(UpdateError::TooLarge {
                    url: url.to_string(),
                    max: opts.max_archive_bytes,
                });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io(&tmp))?;
        }
        out.sync_all().map_err(io(&tmp))?;
        drop(out);
        let sha256 = hex::encode(hasher.finalize());
        let sidecar = Sidecar {
            url: url.to_string(),
            etag: etag.clone(),
            last_modified: last_modified.clone(),
            sha256: sha256.clone(),
            bytes,
        };
        if previous.as_ref().is_some_and(|p| p.sha256 == sha256) {
            // The server ignored the conditional request; same bytes.
            let _ = std::fs::remove_file(&tmp);
            write_sidecar(&sidecar_path, &sidecar)?;
            return Ok(status_of(Outcome::Unchanged, sha256));
        }
        if zip {
            let file = File::open(&tmp).map_err(io(&tmp))?;
            crate::zipdir::check(file).map_err(|source| UpdateError::Corrupt {
                ecosystem: ecosystem.to_string(),
                url: url.to_string(),
                source,
            })?;
        }
        std::fs::rename(&tmp, &archive).map_err(io(&archive))?;
        write_sidecar(&sidecar_path, &sidecar)?;
        Ok(status_of(Outcome::Downloaded { bytes }, sha256))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    if let (Some(pr), Ok(status)) = (&opts.progress, &result) {
        pr.archive_finished(ecosystem, status.outcome);
    }
    result
}

fn write_sidecar(path: &Path, sidecar: &Sidecar) -> Result<(), UpdateError> {
    let io = |source| UpdateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension(format!("json.tmp.{}", std::process::id()));
    let json = serde_json::to_vec_pretty(sidecar).map_err(|e| io(io::Error::other(e)))?;
    std::fs::write(&tmp, json).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Percent-encodes one URL path segment (`Red Hat` -> `Red%20Hat`).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A directory name for an ecosystem: safe characters kept, others `_`.
fn safe_dir_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_names_become_safe_urls_and_directories() {
        assert_eq!(encode_segment("Red Hat"), "Red%20Hat");
        assert_eq!(encode_segment("crates.io"), "crates.io");
        assert_eq!(safe_dir_name("Red Hat:9"), "Red_Hat_9");
    }

    #[test]
    fn refuses_urls_that_are_not_http() {
        let opts = UpdateOptions {
            base_url: "file:///etc".into(),
            ecosystems: vec!["npm".into()],
            archive_dir: PathBuf::from("/nonexistent"),
            extra: Vec::new(),
            extra_urls: Vec::new(),
            progress: None,
            timeout: Duration::from_secs(1),
            max_archive_bytes: 1,
        };
        assert!(matches!(download(&opts), Err(UpdateError::Url { .. })));
    }
}

/// The outcome of [`refresh`].
#[derive(Debug)]
pub struct Refreshed {
    pub download: UpdateReport,
    /// The rebuilt database and what its import saw; None when it was
    /// already built from exactly the archives downloaded.
    pub rebuilt: Option<(crate::db::Meta, crate::import::ImportReport)>,
}

/// A refresh could not finish; the database file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Download(#[from] UpdateError),
    #[error("importing the downloaded archives and the [db] extra inputs")]
    Import(#[source] crate::import::ImportError),
    #[error(transparent)]
    Build(#[from] crate::db::DbError),
}

/// Downloads the archives that changed and rebuilds the database at `path`
/// when one did, or when the database was not built from exactly these
/// archives (missing, damaged, imported by hand). Sources are named by the
/// URL they came from, not by the local copy.
pub fn refresh(path: &Path, opts: &UpdateOptions) -> Result<Refreshed, RefreshError> {
    let download = download(opts)?;
    let mut wanted: Vec<String> = download.archives.iter().map(|a| a.sha256.clone()).collect();
    for p in &opts.extra {
        wanted.push(crate::import::source_digest(p).map_err(RefreshError::Import)?);
    }
    wanted.sort();
    let current = crate::db::Database::open(path).ok().map(|d| {
        let mut have: Vec<String> = d.meta().sources.iter().map(|s| s.sha256.clone()).collect();
        have.sort();
        have
    });
    if !download.changed() && current.is_some_and(|have| have == wanted) {
        return Ok(Refreshed {
            download,
            rebuilt: None,
        });
    }
    let archives: Vec<&Path> = download
        .archives
        .iter()
        .map(|a| a.path.as_path())
        .chain(opts.extra.iter().map(PathBuf::as_path))
        .collect();
    let work_dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut imported =
        crate::import::import_in(&archives, work_dir).map_err(RefreshError::Import)?;
    for (source, archive) in imported.report.sources.iter_mut().zip(&download.archives) {
        source.location = archive.url.clone();
    }
    let report = imported.report.clone();
    let meta = crate::db::build(imported, path)?;
    Ok(Refreshed {
        download,
        rebuilt: Some((meta, report)),
    })
}

/// OSV's public data export: `<Ecosystem>/all.zip` and `ecosystems.txt`
/// under one URL. `db update` and the automatic update of `scan` use it
/// when no other source is configured.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// When a scan refreshes the database by itself (Trivy's and Grype's habit:
/// `scan` works on a fresh machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Refresh when the database was built or last found current longer ago.
    pub max_age: Duration,
    /// A failed refresh still scans with a database younger than this (with
    /// a warning); an older one fails the scan, as it may miss too much.
    pub hard_limit: Duration,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            max_age: Duration::from_secs(24 * 3600),
            hard_limit: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The file whose modification time says when the database at `path` was
/// last found current (a refresh that downloaded nothing does not rewrite
/// the database).
pub fn checked_stamp(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".checked");
    path.with_file_name(name)
}

/// How long ago the database at `path` was built or found current; None
/// when there is no database.
pub fn age(path: &Path) -> Option<Duration> {
    let built = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let checked = std::fs::metadata(checked_stamp(path))
        .and_then(|m| m.modified())
        .ok();
    let newest = checked.map_or(built, |c| c.max(built));
    Some(
        std::time::SystemTime::now()
            .duration_since(newest)
            .unwrap_or_default(),
    )
}

/// What [`ensure_fresh`] did.
#[derive(Debug)]
pub enum Ensured {
    /// Young enough: nothing was asked of the network.
    Fresh { age: Duration },
    /// Refreshed (the archives that changed downloaded, the database
    /// rebuilt when any did).
    Refreshed(Box<Refreshed>),
    /// The refresh failed, but the database is younger than the hard
    /// limit: scan with it and warn.
    Stale { age: Duration, error: RefreshError },
}

/// Why there is no database fit to scan with.
#[derive(Debug, thiserror::Error)]
pub enum EnsureError {
    #[error(
        "no vulnerability database at {} and the download from {url} failed",
        path.display()
    )]
    Missing {
        path: PathBuf,
        url: String,
        #[source]
        error: Box<RefreshError>,
    },
    #[error(
        "the vulnerability database at {} is {} old (more than the {} limit) and the download from {url} failed",
        path.display(),
        human_duration(*age),
        human_duration(*limit)
    )]
    TooOld {
        path: PathBuf,
        url: String,
        age: Duration,
        limit: Duration,
        #[source]
        error: Box<RefreshError>,
    },
}

/// `3h`, `2d 4h`, `45m`: a duration as a person reads it.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (days, hours) {
        (0, 0) => format!("{minutes}m"),
        (0, h) => format!("{h}h"),
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

/// Parses `24h`, `7d`, `90m`, `3600s` (or bare seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        "w" => n.checked_mul(7 * 86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

/// Makes sure the database at `path` is fit to scan with: refreshed from
/// `opts` when missing or older than `freshness.max_age`; a failed refresh
/// is a warning while the database is younger than the hard limit, and an
/// error otherwise (or when there is none). `before` is called before the
/// network is touched, with the database's age (None: missing), so the
/// caller can say what is about to happen.
pub fn ensure_fresh(
    path: &Path,
    opts: &UpdateOptions,
    freshness: Freshness,
    before: impl FnOnce(Option<Duration>),
) -> Result<Ensured, EnsureError> {
    let age = age(path);
    if let Some(a) = age
        && a <= freshness.max_age
    {
        return Ok(Ensured::Fresh { age: a });
    }
    before(age);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // A fresh machine has no data directory yet; if it cannot be made,
        // the refresh below says where it failed.
        let _ = std::fs::create_dir_all(dir);
    }
    match refresh(path, opts) {
        Ok(r) => {
            // Found current (or rebuilt): the next scan need not ask again
            // before max_age. A stamp that cannot be written only costs a
            // conditional request next time.
            let _ = File::create(checked_stamp(path));
            Ok(Ensured::Refreshed(Box::new(r)))
        }
        Err(error) => match age {
            None => Err(EnsureError::Missing {
                path: path.to_path_buf(),
                url: opts.base_url.clone(),
                error: Box::new(error),
            }),
            Some(a) if a > freshness.hard_limit => Err(EnsureError::TooOld {
                path: path.to_path_buf(),
                url: opts.base_url.clone(),
                age: a,
                limit: freshness.hard_limit,
                error: Box::new(error),
            }),
            Some(a) => Ok(Ensured::Stale { age: a, error }),
        },
    }
}

#[cfg(test)]
mod freshness_tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("90m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("15"), Some(Duration::from_secs(15)));
        assert_eq!(parse_duration("1y"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(
            human_duration(Duration::from_secs(3 * 86_400 + 7200)),
            "3d 2h"
        );
        assert_eq!(human_duration(Duration::from_secs(120)), "2m");
    }

    #[test]
    fn a_missing_database_with_an_unreachable_source_is_an_error_naming_both() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("vuln.db");
        let opts = UpdateOptions {
            // A closed loopback port: refused at once, no network needed.
            base_url: "http://127.0.0.1:9".into(),
            ecosystems: vec!["npm".into()],
            archive_dir: t.path().join("osv-archives"),
            extra: Vec::new(),
            extra_urls: Vec::new(),
            progress: None,
            timeout: Duration::from_secs(2),
            max_archive_bytes: 1 << 20,
        };
        let mut asked = None;
        let err =
            ensure_fresh(&path, &opts, Freshness::default(), |a| asked = Some(a)).unwrap_err();
        assert_eq!(asked, Some(None), "told before the network was touched");
        let text = err.to_string();
        assert!(text.contains("no vulnerability database at"), "{text}");
        assert!(text.contains("http://127.0.0.1:9"), "{text}");

        // A young database is used as it is, without asking anything.
        std::fs::write(&path, b"not really a database").unwrap();
        let r = ensure_fresh(&path, &opts, Freshness::default(), |_| panic!("asked")).unwrap();
        assert!(matches!(r, Ensured::Fresh { .. }));
        // Past max_age and the source is down: a warning, not a failure.
        let f = Freshness {
            max_age: Duration::ZERO,
            hard_limit: Duration::from_secs(3600),
        };
        std::thread::sleep(Duration::from_millis(20));
        let r = ensure_fresh(&path, &opts, f, |_| {}).unwrap();
        assert!(matches!(r, Ensured::Stale { .. }), "{r:?}");
        // Past the hard limit too: an error that says how old it is.
        let f = Freshness {
            max_age: Duration::ZERO,
            hard_limit: Duration::ZERO,
        };
        let err = ensure_fresh(&path, &opts, f, |_| {}).unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
    }
}
