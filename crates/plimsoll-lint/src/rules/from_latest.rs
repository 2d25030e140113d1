use super::from_images;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// FROM an image tagged `latest`.
    ///
    /// `latest` moves to every new release (P-D2): two builds of the same
    /// Dockerfile get different bases, and nothing records which one.
    ///
    /// Fix: name a version, `FROM node:22.11-slim`, or a digest.
    pub struct FromLatest {
        code: "DF009",
        name: "from-latest",
        practice: "P-D2",
        hadolint: Some("DL3007"),
        severity: Medium,
    }
}

impl Rule for FromLatest {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (stage, image) in from_images(ctx) {
            let r = plimsoll_oci::NameRef::parse(&image);
            if r.tag == Some("latest") && r.digest.is_none() {
                out.push(
                    hit(
                        &Self::RULE,
                        stage.from,
                        stage.span.line,
                        format!("FROM `{image}` uses the moving `latest` tag"),
                    )
                    .help("pin a version tag (e.g. `:1.2.3`) or a digest (`@sha256:…`)"),
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
        let src = "ARG V=latest\nFROM debian:latest\nFROM alpine:$V\nFROM alpine:latest@sha256:abc\nFROM alpine:3.20\n";
        assert_eq!(
            run("DF009", src),
            "2: FROM `debian:latest` uses the moving `latest` tag\n3: FROM `alpine:latest` uses the moving `latest` tag\n"
        );
    }
}
