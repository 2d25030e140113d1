//! Token specs: secrets with a recognisable prefix (cloud keys, API tokens), the checks
//! that tell a real one from a placeholder, and the body of private keys.

use crate::values::{classes, distinct, find_sub, is_sequential};

/// A token with a recognisable prefix.
pub(crate) struct TokenSpec {
    pub(crate) kind: &'static str,
    pub(crate) description: &'static str,
    /// Prefilter keywords (case-sensitive) that arm this detector.
    pub(crate) keywords: &'static [&'static str],
    /// Fixed prefix followed by a greedy run of the token alphabet; group 1, when present, is
    /// the secret.
    pub(crate) pattern: &'static str,
    /// Bytes that would continue the token: the byte before and after must not be one.
    /// `None` when the pattern carries its own context.
    pub(crate) boundary: Option<fn(u8) -> bool>,
    pub(crate) min_len: usize,
    pub(crate) max_len: usize,
    pub(crate) check: fn(&[u8]) -> bool,
}

pub(crate) const TOKEN_SPECS: &[TokenSpec] = &[
    TokenSpec {
        kind: "aws-access-key-id",
        description: "AWS access key ID",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        pattern: r"(?:AKIA|ASIA|ABIA|ACCA)[A-Za-z0-9]*",
        boundary: Some(is_alnum),
        min_len: 20,
        max_len: 20,
        check: check_aws_key_id,
    },
    TokenSpec {
        kind: "github-token",
        description: "GitHub token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"gh[pousr]_[A-Za-z0-9]*",
        boundary: Some(is_word),
        min_len: 40,
        max_len: 255,
        check: check_random_after_4,
    },
    TokenSpec {
        kind: "github-token",
        description: "GitHub token",
        keywords: &["github_pat_"],
        pattern: r"github_pat_[A-Za-z0-9_]*",
        boundary: Some(is_word),
        min_len: 60,
        max_len: 255,
        check: check_random_after_4,
    },
    TokenSpec {
        kind: "gitlab-token",
        description: "GitLab token",
        keywords: &["glpat-", "gldt-", "glrt-", "glptt-"],
        pattern: r"gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*",
        boundary: Some(is_word_dash),
        min_len: 25,
        max_len: 255,
        check: check_after_dash,
    },
    TokenSpec {
        kind: "slack-token",
        description: "Slack token",
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"],
        pattern: r"xox[bpares]-[A-Za-z0-9\-]*",
        boundary: Some(is_word_dash),
        min_len: 24,
        max_len: 255,
        check: check_slack,
    },
    TokenSpec {
        kind: "slack-webhook",
        description: "Slack incoming webhook URL",
        keywords: &["hooks.slack"],
        pattern: r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]*",
        boundary: Some(is_word_slash),
        min_len: 60,
        max_len: 200,
        check: check_slack_webhook,
    },
    TokenSpec {
        kind: "stripe-key",
        description: "Stripe live secret key",
        keywords: &["k_live_"],
        pattern: r"[sr]k_live_[A-Za-z0-9]*",
        boundary: Some(is_word),
        min_len: 28,
        max_len: 255,
        check: check_random_after_8,
    },
    TokenSpec {
        kind: "google-api-key",
        description: "Google API key",
        keywords: &["AIza"],
        pattern: r"AIza[A-Za-z0-9_\-]*",
        boundary: Some(is_word_dash),
        min_len: 39,
        max_len: 39,
        check: check_random_after_4,
    },
    TokenSpec {
        kind: "npm-token",
        description: "npm access token",
        keywords: &["npm_"],
        pattern: r"npm_[A-Za-z0-9]*",
        boundary: Some(is_word),
        min_len: 40,
        max_len: 40,
        check: check_npm,
    },
    TokenSpec {
        kind: "pypi-token",
        description: "PyPI API token",
        keywords: &["pypi-AgE"],
        pattern: r"pypi-AgE[A-Za-z0-9_\-]*",
        boundary: Some(is_word_dash),
        min_len: 60,
        max_len: 600,
        check: check_random_after_8,
    },
    TokenSpec {
        kind: "dockerhub-token",
        description: "Docker Hub personal access token",
        keywords: &["dckr_pat_"],
        pattern: r"dckr_pat_[A-Za-z0-9_\-]*",
        boundary: Some(is_word_dash),
        min_len: 33,
        max_len: 120,
        check: check_random_after_8,
    },
    TokenSpec {
        kind: "anthropic-api-key",
        description: "Anthropic API key",
        keywords: &["sk-ant-"],
        pattern: r"sk-ant-[A-Za-z0-9_\-]*",
        boundary: Some(is_word_dash),
        min_len: 60,
        max_len: 300,
        check: check_random_after_8,
    },
    TokenSpec {
        kind: "openai-api-key",
        description: "OpenAI API key",
        keywords: &["T3BlbkFJ"],
        pattern: r"sk-[A-Za-z0-9_\-]*T3BlbkFJ[A-Za-z0-9_\-]*",
        boundary: Some(is_word_dash),
        min_len: 40,
        max_len: 300,
        check: check_random_after_4,
    },
    TokenSpec {
        kind: "azure-storage-key",
        description: "Azure storage account key",
        keywords: &["AccountKey"],
        pattern: r"AccountKey=([A-Za-z0-9+/]{86}==)",
        boundary: None,
        min_len: 88,
        max_len: 88,
        check: check_random_after_4,
    },
];

