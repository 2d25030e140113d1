use plimsoll_report::Finding;

use super::security_place;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container's root filesystem is writable.
    ///
    /// A read-only root filesystem stops an intruder from changing the
    /// container's programs and keeps the image the only source of code
    /// (P-F4); scratch space goes to an `emptyDir` volume. Windows pods do
    /// not support `readOnlyRootFilesystem` and are not checked.
    ///
    /// Fix: `securityContext.readOnlyRootFilesystem: true`, with an
    /// `emptyDir` mounted where the process writes (e.g. `/tmp`).
    pub struct WritableRootFilesystem {
        code: "CFG005",
        name: "writable-root-filesystem",
        practice: "P-F4",
        severity: Medium,
    }
}

impl Rule for WritableRootFilesystem {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx.linux_containers() {
            let (place, message) = match &c.security.read_only_root_filesystem {
                Some(f) if f.value => continue,
                Some(f) => (
                    f.place(),
                    ctx.say(
                        "sets `readOnlyRootFilesystem: false`",
                        "sets `read_only: false`",
                    ),
                ),
                None => (security_place(c), "has a writable root filesystem"),
            };
            out.push(
                ctx.finding(&Self::INFO, Some(c), &place, message)
                    .with_help(ctx.say(
                        "set `securityContext.readOnlyRootFilesystem: true`; mount an emptyDir for scratch space",
                        "set `read_only: true` (`--read-only`); mount a tmpfs for scratch space",
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_unless_read_only() {
        let y = pod(
            "  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: true}\n  - name: b\n    securityContext:\n      readOnlyRootFilesystem: false\n  - name: c\n    image: x\n",
        );
        assert_eq!(
            run("CFG005", &y),
            "11:31 Pod/p container `b`: sets `readOnlyRootFilesystem: false`\n12:5 Pod/p container `c`: has a writable root filesystem\n"
        );
    }
}
