use plimsoll_dockerfile::ShellScript;

use crate::util::{LaunchBody, heredoc_script, launch, packages_kept, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The main process inherits child processes but no init reaps them.
    ///
    /// PID 1 must reap the orphaned children that are re-parented to it;
    /// applications rarely do, and zombies accumulate until the PID limit is
    /// hit (P-A3). Two cases are flagged, without an init (tini, dumb-init,
    /// catatonit) in front: a start script that puts programs in the
    /// background and then `exec`s the application (which becomes their
    /// parent), and images that install a headless browser (Chromium,
    /// Chrome, Firefox), whose renderer processes are known to leave zombies.
    /// `docker run --init` or a Kubernetes shared process namespace are not
    /// visible in a Dockerfile: ignore the finding if you use them.
    ///
    /// Fix: `ENTRYPOINT ["tini", "--"]` (or `dumb-init`) in front of the command.
    pub struct NoInit {
        code: "DF042",
        name: "no-init-for-children",
        practice: "P-A3",
        hadolint: None,
        severity: Low,
    }
}

/// Browsers whose helper processes are left as zombies without an init.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "chromium-headless-shell",
    "google-chrome-stable",
    "google-chrome-beta",
    "google-chrome-unstable",
    "firefox",
    "firefox-esr",
];

/// The programs started in the background before an `exec`, if any.
fn backgrounded_before_exec(script: &ShellScript) -> Option<(String, String)> {
    let mut background = None;
    for c in &script.commands {
        if c.background && background.is_none() {
            background = Some(c.program().to_string());
        } else if c.program() == "exec"
            && let Some(bg) = &background
        {
            let main = c
                .argv
                .get(1)
                .map_or("", |p| p.rsplit('/').next().unwrap_or(p));
            return Some((bg.clone(), main.to_string()));
        }
    }
    None
}

impl Rule for NoInit {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let Some(l) = launch(ctx) else { return };
        if l.init.is_some() {
            return;
        }
        // Background jobs inherited by the exec'd application.
        let (script, at, in_file) = match &l.body {
            LaunchBody::Shell { script, .. } => (Some(script.clone()), l.instruction, None),
            LaunchBody::Argv(argv) => match argv.first().and_then(|p| heredoc_script(ctx, p)) {
                Some((at, s)) => (Some(s), at, argv.first().cloned()),
                None => (None, l.instruction, None),
            },
        };
        if let Some(script) = &script
            && let Some((bg, main)) = backgrounded_before_exec(script)
        {
            let line = match in_file {
                Some(_) => script
                    .commands
                    .iter()
                    .find(|c| c.background)
                    .map_or(l.line, |c| c.span.line),
                None => l.line,
            };
            let whose = in_file.map(|f| format!(" in `{f}`")).unwrap_or_default();
            out.push(
                hit(
                    &Self::RULE,
                    at,
                    line,
                    format!(
                        "`{bg} &`{whose} becomes a child of `{main}` (PID 1), which is not an init and may not reap it"
                    ),
                )
                .help("run an init as PID 1: ENTRYPOINT [\"tini\", \"--\"]"),
            );
            return;
        }
        // Headless browsers: only when the Dockerfile shows no init anywhere
        // (an entrypoint script from the build context may start one).
        let mentions_init = ["tini", "dumb-init", "catatonit", "s6-overlay", "--init"]
            .iter()
            .any(|w| ctx.src.contains(w));
        let starts_script = matches!(&l.body, LaunchBody::Argv(a)
            if a.first().is_some_and(|p| p.ends_with(".sh") || heredoc_script(ctx, p).is_some()));
        if mentions_init || starts_script {
            return;
        }
        let chain = ctx.final_chain();
        for (i, ins, sh) in ctx.stage_runs() {
            if !ins.stage.is_some_and(|s| chain.contains(&s)) {
                continue;
            }
            let mut found: Option<(u32, String)> = packages_kept(sh)
                .into_iter()
                .find(|(_, p)| BROWSERS.contains(&p.as_str()))
                .map(|(k, p)| (sh.commands[k].span.line, p));
            if found.is_none() {
                // `npx playwright install chromium`, `playwright install --with-deps`.
                found = sh.commands.iter().find_map(|c| {
                    let argv = strip_wrappers(&c.argv);
                    let k = argv.iter().position(|a| a == "playwright")?;
                    (argv.get(k + 1)? == "install")
                        .then(|| (c.span.line, "playwright browsers".to_string()))
                });
            }
            if let Some((line, what)) = found {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        line,
                        format!("`{what}` is installed but no init reaps the browser's child processes"),
                    )
                    .help("run an init as PID 1: ENTRYPOINT [\"tini\", \"--\"] (or `docker run --init`)"),
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn background_then_exec() {
        let src = "FROM debian:12\nCMD [\"sh\", \"-c\", \"crond & exec /usr/bin/app\"]\n";
        assert_eq!(
            run("DF042", src),
            "2: `crond &` becomes a child of `app` (PID 1), which is not an init and may not reap it\n"
        );
        let src = "FROM debian:12\nCOPY <<EOF /start.sh\n#!/bin/bash\nworker --queue a &\nexec web\nEOF\nENTRYPOINT [\"/start.sh\"]\n";
        assert_eq!(
            run("DF042", src),
            "4: `worker &` in `/start.sh` becomes a child of `web` (PID 1), which is not an init and may not reap it\n"
        );
    }

    #[test]
    fn browsers() {
        let src = "FROM node:22-slim\nRUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation\nCMD [\"node\", \"render.js\"]\n";
        assert_eq!(
            run("DF042", src),
            "2: `chromium` is installed but no init reaps the browser's child processes\n"
        );
        let src = "FROM node:22\nRUN npx -y playwright install --with-deps chromium\nCMD [\"node\", \"test.js\"]\n";
        assert_eq!(
            run("DF042", src),
            "2: `playwright browsers` is installed but no init reaps the browser's child processes\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            "FROM a:1\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"sh\", \"-c\", \"crond & exec app\"]\n",
            "FROM a:1\nRUN apt-get install -y chromium tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"node\"]\n",
            // The init may be in the entrypoint script.
            "FROM a:1\nRUN apt-get install -y chromium\nENTRYPOINT [\"docker-entrypoint.sh\"]\n",
            // Installed in a build stage only.
            "FROM a:1 AS test\nRUN apt-get install -y chromium\nFROM a:1\nCMD [\"app\"]\n",
            // No exec: the shell stays PID 1 and waits for its children (DF040's case).
            "FROM a:1\nCMD [\"sh\", \"-c\", \"crond & app\"]\n",
        ] {
            assert_eq!(run("DF042", src), "", "{src}");
        }
    }
}
