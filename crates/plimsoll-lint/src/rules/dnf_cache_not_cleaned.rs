use super::package_managers::{Cache, DNF, check_clean};
use super::yum_cache_not_cleaned::RPM_FILLS;
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// dnf's cache not cleaned in the RUN that filled it.
    ///
    /// `dnf install` (and `microdnf`, `dnf5`) downloads repository metadata
    /// into `/var/cache/dnf` (`/var/cache/libdnf5` for dnf5, `/var/cache/yum`
    /// for microdnf) — tens to hundreds of MB. Cleaning in a later RUN does
    /// not shrink the image (P-B3). Only stages that end up in the final
    /// image are checked. After the last `install`/`update`/`upgrade`/
    /// `reinstall`/`groupinstall`/`downgrade`/`distro-sync`/`makecache` of a
    /// RUN, a `dnf clean all` or an `rm` of the cache directory is expected;
    /// a cache or tmpfs mount there is fine too.
    ///
    /// Fix: end the RUN with `&& dnf clean all`.
    pub struct DnfClean {
        code: "DF030",
        name: "dnf-cache-not-cleaned",
        practice: "P-B3",
        hadolint: Some("DL3040"),
        severity: Low,
    }
}

impl Rule for DnfClean {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_clean(
            ctx,
            &DNF,
            &Cache {
                fills: RPM_FILLS,
                cleans: &|l| l.subcommand() == Some("clean") && l.args().contains(&"all"),
                dirs: &["/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum"],
                help: "end this RUN with `&& dnf clean all`",
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
        let src = "FROM fedora:40 AS build
RUN dnf -y install gcc
FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4
RUN microdnf install -y tar gzip && microdnf clean all
RUN dnf -y install a
RUN dnf -y install b && rm -rf /var/cache/dnf
RUN --mount=type=cache,target=/var/cache/libdnf5 dnf5 -y install c
RUN dnf -y install d && dnf clean packages
";
        assert_eq!(
            run("DF030", src),
            "5: `dnf install` leaves its cache in the layer: no clean-up later in this RUN\n\
             8: `dnf install` leaves its cache in the layer: no clean-up later in this RUN\n"
        );
    }
}
