//! Vulnerability matching. Its foundation is [`version`]: exact version
//! ordering for every package ecosystem an image can hold, as the ecosystem's
//! own tools order versions. [`cvss`] parses advisories' CVSS vectors and
//! scores them.

pub mod cvss;
pub mod policy;
pub mod version;

pub use cvss::{Cvss, CvssError, Severity};
pub use version::{Ecosystem, VersionError, compare};
