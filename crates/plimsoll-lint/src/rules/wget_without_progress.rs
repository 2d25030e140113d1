use crate::util::{flag_names, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `wget` without `--progress`, `-q` or `-nv`.
    ///
    /// wget's default progress bar, printed to a build log (no terminal),
    /// becomes thousands of lines for a large download and buries the
    /// build's real output. A hygiene rule: no practice is about it; filed
    /// under P-I4 (static checks). Not flagged, as in hadolint:
    /// `--progress=…`, `-q`/`--quiet`, `-nv`/`--no-verbose`, and a log
    /// file (`-o`/`--output-file`, `-a`/`--append-output`).
    ///
    /// Fix: `wget --progress=dot:giga URL`, or `wget -q URL`.
    pub struct WgetWithoutProgress {
        code: "DF071",
        name: "wget-without-progress",
        practice: "P-I4",
        hadolint: Some("DL3047"),
        severity: Low,
    }
}

impl Rule for WgetWithoutProgress {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let argv = strip_wrappers(&c.argv);
                let Some((first, args)) = argv.split_first() else {
                    continue;
                };
                if first.rsplit('/').next() != Some("wget") {
                    continue;
                }
                let quiet = args.iter().any(|a| a == "-nv")
                    || flag_names(args).iter().any(|f| {
                        matches!(
                            *f,
                            "progress"
                                | "q"
                                | "quiet"
                                | "no-verbose"
                                | "o"
                                | "output-file"
                                | "a"
                                | "append-output"
                        )
                    });
                if !quiet {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            "`wget` without `--progress`, `-q` or `-nv` fills the build log with its progress bar",
                        )
                        .help("use `wget --progress=dot:giga` or `wget -q`"),
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
        let src = "FROM a:1\n\
                   RUN wget my.xyz\n\
                   RUN wget --progress=dot:giga my.xyz && wget -q x && wget --quiet x && wget -nv x\n\
                   RUN wget --no-verbose x && wget --output-file=/l x && wget -o /l x && wget -a /l x && wget --append-output=/l x\n\
                   RUN wget -qO- x | sh\n\
                   ONBUILD RUN wget -O /x x\n";
        assert_eq!(
            run("DF071", src),
            "2: `wget` without `--progress`, `-q` or `-nv` fills the build log with its progress bar\n\
             6: `wget` without `--progress`, `-q` or `-nv` fills the build log with its progress bar (ONBUILD trigger: runs in child images)\n"
        );
    }
}