pub(crate) fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(crate) fn is_word_dash(b: u8) -> bool {
    is_word(b) || b == b'-'
}

pub(crate) fn is_word_slash(b: u8) -> bool {
    is_word(b) || b == b'/'
}

/// Placeholder markers and obviously non-random bodies.
pub(crate) fn token_body_ok(body: &[u8]) -> bool {
    let l = body.to_ascii_lowercase();
    const FAKE: &[&[u8]] = &[
        b"example",
        b"xxxx",
        b"sample",
        b"dummy",
        b"placeholder",
        b"fake",
        b"your",
    ];
    if FAKE.iter().any(|f| find_sub(&l, f).is_some()) {
        return false;
    }
    distinct(body) >= (body.len() / 3).clamp(4, 10) && !is_sequential(body)
}

pub(crate) fn check_aws_key_id(tok: &[u8]) -> bool {
    let body = &tok[4..];
    body.iter()
        .all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        && token_body_ok(body)
}

pub(crate) fn check_aws_secret(v: &[u8]) -> bool {
    let c = classes(v);
    c.lower && c.upper && (c.digit || c.symbol) && token_body_ok(v)
}

pub(crate) fn check_random_after_4(tok: &[u8]) -> bool {
    token_body_ok(&tok[4.min(tok.len())..])
}

pub(crate) fn check_random_after_8(tok: &[u8]) -> bool {
    token_body_ok(&tok[8.min(tok.len())..])
}

pub(crate) fn check_after_dash(tok: &[u8]) -> bool {
    let p = tok.iter().position(|&b| b == b'-').map_or(0, |p| p + 1);
    let body = &tok[p..];
    let first = body.split(|&b| b == b'.').next().unwrap_or(body);
    first.len() >= 20 && token_body_ok(body)
}

pub(crate) fn check_slack(tok: &[u8]) -> bool {
    tok[5..].iter().any(u8::is_ascii_digit) && token_body_ok(&tok[5..])
}

pub(crate) fn check_slack_webhook(tok: &[u8]) -> bool {
    let Some(rest) = tok.strip_prefix(b"https://hooks.slack.com/services/".as_slice()) else {
        return false;
    };
    let parts: Vec<&[u8]> = rest.split(|&b| b == b'/').collect();
    parts.len() == 3
        && parts[0].first() == Some(&b'T')
        && parts[1].first() == Some(&b'B')
        && parts[2].len() >= 20
        && token_body_ok(parts[2])
}

pub(crate) fn check_npm(tok: &[u8]) -> bool {
    let body = &tok[4..];
    let c = classes(body);
    [c.lower, c.upper, c.digit].iter().filter(|&&x| x).count() >= 2 && token_body_ok(body)
}

