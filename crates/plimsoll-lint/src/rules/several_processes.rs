use plimsoll_dockerfile::ShellScript;
use plimsoll_practice::supervisors::{INIT_SYSTEMS, PROCFILE_RUNNERS, SUPERVISORS};

use crate::util::{Launch, LaunchBody, heredoc_script, launch, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The container starts a process supervisor or several programs.
    ///
    /// A container and its application share one life cycle (P-A1): the
    /// runtime restarts, scales and logs one process. A supervisor
    /// (supervisord, s6, runit, systemd) or a start command that puts programs
    /// in the background (`a & b`, `service x start && y`) hides crashes of
    /// the other processes from the orchestrator, mixes their logs and makes
    /// shutdown depend on the supervisor. The ENTRYPOINT/CMD of the final
    /// stage is checked, and entrypoint scripts written in the Dockerfile
    /// (`COPY <<EOF /entrypoint.sh`); scripts copied from the build context
    /// cannot be seen.
    ///
    /// Fix: one program per container; run the others as their own
    /// containers (sidecars in the same pod or services in Compose).
    pub struct SeveralProcesses {
        code: "DF040",
        name: "several-processes",
        practice: "P-A1",
        hadolint: None,
        severity: Medium,
    }
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Why `argv` starts several processes, if it does.
fn supervisor(argv: &[String], s6_overlay: bool) -> Option<String> {
    let first = argv.first()?;
    let prog = base(first);
    if prog == "npx" {
        let k = argv.iter().skip(1).position(|a| !a.starts_with('-'))?;
        return supervisor(&argv[k + 1..], s6_overlay);
    }
    if SUPERVISORS.contains(&prog) {
        return Some(format!("`{prog}` supervises several processes"));
    }
    if INIT_SYSTEMS.contains(&first.as_str()) {
        return Some(format!("`{first}` boots a whole init system"));
    }
    // s6-overlay installs its supervisor as `/init`.
    if first == "/init" && s6_overlay {
        return Some("s6-overlay's `/init` supervises several processes".to_string());
    }
    if PROCFILE_RUNNERS.contains(&prog) && argv.get(1).is_some_and(|a| a == "start") {
        return Some(format!("`{prog} start` runs every process of the Procfile"));
    }
    if prog == "run-p"
        || (prog == "npm-run-all"
            && argv
                .iter()
                .any(|a| a == "--parallel" || a == "-p" || a == "-P"))
    {
        return Some(format!("`{prog}` runs several scripts in parallel"));
    }
    None
}

/// Why a shell start program runs several processes: `(line, reason)`.
fn shell_reasons(script: &ShellScript, s6_overlay: bool) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for c in &script.commands {
        let argv = strip_wrappers(&c.argv);
        let argv = if argv.first().is_some_and(|a| a == "exec") {
            &argv[1..]
        } else {
            argv
        };
        let Some(first) = argv.first() else { continue };
        let prog = base(first);
        if let Some(why) = supervisor(argv, s6_overlay) {
            out.push((c.span.line, why));
        } else if c.background {
            out.push((
                c.span.line,
                format!("`{prog} &` runs in the background next to the main process"),
            ));
        } else if let Some(service) = service_start(argv) {
            out.push((
                c.span.line,
                format!("starts the `{service}` service in the background"),
            ));
        }
    }
    out
}

/// `service X start`, `/etc/init.d/X start`, `rc-service X start`,
/// `systemctl start X`: the service's name.
fn service_start(argv: &[String]) -> Option<&str> {
    let word = |k: usize| argv.get(k).map(String::as_str);
    let prog = base(word(0)?);
    match prog {
        "service" | "rc-service" if matches!(word(2), Some("start" | "restart")) => word(1),
        "systemctl" if matches!(word(1), Some("start" | "restart")) => word(2),
        _ if argv[0].starts_with("/etc/init.d/")
            && matches!(word(1), Some("start" | "restart")) =>
        {
            Some(prog)
        }
        _ => None,
    }
}

