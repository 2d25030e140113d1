//! The vulnerability side of a scan: the advisory database, the user's
//! ignores and VEX statements, and the gate's threshold.

use plimsoll_vuln::ignore_files::Parsed;
use std::path::{Path, PathBuf};

use plimsoll_sbom::{DocumentContext, Inventory};
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::VulnReport;
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::policy::{Date, IgnoreRule, Policy};
use plimsoll_vuln::report::DatabaseSummary;

/// The database, ignores or VEX documents could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VulnGateError {
    #[error(
        "no vulnerability database at {}: build it with `plimsoll db import PATH…` \
         (OSV files or archives) or `plimsoll db update`",
        .0.display()
    )]
    NoDatabase(PathBuf),
    #[error("opening the vulnerability database {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: plimsoll_vuln::db::DbError,
    },
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid ignore file {}", path.display())]
    IgnoreFile {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error(transparent)]
    ForeignIgnoreFile(#[from] plimsoll_vuln::ignore_files::IgnoreFileError),
    #[error("ignore rules: {0}")]
    Ignores(plimsoll_vuln::policy::PolicyError),
    #[error(transparent)]
    Vex(plimsoll_vuln::policy::PolicyError),
    #[error("matching against {}: {why}", path.display())]
    Match { path: PathBuf, why: String },
}

/// An ignore file: `[[ignore]]` entries, as `[[scan.ignore]]` in plimsoll.toml.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    #[serde(default)]
    ignore: Vec<IgnoreRule>,
}

/// Reads an ignore file in any syntax plimsoll knows
/// ([`plimsoll_vuln::ignore_files::Syntax::of`]): plimsoll's `[[ignore]]`
/// TOML, `.trivyignore`, `.trivyignore.yaml` or `.grype.yaml`. The notes say
/// what the file holds that is not applied.
pub fn read_ignore_file(path: &Path) -> Result<Parsed, VulnGateError> {
    use plimsoll_vuln::ignore_files::{self as files, Syntax};
    let text = std::fs::read_to_string(path).map_err(|source| VulnGateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    Ok(match Syntax::of(path, &text) {
        Syntax::Plimsoll => {
            let file: IgnoreFile =
                toml::from_str(&text).map_err(|source| VulnGateError::IgnoreFile {
                    path: path.to_path_buf(),
                    source,
                })?;
            Parsed {
                rules: file
                    .ignore
                    .into_iter()
                    .map(|r| IgnoreRule {
                        source: Some(name.clone()),
                        ..r
                    })
                    .collect(),
                notes: Vec::new(),
            }
        }
        Syntax::TrivyLines => files::parse_trivyignore(&text, &name)?,
        Syntax::TrivyYaml => files::parse_trivyignore_yaml(&text, &name)?,
        Syntax::Grype => files::parse_grype_yaml(&text, &name)?,
    })
}

/// The ignore files of [`plimsoll_vuln::ignore_files::DISCOVERED`] present in `dir`.
pub fn discover_ignore_files(dir: &Path) -> Vec<PathBuf> {
    plimsoll_vuln::ignore_files::DISCOVERED
        .iter()
        .map(|name| {
            if dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            }
        })
        .filter(|p| p.is_file())
        .collect()
}

/// The advisory database and the policy vulnerabilities are judged by.
pub struct VulnGate {
    db: Database,
    path: PathBuf,
    policy: Policy,
    /// Counted vulnerabilities at or above this fail the gate.
    pub fail_on: VulnSeverity,
    /// Count only vulnerabilities with a fixed version.
    pub ignore_unfixed: bool,
    /// The severity unknown vulnerabilities count as (`None`: unknown).
    pub unknown_as: Option<VulnSeverity>,
    /// A counted vulnerability in CISA's KEV catalog fails the gate.
    pub fail_on_kev: bool,
    /// A counted vulnerability with an EPSS score at least this fails the gate.
    pub fail_on_epss: Option<f64>,
}

impl VulnGate {
    /// Opens the database at `path` and builds the policy from ignore rules
    /// (dated today) and OpenVEX documents.
    pub fn open(
        path: &Path,
        ignores: Vec<IgnoreRule>,
        vex: &[PathBuf],
        fail_on: VulnSeverity,
        ignore_unfixed: bool,
    ) -> Result<VulnGate, VulnGateError> {
        if !path.is_file() {
            return Err(VulnGateError::NoDatabase(path.to_path_buf()));
        }
        let db = Database::open(path).map_err(|source| VulnGateError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut policy = Policy::new(ignores, Date::today()).map_err(VulnGateError::Ignores)?;
        for p in vex {
            let bytes = std::fs::read(p).map_err(|source| VulnGateError::Read {
                path: p.clone(),
                source,
            })?;
            policy
                .add_vex(&p.display().to_string(), &bytes)
                .map_err(VulnGateError::Vex)?;
        }
        Ok(VulnGate {
            db,
            path: path.to_path_buf(),
            policy,
            fail_on,
            ignore_unfixed,
            unknown_as: None,
            fail_on_kev: false,
            fail_on_epss: None,
        })
    }

    /// The vulnerability gate these settings make.
    pub fn gate(&self) -> plimsoll_vuln::findings::Gate {
        plimsoll_vuln::findings::Gate {
            fail_on: self.fail_on,
            ignore_unfixed: self.ignore_unfixed,
            unknown_as: self.unknown_as,
            fail_on_kev: self.fail_on_kev,
            fail_on_epss: self.fail_on_epss,
        }
    }

    /// What the policy has to say before any image is read (expired ignores).
    pub fn notes(&self) -> &[String] {
        &self.policy.notes
    }

    /// The database as reports name it.
    pub fn database(&self) -> DatabaseSummary {
        DatabaseSummary {
            path: self.path.display().to_string(),
            built: self.db.meta().built_at.clone(),
            advisories: self.db.len(),
        }
    }

    /// Matches every package of the inventory; the image is named for VEX by
    /// its digest, its reference and its purl.
    pub fn find(
        &self,
        inventory: &Inventory,
        document: &DocumentContext,
    ) -> Result<VulnReport, VulnGateError> {
        let image_ids = vec![
            document.subject.digest.clone(),
            document.subject.reference.clone(),
            document.subject.purl(),
        ];
        plimsoll_vuln::findings::find(inventory, &self.db, &self.policy, &image_ids).map_err(|e| {
            VulnGateError::Match {
                path: self.path.clone(),
                why: e.to_string(),
            }
        })
    }
}
