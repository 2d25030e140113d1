use super::package_managers::{Manager, calls, packages, report_unpinned};
use crate::util::OptionSpec;
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `gem install` without a version.
    ///
    /// `gem install bundler` installs the newest release on the day of the
    /// build: two builds of the same Dockerfile give different images (P-D2).
    /// A gem is pinned by `name:version` or by `-v`/`--version`. Local
    /// `.gem` files and paths are not flagged, nor words whose variables the
    /// Dockerfile does not set.
    ///
    /// Fix: `gem install bundler:2.5.22` or `gem install bundler -v 2.5.22`.
    pub struct GemPin {
        code: "DF035",
        name: "gem-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3028"),
        severity: Low,
    }
}

const GEM: Manager = Manager {
    programs: &["gem"],
    options: OptionSpec {
        short_values: "vinsPB",
        long_values: &[
            "version",
            "install-dir",
            "bindir",
            "source",
            "trust-policy",
            "platform",
            "build-root",
            "bulk-threshold",
            "config-file",
            "target-rbconfig",
        ],
    },
};

impl Rule for GemPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &GEM) {
            if !matches!(c.line.subcommand(), Some("install" | "i"))
                || c.line.has(&["v", "version"])
            {
                continue;
            }
            let vars = ctx.run_vars_at(c.index);
            let unpinned: Vec<String> = packages(c.line.args(), &vars)
                .into_iter()
                .filter(|g| !g.contains(':') && !g.ends_with(".gem") && !g.contains('/'))
                .collect();
            report_unpinned(
                &Self::RULE,
                &c,
                "gem install",
                &unpinned,
                "pin versions: `gem install <gem>:<version>`",
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
        let src = "FROM ruby:3.3
RUN gem install --no-document bundler rake:13.2.1 ./vendor/x-1.0.gem
RUN gem install -N rails -v 7.2.1 && gem install --version=1.0 foo && gem update --system
RUN gem i -i /opt/gems --source https://rubygems.example rubocop
";
        assert_eq!(
            run("DF035", src),
            "2: gem install without version pins: bundler\n\
             4: gem install without version pins: rubocop\n"
        );
    }
}
