//! Alpine (and Wolfi, Chainguard) package versions,
//! `digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}`, ordered as apk-tools 3
//! orders them (`src/version.c`: `token_first`, `token_next`, `token_cmp`,
//! `apk_version_compare`), which `apk version -t` prints.
//!
//! A version is a sequence of tokens, each of a kind that may only follow
//! certain kinds: the initial number, `.`-numbers, one lowercase letter,
//! `_suffix` with an optional number (`alpha`, `beta`, `pre`, `rc` before the
//! release; `cvs`, `svn`, `git`, `hg`, `p` after it), one `~` commit hash,
//! and one `-r` revision. A string `apk_version_validate()` rejects is an
//! error here (apk compares such strings only up to the first bad token).

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp, span};

/// Token kinds in apk's order (`enum PARTS`): a version whose next token has
/// a later kind is the older one, except a pre-release suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffixes in apk's order: pre-release ones before "no suffix", the others
/// after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    /// The token's text, without its leading `.`, `_`, `~` or `-r`.
    text: &'a [u8],
    suffix: Suffix,
}

const END: Token<'static> = Token {
    kind: Kind::End,
    text: b"",
    suffix: Suffix::None,
};

#[derive(Debug, Clone)]
pub(super) struct Version<'a> {
    tokens: Vec<Token<'a>>,
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        let b = s.as_bytes();
        // token_first(): the version starts with a number.
        let n = span(b, |c| c.is_ascii_digit());
        if n == 0 {
            return Err("does not start with a digit".into());
        }
        let mut tokens = vec![token(Kind::InitialDigit, &b[..n])];
        let mut i = n;
        while i < b.len() {
            let prev = tokens[tokens.len() - 1].kind;
            let bad = |why: &str| -> Reason { format!("{why} at byte {i}").into() };
            // token_next(): the first byte decides the kind, which must be
            // allowed after the previous one.
            let tok = match b[i] {
                b'a'..=b'z' if prev <= Kind::Digit => {
                    i += 1;
                    token(Kind::Letter, &b[i - 1..i])
                }
                b'.' if prev <= Kind::Digit => {
                    let n = span(&b[i + 1..], |c| c.is_ascii_digit());
                    if n == 0 {
                        return Err(bad("no number after '.'"));
                    }
                    i += 1 + n;
                    token(Kind::Digit, &b[i - n..i])
                }
                // A number right after a suffix is the suffix's number.
                b'0'..=b'9' if prev == Kind::Suffix => {
                    let n = span(&b[i..], |c| c.is_ascii_digit());
                    i += n;
                    token(Kind::SuffixNo, &b[i - n..i])
                }
                b'_' if prev <= Kind::SuffixNo => {
                    let n = span(&b[i + 1..], |c| c.is_ascii_lowercase());
                    let text = &b[i + 1..i + 1 + n];
                    let Some(suffix) = suffix_value(text) else {
                        return Err(bad("unknown suffix"));
                    };
                    i += 1 + n;
                    Token {
                        suffix,
                        ..token(Kind::Suffix, text)
                    }
                }
                b'~' if prev < Kind::CommitHash => {
                    let n = span(&b[i + 1..], |c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                    if n == 0 {
                        return Err(bad("no hex digits after '~'"));
                    }
                    i += 1 + n;
                    token(Kind::CommitHash, &b[i - n..i])
                }
                b'-' if prev < Kind::RevisionNo && b.get(i + 1) == Some(&b'r') => {
                    let n = span(&b[i + 2..], |c| c.is_ascii_digit());
                    if n == 0 {
                        return Err(bad("no number after '-r'"));
                    }
                    i += 2 + n;
                    token(Kind::RevisionNo, &b[i - n..i])
                }
                _ => return Err(bad("unexpected character")),
            };
            tokens.push(tok);
        }
        Ok(Version { tokens })
    }
}

fn token(kind: Kind, text: &[u8]) -> Token<'_> {
    Token {
        kind,
        text,
        suffix: Suffix::None,
    }
}

/// `suffix_value()`: only these exact names are suffixes.
fn suffix_value(s: &[u8]) -> Option<Suffix> {
    Some(match s {
        b"alpha" => Suffix::Alpha,
        b"beta" => Suffix::Beta,
        b"pre" => Suffix::Pre,
        b"rc" => Suffix::Rc,
        b"cvs" => Suffix::Cvs,
        b"svn" => Suffix::Svn,
        b"git" => Suffix::Git,
        b"hg" => Suffix::Hg,
        b"p" => Suffix::P,
        _ => return None,
    })
}

/// `token_cmp()` for two tokens of the same kind.
fn token_cmp(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        // "if either of the digits have a leading zero, use raw string
        // comparison similar to Gentoo spec": 1.0 < 1.001, 1.0015 < 1.002.
        Kind::Digit if a.text[0] == b'0' || b.text[0] == b'0' => a.text.cmp(b.text),
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_digits(a.text, b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        // Letters and commit hashes: bytes (apk_blob_sort).
        Kind::Letter | Kind::CommitHash | Kind::End => a.text.cmp(b.text),
    }
}

