use plimsoll_dockerfile::Keyword;
use plimsoll_report::Severity;
use plimsoll_secrets::{SecretScanner, classify_key};

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A password, token or key in ENV or ARG.
    ///
    /// ENV values are stored in the image configuration and ARG values in
    /// the build history (`docker history` shows them for every RUN that
    /// sees them): anyone who can pull the image can read them (P-C6).
    /// A `KEY=value` gets the verdict the image rule IMG004 gives the same
    /// variable in the image (one scanner, `plimsoll-secrets`): flagged when
    /// the name says secret (`*PASSWORD*`, `PGPASSWORD`, `*SECRET*`,
    /// `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*_PASS`,
    /// `*CREDENTIALS*`…) and the value is a real one, or when the value is a
    /// known token or a URL with a password whatever the name (high). Not
    /// flagged: names that point at a secret rather than hold it (`*_FILE`,
    /// `*_PATH`, `*_URL`, `*_NAME`, `*_ID`…), flag values (`true`, `0`),
    /// placeholders (`changeme`, `<…>`, `xxx`) and paths
    /// (`/run/secrets/…`). Dockerfile only: an ENV copying a variable into a
    /// secret name (`ENV TOKEN=$TOKEN`) bakes the value into the image
    /// (high), and a secret-named ARG without a default is flagged (medium:
    /// the value given with `--build-arg` lands in the history).
    /// hadolint's DL3064 judges the name alone (`*password*`, `*token*`,
    /// `*secret*`, `*username*`…, and a list of known variables): it flags
    /// `ARG USERNAME=vscode` and misses a token value under a neutral name;
    /// the corpus differences are listed in tests/hadolint-disagreements.tsv.
    ///
    /// Fix: pass secrets at build time with `RUN --mount=type=secret,id=…`
    /// and at run time through the orchestrator's secrets or environment.
    pub struct SecretInEnv {
        code: "DF048",
        name: "secret-in-env-or-arg",
        practice: "P-C6",
        hadolint: Some("DL3064"),
        severity: High,
    }
}

/// Whether a variable name says it holds a secret: the classifier the image
/// rules use (`plimsoll-secrets`), so a name is judged the same everywhere.
pub(crate) fn is_secret_name(name: &str) -> bool {
    classify_key(name).is_some()
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
                let finding = match (ins.keyword, value.as_deref()) {
                    (_, None) if is_secret_name(&name) => {
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
                    (_, None) => continue,
                    // The variable is expanded at build time: its value lands in the
                    // image configuration, where the image rule sees it.
                    (Keyword::Env, Some(v)) if v.starts_with('$') && is_secret_name(&name) => hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("ENV `{name}` copies a secret into the image configuration"),
                    ),
                    (kw, Some(v)) => {
                        let hits = SecretScanner::shared().scan_key_value(&name, v);
                        let Some(first) = hits.first() else { continue };
                        let what = if first.kind == "secret-assignment" {
                            String::new()
                        } else {
                            format!(" ({})", first.description)
                        };
                        hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!(
                                "{kw} `{name}` holds a literal secret{what}: it is readable by anyone who pulls the image"
                            ),
                        )
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
