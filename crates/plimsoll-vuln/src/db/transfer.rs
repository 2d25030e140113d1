//! Moving a built database between machines: `plimsoll db export`, `db
//! import` of an exported file, and `db push`/`db pull` as an OCI artifact
//! (the way Trivy's and Grype's users mirror their databases into an
//! air-gapped network).
//!
//! A database is only ever installed after [`verify`] has checked it end
//! to end: the index digest and metadata as [`Database::open`] does, then
//! every package, advisory and alias-group blob decoded (opening alone
//! leaves the data section to lookups), the metadata's counts against the
//! index, and the SHA-256 of the whole file against the digest it was
//! published with (the `FILE.sha256` written beside an export, the layer
//! digest of a pulled artifact, or `--digest`). It is then renamed over the
//! database in one step: a scan never sees half a file, and a failed check
//! leaves the old database as it was.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{AdvisoryIndex, Database, DbError, Meta, SCHEMA_VERSION};

/// The OCI artifact type of a pushed database.
pub const ARTIFACT_TYPE: &str = "application/vnd.plimsoll.vulndb.v1";
/// The media type of its one layer: the database file as it is on disk.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.plimsoll.vulndb.layer.v1";
/// OCI's empty configuration (`{}`), as artifacts without a config use.
pub const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
pub const EMPTY_CONFIG: &[u8] = b"{}";
/// The manifest's media type.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Largest database accepted from a registry.
pub const MAX_PULL_BYTES: u64 = 4 << 30;

/// A database file checked end to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `sha256:<hex>` of the whole file.
    pub digest: String,
    pub bytes: u64,
    pub meta: Meta,
}

/// Where the digest a database was checked against came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestCheck {
    /// Matched the digest given (`--digest`, a pulled layer's digest).
    Given(String),
    /// Matched the `FILE.sha256` beside the file.
    Sidecar(PathBuf),
    /// No digest was published with it: only its own integrity was checked.
    None,
}

/// The SHA-256 of a file, `sha256:<hex>`.
pub fn file_digest(path: &Path) -> Result<(String, u64), DbError> {
    let io = |source| DbError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let got = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        h.update(&buf[..got]);
        n += got as u64;
    }
    Ok((format!("sha256:{}", hex::encode(h.finalize())), n))
}

/// Checks the database at `path` end to end (see the module documentation).
pub fn verify(path: &Path) -> Result<Verified, DbError> {
    let db = Database::open(path)?;
    let corrupt = |what: String| DbError::Corrupt {
        path: path.to_path_buf(),
        what,
    };
    let meta = db.meta().clone();
    if meta.schema_version != SCHEMA_VERSION {
        return Err(corrupt(format!(
            "metadata says schema {} in a schema {SCHEMA_VERSION} file",
            meta.schema_version
        )));
    }
    if meta.advisories != db.len() as u64 {
        return Err(corrupt(format!(
            "metadata counts {} advisories, the index holds {}",
            meta.advisories,
            db.len()
        )));
    }
    if meta.packages != db.package_count() as u64 {
        return Err(corrupt(format!(
            "metadata counts {} packages, the index holds {}",
            meta.packages,
            db.package_count()
        )));
    }
    if !looks_like_rfc3339(&meta.built_at) {
        return Err(corrupt(format!(
            "build time {:?} is not an RFC 3339 time",
            meta.built_at
        )));
    }
    let groups = db.section(super::GROUPS).len() / super::GROUP_ENTRY;
    for i in 0..db.len() {
        let a = db.advisory(AdvisoryIndex(i as u32))?;
        if a.group as usize >= groups {
            return Err(corrupt(format!(
                "advisory #{i} names alias group {}",
                a.group
            )));
        }
    }
    // Drop the decoded advisories: they were only read to be checked.
    db.cache().clear();
    for g in 0..groups {
        db.alias_group(g as u32)?;
    }
    for i in 0..db.package_count() {
        let (key, eco, off, len) = db.package_entry(i)?;
        let blob = db.blob(off, len)?;
        let entries: Vec<super::AffectedEntry> =
            super::decode_blob(&blob).map_err(|e| corrupt(format!("package {eco}/{key}: {e}")))?;
        if let Some(e) = entries.iter().find(|e| e.advisory.0 as usize >= db.len()) {
            return Err(corrupt(format!(
                "package {eco}/{key} names advisory #{} of {}",
                e.advisory.0,
                db.len()
            )));
        }
    }
    let (digest, bytes) = file_digest(path)?;
    Ok(Verified {
        digest,
        bytes,
        meta,
    })
}

/// `2026-12-07T10:00:00Z` and the like (the shape the builder writes).
fn looks_like_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't')
        && b[13] == b':'
        && b[16] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .iter()
            .all(|r| b[r.clone()].iter().all(u8::is_ascii_digit))
}

/// The `FILE.sha256` beside `file` (`sha256sum`'s format: `<hex>  <name>`).
pub fn sidecar_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".sha256");
    file.with_file_name(name)
}

