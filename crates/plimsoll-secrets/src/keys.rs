//! Key-name classifier: whether an ENV name, option, YAML key or XML tag names a secret.
//! One judgement for every rule family: the image's config, files in layers and the
//! Dockerfile's ENV and ARG lines.

/// Words in front of `key` that make the compound a secret (`api_key`, `private_key`...).
pub(crate) const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "private",
    "access",
    "secret",
    "auth",
    "encryption",
    "encrypt",
    "signing",
    "master",
    "session",
    "client",
    "app",
    "jwt",
    "account",
    "ssh",
    "deploy",
    "hmac",
    "shared",
    "storage",
    "subscription",
];

/// Words after the secret word that make the key name something else than the secret
/// (`PASSWORD_FILE`, `token_url`, `secret_name`, `api_key_id`...).
pub(crate) const POST_EXCLUDE: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "dirs",
    "directory",
    "folder",
    "location",
    "url",
    "uri",
    "urls",
    "endpoint",
    "host",
    "hostname",
    "port",
    "server",
    "domain",
    "length",
    "len",
    "min",
    "max",
    "minimum",
    "maximum",
    "size",
    "count",
    "limit",
    "limits",
    "ttl",
    "timeout",
    "expiry",
    "expires",
    "expire",
    "expiration",
    "expired",
    "lifetime",
    "age",
    "interval",
    "duration",
    "seconds",
    "secs",
    "sec",
    "minutes",
    "mins",
    "hours",
    "days",
    "ms",
    "type",
    "types",
    "kind",
    "name",
    "names",
    "header",
    "headers",
    "field",
    "fields",
    "param",
    "params",
    "parameter",
    "env",
    "var",
    "variable",
    "policy",
    "algorithm",
    "alg",
    "algo",
    "format",
    "prefix",
    "suffix",
    "hash",
    "hashed",
    "hasher",
    "hashers",
    "digest",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "checksum",
    "fingerprint",
    "id",
    "ids",
    "uid",
    "user",
    "username",
    "mode",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "allowed",
    "validity",
    "validation",
    "validator",
    "validators",
    "region",
    "regex",
    "regexp",
    "re",
    "pattern",
    "patterns",
    "label",
    "hint",
    "placeholder",
    "message",
    "msg",
    "error",
    "errors",
    "text",
    "title",
    "prompt",
    "description",
    "desc",
    "help",
    "display",
    "template",
    "version",
    "store",
    "storage",
    "provider",
    "backend",
    "class",
    "module",
    "method",
    "methods",
    "scheme",
    "strategy",
    "manager",
    "handler",
    "service",
    "factory",
    "generator",
    "context",
    "level",
    "rule",
    "rules",
    "strength",
    "complexity",
    "chars",
    "charset",
    "encoding",
    "input",
    "widget",
    "form",
    "button",
    "icon",
    "style",
    "css",
    "color",
    "width",
    "height",
    "visible",
    "visibility",
    "show",
    "hide",
    "toggle",
    "at",
    "time",
    "date",
    "timestamp",
    "index",
    "idx",
    "position",
    "offset",
    "number",
    "num",
    "reader",
    "writer",
    "parser",
    "lexer",
    "stream",
    "buffer",
    "list",
    "dict",
    "array",
    "queue",
    "source",
    "src",
    "ref",
    "reference",
    "arn",
    "stdin",
    "command",
    "cmd",
    "script",
    "callback",
    "hook",
    "option",
    "options",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "claim",
    "claims",
    "usage",
    "exists",
    "present",
    "changed",
    "updated",
    "created",
    "generated",
    "reset",
    "policy",
    "pepper",
    "encryption",
    "salt",
    "separator",
    "delimiter",
    "sep",
    "class",
    "cls",
];

/// Words before the secret word that make the key something else (`max_tokens`,
/// `MYSQL_ALLOW_EMPTY_PASSWORD`, `is_secret`...).
pub(crate) const PRE_EXCLUDE: &[&str] = &[
    "max",
    "min",
    "num",
    "count",
    "number",
    "length",
    "len",
    "allow",
    "allowed",
    "empty",
    "random",
    "no",
    "is",
    "has",
    "use",
    "uses",
    "with",
    "without",
    "require",
    "required",
    "validate",
    "check",
    "verify",
    "generate",
    "show",
    "hide",
    "forgot",
    "reset",
    "disable",
    "disabled",
    "enable",
    "enabled",
    "skip",
    "ignore",
    "mask",
    "masked",
    "csrf",
    "xsrf",
    "next",
    "page",
    "continuation",
    "cancel",
    "cancellation",
    "bypass",
    "expected",
    "special",
    "eof",
    "end",
    "start",
    "compare",
    "input",
    "output",
    "hash",
    "hashed",
    "sha",
    "md5",
];

/// What a secret-named key holds; it sets how strict the value checks are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyClass {
    /// `password`, `passwd`, `pass`, `pwd`, `passphrase`...
    Password,
    /// `secret`, `credentials`, `private_key`, `signing_key`...
    Secret,
    /// `token`, `api_key`, `access_key`, `auth`...
    Token,
}

