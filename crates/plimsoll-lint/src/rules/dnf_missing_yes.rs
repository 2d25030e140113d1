use super::package_managers::{DNF, check_yes};
use super::yum_missing_yes::RPM_PROMPTING;
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `dnf install` (or another changing command) without `-y`.
    ///
    /// dnf (and `microdnf`, `dnf5`) ask for confirmation before they install,
    /// update or remove packages; a build has no terminal, so the step
    /// fails. Install steps must run unattended (P-B2). Checked: `install`,
    /// `groupinstall`, `localinstall`, `reinstall`, `update`, `upgrade`,
    /// `downgrade`, `remove`, `erase`, `autoremove`, `distro-sync`,
    /// `group install`, `module install`/`enable`; `-y`/`--assumeyes` or
    /// input from `yes |` satisfy it.
    ///
    /// Fix: `dnf install -y …`.
    pub struct DnfYes {
        code: "DF029",
        name: "dnf-missing-yes",
        practice: "P-B2",
        hadolint: Some("DL3038"),
        severity: Medium,
    }
}

impl Rule for DnfYes {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_yes(
            ctx,
            &DNF,
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
        let src = "FROM fedora:40
RUN dnf install httpd && microdnf --nodocs install tar
RUN dnf -y install a && microdnf install -y b && dnf5 upgrade --assumeyes && dnf module enable -y nodejs:20
RUN dnf makecache && dnf module enable nodejs:20
";
        assert_eq!(
            run("DF029", src),
            "2: `dnf install` without `-y`\n\
             2: `microdnf install` without `-y`\n\
             4: `dnf module enable` without `-y`\n"
        );
    }
}
