use plimsoll_report::Finding;

use super::security_place;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container keeps the runtime's default capabilities.
    ///
    /// Container runtimes grant a default set of capabilities (CHOWN,
    /// DAC_OVERRIDE, FOWNER, NET_RAW, SETUID, …) most processes never use
    /// (P-F3). Drop them all and add back only what is needed:
    /// `capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}`. Windows pods
    /// (`spec.os.name: windows`) have no Linux capabilities and are not
    /// checked.
    ///
    /// Fix: `securityContext.capabilities.drop: ["ALL"]`.
    pub struct CapabilitiesNotDropped {
        code: "CFG003",
        name: "capabilities-not-dropped",
        practice: "P-F3",
        severity: Medium,
    }
}

impl Rule for CapabilitiesNotDropped {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx.linux_containers() {
            let drops_all = c
                .security
                .cap_drop
                .iter()
                .any(|d| plimsoll_practice::runtime::capability_name(&d.value) == "ALL");
            if !drops_all {
                let place = c
                    .security
                    .capabilities
                    .clone()
                    .unwrap_or_else(|| security_place(c));
                out.push(
                    ctx.finding(&Self::INFO, Some(c), &place, "does not drop ALL capabilities")
                        .with_help(ctx.say("set `securityContext.capabilities.drop: [\"ALL\"]` and add back only what is needed", "set `cap_drop: [ALL]` (`--cap-drop=ALL`) and add back only what is needed")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_unless_all_dropped() {
        let y = pod(
            "  containers:\n  - name: a\n    securityContext:\n      capabilities: {drop: [all]}\n  - name: b\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n  - name: c\n",
        );
        assert_eq!(
            run("CFG003", &y),
            "12:7 Pod/p container `b`: does not drop ALL capabilities\n14:5 Pod/p container `c`: does not drop ALL capabilities\n"
        );
        let w = pod("  os: {name: windows}\n  containers:\n  - name: c\n");
        assert_eq!(run("CFG003", &w), "");
    }
}
