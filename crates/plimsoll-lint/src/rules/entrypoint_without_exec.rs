use plimsoll_dockerfile::ShellScript;

use crate::util::{LaunchBody, heredoc_script, is_shell, launch};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A shell start script runs the main process without `exec`.
    ///
    /// When a shell script or `sh -c "…"` starts the application as a child,
    /// the shell stays PID 1: `docker stop` sends SIGTERM to the shell, which
    /// does not forward it, and the application is killed after the timeout
    /// without a clean shutdown (P-A2). Checked where the Dockerfile shows the
    /// script: an exec-form `["sh", "-c", "a && b"]` with several commands,
    /// and entrypoint scripts written in the Dockerfile (`COPY <<EOF
    /// /entrypoint.sh`) that contain no `exec`. Shell-form CMD/ENTRYPOINT is
    /// DF014's; scripts copied from the build context are not seen.
    ///
    /// Fix: start the main process with `exec` (`exec "$@"`, `exec node
    /// server.js`), so it replaces the shell and receives signals.
    pub struct EntrypointWithoutExec {
        code: "DF041",
        name: "entrypoint-without-exec",
        practice: "P-A2",
        hadolint: None,
        severity: Medium,
    }
}

/// Commands that end a script without leaving a long-lived process.
fn is_one_shot(program: &str) -> bool {
    matches!(
        program,
        "exit" | "true" | ":" | "echo" | "printf" | "return"
    )
}

/// The program a script that never `exec`s leaves running last, if it
/// looks like the main process.
fn main_without_exec(script: &ShellScript) -> Option<&str> {
    if script.commands.iter().any(|c| c.program() == "exec") {
        return None;
    }
    let last = script.commands.last()?.program();
    (!last.is_empty() && !is_one_shot(last)).then_some(last)
}

impl Rule for EntrypointWithoutExec {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let Some(l) = launch(ctx) else { return };
        match &l.body {
            LaunchBody::Shell {
                script,
                dash_c: true,
            } if script.commands.len() >= 2 => {
                if let Some(main) = main_without_exec(script) {
                    out.push(
                        hit(
                            &Self::RULE,
                            l.instruction,
                            l.line,
                            format!(
                                "`sh -c` starts `{main}` without `exec`: the shell stays PID 1 and does not forward SIGTERM"
                            ),
                        )
                        .help(format!("write `exec {main} …` for the last command")),
                    );
                }
            }
            LaunchBody::Argv(argv) => {
                let Some(first) = argv.first() else { return };
                // `["sh", "/entrypoint.sh"]` runs the script as well as `["/entrypoint.sh"]`.
                let path = if is_shell(first.rsplit('/').next().unwrap_or(first)) {
                    match argv.get(1) {
                        Some(p) if !p.starts_with('-') => p,
                        _ => return,
                    }
                } else {
                    first
                };
                let Some((at, script)) = heredoc_script(ctx, path) else {
                    return;
                };
                if let Some(main) = main_without_exec(&script) {
                    let line = script
                        .commands
                        .last()
                        .map_or(ctx.df.instructions[at].span.line, |c| c.span.line);
                    out.push(
                        hit(
                            &Self::RULE,
                            at,
                            line,
                            format!(
                                "`{path}` starts `{main}` without `exec`: the script's shell stays PID 1 and does not forward SIGTERM"
                            ),
                        )
                        .help(format!("start the main process with `exec {main} …`")),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn dash_c() {
        let src = "FROM node:22\nCMD [\"sh\", \"-c\", \"npm run migrate && node server.js\"]\n";
        assert_eq!(
            run("DF041", src),
            "2: `sh -c` starts `node` without `exec`: the shell stays PID 1 and does not forward SIGTERM\n"
        );
        // Combined with an exec-form ENTRYPOINT; the finding is on the CMD.
        let src =
            "FROM node:22\nENTRYPOINT [\"/bin/bash\", \"-ec\"]\nCMD [\"cd /app; ./server\"]\n";
        assert_eq!(
            run("DF041", src),
            "3: `sh -c` starts `server` without `exec`: the shell stays PID 1 and does not forward SIGTERM\n"
        );
    }

    #[test]
    fn heredoc_scripts() {
        let src = "FROM debian:12\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\nset -e\nchown app /data\ngosu app \"\\$@\"\nEOF\nENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"redis-server\"]\n";
        assert_eq!(
            run("DF041", src),
            "6: `/entrypoint.sh` starts `gosu` without `exec`: the script's shell stays PID 1 and does not forward SIGTERM\n"
        );
        let src = "FROM debian:12\nWORKDIR /app\nCOPY <<EOF run.sh\nmake serve\nEOF\nCMD [\"sh\", \"./run.sh\"]\n";
        assert_eq!(
            run("DF041", src),
            "4: `./run.sh` starts `make` without `exec`: the script's shell stays PID 1 and does not forward SIGTERM\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            // exec hands PID 1 over.
            "FROM a:1\nCMD [\"sh\", \"-c\", \"npm run migrate && exec node server.js\"]\n",
            // A single command: shells exec it themselves.
            "FROM a:1\nCMD [\"sh\", \"-c\", \"node server.js\"]\n",
            // Shell form is DF014's.
            "FROM a:1\nCMD cd /app && node server.js\n",
            "FROM a:1\nCOPY <<EOF /e.sh\n#!/bin/sh\nset -e\nexec \"\\$@\"\nEOF\nENTRYPOINT [\"/e.sh\"]\n",
            // The script is not in the Dockerfile: unknown.
            "FROM a:1\nCOPY e.sh /e.sh\nENTRYPOINT [\"/e.sh\"]\n",
            // A one-shot script.
            "FROM a:1\nCOPY <<EOF /e.sh\necho hello\nEOF\nENTRYPOINT [\"/e.sh\"]\n",
        ] {
            assert_eq!(run("DF041", src), "", "{src}");
        }
    }
}
