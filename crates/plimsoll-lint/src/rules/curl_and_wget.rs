use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// Both `curl` and `wget` used in one stage.
    ///
    /// One download tool is enough: the second is one more program (and its
    /// libraries and CVEs) in the image, and one more tool an attacker can
    /// use to fetch a payload (P-C2). Every RUN that uses either tool once
    /// both have appeared in the stage is reported.
    ///
    /// Fix: use one of them throughout (and remove it when the build is done
    /// with it).
    pub struct CurlAndWget {
        code: "DF038",
        name: "curl-and-wget",
        practice: "P-C2",
        hadolint: Some("DL4001"),
        severity: Info,
    }
}

impl Rule for CurlAndWget {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        // Per stage: the first line each tool is used on.
        let mut first: Vec<(Option<usize>, Option<u32>, Option<u32>)> = Vec::new();
        for (i, ins, sh) in ctx.stage_runs() {
            let state = match first.iter_mut().find(|(s, _, _)| *s == ins.stage) {
                Some(s) => s,
                None => {
                    first.push((ins.stage, None, None));
                    let Some(s) = first.last_mut() else { continue };
                    s
                }
            };
            let mut used = None;
            for c in &sh.commands {
                let argv = strip_wrappers(&c.argv);
                let prog = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p));
                let slot = match prog {
                    Some("curl") => &mut state.1,
                    Some("wget") => &mut state.2,
                    _ => continue,
                };
                slot.get_or_insert(c.span.line);
                used.get_or_insert(c.span.line);
            }
            if let (Some(line), Some(curl), Some(wget)) = (used, state.1, state.2) {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        line,
                        format!(
                            "both curl (line {curl}) and wget (line {wget}) are used in this stage"
                        ),
                    )
                    .help("use one download tool throughout"),
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
        let src = "FROM debian:12 AS a
RUN curl -fsSLO https://x/a
RUN wget -q https://x/b
RUN echo wget && curl -O https://x/c
RUN make
FROM debian:12
RUN curl -O https://x/d && command -v wget
FROM debian:12
RUN v=$(curl -s https://x/latest) && wget https://x/$v.tgz
";
        assert_eq!(
            run("DF038", src),
            "3: both curl (line 2) and wget (line 3) are used in this stage\n\
             4: both curl (line 2) and wget (line 3) are used in this stage\n\
             9: both curl (line 9) and wget (line 9) are used in this stage\n"
        );
    }
}
