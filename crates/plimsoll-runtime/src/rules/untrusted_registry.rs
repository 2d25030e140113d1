use plimsoll_oci::{registry_is_trusted, registry_of};
use plimsoll_report::Finding;

use super::images;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container's image comes from a registry that is not trusted.
    ///
    /// Images should come only from the organisation's registries (P-D5),
    /// where they are scanned, signed and approved. Active only when trusted
    /// registries are configured (`--trusted-registry`, plimsoll.toml
    /// `[config] trusted_registries`). Docker Hub images (`nginx`,
    /// `org/app`) come from `docker.io`; an entry `*.example.com` trusts
    /// every subdomain, `*` every registry (the same matching as the
    /// Dockerfile rule DF052).
    ///
    /// Fix: pull through a trusted registry (a mirror or proxy cache), or
    /// add the registry to the list.
    pub struct UntrustedRegistry {
        code: "CFG017",
        name: "untrusted-registry",
        practice: "P-D5",
        severity: High,
    }
}

impl Rule for UntrustedRegistry {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let trusted = &ctx.options.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        for (c, image) in images(ctx.workload) {
            let registry = registry_of(&image.value);
            if !trusted.iter().any(|t| registry_is_trusted(&registry, t)) {
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        Some(c),
                        &image.place(),
                        format!("image `{}` comes from `{registry}`, which is not a trusted registry ({})", image.value, trusted.join(", ")),
                    )
                    .with_help("pull through a trusted registry, or add its registry to the trusted registries"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::AuditOptions;
    use crate::rules::testing::{pod, run, run_with};

    #[test]
    fn only_when_configured() {
        let y = pod(
            "  containers:\n  - {name: a, image: nginx:1}\n  - {name: b, image: registry.example/app:1}\n",
        );
        assert_eq!(run("CFG017", &y), "");
        let o = AuditOptions {
            trusted_registries: vec!["*.example".into()],
            ..AuditOptions::default()
        };
        assert_eq!(
            run_with("CFG017", &y, &o),
            "7:22 Pod/p container `a`: image `nginx:1` comes from `docker.io`, which is not a trusted registry (*.example)\n"
        );
    }
}
