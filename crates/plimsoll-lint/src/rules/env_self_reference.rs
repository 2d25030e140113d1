use std::collections::HashSet;

use plimsoll_dockerfile::Keyword;

use crate::util::var_refs;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// An ENV that refers to a variable it defines itself.
    ///
    /// Variables in an ENV are expanded with the values from before the
    /// instruction: in `ENV GOPATH=/go PATH=$GOPATH/bin:$PATH`, `$GOPATH`
    /// is the old value (empty here), not `/go`. Not flagged: a variable
    /// referring to its own old value (`ENV PATH=/x:$PATH`), and variables
    /// already set before the ENV (by an earlier ENV or ARG of the stage or
    /// its parents). A hygiene rule: no practice is about it; filed under
    /// P-I4 (static checks).
    ///
    /// Fix: split it into two ENV instructions.
    pub struct EnvSelfReference {
        code: "DF069",
        name: "env-self-reference",
        practice: "P-I4",
        hadolint: Some("DL3044"),
        severity: High,
    }
}

impl Rule for EnvSelfReference {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            if ins.keyword != Keyword::Env {
                continue;
            }
            let pairs = ins.key_values();
            if pairs.len() < 2 {
                continue;
            }
            let mut known: HashSet<String> = ctx.vars_at(i).into_keys().collect();
            if let Some(stage) = ins.stage {
                // ARGs without a default are set too (by --build-arg).
                for a in &ctx.df.instructions[ctx.df.stages[stage].instructions.start..i] {
                    if a.keyword == Keyword::Arg {
                        known.extend(a.key_values().into_iter().map(|(k, _)| k));
                    }
                }
            }
            let referenced = pairs.iter().enumerate().find_map(|(j, (name, _))| {
                if known.contains(name) {
                    return None;
                }
                pairs
                    .iter()
                    .enumerate()
                    .any(|(k, (_, v))| {
                        k != j
                            && v.as_deref()
                                .is_some_and(|v| var_refs(v).contains(&name.as_str()))
                    })
                    .then_some(name)
            });
            if let Some(name) = referenced {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!(
                            "ENV refers to `{name}`, which it defines itself: the reference gets the value from before this ENV"
                        ),
                    )
                    .help(format!("set `{name}` in an ENV of its own before this one")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    fn fires(src: &str) -> bool {
        !run("DF069", &format!("FROM a:1\n{src}\n")).is_empty()
    }

    #[test]
    fn snapshot() {
        assert_eq!(
            run("DF069", "FROM a:1\nENV GOPATH=/go PATH=$GOPATH/bin:$PATH\n"),
            "2: ENV refers to `GOPATH`, which it defines itself: the reference gets the value from before this ENV\n"
        );
        // hadolint's cases.
        assert!(!fires("ENV BLA=\"blubb\"\nENV BLUBB=\"${BLA}/blubb\""));
        assert!(!fires("ENV BLA=\"blubb\" BLUBB=\"${FOOBLA}/blubb\""));
        assert!(!fires("ENV BLA=\"blubb\" BLUBB=\"$BLAFOO/blubb\""));
        assert!(fires("ENV BLA=\"blubb\" BLUBB=\"$BLA/$BLAFOO/blubb\""));
        assert!(!fires("ENV BLA=\"blubb\" BLUBB=\"BLA/$BLAFOO/BLA\""));
        assert!(!fires("ARG BLA\nENV BLA=${BLA}"));
        assert!(!fires("ARG BLA\nENV BLA=${BLA} X=$BLA"));
        assert!(!fires("ENV BLA blubb\nENV BLA=${BLA}"));
        assert!(!fires("ENV PATH=/bla:${PATH}"));
        assert!(fires("ENV PATH=/bla:${PATH} PATH=/blubb:${PATH}"));
        assert!(fires("ENV BLA=\"blubb\" BLUBB=\"${BLA}\""));
        assert!(fires("ENV BLA=\"blubb\" BLUBB=\"${BLA:-x}\""));
    }
}
