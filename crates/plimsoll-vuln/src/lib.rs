//! Vulnerability data and matching.
//!
//! - [`version`]: exact version ordering for every package ecosystem an
//!   image can hold, as the ecosystem's own tools order versions.
//! - [`osv`]: the OSV advisory model and its parser.
//! - [`import`]: reading OSV advisories from directories and the
//!   per-ecosystem zip archives OSV publishes.
//! - [`db`]: the embedded single-file advisory database and its lookup API.
//! - [`update`]: downloading the archives that changed.
//! - [`zipdir`]: zip archives read one entry at a time, in bounded memory.
//! - [`cvss`]: CVSS vectors parsed and scored.
//! - [`enrich`]: CVE facts from NVD CVE JSON 2.0, CISA KEV and FIRST EPSS files.
//! - [`policy`]: ignore rules and OpenVEX statements.
//! - [`matcher`]: where a package's advisories are and whether a version is affected.
//! - [`findings`]: an inventory matched against the database, one finding per
//!   vulnerability and package.
//! - [`report`]: findings as rule `VULN001`, on the audit's severity scale,
//!   as a table, as counts and as CycloneDX vulnerabilities.

pub mod cvss;
pub mod db;
pub mod enrich;
pub mod findings;
pub mod ignore_files;
pub mod import;
pub mod matcher;
pub mod os_ecosystems;
pub mod osv;
pub mod policy;
pub mod report;
pub mod update;
pub mod version;
pub mod zipdir;

pub use cvss::{Cvss, CvssError, Severity};
pub use version::{Ecosystem, VersionError, compare};
