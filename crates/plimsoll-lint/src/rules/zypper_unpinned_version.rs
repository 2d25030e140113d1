use super::package_managers::{
    ZYPPER, calls, constraint_pins, packages, report_unpinned, split_constraint,
};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `zypper install` of packages without a pinned version.
    ///
    /// `zypper install curl` installs whatever the repositories hold on the
    /// day of the build: two builds of the same Dockerfile give different
    /// images (P-D2). A package is pinned by an exact or bounded constraint
    /// (`curl=8.6.0`, `'curl<9'`); `'curl>=8'` alone still floats. Local
    /// `.rpm` files, URLs, patterns and patches (`-t pattern`,
    /// `pattern:name`) and words whose variables the Dockerfile does not set
    /// are not flagged.
    ///
    /// Fix: `zypper --non-interactive install curl=8.6.0`.
    pub struct ZypperPin {
        code: "DF028",
        name: "zypper-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3037"),
        severity: Low,
    }
}

impl Rule for ZypperPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &ZYPPER) {
            if !matches!(c.line.subcommand(), Some("install" | "in"))
                || c.line.values(&["t", "type"]).any(|t| t != "package")
            {
                continue;
            }
            let vars = ctx.run_vars_at(c.index);
            let unpinned: Vec<String> = packages(c.line.args(), &vars)
                .into_iter()
                .filter(|p| {
                    !p.ends_with(".rpm")
                        && !p.contains('/')
                        && !p.contains(':')
                        && !split_constraint(p).is_some_and(|(_, spec)| constraint_pins(spec))
                })
                .collect();
            report_unpinned(
                &Self::RULE,
                &c,
                "zypper install",
                &unpinned,
                "pin versions: `zypper install <package>=<version>`",
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM opensuse/leap:15.6
RUN zypper -n in curl=8.6.0 'git>=2' 'jq<2' vim pattern:devel_basis ./x.rpm
RUN zypper -n install -t pattern devel_C_C++ && zypper -n in -t package make
";
        assert_eq!(
            run("DF028", src),
            "2: zypper install without version pins: git>=2, vim\n\
             3: zypper install without version pins: make\n"
        );
    }
}
