use plimsoll_dockerfile::{Args, Keyword};

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// CMD or ENTRYPOINT in shell form.
    ///
    /// The shell form (`CMD nginx -g 'daemon off;'`) runs
    /// `/bin/sh -c "…"`: the shell is PID 1 and does not forward SIGTERM, so
    /// `docker stop` waits for its timeout and then kills the application
    /// without a clean shutdown (P-A2). A shell form that starts with `exec`
    /// hands PID 1 over and is not flagged.
    ///
    /// Fix: the exec (JSON) form, `CMD ["nginx", "-g", "daemon off;"]`.
    pub struct ShellForm {
        code: "DF014",
        name: "shell-form-command",
        practice: "P-A2",
        hadolint: Some("DL3025"),
        severity: Medium,
    }
}

impl Rule for ShellForm {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if !matches!(ins.keyword, Keyword::Cmd | Keyword::Entrypoint) {
                continue;
            }
            let Args::Shell(text) = &ins.args else {
                continue;
            };
            if text.trim_start().starts_with("exec ") {
                continue;
            }
            let words = ins.words();
            let json = serde_like_json(&words);
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    ins.span.line,
                    format!(
                        "{} in shell form: /bin/sh becomes PID 1 and does not forward signals",
                        ins.keyword
                    ),
                )
                .help(format!("use the exec form: {} {json}", ins.keyword)),
            );
        }
    }
}

/// `["a", "b"]` with JSON string escaping.
fn serde_like_json(words: &[String]) -> String {
    let items: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12\nCMD nginx -g 'daemon off;'\nENTRYPOINT [\"tini\", \"--\"]\nCMD exec nginx\nentrypoint /run.sh\n";
        assert_eq!(
            run("DF014", src),
            "2: CMD in shell form: /bin/sh becomes PID 1 and does not forward signals\n\
             5: ENTRYPOINT in shell form: /bin/sh becomes PID 1 and does not forward signals\n"
        );
    }

    #[test]
    fn help_is_the_exec_form() {
        let f = crate::lint("D", "FROM a:1\nCMD nginx -g 'daemon off;'\n").unwrap();
        let f = f.iter().find(|f| f.code == "DF014").unwrap();
        assert_eq!(
            f.help.as_deref(),
            Some("use the exec form: CMD [\"nginx\", \"-g\", \"daemon off;\"]")
        );
    }
}
