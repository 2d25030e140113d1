use plimsoll_practice::tools::SSH_SERVERS;
use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container runs an SSH server or exposes port 22.
    ///
    /// Containers are entered with `kubectl exec` / `docker exec`, which the
    /// orchestrator authenticates and audits; an SSH server is a second door
    /// with its own keys and no such control (P-F7). Found by the command
    /// or arguments naming an SSH server binary (`sshd`, `dropbear`), an
    /// image named after one (`…/openssh-server`, `…/sshd`), or port 22 as
    /// container or host port.
    ///
    /// Fix: remove the SSH server; use `kubectl exec` or an ephemeral debug
    /// container.
    pub struct SshServer {
        code: "CFG009",
        name: "ssh-server",
        practice: "P-F7",
        severity: Medium,
    }
}

fn names_ssh_server(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    SSH_SERVERS
        .iter()
        .any(|t| t.binaries.contains(&base) || t.packages.contains(&base))
}

impl Rule for SshServer {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let help = "remove the SSH server; use `kubectl exec` or an ephemeral debug container";
        for c in ctx.workload.containers() {
            let word = c
                .command
                .iter()
                .find(|a| a.value.split_whitespace().any(names_ssh_server));
            if let Some(a) = word {
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        Some(c),
                        &a.place(),
                        format!("runs an SSH server: `{}`", a.value),
                    )
                    .with_help(help),
                );
            } else if let Some(i) = &c.image {
                let repo = plimsoll_oci::NameRef::parse(&i.value).repository;
                if names_ssh_server(repo) {
                    out.push(
                        ctx.finding(
                            &Self::INFO,
                            Some(c),
                            &i.place(),
                            format!("runs an SSH server image `{}`", i.value),
                        )
                        .with_help(help),
                    );
                }
            }
            for p in &c.ports {
                for f in [&p.container_port, &p.host_port].into_iter().flatten() {
                    if f.value == 22 {
                        out.push(
                            ctx.finding(&Self::INFO, Some(c), &f.place(), "exposes port 22 (SSH)")
                                .with_help(help),
                        );
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn command_image_and_port() {
        let y = pod(
            "  containers:\n  - name: a\n    image: web\n    command: [/usr/sbin/sshd, -D]\n  - name: b\n    image: lscr.example/linuxserver/openssh-server:9\n    ports:\n    - containerPort: 22\n  - name: c\n    image: nginx\n    ports: [{containerPort: 8022}]\n",
        );
        assert_eq!(
            run("CFG009", &y),
            "9:15 Pod/p container `a`: runs an SSH server: `/usr/sbin/sshd`\n11:12 Pod/p container `b`: runs an SSH server image `lscr.example/linuxserver/openssh-server:9`\n13:22 Pod/p container `b`: exposes port 22 (SSH)\n"
        );
    }
}