impl Rule for SeveralProcesses {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let Some(Launch {
            instruction,
            line,
            body,
            argv_from,
            ..
        }) = launch(ctx)
        else {
            return;
        };
        let s6_overlay = ctx.src.contains("s6-overlay");
        let mut push = |i: usize, line: u32, why: String| {
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    line,
                    format!("the container starts several processes: {why}"),
                )
                .help("run one program per container; move the others to their own containers"),
            );
        };
        match body {
            LaunchBody::Argv(argv) => {
                if let Some(why) = supervisor(&argv, s6_overlay) {
                    push(instruction, line, why);
                } else if let Some(first) = argv.first()
                    && let Some((script_at, script)) = heredoc_script(ctx, first)
                {
                    for (l, why) in shell_reasons(&script, s6_overlay) {
                        push(script_at, l, format!("{why} (in `{first}`)"));
                    }
                } else if let Some((k, arg)) = argv
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, a)| matches!(base(a), "supervisord" | "s6-svscan" | "runsvdir"))
                {
                    // The word may come from the CMD behind an ENTRYPOINT script.
                    let at = argv_from.get(k).copied().unwrap_or(instruction);
                    push(
                        at,
                        ctx.df.instructions[at].span.line,
                        format!("`{}` supervises several processes", base(arg)),
                    );
                }
            }
            LaunchBody::Shell { script, .. } => {
                // Positions inside CMD/ENTRYPOINT text are approximate: use the instruction's line.
                for (_, why) in shell_reasons(&script, s6_overlay) {
                    push(instruction, line, why);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn supervisors() {
        let src = "FROM debian:12\nRUN apt-get install -y supervisor\nCMD [\"/usr/bin/supervisord\", \"-n\"]\n";
        assert_eq!(
            run("DF040", src),
            "3: the container starts several processes: `supervisord` supervises several processes\n"
        );
        // Behind tini and an entrypoint script: reported on the CMD.
        let src = "FROM debian:12\nENTRYPOINT [\"tini\", \"--\", \"docker-entrypoint.sh\"]\nCMD [\"supervisord\"]\n";
        assert_eq!(
            run("DF040", src),
            "3: the container starts several processes: `supervisord` supervises several processes\n"
        );
        let src = "FROM debian:12\nADD s6-overlay-noarch.tar.xz /\nENTRYPOINT [\"/init\"]\n";
        assert_eq!(
            run("DF040", src),
            "3: the container starts several processes: s6-overlay's `/init` supervises several processes\n"
        );
        assert_eq!(run("DF040", "FROM a:1\nENTRYPOINT [\"/init\"]\n"), "");
        assert_eq!(
            run("DF040", "FROM a:1\nCMD [\"/sbin/my_init\"]\n"),
            "2: the container starts several processes: `my_init` supervises several processes\n"
        );
        let src = "FROM node:22\nCMD [\"honcho\", \"start\"]\n";
        assert_eq!(
            run("DF040", src),
            "2: the container starts several processes: `honcho start` runs every process of the Procfile\n"
        );
        let src =
            "FROM node:22\nCMD [\"npx\", \"-y\", \"concurrently\", \"npm:api\", \"npm:web\"]\n";
        assert_eq!(
            run("DF040", src),
            "2: the container starts several processes: `concurrently` supervises several processes\n"
        );
    }

    #[test]
    fn background_jobs_and_services() {
        let src = "FROM debian:12\nCMD service nginx start && php-fpm\n";
        assert_eq!(
            run("DF040", src),
            "2: the container starts several processes: starts the `nginx` service in the background\n"
        );
        let src = "FROM debian:12\nCMD [\"sh\", \"-c\", \"redis-server & exec node app.js\"]\n";
        assert_eq!(
            run("DF040", src),
            "2: the container starts several processes: `redis-server &` runs in the background next to the main process\n"
        );
        // A script written by the Dockerfile, found on the PATH.
        let src = "FROM debian:12\nCOPY <<EOF /usr/local/bin/start.sh\n#!/bin/sh\ncron\n/etc/init.d/ssh start\nexec nginx -g 'daemon off;'\nEOF\nCMD [\"start.sh\"]\n";
        assert_eq!(
            run("DF040", src),
            "5: the container starts several processes: starts the `ssh` service in the background (in `start.sh`)\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            "FROM debian:12\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
            "FROM debian:12\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"node\", \"server.js\"]\n",
            "FROM debian:12\nCMD set -e; cd /app && exec gunicorn app:app\n",
            // Only the final stage starts anything.
            "FROM debian:12 AS dev\nCMD supervisord\nFROM debian:12\nCMD [\"app\"]\n",
            // A script with a Python shebang is not read as shell.
            "FROM debian:12\nCOPY <<EOF /start\n#!/usr/bin/env python3\nimport os &\nEOF\nCMD [\"/start\"]\n",
        ] {
            assert_eq!(run("DF040", src), "", "{src}");
        }
    }
}
