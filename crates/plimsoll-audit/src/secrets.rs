//! Secret scanner for practice P-C6 ("No secrets in the image"): private keys, cloud
//! credentials, tokens and passwords in files, ENV, ARG, labels and build history.
//!
//! How it works:
//!
//! * [`SecretScanner::wants_path`] rejects, from path and size alone, files that are never
//!   worth reading (binaries by extension, documentation, locales, certificate bundles, test
//!   fixtures shipped inside language packages, files above 2 MiB).
//! * [`SecretScanner::scan_content`] skips binary content, then runs a keyword prefilter:
//!   two Aho-Corasick passes (three for shell scripts) over small case-sensitive keyword sets,
//!   which the crate runs as SIMD "Teddy" searches at several GB/s. When no keyword occurs,
//!   which is the common case, nothing else runs. Each keyword hit arms only the detectors it
//!   can start (a `ghp_` the GitHub detector, a `password` the assignment and command-line
//!   detectors) on the line around it (a window of it for minified code); only those lines
//!   reach those regexes. Regexes are compiled once, in [`SecretScanner::new`].
//! * In third-party code (distribution and toolchain directories, `site-packages`,
//!   `node_modules`, `vendor`, package caches...) only the specific detectors run: private
//!   keys, prefixed tokens, AWS secret keys and (strictly checked) URL credentials. Key-name
//!   detectors there match documentation examples and public client constants, not leaks.
//! * Every candidate is then validated (length, alphabet, boundaries, placeholder and
//!   reference detection, `EXAMPLE` markers, leetspeak placeholders, well-known RFC example
//!   credentials, low diversity) because a false positive costs as much as a miss.
//!
//! The reported `redacted` text never contains the secret: the secret part keeps at most its
//! first 4 characters (fewer for short secrets) and the rest becomes at most 12 `*`. Where it
//! helps reading the report, the non-secret context is kept around it (the key name of an
//! assignment, `scheme://user:…@host` of a URL, the option of a command line, the
//! `-----BEGIN … PRIVATE KEY-----` marker of a key).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

/// One secret found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHit {
    /// Stable id of the detector, e.g. `"aws-access-key-id"`; see [`SecretScanner::KINDS`].
    pub kind: String,
    /// Human text, e.g. `"AWS access key ID"`.
    pub description: String,
    /// 1-based line in the scanned file or text; `None` for key/values (ENV, ARG, labels).
    pub line: Option<u32>,
    /// The finding with the secret part masked: never the whole secret.
    pub redacted: String,
}

/// Largest file [`SecretScanner::wants_path`] accepts.
const MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;
/// How much of the content is sniffed for binary data.
const SNIFF_LEN: usize = 8 * 1024;
/// A keyword's line is scanned whole when it is at most this long on each side of the keyword...
const MAX_LINE: usize = 4096;
/// ...otherwise (minified code) only this much around the keyword.
const WINDOW: usize = 1024;
/// At most this many hits are reported per scanned file / text.
const MAX_HITS: usize = 100;
/// Longest secret value an assignment may carry.
const MAX_VALUE_LEN: usize = 512;

// Detector bits: a keyword arms a set of detectors; bit TOKEN_BIT0 + i is TOKEN_SPECS[i].
const B_PEM: u64 = 1;
const B_AWS_SECRET: u64 = 1 << 1;
const B_URL: u64 = 1 << 2;
const B_ASSIGN: u64 = 1 << 3;
const B_CMD: u64 = 1 << 4;
const B_AUTHZ: u64 = 1 << 5;
const TOKEN_BIT0: usize = 8;

// Priorities used when two findings cover the same bytes: the most specific one wins.
const P_TOKEN: u8 = 4;
const P_URL: u8 = 3;
const P_CMD: u8 = 2;
const P_ASSIGN: u8 = 1;

const K_PRIVATE_KEY: (&str, &str) = ("private-key", "Private key");
const K_AWS_SECRET: (&str, &str) = ("aws-secret-access-key", "AWS secret access key");
const K_URL: (&str, &str) = ("credentials-in-url", "Credentials embedded in a URL");
const K_AUTHZ: (&str, &str) = (
    "authorization-header",
    "Credentials in an HTTP Authorization header",
);
const K_CMD: (&str, &str) = (
    "password-argument",
    "Password or token passed on a command line",
);
const K_ASSIGN: (&str, &str) = (
    "secret-assignment",
    "Value assigned to a key named like a secret",
);
const K_GENERIC: (&str, &str) = (
    "generic-api-key",
    "High-entropy API key or token assigned to a key named like one",
);

/// A token with a recognisable prefix.
struct TokenSpec {
    kind: &'static str,
    description: &'static str,
    /// Prefilter keywords (case-sensitive) that arm this detector.
    keywords: &'static [&'static str],
    /// Fixed prefix followed by a greedy run of the token alphabet; group 1, when present, is
    /// the secret.
    pattern: &'static str,
    /// Bytes that would continue the token: the byte before and after must not be one.
    /// `None` when the pattern carries its own context.
    boundary: Option<fn(u8) -> bool>,
    min_len: usize,
    max_len: usize,
    check: fn(&[u8]) -> bool,
}

const TOKEN_SPECS: &[TokenSpec] = &[
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

// Each token spec owns one bit of the u64 detector mask.
const _: () = assert!(TOKEN_BIT0 + TOKEN_SPECS.len() <= 64);

/// Case-sensitive keyword pass for the word-like detectors; the case variants people actually
/// write are listed (lower, UPPER, Capitalised, and camelCase compounds).
const WORD_KEYWORDS: &[(&str, u64)] = &[
    ("pass", B_ASSIGN | B_CMD),
    ("Pass", B_ASSIGN | B_CMD),
    ("PASS", B_ASSIGN | B_CMD),
    ("pwd", B_ASSIGN | B_CMD),
    ("Pwd", B_ASSIGN | B_CMD),
    ("PWD", B_ASSIGN | B_CMD),
    ("_pw", B_ASSIGN),
    ("_PW", B_ASSIGN),
    ("secret", B_ASSIGN | B_CMD | B_AWS_SECRET),
    ("Secret", B_ASSIGN | B_CMD | B_AWS_SECRET),
    ("SECRET", B_ASSIGN | B_CMD | B_AWS_SECRET),
    ("token", B_ASSIGN | B_CMD),
    ("Token", B_ASSIGN | B_CMD),
    ("TOKEN", B_ASSIGN | B_CMD),
    ("credential", B_ASSIGN | B_CMD),
    ("Credential", B_ASSIGN | B_CMD),
    ("CREDENTIAL", B_ASSIGN | B_CMD),
    ("_key", B_ASSIGN | B_CMD),
    ("_KEY", B_ASSIGN | B_CMD),
    ("-key", B_ASSIGN | B_CMD),
    ("apiKey", B_ASSIGN | B_CMD),
    ("ApiKey", B_ASSIGN | B_CMD),
    ("apikey", B_ASSIGN | B_CMD),
    ("APIKEY", B_ASSIGN | B_CMD),
    ("privateKey", B_ASSIGN),
    ("PrivateKey", B_ASSIGN),
    ("accessKey", B_ASSIGN),
    ("AccessKey", B_ASSIGN),
    ("\"auth\"", B_ASSIGN),
    ("uthorization", B_AUTHZ),
    ("UTHORIZATION", B_AUTHZ),
    ("://", B_URL),
];

/// Extra pass for shell scripts, Dockerfiles and build history: commands that take a password
/// without a keyword in sight (`mysql -pX`, `docker login -p X`, `curl -u user:X`).
const CMD_KEYWORDS: &[(&str, u64)] = &[
    ("mysql", B_CMD),
    ("mariadb", B_CMD),
    ("login", B_CMD),
    ("curl", B_CMD),
];

/// Keyword pass for library code (see [`is_library_path`]), where only the specific
/// detectors run: prefixed tokens and private keys (token pass), AWS secret keys and URLs.
const LIB_KEYWORDS: &[(&str, u64)] = &[
    ("secret", B_AWS_SECRET),
    ("Secret", B_AWS_SECRET),
    ("SECRET", B_AWS_SECRET),
    ("://", B_URL),
];

/// Where distributions and language toolchains install third-party code. Key-name based
/// detectors (assignments, command-line options, Authorization headers) do not run there:
/// in vendor code they match documentation examples and public client constants, not leaks.
const LIBRARY_PREFIXES: &[&str] = &[
    "usr/lib/",
    "usr/lib64/",
    "usr/libexec/",
    "usr/share/",
    "usr/local/lib/",
    "usr/local/lib64/",
    "usr/local/libexec/",
    "usr/local/share/",
    "usr/local/go/",
    "usr/local/cargo/",
    "usr/local/rustup/",
    "lib/",
    "lib64/",
    "opt/conda/",
    "root/.rustup/",
    "root/.cache/",
];

/// Directory names holding third-party packages wherever they are (`app/node_modules/...`).
const LIBRARY_DIRS: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "bower_components",
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "gems",
    "perl5",
];

