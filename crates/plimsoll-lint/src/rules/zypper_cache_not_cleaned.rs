use super::package_managers::{Cache, ZYPPER, check_clean};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// zypper's caches not cleaned in the RUN that filled them.
    ///
    /// `zypper install` refreshes repository metadata into `/var/cache/zypp`
    /// (raw and solv caches, tens of MB). Cleaning in a later RUN does not
    /// shrink the image (P-B3). Only stages that end up in the final image
    /// are checked. After the last `install`/`in`, `update`/`up`, `patch`,
    /// `dist-upgrade`/`dup` or `refresh`/`ref` of a RUN, a
    /// `zypper clean --all` (`cc -a`) or an `rm` of `/var/cache/zypp` is
    /// expected; a cache or tmpfs mount there is fine too. A bare
    /// `zypper clean` only removes downloaded packages, not the metadata.
    ///
    /// Fix: end the RUN with `&& zypper clean --all`.
    pub struct ZypperClean {
        code: "DF027",
        name: "zypper-cache-not-cleaned",
        practice: "P-B3",
        hadolint: Some("DL3036"),
        severity: Low,
    }
}

impl Rule for ZypperClean {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_clean(
            ctx,
            &ZYPPER,
            &Cache {
                fills: &[
                    "install",
                    "in",
                    "update",
                    "up",
                    "patch",
                    "dist-upgrade",
                    "dup",
                    "refresh",
                    "ref",
                ],
                cleans: &|l| matches!(l.subcommand(), Some("clean" | "cc")) && l.has(&["all", "a"]),
                dirs: &["/var/cache/zypp"],
                help: "end this RUN with `&& zypper clean --all`",
            },
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
RUN zypper -n in curl
RUN zypper -n in a && zypper clean --all
RUN zypper -n in b && zypper cc
RUN zypper -n in c && zypper -n cc -a && rm -rf /tmp/x
RUN zypper -n in d; rm -rf /var/cache/zypp/*
";
        assert_eq!(
            run("DF027", src),
            "2: `zypper in` leaves its cache in the layer: no clean-up later in this RUN\n\
             4: `zypper in` leaves its cache in the layer: no clean-up later in this RUN\n"
        );
    }
}
