use crate::util::{has_cache_mount, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `yarn install` without `yarn cache clean` in the same RUN.
    ///
    /// Yarn keeps every package it downloads in its cache
    /// (`/usr/local/share/.cache/yarn`, `~/.cache/yarn`); in an image that
    /// cache is dead weight, and removing it in a later RUN does not shrink
    /// the image (P-B3). Only stages that end up in the final image are
    /// checked, as for pip (DF033). Not flagged: `yarn cache clean` after
    /// the install in the same RUN, an `rm` of the cache directory, a cache
    /// or tmpfs mount on it.
    ///
    /// Fix: `RUN yarn install --frozen-lockfile && yarn cache clean`.
    pub struct YarnCacheKept {
        code: "DF075",
        name: "yarn-cache-kept",
        practice: "P-B3",
        hadolint: Some("DL3060"),
        severity: Low,
    }
}

/// The operands of a `yarn` command (wrappers removed), if it is one.
fn yarn_operands(argv: &[String]) -> Option<Vec<&str>> {
    let argv = strip_wrappers(argv);
    let (first, args) = argv.split_first()?;
    (first.rsplit('/').next() == Some("yarn")).then(|| {
        args.iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect()
    })
}

impl Rule for YarnCacheKept {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for (index, ins, script) in ctx.runs() {
            if !ins.stage.is_some_and(|s| chain.contains(&s))
                || has_cache_mount(ins, ".cache/yarn")
                || has_cache_mount(ins, "/root/.cache")
            {
                continue;
            }
            for (k, cmd) in script.commands.iter().enumerate() {
                if yarn_operands(&cmd.argv).and_then(|o| o.first().copied()) != Some("install") {
                    continue;
                }
                let cleaned = script.commands.iter().skip(k + 1).any(|c| {
                    if yarn_operands(&c.argv).is_some_and(|o| o.starts_with(&["cache", "clean"])) {
                        return true;
                    }
                    let argv = strip_wrappers(&c.argv);
                    argv.first()
                        .is_some_and(|p| p.rsplit('/').next() == Some("rm"))
                        && argv.iter().skip(1).any(|a| {
                            let a = a.trim_end_matches(['*', '/']);
                            a.ends_with("/.cache") || a.ends_with(".cache/yarn")
                        })
                });
                if !cleaned {
                    out.push(
                        hit(
                            &Self::RULE,
                            index,
                            cmd.span.line,
                            "`yarn install` without `yarn cache clean` keeps yarn's cache in the layer",
                        )
                        .help("add `&& yarn cache clean` to the same RUN"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM node:20 AS build\n\
                   RUN yarn install\n\
                   FROM node:20\n\
                   RUN yarn install --frozen-lockfile\n\
                   RUN yarn install && yarn cache clean\n\
                   RUN yarn cache clean && yarn install\n\
                   RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n\
                   RUN yarn install && rm -rf /usr/local/share/.cache/yarn/*\n\
                   RUN yarn add left-pad && yarn build\n";
        assert_eq!(
            run("DF075", src),
            "4: `yarn install` without `yarn cache clean` keeps yarn's cache in the layer\n\
             6: `yarn install` without `yarn cache clean` keeps yarn's cache in the layer\n"
        );
    }
}
