use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `cd` in a RUN instead of WORKDIR.
    ///
    /// A `cd` lasts only for its RUN; the next instruction starts again in the
    /// WORKDIR, which makes build steps harder to follow and to reorder for
    /// the cache (P-B1). `cd` inside a subshell or for a single command is
    /// still reported, as hadolint does; ignore it inline where it is intended.
    ///
    /// Fix: `WORKDIR /path` before the commands (or `make -C dir`, `git -C dir`).
    pub struct CdWorkdir {
        code: "DF006",
        name: "cd-instead-of-workdir",
        practice: "P-B1",
        hadolint: Some("DL3003"),
        severity: Info,
    }
}

impl Rule for CdWorkdir {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                if strip_wrappers(&c.argv).first().is_some_and(|p| p == "cd") {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            format!("`{}` in RUN: use WORKDIR", c.argv.join(" ")),
                        )
                        .help("use WORKDIR to switch to a directory"),
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
        let src =
            "FROM debian:12\nWORKDIR /src\nRUN cd /tmp && make\nRUN make -C /tmp && echo cd\n";
        assert_eq!(run("DF006", src), "3: `cd /tmp` in RUN: use WORKDIR\n");
    }
}
