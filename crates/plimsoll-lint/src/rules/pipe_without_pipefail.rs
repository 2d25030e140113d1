use plimsoll_dockerfile::{Args, Keyword};

use crate::util::{OptionSpec, split_options};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A RUN with a pipe, without `pipefail`.
    ///
    /// A pipeline's status is its last command's: in `curl -fsSL $URL | tar
    /// -xz` a failed download still lets the step succeed and the build goes
    /// on with a missing or truncated file (P-C8). Satisfied by a SHELL with
    /// `-o pipefail` (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`; bash,
    /// zsh, ash, ksh; inherited from the stage this one is built `FROM`), or
    /// `set -o pipefail` earlier in the same RUN. RUNs under a non-POSIX
    /// SHELL (PowerShell, cmd) are not checked.
    ///
    /// Fix: `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN
    /// (`/bin/ash` on Alpine).
    pub struct Pipefail {
        code: "DF039",
        name: "pipe-without-pipefail",
        practice: "P-C8",
        hadolint: Some("DL4006"),
        severity: Medium,
    }
}

/// What a SHELL instruction means for pipes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShellKind {
    /// A POSIX shell without pipefail (the default `/bin/sh -c`).
    Plain,
    Pipefail,
    /// PowerShell, cmd: not a POSIX shell.
    Other,
}

const SET: OptionSpec = OptionSpec {
    short_values: "o",
    long_values: &[],
};

fn sets_pipefail(argv: &[String]) -> bool {
    let Some((first, rest)) = argv.split_first() else {
        return false;
    };
    let program = first.rsplit('/').next().unwrap_or(first);
    let line = split_options(program, rest, &SET);
    line.values(&["o"]).any(|v| v == "pipefail")
}

fn shell_kind(argv: &[String]) -> ShellKind {
    let program = argv
        .first()
        .map(|p| {
            p.rsplit(['/', '\\'])
                .next()
                .unwrap_or(p)
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let program = program.trim_end_matches(".exe");
    if ["pwsh", "powershell", "cmd"].contains(&program) {
        ShellKind::Other
    } else if plimsoll_practice::shells::has_pipefail(program) && sets_pipefail(argv) {
        ShellKind::Pipefail
    } else {
        ShellKind::Plain
    }
}

impl Rule for Pipefail {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        // The SHELL in force at the end of each stage, for stages built FROM it.
        let mut stage_end: Vec<ShellKind> = Vec::with_capacity(ctx.df.stages.len());
        for st in &ctx.df.stages {
            let mut kind = ctx
                .df
                .stage_ref(&st.image, st.index)
                .and_then(|p| stage_end.get(p.index).copied())
                .unwrap_or(ShellKind::Plain);
            for (k, ins) in ctx.df.stage_instructions(st.index).iter().enumerate() {
                let index = st.instructions.start + k;
                match ins.keyword {
                    Keyword::Shell => {
                        if let Args::Exec(argv) = &ins.args {
                            kind = shell_kind(argv);
                        }
                    }
                    Keyword::Run if kind == ShellKind::Plain => {
                        let Some(sh) = ctx.shells.get(index).and_then(Option::as_ref) else {
                            continue;
                        };
                        let Some(&(left, _)) = sh.pipes.first() else {
                            continue;
                        };
                        let set_before = sh
                            .commands
                            .get(..left)
                            .unwrap_or_default()
                            .iter()
                            .any(|c| c.program() == "set" && sets_pipefail(&c.argv));
                        if !set_before {
                            out.push(
                                hit(
                                    &Self::RULE,
                                    index,
                                    sh.commands[left].span.line,
                                    "a pipe without `pipefail`: a failure before the last command goes unnoticed",
                                )
                                .help("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN"),
                            );
                        }
                    }
                    _ => {}
                }
            }
            stage_end.push(kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12 AS base
RUN curl -fsSL https://x/a.tgz | tar -xz
RUN set -eux -o pipefail; curl https://x/b | tar -x
RUN set -euxo pipefail && curl https://x/b | tar -x
SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]
RUN curl https://x/c | tar -x
FROM base
RUN curl https://x/d | tar -x
FROM debian:12
SHELL [\"/bin/sh\", \"-c\"]
RUN echo a | \\
    wc -l
SHELL [\"pwsh\", \"-Command\"]
RUN Get-Item x | Remove-Item
FROM debian:12
RUN set -e; arch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"
";
        assert_eq!(
            run("DF039", src),
            "2: a pipe without `pipefail`: a failure before the last command goes unnoticed\n\
             11: a pipe without `pipefail`: a failure before the last command goes unnoticed\n\
             16: a pipe without `pipefail`: a failure before the last command goes unnoticed\n"
        );
    }
}
