//! Python package versions, PEP 440, ordered as `packaging.version.Version`
//! orders them (its `VERSION_PATTERN`, normalisation and `_cmpkey`).
//!
//! Accepted, case-insensitively, with surrounding whitespace and an optional
//! `v`: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]` with every spelling
//! PEP 440 normalises: `alpha`/`beta`/`c`/`pre`/`preview` for `a`/`b`/`rc`,
//! `-`, `_` or `.` (or nothing) before and inside pre, post and dev parts,
//! `rev`/`r` and a bare `-N` for post, and a missing number for 0. Anything
//! else is an error, as `packaging` raises `InvalidVersion` (it has no
//! `LegacyVersion` since 22.0).

use std::cmp::Ordering;

use super::{Num, Reason, ord_by_cmp, span};

/// Pre-release kinds after normalisation; `a < b < rc` as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    A,
    B,
    Rc,
}

/// `_cmpkey`'s pre-release key: a dev release of a final version (`1.0.dev1`)
/// sorts before its pre-releases (`-Infinity`), no pre-release after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOfFinal,
    Pre(PreKind, Num<'a>),
    Final,
}

/// `_cmpkey`'s dev key: a dev release sorts before the same version without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DevKey<'a> {
    Dev(Num<'a>),
    NotDev,
}

/// A local version segment: strings before numbers, strings compared in
/// lowercase (`(NegativeInfinity, s)` against `(i, "")` in `_cmpkey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Local<'a> {
    Str(Lower<'a>),
    Int(Num<'a>),
}

/// ASCII text compared case-insensitively (normalised to lowercase).
#[derive(Debug, Clone, Copy)]
struct Lower<'a>(&'a [u8]);

impl Ord for Lower<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let lower = |s: &[u8]| s.iter().map(u8::to_ascii_lowercase).collect::<Vec<_>>();
        lower(self.0).cmp(&lower(other.0))
    }
}

ord_by_cmp!(Lower<'_>);

#[derive(Debug, Clone)]
pub(super) struct Version<'a> {
    epoch: Num<'a>,
    /// Trailing zeros removed (`_strip_trailing_zeros`): 1.0 == 1.
    release: Vec<Num<'a>>,
    pre: Option<(PreKind, Num<'a>)>,
    post: Option<Num<'a>>,
    dev: Option<Num<'a>>,
    local: Option<Vec<Local<'a>>>,
}

fn is_sep(c: u8) -> bool {
    matches!(c, b'-' | b'_' | b'.')
}

/// A byte cursor with the few matching steps `VERSION_PATTERN` needs.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Consumes a run of ASCII digits (maybe empty).
    fn digits(&mut self) -> &'a [u8] {
        let n = span(&self.b[self.i..], |c| c.is_ascii_digit());
        self.i += n;
        &self.b[self.i - n..self.i]
    }

    /// Consumes one of `words` (tried in order, case-insensitively) if the
    /// text continues with it, and says which.
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = &self.b[self.i..];
        let w = words.iter().find(|w| {
            rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        })?;
        self.i += w.len();
        Some(w)
    }

    /// Consumes one optional `[-_.]`.
    fn sep(&mut self) {
        if self.peek().is_some_and(is_sep) {
            self.i += 1;
        }
    }

    /// `[-_.]? WORD [-_.]? [0-9]*`: a pre, post or dev part. Restores the
    /// position and returns `None` when the word is not there. Taking the
    /// optional separators greedily never loses a match `VERSION_PATTERN`'s
    /// backtracking would find: every later part starts with an optional
    /// separator, `+` or digits that this part would have taken.
    fn part(&mut self, words: &[&'static str]) -> Option<(&'static str, &'a [u8])> {
        let start = self.i;
        self.sep();
        let Some(w) = self.word(words) else {
            self.i = start;
            return None;
        };
        self.sep();
        Some((w, self.digits()))
    }
}

