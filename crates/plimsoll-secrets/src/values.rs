//! Value filters: placeholders, references to secrets kept elsewhere, templates, and how
//! random a value must look in each tier before it counts as a secret.

use crate::keys::KeyClass;
use crate::paths::Tier;

/// Longest secret value an assignment may carry.
pub(crate) const MAX_VALUE_LEN: usize = 512;

/// Values that are placeholders or no value at all (compared lower-cased).
pub(crate) const PLACEHOLDER_EXACT: &[&str] = &[
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

/// Weak example values (compared lower-cased): placeholders in files, where they are
/// documentation examples, but not in ENV, ARG and labels, where a weak password is still
/// the password everyone who pulls the image can read.
pub(crate) const WEAK_VALUES: &[&str] = &[
    "abc",
    "abc123",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
];

/// Substrings that mark a value as a placeholder (compared lower-cased).
pub(crate) const PLACEHOLDER_WORDS: &[&str] = &[
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
pub(crate) const KNOWN_EXAMPLES: &[&str] = &[
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
pub(crate) const REFERENCE_PREFIXES: &[&str] = &[
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

pub(crate) fn strip_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

pub(crate) fn is_placeholder_bytes(v: &[u8]) -> bool {
    is_placeholder(&String::from_utf8_lossy(v))
}

/// Placeholders, references to secrets kept elsewhere, templates, booleans, paths, and weak
/// example values ([`WEAK_VALUES`], ascending runs).
pub(crate) fn is_placeholder(raw: &str) -> bool {
    is_placeholder_in(raw, true)
}

/// Placeholders, references to secrets kept elsewhere, templates, booleans, paths; and,
/// when `weak`, weak example values ([`WEAK_VALUES`], ascending runs such as `abcdef`).
fn is_placeholder_in(raw: &str, weak: bool) -> bool {
    let v = strip_quotes(raw.trim()).trim();
    if v.is_empty() {
        return true;
    }
    let l = v.to_ascii_lowercase();
    if PLACEHOLDER_EXACT.contains(&l.as_str()) || (weak && WEAK_VALUES.contains(&l.as_str())) {
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
    weak && is_sequential(b)
}

/// `abcdef`, `123456`, `abcd1234`...: mostly ascending runs.
pub(crate) fn is_sequential(b: &[u8]) -> bool {
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
pub(crate) fn url_password_ok(user: &[u8], pw: &[u8], strict: bool) -> bool {
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
pub(crate) fn is_weak_example(v: &[u8]) -> bool {
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

pub(crate) fn is_placeholder_host(lhost: &[u8]) -> bool {
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

pub(crate) struct Classes {
    pub(crate) lower: bool,
    pub(crate) upper: bool,
    pub(crate) digit: bool,
    pub(crate) symbol: bool,
    pub(crate) space: bool,
}

pub(crate) fn classes(v: &[u8]) -> Classes {
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

pub(crate) fn distinct(v: &[u8]) -> usize {
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
pub(crate) fn looks_random(v: &[u8]) -> bool {
    let c = classes(v);
    let kinds = [c.lower, c.upper, c.digit, c.symbol]
        .iter()
        .filter(|&&x| x)
        .count();
    kinds >= 2 && distinct(v) >= (v.len() / 3).clamp(4, 10) && !is_sequential(v)
}

/// An ENV-variable-like name (`DB_PASSWORD`) or a CamelCase / dotted identifier.
pub(crate) fn looks_like_name(v: &[u8]) -> bool {
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
pub(crate) fn looks_like_file(v: &[u8]) -> bool {
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
pub(crate) fn value_ok(v: &[u8], quoted: bool, class: KeyClass, tier: Tier) -> bool {
    let weak_is_placeholder = tier != Tier::KeyValue;
    if v.is_empty()
        || v.len() > MAX_VALUE_LEN
        || is_placeholder_in(&String::from_utf8_lossy(v), weak_is_placeholder)
    {
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

pub(crate) fn cmd_value_ok(v: &[u8], quoted: bool, strict: bool) -> bool {
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

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
