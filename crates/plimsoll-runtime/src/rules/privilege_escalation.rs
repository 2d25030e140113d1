use plimsoll_report::Finding;

use super::security_place;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container's processes may gain privileges (setuid, file capabilities).
    ///
    /// Unless `allowPrivilegeEscalation: false` sets `no_new_privs`, a
    /// process can gain privileges through set-user-ID programs or file
    /// capabilities (P-F11). The default is to allow it. Windows pods are not
    /// checked.
    ///
    /// Fix: `securityContext.allowPrivilegeEscalation: false`.
    pub struct PrivilegeEscalation {
        code: "CFG014",
        name: "privilege-escalation",
        practice: "P-F11",
        severity: Medium,
    }
}

impl Rule for PrivilegeEscalation {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx.linux_containers() {
            let (place, message) = match &c.security.allow_privilege_escalation {
                Some(f) if !f.value => continue,
                Some(f) => (
                    f.place(),
                    ctx.say(
                        "sets `allowPrivilegeEscalation: true`",
                        "sets `no-new-privileges:false`",
                    ),
                ),
                None => (
                    security_place(c),
                    ctx.say(
                        "allows privilege escalation (no `allowPrivilegeEscalation: false`)",
                        "allows privilege escalation (no `no-new-privileges` security option)",
                    ),
                ),
            };
            out.push(
                ctx.finding(&Self::INFO, Some(c), &place, message)
                    .with_help(ctx.say("set `securityContext.allowPrivilegeEscalation: false`", "add `security_opt: [\"no-new-privileges:true\"]` (`--security-opt no-new-privileges`)")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn unless_false() {
        let y = pod(
            "  containers:\n  - name: a\n    securityContext: {allowPrivilegeEscalation: false}\n  - name: b\n    securityContext:\n      allowPrivilegeEscalation: true\n",
        );
        assert_eq!(
            run("CFG014", &y),
            "11:33 Pod/p container `b`: sets `allowPrivilegeEscalation: true`\n"
        );
    }
}
