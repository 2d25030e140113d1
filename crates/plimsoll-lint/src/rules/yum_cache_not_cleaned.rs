use super::package_managers::{Cache, YUM, check_clean};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// yum's cache not cleaned in the RUN that filled it.
    ///
    /// `yum install` downloads repository metadata (and often packages) into
    /// `/var/cache/yum` — tens to hundreds of MB. Cleaning in a later RUN does
    /// not shrink the image: the bytes stay in the lower layer (P-B3). Only
    /// stages that end up in the final image are checked. After the last
    /// `install`/`update`/`upgrade`/`reinstall`/`groupinstall`/`localinstall`/
    /// `downgrade`/`makecache` of a RUN, a `yum clean all` or an `rm` of
    /// `/var/cache/yum` (or `/var/cache/dnf`, where yum is dnf) is expected;
    /// a cache or tmpfs mount there is fine too.
    ///
    /// Fix: end the RUN with `&& yum clean all`.
    pub struct YumClean {
        code: "DF024",
        name: "yum-cache-not-cleaned",
        practice: "P-B3",
        hadolint: Some("DL3032"),
        severity: Low,
    }
}

pub(crate) const RPM_FILLS: &[&str] = &[
    "install",
    "in",
    "groupinstall",
    "localinstall",
    "reinstall",
    "update",
    "upgrade",
    "up",
    "downgrade",
    "distro-sync",
    "makecache",
    "group install",
    "groups install",
    "module install",
];

impl Rule for YumClean {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        check_clean(
            ctx,
            &YUM,
            &Cache {
                fills: RPM_FILLS,
                cleans: &|l| l.subcommand() == Some("clean") && l.args().contains(&"all"),
                dirs: &["/var/cache/yum", "/var/cache/dnf"],
                help: "end this RUN with `&& yum clean all`",
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
        let src = "FROM centos:7 AS build
RUN yum install -y gcc
FROM centos:7
RUN yum install -y a && yum clean all
RUN yum install -y b && yum clean all && yum -y update
RUN yum install -y c; rm -rf /var/cache/yum
RUN yum -y install d && yum clean metadata
RUN --mount=type=cache,target=/var/cache/yum yum -y install e
RUN yum info f
";
        assert_eq!(
            run("DF024", src),
            "5: `yum update` leaves its cache in the layer: no clean-up later in this RUN\n\
             7: `yum install` leaves its cache in the layer: no clean-up later in this RUN\n"
        );
    }
}
