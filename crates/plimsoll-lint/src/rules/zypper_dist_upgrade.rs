use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `zypper dist-upgrade` (`zypper dup`) in a RUN.
    ///
    /// A distribution upgrade inside the build turns the base image into
    /// another release, with whatever the repositories hold that day: the
    /// result is neither the base that was chosen nor reproducible. Fixes
    /// come from rebuilding on an updated base image (P-E3: rebuild, don't
    /// patch).
    ///
    /// Fix: use a newer base image tag; install specific updates with
    /// `zypper install` or `zypper patch` if needed.
    pub struct ZypperDistUpgrade {
        code: "DF068",
        name: "zypper-dist-upgrade",
        practice: "P-E3",
        hadolint: Some("DL3035"),
        severity: Medium,
    }
}

impl Rule for ZypperDistUpgrade {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let argv = strip_wrappers(&c.argv);
                let Some((first, args)) = argv.split_first() else {
                    continue;
                };
                if first.rsplit('/').next() != Some("zypper") {
                    continue;
                }
                if let Some(sub) = args
                    .iter()
                    .find(|a| matches!(a.as_str(), "dist-upgrade" | "dup"))
                {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            format!(
                                "`zypper {sub}` upgrades the base image's distribution in the build"
                            ),
                        )
                        .help("rebuild on a newer base image instead"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM opensuse/leap:15\nRUN zypper -n dist-upgrade\nRUN sudo zypper dup -y && zypper in -y curl\nRUN zypper update -y\nONBUILD RUN zypper dup\n";
        assert_eq!(
            run("DF068", src),
            "2: `zypper dist-upgrade` upgrades the base image's distribution in the build\n\
             3: `zypper dup` upgrades the base image's distribution in the build\n\
             5: `zypper dup` upgrades the base image's distribution in the build (ONBUILD trigger: runs in child images)\n"
        );
    }
}