/// The base64 body following a `BEGIN ... PRIVATE KEY` marker (up to its END marker):
/// the first run of at least 40 base64 characters, when it looks like key material.
pub(crate) fn pem_body(after: &[u8]) -> Option<&[u8]> {
    let mut win = &after[..after.len().min(4096)];
    if let Some(p) = find_sub(win, b"-----END").or_else(|| find_sub(win, b"---- END")) {
        win = &win[..p];
    }
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=';
    let mut i = 0;
    while i < win.len() {
        if win[i] == b'\\' && i + 1 < win.len() && matches!(win[i + 1], b'n' | b'r' | b't') {
            i += 2;
            continue;
        }
        if !is_b64(win[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < win.len() && is_b64(win[i]) {
            i += 1;
        }
        let run = &win[start..i];
        if run.len() >= 40 {
            let body = run.strip_suffix(b"\\").unwrap_or(run);
            if find_sub(body, b"EXAMPLE").is_some() || distinct(body) < 16 {
                return None;
            }
            return Some(body);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

    // ----- private keys -----------------------------------------------------------------

    #[test]
    fn private_keys_of_every_flavour() {
        let sc = scanner();
        for kind in ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""] {
            let text = format!("# key\n{}", pem(kind, 5, 11));
            let hits = sc.scan_content("root/.ssh/id_rsa", text.as_bytes());
            assert_eq!(kinds(&hits), vec!["private-key"], "{kind}: {hits:?}");
            assert_eq!(hits[0].line, Some(2));
            assert!(hits[0].redacted.starts_with("-----BEGIN"));
            let body = rnd(11, 64, B64);
            assert_redacted(&hits[0], &body);
        }
        let pgp = format!(
            "-----BEGIN PGP PRIVATE {} BLOCK-----\nVersion: GnuPG v2\n\n{}\n{}\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----\n",
            "KEY",
            rnd(3, 64, B64),
            rnd(4, 64, B64)
        );
        let hits = sc.scan_content("srv/keys/signing.asc", pgp.as_bytes());
        assert_eq!(kinds(&hits), vec!["private-key"]);
    }

    #[test]
    fn private_key_in_json_string_with_escaped_newlines() {
        let sc = scanner();
        let json = format!(
            "{{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE {}-----\\n{}\\n{}\\n-----END PRIVATE KEY-----\\n\"\n}}\n",
            "KEY",
            rnd(21, 64, B64),
            rnd(22, 64, B64)
        );
        let hits = sc.scan_content("app/sa.json", json.as_bytes());
        assert_eq!(kinds(&hits), vec!["private-key"], "{hits:?}");
        assert_eq!(hits[0].line, Some(3));
        assert!(!hits[0].redacted.contains("\\n"));
    }

    #[test]
    fn putty_private_key() {
        let sc = scanner();
        let ppk = format!(
            "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 1\n{}\nPrivate-Lines: 2\n{}\n{}\n",
            rnd(1, 64, B64),
            rnd(2, 64, B64),
            rnd(3, 64, B64)
        );
        let hits = sc.scan_content("home/u/key.ppk", ppk.as_bytes());
        assert_eq!(kinds(&hits), vec!["private-key"]);
    }

    #[test]
    fn certificates_public_keys_and_bare_markers_are_not_private_keys() {
        let sc = scanner();
        let body = rnd(5, 64, B64);
        for header in [
            "CERTIFICATE",
            "PUBLIC KEY",
            "RSA PUBLIC KEY",
            "PGP PUBLIC KEY BLOCK",
            "CERTIFICATE REQUEST",
        ] {
            let text =
                format!("-----BEGIN {header}-----\n{body}\n{body}\n-----END {header}-----\n");
            assert!(sc.scan_content("etc/app/x.pem", text.as_bytes()).is_empty());
        }
        // Library code that only names the marker.
        let code = format!(
            "HEADER = \"-----BEGIN RSA PRIVATE {}-----\"\nFOOTER = \"-----END RSA PRIVATE KEY-----\"\n",
            "KEY"
        );
        assert!(sc.scan_content("app/pem.py", code.as_bytes()).is_empty());
        // Documentation with an elided body.
        let doc = format!(
            "-----BEGIN RSA PRIVATE {}-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n",
            "KEY"
        );
        assert!(sc.scan_content("app/README", doc.as_bytes()).is_empty());
        let ssh_pub = format!("ssh-ed25519 {} user@host\n", rnd(9, 68, B64));
        assert!(
            sc.scan_content("root/.ssh/id_ed25519.pub", ssh_pub.as_bytes())
                .is_empty()
        );
    }

    // ----- AWS --------------------------------------------------------------------------

    #[test]
    fn aws_access_key_ids() {
        let sc = scanner();
        let id = aws_key_id();
        let text = format!("[default]\naws_access_key_id = {id}\n");
        let hits = sc.scan_content("root/.aws/credentials", text.as_bytes());
        assert_one(&hits, "aws-access-key-id", &id);
        assert_eq!(hits[0].line, Some(2));
        assert_eq!(hits[0].redacted, format!("AKIA{}", "*".repeat(12)));
        for prefix in ["ASIA", "ABIA", "ACCA"] {
            let t = format!("key: {prefix}{}\n", rnd(31, 16, B32));
            let hits = sc.scan_content("app/c.yaml", t.as_bytes());
            assert_eq!(kinds(&hits), vec!["aws-access-key-id"], "{prefix}");
        }
    }

    #[test]
    fn aws_access_key_id_negatives() {
        let sc = scanner();
        let example = format!("AKIA{}", "IOSFODNN7EXAMPLE");
        let cases = [
            format!("aws_access_key_id = {example}\n"),
            // Embedded in a longer word.
            format!("X{}\n", aws_key_id()),
            format!("{}Q\n", aws_key_id()),
            format!("{}abc\n", aws_key_id()),
            // Digits 0, 1, 8, 9 are not in the alphabet.
            format!("id={}\n", "AKIA0189018901890189"),
            // Too short.
            format!("id=AKIA{}\n", "Z7QK3VXN5MBT2LP"),
            // Placeholder-like.
            format!("id=AKIA{}\n", "X".repeat(16)),
        ];
        for c in &cases {
            assert!(sc.scan_content("app/a.txt", c.as_bytes()).is_empty(), "{c}");
        }
    }

    #[test]
    fn aws_secret_access_keys() {
        let sc = scanner();
        let secret = aws_secret();
        for text in [
            format!("aws_secret_access_key = {secret}\n"),
            format!("export AWS_SECRET_ACCESS_KEY=\"{secret}\"\n"),
            format!("{{\"SecretAccessKey\": \"{secret}\"}}\n"),
        ] {
            let hits = sc.scan_content("app/creds.sh", text.as_bytes());
            assert_one(&hits, "aws-secret-access-key", &secret);
        }
        let hits = sc.scan_key_value("AWS_SECRET_ACCESS_KEY", &secret);
        assert_one(&hits, "aws-secret-access-key", &secret);
        assert_eq!(hits[0].line, None);
        let example = format!("wJalrXUtnFEMI/K7MDENG/{}", "bPxRfiCYEXAMPLEKEY");
        let text = format!("aws_secret_access_key = {example}\n");
        assert!(
            sc.scan_content("root/.aws/credentials", text.as_bytes())
                .is_empty()
        );
        assert!(
            sc.scan_key_value("AWS_SECRET_ACCESS_KEY", &example)
                .is_empty()
        );
    }

    // ----- prefixed tokens ----------------------------------------------------------------

    #[test]
    fn github_tokens() {
        let sc = scanner();
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            let tok = format!("{p}{}", rnd(41, 36, ALNUM));
            let text = format!("git clone https://github.com/x/y # {tok}\n");
            assert_one(
                &sc.scan_content("app/run.sh", text.as_bytes()),
                "github-token",
                &tok,
            );
        }
        let pat = format!(
            "github_{}_{}_{}",
            "pat",
            rnd(42, 22, ALNUM),
            rnd(43, 59, ALNUM)
        );
        let text = format!("TOKEN={pat}\n");
        assert_one(
            &sc.scan_content("app/.env", text.as_bytes()),
            "github-token",
            &pat,
        );
        // Placeholders and short ones.
        for t in [
            format!("ghp_{}", "x".repeat(36)),
            format!("ghp_{}", rnd(44, 20, ALNUM)),
            format!("ghp_{}", "abcdefghijklmnopqrstuvwxyz0123456789"),
        ] {
            let text = format!("id: {t}\n");
            assert!(
                sc.scan_content("app/c.txt", text.as_bytes()).is_empty(),
                "{t}"
            );
        }
    }

    #[test]
    fn gitlab_slack_stripe_google_npm_tokens() {
        let sc = scanner();
        let cases = [
            ("gitlab-token", format!("glpat-{}", rnd(51, 20, ALNUM))),
            ("gitlab-token", format!("glrt-{}", rnd(52, 24, ALNUM))),
            (
                "slack-token",
                format!(
                    "xoxb-{}-{}-{}",
                    rnd(53, 12, b"0123456789"),
                    rnd(54, 13, b"0123456789"),
                    rnd(55, 24, ALNUM)
                ),
            ),
            (
                "slack-webhook",
                format!(
                    "https://hooks.slack.com/services/T{}/B{}/{}",
                    rnd(56, 8, B32),
                    rnd(57, 10, B32),
                    rnd(58, 24, ALNUM)
                ),
            ),
            (
                "stripe-key",
                format!("sk_{}_{}", "live", rnd(59, 24, ALNUM)),
            ),
            (
                "stripe-key",
                format!("rk_{}_{}", "live", rnd(60, 24, ALNUM)),
            ),
            ("google-api-key", format!("AIza{}", rnd(61, 35, ALNUM))),
            ("npm-token", format!("npm_{}", rnd(62, 36, ALNUM))),
            (
                "pypi-token",
                format!("pypi-AgEIcHlwaS5vcmc{}", rnd(63, 60, ALNUM)),
            ),
            (
                "dockerhub-token",
                format!("dckr_pat_{}", rnd(64, 27, ALNUM)),
            ),
            (
                "anthropic-api-key",
                format!("sk-ant-api03-{}", rnd(65, 93, ALNUM)),
            ),
            (
                "openai-api-key",
                format!(
                    "sk-proj-{}T3BlbkFJ{}",
                    rnd(66, 20, ALNUM),
                    rnd(67, 20, ALNUM)
                ),
            ),
        ];
        for (kind, tok) in &cases {
            let text = format!("line one\nconfig = \"{tok}\"\n");
            let hits = sc.scan_content("srv/app/settings.py", text.as_bytes());
            assert_one(&hits, kind, tok);
            assert_eq!(hits[0].line, Some(2), "{kind}");
            // Also in ENV and in history.
            assert_one(&sc.scan_key_value("SOME_VALUE", tok), kind, tok);
            assert_one(
                &sc.scan_text(&format!("/bin/sh -c echo {tok} > /x")),
                kind,
                tok,
            );
        }
        let azure = format!(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==;EndpointSuffix=core.windows.net",
            rnd(68, 86, B64)
        );
        let hits = sc.scan_key_value("STORAGE_CONNECTION", &azure);
        assert_eq!(kinds(&hits), vec!["azure-storage-key"]);
        // Test keys, wrong lengths, identifiers.
        for t in [
            format!("sk_{}_{}", "test", rnd(69, 24, ALNUM)),
            format!("AIza{}", rnd(70, 30, ALNUM)),
            format!("npm_{}", rnd(71, 30, ALNUM)),
            "npm_config_registry".to_string(),
            "xoxb-not-a-token".to_string(),
            format!("glpat-{}", "x".repeat(20)),
        ] {
            let text = format!("value = \"{t}\"\n");
            assert!(
                sc.scan_content("app/x.py", text.as_bytes()).is_empty(),
                "{t}"
            );
        }
    }
}
