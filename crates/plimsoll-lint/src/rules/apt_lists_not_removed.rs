use crate::util::apt;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// apt package lists not removed in the RUN that fetched them.
    ///
    /// `apt-get update` downloads the package index into `/var/lib/apt/lists`
    /// (tens of MB). Removing it in a later RUN does not shrink the image: the
    /// bytes stay in the lower layer (P-B3). Only stages that end up in the
    /// final image are checked; a RUN with a cache mount on
    /// `/var/lib/apt/lists` keeps the lists out of the layer and is fine.
    ///
    /// Fix: end the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or
    /// `apt-get dist-clean`, apt ≥ 2.7).
    pub struct AptLists {
        code: "DF004",
        name: "apt-lists-not-removed",
        practice: "P-B3",
        hadolint: Some("DL3009"),
        severity: Low,
    }
}

impl Rule for AptLists {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for (i, ins, sh) in ctx.runs() {
            if !ins.stage.is_some_and(|s| chain.contains(&s)) {
                continue;
            }
            let cached = ins.flags.iter().any(|f| {
                f.name == "mount"
                    && f.value
                        .as_deref()
                        .is_some_and(|v| v.contains("type=cache") && v.contains("/var/lib/apt"))
            });
            if cached {
                continue;
            }
            let Some(update) = sh
                .commands
                .iter()
                .find(|c| apt(c).is_some_and(|a| a.sub == "update"))
            else {
                continue;
            };
            let cleaned = sh.commands.iter().any(|c| {
                let argv = crate::util::strip_wrappers(&c.argv);
                let rm = argv.first().is_some_and(|p| p == "rm")
                    && argv.iter().any(|a| a.starts_with("/var/lib/apt/lists"));
                rm || apt(c).is_some_and(|a| a.sub == "dist-clean")
            });
            if !cleaned {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        update.span.line,
                        "`apt-get update` without removing /var/lib/apt/lists in the same RUN",
                    )
                    .help("end this RUN with `&& rm -rf /var/lib/apt/lists/*`"),
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
        let src = "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y a && rm -rf /var/lib/apt/lists/*\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y b\nRUN apt-get update; apt-get install -y c; apt-get dist-clean\n";
        assert_eq!(
            run("DF004", src),
            "4: `apt-get update` without removing /var/lib/apt/lists in the same RUN\n"
        );
    }
}
