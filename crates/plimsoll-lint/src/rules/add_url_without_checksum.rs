use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// ADD of a URL without `--checksum`.
    ///
    /// `ADD https://…` puts whatever the server returns into the image, with
    /// nothing to detect a compromised or changed download (P-C8).
    ///
    /// Fix: `ADD --checksum=sha256:<digest> https://… /dest`, or download in
    /// a RUN and verify the checksum there.
    pub struct AddUrlChecksum {
        code: "DF017",
        name: "add-url-without-checksum",
        practice: "P-C8",
        hadolint: None,
        severity: Medium,
    }
}

impl Rule for AddUrlChecksum {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Add || ins.flag("checksum").is_some() {
                continue;
            }
            let words = ins.words();
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            for s in sources {
                let l = s.to_ascii_lowercase();
                if l.starts_with("http://") || l.starts_with("https://") {
                    out.push(
                        hit(&Self::RULE, i, ins.span.line, format!("ADD of `{s}` without --checksum"))
                            .help("add `--checksum=sha256:<digest>` so a changed download fails the build"),
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
        let src = "FROM debian:12\nADD https://example.com/a.tgz /a\nADD --checksum=sha256:00 https://example.com/b.tgz /b\nADD local.tgz /c\n";
        assert_eq!(
            run("DF017", src),
            "2: ADD of `https://example.com/a.tgz` without --checksum\n"
        );
    }
}
