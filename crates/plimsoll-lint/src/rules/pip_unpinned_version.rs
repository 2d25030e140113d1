use super::package_managers::{
    Call, constraint_pins, packages, pip_command, pipx_command, report_unpinned, split_constraint,
};
use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// `pip install` of packages without a pinned version.
    ///
    /// `pip install requests` installs the newest release on the day of the
    /// build: two builds of the same Dockerfile give different images, and a
    /// rebuild can pick up a breaking or compromised release (P-D2). A
    /// requirement is pinned by an exact or bounded specifier (`==2.32.3`,
    /// `~=2.32`, `<3`); `>=2` alone still floats. Requirement files (`-r`)
    /// are not read here; a constraints file (`-c`) is taken to pin. Local
    /// paths, wheels and sdists, and VCS URLs with `@ref` are pinned; words
    /// whose variables the Dockerfile does not set are not flagged.
    /// Covers `pip`, `pip3`, `pip3.12`, `python3 -m pip` and `pipx install`
    /// (an application from PyPI: `pipx install black==24.10.0`).
    ///
    /// Fix: `pip install --no-cache-dir requests==2.32.3`, or a requirements
    /// file with pinned versions (and hashes).
    pub struct PipPin {
        code: "DF032",
        name: "pip-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3013"),
        severity: Low,
    }
}

const VCS: &[&str] = &["git+", "hg+", "svn+", "bzr+", "git://"];
const ARCHIVES: &[&str] = &[".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz"];

/// Whether one `pip install` operand names a fixed version.
fn pinned(req: &str) -> bool {
    if VCS.iter().any(|v| req.starts_with(v)) {
        // The ref follows the repository path: `git+https://h/o/r@v1.2`.
        let path = req.split('#').next().unwrap_or(req);
        return path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('@'));
    }
    if req == "." || req.starts_with('.') || req.contains('/') {
        return true; // a local project or a URL
    }
    if ARCHIVES.iter().any(|a| req.ends_with(a)) {
        return true;
    }
    split_constraint(req).is_some_and(|(_, spec)| constraint_pins(spec))
}

impl Rule for PipPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (index, ins, script) in ctx.runs() {
            for (k, cmd) in script.commands.iter().enumerate() {
                let Some(line) = pip_command(cmd).or_else(|| pipx_command(cmd)) else {
                    continue;
                };
                if line.subcommand() != Some("install") || line.has(&["c", "constraint"]) {
                    continue;
                }
                let vars = ctx.run_vars_at(index);
                let unpinned: Vec<String> = packages(line.args(), &vars)
                    .into_iter()
                    .filter(|p| !pinned(p))
                    .collect();
                let what = format!("{} install", line.program);
                let call = Call {
                    index,
                    ins,
                    script,
                    k,
                    cmd,
                    line,
                };
                report_unpinned(
                    &Self::RULE,
                    &call,
                    &what,
                    &unpinned,
                    "pin versions: `pip install <package>==<version>` or `-r requirements.txt`",
                    out,
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
        let src = "FROM python:3.12-slim
RUN pip install --no-cache-dir -U pip 'requests==2.32.3' 'flask>=3' 'attrs~=23.2' -r req.txt
RUN python3 -m pip install --user -e . git+https://github.com/o/r@v1.0#egg=r git+https://github.com/o/s \\
 && pip3.12 install -i https://mirror/simple ./dist/app-1.0-py3-none-any.whl numpy
RUN pip install -c constraints.txt django && pip install -r requirements.txt && pipx install black
RUN pipx install --python python3.12 ruff==0.8.0
";
        assert_eq!(
            run("DF032", src),
            "2: pip install without version pins: pip, flask>=3\n\
             3: pip install without version pins: git+https://github.com/o/s\n\
             4: pip install without version pins: numpy\n\
             5: pipx install without version pins: black\n"
        );
    }
}
