use plimsoll_dockerfile::{Args, Keyword};
use plimsoll_report::Severity;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A private key or credentials file is copied into the image.
    ///
    /// A file added by COPY/ADD stays in its layer even if a later RUN deletes
    /// it: anyone who pulls the image (or the build cache) can extract SSH keys
    /// (`id_rsa`), TLS keys (`*.key`, `*.pem`, `*.p12`), `.env` files and
    /// registry or cloud credentials (`.npmrc`, `.netrc`, `.pypirc`,
    /// `.aws/credentials`, `.docker/config.json`) (P-C6). Checked by source
    /// and destination names; `.env.example`-style templates and PEM files
    /// named as certificates are not flagged. High in the final image,
    /// medium in a build stage (its layers stay in the build cache).
    ///
    /// Fix: `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci` or
    /// `RUN --mount=type=ssh git clone …`; and list such files in `.dockerignore`.
    pub struct SecretFileCopied {
        code: "DF049",
        name: "secret-file-copied",
        practice: "P-C6",
        hadolint: None,
        severity: High,
    }
}

/// What kind of secret a file name says it is.
pub(crate) fn secret_file_kind(path: &str) -> Option<&'static str> {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let name = name.as_str();
    match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | ".ssh" => {
            return Some("an SSH private key");
        }
        ".npmrc" | ".netrc" | "_netrc" | ".pypirc" | ".git-credentials" | ".dockercfg"
        | ".pgpass" | ".htpasswd" => return Some("a credentials file"),
        "credentials" | "credentials.json" | ".aws" | ".gnupg" => {
            return Some("a credentials file");
        }
        ".env" => return Some("an environment file with secrets"),
        _ => {}
    }
    if let Some(suffix) = name.strip_prefix(".env.") {
        let template = [
            "example", "sample", "template", "dist", "defaults", "default",
        ]
        .iter()
        .any(|t| suffix.contains(t));
        return (!template).then_some("an environment file with secrets");
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "key" | "p12" | "pfx" | "ppk" | "keystore" => Some("a private key"),
        "jks" if !name.contains("trust") => Some("a private key"),
        // PEM holds certificates as often as keys: only names that say key.
        "pem" if name.contains("key") || name.contains("private") || name.starts_with("id_") => {
            Some("a private key")
        }
        _ => None,
    }
}

impl Rule for SecretFileCopied {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        for (i, ins) in ctx.instructions() {
            if !matches!(ins.keyword, Keyword::Copy | Keyword::Add) {
                continue;
            }
            let words = ins.words();
            let Some((dest, sources)) = words.split_last() else {
                continue;
            };
            let heredoc = matches!(ins.args, Args::Heredocs { .. });
            let mut candidates: Vec<&str> = if heredoc {
                Vec::new()
            } else {
                sources.iter().map(String::as_str).collect()
            };
            // The destination names the file when it is not a directory.
            if !dest.ends_with('/') && (sources.len() == 1 || heredoc) {
                candidates.push(dest);
            }
            let Some((path, kind)) = candidates
                .iter()
                .find_map(|p| secret_file_kind(p).map(|k| (*p, k)))
            else {
                continue;
            };
            let shipped = ins.stage.is_some_and(|s| chain.contains(&s));
            let mut h = hit(
                &Self::RULE,
                i,
                ins.span.line,
                format!(
                    "{} copies `{path}`, {kind}, into {}",
                    ins.keyword,
                    if shipped { "the image" } else { "a build stage's layers" }
                ),
            )
            .help("mount it for the one RUN that needs it: `RUN --mount=type=secret` (or `--mount=type=ssh`)");
            if !shipped {
                h.finding = h.finding.with_severity(Severity::Medium);
            }
            out.push(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_file_kind;
    use crate::testing::run;

    #[test]
    fn kinds() {
        for p in [
            "id_rsa",
            "/root/.ssh/",
            "certs/server.key",
            "tls/private-key.pem",
            ".env",
            ".env.production",
            "keystore.p12",
            "~/.npmrc",
        ] {
            assert!(secret_file_kind(p).is_some(), "{p}");
        }
        for p in [
            "id_rsa.pub",
            "ca.pem",
            "fullchain.pem",
            ".env.example",
            "truststore.jks",
            "app.keys.js",
            "env",
            "Dockerfile",
        ] {
            assert!(secret_file_kind(p).is_none(), "{p}");
        }
    }

    #[test]
    fn snapshot() {
        let src = "FROM node:22 AS build\nCOPY .npmrc package.json ./\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app /app\nCOPY config/prod.env /app/.env\nADD deploy_key /root/.ssh/id_ed25519\nCOPY ca.pem /usr/local/share/ca-certificates/\n";
        assert_eq!(
            run("DF049", src),
            "2: COPY copies `.npmrc`, a credentials file, into a build stage's layers\n\
             6: COPY copies `/app/.env`, an environment file with secrets, into the image\n\
             7: ADD copies `/root/.ssh/id_ed25519`, an SSH private key, into the image\n"
        );
        let f = crate::lint("D", "FROM a:1 AS b\nCOPY id_rsa /k\nFROM a:1\n").unwrap();
        let f = f.iter().find(|f| f.code == "DF049").unwrap();
        assert_eq!(f.severity, plimsoll_report::Severity::Medium);
    }
}
