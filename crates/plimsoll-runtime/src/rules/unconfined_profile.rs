use plimsoll_report::Finding;

use crate::model::{Container, SecurityContext};
use crate::pss::{APPARMOR_ANNOTATION, bad_apparmor, bad_apparmor_annotation, bad_selinux};
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A seccomp, AppArmor or SELinux setting turns confinement off.
    ///
    /// `seccompProfile.type: Unconfined` lets the container make every
    /// system call; `appArmorProfile.type: Unconfined` (or the older
    /// `container.apparmor.security.beta.kubernetes.io/<name>: unconfined`
    /// annotation) removes the AppArmor profile; an SELinux `user`, `role`
    /// or a type other than the container types (`container_t`,
    /// `container_init_t`, `container_kvm_t`, `container_engine_t`) escapes
    /// the container policy (P-F5). The values allowed are those of the Pod
    /// Security Standards' baseline level. Pod and container settings count.
    ///
    /// Fix: `RuntimeDefault` (or a `Localhost` profile) for seccomp and
    /// AppArmor; no custom SELinux user, role or type.
    pub struct UnconfinedProfile {
        code: "CFG006",
        name: "unconfined-profile",
        practice: "P-F5",
        severity: High,
    }
}

impl UnconfinedProfile {
    fn context(
        ctx: &RuleContext<'_>,
        c: Option<&Container>,
        s: &SecurityContext,
        out: &mut Vec<Finding>,
    ) {
        let mut push = |place, what: String| {
            out.push(
                ctx.finding(&Self::INFO, c, &place, what)
                    .with_help(ctx.say("use `RuntimeDefault` or a `Localhost` profile; set no custom SELinux user, role or type", "remove the `unconfined` / `label:disable` security option (Docker's default profiles apply)")),
            );
        };
        if let Some(f) = s.seccomp.as_ref().filter(|_| crate::pss::bad_seccomp(s)) {
            push(
                f.place(),
                format!(
                    "seccomp profile `{}` disables system-call filtering",
                    f.value
                ),
            );
        }
        if let Some(f) = s.apparmor.as_ref().filter(|_| bad_apparmor(s)) {
            push(
                f.place(),
                format!("AppArmor profile `{}` disables AppArmor", f.value),
            );
        }
        if let Some(o) = s.selinux.as_ref().filter(|_| bad_selinux(s)) {
            push(
                o.place.clone(),
                "SELinux options escape the container policy (custom user, role or type)".into(),
            );
        }
    }
}

impl Rule for UnconfinedProfile {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let w = ctx.workload;
        Self::context(ctx, None, &w.pod.security, out);
        for c in w.containers() {
            Self::context(ctx, Some(c), &c.security, out);
        }
        for (k, v) in &w.pod_annotations {
            let apparmor = k.starts_with(APPARMOR_ANNOTATION) && bad_apparmor_annotation(v);
            let seccomp = (k.starts_with("container.seccomp.security.alpha.kubernetes.io/")
                || k == "seccomp.security.alpha.kubernetes.io/pod")
                && v == "unconfined";
            if apparmor || seccomp {
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        None,
                        &w.pod.place,
                        format!("annotation `{k}: {v}` disables confinement"),
                    )
                    .with_help("use `runtime/default` or a `localhost/` profile"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_on_unconfined() {
        let y = pod(
            "  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n  - name: c\n    securityContext:\n      appArmorProfile: {type: RuntimeDefault}\n      seLinuxOptions: {type: spc_t}\n",
        );
        assert_eq!(
            run("CFG006", &y),
            "7:28 Pod/p: seccomp profile `Unconfined` disables system-call filtering\n12:7 Pod/p container `c`: SELinux options escape the container policy (custom user, role or type)\n"
        );
        let ok = pod(
            "  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n    seLinuxOptions: {type: container_t}\n  containers: []\n",
        );
        assert_eq!(run("CFG006", &ok), "");
    }
}
