//! How a rule is declared: a unit struct whose doc comment is its
//! documentation (printed by `plimsoll rule CODE`, put in SARIF), with its
//! code, name, practice and default severity beside it.

use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError};

/// A check on the built image.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError>;
}