/// Package caches under a tool's home; the tool's own config next to them (`~/.m2/settings.xml`,
/// `~/.cargo/credentials.toml`) is not library code.
const LIBRARY_SUBPATHS: &[&str] = &[
    ".m2/repository/",
    ".cargo/registry/",
    ".cargo/git/",
    "cargo/registry/",
    ".gradle/caches/",
    ".npm/_cacache/",
    ".yarn/cache/",
    "go/pkg/mod/",
];

/// Application content served from under a library prefix.
const WEB_ROOTS: &[&str] = &["usr/share/nginx/", "usr/share/caddy/", "usr/local/apache2/"];

/// Path prefixes never scanned.
const SKIP_PREFIXES: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/i18n/",
    "usr/share/zoneinfo",
    "usr/share/licenses/",
    "usr/share/common-licenses/",
    "usr/share/mime/",
    "usr/share/icons/",
    "usr/share/fonts/",
    "usr/share/terminfo/",
    "usr/share/X11/locale/",
    "usr/share/ca-certificates/",
    "usr/share/pki/",
    "usr/local/share/doc/",
    "usr/local/share/man/",
    "usr/local/share/ca-certificates/",
    "usr/include/",
    "usr/local/include/",
    "usr/lib/locale/",
    "etc/ssl/certs/",
    "etc/pki/ca-trust/",
    "etc/pki/tls/certs/",
    "etc/ca-certificates/",
    "var/lib/apt/lists/",
    "var/lib/dpkg/",
    "var/lib/rpm/",
    "var/cache/apt/",
    "var/cache/ldconfig/",
    "var/cache/fontconfig/",
    "var/cache/man/",
    "lib/apk/db/",
    "proc/",
    "sys/",
    "dev/",
];

/// Public certificate bundles (file names, lower case).
const CERT_BUNDLES: &[&str] = &[
    "ca-certificates.crt",
    "ca-certificates.pem",
    "ca-bundle.crt",
    "ca-bundle.pem",
    "ca-bundle.trust.crt",
    "tls-ca-bundle.pem",
    "cacert.pem",
    "cacerts.pem",
    "ca-root-nss.crt",
    "cert.pem",
];

/// Extensions of files that are binary (or compressed) and never hold a readable secret.
const BINARY_EXTS: &[&str] = &[
    "so", "a", "o", "ko", "obj", "lib", "dll", "exe", "bin", "dylib", "node", "wasm", "class",
    "dex", "pyc", "pyo", "pyd", "mo", "gmo", "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns",
    "webp", "tif", "tiff", "psd", "xcf", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "lz4",
    "lzma", "lz", "z", "7z", "rar", "zip", "jar", "war", "ear", "aar", "whl", "egg", "apk", "deb",
    "rpm", "iso", "img", "qcow2", "vmdk", "tar", "ttf", "otf", "woff", "woff2", "eot", "pfb",
    "pcf", "mp3", "mp4", "m4a", "ogg", "oga", "wav", "flac", "avi", "mkv", "mov", "webm", "db",
    "sqlite", "sqlite3", "pdf", "pack", "idx", "jks", "p12", "pfx", "keystore", "der",
];

/// Directories that hold third-party language packages (their test fixtures are skipped).
const PACKAGE_ROOTS: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "vendor",
    "gems",
    "go",
    "perl5",
    ".cargo",
    ".npm",
    ".yarn",
    ".m2",
    ".gradle",
    "third_party",
    "third-party",
    "thirdparty",
    "vendored",
    "bower_components",
];

/// Test / example directories inside a language package.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "test_data",
    "test-data",
    "__tests__",
    "spec",
    "specs",
    "fixture",
    "fixtures",
    "__fixtures__",
    "example",
    "examples",
    "sample",
    "samples",
    "doc",
    "docs",
    "testsuite",
    "test-suite",
    "testcases",
    "dummyserver",
];

/// Values that are placeholders or no value at all (compared lower-cased).
const PLACEHOLDER_EXACT: &[&str] = &[
    "-",
    "--",
    "~",
    "_",
    "true",
    "false",
    "yes",
    "no",
    "y",
    "n",
    "on",
    "off",
    "0",
    "1",
    "null",
    "nil",
    "none",
    "undefined",
    "undef",
    "empty",
    "n/a",
    "na",
    "tbd",
    "tba",
    "unset",
    "unknown",
    "disabled",
    "enabled",
    "auto",
    "random",
    "generate",
    "generated",
    "prompt",
    "ask",
    "required",
    "optional",
    "hidden",
    "masked",
    "mask",
    "value",
    "val",
    "string",
    "str",
    "text",
    "bytes",
    "int",
    "arg",
    "args",
    "foo",
    "bar",
    "baz",
    "abc",
    "abc123",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "pass",
    "pw",
    "pwd",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "user",
    "username",
    "guest",
    "tiger",
    "stdin",
    "env",
    "file",
    "keyring",
];

/// Substrings that mark a value as a placeholder (compared lower-cased).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "change_it",
    "placeholder",
    "redacted",
    "dummy",
    "sample",
    "your_",
    "your-",
    "your.",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "yourapi",
    "xxxx",
    "****",
    "....",
    "replace",
    "insert",
    "fixme",
    "todo",
    "fake",
    "password",
    "passwd",
    "secret",
    "token",
    "notreal",
    "not_real",
    "not-real",
    "mock",
    "test",
    "foobar",
    "lorem",
    "asdf",
];

/// Example credentials copied from RFCs and documentation into many libraries (lower-cased).
const KNOWN_EXAMPLES: &[&str] = &[
    "2yotnfzfejr1zcsicmwpaa",
    "tgzv3jokf0xg5qx2tlkwia",
    "splxlobezqqybys6wxsbia",
    "s6bhdrkqt3",
    "gx1fbat3bv",
    "czzcagrsa3f0mzpnwdfmqmf0m2jw",
    "h480djs93hd8",
    "mf_9.b5f-4.1jqm",
    "kkk9d7dh3k39sjv7",
    "ad180jjd733klru7",
    "aladdin",
    "opensesame",
    "qwxhzgrpbjpvcgvuihnlc2ftzq",
    "jschmoe",
    "xyzzy",
    "geheim$parole",
];

/// Value prefixes that make it a reference to a secret kept elsewhere (lower-cased).
const REFERENCE_PREFIXES: &[&str] = &[
    "file:",
    "env:",
    "fd:",
    "vault:",
    "arn:",
    "op://",
    "ssm:",
    "secretsmanager:",
    "awssm:",
    "gcpsm:",
    "sm://",
    "k8s:",
    "secret:",
    "secretref:",
    "keyvault:",
    "@microsoft.keyvault",
    "projects/",
];

