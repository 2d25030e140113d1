use plimsoll_report::Finding;

use crate::model::ContainerKind;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container has no memory or no CPU limit.
    ///
    /// Without limits one container can take the node's memory or CPU and
    /// starve every other pod on it (P-F10). Regular and init containers are
    /// checked; ephemeral containers cannot set resources (the API forbids
    /// it) and are not.
    ///
    /// Fix: `resources.limits.memory` and `resources.limits.cpu` (or a
    /// namespace LimitRange that sets defaults, then ignore this rule).
    pub struct NoResourceLimits {
        code: "CFG012",
        name: "no-resource-limits",
        practice: "P-F10",
        severity: Medium,
    }
}

impl Rule for NoResourceLimits {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx
            .workload
            .containers()
            .filter(|c| c.kind != ContainerKind::Ephemeral)
        {
            let missing: Vec<&str> = [
                ("memory", c.memory_limit.is_none()),
                ("CPU", c.cpu_limit.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(n, _)| n)
            .collect();
            if !missing.is_empty() {
                let place = c.resources.clone().unwrap_or_else(|| c.place.clone());
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        Some(c),
                        &place,
                        format!("has no {} limit", missing.join(" or ")),
                    )
                    .with_help(ctx.say(
                        "set `resources.limits.memory` and `resources.limits.cpu`",
                        "set `deploy.resources.limits.memory` and `cpus` (`--memory`, `--cpus`)",
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn limits() {
        let y = pod(
            "  containers:\n  - name: a\n    resources: {limits: {memory: 128Mi, cpu: 500m}}\n  - name: b\n    resources:\n      limits: {memory: 1Gi}\n  - name: c\n  ephemeralContainers:\n  - name: e\n",
        );
        assert_eq!(
            run("CFG012", &y),
            "10:5 Pod/p container `b`: has no CPU limit\n12:5 Pod/p container `c`: has no memory or CPU limit\n"
        );
    }
}
