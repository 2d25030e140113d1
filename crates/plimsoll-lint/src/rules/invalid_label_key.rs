use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A LABEL key that breaks Docker's key format.
    ///
    /// Docker's recommendation for label keys: lower-case letters, digits,
    /// `.`, `-`, `_` and `/`; starting with a letter and ending with a letter
    /// or digit; no `..` or `--`; and the `com.docker.`, `io.docker.` and
    /// `org.dockerproject.` namespaces are reserved. Tools that read image
    /// metadata (structure tests, P-I4) expect keys in that form, such as
    /// `org.opencontainers.image.source`.
    ///
    /// Fix: `LABEL org.example.team="payments"`.
    pub struct InvalidLabelKey {
        code: "DF072",
        name: "invalid-label-key",
        practice: "P-I4",
        hadolint: Some("DL3048"),
        severity: Info,
    }
}

/// Why a label key is not in Docker's recommended form, if it is not.
fn problem(key: &str) -> Option<&'static str> {
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c);
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("does not start with a lower-case letter")
    } else if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        Some("does not end with a lower-case letter or digit")
    } else if !key.chars().all(valid) {
        Some("has characters other than a-z, 0-9, `.`, `-`, `_` and `/`")
    } else if ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|p| key.starts_with(p))
    {
        Some("uses a namespace reserved by Docker")
    } else if key.contains("..") || key.contains("--") {
        Some("has consecutive separators")
    } else {
        None
    }
}

impl Rule for InvalidLabelKey {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Label {
                continue;
            }
            for (key, _) in ins.key_values() {
                if let Some(why) = problem(&key) {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!("label key `{key}` {why}"),
                        )
                        .help("use a reverse-DNS key of lower-case letters, digits, `.`, `-`"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL org.opencontainers.image.title=x maintainer=me a/b_c-d=1\nLABEL Foo=bar 1abc=x abc.=y\nLABEL a..b=1 com.docker.x=1 a=b\nLABEL has%char=1\n";
        assert_eq!(
            run("DF072", src),
            "3: label key `1abc` does not start with a lower-case letter\n\
             3: label key `Foo` does not start with a lower-case letter\n\
             3: label key `abc.` does not end with a lower-case letter or digit\n\
             4: label key `a..b` has consecutive separators\n\
             4: label key `com.docker.x` uses a namespace reserved by Docker\n\
             5: label key `has%char` has characters other than a-z, 0-9, `.`, `-`, `_` and `/`\n"
        );
    }
}
