use super::package_managers::{
    APK, calls, constraint_pins, packages, report_unpinned, split_constraint,
};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `apk add` of packages without a pinned version.
    ///
    /// `apk add curl` installs whatever the Alpine index holds on the day of
    /// the build: two builds of the same Dockerfile give different images,
    /// and a rebuild can pick up a breaking release (P-D2).
    ///
    /// A package is pinned by an exact or bounded constraint: `curl=8.5.0-r0`,
    /// `curl~8.5` (any 8.5.x), `curl<9`; `curl>=8` alone still floats. Local
    /// `.apk` files and paths are not flagged, nor the name given to
    /// `--virtual`/`-t`, nor words whose variables the Dockerfile does not set.
    ///
    /// Fix: `apk add --no-cache curl=8.5.0-r0`.
    pub struct ApkPin {
        code: "DF021",
        name: "apk-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3018"),
        severity: Low,
    }
}

impl Rule for ApkPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &APK) {
            if c.line.subcommand() != Some("add") {
                continue;
            }
            let vars = ctx.run_vars_at(c.index);
            let unpinned: Vec<String> = packages(c.line.args(), &vars)
                .into_iter()
                .filter(|p| {
                    !p.ends_with(".apk")
                        && !p.contains('/')
                        && !split_constraint(p).is_some_and(|(_, spec)| constraint_pins(spec))
                })
                .collect();
            report_unpinned(
                &Self::RULE,
                &c,
                "apk add",
                &unpinned,
                "pin versions: `apk add <package>=<version>`",
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
        let src = "FROM alpine:3.20
ARG PKGS=\"git=2.45.2-r0 make\"
RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0 musl-dev \\
      curl~8.5 'zlib>=1.3' 'jq<2' ./local.apk
RUN apk --no-cache add $PKGS $RUNTIME_ONLY
RUN apk add -t .tmp -X https://mirror/edge/main bash=5.2.26-r0
RUN apk update && apk upgrade && apk info curl
";
        assert_eq!(
            run("DF021", src),
            "3: apk add without version pins: musl-dev, zlib>=1.3\n\
             5: apk add without version pins: make\n"
        );
    }
}
