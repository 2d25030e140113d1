use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apt` in a RUN instead of `apt-get`/`apt-cache`.
    ///
    /// `apt` is the interactive front end: its output and options may change
    /// between releases and it warns "apt does not have a stable CLI
    /// interface. Use with caution in scripts." Build steps must run
    /// unattended and give the same result every time (P-B2).
    ///
    /// Fix: `apt-get install -y …`, `apt-cache policy …`.
    pub struct AptCli {
        code: "DF037",
        name: "apt-instead-of-apt-get",
        practice: "P-B2",
        hadolint: Some("DL3027"),
        severity: Low,
    }
}

impl Rule for AptCli {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let argv = strip_wrappers(&c.argv);
                if argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) != Some("apt") {
                    continue;
                }
                let sub = argv
                    .iter()
                    .skip(1)
                    .find(|a| !a.starts_with('-'))
                    .map_or(String::new(), |s| format!(" {s}"));
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        c.span.line,
                        format!("`apt{sub}`: apt has no stable command line for scripts"),
                    )
                    .help("use `apt-get` (or `apt-cache` for queries)"),
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
        let src = "FROM debian:12
RUN apt update && apt -y install curl
RUN apt-get update && apt-cache policy curl && echo apt
RUN sudo /usr/bin/apt full-upgrade -y
";
        assert_eq!(
            run("DF037", src),
            "2: `apt install`: apt has no stable command line for scripts\n\
             2: `apt update`: apt has no stable command line for scripts\n\
             4: `apt full-upgrade`: apt has no stable command line for scripts\n"
        );
    }
}
