//! Detectors: each finds one kind of secret in a region the prefilter selected (private
//! keys, AWS secret keys, URL credentials, Authorization headers, command-line passwords,
//! assignments to secret-named keys, prefixed tokens).

use regex::bytes::Regex;

use crate::keys::{KeyClass, classify_key};
use crate::paths::Tier;
use crate::scanner::{SecretScanner, re};
use crate::tokens::{TokenSpec, check_aws_secret, pem_body};
use crate::values::{
    cmd_value_ok, find_sub, is_placeholder_bytes, is_placeholder_host, looks_random, lossy,
    url_password_ok, value_ok,
};

// Priorities used when two findings cover the same bytes: the most specific one wins.
pub(crate) const P_TOKEN: u8 = 4;
pub(crate) const P_URL: u8 = 3;
pub(crate) const P_CMD: u8 = 2;
pub(crate) const P_ASSIGN: u8 = 1;

pub(crate) const K_PRIVATE_KEY: (&str, &str) = ("private-key", "Private key");
pub(crate) const K_AWS_SECRET: (&str, &str) = ("aws-secret-access-key", "AWS secret access key");
pub(crate) const K_URL: (&str, &str) = ("credentials-in-url", "Credentials embedded in a URL");
pub(crate) const K_AUTHZ: (&str, &str) = (
    "authorization-header",
    "Credentials in an HTTP Authorization header",
);
pub(crate) const K_CMD: (&str, &str) = (
    "password-argument",
    "Password or token passed on a command line",
);
pub(crate) const K_ASSIGN: (&str, &str) = (
    "secret-assignment",
    "Value assigned to a key named like a secret",
);
pub(crate) const K_GENERIC: (&str, &str) = (
    "generic-api-key",
    "High-entropy API key or token assigned to a key named like one",
);

pub(crate) struct TokenRule {
    pub(crate) spec: &'static TokenSpec,
    pub(crate) re: Regex,
    pub(crate) has_group: bool,
}

pub(crate) struct CmdRule {
    pub(crate) re: Regex,
    /// Capture group of the secret.
    pub(crate) value: usize,
    /// Capture group of the option name that must be named like a secret.
    pub(crate) name: Option<usize>,
    /// Capture group interpolated as `{L}` in `template`.
    pub(crate) label: Option<usize>,
    /// Redacted rendering; `{L}` is the label group, `{V}` the redacted value.
    pub(crate) template: &'static str,
    /// Values must look like real secrets (the generic option rule), not only be non-placeholders.
    pub(crate) strict: bool,
}

/// A finding before line numbers and deduplication.
pub(crate) struct Cand {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) prio: u8,
    pub(crate) kind: &'static str,
    pub(crate) description: &'static str,
    pub(crate) redacted: String,
}

