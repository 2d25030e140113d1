use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon listens on TCP without verified TLS.
    ///
    /// The Docker API is root on the host: a TCP socket without `tlsverify`
    /// and a CA, certificate and key lets anyone who reaches the port run a
    /// privileged container (P-H1, CIS 2.7). Every `-H`/`--host` and
    /// `"hosts"` entry is read; `fd://` and `unix://` sockets are local.
    ///
    /// Fix: set `tlsverify: true` with `tlscacert`, `tlscert` and `tlskey`,
    /// or stop listening on TCP (an SSH tunnel to the Unix socket instead).
    pub struct TcpWithoutTls {
        code: "HOST009",
        name: "tcp-without-tls",
        practice: "P-H1",
        severity: Critical,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.7",
    desc: "TLS authentication is configured for every TCP socket of the daemon",
    remediation: "Set \"tlsverify\": true, \"tlscacert\", \"tlscert\" and \"tlskey\" in /etc/docker/daemon.json (or --tlsverify --tlscacert --tlscert --tlskey), or remove the tcp:// hosts.",
}];

impl Rule for TcpWithoutTls {
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
        let d = &host.daemon;
        let tcp: Vec<String> = d
            .list("hosts", "host")
            .into_iter()
            .filter(|h| h.value.starts_with("tcp://"))
            .map(|h| format!("{} ({})", h.value, h.source))
            .collect();
        if tcp.is_empty() {
            return vec![Outcome::pass(c, "the daemon listens on no TCP socket")];
        }
        let verify = d.boolean("tlsverify").is_some_and(|s| s.value);
        let missing: Vec<&str> = ["tlscacert", "tlscert", "tlskey"]
            .into_iter()
            .filter(|k| d.string(k).is_none_or(|s| s.value.is_empty()))
            .collect();
        vec![if verify && missing.is_empty() {
            Outcome::pass(
                c,
                format!(
                    "TCP sockets {} use tlsverify with a CA, certificate and key",
                    tcp.join(", ")
                ),
            )
        } else {
            let mut why = Vec::new();
            if !verify {
                why.push("tlsverify is not on".to_string());
            }
            if !missing.is_empty() {
                why.push(format!("{} not set", missing.join(", ")));
            }
            Outcome::warn(
                c,
                format!("listens on {} but {}", tcp.join(", "), why.join(" and ")),
            )
            .with_items(tcp)
        }]
    }
}
