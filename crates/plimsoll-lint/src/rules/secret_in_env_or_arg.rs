use plimsoll_dockerfile::Keyword;
use plimsoll_report::Severity;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A password, token or key in ENV or ARG.
    ///
    /// ENV values are stored in the image configuration and ARG values in
    /// the build history (`docker history` shows them for every RUN that
    /// sees them): anyone who can pull the image can read them (P-C6).
    /// Flagged: ENV/ARG whose name says secret (`*PASSWORD*`, `*SECRET*`,
    /// `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*_PASS`,
    /// `*CREDENTIALS*`) with a value (high), and such an ARG without a
    /// default (medium: the value given with `--build-arg` lands in the
    /// history). Names that point at a secret rather than hold it
    /// (`*_FILE`, `*_PATH`, `*_URL`, `*_NAME`, `*_ID`…) and flag values
    /// (`true`, `0`) are not flagged.
    ///
    /// Fix: pass secrets at build time with `RUN --mount=type=secret,id=…`
    /// and at run time through the orchestrator's secrets or environment.
    pub struct SecretInEnv {
        code: "DF048",
        name: "secret-in-env-or-arg",
        practice: "P-C6",
        hadolint: None,
        severity: High,
    }
}

/// The name's words, upper case: `dbPassword` and `DB_PASSWORD` → `DB`, `PASSWORD`.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether a variable name says it holds a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let w = name_words(name);
    let Some(last) = w.last() else { return false };
    const POINTERS: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "NAME",
        "ID",
        "TYPE",
        "HEADER",
        "ENABLED",
        "LENGTH",
        "LEN",
        "ENDPOINT",
        "HOST",
        "PORT",
        "USER",
        "USERNAME",
        "TTL",
        "TIMEOUT",
        "EXPIRY",
        "EXPIRES",
        "REGION",
        "MODE",
        "LOCATION",
        "POLICY",
        "MIN",
        "MAX",
        "FORMAT",
        "VERSION",
        "FINGERPRINT",
        "SERVER",
    ];
    if POINTERS.contains(&last.as_str()) {
        return false;
    }
    let has = |s: &str| w.iter().any(|x| x == s);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    has("PASSWORD")
        || has("PASSWD")
        || has("SECRET")
        || has("TOKEN")
        || has("APIKEY")
        || has("CREDENTIALS")
        || has("PRIVATEKEY")
        || last == "PASS"
        || pair("API", "KEY")
        || pair("ACCESS", "KEY")
        || pair("PRIVATE", "KEY")
        || pair("AUTH", "KEY")
}

/// Values that switch something on or off rather than hold a secret.
fn is_flag_value(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1"
    )
}

impl Rule for SecretInEnv {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if !matches!(ins.keyword, Keyword::Env | Keyword::Arg) {
                continue;
            }
            for (name, value) in ins.key_values() {
                if !is_secret_name(&name) {
                    continue;
                }
                let finding = match (ins.keyword, value.as_deref()) {
                    (_, Some(v)) if v.is_empty() || is_flag_value(v) => continue,
                    (Keyword::Env, Some(v)) if v.starts_with('$') => hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("ENV `{name}` copies a secret into the image configuration"),
                    ),
                    (kw, Some(_)) => hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!(
                            "{kw} `{name}` holds a literal secret: it is readable by anyone who pulls the image"
                        ),
                    ),
                    (_, None) => {
                        let mut h = hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!(
                                "ARG `{name}`: a secret passed with --build-arg is recorded in the image history"
                            ),
                        );
                        h.finding = h.finding.with_severity(Severity::Medium);
                        h
                    }
                };
                out.push(finding.help("use `RUN --mount=type=secret,id=…` at build time, the orchestrator's secrets at run time"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;
    use crate::testing::run;

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "apiKey",
            "STRIPE_API_KEY",
            "SECRET_KEY_BASE",
            "DB_PASS",
            "NPM_AUTH_TOKEN",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "MYSQL_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "GPG_KEY",
            "TOKENIZERS_PARALLELISM",
            "VAULT_TOKEN_TTL",
            "PASSENGER_VERSION",
            "PWD",
            "SECRET_NAME",
            "KEYCLOAK_URL",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nARG NPM_TOKEN\nARG DB_PASSWORD=hunter2\nENV NPM_TOKEN=$NPM_TOKEN API_KEY=abc123\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pg\nENV TOKEN_DISABLED=true\nENV SECRET_KEY \"x y\"\n";
        assert_eq!(
            run("DF048", src),
            "2: ARG `NPM_TOKEN`: a secret passed with --build-arg is recorded in the image history\n\
             3: ARG `DB_PASSWORD` holds a literal secret: it is readable by anyone who pulls the image\n\
             4: ENV `API_KEY` holds a literal secret: it is readable by anyone who pulls the image\n\
             4: ENV `NPM_TOKEN` copies a secret into the image configuration\n\
             7: ENV `SECRET_KEY` holds a literal secret: it is readable by anyone who pulls the image\n"
        );
        let f = crate::lint("D", "FROM a:1\nARG GH_TOKEN\n").unwrap();
        let f = f.iter().find(|f| f.code == "DF048").unwrap();
        assert_eq!(f.severity, plimsoll_report::Severity::Medium);
    }
}
