//! The scanner: keyword prefilter, regions around keyword hits, and the public entry points
//! (file content, key/value, free text).

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;

use crate::SecretHit;
use crate::detectors::{
    Cand, CmdRule, K_ASSIGN, K_PRIVATE_KEY, P_ASSIGN, TokenRule, command_rules, find_tokens, redact,
};
use crate::keys::classify_key;
use crate::paths::{Tier, is_binary, is_library_path, tier_for_path};
use crate::tokens::TOKEN_SPECS;
use crate::values::{find_sub, strip_quotes, value_ok};

/// A keyword's line is scanned whole when it is at most this long on each side of the keyword...
pub(crate) const MAX_LINE: usize = 4096;
/// ...otherwise (minified code) only this much around the keyword.
pub(crate) const WINDOW: usize = 1024;
/// At most this many hits are reported per scanned file / text.
pub(crate) const MAX_HITS: usize = 100;

// Detector bits: a keyword arms a set of detectors; bit TOKEN_BIT0 + i is TOKEN_SPECS[i].
pub(crate) const B_PEM: u64 = 1;
pub(crate) const B_AWS_SECRET: u64 = 1 << 1;
pub(crate) const B_URL: u64 = 1 << 2;
pub(crate) const B_ASSIGN: u64 = 1 << 3;
pub(crate) const B_CMD: u64 = 1 << 4;
pub(crate) const B_AUTHZ: u64 = 1 << 5;
pub(crate) const TOKEN_BIT0: usize = 8;

// Each token spec owns one bit of the u64 detector mask.
const _: () = assert!(TOKEN_BIT0 + TOKEN_SPECS.len() <= 64);

/// Case-sensitive keyword pass for the word-like detectors; the case variants people actually
/// write are listed (lower, UPPER, Capitalised, and camelCase compounds).
pub(crate) const WORD_KEYWORDS: &[(&str, u64)] = &[
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
pub(crate) const CMD_KEYWORDS: &[(&str, u64)] = &[
    ("mysql", B_CMD),
    ("mariadb", B_CMD),
    ("login", B_CMD),
    ("curl", B_CMD),
];

/// Keyword pass for library code (see [`is_library_path`]), where only the specific
/// detectors run: prefixed tokens and private keys (token pass), AWS secret keys and URLs.
pub(crate) const LIB_KEYWORDS: &[(&str, u64)] = &[
    ("secret", B_AWS_SECRET),
    ("Secret", B_AWS_SECRET),
    ("SECRET", B_AWS_SECRET),
    ("://", B_URL),
];

/// Where the scanned bytes come from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scope {
    pub(crate) tier: Tier,
    /// `.netrc`: `password X` lines.
    pub(crate) netrc: bool,
    /// Third-party code: only the specific detectors run.
    pub(crate) library: bool,
}

pub(crate) struct Prefilter {
    pub(crate) ac: AhoCorasick,
    pub(crate) masks: Vec<u64>,
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

/// The secret scanner; build it once ([`SecretScanner::new`]) and share it between threads.
pub struct SecretScanner {
    pub(crate) token_pass: Prefilter,
    pub(crate) word_pass: Prefilter,
    pub(crate) cmd_pass: Prefilter,
    pub(crate) lib_pass: Prefilter,
    pub(crate) tokens: Vec<TokenRule>,
    pub(crate) pem: Regex,
    pub(crate) putty: Regex,
    pub(crate) aws_secret: Regex,
    pub(crate) url: Regex,
    pub(crate) authz: Regex,
    pub(crate) assign: Regex,
    pub(crate) xml: Regex,
    /// PHP `define('DB_PASSWORD', 'x')`, Dockerfile `ENV KEY value`: group 1 key, 2 value.
    pub(crate) key_value_forms: Vec<Regex>,
    pub(crate) netrc: Regex,
    pub(crate) cmds: Vec<CmdRule>,
}

impl Default for SecretScanner {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn re(pattern: &str) -> Regex {
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

    /// The process-wide scanner: its patterns are compiled once, on first use, and shared
    /// by every thread and every rule family.
    pub fn shared() -> &'static SecretScanner {
        static SCANNER: std::sync::OnceLock<SecretScanner> = std::sync::OnceLock::new();
        SCANNER.get_or_init(SecretScanner::new)
    }

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

        let cmds = command_rules();

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
    pub fn wants_path(&self, path: &str, size: u64) -> bool {
        crate::paths::wants_path(path, size)
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
        let (hay, cands) = self.key_value_cands(key, value);
        finish(hay.as_bytes(), cands, false)
    }

