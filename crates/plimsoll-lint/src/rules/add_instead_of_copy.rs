use plimsoll_dockerfile::Keyword;

use super::{is_archive, is_remote};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// ADD used for local files: COPY is what is meant.
    ///
    /// ADD also fetches URLs and unpacks local archives, so what a line does
    /// depends on what the source turns out to be: a renamed file can
    /// silently become an extracted tree (P-C8, careful build steps).
    /// ADD of a URL, a git repository or a local archive (which it unpacks)
    /// is not flagged.
    ///
    /// Fix: `COPY src dest`.
    pub struct AddInsteadOfCopy {
        code: "DF011",
        name: "add-instead-of-copy",
        practice: "P-C8",
        hadolint: Some("DL3020"),
        severity: Low,
    }
}

impl Rule for AddInsteadOfCopy {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Add || ins.shell_text().is_some_and(|t| t.contains("<<")) {
                continue;
            }
            let words = ins.words();
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            let local: Vec<&String> = sources
                .iter()
                .filter(|s| !is_remote(s) && !is_archive(s))
                .collect();
            if !local.is_empty() && local.len() == sources.len() {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        "ADD of local files: use COPY",
                    )
                    .help("replace ADD with COPY; keep ADD only for archives to unpack or URLs"),
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
        let src = "FROM debian:12\nADD app.py /app/\nADD rootfs.tar.gz /\nADD https://example.com/x.tgz /x\nADD [\"a b\", \"/c/\"]\nCOPY . /src\n";
        assert_eq!(
            run("DF011", src),
            "2: ADD of local files: use COPY\n5: ADD of local files: use COPY\n"
        );
    }
}