/// Splits a key name into lower-case words: on non-alphanumerics and camelCase boundaries.
pub(crate) fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in key.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.is_empty() {
            continue;
        }
        let b = part.as_bytes();
        let mut start = 0;
        for i in 1..b.len() {
            let (p, c) = (b[i - 1], b[i]);
            let next_lower = b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = ((p.is_ascii_lowercase() || p.is_ascii_digit())
                && c.is_ascii_uppercase())
                || (p.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower);
            if boundary {
                words.push(part[start..i].to_ascii_lowercase());
                start = i;
            }
        }
        words.push(part[start..].to_ascii_lowercase());
    }
    words
}

/// The class of the secret word at `i`, and the index of its last word.
pub(crate) fn word_class(words: &[String], i: usize) -> Option<(KeyClass, usize)> {
    let w = words[i].as_str();
    let next = words.get(i + 1).map(String::as_str);
    if matches!(next, Some("key" | "keys")) && KEY_QUALIFIERS.contains(&w) {
        let class = if matches!(w, "api" | "access" | "auth") {
            KeyClass::Token
        } else {
            KeyClass::Secret
        };
        return Some((class, i + 1));
    }
    let ends = |stems: &[&str]| stems.iter().any(|s| w.ends_with(s));
    if w == "pass"
        || w == "pw"
        || w == "passin"
        || w == "passout"
        || ends(&[
            "password",
            "passwords",
            "passwd",
            "passphrase",
            "pwd",
            "storepass",
            "keypass",
        ])
    {
        return Some((KeyClass::Password, i));
    }
    if ends(&[
        "secret",
        "secrets",
        "credential",
        "credentials",
        "privatekey",
        "secretkey",
        "signingkey",
        "encryptionkey",
        "masterkey",
        "accountkey",
        "sessionkey",
    ]) {
        return Some((KeyClass::Secret, i));
    }
    if ends(&[
        "token",
        "tokens",
        "apikey",
        "apikeys",
        "accesskey",
        "authkey",
    ]) {
        return Some((KeyClass::Token, i));
    }
    if w == "auth" && words.len() == 1 {
        return Some((KeyClass::Token, i));
    }
    None
}

/// Variables the shell sets itself, whose names only look like secrets: `PWD` and `OLDPWD`
/// are working directories. Compared case-sensitively: `pwd: …` in a YAML file is a password.
const SHELL_VARIABLES: &[&str] = &["PWD", "OLDPWD"];

/// Whether a key (ENV name, option name, YAML key...) names a secret, and which kind.
pub fn classify_key(key: &str) -> Option<KeyClass> {
    if SHELL_VARIABLES.contains(&key) {
        return None;
    }
    let words = key_words(key);
    let mut found = None;
    let mut i = 0;
    while i < words.len() {
        if let Some((class, last)) = word_class(&words, i) {
            found = Some((class, i, last));
            i = last + 1;
        } else {
            i += 1;
        }
    }
    let (class, first, last) = found?;
    if words[last + 1..]
        .iter()
        .any(|w| POST_EXCLUDE.contains(&w.as_str()))
    {
        return None;
    }
    if words[..first]
        .iter()
        .any(|w| PRE_EXCLUDE.contains(&w.as_str()))
    {
        return None;
    }
    Some(class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_classification() {
        for k in [
            "password",
            "DB_PASSWORD",
            "dbPassword",
            "PGPASSWORD",
            "db_pass",
            "api_key",
            "apiKey",
            "APIKey",
            "x-api-key",
            "SECRET_KEY_BASE",
            "client_secret",
            "GITHUB_TOKEN",
            "_authToken",
            "private_key",
            "ENCRYPTION_KEY",
            "aws_secret_access_key",
            "credentials",
            "auth",
        ] {
            assert!(classify_key(k).is_some(), "{k}");
        }
        for k in [
            "PASSWORD_FILE",
            "password_min_length",
            "max_tokens",
            "tokenizer",
            "GPG_KEY",
            "bypass",
            "compass",
            "primary_key",
            "cache_key",
            "SECRET_NAME",
            "token_url",
            "AWS_ACCESS_KEY_ID",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "passwordPlaceholder",
            "auth_method",
            "author",
        ] {
            assert!(classify_key(k).is_none(), "{k}");
        }
    }

    #[test]
    fn shell_variables_and_pointer_words() {
        assert_eq!(classify_key("PWD"), None);
        assert_eq!(classify_key("OLDPWD"), None);
        assert_eq!(classify_key("pwd"), Some(KeyClass::Password));
        assert_eq!(classify_key("DB_PWD"), Some(KeyClass::Password));
        assert_eq!(classify_key("PGPASSWORD"), Some(KeyClass::Password));
        assert_eq!(classify_key("AWS_SECRET_REGION"), None);
    }
}
