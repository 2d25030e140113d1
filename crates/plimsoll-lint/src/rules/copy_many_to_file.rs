use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// COPY or ADD of several sources to a destination that does not end
    /// with `/`.
    ///
    /// With more than one source the destination must be a directory and,
    /// by the Dockerfile reference, written with a trailing slash; without
    /// it the build fails or the result depends on whether the directory
    /// happens to exist. A hygiene rule: no practice is about it; filed
    /// under P-I4 (static checks). hadolint checks COPY only; ADD follows
    /// the same rule and is checked too.
    ///
    /// Fix: `COPY a b /dest/`.
    pub struct CopyManyToFile {
        code: "DF065",
        name: "copy-many-to-file",
        practice: "P-I4",
        hadolint: Some("DL3021"),
        severity: High,
    }
}

impl Rule for CopyManyToFile {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if !matches!(ins.keyword, Keyword::Copy | Keyword::Add) {
                continue;
            }
            let words = ins.words();
            let Some((dest, sources)) = words.split_last() else {
                continue;
            };
            if sources.len() < 2 || dest.ends_with('/') || dest.ends_with('\\') {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    ins.span.line,
                    format!(
                        "{} of {} sources to `{dest}`: the destination must be a directory ending with `/`",
                        ins.keyword,
                        sources.len()
                    ),
                )
                .help(format!("write `{dest}/`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nCOPY foo bar\nCOPY foo bar baz\nCOPY foo bar baz/\nCOPY foo bar \"baz\"\nCOPY foo bar \"baz/\"\nCOPY [\"a\", \"b\", \"/c\"]\nADD a b /c/\nCOPY --from=x a b /d\n";
        assert_eq!(
            run("DF065", src),
            "3: COPY of 2 sources to `baz`: the destination must be a directory ending with `/`\n\
             5: COPY of 2 sources to `baz`: the destination must be a directory ending with `/`\n\
             7: COPY of 2 sources to `/c`: the destination must be a directory ending with `/`\n\
             9: COPY of 2 sources to `/d`: the destination must be a directory ending with `/`\n"
        );
    }
}
