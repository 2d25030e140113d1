use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `FROM --platform=` with a fixed platform.
    ///
    /// A fixed platform (`--platform=linux/amd64`) builds that platform's
    /// image whatever the build was asked for: a multi-platform build gets
    /// the wrong binaries, or an emulated base on another host. The
    /// platform belongs to the build command (`docker build --platform`).
    /// `$BUILDPLATFORM` and `$TARGETPLATFORM` (cross-compilation stages) are
    /// not flagged. A hygiene rule: no practice is about it; filed under
    /// P-I4 (static checks).
    ///
    /// Fix: drop `--platform`, or use `--platform=$BUILDPLATFORM` for a
    /// stage that cross-compiles.
    pub struct FromPlatformFlag {
        code: "DF067",
        name: "from-platform-flag",
        practice: "P-I4",
        hadolint: Some("DL3029"),
        severity: Medium,
    }
}

impl Rule for FromPlatformFlag {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for st in &ctx.df.stages {
            let Some(p) = st.platform.as_deref() else {
                continue;
            };
            if p.contains("BUILDPLATFORM") || p.contains("TARGETPLATFORM") {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    st.from,
                    st.span.line,
                    format!("FROM --platform={p} fixes the platform of this stage"),
                )
                .help("drop --platform and pass it to the build, or use $BUILDPLATFORM"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM --platform=linux/amd64 a:1\nFROM --platform=$BUILDPLATFORM b:1 AS build\nFROM --platform=${TARGETPLATFORM} c:1\nFROM d:1\nFROM --platform=$ARCH e:1\n";
        assert_eq!(
            run("DF067", src),
            "1: FROM --platform=linux/amd64 fixes the platform of this stage\n\
             5: FROM --platform=$ARCH fixes the platform of this stage\n"
        );
    }
}
