use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apt-get install` of packages without a pinned version.
    ///
    /// `apt-get install curl` installs whatever version the package index
    /// holds on the day of the build: two builds of the same Dockerfile give
    /// different images, and a rebuild can silently pick up a breaking
    /// release — the package equivalent of a moving tag (P-D2).
    ///
    /// Fix: pin versions, `apt-get install curl=8.5.0-2ubuntu10.6`.
    /// Local `.deb` files and paths are not flagged.
    pub struct AptPin {
        code: "DF001",
        name: "apt-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3008"),
        severity: Low,
    }
}

impl Rule for AptPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, cmd, a) in ctx.apt_commands() {
            if a.sub != "install" {
                continue;
            }
            let unpinned: Vec<&str> = a
                .packages
                .iter()
                .copied()
                .filter(|p| {
                    !p.contains('=') && !p.ends_with(".deb") && !p.contains('/') && !p.contains('$')
                })
                .collect();
            if !unpinned.is_empty() {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        cmd.span.line,
                        format!(
                            "apt-get install without version pins: {}",
                            unpinned.join(", ")
                        ),
                    )
                    .help("pin versions: `apt-get install <package>=<version>`"),
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
        let src = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      curl=8.0 wget ca-certificates ./local.deb\nRUN apt-get install -y git=1:2.39\n";
        assert_eq!(
            run("DF001", src),
            "3: apt-get install without version pins: wget, ca-certificates\n"
        );
    }
}
