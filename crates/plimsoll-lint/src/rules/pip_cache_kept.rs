use super::package_managers::pip_command;
use crate::util::{has_cache_mount, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `pip install` without `--no-cache-dir`, leaving pip's cache in the layer.
    ///
    /// pip keeps every wheel it downloads or builds in `~/.cache/pip`; in an
    /// image that cache is dead weight (often hundreds of MB), and removing
    /// it in a later RUN does not shrink the image (P-B3). Only stages that
    /// end up in the final image are checked. Not flagged: `--no-cache-dir`;
    /// `PIP_NO_CACHE_DIR` set by ENV or in the RUN (pip disables its cache
    /// for any value of it); a later `pip cache purge` or `rm` of
    /// `~/.cache`/`~/.cache/pip` in the same RUN; a cache or tmpfs mount on
    /// the cache directory.
    ///
    /// Fix: `pip install --no-cache-dir …`, or `ENV PIP_NO_CACHE_DIR=1`.
    pub struct PipCache {
        code: "DF033",
        name: "pip-cache-kept",
        practice: "P-B3",
        hadolint: Some("DL3042"),
        severity: Low,
    }
}

impl Rule for PipCache {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for (index, ins, script) in ctx.runs() {
            if !ins.stage.is_some_and(|s| chain.contains(&s))
                || has_cache_mount(ins, ".cache/pip")
                || has_cache_mount(ins, "/root/.cache")
                || ins
                    .shell_text()
                    .is_some_and(|t| t.contains("PIP_NO_CACHE_DIR="))
                || ctx.vars_at(index).contains_key("PIP_NO_CACHE_DIR")
            {
                continue;
            }
            for (k, cmd) in script.commands.iter().enumerate() {
                let Some(line) = pip_command(cmd) else {
                    continue;
                };
                if line.subcommand() != Some("install") || line.has(&["no-cache-dir"]) {
                    continue;
                }
                let purged = script.commands.iter().skip(k + 1).any(|c| {
                    if pip_command(c).is_some_and(|l| l.operands.starts_with(&["cache", "purge"])) {
                        return true;
                    }
                    let argv = strip_wrappers(&c.argv);
                    argv.first()
                        .is_some_and(|p| p.rsplit('/').next() == Some("rm"))
                        && argv.iter().skip(1).any(|a| {
                            let a = a.trim_end_matches(['*', '/']);
                            a.ends_with("/.cache") || a.ends_with("/.cache/pip")
                        })
                });
                if purged {
                    continue;
                }
                out.push(
                    hit(
                        &Self::RULE,
                        index,
                        cmd.span.line,
                        "`pip install` without `--no-cache-dir` keeps pip's cache in the layer",
                    )
                    .help("add `--no-cache-dir`, or set `ENV PIP_NO_CACHE_DIR=1`"),
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
        let src = "FROM python:3.12 AS build
RUN pip install -r requirements.txt
FROM python:3.12-slim
RUN pip install flask==3.0.3
RUN python3 -m pip --no-cache-dir install a==1 && pip install b==1 && rm -rf ~/.cache/pip
RUN PIP_NO_CACHE_DIR=1 pip install c==1
RUN --mount=type=cache,target=/root/.cache/pip pip install d==1
RUN pip install e==1 && pip cache purge
ENV PIP_NO_CACHE_DIR=off
RUN pip install f==1
";
        assert_eq!(
            run("DF033", src),
            "4: `pip install` without `--no-cache-dir` keeps pip's cache in the layer\n"
        );
    }
}
