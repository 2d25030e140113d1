use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apt-get install` of packages without a pinned version.
    ///
    /// `apt-get install curl` installs whatever version the package index
    /// holds on the day of the build: two builds of the same Dockerfile give
    /// different images, and a rebuild can silently pick up a breaking
    /// release — the package equivalent of a moving tag (P-D2).
    ///
    /// Fix: pin versions, `apt-get install curl=8.5.0-2ubuntu10.6`.
    /// Local `.deb` files and paths are not flagged.
    pub struct AptPin {
        code: "DF001",
        name: "apt-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3008"),
        severity: Low,
    }
}

impl Rule for AptPin {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            let mut vars = None;
            for cmd in &sh.commands {
                let Some(a) = crate::util::apt(cmd) else {
                    continue;
                };
                if a.sub != "install" {
                    continue;
                }
                let vars = vars.get_or_insert_with(|| ctx.run_vars_at(i));
                self.check_install(i, cmd, &a, sh, vars, out);
            }
        }
    }
}

impl AptPin {
    fn check_install(
        &self,
        i: usize,
        cmd: &plimsoll_dockerfile::ShellCommand,
        a: &crate::util::Apt<'_>,
        sh: &plimsoll_dockerfile::ShellScript,
        vars: &std::collections::HashMap<String, String>,
        out: &mut Vec<Hit>,
    ) {
        // `$buildDeps` assigned in the same RUN stands for its words (the
        // script's last assignment of it; RUNs do not share shell variables);
        // an ARG or ENV the Dockerfile gives a value for, for that value's
        // words; a variable nobody gives a value is not judged.
        {
            let mut words: Vec<String> = Vec::new();
            for p in &a.packages {
                let var = p
                    .strip_prefix("${")
                    .and_then(|v| v.strip_suffix('}'))
                    .or_else(|| p.strip_prefix('$'));
                match var.and_then(|v| sh.assigned(v)) {
                    Some(value) => words.extend(value.split_whitespace().map(str::to_string)),
                    None => words.extend(crate::util::expand_operand(p, vars).unwrap_or_default()),
                }
            }
            let unpinned: Vec<String> = words
                .into_iter()
                .filter(|p| {
                    !p.contains('=') && !p.ends_with(".deb") && !p.contains('/') && !p.contains('$')
                })
                .collect();
            if !unpinned.is_empty() {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        cmd.span.line,
                        format!(
                            "{} install without version pins: {}",
                            a.program(),
                            unpinned.join(", ")
                        ),
                    )
                    .help("pin versions: `apt-get install <package>=<version>`"),
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
        let src = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      curl=8.0 wget ca-certificates ./local.deb\nRUN apt-get install -y git=1:2.39\n";
        assert_eq!(
            run("DF001", src),
            "3: apt-get install without version pins: wget, ca-certificates\n"
        );
    }

    #[test]
    fn variables_assigned_in_the_same_run() {
        let src = r#"FROM debian:12
ARG PKGS="a b"
RUN buildDeps=' \
  bison \
  flex=2.6.4-8' \
 && apt-get install -y $buildDeps ${buildDeps}
RUN pinned='gcc=12' && apt-get install -y $pinned $unknown $PKGS
ENV TOOLS="jq=1.6 git"
RUN apt-get install -y ${TOOLS} "$NOWHERE"
"#;
        assert_eq!(
            run("DF001", src),
            "6: apt-get install without version pins: bison, bison\n\
             7: apt-get install without version pins: a, b\n\
             9: apt-get install without version pins: git\n"
        );
    }
}
