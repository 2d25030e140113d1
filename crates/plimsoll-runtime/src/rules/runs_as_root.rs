use plimsoll_report::Finding;

use super::{effective, security_place};
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container runs as root, or nothing stops it from doing so.
    ///
    /// Root in a container is root on the host's kernel: one escape and the
    /// host is the intruder's (P-F11). A container is reported when its
    /// effective `runAsUser` (container, else pod) is 0, or when it sets
    /// neither a non-zero `runAsUser` nor `runAsNonRoot: true`, so the
    /// image's USER decides. Pods in a user namespace (`hostUsers: false`)
    /// map root to an unprivileged host user and are not reported, as the
    /// Pod Security Standards relax it; Windows pods neither.
    ///
    /// Fix: `securityContext.runAsNonRoot: true` and a non-zero `runAsUser`.
    pub struct RunsAsRoot {
        code: "CFG013",
        name: "runs-as-root",
        practice: "P-F11",
        severity: High,
    }
}

impl Rule for RunsAsRoot {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let w = ctx.workload;
        if w.pod.is_windows() || w.pod.in_user_namespace() {
            return;
        }
        let help = ctx.say(
            "set `runAsNonRoot: true` and a non-zero `runAsUser`",
            "set `user` (`--user`) to a non-zero uid",
        );
        for c in w.containers() {
            let user = effective(w, c, |s| &s.run_as_user);
            let non_root = effective(w, c, |s| &s.run_as_non_root);
            match (user, non_root) {
                (Some(u), _) if u.value == 0 => {
                    out.push(
                        ctx.finding(
                            &Self::INFO,
                            Some(c),
                            &u.place(),
                            ctx.say(
                                "runs as root (`runAsUser: 0`)",
                                "runs as root (`user` is root)",
                            ),
                        )
                        .with_help(help),
                    );
                }
                (Some(_), _) => {}
                (None, Some(n)) if n.value => {}
                (None, Some(n)) => {
                    out.push(
                        ctx.finding(
                            &Self::INFO,
                            Some(c),
                            &n.place(),
                            "may run as root (`runAsNonRoot: false`, no `runAsUser`)",
                        )
                        .with_help(help),
                    );
                }
                (None, None) => {
                    out.push(ctx.finding(&Self::INFO, Some(c), &security_place(c), ctx.say("may run as root (neither `runAsNonRoot: true` nor `runAsUser`; the image decides)", "may run as root (no `user`; the image decides)")).with_help(help));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn effective_user() {
        let y = pod(
            "  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n  - name: b\n    securityContext: {runAsUser: 1000}\n",
        );
        assert_eq!(
            run("CFG013", &y),
            "6:32 Pod/p container `a`: runs as root (`runAsUser: 0`)\n"
        );
        let n = pod(
            "  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n  - name: b\n    securityContext: {runAsNonRoot: false}\n  - name: c\n    securityContext: {}\n",
        );
        assert_eq!(
            run("CFG013", &n),
            "10:37 Pod/p container `b`: may run as root (`runAsNonRoot: false`, no `runAsUser`)\n"
        );
        let none = pod("  containers:\n  - name: a\n");
        assert!(run("CFG013", &none).contains("the image decides"));
        let userns = pod("  hostUsers: false\n  containers:\n  - name: a\n");
        assert_eq!(run("CFG013", &userns), "");
    }
}
