use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};

declare_rule! {
    /// Users in the `docker` group are not all trusted.
    ///
    /// Membership of the `docker` group is root on the host without a
    /// password: `docker run -v /:/host` (P-H4, CIS 1.1.2). Members are read
    /// from the audited host's `/etc/group` (and users whose primary group
    /// it is, from `/etc/passwd`); on `--root /` the name service is asked
    /// too (`getent group docker`: LDAP, SSSD and NIS members). Without `[host] docker_group_allowed` in
    /// `plimsoll.toml` they are listed for review (NOTE); with it, a member
    /// not in the list is a WARN.
    ///
    /// Fix: `gpasswd -d USER docker` for users who must not control the
    /// daemon; list the trusted ones in `docker_group_allowed`.
    pub struct DockerGroupMembers {
        code: "HOST002",
        name: "docker-group-untrusted-member",
        practice: "P-H4",
        severity: High,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "1.1.2",
    desc: "Only trusted users are allowed to control the Docker daemon",
    remediation: "Remove untrusted users from the docker group (gpasswd -d USER docker); list the trusted ones in [host] docker_group_allowed of plimsoll.toml.",
}];

impl Rule for DockerGroupMembers {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let c = &CHECKS[0];
        let Some(members) = host.group_members("docker") else {
            return vec![
                Outcome::info(c, "no docker group in /etc/group under the root").at("/etc/group"),
            ];
        };
        if members.is_empty() {
            return vec![Outcome::pass(c, "the docker group has no members").at("/etc/group")];
        }
        let out = match &host.options.docker_group_allowed {
            None => Outcome::note(
                c,
                format!("docker group members, to review: {}", members.join(", ")),
            )
            .with_items(members),
            Some(allowed) => {
                let extra: Vec<String> = members
                    .iter()
                    .filter(|m| !allowed.contains(m))
                    .cloned()
                    .collect();
                if extra.is_empty() {
                    Outcome::pass(
                        c,
                        format!(
                            "every docker group member is allowed: {}",
                            members.join(", ")
                        ),
                    )
                } else {
                    Outcome::warn(
                        c,
                        format!(
                            "docker group members not in docker_group_allowed: {}",
                            extra.join(", ")
                        ),
                    )
                    .with_items(extra)
                }
            }
        };
        vec![out.at("/etc/group")]
    }
}
