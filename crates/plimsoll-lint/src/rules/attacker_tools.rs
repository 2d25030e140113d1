use plimsoll_practice::tools::{ATTACKER_TOOLS, SSH_SERVERS, tool_of_package};

use crate::util::packages_kept;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// Tools that help an attacker are installed in the image that ships.
    ///
    /// Network tools (netcat, ncat, socat, nmap, tcpdump, telnet), SSH
    /// servers, sudo and debuggers (gdb, strace) turn a foothold in the
    /// application into a reverse shell, a network scanner or a privilege
    /// escalation (P-C2). Checked: packages installed by apt, apk, yum/dnf or
    /// zypper in the final stage and the stages it is built FROM, and not
    /// removed again in the same RUN.
    ///
    /// Fix: leave them out of the image; debug with an ephemeral debug
    /// container (`kubectl debug`, `docker debug`) instead.
    pub struct AttackerTools {
        code: "DF047",
        name: "attacker-tools",
        practice: "P-C2",
        hadolint: None,
        severity: Medium,
    }
}

impl Rule for AttackerTools {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for (i, ins, sh) in ctx.runs() {
            if !ins.stage.is_some_and(|s| chain.contains(&s)) {
                continue;
            }
            let found: Vec<(usize, &str, &str)> = packages_kept(sh)
                .into_iter()
                .filter_map(|(k, p)| {
                    let t = tool_of_package(&[ATTACKER_TOOLS, SSH_SERVERS], &p)?;
                    let name = t.packages.iter().find(|n| **n == p)?;
                    Some((k, *name, t.gives))
                })
                .collect();
            let Some((first, _, _)) = found.first() else {
                continue;
            };
            let list: Vec<String> = found
                .iter()
                .map(|(_, name, why)| format!("`{name}` ({why})"))
                .collect();
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    sh.commands[*first].span.line,
                    format!("installs attacker tools in the image: {}", list.join(", ")),
                )
                .help("leave them out; debug with an ephemeral debug container instead"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12\nRUN apt-get update && apt-get install -y curl netcat-openbsd=1.219-1 gdb\nRUN apk add socat\n";
        assert_eq!(
            run("DF047", src),
            "2: installs attacker tools in the image: `netcat-openbsd` (reverse shells), `gdb` (a debugger)\n\
             3: installs attacker tools in the image: `socat` (reverse shells)\n"
        );
        let src = "FROM rockylinux:9\nRUN dnf install -y openssh-server sudo\n";
        assert_eq!(
            run("DF047", src),
            "2: installs attacker tools in the image: `openssh-server` (an SSH server), `sudo` (privilege escalation)\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            "FROM debian:12\nRUN apt-get install -y openssh-client curl\n",
            // Removed in the same RUN.
            "FROM debian:12\nRUN apt-get install -y netcat-openbsd && ./wait-for db && apt-get purge -y netcat-openbsd\n",
            // Build stage only.
            "FROM debian:12 AS t\nRUN apt-get install -y gdb\nFROM debian:12\nCOPY --from=t /a /a\n",
        ] {
            assert_eq!(run("DF047", src), "", "{src}");
        }
    }
}
