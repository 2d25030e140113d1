//! One rule per file. Codes are stable: never renumber, never reuse.

pub mod license_not_allowed;

pub use license_not_allowed::LicenseNotAllowed;

/// Every rule, in code order.
pub const ALL: &[&plimsoll_report::RuleInfo] = &[&LicenseNotAllowed::INFO];