/// The digest a sidecar file states, `sha256:<hex>`.
pub fn read_sidecar(path: &Path) -> Result<String, DbError> {
    let text = std::fs::read_to_string(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let word = text.split_whitespace().next().unwrap_or_default();
    let hexpart = word.strip_prefix("sha256:").unwrap_or(word);
    if hexpart.len() != 64 || !hexpart.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(DbError::Corrupt {
            path: path.to_path_buf(),
            what: "not a SHA-256 digest file (expected `<64 hex digits>  <file name>`)".into(),
        });
    }
    Ok(format!("sha256:{}", hexpart.to_ascii_lowercase()))
}

fn normalise_digest(d: &str) -> String {
    let d = d.trim();
    let hexpart = d.strip_prefix("sha256:").unwrap_or(d);
    format!("sha256:{}", hexpart.to_ascii_lowercase())
}

/// Writes a temporary file beside `to` with `write`, lets `check` judge
/// it, and renames it over `to` when it passes (the temporary file is
/// removed when it does not).
fn staged<T>(
    to: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
    what: &str,
    check: impl FnOnce(&Path) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let dir = match to.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|source| DbError::Io {
        path: dir.clone(),
        source,
    })?;
    let build = |what: String| DbError::Build {
        path: to.to_path_buf(),
        what,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| build(format!("temporary file in {}: {e}", dir.display())))?;
    {
        let dst = tmp.as_file_mut();
        write(dst).map_err(|e| build(format!("{what}: {e}")))?;
        dst.flush().map_err(|e| build(e.to_string()))?;
        dst.sync_all().map_err(|e| build(e.to_string()))?;
    }
    let checked = check(tmp.path())?;
    tmp.persist(to)
        .map_err(|e| build(format!("renaming into place: {}", e.error)))?;
    Ok(checked)
}

/// [`staged`] with a copy of `from`.
fn copy_checked<T>(
    from: &Path,
    to: &Path,
    check: impl FnOnce(&Path) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut src = File::open(from).map_err(|source| DbError::Io {
        path: from.to_path_buf(),
        source,
    })?;
    let what = format!("copying {}", from.display());
    staged(to, |dst| io::copy(&mut src, dst).map(|_| ()), &what, check)
}

/// `plimsoll db export`: checks the database at `db`, writes a copy to
/// `out` and its digest to `out.sha256`.
pub fn export(db: &Path, out: &Path) -> Result<Verified, DbError> {
    let verified = verify(db)?;
    copy_checked(db, out, |copy| {
        let (digest, _) = file_digest(copy)?;
        if digest != verified.digest {
            return Err(DbError::Corrupt {
                path: out.to_path_buf(),
                what: format!(
                    "the copy's digest {digest} differs from {}",
                    verified.digest
                ),
            });
        }
        Ok(())
    })?;
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let line = format!(
        "{}  {name}\n",
        verified.digest.trim_start_matches("sha256:")
    );
    let sidecar = sidecar_path(out);
    std::fs::write(&sidecar, line).map_err(|source| DbError::Io {
        path: sidecar,
        source,
    })?;
    Ok(verified)
}

/// Whether `path` starts as a plimsoll database file does.
pub fn is_database_file(path: &Path) -> bool {
    let mut magic = [0u8; 8];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == super::MAGIC
}

/// `plimsoll db import FILE` of an exported database, and the last step of
/// `db pull`: checks `file` end to end and against `expected` (else the
/// `FILE.sha256` beside it, when there is one), then installs it as `db`.
pub fn install(
    file: &Path,
    db: &Path,
    expected: Option<&str>,
) -> Result<(Verified, DigestCheck), DbError> {
    let sidecar = sidecar_path(file);
    let (want, check) = match expected {
        Some(d) => (
            Some(normalise_digest(d)),
            DigestCheck::Given(normalise_digest(d)),
        ),
        None if sidecar.is_file() => (
            Some(read_sidecar(&sidecar)?),
            DigestCheck::Sidecar(sidecar.clone()),
        ),
        None => (None, DigestCheck::None),
    };
    let verified = copy_checked(file, db, |copy| {
        checked(copy, file, want.as_deref(), &check)
    })?;
    Ok((verified, check))
}

/// The end-to-end check of a staged copy of `file`, and its digest against
/// `want` (from `check`).
fn checked(
    copy: &Path,
    file: &Path,
    want: Option<&str>,
    check: &DigestCheck,
) -> Result<Verified, DbError> {
    let v = verify(copy).map_err(|e| rename_path(e, file))?;
    if let Some(want) = want
        && want != v.digest
    {
        return Err(DbError::Corrupt {
            path: file.to_path_buf(),
            what: format!(
                "its digest is {}, {} says {want}; nothing was installed",
                v.digest,
                match check {
                    DigestCheck::Sidecar(p) => p.display().to_string(),
                    _ => "the expected digest".into(),
                }
            ),
        });
    }
    Ok(v)
}