/// Words in front of `key` that make the compound a secret (`api_key`, `private_key`...).
const KEY_QUALIFIERS: &[&str] = &[
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
const POST_EXCLUDE: &[&str] = &[
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
const PRE_EXCLUDE: &[&str] = &[
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyClass {
    Password,
    Secret,
    Token,
}

/// Where the scanned bytes come from.
#[derive(Clone, Copy, Debug)]
struct Scope {
    tier: Tier,
    /// `.netrc`: `password X` lines.
    netrc: bool,
    /// Third-party code: only the specific detectors run.
    library: bool,
}

/// How strict value checks are, chosen from where the text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// ENV / ARG / label value: any non-placeholder value of a secret-named key counts.
    KeyValue,
    /// `.env` files: explicit secret stores, lenient.
    DotEnv,
    /// Configuration files (yaml, json, ini, properties, ...): moderate.
    Config,
    /// Shell scripts, Dockerfiles: moderate, plus command-line detectors.
    Shell,
    /// Source code and everything else: only quoted literals, strict.
    Code,
    /// Free text such as a history `created_by` line: like [`Tier::Shell`].
    Text,
}

struct Prefilter {
    ac: AhoCorasick,
    masks: Vec<u64>,
}

impl Prefilter {
    fn new(keywords: &[(&str, u64)]) -> Self {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(keywords.iter().map(|(k, _)| k))
            .expect("secret scanner keywords compile");
        Prefilter {
            ac,
            masks: keywords.iter().map(|(_, m)| *m).collect(),
        }
    }

    fn collect(&self, hay: &[u8], out: &mut Vec<(usize, usize, u64)>) {
        for m in self.ac.find_iter(hay) {
            out.push((m.start(), m.end(), self.masks[m.pattern().as_usize()]));
        }
    }
}

struct TokenRule {
    spec: &'static TokenSpec,
    re: Regex,
    has_group: bool,
}

struct CmdRule {
    re: Regex,
    /// Capture group of the secret.
    value: usize,
    /// Capture group of the option name that must be named like a secret.
    name: Option<usize>,
    /// Capture group interpolated as `{L}` in `template`.
    label: Option<usize>,
    /// Redacted rendering; `{L}` is the label group, `{V}` the redacted value.
    template: &'static str,
    /// Values must look like real secrets (the generic option rule), not only be non-placeholders.
    strict: bool,
}

/// A finding before line numbers and deduplication.
struct Cand {
    start: usize,
    end: usize,
    prio: u8,
    kind: &'static str,
    description: &'static str,
    redacted: String,
}

/// The secret scanner; build it once ([`SecretScanner::new`]) and share it between threads.
pub struct SecretScanner {
    token_pass: Prefilter,
    word_pass: Prefilter,
    cmd_pass: Prefilter,
    lib_pass: Prefilter,
    tokens: Vec<TokenRule>,
    pem: Regex,
    putty: Regex,
    aws_secret: Regex,
    url: Regex,
    authz: Regex,
    assign: Regex,
    xml: Regex,
    /// PHP `define('DB_PASSWORD', 'x')`, Dockerfile `ENV KEY value`: group 1 key, 2 value.
    key_value_forms: Vec<Regex>,
    netrc: Regex,
    cmds: Vec<CmdRule>,
}

impl Default for SecretScanner {
    fn default() -> Self {
        Self::new()
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("secret scanner regex compiles")
}

impl SecretScanner {
    /// Every `kind` the scanner can report.
    pub const KINDS: &'static [&'static str] = &[
        "private-key",
        "aws-access-key-id",
        "aws-secret-access-key",
        "github-token",
        "gitlab-token",
        "slack-token",
        "slack-webhook",
        "stripe-key",
        "google-api-key",
        "npm-token",
        "pypi-token",
        "dockerhub-token",
        "anthropic-api-key",
        "openai-api-key",
        "azure-storage-key",
        "credentials-in-url",
        "authorization-header",
        "password-argument",
        "secret-assignment",
        "generic-api-key",
    ];

    pub fn new() -> Self {
        let mut token_keywords: Vec<(&str, u64)> =
            vec![("PRIVATE KEY", B_PEM), ("PuTTY-User-Key-File", B_PEM)];
        let mut tokens = Vec::with_capacity(TOKEN_SPECS.len());
        for (i, spec) in TOKEN_SPECS.iter().enumerate() {
            for k in spec.keywords {
                token_keywords.push((*k, 1u64 << (TOKEN_BIT0 + i)));
            }
            let re = re(&format!("(?-u){}", spec.pattern));
            let has_group = re.captures_len() > 1;
            tokens.push(TokenRule {
                spec,
                re,
                has_group,
            });
        }

        // Value of an option: quoted, or a bare word up to a shell separator.
        const OPT_VALUE: &str = r#"("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;|&)<>\-][^\s"'`;|&)<>]*)"#;
        const SH_VALUE: &str = r#"("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;|&\-][^\s"'`;|&]*)"#;
        let cmds = vec![
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
                    r#"(?-u)\bcurl\b[^\r\n;&|]*?[ \t](?:-u|--user)(?:[ \t]+|=)?["']?([^\s:"'$]+):([^\s"'`;|&]+)"#,
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
        ];

        SecretScanner {
            token_pass: Prefilter::new(&token_keywords),
            word_pass: Prefilter::new(WORD_KEYWORDS),
            cmd_pass: Prefilter::new(CMD_KEYWORDS),
            lib_pass: Prefilter::new(LIB_KEYWORDS),
            tokens,
            pem: re(r"(?-u)-{4,5} ?BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)? ?-{4,5}"),
            putty: re(r"(?-u)PuTTY-User-Key-File-[0-9]+: *[A-Za-z0-9@.\-]+"),
            aws_secret: re(
                r#"(?i-u)(aws[_.\-]?secret[_.\-]?(?:access[_.\-]?)?key|secret[_.\-]?access[_.\-]?key)["']?(?:[ \t]*(?::=|=>|=|:|>)[ \t]*|[ \t]+)["']?([A-Za-z0-9/+]+)"#,
            ),
            url: re(
                r#"(?-u)([A-Za-z][A-Za-z0-9+.\-]{0,30})://([^\s:/?#@"'<>\[\]{}\\|^`]*):([^\s/?#@"'<>\\|^`]+)@([A-Za-z0-9][A-Za-z0-9_.\-]*|\[[0-9A-Fa-f:.]+\])"#,
            ),
            authz: re(
                r#"(?i-u)authorization["']?[ \t]*[:=][ \t]*["']?(bearer|basic|token|bot)[ \t]+([A-Za-z0-9._~+/=\-]+)"#,
            ),
            assign: re(
                r#"(?-u)(?:^|[^A-Za-z0-9_$.\-])["']?([A-Za-z_][A-Za-z0-9_.\-]{0,100})["']?[ \t]*(:=|=>|=|:)[ \t]*("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`,;#=(){}\[\]<>\\|][^\s"'`,;#(){}\[\]<>\\|]*)"#,
            ),
            key_value_forms: vec![
                re(
                    r#"(?-u)\bdefine\([ \t]*["']([A-Za-z_][A-Za-z0-9_]*)["'][ \t]*,[ \t]*("[^"\r\n]*"|'[^'\r\n]*')[ \t]*\)"#,
                ),
                re(
                    r#"(?m-u)^[ \t]*(?:ENV|ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'=][^\s"']*)[ \t]*$"#,
                ),
            ],
            xml: re(
                r"(?-u)<([A-Za-z_][A-Za-z0-9_.:\-]{0,100})>([^<>\r\n]{1,512})</([A-Za-z_][A-Za-z0-9_.:\-]{0,100})>",
            ),
            netrc: re(r"(?-u)(?:^|\s)password[ \t]+(\S+)"),
            cmds,
        }
    }

    /// Cheap decision from path and size alone (path without leading slash, e.g.
    /// `srv/app/.env`): `false` for files that are never scanned: empty or above 2 MiB,
    /// documentation, man pages, locales, zoneinfo, headers, package-manager databases,
    /// binaries by extension (`.so`, `.so.N`, `.a`, `.o`, images, archives, `.pyc`, `.mo`,
    /// fonts, keystores...), public certificate bundles and certificate directories, Go
    /// `testdata/`, and test/example directories and test files inside third-party code
    /// (`…/site-packages/…/tests/…`, `node_modules/**/test/**`, `*_test.go`...).
    pub fn wants_path(&self, path: &str, size: u64) -> bool {
        if size == 0 || size > MAX_FILE_SIZE {
            return false;
        }
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if SKIP_PREFIXES.iter().any(|p| path.starts_with(p)) {
            return false;
        }
        let (dirs, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        let lname = name.to_ascii_lowercase();
        if CERT_BUNDLES.contains(&lname.as_str()) {
            return false;
        }
        if let Some(dot) = lname.rfind('.') {
            let ext = &lname[dot + 1..];
            if BINARY_EXTS.contains(&ext) {
                return false;
            }
        }
        // Versioned shared libraries: libfoo.so.1.2.3
        if lname.contains(".so.") {
            return false;
        }
        let comps: Vec<&str> = if dirs.is_empty() {
            Vec::new()
        } else {
            dirs.split('/').collect()
        };
        if comps.contains(&"testdata") {
            return false;
        }
        if let Some(root) = library_root(path, &comps) {
            if comps[root + 1..].iter().any(|c| TEST_DIRS.contains(c)) {
                return false;
            }
            if is_test_file_name(&lname) {
                return false;
            }
        }
        true
    }

    /// Scans a file's content (possibly only a prefix of the file). Binary content (NUL in
    /// the first 8 KiB, or ELF / Mach-O / PE / archive / image magic) yields nothing, and so
    /// does content where no prefilter keyword occurs, without running any regex. Lines of the
    /// hits are 1-based.
    pub fn scan_content(&self, path: &str, content: &[u8]) -> Vec<SecretHit> {
        if content.is_empty() || is_binary(content) {
            return Vec::new();
        }
        let (tier, netrc) = tier_for_path(path, content);
        let scope = Scope {
            tier,
            netrc,
            library: is_library_path(path),
        };
        let cands = self.scan_bytes(content, scope, u64::MAX);
        finish(content, cands, true)
    }

    /// Scans an ENV variable, build ARG or label. Reports token patterns and URL credentials
    /// in the value, and keys named like a secret (`password`, `passwd`, `pass`, `secret`,
    /// `token`, `api_key`/`apiKey`, `private_key`, `access_key`, `credentials`...) unless the
    /// name says it is something else (`*_FILE`, `*_PATH`, `*_URL`, `*_NAME`, `*_ID`,
    /// `MAX_TOKENS`, `MYSQL_ALLOW_EMPTY_PASSWORD`...) or the value is empty, a placeholder
    /// (`changeme`, `xxx`, `<...>`, `none`, `null`, booleans, anything containing `example`
    /// or the word `password`...) or a reference (`$X`, `${X}`, `/run/secrets/...`, a path,
    /// `vault:`, `arn:`...). Any other value counts, however weak. Hits have no line.
    pub fn scan_key_value(&self, key: &str, value: &str) -> Vec<SecretHit> {
        let value_trim = value.trim();
        if value_trim.is_empty() {
            return Vec::new();
        }
        let combined = format!("{key}={value}");
        let hay = combined.as_bytes();
        let scope = Scope {
            tier: Tier::KeyValue,
            netrc: false,
            library: false,
        };
        let mut cands = self.scan_bytes(hay, scope, !B_ASSIGN);
        if let Some(class) = classify_key(key) {
            let v = strip_quotes(value_trim);
            if value_ok(v.as_bytes(), true, class, Tier::KeyValue) {
                let start = key.len() + 1;
                cands.push(Cand {
                    start,
                    end: hay.len(),
                    prio: P_ASSIGN,
                    kind: K_ASSIGN.0,
                    description: K_ASSIGN.1,
                    redacted: format!("{key}={}", redact(v.as_bytes())),
                });
            }
        }
        finish(hay, cands, false)
    }

    /// Scans free text such as a history `created_by` line: token patterns, URL credentials,
    /// `KEY=value` assignments (ARG values show up as `|1 KEY=value` in history), command-line
    /// passwords (`--password X`, `mysql -pX`, `docker login -p X`, `curl -u user:X`,
    /// `sshpass -p X`, `echo user:X | chpasswd`, `htpasswd -b f user X`) and Authorization
    /// headers. Lines are 1-based within `text`.
    pub fn scan_text(&self, text: &str) -> Vec<SecretHit> {
        let hay = text.as_bytes();
        let scope = Scope {
            tier: Tier::Text,
            netrc: false,
            library: false,
        };
        let cands = self.scan_bytes(hay, scope, u64::MAX);
        finish(hay, cands, true)
    }

    fn scan_bytes(&self, hay: &[u8], scope: Scope, mut allowed: u64) -> Vec<Cand> {
        let mut kw: Vec<(usize, usize, u64)> = Vec::new();
        self.token_pass.collect(hay, &mut kw);
        if scope.library {
            self.lib_pass.collect(hay, &mut kw);
            allowed &= !(B_ASSIGN | B_CMD | B_AUTHZ);
        } else {
            self.word_pass.collect(hay, &mut kw);
            if matches!(scope.tier, Tier::Shell | Tier::Text | Tier::KeyValue) {
                self.cmd_pass.collect(hay, &mut kw);
            }
        }
        let mut cands = Vec::new();
        if kw.is_empty() {
            return cands;
        }
        kw.sort_unstable_by_key(|k| k.0);
        for (s, e, mask) in build_regions(hay, &kw) {
            let mask = mask & allowed;
            if mask != 0 {
                self.scan_region(hay, s, e, mask, scope, &mut cands);
            }
            if cands.len() > 4 * MAX_HITS {
                break;
            }
        }
        cands
    }

    fn scan_region(
        &self,
        hay: &[u8],
        s: usize,
        e: usize,
        mask: u64,
        scope: Scope,
        out: &mut Vec<Cand>,
    ) {
        let tier = scope.tier;
        let region = &hay[s..e];
        if mask & B_PEM != 0 {
            self.find_private_keys(hay, s, region, out);
        }
        for (i, rule) in self.tokens.iter().enumerate() {
            if mask & (1u64 << (TOKEN_BIT0 + i)) != 0 {
                find_tokens(rule, hay, s, region, out);
            }
        }
        if mask & B_AWS_SECRET != 0 {
            self.find_aws_secrets(hay, s, region, out);
        }
        if mask & B_URL != 0 {
            let strict = scope.library || tier == Tier::Code;
            self.find_url_credentials(s, region, strict, out);
        }
        if mask & B_AUTHZ != 0 {
            self.find_authorization(s, region, out);
        }
        if mask & B_CMD != 0 {
            self.find_command_passwords(s, region, tier, out);
        }
        if mask & B_ASSIGN != 0 && tier != Tier::KeyValue {
            self.find_assignments(hay, s, region, tier, scope.netrc, out);
        }
    }

    fn find_private_keys(&self, hay: &[u8], s: usize, region: &[u8], out: &mut Vec<Cand>) {
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

    fn find_aws_secrets(&self, hay: &[u8], s: usize, region: &[u8], out: &mut Vec<Cand>) {
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

    fn find_url_credentials(&self, s: usize, region: &[u8], strict: bool, out: &mut Vec<Cand>) {
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

    fn find_authorization(&self, s: usize, region: &[u8], out: &mut Vec<Cand>) {
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

    fn find_command_passwords(&self, s: usize, region: &[u8], tier: Tier, out: &mut Vec<Cand>) {
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

    fn find_assignments(
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
            let rb = raw.as_bytes();
            let quoted = rb.len() >= 2 && (rb[0] == b'"' || rb[0] == b'\'');
            let (vs, ve) = if quoted {
                (raw.start() + 1, raw.end() - 1)
            } else {
                (raw.start(), raw.end())
            };
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
                let rb = raw.as_bytes();
                let quoted = rb.len() >= 2 && (rb[0] == b'"' || rb[0] == b'\'');
                let (vs, ve) = if quoted {
                    (raw.start() + 1, raw.end() - 1)
                } else {
                    (raw.start(), raw.end())
                };
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

fn push_assignment(
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

fn find_tokens(rule: &TokenRule, hay: &[u8], s: usize, region: &[u8], out: &mut Vec<Cand>) {
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

/// Lines (or windows of very long lines) around each keyword hit, merged, with the union of
/// the detectors their keywords arm. `kw` is sorted by start.
fn build_regions(hay: &[u8], kw: &[(usize, usize, u64)]) -> Vec<(usize, usize, u64)> {
    let mut out: Vec<(usize, usize, u64)> = Vec::new();
    for &(ks, ke, mask) in kw {
        if let Some(last) = out.last_mut()
            && ke <= last.1
        {
            last.2 |= mask;
            continue;
        }
        let (rs, re) = region_around(hay, ks, ke);
        match out.last_mut() {
            Some(last) if rs <= last.1 => {
                last.1 = last.1.max(re);
                last.2 |= mask;
            }
            _ => out.push((rs, re, mask)),
        }
    }
    out
}

fn region_around(hay: &[u8], s: usize, e: usize) -> (usize, usize) {
    let lo = s.saturating_sub(MAX_LINE);
    let start = match hay[lo..s].iter().rposition(|&b| b == b'\n') {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => snap_left(hay, s.saturating_sub(WINDOW)),
    };
    let hi = (e + MAX_LINE).min(hay.len());
    let end = match hay[e..hi].iter().position(|&b| b == b'\n') {
        Some(i) => e + i,
        None if hi == hay.len() => hi,
        None => snap_right(hay, (e + WINDOW).min(hay.len())),
    };
    (start, end)
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`,;{}[]()<>".contains(&b)
}

fn snap_left(hay: &[u8], p: usize) -> usize {
    let lo = p.saturating_sub(256);
    (lo..=p)
        .rev()
        .find(|&i| i == 0 || is_delim(hay[i - 1]))
        .unwrap_or(p)
}

fn snap_right(hay: &[u8], p: usize) -> usize {
    let hi = (p + 256).min(hay.len());
    (p..=hi)
        .find(|&i| i == hay.len() || is_delim(hay[i]))
        .unwrap_or(p)
}

/// Sorts, deduplicates overlapping findings (the most specific wins), numbers lines.
fn finish(hay: &[u8], mut cands: Vec<Cand>, with_lines: bool) -> Vec<SecretHit> {
    cands.sort_by(|a, b| a.start.cmp(&b.start).then(b.prio.cmp(&a.prio)));
    let mut kept: Vec<Cand> = Vec::new();
    for c in cands {
        let overlapping: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|(_, k)| k.start < c.end && c.start < k.end)
            .map(|(i, _)| i)
            .collect();
        if overlapping.iter().any(|&i| kept[i].prio >= c.prio) {
            continue;
        }
        for i in overlapping.into_iter().rev() {
            kept.remove(i);
        }
        kept.push(c);
    }
    kept.sort_by_key(|c| c.start);
    kept.truncate(MAX_HITS);
    let mut line = 1u32;
    let mut pos = 0usize;
    kept.into_iter()
        .map(|c| {
            let line_no = if with_lines {
                line += count_newlines(&hay[pos..c.start]);
                pos = c.start;
                Some(line)
            } else {
                None
            };
            SecretHit {
                kind: c.kind.to_string(),
                description: c.description.to_string(),
                line: line_no,
                redacted: c.redacted,
            }
        })
        .collect()
}

fn count_newlines(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| c == b'\n').count() as u32
}

/// Masks a secret: keeps at most its first 4 characters (a quarter of it when shorter than 16)
/// and replaces the rest with at most 12 `*`.
fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars: Vec<char> = text.chars().collect();
    let shown = (chars.len() / 4).min(4);
    let stars = (chars.len() - shown).clamp(1, 12);
    let mut out: String = chars[..shown].iter().collect();
    out.extend(std::iter::repeat_n('*', stars));
    out
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_binary(content: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x7fELF",
        b"\xca\xfe\xba\xbe",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"MZ",
        b"\x1f\x8b",
        b"PK\x03\x04",
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"%PDF",
        b"BZh",
        b"\xfd7zXZ",
        b"\x28\xb5\x2f\xfd",
        b"!<arch>\n",
        b"\0asm",
        b"SQLite format 3",
    ];
    if MAGIC.iter().any(|m| content.starts_with(m)) {
        return true;
    }
    content[..content.len().min(SNIFF_LEN)].contains(&0)
}

fn tier_for_path(path: &str, content: &[u8]) -> (Tier, bool) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lname = name.to_ascii_lowercase();
    if lname == ".netrc" || lname == "_netrc" {
        return (Tier::DotEnv, true);
    }
    if lname == ".env"
        || lname.starts_with(".env.")
        || lname.ends_with(".env")
        || lname == ".envrc"
        || lname == "env"
    {
        return (Tier::DotEnv, false);
    }
    if lname.starts_with("dockerfile")
        || lname.starts_with("containerfile")
        || lname.ends_with(".dockerfile")
        || lname.contains("entrypoint")
    {
        return (Tier::Shell, false);
    }
    const CONFIG_NAMES: &[&str] = &[
        "credentials",
        "config",
        ".npmrc",
        ".pypirc",
        ".yarnrc",
        ".git-credentials",
        ".dockercfg",
        ".pgpass",
        ".my.cnf",
        ".s3cfg",
        ".boto",
    ];
    if CONFIG_NAMES.contains(&lname.as_str()) {
        return (Tier::Config, false);
    }
    match lname.rsplit_once('.').map(|(_, ext)| ext) {
        Some(
            "ini" | "cfg" | "conf" | "cnf" | "properties" | "prop" | "yaml" | "yml" | "toml"
            | "json" | "json5" | "xml" | "tfvars" | "tfstate" | "hcl" | "config" | "npmrc"
            | "pypirc" | "plist" | "env" | "txt",
        ) => (Tier::Config, false),
        Some("sh" | "bash" | "zsh" | "ksh" | "ash" | "dash" | "bats" | "fish") => {
            (Tier::Shell, false)
        }
        Some(_) if !lname.starts_with('.') || lname[1..].contains('.') => (Tier::Code, false),
        _ => {
            if content.starts_with(b"#!") {
                let first = &content[..content.len().min(128)];
                let first = &first[..first
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(first.len())];
                let interp = lossy(first);
                let code = ["python", "perl", "ruby", "node", "php", "lua", "java"]
                    .iter()
                    .any(|i| interp.contains(i));
                if code {
                    (Tier::Code, false)
                } else {
                    (Tier::Shell, false)
                }
            } else if path.trim_start_matches('/').starts_with("etc/") || lname.starts_with('.') {
                (Tier::Config, false)
            } else {
                (Tier::Code, false)
            }
        }
    }
}

/// Third-party code installed by a distribution or a language toolchain.
fn is_library_path(path: &str) -> bool {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    if WEB_ROOTS.iter().any(|p| path.starts_with(p)) {
        return false;
    }
    LIBRARY_PREFIXES.iter().any(|p| path.starts_with(p))
        || LIBRARY_SUBPATHS.iter().any(|p| path.contains(p))
        || path
            .rsplit_once('/')
            .is_some_and(|(dirs, _)| dirs.split('/').any(|c| LIBRARY_DIRS.contains(&c)))
}

/// Index of the directory from which test fixtures are skipped: the first package root, or
/// the last component of a library prefix.
fn library_root(path: &str, comps: &[&str]) -> Option<usize> {
    let by_prefix = LIBRARY_PREFIXES
        .iter()
        .find(|p| path.starts_with(*p))
        .map(|p| p.matches('/').count() - 1);
    let by_root = comps.iter().position(|c| is_package_root(c));
    match (by_prefix, by_root) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn is_package_root(c: &str) -> bool {
    PACKAGE_ROOTS.contains(&c)
        || c.starts_with("python2")
        || c.starts_with("python3")
        || (c.starts_with("ruby") && c.len() > 4)
}

fn is_test_file_name(lname: &str) -> bool {
    let stem = lname.split('.').next().unwrap_or(lname);
    stem.starts_with("test_")
        || matches!(stem, "test" | "tests" | "conftest")
        || ["_test", "_tests", "-test", "-tests", "_spec"]
            .iter()
            .any(|s| stem.ends_with(s))
        || [".test.", ".spec.", "_test.", "_spec."]
            .iter()
            .any(|m| lname.contains(m))
}

// ---------------------------------------------------------------------------------------------
// Key names
// ---------------------------------------------------------------------------------------------

/// Splits a key name into lower-case words: on non-alphanumerics and camelCase boundaries.
fn key_words(key: &str) -> Vec<String> {
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
fn word_class(words: &[String], i: usize) -> Option<(KeyClass, usize)> {
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

/// Whether a key (ENV name, option name, YAML key...) names a secret, and which kind.
fn classify_key(key: &str) -> Option<KeyClass> {
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

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

fn strip_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn is_placeholder_bytes(v: &[u8]) -> bool {
    is_placeholder(&String::from_utf8_lossy(v))
}

/// Placeholders, references to secrets kept elsewhere, templates, booleans, paths.
fn is_placeholder(raw: &str) -> bool {
    let v = strip_quotes(raw.trim()).trim();
    if v.is_empty() {
        return true;
    }
    let l = v.to_ascii_lowercase();
    if PLACEHOLDER_EXACT.contains(&l.as_str()) {
        return true;
    }
    const TEMPLATE_MARKS: &[&str] = &[
        "${", "$(", "{{", "}}", "%(", "#{", "<%", "%s", "%d", "%v", "{}", "{0}",
    ];
    if v.starts_with('$') || TEMPLATE_MARKS.iter().any(|m| v.contains(m)) {
        return true;
    }
    let enclosed = |o: char, c: char| v.len() >= 2 && v.starts_with(o) && v.ends_with(c);
    if enclosed('<', '>') || enclosed('{', '}') || enclosed('[', ']') || enclosed('%', '%') {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("../") || v.starts_with("~/") {
        return true;
    }
    if REFERENCE_PREFIXES.iter().any(|p| l.starts_with(p)) {
        return true;
    }
    let b = v.as_bytes();
    if b.iter().all(|&c| c == b[0]) || b.iter().all(|c| b"*xX#.?_-".contains(c)) {
        return true;
    }
    if PLACEHOLDER_WORDS.iter().any(|w| l.contains(w))
        || KNOWN_EXAMPLES.iter().any(|w| l.contains(w))
    {
        return true;
    }
    is_sequential(b)
}

/// `abcdef`, `123456`, `abcd1234`...: mostly ascending runs.
fn is_sequential(b: &[u8]) -> bool {
    if b.len() < 6 {
        return false;
    }
    let steps = b
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1))
        .count();
    steps * 4 >= (b.len() - 1) * 3
}

/// The password of `scheme://user:password@host`; `strict` in code, where URLs are mostly
/// documentation, asks for a password that looks chosen rather than a word.
fn url_password_ok(user: &[u8], pw: &[u8], strict: bool) -> bool {
    if pw.len() < 3
        || pw.contains(&b':')
        || is_placeholder_bytes(pw)
        || pw.eq_ignore_ascii_case(user)
    {
        return false;
    }
    let luser = String::from_utf8_lossy(user).to_ascii_lowercase();
    if KNOWN_EXAMPLES.contains(&luser.as_str()) {
        return false;
    }
    if strict {
        let c = classes(pw);
        return pw.len() >= 6
            && (c.lower || c.upper)
            && (c.digit || c.symbol)
            && !is_weak_example(pw);
    }
    true
}

/// Leetspeak spellings of placeholder words: `P@ssw0rd`, `s3cr3t`, `t0ken`.
fn is_weak_example(v: &[u8]) -> bool {
    let plain: Vec<u8> = v
        .iter()
        .map(|&b| match b.to_ascii_lowercase() {
            b'0' => b'o',
            b'1' => b'i',
            b'3' => b'e',
            b'4' | b'@' => b'a',
            b'5' | b'$' => b's',
            b'7' => b't',
            c => c,
        })
        .collect();
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"secret",
        b"token",
        b"changeme",
        b"example",
    ];
    WORDS.iter().any(|w| find_sub(&plain, w).is_some())
}

fn is_placeholder_host(lhost: &[u8]) -> bool {
    const HOSTS: &[&[u8]] = &[
        b"host",
        b"hostname",
        b"server",
        b"domain",
        b"myhost",
        b"yourhost",
        b"your-host",
        b"your_host",
        b"address",
        b"ip",
        b"hostaddress",
        b"x",
    ];
    HOSTS.contains(&lhost)
        || [&b"example"[..], b"bogus", b"dummy", b"fake"]
            .iter()
            .any(|w| find_sub(lhost, w).is_some())
        || lhost.ends_with(b".invalid")
        || lhost.ends_with(b".test")
}

struct Classes {
    lower: bool,
    upper: bool,
    digit: bool,
    symbol: bool,
    space: bool,
}

fn classes(v: &[u8]) -> Classes {
    let mut c = Classes {
        lower: false,
        upper: false,
        digit: false,
        symbol: false,
        space: false,
    };
    for &b in v {
        match b {
            b'a'..=b'z' => c.lower = true,
            b'A'..=b'Z' => c.upper = true,
            b'0'..=b'9' => c.digit = true,
            b'_' | b'-' | b'.' => {}
            _ if b.is_ascii_whitespace() => c.space = true,
            _ => c.symbol = true,
        }
    }
    c
}

fn distinct(v: &[u8]) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for &b in v {
        if !seen[b as usize] {
            seen[b as usize] = true;
            n += 1;
        }
    }
    n
}

/// Random-looking enough for a generated token: diverse, mixed classes, not a sequence.
fn looks_random(v: &[u8]) -> bool {
    let c = classes(v);
    let kinds = [c.lower, c.upper, c.digit, c.symbol]
        .iter()
        .filter(|&&x| x)
        .count();
    kinds >= 2 && distinct(v) >= (v.len() / 3).clamp(4, 10) && !is_sequential(v)
}

/// An ENV-variable-like name (`DB_PASSWORD`) or a CamelCase / dotted identifier.
fn looks_like_name(v: &[u8]) -> bool {
    let c = classes(v);
    if c.symbol || c.space {
        return false;
    }
    if !c.lower && v.contains(&b'_') {
        return true;
    }
    if !c.digit && v.len() < 16 {
        return true;
    }
    // snake_case / kebab-case / dotted.module.Path identifiers with at most a version digit
    // or two: `storage_v1_client`, `google_oauth2.Credentials`.
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let segments: Vec<&[u8]> = v.split(|&b| matches!(b, b'_' | b'-' | b'.')).collect();
    digits <= 2
        && segments.len() >= 2
        && segments
            .iter()
            .all(|seg| seg.first().is_some_and(u8::is_ascii_alphabetic) || seg.is_empty())
}

/// A file name or relative path (`certs/server.key`, `tls.crt`).
fn looks_like_file(v: &[u8]) -> bool {
    const EXTS: &[&[u8]] = &[
        b".pem", b".key", b".crt", b".cer", b".json", b".txt", b".p12", b".pfx", b".jks", b".yaml",
        b".yml", b".env", b".conf", b".ini", b".gpg", b".asc", b".pub", b".der",
    ];
    let l = v.to_ascii_lowercase();
    if EXTS.iter().any(|e| l.ends_with(e)) {
        return true;
    }
    l.contains(&b'/')
        && l.iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/._-".contains(&b))
}

/// Whether an assigned value is a real-looking secret for a key of `class` in `tier`.
fn value_ok(v: &[u8], quoted: bool, class: KeyClass, tier: Tier) -> bool {
    if v.is_empty() || v.len() > MAX_VALUE_LEN || is_placeholder_bytes(v) {
        return false;
    }
    if find_sub(v, b"://").is_some() {
        // URLs are the URL detector's business.
        return false;
    }
    let c = classes(v);
    match tier {
        Tier::KeyValue => true,
        Tier::DotEnv => v.len() >= 4 && (quoted || !c.space) && !looks_like_file(v),
        Tier::Config | Tier::Shell | Tier::Text => {
            let min = if class == KeyClass::Password { 6 } else { 8 };
            !c.space
                && v.len() >= min
                && (c.digit || c.symbol)
                && !looks_like_name(v)
                && !looks_like_file(v)
                && !is_weak_example(v)
        }
        Tier::Code => {
            quoted
                && !c.space
                && v.len() >= 8
                && (c.lower || c.upper)
                && (c.digit || c.symbol)
                && distinct(v) >= 5
                && !looks_like_name(v)
                && !looks_like_file(v)
                && !is_weak_example(v)
        }
    }
}

fn cmd_value_ok(v: &[u8], quoted: bool, strict: bool) -> bool {
    if v.is_empty() || v.len() > MAX_VALUE_LEN || v[0] == b'-' || is_placeholder_bytes(v) {
        return false;
    }
    // `--secret id=x,src=y` and similar specs are not the secret itself.
    if let Some(p) = v.iter().position(|&b| b == b'=')
        && v[p..].iter().any(|&b| b != b'=')
    {
        return false;
    }
    let c = classes(v);
    if !c.lower && !c.digit && !c.symbol {
        // ALL_CAPS metavariable in help text: --password PASSWORD
        return false;
    }
    if strict {
        return value_ok(v, true, KeyClass::Password, Tier::Config);
    }
    !c.space || quoted
}

// ---------------------------------------------------------------------------------------------
// Token checks
// ---------------------------------------------------------------------------------------------

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_word_dash(b: u8) -> bool {
    is_word(b) || b == b'-'
}

fn is_word_slash(b: u8) -> bool {
    is_word(b) || b == b'/'
}

/// Placeholder markers and obviously non-random bodies.
fn token_body_ok(body: &[u8]) -> bool {
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

fn check_aws_key_id(tok: &[u8]) -> bool {
    let body = &tok[4..];
    body.iter()
        .all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        && token_body_ok(body)
}

fn check_aws_secret(v: &[u8]) -> bool {
    let c = classes(v);
    c.lower && c.upper && (c.digit || c.symbol) && token_body_ok(v)
}

fn check_random_after_4(tok: &[u8]) -> bool {
    token_body_ok(&tok[4.min(tok.len())..])
}

fn check_random_after_8(tok: &[u8]) -> bool {
    token_body_ok(&tok[8.min(tok.len())..])
}

fn check_after_dash(tok: &[u8]) -> bool {
    let p = tok.iter().position(|&b| b == b'-').map_or(0, |p| p + 1);
    let body = &tok[p..];
    let first = body.split(|&b| b == b'.').next().unwrap_or(body);
    first.len() >= 20 && token_body_ok(body)
}

fn check_slack(tok: &[u8]) -> bool {
    tok[5..].iter().any(u8::is_ascii_digit) && token_body_ok(&tok[5..])
}

fn check_slack_webhook(tok: &[u8]) -> bool {
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

fn check_npm(tok: &[u8]) -> bool {
    let body = &tok[4..];
    let c = classes(body);
    [c.lower, c.upper, c.digit].iter().filter(|&&x| x).count() >= 2 && token_body_ok(body)
}

/// The base64 body following a `BEGIN ... PRIVATE KEY` marker (up to its END marker):
/// the first run of at least 40 base64 characters, when it looks like key material.
fn pem_body(after: &[u8]) -> Option<&[u8]> {
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
#[allow(clippy::format_collect)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random string over `alphabet` (tests must not contain literals
    /// that look like live keys).
    fn rnd(seed: u64, len: usize, alphabet: &[u8]) -> String {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize] as char
            })
            .collect()
    }

    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    fn scanner() -> SecretScanner {
        SecretScanner::new()
    }

    fn kinds(hits: &[SecretHit]) -> Vec<&str> {
        hits.iter().map(|h| h.kind.as_str()).collect()
    }

    /// Asserts exactly one hit of `kind` and that its redaction does not reveal `secret`.
    fn assert_one(hits: &[SecretHit], kind: &str, secret: &str) {
        assert_eq!(kinds(hits), vec![kind], "hits: {hits:?}");
        assert_redacted(&hits[0], secret);
    }

    fn assert_redacted(hit: &SecretHit, secret: &str) {
        assert!(
            !hit.redacted.contains(secret),
            "redaction reveals the secret: {hit:?}"
        );
        let stars = hit.redacted.chars().filter(|&c| c == '*').count();
        assert!((1..=12).contains(&stars), "stars: {hit:?}");
        // At most 4 characters of the secret are shown.
        let shown = secret.len().min(5);
        assert!(
            !hit.redacted.contains(&secret[..shown]) || secret.len() <= 4,
            "redaction shows more than 4 characters: {hit:?}"
        );
    }

    fn aws_key_id() -> String {
        format!("AKIA{}", "Z7QK3VXN5MBT2LPD")
    }

    fn aws_secret() -> String {
        // 40 base64 characters with upper, lower, digits and '/'.
        format!("{}/{}", rnd(7, 20, ALNUM), rnd(8, 19, ALNUM))
    }

    fn pem(kind: &str, lines: usize, seed: u64) -> String {
        let mut s = format!("-----BEGIN {kind}PRIVATE {}-----\n", "KEY");
        for i in 0..lines {
            s.push_str(&rnd(seed + i as u64, 64, B64));
            s.push('\n');
        }
        s.push_str(&format!("-----END {kind}PRIVATE {}-----\n", "KEY"));
        s
    }

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

    // ----- key / values (ENV, ARG, labels) -------------------------------------------------

    #[test]
    fn key_values_flag_secret_names() {
        let sc = scanner();
        for (k, v) in [
            ("DB_PASSWORD", "hunter2"),
            ("MYSQL_ROOT_PASSWORD", "root"),
            ("RABBITMQ_DEFAULT_PASS", "s3cr3tive"),
            ("JWT_SECRET", "aVeryLongSigningString"),
            ("dbPassword", "hunter2"),
            ("SSH_PRIVATE_KEY", "hunter2hunter2"),
            ("com.corp.deploy.token", "abc123def456"),
        ] {
            let hits = sc.scan_key_value(k, v);
            assert_one(&hits, "secret-assignment", v);
            assert_eq!(hits[0].line, None);
            assert!(hits[0].redacted.starts_with(&format!("{k}=")));
        }
        let tok = format!("ghp_{}", rnd(101, 36, ALNUM));
        assert_eq!(
            kinds(&sc.scan_key_value("GITHUB_TOKEN", &tok)),
            vec!["github-token"]
        );
    }

    #[test]
    fn key_values_ignore_placeholders_and_references() {
        let sc = scanner();
        for (k, v) in [
            ("DB_PASSWORD", ""),
            ("DB_PASSWORD", "   "),
            ("DB_PASSWORD", "changeme"),
            ("DB_PASSWORD", "${DB_PASSWORD}"),
            ("DB_PASSWORD", "$DB_PASSWORD"),
            ("DB_PASSWORD", "/run/secrets/db_password"),
            ("POSTGRES_PASSWORD_FILE", "/run/secrets/pg"),
            ("POSTGRES_PASSWORD_FILE", "pg.txt"),
            ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),
            ("MYSQL_RANDOM_ROOT_PASSWORD", "1"),
            ("API_KEY", "<your-api-key>"),
            ("API_TOKEN", "xxx"),
            ("SECRET", "none"),
            ("SECRET", "null"),
            ("SECRET", "true"),
            ("TOKEN", "***"),
            ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D1F0B6C1"),
            ("MAX_TOKENS", "4096"),
            ("TOKENIZERS_PARALLELISM", "false"),
            ("SECRET_NAME", "db-credentials"),
            ("TOKEN_URL", "https://auth.corp/token"),
            ("PASSWORD_MIN_LENGTH", "12"),
            ("AWS_ACCESS_KEY_ID", "placeholder"),
            ("VAULT_TOKEN", "vault:secret/data/app#token"),
            ("PASSWORD", "example123"),
            ("org.opencontainers.image.source", "https://github.com/x/y"),
            ("PATH", "/usr/local/bin:/usr/bin"),
        ] {
            assert!(sc.scan_key_value(k, v).is_empty(), "{k}={v}");
        }
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

    // ----- binary, lines, redaction, volume ------------------------------------------------

    #[test]
    fn binary_content_is_skipped() {
        let sc = scanner();
        let mut with_nul = format!("id={}\n", aws_key_id()).into_bytes();
        with_nul.insert(2, 0);
        assert!(sc.scan_content("app/blob", &with_nul).is_empty());
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.extend_from_slice(format!("\nid={}\n", aws_key_id()).as_bytes());
        assert!(sc.scan_content("usr/bin/app", &elf).is_empty());
        let mut gz = b"\x1f\x8b\x08".to_vec();
        gz.extend_from_slice(format!("\nid={}\n", aws_key_id()).as_bytes());
        assert!(sc.scan_content("app/data", &gz).is_empty());
        // The same text without the NUL is found.
        let text = format!("id={}\n", aws_key_id());
        assert_eq!(sc.scan_content("app/blob", text.as_bytes()).len(), 1);
    }

    #[test]
    fn line_numbers_are_one_based_and_ordered() {
        let sc = scanner();
        let gh = format!("ghp_{}", rnd(121, 36, ALNUM));
        let text = format!(
            "a\nb\nid={}\nc\nd\ne\ntoken: {gh}\n\r\nDB_PASSWORD=Zq8wErt5\n",
            aws_key_id()
        );
        let hits = sc.scan_content("etc/app/app.env", text.as_bytes());
        let got: Vec<(&str, Option<u32>)> =
            hits.iter().map(|h| (h.kind.as_str(), h.line)).collect();
        assert_eq!(
            got,
            vec![
                ("aws-access-key-id", Some(3)),
                ("github-token", Some(7)),
                ("secret-assignment", Some(9)),
            ]
        );
    }

    #[test]
    fn one_finding_per_secret() {
        let sc = scanner();
        let gh = format!("ghp_{}", rnd(131, 36, ALNUM));
        // Token pattern, secret-named key and Authorization header all cover the same bytes.
        let text = format!("GITHUB_TOKEN={gh}\nheaders: {{Authorization: token {gh}}}\n");
        let hits = sc.scan_content("app/x.env", text.as_bytes());
        assert_eq!(kinds(&hits), vec!["github-token", "github-token"]);
        for h in &hits {
            assert_redacted(h, &gh);
        }
    }

    #[test]
    fn redaction_never_reveals_secrets() {
        assert_eq!(redact(b"AKIAZ7QK3VXN5MBT2LPD"), "AKIA************");
        assert_eq!(redact(b"hunter22"), "hu******");
        assert_eq!(redact(b"abc"), "***");
        assert_eq!(redact(b"a"), "*");
        assert_eq!(redact(b"0123456789abcdef0123456789"), "0123************");
        for n in 1..80 {
            let s = rnd(n as u64, n, ALNUM);
            let r = redact(s.as_bytes());
            assert_ne!(r, s);
            assert!(!r.contains(&s));
            let stars = r.chars().filter(|&c| c == '*').count();
            assert!((1..=12).contains(&stars));
            assert!(r.len() - stars <= 4);
        }
    }

    #[test]
    fn long_minified_line() {
        let sc = scanner();
        let gh = format!("ghp_{}", rnd(141, 36, ALNUM));
        let filler = "var a=function(b){return b+1};".repeat(3000);
        let text = format!("{filler}var t=\"{gh}\";{filler}\n");
        let hits = sc.scan_content("app/static/bundle.min.js", text.as_bytes());
        assert_one(&hits, "github-token", &gh);
        assert_eq!(hits[0].line, Some(1));
    }

    #[test]
    fn large_text_without_keywords_has_no_hits() {
        let sc = scanner();
        let words = [
            "lorem",
            "ipsum",
            "dolor",
            "sit",
            "amet",
            "consectetur",
            "adipiscing",
            "elit",
            "sed",
            "do",
            "eiusmod",
            "tempor",
            "incididunt",
            "ut",
            "labore",
            "et",
            "dolore",
            "magna",
            "aliqua",
            "enim",
            "ad",
            "minim",
            "veniam",
            "quis",
            "nostrud",
            "12345",
            "x=1;",
            "{",
            "}",
            "()",
        ];
        let mut buf = String::with_capacity(21 << 20);
        let mut i = 0usize;
        while buf.len() < 20 << 20 {
            buf.push_str(words[(i * 7 + i / 3) % words.len()]);
            buf.push(if i % 13 == 12 { '\n' } else { ' ' });
            i += 1;
        }
        assert!(
            sc.scan_content("srv/app/big.txt", buf.as_bytes())
                .is_empty()
        );
        assert!(sc.scan_text(&buf[..1 << 20]).is_empty());
    }

    #[test]
    fn many_hits_are_capped() {
        let sc = scanner();
        let text: String = (0..500)
            .map(|i| format!("k{i}: ghp_{}\n", rnd(1000 + i, 36, ALNUM)))
            .collect();
        let hits = sc.scan_content("app/tokens.txt", text.as_bytes());
        assert_eq!(hits.len(), MAX_HITS);
    }

    // ----- paths ---------------------------------------------------------------------------

    #[test]
    fn wants_path_rules() {
        let sc = scanner();
        for p in [
            "srv/app/.env",
            "root/.aws/credentials",
            "etc/ssl/private/server.key",
            "app/config/settings.yaml",
            "usr/local/lib/python3.12/site-packages/app/settings.py",
            "app/node_modules/pkg/index.js",
            "app/tests/fixtures.py",
            "var/cache/debconf/passwords.dat",
            "README",
        ] {
            assert!(sc.wants_path(p, 100), "{p}");
        }
        assert!(sc.wants_path("/srv/app/.env", 100));
        assert!(!sc.wants_path("srv/app/.env", 0));
        assert!(!sc.wants_path("srv/app/.env", MAX_FILE_SIZE + 1));
        assert!(sc.wants_path("srv/app/.env", MAX_FILE_SIZE));
        for p in [
            "usr/share/doc/openssl/README",
            "usr/share/man/man1/ls.1",
            "usr/share/locale/de/LC_MESSAGES/x.txt",
            "usr/share/i18n/locales/en_US",
            "usr/share/zoneinfo/Europe/Paris",
            "usr/include/openssl/pem.h",
            "usr/lib/python3/dist-packages/foo/test/keys.py",
            "usr/local/lib/python3.12/site-packages/botocore/tests/unit/creds.json",
            "usr/local/lib/python3.12/test/keycert.pem",
            "app/node_modules/jsonwebtoken/test/priv.pem",
            "app/node_modules/a/node_modules/b/test/deep/x.js",
            "usr/local/go/src/crypto/tls/handshake_test.go",
            "go/src/app/testdata/key.pem",
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "usr/lib/libfoo.so",
            "usr/lib/libfoo.a",
            "app/logo.png",
            "app/x.jar",
            "app/__pycache__/m.cpython-312.pyc",
            "usr/share/locale/fr/LC_MESSAGES/app.mo",
            "usr/share/fonts/x.ttf",
            "app/archive.tar.gz",
            "etc/ssl/certs/ca-certificates.crt",
            "etc/pki/tls/certs/ca-bundle.crt",
            "usr/local/lib/python3.12/site-packages/certifi/cacert.pem",
        ] {
            assert!(!sc.wants_path(p, 100), "{p}");
        }
    }

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
    fn kinds_are_listed() {
        for spec in TOKEN_SPECS {
            assert!(SecretScanner::KINDS.contains(&spec.kind), "{}", spec.kind);
        }
        for k in [
            K_PRIVATE_KEY,
            K_AWS_SECRET,
            K_URL,
            K_AUTHZ,
            K_CMD,
            K_ASSIGN,
            K_GENERIC,
        ] {
            assert!(SecretScanner::KINDS.contains(&k.0));
        }
        let hit = SecretHit {
            kind: "github-token".into(),
            description: "GitHub token".into(),
            line: Some(3),
            redacted: "ghp_****".into(),
        };
        let s = serde_json_roundtrip(&hit);
        assert_eq!(s, hit);
    }

    fn serde_json_roundtrip(hit: &SecretHit) -> SecretHit {
        let v = serde_json::to_string(hit).unwrap();
        serde_json::from_str(&v).unwrap()
    }
}