/// The command-line password detectors.
pub(crate) fn command_rules() -> Vec<CmdRule> {
    // Value of an option: quoted, or a bare word up to a shell separator.
    const OPT_VALUE: &str = r#"("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;|&)<>\-][^\s"'`;|&)<>]*)"#;
    const SH_VALUE: &str = r#"("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;|&\-][^\s"'`;|&]*)"#;
    vec![
        // --password X, --db-password=X, -storepass X, -passin pass:X ...
        CmdRule {
            re: re(&format!(
                r#"(?i-u)(?:^|[\s"'(])(--?[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)(?:=|[ \t]+){OPT_VALUE}"#
            )),
            value: 2,
            name: Some(1),
            label: Some(1),
            template: "{L} {V}",
            strict: true,
        },
        // mysql -pX (the password is glued to -p)
        CmdRule {
            re: re(&format!(
                r#"(?-u)\b(?:mysql|mysqladmin|mysqldump|mysqlimport|mysqlcheck|mysqlsh|mariadb|mariadb-admin|mariadb-dump)\b[^\r\n;&|]*?[ \t]-p{SH_VALUE}"#
            )),
            value: 1,
            name: None,
            label: None,
            template: "-p{V}",
            strict: false,
        },
        // docker/podman/helm/oc ... login -p X
        CmdRule {
            re: re(&format!(
                r#"(?-u)\blogin\b[^\r\n;&|]*?[ \t]-p[ \t]+{SH_VALUE}"#
            )),
            value: 1,
            name: None,
            label: None,
            template: "login -p {V}",
            strict: false,
        },
        // curl -u user:X
        CmdRule {
            re: re(
                r#"(?-u)\bcurl\b[^\r\n;&|]*?[ \t](?:-[A-Za-z]*u|--user)(?:[ \t]+|=)?["']?([^\s:"'$]+):([^\s"'`;|&]+)"#,
            ),
            value: 2,
            name: None,
            label: Some(1),
            template: "-u {L}:{V}",
            strict: false,
        },
        // sshpass -p X
        CmdRule {
            re: re(&format!(
                r#"(?-u)\bsshpass\b[^\r\n;&|]*?[ \t]-p[ \t]*{SH_VALUE}"#
            )),
            value: 1,
            name: None,
            label: None,
            template: "sshpass -p {V}",
            strict: false,
        },
        // echo 'user:X' | chpasswd
        CmdRule {
            re: re(
                r#"(?-u)["']?([A-Za-z_][A-Za-z0-9_\-]*):([^\s"':|]+)["']?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b"#,
            ),
            value: 2,
            name: None,
            label: Some(1),
            template: "{L}:{V} | chpasswd",
            strict: false,
        },
        // htpasswd -b[c] file user X
        CmdRule {
            re: re(
                r#"(?-u)\bhtpasswd[ \t]+-[A-Za-z]*b[A-Za-z]*[ \t]+(?:-[A-Za-z]+[ \t]+)*[^\s;|&]+[ \t]+[^\s;|&]+[ \t]+("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;|&]+)"#,
            ),
            value: 1,
            name: None,
            label: None,
            template: "htpasswd -b ... {V}",
            strict: false,
        },
    ]
}

impl SecretScanner {
    pub(crate) fn find_private_keys(
        &self,
        hay: &[u8],
        s: usize,
        region: &[u8],
        out: &mut Vec<Cand>,
    ) {
        for m in self.pem.find_iter(region) {
            let (ms, me) = (s + m.start(), s + m.end());
            if let Some(body) = pem_body(&hay[me..]) {
                out.push(Cand {
                    start: ms,
                    end: me,
                    prio: P_TOKEN,
                    kind: K_PRIVATE_KEY.0,
                    description: K_PRIVATE_KEY.1,
                    redacted: format!("{} {}", lossy(m.as_bytes()), redact(body)),
                });
            }
        }
        for m in self.putty.find_iter(region) {
            let (ms, me) = (s + m.start(), s + m.end());
            let after = &hay[me..hay.len().min(me + 8192)];
            let Some(p) = find_sub(after, b"Private-Lines:") else {
                continue;
            };
            let rest = &after[p..];
            let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            if let Some(body) = pem_body(&rest[nl..]) {
                out.push(Cand {
                    start: ms,
                    end: me,
                    prio: P_TOKEN,
                    kind: K_PRIVATE_KEY.0,
                    description: K_PRIVATE_KEY.1,
                    redacted: format!("{} {}", lossy(m.as_bytes()), redact(body)),
                });
            }
        }
    }

