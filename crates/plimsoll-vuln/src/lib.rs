//! Vulnerability matching. Its foundation, and so far its only module, is
//! [`version`]: exact version ordering for every package ecosystem an image
//! can hold, as the ecosystem's own tools order versions.

pub mod policy;
pub mod version;

pub use version::{Ecosystem, VersionError, compare};
