use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A Job retries a failing pod without a useful bound.
    ///
    /// P-F9 asks for bounded restarts (`--restart=on-failure:5`). In
    /// Kubernetes, long-running controllers (Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, ReplicationController) require
    /// `restartPolicy: Always` and the kubelet restarts a crashing container
    /// with an exponential back-off capped at five minutes (visible as
    /// CrashLoopBackOff): that is by design and not reported. What can run
    /// away is a run-to-completion Job or CronJob: its `backoffLimit`
    /// (default 6) bounds the retries. This rule reports a Job whose
    /// `backoffLimit` is above 10 without an `activeDeadlineSeconds`.
    ///
    /// For Docker (Compose `restart`, `deploy.restart_policy`; `docker run
    /// --restart`), a restart policy that restarts forever is reported:
    /// `always`, `unless-stopped`, `on-failure` without a count (or above
    /// 10), `deploy.restart_policy.condition` `any` or `on-failure` without a
    /// `max_attempts` of 1 to 10. No policy (`no`) is not reported.
    ///
    /// Fix: a `backoffLimit` of 10 or less, or an `activeDeadlineSeconds`;
    /// for Docker `restart: on-failure:5` or `max_attempts: 5`.
    pub struct UnboundedRestarts {
        code: "CFG011",
        name: "unbounded-restarts",
        practice: "P-F9",
        severity: Low,
    }
}

/// The largest `backoffLimit` not reported.
pub const MAX_BACKOFF_LIMIT: i64 = 10;

impl Rule for UnboundedRestarts {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if ctx.workload.platform.is_docker() {
            return docker(ctx, out);
        }
        let Some(r) = &ctx.workload.retries else {
            return;
        };
        if r.active_deadline_seconds.is_some() {
            return;
        }
        if let Some(b) = r
            .backoff_limit
            .as_ref()
            .filter(|b| b.value > MAX_BACKOFF_LIMIT)
        {
            out.push(
                ctx.finding(&Self::INFO, None, &b.place(), format!("retries a failing pod up to {} times with no deadline", b.value))
                    .with_help(format!("set `backoffLimit` to {MAX_BACKOFF_LIMIT} or less, or set `activeDeadlineSeconds`")),
            );
        }
    }
}

/// Docker's restart policies (see the rule's doc).
fn docker(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let w = ctx.workload;
    let Some(policy) = &w.pod.restart_policy else {
        return;
    };
    let name = policy.value.split(':').next().unwrap_or("").trim();
    if !matches!(name, "always" | "unless-stopped" | "on-failure" | "any") {
        return;
    }
    let bound = w
        .retries
        .as_ref()
        .and_then(|r| r.backoff_limit.as_ref())
        .map(|b| b.value);
    if bound.is_some_and(|b| (1..=MAX_BACKOFF_LIMIT).contains(&b)) {
        return;
    }
    out.push(
        ctx.finding(
            &UnboundedRestarts::INFO,
            None,
            &policy.place(),
            format!("restarts without a bound (`{}`)", policy.value),
        )
        .with_help(format!(
            "use `on-failure:N` (Compose `restart`, `--restart`) or `deploy.restart_policy.max_attempts` with N of {MAX_BACKOFF_LIMIT} or less"
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run;

    #[test]
    fn jobs_only() {
        let job = |extra: &str| {
            format!(
                "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n  backoffLimit: 1000\n{extra}  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{{name: c}}]\n"
            )
        };
        assert_eq!(
            run("CFG011", &job("")),
            "5:17 Job/j: retries a failing pod up to 1000 times with no deadline\n"
        );
        assert_eq!(run("CFG011", &job("  activeDeadlineSeconds: 600\n")), "");
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      backoffLimit: 50\n      template: {spec: {containers: [{name: c}]}}\n";
        assert_eq!(
            run("CFG011", cron),
            "7:21 CronJob/c: retries a failing pod up to 50 times with no deadline\n"
        );
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: {spec: {restartPolicy: Always, containers: [{name: c}]}}\n";
        assert_eq!(run("CFG011", deploy), "");
    }
}
