use super::package_managers::{YUM, check_yes};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `yum install` (or another changing command) without `-y`.
    ///
    /// yum asks for confirmation before it installs, updates or removes
    /// packages; a build has no terminal, so the step fails. Install steps
    /// must run unattended (P-B2). Checked: `install`, `groupinstall`,
    /// `localinstall`, `reinstall`, `update`, `upgrade`, `downgrade`,
    /// `remove`, `erase`, `autoremove`, `distro-sync`, `group install`,
    /// `module install`; `-y`/`--assumeyes` or input from `yes |` satisfy it.
    ///
    /// Fix: `yum install -y …`.
    pub struct YumYes {
        code: "DF023",
        name: "yum-missing-yes",
        practice: "P-B2",
        hadolint: Some("DL3030"),
        severity: Medium,
    }
}

pub(crate) const RPM_PROMPTING: &[&str] = &[
    "install",
    "in",
    "groupinstall",
    "localinstall",
    "reinstall",
    "update",
    "upgrade",
    "up",
    "downgrade",
    "remove",
    "rm",
    "erase",
    "autoremove",
    "distro-sync",
    "group install",
    "groups install",
    "group remove",
    "group upgrade",
    "module install",
    "module enable",
    "module remove",
];

impl Rule for YumYes {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_yes(
            ctx,
            &YUM,
            RPM_PROMPTING,
            &["y", "assumeyes"],
            &Self::RULE,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM centos:7
RUN yum install httpd && yum clean all
RUN yum -y install a && yum install --assumeyes b && yum -qy update && yum groupinstall -y 'Dev Tools'
RUN yes | yum remove c && yum --enablerepo epel install d-1.0
RUN yum makecache && yum info e && yum group install g
";
        assert_eq!(
            run("DF023", src),
            "2: `yum install` without `-y`\n\
             4: `yum install` without `-y`\n\
             5: `yum group install` without `-y`\n"
        );
    }
}