/// Python's `\s` (str patterns): Unicode whitespace and the separators
/// `\x1c`–`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        let t = s.trim_matches(is_py_space);
        let mut c = Cursor {
            b: t.as_bytes(),
            i: 0,
        };
        // v?
        if c.peek().is_some_and(|b| b.eq_ignore_ascii_case(&b'v')) {
            c.i += 1;
        }
        // (?:(?P<epoch>[0-9]+)!)?
        let start = c.i;
        let mut epoch = c.digits();
        if !epoch.is_empty() && c.peek() == Some(b'!') {
            c.i += 1;
        } else {
            c.i = start;
            epoch = b"0";
        }
        // (?P<release>[0-9]+(?:\.[0-9]+)*)
        let first = c.digits();
        if first.is_empty() {
            return Err("does not start with a release number (PEP 440)".into());
        }
        let mut release = vec![Num(first)];
        while c.peek() == Some(b'.') && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            release.push(Num(c.digits()));
        }
        while release.last().is_some_and(|n| n.is_zero()) {
            release.pop();
        }
        // pre: [-_\.]?(alpha|a|beta|b|preview|pre|c|rc)[-_\.]?[0-9]*
        let pre = c
            .part(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"])
            .map(|(w, n)| {
                let kind = match w {
                    "alpha" | "a" => PreKind::A,
                    "beta" | "b" => PreKind::B,
                    _ => PreKind::Rc,
                };
                (kind, Num(n))
            });
        // post: -[0-9]+ | [-_\.]?(post|rev|r)[-_\.]?[0-9]*
        let mut post = None;
        if c.peek() == Some(b'-') && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            post = Some(Num(c.digits()));
        } else if let Some((_, n)) = c.part(&["post", "rev", "r"]) {
            post = Some(Num(n));
        }
        // dev: [-_\.]?dev[-_\.]?[0-9]*
        let dev = c.part(&["dev"]).map(|(_, n)| Num(n));
        // local: \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*
        let mut local = None;
        if c.peek() == Some(b'+') {
            c.i += 1;
            let mut segments = Vec::new();
            loop {
                let n = span(&c.b[c.i..], |b| b.is_ascii_alphanumeric());
                if n == 0 {
                    return Err("empty segment in the local version".into());
                }
                let seg = &c.b[c.i..c.i + n];
                c.i += n;
                segments.push(if seg.iter().all(u8::is_ascii_digit) {
                    Local::Int(Num(seg))
                } else {
                    Local::Str(Lower(seg))
                });
                if !(c.peek().is_some_and(is_sep)) {
                    break;
                }
                c.i += 1;
            }
            local = Some(segments);
        }
        if c.i != c.b.len() {
            let rest = String::from_utf8_lossy(&c.b[c.i..]);
            return Err(format!("unexpected {rest:?} (PEP 440)").into());
        }
        Ok(Version {
            epoch: Num(epoch),
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn pre_key(&self) -> PreKey<'a> {
        match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => PreKey::DevOfFinal,
            (None, _, _) => PreKey::Final,
            (Some((kind, n)), _, _) => PreKey::Pre(kind, n),
        }
    }

    fn dev_key(&self) -> DevKey<'a> {
        self.dev.map_or(DevKey::NotDev, DevKey::Dev)
    }
}

impl Ord for Version<'_> {
    /// `_cmpkey`: (epoch, release without trailing zeros, pre, post, dev,
    /// local), where no post sorts first, no local sorts first, and local
    /// segments compare as described on [`Local`].
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release.cmp(&other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| self.dev_key().cmp(&other.dev_key()))
            .then_with(|| self.local.cmp(&other.local))
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

    /// The ordering example of PEP 440's "Summary of permitted suffixes and
    /// relative ordering", plus epochs and local versions.
    #[test]
    fn pep_440_example_order() {
        let sorted = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn normalisation() {
        let same = [
            ("1.0", "1.0.0.0"),
            ("v1.0", "1.0"),
            ("V1.0", "1.0"),
            (" 1.0\n", "1.0"),
            ("0!1.0", "1.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-alpha-1", "1.0a1"),
            ("1.0.alpha.1", "1.0a1"),
            ("1.0_ALPHA_1", "1.0a1"),
            ("1.0a", "1.0a0"),
            ("1.0beta", "1.0b0"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0-r1", "1.0.post1"),
            ("1.0rev1", "1.0.post1"),
            ("1.0post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0.dev.", "1.0.dev0"),
            ("1.0a.", "1.0a0"),
            ("1.0+ABC", "1.0+abc"),
            ("1.0+abc-1", "1.0+abc.1"),
            ("1.0+abc_1", "1.0+abc.1"),
            ("1.0+01", "1.0+1"),
            ("01.002", "1.2"),
        ];
        for (a, b) in same {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn tricky_orders() {
        use Ordering::{Greater as G, Less as L};
        let cases = [
            // dev of the final release sorts before its pre-releases ...
            ("1.0.dev1", "1.0a1", L),
            // ... but a post's dev only before that post.
            ("1.0.post1.dev1", "1.0", G),
            ("1.0.post1.dev1", "1.0.post1", L),
            ("1.0a1.dev1", "1.0a1", L),
            ("1.0a1.post1", "1.0a2.dev1", L),
            // local: none first, strings before numbers, then length.
            ("1.0", "1.0+0", L),
            ("1.0+abc", "1.0+0", L),
            ("1.0+abc", "1.0+abd", L),
            ("1.0+abc", "1.0+abc.0", L),
            ("1.0+9", "1.0+10", L),
            ("1.0+2.a", "1.0+2.0", L),
            ("2!0.1", "1!99", G),
            ("5354393735009900500048712945179", "18446744073709551616", G),
            ("0.0.1", "0", G),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "v",
            "one",
            "1.",
            "1..0",
            ".1",
            "1.0a1a",
            "1.0alpha1beta",
            "1.0+",
            "1.0+abc..1",
            "1.0+abc.",
            "1.0.dev1.post1",
            "1.0.post1a1",
            "1!",
            "!1",
            "1.0 1",
            "1.0--1",
            "1.0-",
            "1.0_1",
            "1.0.x",
            "1.0-abc",
            "1.0.post1.post2",
            "1.0ū",
        ] {
            assert!(Version::parse(v).is_err(), "{v:?} should be invalid");
        }
    }
}