    pub(crate) fn find_aws_secrets(
        &self,
        hay: &[u8],
        s: usize,
        region: &[u8],
        out: &mut Vec<Cand>,
    ) {
        for caps in self.aws_secret.captures_iter(region) {
            let (Some(key), Some(val)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            let v = val.as_bytes();
            let vend = s + val.end();
            if v.len() != 40 || hay.get(vend) == Some(&b'=') || !check_aws_secret(v) {
                continue;
            }
            out.push(Cand {
                start: s + val.start(),
                end: vend,
                prio: P_TOKEN,
                kind: K_AWS_SECRET.0,
                description: K_AWS_SECRET.1,
                redacted: format!("{}={}", lossy(key.as_bytes()), redact(v)),
            });
        }
    }

    pub(crate) fn find_url_credentials(
        &self,
        s: usize,
        region: &[u8],
        strict: bool,
        out: &mut Vec<Cand>,
    ) {
        for caps in self.url.captures_iter(region) {
            let g = |i: usize| caps.get(i).map_or(&b""[..], |m| m.as_bytes());
            let (scheme, user, pw, host) = (g(1), g(2), g(3), g(4));
            let Some(pw_m) = caps.get(3) else { continue };
            let lhost = host.to_ascii_lowercase();
            if is_placeholder_host(&lhost) {
                continue;
            }
            // https://<token>:x-oauth-basic@github.com puts the secret in the user part.
            let (secret, span, shown) = if pw.eq_ignore_ascii_case(b"x-oauth-basic") {
                let Some(user_m) = caps.get(2) else { continue };
                if user.len() < 20 || is_placeholder_bytes(user) || !looks_random(user) {
                    continue;
                }
                let shown = format!(
                    "{}://{}:{}@{}",
                    lossy(scheme),
                    redact(user),
                    lossy(pw),
                    lossy(host)
                );
                (user, (user_m.start(), user_m.end()), shown)
            } else {
                if !url_password_ok(user, pw, strict) {
                    continue;
                }
                let shown = format!(
                    "{}://{}:{}@{}",
                    lossy(scheme),
                    lossy(user),
                    redact(pw),
                    lossy(host)
                );
                (pw, (pw_m.start(), pw_m.end()), shown)
            };
            if secret.is_empty() {
                continue;
            }
            out.push(Cand {
                start: s + span.0,
                end: s + span.1,
                prio: P_URL,
                kind: K_URL.0,
                description: K_URL.1,
                redacted: shown,
            });
        }
    }

    pub(crate) fn find_authorization(&self, s: usize, region: &[u8], out: &mut Vec<Cand>) {
        for caps in self.authz.captures_iter(region) {
            let (Some(scheme), Some(val)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            let v = val.as_bytes();
            if v.len() < 12 || is_placeholder_bytes(v) || !looks_random(v) {
                continue;
            }
            out.push(Cand {
                start: s + val.start(),
                end: s + val.end(),
                prio: P_CMD,
                kind: K_AUTHZ.0,
                description: K_AUTHZ.1,
                redacted: format!("Authorization: {} {}", lossy(scheme.as_bytes()), redact(v)),
            });
        }
    }

    pub(crate) fn find_command_passwords(
        &self,
        s: usize,
        region: &[u8],
        tier: Tier,
        out: &mut Vec<Cand>,
    ) {
        for rule in &self.cmds {
            for caps in rule.re.captures_iter(region) {
                let Some(val) = caps.get(rule.value) else {
                    continue;
                };
                if let Some(n) = rule.name {
                    if !matches!(tier, Tier::Shell | Tier::Text | Tier::KeyValue) {
                        break;
                    }
                    let Some(name) = caps.get(n) else { continue };
                    let name = lossy(name.as_bytes());
                    if classify_key(name.trim_start_matches('-')).is_none() {
                        continue;
                    }
                }
                let raw = val.as_bytes();
                let quoted = raw.len() >= 2
                    && (raw[0] == b'"' || raw[0] == b'\'')
                    && raw[raw.len() - 1] == raw[0];
                let (mut vs, mut ve) = (val.start(), val.end());
                if quoted {
                    vs += 1;
                    ve -= 1;
                }
                let mut v = &region[vs..ve];
                // openssl -passin pass:X
                if let Some(rest) = v.strip_prefix(b"pass:") {
                    vs += 5;
                    v = rest;
                }
                if !cmd_value_ok(v, quoted, rule.strict) {
                    continue;
                }
                let label = rule
                    .label
                    .and_then(|l| caps.get(l))
                    .map(|m| lossy(m.as_bytes()))
                    .unwrap_or_default();
                out.push(Cand {
                    start: s + vs,
                    end: s + ve,
                    prio: P_CMD,
                    kind: K_CMD.0,
                    description: K_CMD.1,
                    redacted: rule
                        .template
                        .replace("{L}", &label)
                        .replace("{V}", &redact(v)),
                });
            }
        }
    }

    pub(crate) fn find_assignments(
        &self,
        hay: &[u8],
        s: usize,
        region: &[u8],
        tier: Tier,
        netrc: bool,
        out: &mut Vec<Cand>,
    ) {
        for caps in self.assign.captures_iter(region) {
            let (Some(key), Some(raw)) = (caps.get(1), caps.get(3)) else {
                continue;
            };
            let key = lossy(key.as_bytes());
            let Some(class) = classify_key(&key) else {
                continue;
            };
            let (quoted, vs, ve) = value_span(&raw);
            if !quoted {
                // A call, an index or an attribute access: code, not a literal.
                if let Some(&next) = hay.get(s + raw.end())
                    && matches!(next, b'(' | b'[' | b'{')
                {
                    continue;
                }
            }
            let v = &region[vs..ve];
            // openssl-style `pass:X`
            let v = v.strip_prefix(b"pass:").unwrap_or(v);
            if !value_ok(v, quoted, class, tier) {
                continue;
            }
            push_assignment(out, s + ve - v.len(), s + ve, &key, v, class);
        }
        for form in &self.key_value_forms {
            for caps in form.captures_iter(region) {
                let (Some(key), Some(raw)) = (caps.get(1), caps.get(2)) else {
                    continue;
                };
                let key = lossy(key.as_bytes());
                let Some(class) = classify_key(&key) else {
                    continue;
                };
                let (quoted, vs, ve) = value_span(&raw);
                let v = &region[vs..ve];
                if !value_ok(v, quoted, class, tier) {
                    continue;
                }
                push_assignment(out, s + vs, s + ve, &key, v, class);
            }
        }
        for caps in self.xml.captures_iter(region) {
            let (Some(open), Some(val), Some(close)) = (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            if open.as_bytes() != close.as_bytes() {
                continue;
            }
            let key = lossy(open.as_bytes());
            let Some(class) = classify_key(&key) else {
                continue;
            };
            let v = val.as_bytes();
            if !value_ok(v, true, class, tier) {
                continue;
            }
            push_assignment(out, s + val.start(), s + val.end(), &key, v, class);
        }
        if netrc {
            for caps in self.netrc.captures_iter(region) {
                let Some(val) = caps.get(1) else { continue };
                let v = val.as_bytes();
                if !value_ok(v, true, KeyClass::Password, Tier::DotEnv) {
                    continue;
                }
                push_assignment(
                    out,
                    s + val.start(),
                    s + val.end(),
                    "password",
                    v,
                    KeyClass::Password,
                );
            }
        }
    }
}

/// Whether a captured value is quoted, and the span of its content without the quotes.
fn value_span(raw: &regex::bytes::Match<'_>) -> (bool, usize, usize) {
    let rb = raw.as_bytes();
    let quoted = rb.len() >= 2 && (rb[0] == b'"' || rb[0] == b'\'');
    if quoted {
        (true, raw.start() + 1, raw.end() - 1)
    } else {
        (false, raw.start(), raw.end())
    }
}

pub(crate) fn push_assignment(
    out: &mut Vec<Cand>,
    start: usize,
    end: usize,
    key: &str,
    v: &[u8],
    c: KeyClass,
) {
    let (kind, description) = if c == KeyClass::Token && v.len() >= 20 && looks_random(v) {
        K_GENERIC
    } else {
        K_ASSIGN
    };
    out.push(Cand {
        start,
        end,
        prio: P_ASSIGN,
        kind,
        description,
        redacted: format!("{key}={}", redact(v)),
    });
}

pub(crate) fn find_tokens(
    rule: &TokenRule,
    hay: &[u8],
    s: usize,
    region: &[u8],
    out: &mut Vec<Cand>,
) {
    let spec = rule.spec;
    let mut push = |ms: usize, me: usize| {
        let tok = &hay[ms..me];
        if let Some(bd) = spec.boundary
            && ((ms > 0 && bd(hay[ms - 1])) || (me < hay.len() && bd(hay[me])))
        {
            return;
        }
        if tok.len() < spec.min_len || tok.len() > spec.max_len || !(spec.check)(tok) {
            return;
        }
        out.push(Cand {
            start: ms,
            end: me,
            prio: P_TOKEN,
            kind: spec.kind,
            description: spec.description,
            redacted: redact(tok),
        });
    };
    if rule.has_group {
        for caps in rule.re.captures_iter(region) {
            if let Some(m) = caps.get(1) {
                push(s + m.start(), s + m.end());
            }
        }
    } else {
        for m in rule.re.find_iter(region) {
            push(s + m.start(), s + m.end());
        }
    }
}

/// Masks a secret: keeps at most its first 4 characters (a quarter of it when shorter than 16)
/// and replaces the rest with at most 12 `*`.
pub(crate) fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars: Vec<char> = text.chars().collect();
    let shown = (chars.len() / 4).min(4);
    let stars = (chars.len() - shown).clamp(1, 12);
    let mut out: String = chars[..shown].iter().collect();
    out.extend(std::iter::repeat_n('*', stars));
    out
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

    // ----- credentials in URLs ------------------------------------------------------------

    #[test]
    fn credentials_in_urls() {
        let sc = scanner();
        let pw = format!("Xq7{}", rnd(81, 9, ALNUM));
        let url = format!("postgres://app:{pw}@db:5432/app");
        let text = format!("DATABASE_URL={url}\n");
        let hits = sc.scan_content("srv/app/.env", text.as_bytes());
        assert_one(&hits, "credentials-in-url", &pw);
        assert!(hits[0].redacted.starts_with("postgres://app:"));
        assert!(hits[0].redacted.ends_with("@db"));
        let hits = sc.scan_key_value("DATABASE_URL", &url);
        assert_one(&hits, "credentials-in-url", &pw);
        let hits = sc.scan_text(&format!(
            "RUN pip install --index-url https://deploy:{pw}@pypi.corp.io/simple x"
        ));
        assert_one(&hits, "credentials-in-url", &pw);
    }

    #[test]
    fn url_placeholders_are_ignored() {
        let sc = scanner();
        for u in [
            "https://user:password@host/x",
            "https://user:pass@proxy.corp:3128",
            "https://username:secret@registry.corp",
            "redis://:${REDIS_PASSWORD}@redis:6379/0",
            "postgres://app:$DB_PASS@db/app",
            "mysql://root:<password>@db/app",
            "amqp://guest:guest@localhost:5672//",
            "postgresql://scott:tiger@localhost/test",
            "mongodb://root:example@mongo:27017",
            "http://u:xxx@h.corp",
            "http://u:***@h.corp",
            "postgres://app:Xq7Z9kP2@db.example.com/app",
            "ftp://%s:%s@%s/",
            "https://{user}:{password}@{host}",
            "postgresql://postgres:postgres@localhost:5432/postgres",
        ] {
            let text = format!("url = \"{u}\"\n");
            assert!(
                sc.scan_content("app/settings.yaml", text.as_bytes())
                    .is_empty(),
                "{u}"
            );
            assert!(sc.scan_key_value("URL", u).is_empty(), "{u}");
        }
    }

    // ----- assignments ---------------------------------------------------------------------

    #[test]
    fn dotenv_assignments() {
        let sc = scanner();
        let api = rnd(91, 32, ALNUM);
        let text = format!(
            "# settings\nDEBUG=false\nDB_PASSWORD=hunter22\nAPI_KEY={api}\nDB_PASSWORD_FILE=/run/secrets/db\nEMPTY_PASSWORD=\nREF_TOKEN=${{TOKEN}}\nPH_SECRET=changeme\n"
        );
        let hits = sc.scan_content("srv/app/.env", text.as_bytes());
        assert_eq!(
            kinds(&hits),
            vec!["secret-assignment", "generic-api-key"],
            "{hits:?}"
        );
        assert_eq!(hits[0].line, Some(3));
        assert_eq!(hits[0].redacted, "DB_PASSWORD=hu******");
        assert_eq!(hits[1].line, Some(4));
        assert_redacted(&hits[0], "hunter22");
        assert_redacted(&hits[1], &api);
    }

    #[test]
    fn config_file_assignments() {
        let sc = scanner();
        let pw = format!("{}9!", rnd(92, 10, ALNUM));
        let yaml = format!("db:\n  host: db\n  password: {pw}\n  password_file: /run/x\n");
        let hits = sc.scan_content("etc/app/config.yaml", yaml.as_bytes());
        assert_one(&hits, "secret-assignment", &pw);
        assert_eq!(hits[0].line, Some(3));
        let json = format!(
            "{{\"auths\": {{\"r.io\": {{\"auth\": \"{}\"}}}}}}",
            rnd(93, 24, B64)
        );
        let hits = sc.scan_content("root/.docker/config.json", json.as_bytes());
        assert_eq!(kinds(&hits), vec!["generic-api-key"]);
        let props = format!("spring.datasource.password={pw}\n");
        assert_eq!(
            kinds(&sc.scan_content("app/application.properties", props.as_bytes())),
            vec!["secret-assignment"]
        );
        let xml = format!("<server><id>r</id><password>{pw}</password></server>\n");
        assert_eq!(
            kinds(&sc.scan_content("root/.m2/settings.xml", xml.as_bytes())),
            vec!["secret-assignment"]
        );
        let netrc = format!("machine github.com login me password {pw}\n");
        assert_eq!(
            kinds(&sc.scan_content("root/.netrc", netrc.as_bytes())),
            vec!["secret-assignment"]
        );
    }

    #[test]
    fn code_assignments_only_flag_real_literals() {
        let sc = scanner();
        let good = "password = \"Tr0ub4dor&3\"\n";
        assert_eq!(
            kinds(&sc.scan_content("srv/app/settings.py", good.as_bytes())),
            vec!["secret-assignment"]
        );
        let negatives = [
            "password = os.environ[\"DB_PASSWORD\"]\n",
            "password = getpass.getpass()\n",
            "password = request.form['password']\n",
            "token = get_token()\n",
            "secret_key = settings.SECRET_KEY\n",
            "token_url = \"https://auth.corp/oauth/token\"\n",
            "PASSWORD_REGEX = \"^(?=.*[A-Z])(?=.*\\\\d).{8,}$\"\n",
            "token_pattern = r\"(?u)\\b\\w\\w+\\b\"\n",
            "api_key_env_var = \"OPENAI_API_KEY\"\n",
            "csrf_token = \"csrftoken\"\n",
            "password_hasher = \"pbkdf2_sha256\"\n",
            "max_tokens = 4096\n",
            "passwordLabel: \"Enter your password\",\n",
            "def login(user, password: str = None):\n    pass\n",
            "if password == \"\":\n    raise ValueError\n",
            "secret = f\"{prefix}-{name}\"\n",
            "password: ${DB_PASSWORD}\n",
            "const PASSWORD_MIN_LENGTH = 8;\n",
            "tokenizer = \"bert-base-uncased\"\n",
        ];
        for n in negatives {
            assert!(
                sc.scan_content("srv/app/module.py", n.as_bytes())
                    .is_empty(),
                "{n}"
            );
        }
        assert!(
            sc.scan_content(
                "etc/app/config.yaml",
                b"password: ${DB_PASSWORD}\nsecret: '{{ vault_secret }}'\n"
            )
            .is_empty()
        );
        assert!(
            sc.scan_content(
                "etc/app/i18n.json",
                "{\"password\": \"Passwort\", \"token\": \"Jeton\"}".as_bytes()
            )
            .is_empty()
        );
    }

    #[test]
    fn common_secret_files() {
        let sc = scanner();
        let pw = format!("{}7!", rnd(95, 10, ALNUM));
        let cases: Vec<(&str, String, Vec<&str>)> = vec![
            (
                "var/www/html/wp-config.php",
                format!("<?php\ndefine( 'DB_NAME', 'wp' );\ndefine( 'DB_PASSWORD', '{pw}' );\n"),
                vec!["secret-assignment"],
            ),
            (
                "app/Dockerfile",
                format!("FROM alpine\nENV DB_PASSWORD {pw}\nARG API_TOKEN={pw}\n"),
                vec!["secret-assignment", "secret-assignment"],
            ),
            (
                "app/docker-compose.yml",
                format!(
                    "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={pw}\n      MYSQL_PASSWORD: \"{pw}\"\n"
                ),
                vec!["secret-assignment", "secret-assignment"],
            ),
            (
                "root/.npmrc",
                format!(
                    "//registry.npmjs.org/:_authToken=npm_{}\n",
                    rnd(96, 36, ALNUM)
                ),
                vec!["npm-token"],
            ),
            (
                "root/.npmrc",
                "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".to_string(),
                vec![],
            ),
            (
                "root/.pypirc",
                format!(
                    "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc{}\n",
                    rnd(97, 80, ALNUM)
                ),
                vec!["pypi-token"],
            ),
            (
                "root/.git-credentials",
                format!("https://me:{pw}@gitlab.corp.io\n"),
                vec!["credentials-in-url"],
            ),
            (
                "etc/mysql/debian.cnf",
                format!("[client]\nuser = debian-sys-maint\npassword = {pw}\n"),
                vec!["secret-assignment"],
            ),
            (
                "app/k8s/secret.yaml",
                format!("kind: Secret\ndata:\n  password: {}==\n", rnd(98, 18, B64)),
                vec!["secret-assignment"],
            ),
            (
                "app/main.tf",
                format!("resource \"x\" \"y\" {{\n  password = \"{pw}\"\n}}\n"),
                vec!["secret-assignment"],
            ),
        ];
        for (path, text, want) in cases {
            let hits = sc.scan_content(path, text.as_bytes());
            assert_eq!(kinds(&hits), want, "{path}: {hits:?}");
            for h in &hits {
                assert!(!h.redacted.contains(&pw), "{h:?}");
            }
        }
    }

    #[test]
    fn library_code_only_runs_specific_detectors() {
        let sc = scanner();
        let text = "client_secret = 'Zq8wErt5Yu7Io9'\n";
        assert_eq!(
            kinds(&sc.scan_content("srv/app/auth.py", text.as_bytes())),
            vec!["secret-assignment"]
        );
        for lib in [
            "usr/lib/python3/dist-packages/oauthlib/auth.py",
            "usr/local/lib/python3.12/site-packages/x/auth.py",
            "app/node_modules/x/auth.js",
            "root/.cargo/registry/src/x/auth.rs",
        ] {
            assert!(sc.scan_content(lib, text.as_bytes()).is_empty(), "{lib}");
            let tok = format!("ghp_{}", rnd(99, 36, ALNUM));
            assert_eq!(
                kinds(&sc.scan_content(lib, tok.as_bytes())),
                vec!["github-token"]
            );
        }
        // Tool configuration next to a package cache is not library code.
        let xml = "<password>Zq8wErt5Yu7Io9</password>\n";
        assert_eq!(
            kinds(&sc.scan_content("root/.m2/settings.xml", xml.as_bytes())),
            vec!["secret-assignment"]
        );
        let toml = "[registry]\ntoken = \"cio_Zq8wErt5Yu7Io9Zq8w\"\n";
        assert_eq!(
            kinds(&sc.scan_content("root/.cargo/credentials.toml", toml.as_bytes())),
            vec!["generic-api-key"]
        );
    }

    // ----- free text (history) -------------------------------------------------------------

    #[test]
    fn history_lines() {
        let sc = scanner();
        let npm = format!("npm_{}", rnd(111, 36, ALNUM));
        let hits = sc.scan_text(&format!("RUN |1 NPM_TOKEN={npm} /bin/sh -c npm ci"));
        assert_one(&hits, "npm-token", &npm);
        assert_eq!(hits[0].line, Some(1));

        let cases = [
            (
                "/bin/sh -c mysql -uroot -pS3cretPw1 -e 'CREATE DATABASE app'",
                "S3cretPw1",
            ),
            (
                "/bin/sh -c docker login -u me -p Passw0rd9x registry.corp",
                "Passw0rd9x",
            ),
            (
                "/bin/sh -c curl -fsSL -u admin:Adm1nPw9z https://nexus.corp/x.tgz",
                "Adm1nPw9z",
            ),
            ("/bin/sh -c echo 'root:Dock3r!' | chpasswd", "Dock3r!"),
            ("/bin/sh -c ./install.sh --db-password=Qw9xZ2kL", "Qw9xZ2kL"),
            (
                "/bin/sh -c keytool -import -storepass S7rongPw -file x.crt",
                "S7rongPw",
            ),
            ("/bin/sh -c sshpass -p Ssh9Pass1 ssh u@h", "Ssh9Pass1"),
            (
                "/bin/sh -c wget --user=deploy --password=Zq8wErt5Yu https://files.corp/x",
                "Zq8wErt5Yu",
            ),
        ];
        for (line, secret) in cases {
            let hits = sc.scan_text(line);
            assert_one(&hits, "password-argument", secret);
        }
        let hits = sc.scan_text("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter22");
        assert_one(&hits, "secret-assignment", "hunter22");
        let bearer = rnd(112, 32, ALNUM);
        let hits = sc.scan_text(&format!(
            "/bin/sh -c curl -H \"Authorization: Bearer {bearer}\" https://api.corp/x"
        ));
        assert_one(&hits, "authorization-header", &bearer);
    }

    #[test]
    fn history_negatives() {
        let sc = scanner();
        for line in [
            "/bin/sh -c echo $PASSWORD | docker login --password-stdin -u me registry",
            "/bin/sh -c mysql -uroot -p -e 'select 1'",
            "/bin/sh -c mysql -uroot -p\"$MYSQL_ROOT_PASSWORD\" app",
            "/bin/sh -c ./run --password $DB_PASSWORD",
            "/bin/sh -c ./run --password \"${DB_PASSWORD}\"",
            "/bin/sh -c ./run --token-file /run/secrets/token",
            "/bin/sh -c #(nop)  ENV MYSQL_ROOT_PASSWORD=",
            "/bin/sh -c docker run -p 8080:80 x",
            "/bin/sh -c mkdir -p /app/secrets",
            "/bin/sh -c openssl req -passout env:PW -new",
            "/bin/sh -c docker buildx build --secret id=npmrc,src=.npmrc .",
            "/bin/sh -c curl -H \"Authorization: Bearer $TOKEN\" https://api.corp/x",
            "/bin/sh -c #(nop)  ENV TOKEN_URL=https://auth.corp/token",
            "usage: tool --password PASSWORD --api-key KEY",
            "/bin/sh -c apt-get install -y openssh-server passwd",
            "/bin/sh -c echo 'jenkins ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers",
            "/bin/sh -c #(nop)  ENV JAVA_OPTS=\"-Djavax.net.ssl.trustStorePassword=changeit\"",
            "/bin/sh -c #(nop)  ENV PYTHON_SHA256=c30bb24b7f1e9a19b11b55a546434f74e739bb4c271a3e3a80ff4380d49f7adb",
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
            "/bin/sh -c echo \"root:$ROOT_PASSWORD\" | chpasswd",
            "/bin/sh -c sed -i 's/#PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config",
            "/bin/sh -c ./configure --with-openssl --with-password-db=/etc/pw.db",
            "/bin/sh -c git clone https://oauth2:${GITLAB_TOKEN}@gitlab.com/x/y",
            "/bin/sh -c keytool -importcert -noprompt -storepass changeit -file /tmp/ca.crt",
        ] {
            assert!(
                sc.scan_text(line).is_empty(),
                "{line}: {:?}",
                sc.scan_text(line)
            );
        }
    }
}
