use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `COPY --from=stage / /`: a whole filesystem copied from another stage.
    ///
    /// Copying `/` brings the other stage's compilers, package databases,
    /// caches and sources along with the artifact, which is what a
    /// multi-stage build is meant to leave behind (P-B4: the final stage
    /// copies only the artifact).
    ///
    /// Fix: `COPY --from=build /app/bin/server /usr/local/bin/`.
    pub struct CopyEntireFilesystem {
        code: "DF080",
        name: "copy-entire-filesystem",
        practice: "P-B4",
        hadolint: Some("DL3067"),
        severity: Medium,
    }
}

impl Rule for CopyEntireFilesystem {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Copy {
                continue;
            }
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            let words = ins.words();
            let Some((dest, sources)) = words.split_last() else {
                continue;
            };
            if dest == "/" && sources.iter().any(|s| s == "/") {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("COPY --from={from} / / copies the whole filesystem of `{from}`"),
                    )
                    .help("copy only the files the image needs"),
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
        let src = "FROM a:1 AS build\nFROM scratch\nCOPY --from=build / /\nCOPY --from=build \"/\" \"/\"\nCOPY --from=build /app /\nCOPY / /\nCOPY --from=build / /rootfs/\n";
        assert_eq!(
            run("DF080", src),
            "3: COPY --from=build / / copies the whole filesystem of `build`\n\
             4: COPY --from=build / / copies the whole filesystem of `build`\n"
        );
    }
}
