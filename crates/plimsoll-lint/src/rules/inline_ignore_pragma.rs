use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// An inline `# hadolint ignore=…` or `# plimsoll ignore=…` comment.
    ///
    /// Off by default, as in hadolint: a policy for teams that want every
    /// exception in one reviewed place (plimsoll.toml or `.hadolint.yaml`)
    /// rather than scattered through Dockerfiles. A hygiene rule: no
    /// practice is about it; it is filed under P-I4 (static checks), whose
    /// findings an inline ignore hides. Global pragmas
    /// (`# hadolint global ignore=…`) are not flagged, as in hadolint.
    ///
    /// Fix: move the exception to the configuration file's ignore list.
    pub struct InlineIgnorePragma {
        code: "DF060",
        name: "inline-ignore-pragma",
        practice: "P-I4",
        hadolint: Some("DL1001"),
        severity: Info,
        opt_in: true,
    }
}

impl Rule for InlineIgnorePragma {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let instructions = &ctx.df.instructions;
        let Some(last) = instructions.len().checked_sub(1) else {
            return;
        };
        for c in &ctx.df.comments {
            if crate::ignore_codes(&c.text, false).is_none() {
                continue;
            }
            // The finding belongs to the instruction the pragma is about.
            let index = instructions
                .iter()
                .position(|i| i.span.line > c.span.line)
                .unwrap_or(last);
            out.push(
                hit(
                    &Self::RULE,
                    index,
                    c.span.line,
                    "inline ignore pragma: keep exceptions in the configuration file",
                )
                .help("list the ignored rule in plimsoll.toml or .hadolint.yaml instead"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "# hadolint global ignore=DL3008\nFROM debian:12\n# hadolint ignore=DL3059\nRUN a\n# plimsoll ignore=DF074\nRUN b\n# a note: hadolint ignore is discussed\nRUN c\n";
        assert_eq!(
            run("DF060", src),
            "3: inline ignore pragma: keep exceptions in the configuration file\n\
             5: inline ignore pragma: keep exceptions in the configuration file\n"
        );
        // Off unless asked for.
        let f = crate::lint("Dockerfile", src).unwrap();
        assert!(!f.iter().any(|f| f.code == "DF060"));
    }
}
