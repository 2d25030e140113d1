use crate::util::{apt, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The package index is updated in a RUN that installs nothing.
    ///
    /// `RUN apt-get update` (or `apk update`) on its own is cached as a layer:
    /// later builds reuse that stale index while the install step below it
    /// changes, installing outdated packages or failing on missing ones (P-B2).
    ///
    /// Fix: update and install in one RUN:
    /// `RUN apt-get update && apt-get install -y … && rm -rf /var/lib/apt/lists/*`.
    pub struct AptUpdateAlone {
        code: "DF005",
        name: "update-without-install",
        practice: "P-B2",
        hadolint: None,
        severity: Medium,
    }
}

impl Rule for AptUpdateAlone {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            let mut update = None;
            let mut installs = false;
            for c in &sh.commands {
                if let Some(a) = apt(c) {
                    match a.sub {
                        "update" => update = update.or(Some((c, "apt-get update"))),
                        "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" => {
                            installs = true
                        }
                        _ => {}
                    }
                    continue;
                }
                let argv = strip_wrappers(&c.argv);
                if argv.first().is_some_and(|p| p == "apk") {
                    match argv.get(1).map(String::as_str) {
                        Some("update") => update = update.or(Some((c, "apk update"))),
                        Some("add" | "upgrade") => installs = true,
                        _ => {}
                    }
                }
            }
            if let Some((c, what)) = update
                && !installs
            {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        c.span.line,
                        format!("`{what}` in a RUN that installs nothing"),
                    )
                    .help("update and install in the same RUN"),
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
        let src = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get update && apt-get install -y a\nFROM alpine:3.20\nRUN apk update\nRUN apk update && apk add b\n";
        assert_eq!(
            run("DF005", src),
            "2: `apt-get update` in a RUN that installs nothing\n6: `apk update` in a RUN that installs nothing\n"
        );
    }
}