    /// `value` with every secret [`scan_key_value`](Self::scan_key_value) reports for
    /// `key=value` masked in place, as the findings show it (at most the first 4 characters
    /// kept, the rest `*`); borrowed unchanged when there is none. This and
    /// [`redact_text`](Self::redact_text) are what every output that prints an image's
    /// ENV, labels or history goes through.
    pub fn redact_value<'a>(&self, key: &str, value: &'a str) -> Cow<'a, str> {
        let (_, cands) = self.key_value_cands(key, value);
        let offset = key.len() + 1;
        mask_cands(value, offset, cands)
    }

    /// `text` with every secret [`scan_text`](Self::scan_text) reports masked in place (a
    /// private key from its `BEGIN` marker to its `END` marker); borrowed unchanged when
    /// there is none.
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        mask_cands(text, 0, self.text_cands(text))
    }

    /// The masked ranges [`redact_text`](Self::redact_text) would apply to `text`, as byte
    /// ranges on character boundaries, sorted and disjoint: for callers that print `text`
    /// in pieces (the arguments of an exec-form command line, joined by one space).
    pub fn secret_spans(&self, text: &str) -> Vec<(usize, usize)> {
        match spans(text, 0, self.text_cands(text)) {
            Some(s) => s,
            None => vec![(0, text.len())],
        }
    }

    /// Masks in place the secrets of an exec-form command line, read as its arguments joined
    /// by one space (so `["mysql", "--password", "X"]` is judged like `mysql --password X`).
    pub fn redact_args(&self, argv: &mut [String]) {
        let spans = self.secret_spans(&argv.join(" "));
        if spans.is_empty() {
            return;
        }
        let mut start = 0;
        for arg in argv.iter_mut() {
            let end = start + arg.len();
            let mut masked = String::new();
            let mut pos = 0;
            for &(s, e) in &spans {
                let (s, e) = (s.max(start), e.min(end));
                if s >= e {
                    continue;
                }
                masked.push_str(&arg[pos..s - start]);
                masked.push_str(&redact(&arg.as_bytes()[s - start..e - start]));
                pos = e - start;
            }
            if pos > 0 {
                masked.push_str(&arg[pos..]);
                *arg = masked;
            }
            start = end + 1;
        }
    }

    fn text_cands(&self, text: &str) -> Vec<Cand> {
        let scope = Scope {
            tier: Tier::Text,
            netrc: false,
            library: false,
        };
        self.scan_bytes(text.as_bytes(), scope, u64::MAX)
    }

    fn key_value_cands(&self, key: &str, value: &str) -> (String, Vec<Cand>) {
        let value_trim = value.trim();
        if value_trim.is_empty() {
            return (String::new(), Vec::new());
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
        (combined, cands)
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
}

/// Lines (or windows of very long lines) around each keyword hit, merged, with the union of
/// the detectors their keywords arm. `kw` is sorted by start.
pub(crate) fn build_regions(hay: &[u8], kw: &[(usize, usize, u64)]) -> Vec<(usize, usize, u64)> {
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

pub(crate) fn region_around(hay: &[u8], s: usize, e: usize) -> (usize, usize) {
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

pub(crate) fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`,;{}[]()<>".contains(&b)
}

pub(crate) fn snap_left(hay: &[u8], p: usize) -> usize {
    let lo = p.saturating_sub(256);
    (lo..=p)
        .rev()
        .find(|&i| i == 0 || is_delim(hay[i - 1]))
        .unwrap_or(p)
}

pub(crate) fn snap_right(hay: &[u8], p: usize) -> usize {
    let hi = (p + 256).min(hay.len());
    (p..=hi)
        .find(|&i| i == hay.len() || is_delim(hay[i]))
        .unwrap_or(p)
}

/// Sorts, deduplicates overlapping findings (the most specific wins), numbers lines.
/// The candidates that survive overlap resolution (the most specific wins), by start.
fn resolve(mut cands: Vec<Cand>) -> Vec<Cand> {
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
    kept
}

/// The byte ranges of `text` to mask for candidates found in a haystack where `text` starts
/// at `offset` (`key=` before an ENV value); `None` when the scan gave up early (more than
/// `4 * MAX_HITS` candidates), so that a caller masks everything rather than leak the rest.
fn spans(text: &str, offset: usize, cands: Vec<Cand>) -> Option<Vec<(usize, usize)>> {
    if cands.len() > 4 * MAX_HITS {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for c in resolve(cands) {
        let mut s = c.start.saturating_sub(offset);
        let mut e = c.end.saturating_sub(offset).min(text.len());
        if c.kind == K_PRIVATE_KEY.0 {
            // The candidate is the BEGIN marker; the key is the body up to the END marker.
            e = match find_sub(&bytes[e..], b"-----END")
                .or_else(|| find_sub(&bytes[e..], b"---- END"))
            {
                Some(p) => e + p,
                None => text.len(),
            };
        }
        while s > 0 && !text.is_char_boundary(s) {
            s -= 1;
        }
        while e < text.len() && !text.is_char_boundary(e) {
            e += 1;
        }
        if s >= e {
            continue;
        }
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    Some(out)
}

/// `text` with the candidates' ranges masked by [`redact`].
fn mask_cands(text: &str, offset: usize, cands: Vec<Cand>) -> Cow<'_, str> {
    if cands.is_empty() {
        return Cow::Borrowed(text);
    }
    let Some(spans) = spans(text, offset, cands) else {
        return Cow::Owned(redact(text.as_bytes()));
    };
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e) in spans {
        out.push_str(&text[pos..s]);
        out.push_str(&redact(&text.as_bytes()[s..e]));
        pos = e;
    }
    out.push_str(&text[pos..]);
    Cow::Owned(out)
}

pub(crate) fn finish(hay: &[u8], cands: Vec<Cand>, with_lines: bool) -> Vec<SecretHit> {
    let mut kept = resolve(cands);
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

pub(crate) fn count_newlines(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| c == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::{K_AUTHZ, K_AWS_SECRET, K_CMD, K_GENERIC, K_PRIVATE_KEY, K_URL};
    use crate::testing::*;

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

    // ----- binary, lines, redaction, volume ------------------------------------------------

    #[test]
    fn key_values_count_weak_values() {
        // A weak password in ENV is still the password: only files treat `123456` as an
        // example.
        let sc = scanner();
        for (k, v) in [
            ("API_KEY", "abc123"),
            ("MYSQL_ROOT_PASSWORD", "123456"),
            ("DB_PASSWORD", "abcdef"),
        ] {
            assert_one(&sc.scan_key_value(k, v), "secret-assignment", v);
        }
        let env = sc.scan_content("srv/app/config.yaml", b"password: abc123\n");
        assert!(env.is_empty(), "{env:?}");
    }

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
    fn redact_text_masks_in_place_and_keeps_context() {
        let sc = scanner();
        let stripe = format!("sk_live_{}", rnd(301, 24, ALNUM));
        let pw = format!("Zq9{}", rnd(302, 12, ALNUM));
        let gh = format!("ghp_{}", rnd(303, 36, ALNUM));
        let text = format!(
            "/bin/sh -c curl -H 'Authorization: Bearer {gh}' https://ci:{pw}@git.corp.io/x && echo STRIPE={stripe}"
        );
        let red = sc.redact_text(&text);
        for secret in [&stripe, &pw, &gh] {
            assert!(!red.contains(secret.as_str()), "{red}");
            assert!(!red.contains(&secret[..secret.len() - 2]), "{red}");
        }
        assert!(
            red.starts_with("/bin/sh -c curl -H 'Authorization: Bearer ghp_"),
            "{red}"
        );
        assert!(red.contains("https://ci:"), "{red}");
        assert!(red.contains("@git.corp.io/x && echo STRIPE="), "{red}");
        // Nothing to mask: the very same text, borrowed.
        let clean = "/bin/sh -c apt-get update && apt-get install -y curl";
        assert!(matches!(sc.redact_text(clean), Cow::Borrowed(t) if t == clean));
    }

    #[test]
    fn redact_text_masks_a_private_key_body() {
        let sc = scanner();
        let key = pem("RSA ", 6, 310);
        let text = format!("RUN echo '{key}' > /root/.ssh/id_rsa");
        let red = sc.redact_text(&text);
        for line in key.lines().skip(1).filter(|l| !l.starts_with("-----")) {
            assert!(!red.contains(&line[..16]), "{red}");
        }
        assert!(red.contains("-----END RSA PRIVATE KEY-----"), "{red}");
        assert!(red.ends_with("> /root/.ssh/id_rsa"), "{red}");
    }

    #[test]
    fn redact_value_masks_what_scan_key_value_reports() {
        let sc = scanner();
        let pw = rnd(320, 14, ALNUM);
        assert_eq!(sc.scan_key_value("DB_PASSWORD", &pw).len(), 1);
        let red = sc.redact_value("DB_PASSWORD", &pw);
        assert!(!red.contains(&pw[..5]), "{red}");
        let url = format!("postgres://app:{pw}@db:5432/app");
        let red = sc.redact_value("DATABASE_URL", &url);
        assert!(
            red.starts_with("postgres://app:") && red.ends_with("@db:5432/app"),
            "{red}"
        );
        assert!(!red.contains(&pw[..5]), "{red}");
        // A name that is not a secret keeps its value.
        assert_eq!(
            sc.redact_value("PATH", "/usr/local/bin:/usr/bin"),
            "/usr/local/bin:/usr/bin"
        );
        assert_eq!(
            sc.redact_value("DB_PASSWORD_FILE", "/run/secrets/db"),
            "/run/secrets/db"
        );
    }

    #[test]
    fn secret_spans_fall_on_arguments() {
        let sc = scanner();
        let pw = format!("Zq9{}", rnd(330, 12, ALNUM));
        let argv = format!("mysql --password {pw} -h db");
        let spans = sc.secret_spans(&argv);
        assert_eq!(spans.len(), 1, "{spans:?}");
        let (s, e) = spans[0];
        assert_eq!(&argv[s..e], pw);
    }

    #[test]
    fn redaction_gives_up_to_masking_everything() {
        let sc = scanner();
        let text: String = (0..500)
            .map(|i| format!("ghp_{} ", rnd(400 + i, 36, ALNUM)))
            .collect();
        let red = sc.redact_text(&text);
        assert!(red.len() <= 16, "{red}");
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
