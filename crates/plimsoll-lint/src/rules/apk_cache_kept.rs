use super::package_managers::{APK, calls};
use crate::util::{has_cache_mount, removes_dir};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apk add` without `--no-cache`, leaving the package index in the layer.
    ///
    /// Without `--no-cache`, apk keeps the index it downloads (`apk update`,
    /// `apk add --update`) under `/var/cache/apk`; removing it in a later RUN
    /// does not shrink the image (P-B3). Only stages that end up in the final
    /// image are checked. A RUN that removes `/var/cache/apk` after the add,
    /// or mounts a cache or tmpfs there, is fine.
    ///
    /// Fix: `apk add --no-cache …` (it fetches a fresh index and keeps
    /// nothing, so `apk update` is not needed either).
    pub struct ApkNoCache {
        code: "DF022",
        name: "apk-cache-kept",
        practice: "P-B3",
        hadolint: Some("DL3019"),
        severity: Low,
    }
}

impl Rule for ApkNoCache {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for c in calls(ctx, &APK) {
            if c.line.subcommand() != Some("add")
                || c.line.has(&["no-cache"])
                || !c.ins.stage.is_some_and(|s| chain.contains(&s))
                || has_cache_mount(c.ins, "/var/cache/apk")
                || removes_dir(&c.script.commands, c.k, "/var/cache/apk")
            {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    c.index,
                    c.cmd.span.line,
                    "`apk add` without `--no-cache` keeps the package index in the layer",
                )
                .help("use `apk add --no-cache …` (and drop `apk update`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM alpine:3.20 AS build
RUN apk add gcc
FROM alpine:3.20
RUN apk update && apk add curl
RUN apk add --no-cache jq && apk --update add git && rm -rf /var/cache/apk/*
RUN --mount=type=cache,target=/var/cache/apk apk add bash
RUN apk add --update-cache \\
      tini && rm -rf /tmp/*
";
        assert_eq!(
            run("DF022", src),
            "4: `apk add` without `--no-cache` keeps the package index in the layer\n\
             7: `apk add` without `--no-cache` keeps the package index in the layer\n"
        );
    }
}
