use super::package_managers::{Manager, calls, packages, report_unpinned};
use crate::util::OptionSpec;
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `npm install <package>` without a version.
    ///
    /// `npm install -g typescript` installs the newest release on the day of
    /// the build; outside a project there is no lockfile to hold it still, so
    /// two builds give different images (P-D2). A package is pinned by
    /// `name@version` (`typescript@5.6.3`, a range like `@^5.6` is accepted);
    /// a dist-tag (`@latest`, `@next`: no digit) moves like `latest` does.
    /// `npm install`/`npm ci` without packages (the project's lockfile),
    /// local folders and tarballs, and git URLs with `#ref` are not flagged,
    /// nor words whose variables the Dockerfile does not set.
    ///
    /// Fix: `npm install -g typescript@5.6.3`.
    pub struct NpmPin {
        code: "DF034",
        name: "npm-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3016"),
        severity: Low,
    }
}

const NPM: Manager = Manager {
    programs: &["npm"],
    options: OptionSpec {
        short_values: "w",
        long_values: &[
            "registry",
            "loglevel",
            "prefix",
            "cache",
            "userconfig",
            "globalconfig",
            "workspace",
            "tag",
            "omit",
            "include",
            "install-strategy",
            "location",
        ],
    },
};

const INSTALL: &[&str] = &[
    "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall",
    "add",
];

/// Whether one `npm install` operand names a fixed version.
fn pinned(spec: &str) -> bool {
    let git = ["git:", "git+", "github:", "gitlab:", "bitbucket:", "gist:"];
    if git.iter().any(|g| spec.starts_with(g)) {
        return spec.contains('#');
    }
    if ["/", "./", "../", "~/", "file:", "http://", "https://"]
        .iter()
        .any(|p| spec.starts_with(p))
        || [".tgz", ".tar.gz", ".tar"]
            .iter()
            .any(|s| spec.ends_with(s))
    {
        return true;
    }
    // `@scope/name@version`: the version follows the second `@`.
    let name_end = usize::from(spec.starts_with('@'));
    let version = spec[name_end..].split_once('@').map(|(_, v)| v);
    match version {
        Some(v) => v.contains(|c: char| c.is_ascii_digit()),
        // `owner/repo` is a GitHub shorthand: pinned only with `#ref`.
        None => spec.contains('/') && !spec.starts_with('@') && spec.contains('#'),
    }
}

impl Rule for NpmPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &NPM) {
            if !c.line.subcommand().is_some_and(|s| INSTALL.contains(&s)) {
                continue;
            }
            let vars = ctx.run_vars_at(c.index);
            let unpinned: Vec<String> = packages(c.line.args(), &vars)
                .into_iter()
                .filter(|p| !pinned(p))
                .collect();
            report_unpinned(
                &Self::RULE,
                &c,
                "npm install",
                &unpinned,
                "pin versions: `npm install <package>@<version>`",
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
        let src = "FROM node:22-slim
RUN npm install && npm ci && npm install --production
RUN npm install -g npm@latest typescript@5.6.3 @angular/cli @vue/cli@^5.0 yarn \\
 && npm i --registry https://r ./local ../pkg.tgz git+https://h/o/r.git#v1 git+https://h/o/s.git o/r#abc o/s
";
        assert_eq!(
            run("DF034", src),
            "3: npm install without version pins: npm@latest, @angular/cli, yarn\n\
             4: npm install without version pins: git+https://h/o/s.git, o/s\n"
        );
    }
}
