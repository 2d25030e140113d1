use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// MAINTAINER is deprecated.
    ///
    /// MAINTAINER has been deprecated since Docker 1.13; the author belongs in
    /// a label, where image metadata checks and tools read it (P-I4).
    ///
    /// Fix: `LABEL org.opencontainers.image.authors="name <email>"`.
    pub struct Maintainer {
        code: "DF010",
        name: "maintainer-deprecated",
        practice: "P-I4",
        hadolint: Some("DL4000"),
        severity: Info,
    }
}

impl Rule for Maintainer {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            if ins.keyword == Keyword::Maintainer {
                out.push(
                    hit(&Self::RULE, i, ins.span.line, "MAINTAINER is deprecated").help(format!(
                        "use LABEL org.opencontainers.image.authors=\"{}\"",
                        ins.shell_text().unwrap_or("").replace('"', "\\\"")
                    )),
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
        let src = "FROM debian:12\nmaintainer Jane <j@x.org>\nLABEL maintainer=x\n";
        assert_eq!(run("DF010", src), "2: MAINTAINER is deprecated\n");
    }
}