impl Ord for Version<'_> {
    /// `apk_version_compare()`: tokens pairwise while both have the same
    /// kind; then the version whose next token has the later kind is older,
    /// except that a pre-release suffix (`_alpha`, `_beta`, `_pre`, `_rc`)
    /// makes its version the older one.
    fn cmp(&self, other: &Self) -> Ordering {
        for k in 0.. {
            let ta = self.tokens.get(k).unwrap_or(&END);
            let tb = other.tokens.get(k).unwrap_or(&END);
            if ta.kind == tb.kind && ta.kind != Kind::End {
                match token_cmp(ta, tb) {
                    Ordering::Equal => continue,
                    ord => return ord,
                }
            }
            if ta.kind == tb.kind {
                return Ordering::Equal;
            }
            if ta.kind == Kind::Suffix && ta.suffix < Suffix::None {
                return Ordering::Less;
            }
            if tb.kind == Kind::Suffix && tb.suffix < Suffix::None {
                return Ordering::Greater;
            }
            return tb.kind.cmp(&ta.kind);
        }
        unreachable!("both token lists end")
    }
}

ord_by_cmp!(Version<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        let (va, vb) = (Version::parse(a).unwrap(), Version::parse(b).unwrap());
        va.cmp(&vb)
    }

    /// Cases from apk-tools' test/unit/version.data, as `(a, op, b)`.
    #[test]
    fn apk_tools_cases() {
        let cases = [
            ("2.34", ">", "0.1.0_alpha"),
            ("0.1.0_alpha", "=", "0.1.0_alpha"),
            ("0.1.0_alpha2", ">", "0.1.0_alpha"),
            ("0.1.0_alpha", "<", "2.2.39-r1"),
            ("1.0.4-r3", "<", "1.0.4-r4"),
            ("1.1", ">", "1.1_alpha1"),
            ("1.2.1", ">", "1.2"),
            ("1.3_alpha2", "<", "1.3_alpha3"),
            ("0.8_beta4", "<", "4.8-r1"),
            ("3.10.18-r1", ">", "2.3.0b-r1"),
            ("2.01.01_alpha10", ">", "0.94"),
            ("1.39", ">", "1.00_beta2"),
            ("1.2.9.1-r1", ">", "1.2.9.1"),
            ("1.3-r0", "<", "1.3.1-r0"),
            ("1.3_pre1-r1", "<", "1.3.2"),
            ("1.0_p10-r0", ">", "1.0_p9-r0"),
            ("0.1.0_alpha_pre2", "<", "0.1.0_alpha"),
            (
                "1.0.0_pre20191002222144-r0",
                "<",
                "1.0.0_pre20210530193627-r0",
            ),
            ("6.0_pre1", "<", "6.0"),
            ("6.0_p1", ">", "6.0"),
            ("8.2.0", "<", "8.2.001"),
            ("8.2.0015", "<", "8.2.002"),
            ("1.0~1234", "<", "1.0~2345"),
            ("1.0~1234-r1", "<", "1.0~2345-r0"),
            ("1.0~1234-r1", ">", "1.0~1234-r0"),
        ];
        for (a, op, b) in cases {
            let want = match op {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                _ => Ordering::Greater,
            };
            assert_eq!(cmp(a, b), want, "{a} {op} {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn suffixes_letters_and_revisions() {
        let sorted = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git20240101",
            "1.0_hg",
            "1.0_p1",
            "1.0_p1-r1",
            "1.0a",
            "1.0b",
            "1.0.1",
            "1.1",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
        // Numbers compare numerically unless one has a leading zero.
        assert_eq!(cmp("1.10", "1.9"), Ordering::Greater);
        assert_eq!(cmp("1.09", "1.1"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.00"), Ordering::Less);
        assert_eq!(cmp("010", "9"), Ordering::Greater);
        assert_eq!(cmp("1.0-r01", "1.0-r1"), Ordering::Equal);
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "a",
            ".1",
            "_pre1",
            "-r1",
            "0.1bc",
            "0.1bc1",
            "0.1a1",
            "0.1a.1",
            "0.1_pre2~",
            "0.1_pre2~1234xbcd",
            "0.1_pre2~1234abcd_pre1",
            "0.1_pre2-r1~1234xbcd",
            "0.1_foobar",
            "0.1_foobar1",
            "0.1-pre1.1",
            "0.1-r",
            "0.1-r2_pre1",
            "0.1-r2_p3_pre1",
            "0.1-r2-r3",
            "0.1-r2.1",
            "0.1_",
            "0.1_-r0",
            "0.1__alpha",
            "0.1_1_alpha",
            "1.0 ",
            "1.0-R1",
            "23_foo",
        ] {
            assert!(Version::parse(v).is_err(), "{v:?} should be invalid");
        }
        for v in [
            "1.2",
            "0.1_pre2",
            "0.1_pre2~1234abcd",
            "0.1_p1_pre2",
            "0.1_alpha1_pre2",
            "0.1_git20240101_pre1",
        ] {
            assert!(Version::parse(v).is_ok(), "{v:?} should be valid");
        }
    }
}
