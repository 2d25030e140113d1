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

/// Declares a rule struct and its `INFO`; the doc comment becomes `INFO.doc`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            practice: $practice:literal,
            severity: $sev:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl $name {
            pub const INFO: plimsoll_report::RuleInfo =
                plimsoll_report::rule_info!($code, $rname, $practice, $sev, $($doc),+);
        }
    };
}
