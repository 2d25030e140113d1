use plimsoll_dockerfile::Keyword;

use crate::util::is_absolute;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// COPY to a relative destination in a stage that sets no WORKDIR.
    ///
    /// A relative destination is resolved against the WORKDIR, which then
    /// comes from the base image: where the files land depends on something
    /// the Dockerfile does not show. A WORKDIR earlier in the stage, or in a
    /// stage it is built `FROM`, settles it. Destinations starting with a
    /// variable and Windows paths are not flagged, as in hadolint. A hygiene
    /// rule: no practice is about it; filed under P-I4 (static checks).
    ///
    /// Fix: set `WORKDIR /app` first, or copy to an absolute path.
    pub struct CopyRelativeWithoutWorkdir {
        code: "DF070",
        name: "copy-relative-without-workdir",
        practice: "P-I4",
        hadolint: Some("DL3045"),
        severity: Medium,
    }
}

impl Rule for CopyRelativeWithoutWorkdir {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let df = ctx.df;
        // Per stage: whether it (to its end) or a stage it is built FROM sets WORKDIR.
        let mut inherited = vec![false; df.stages.len()];
        for st in &df.stages {
            let mut workdir = df
                .stage_ref(&st.image, st.index)
                .is_some_and(|p| inherited[p.index]);
            for i in st.instructions.clone() {
                let ins = &df.instructions[i];
                match ins.keyword {
                    Keyword::Workdir => workdir = true,
                    Keyword::Copy if !workdir => {
                        let words = ins.words();
                        let Some(dest) = words.last().filter(|_| words.len() >= 2) else {
                            continue;
                        };
                        if dest.starts_with('$') || is_absolute(dest) {
                            continue;
                        }
                        out.push(
                            hit(
                                &Self::RULE,
                                i,
                                ins.span.line,
                                format!(
                                    "COPY to relative `{dest}` without a WORKDIR: it lands in the base image's working directory"
                                ),
                            )
                            .help("set an absolute WORKDIR first, or copy to an absolute path"),
                        );
                    }
                    _ => {}
                }
            }
            inherited[st.index] = workdir;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12 AS base\n\
                   COPY a /usr/local/bin/a\n\
                   COPY b \"/opt/b\"\n\
                   COPY c c:\\\\system32\\\\c\n\
                   COPY d $DEST\n\
                   COPY e \"${DEST}\"\n\
                   COPY f f\n\
                   WORKDIR /usr\n\
                   COPY g g\n\
                   FROM debian:12\n\
                   COPY h \"h\"\n\
                   FROM base\n\
                   COPY i i\n";
        assert_eq!(
            run("DF070", src),
            "7: COPY to relative `f` without a WORKDIR: it lands in the base image's working directory\n\
             11: COPY to relative `h` without a WORKDIR: it lands in the base image's working directory\n"
        );
    }
}
