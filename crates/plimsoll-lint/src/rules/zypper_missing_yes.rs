use super::package_managers::{ZYPPER, check_yes};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `zypper install` (or another changing command) without `-n`/`-y`.
    ///
    /// zypper asks for confirmation before it changes packages; a build has
    /// no terminal, so the step fails or hangs. Install steps must run
    /// unattended (P-B2). Checked: `install`/`in`, `remove`/`rm`,
    /// `update`/`up`, `patch`, `dist-upgrade`/`dup`, `source-install`/`si`,
    /// `install-new-recommends`/`inr`; the global `-n`/`--non-interactive`,
    /// the command's `-y`/`--no-confirm`, or input from `yes |` satisfy it.
    ///
    /// Fix: `zypper --non-interactive install …`.
    pub struct ZypperYes {
        code: "DF026",
        name: "zypper-missing-yes",
        practice: "P-B2",
        hadolint: Some("DL3034"),
        severity: Medium,
    }
}

impl Rule for ZypperYes {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_yes(
            ctx,
            &ZYPPER,
            &[
                "install",
                "in",
                "remove",
                "rm",
                "update",
                "up",
                "patch",
                "dist-upgrade",
                "dup",
                "source-install",
                "si",
                "install-new-recommends",
                "inr",
            ],
            &["non-interactive", "n", "no-confirm", "y"],
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
        let src = "FROM opensuse/leap:15.6
RUN zypper refresh && zypper install curl
RUN zypper -n in a && zypper in -y b && zypper --non-interactive up && zypper rm --no-confirm c
RUN zypper --root /mnt dup
";
        assert_eq!(
            run("DF026", src),
            "2: `zypper install` without `--non-interactive`\n\
             4: `zypper dup` without `--non-interactive`\n"
        );
    }
}