/// The last step of `db pull`: the fetched database (`what` names where it
/// came from) written beside `db`, checked end to end and against
/// `expected`, and renamed into place; nothing is installed when a check fails.
pub fn install_bytes(
    data: &[u8],
    what: &str,
    db: &Path,
    expected: &str,
) -> Result<Verified, DbError> {
    let want = normalise_digest(expected);
    let check = DigestCheck::Given(want.clone());
    staged(
        db,
        |f| f.write_all(data),
        &format!("writing {what}"),
        |copy| checked(copy, Path::new(what), Some(&want), &check),
    )
}

/// Errors about the temporary copy name the file the user gave.
fn rename_path(e: DbError, file: &Path) -> DbError {
    let p = file.to_path_buf();
    match e {
        DbError::Io { source, .. } => DbError::Io { path: p, source },
        DbError::NotADatabase { .. } => DbError::NotADatabase { path: p },
        DbError::Schema {
            found, expected, ..
        } => DbError::Schema {
            path: p,
            found,
            expected,
        },
        DbError::Corrupt { what, .. } => DbError::Corrupt { path: p, what },
        other => other,
    }
}

/// The manifest of a database pushed as an OCI artifact: an empty config,
/// one layer (the file), annotations with what it holds.
pub fn artifact_manifest(verified: &Verified, file_name: &str) -> Vec<u8> {
    let m = &verified.meta;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
            "digest": format!("sha256:{}", hex::encode(Sha256::digest(EMPTY_CONFIG))),
            "size": EMPTY_CONFIG.len(),
        },
        "layers": [{
            "mediaType": LAYER_MEDIA_TYPE,
            "digest": verified.digest,
            "size": verified.bytes,
            "annotations": {"org.opencontainers.image.title": file_name},
        }],
        "annotations": {
            "org.opencontainers.image.created": m.built_at,
            "org.opencontainers.image.description": "plimsoll vulnerability database (OSV advisories)",
            "dev.plimsoll.vulndb.schema": m.schema_version.to_string(),
            "dev.plimsoll.vulndb.advisories": m.advisories.to_string(),
            "dev.plimsoll.vulndb.built-by": m.built_by,
        },
    });
    serde_json::to_vec_pretty(&manifest).expect("a JSON value serialises")
}

/// The database layer (digest, size) of a pulled manifest, after checking
/// that the manifest is a plimsoll database artifact of a schema this
/// build reads.
pub fn artifact_layer(reference: &str, manifest: &[u8]) -> Result<(String, u64), DbError> {
    let bad = |what: String| DbError::Corrupt {
        path: PathBuf::from(reference),
        what,
    };
    let m: Value =
        serde_json::from_slice(manifest).map_err(|e| bad(format!("manifest is not JSON: {e}")))?;
    let artifact_type = m["artifactType"].as_str().unwrap_or_default();
    if artifact_type != ARTIFACT_TYPE {
        return Err(bad(format!(
            "not a plimsoll vulnerability database (artifactType {artifact_type:?}, expected {ARTIFACT_TYPE})"
        )));
    }
    if let Some(s) = m["annotations"]["dev.plimsoll.vulndb.schema"].as_str()
        && s != SCHEMA_VERSION.to_string()
    {
        return Err(DbError::Schema {
            path: PathBuf::from(reference),
            found: s.parse().unwrap_or(0),
            expected: SCHEMA_VERSION,
        });
    }
    let layers = m["layers"].as_array().cloned().unwrap_or_default();
    let layer = layers
        .iter()
        .find(|l| l["mediaType"] == LAYER_MEDIA_TYPE)
        .ok_or_else(|| bad(format!("no {LAYER_MEDIA_TYPE} layer")))?;
    let digest = layer["digest"]
        .as_str()
        .filter(|d| d.starts_with("sha256:") && d.len() == 71)
        .ok_or_else(|| bad("the layer has no sha256 digest".into()))?;
    let size = layer["size"]
        .as_u64()
        .ok_or_else(|| bad("the layer has no size".into()))?;
    if size > MAX_PULL_BYTES {
        return Err(bad(format!(
            "the database is {size} bytes, more than the {MAX_PULL_BYTES} accepted"
        )));
    }
    Ok((digest.to_string(), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_shape() {
        assert!(looks_like_rfc3339("2026-12-07T10:00:00Z"));
        assert!(looks_like_rfc3339("2026-12-07T10:00:00.123+01:00"));
        assert!(!looks_like_rfc3339("yesterday"));
        assert!(!looks_like_rfc3339("2026-12-07 10:00"));
    }

    #[test]
    fn sidecar_names_and_digests() {
        assert_eq!(
            sidecar_path(Path::new("/x/vuln.db")),
            Path::new("/x/vuln.db.sha256")
        );
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f.sha256");
        std::fs::write(&p, format!("{}  f\n", "AB".repeat(32))).unwrap();
        assert_eq!(
            read_sidecar(&p).unwrap(),
            format!("sha256:{}", "ab".repeat(32))
        );
        std::fs::write(&p, "nonsense\n").unwrap();
        assert!(
            read_sidecar(&p)
                .unwrap_err()
                .to_string()
                .contains("SHA-256")
        );
    }
}
