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
    /// Where the image's scan is known (the admission webhook with
    /// `require_scan` reads it from the stored scan), a container without a
    /// user of its own gets the image's: it is cleared when the image's
    /// `User` resolves to a non-zero uid, and reported as running as root
    /// when the image sets none or sets root.
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
                (None, non_root) => {
                    // No user of the pod's own: the image's decides.
                    let (place, unset) = match non_root {
                        Some(n) => (
                            n.place(),
                            "`runAsNonRoot: false`, no `runAsUser`".to_string(),
                        ),
                        None => (
                            security_place(c),
                            ctx.say("neither `runAsNonRoot: true` nor `runAsUser`", "no `user`")
                                .to_string(),
                        ),
                    };
                    let message = match ctx.options.image_user(c) {
                        Some(u) if !u.root => continue,
                        Some(u) if u.user.is_empty() => {
                            format!("runs as root ({unset}, and the image sets no User)")
                        }
                        Some(u) => format!(
                            "runs as root ({unset}, and the image's User `{}` is root)",
                            u.user
                        ),
                        None if non_root.is_some() => format!("may run as root ({unset})"),
                        None => format!("may run as root ({unset}; the image decides)"),
                    };
                    out.push(
                        ctx.finding(&Self::INFO, Some(c), &place, message)
                            .with_help(help),
                    );
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

    #[test]
    fn the_image_user_decides_where_the_pod_sets_none() {
        use crate::rules::testing::run_with;
        use crate::{AuditOptions, ImageUser};
        let y = pod(
            "  containers:\n  - name: a\n    image: app:1\n  - name: b\n    image: base:1\n  - name: c\n    image: other:1\n  - name: d\n    image: app:1\n    securityContext: {runAsUser: 0}\n",
        );
        let mut o = AuditOptions::default();
        let user = |u: &str, root: bool| ImageUser {
            user: u.into(),
            root,
        };
        o.image_users.insert("app:1".into(), user("10001", false));
        o.image_users.insert("base:1".into(), user("", true));
        let out = run_with("CFG013", &y, &o);
        assert!(!out.contains("`a`"), "{out}");
        assert!(
            out.contains("container `b`: runs as root (neither `runAsNonRoot: true` nor `runAsUser`, and the image sets no User)"),
            "{out}"
        );
        assert!(out.contains("container `c`: may run as root"), "{out}");
        // The pod's own runAsUser: 0 wins over the image.
        assert!(
            out.contains("container `d`: runs as root (`runAsUser: 0`)"),
            "{out}"
        );
    }
}
