use plimsoll_dockerfile::Keyword;

use crate::util::is_absolute;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// WORKDIR with a relative path.
    ///
    /// A relative WORKDIR is resolved against the WORKDIR before it, which
    /// the base image may set: the directory every later step and the
    /// container start in depends on something the Dockerfile does not show.
    /// A hygiene rule: no practice is about it; filed under P-I4, the
    /// static checks that make the image's metadata predictable. Paths
    /// starting with a variable (`$HOME/app`) and Windows paths (`C:\app`)
    /// are not flagged, as in hadolint.
    ///
    /// Fix: `WORKDIR /app`.
    pub struct RelativeWorkdir {
        code: "DF061",
        name: "relative-workdir",
        practice: "P-I4",
        hadolint: Some("DL3000"),
        severity: High,
    }
}

impl Rule for RelativeWorkdir {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Workdir {
                continue;
            }
            let Some(dir) = ins.words().into_iter().next() else {
                continue;
            };
            if dir.starts_with('$') || is_absolute(&dir) {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    ins.span.line,
                    format!("WORKDIR `{dir}` is relative: it depends on the WORKDIR before it"),
                )
                .help("use an absolute path"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12\nWORKDIR /app\nWORKDIR \"/quoted\"\nWORKDIR $HOME/x\nWORKDIR C:\\\\app\nWORKDIR src\nWORKDIR \"rel\"\nONBUILD WORKDIR build\n";
        assert_eq!(
            run("DF061", src),
            "6: WORKDIR `src` is relative: it depends on the WORKDIR before it\n\
             7: WORKDIR `rel` is relative: it depends on the WORKDIR before it\n\
             8: WORKDIR `build` is relative: it depends on the WORKDIR before it (ONBUILD trigger: runs in child images)\n"
        );
    }
}
