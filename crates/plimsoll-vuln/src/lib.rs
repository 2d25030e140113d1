//! Vulnerability data and matching.
//!
//! - [`version`]: exact version ordering for every package ecosystem an
//!   image can hold, as the ecosystem's own tools order versions.
//! - [`osv`]: the OSV advisory model and its parser.
//! - [`import`]: reading OSV advisories from directories and the
//!   per-ecosystem zip archives OSV publishes.
//! - [`db`]: the embedded single-file advisory database and its lookup API.
//! - [`update`]: downloading the archives that changed.

pub mod db;
pub mod import;
pub mod osv;
pub mod update;
pub mod version;

pub use version::{Ecosystem, VersionError, compare};
