use super::package_managers::{YUM, calls, report_unpinned, rpm_unpinned};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `yum install` of packages without a pinned version.
    ///
    /// `yum install httpd` installs whatever the repositories hold on the day
    /// of the build: two builds of the same Dockerfile give different images
    /// (P-D2). A package is pinned when a version follows its name:
    /// `httpd-2.4.6`, `httpd-2.4.6-99.el7`, `nodejs-1:18.20.4` (dash-separated
    /// parts that start with a digit; the `11` of `java-11-openjdk` is part
    /// of the name). `yum module install` needs a stream, `nodejs:18`. Local
    /// `.rpm` files, URLs, `@groups` and words whose variables the
    /// Dockerfile does not set are not flagged.
    ///
    /// Fix: `yum install -y httpd-2.4.6-99.el7`.
    pub struct YumPin {
        code: "DF025",
        name: "yum-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3033"),
        severity: Low,
    }
}

impl Rule for YumPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &YUM) {
            let vars = ctx.run_vars_at(c.index);
            if let Some(unpinned) = rpm_unpinned(&c.line, &vars) {
                report_unpinned(
                    &Self::RULE,
                    &c,
                    "yum install",
                    &unpinned,
                    "pin versions: `yum install -y <package>-<version>`",
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
        let src = "FROM centos:7
ENV HTTPD_VERSION=2.4.6
RUN yum install -y httpd-${HTTPD_VERSION} java-11-openjdk gcc-c++ nodejs-1:18.20.4-1.el7 \\
      /tmp/x.rpm @development python3-pip-9.0.3-8.el7 $FROM_SHELL
RUN yum -y --enablerepo=epel install jq && yum -y module install nodejs:18 php
RUN yum -y groupinstall 'Development Tools' && yum -y update curl
";
        assert_eq!(
            run("DF025", src),
            "3: yum install without version pins: java-11-openjdk, gcc-c++\n\
             5: yum install without version pins: jq\n\
             5: yum install without version pins: php\n"
        );
    }

    /// ARG and ENV are scoped to their stage (a global ARG to FROM lines,
    /// unless re-declared): out of scope, BuildKit expands them to nothing.
    #[test]
    fn variables_out_of_their_stage_are_empty() {
        let src = "ARG TAR_VERSION=1.30
FROM centos:7 AS a
ARG GIT_VERSION=2.0
ENV ZIP_VERSION=3.0
RUN yum install -y git-core-${GIT_VERSION} zip-${ZIP_VERSION} tar-${TAR_VERSION}
FROM centos:7
RUN yum install -y git-core-${GIT_VERSION} zip-$ZIP_VERSION
ARG TAR_VERSION
RUN yum install -y tar-${TAR_VERSION} && V=1 && yum install -y unzip-$V
";
        assert_eq!(
            run("DF025", src),
            "5: yum install without version pins: tar-\n\
             7: yum install without version pins: git-core-, zip-\n"
        );
    }
}
