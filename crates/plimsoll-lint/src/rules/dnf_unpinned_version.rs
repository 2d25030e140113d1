use super::package_managers::{DNF, calls, report_unpinned, rpm_unpinned};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `dnf install` of packages without a pinned version.
    ///
    /// `dnf install httpd` (or `microdnf`, `dnf5`) installs whatever the
    /// repositories hold on the day of the build: two builds of the same
    /// Dockerfile give different images (P-D2). A package is pinned when a
    /// version follows its name: `httpd-2.4.62`, `httpd-2.4.62-1.el9`,
    /// `nodejs-1:20.16.0` (dash-separated parts that start with a digit; the
    /// `11` of `java-11-openjdk` is part of the name). `dnf module install`
    /// needs a stream, `nodejs:20`. Local `.rpm` files, URLs, `@groups` and
    /// words whose variables the Dockerfile does not set are not flagged.
    ///
    /// Fix: `dnf install -y httpd-2.4.62-1.el9`.
    pub struct DnfPin {
        code: "DF031",
        name: "dnf-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3041"),
        severity: Low,
    }
}

impl Rule for DnfPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &DNF) {
            let vars = ctx.run_vars_at(c.index);
            if let Some(unpinned) = rpm_unpinned(&c.line, &vars) {
                let what = format!("{} install", c.line.program);
                report_unpinned(
                    &Self::RULE,
                    &c,
                    &what,
                    &unpinned,
                    "pin versions: `dnf install -y <package>-<version>`",
                    out,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM fedora:40
ARG JDK=java-21-openjdk-headless-21.0.4.0.7-2.fc40
RUN dnf -y install $JDK httpd-2.4.62 java-11-openjdk @core https://x/y.rpm
RUN microdnf install -y --nodocs tzdata && dnf -y module install nodejs:20 && dnf -y group install 'C Development'
";
        assert_eq!(
            run("DF031", src),
            "3: dnf install without version pins: java-11-openjdk\n\
             4: microdnf install without version pins: tzdata\n"
        );
    }
}
