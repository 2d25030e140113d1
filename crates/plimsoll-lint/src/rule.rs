//! How a rule is declared: a unit struct whose doc comment is its
//! documentation (what `plimsoll rule CODE` prints), with its code, name,
//! practice, hadolint counterpart and default severity beside it.

use plimsoll_report::{Finding, RuleInfo};

use crate::LintContext;

/// A Dockerfile rule's registration: the shared [`RuleInfo`] plus the
/// hadolint code it corresponds to, if any (for `# hadolint ignore=` and
/// comparisons with hadolint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DfRule {
    pub info: RuleInfo,
    pub hadolint: Option<&'static str>,
    /// Off unless asked for by code or name ([`crate::lint_with`]): a policy
    /// that is right for some organisations and noise for others.
    pub opt_in: bool,
}

/// A finding tied to the instruction it is about (for inline ignores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Dockerfile::instructions`.
    pub instruction: usize,
    pub finding: Finding,
}

impl Hit {
    /// Sets the finding's help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.finding = self.finding.with_help(help);
        self
    }
}

/// A check on a parsed Dockerfile.
pub trait Rule: Sync {
    fn rule(&self) -> &'static DfRule;
    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>);
}

/// Declares a rule struct and its `RULE`; the doc comment becomes `RULE.info.doc`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            practice: $practice:literal,
            hadolint: $hadolint:expr,
            severity: $sev:ident
            $(, opt_in: $opt_in:literal)? $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl $name {
            pub const RULE: $crate::DfRule = $crate::DfRule {
                info: plimsoll_report::rule_info!($code, $rname, $practice, $sev, $($doc),+),
                hadolint: $hadolint,
                opt_in: false $(|| $opt_in)?,
            };
        }
    };
}

/// A finding of `rule` on instruction `instruction` at `line`.
pub fn hit(rule: &DfRule, instruction: usize, line: u32, message: impl Into<String>) -> Hit {
    Hit {
        instruction,
        finding: Finding::new(&rule.info, message)
            .at_line(Some(line))
            .with_aliases(rule.hadolint),
    }
}
