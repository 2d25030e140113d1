use super::package_managers::{Manager, calls};
use crate::util::{OptionSpec, expand_operand};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `useradd` with a high UID and without `-l`/`--no-log-init`.
    ///
    /// useradd reserves a record per UID in `/var/log/lastlog` and
    /// `/var/log/faillog`: for UID 1000000 lastlog is a 292 MB sparse file.
    /// Image layers do not keep files sparse, so the layer grows by that
    /// much (P-B3). Flagged from UID 100000 (a 29 MB lastlog); a UID from a
    /// variable the Dockerfile does not set is not flagged.
    ///
    /// Fix: `useradd -l -u 1000000 app` (`--no-log-init`).
    pub struct UseraddLogInit {
        code: "DF036",
        name: "useradd-lastlog-bloat",
        practice: "P-B3",
        hadolint: Some("DL3046"),
        severity: Low,
    }
}

const USERADD: Manager = Manager {
    programs: &["useradd"],
    options: OptionSpec {
        short_values: "bcdefgGkKpuRPsZ",
        long_values: &[
            "base-dir",
            "comment",
            "home-dir",
            "expiredate",
            "inactive",
            "gid",
            "groups",
            "skel",
            "key",
            "password",
            "root",
            "prefix",
            "shell",
            "uid",
            "selinux-user",
        ],
    },
};

/// From this UID on, lastlog alone adds about 29 MB to the layer.
const HIGH_UID: u64 = 100_000;

impl Rule for UseraddLogInit {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for c in calls(ctx, &USERADD) {
            if c.line.has(&["l", "no-log-init"]) {
                continue;
            }
            let vars = ctx.vars_at(c.index);
            let uid = c
                .line
                .values(&["u", "uid"])
                .filter_map(|v| expand_operand(v, &vars))
                .filter_map(|words| words.first()?.parse::<u64>().ok())
                .max();
            if let Some(uid) = uid.filter(|u| *u >= HIGH_UID) {
                out.push(
                    hit(
                        &Self::RULE,
                        c.index,
                        c.cmd.span.line,
                        format!(
                            "`useradd` with UID {uid} without `-l`: lastlog makes the layer about {} MB larger",
                            uid.saturating_mul(292) / 1_000_000
                        ),
                    )
                    .help("add `-l` (`--no-log-init`)"),
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
        let src = "FROM debian:12
ARG APP_UID=1000000
RUN useradd -u 123456 app && useradd -l -u 200000 b && useradd --no-log-init --uid=300000 c
RUN useradd -r -u 1000 d && useradd -mu \"$APP_UID\" e && useradd -u $RUNTIME_UID f
";
        assert_eq!(
            run("DF036", src),
            "3: `useradd` with UID 123456 without `-l`: lastlog makes the layer about 36 MB larger\n\
             4: `useradd` with UID 1000000 without `-l`: lastlog makes the layer about 292 MB larger\n"
        );
    }
}
