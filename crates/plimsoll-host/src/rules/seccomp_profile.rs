use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon-wide seccomp profile is `unconfined`.
    ///
    /// Docker's default seccomp profile blocks some 44 system calls a
    /// container never needs (keyctl, mount, kexec…); `--seccomp-profile
    /// unconfined` removes that filter from every container (P-H1, CIS
    /// 2.17). A custom profile path passes; unset means the default profile
    /// and passes. With a live daemon, `SecurityOptions` of `/info` tells
    /// the profile in use.
    ///
    /// Fix: remove `"seccomp-profile": "unconfined"`, or name a custom
    /// profile that the workloads were tested with.
    pub struct SeccompProfile {
        code: "HOST019",
        name: "seccomp-unconfined",
        practice: "P-H1",
        severity: High,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.17",
    desc: "A daemon-wide seccomp profile is applied",
    remediation: "Remove \"seccomp-profile\": \"unconfined\" from /etc/docker/daemon.json (and --seccomp-profile=unconfined), or point it at a tested custom profile.",
}];

impl Rule for SeccompProfile {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let c = &CHECKS[0];
        if let Some(why) = daemon_unknown(host) {
            return vec![Outcome::info(c, why)];
        }
        if let Some(s) = host
            .daemon
            .string("seccomp-profile")
            .filter(|s| !s.value.is_empty())
        {
            return vec![if s.value == "unconfined" {
                Outcome::warn(c, format!("seccomp profile is unconfined ({})", s.source))
            } else {
                Outcome::pass(c, format!("seccomp profile is {} ({})", s.value, s.source))
            }];
        }
        if let Some(l) = host.live()
            && let Some(o) = l
                .security_options()
                .into_iter()
                .find(|o| o.contains("seccomp"))
        {
            return vec![if o.contains("profile=unconfined") {
                Outcome::warn(
                    c,
                    format!("{o} among SecurityOptions of GET /info at {}", l.url),
                )
            } else {
                Outcome::pass(
                    c,
                    format!("{o} among SecurityOptions of GET /info at {}", l.url),
                )
            }];
        }
        vec![Outcome::pass(
            c,
            "seccomp-profile is not set: Docker's default profile applies",
        )]
    }
}
