//! Packagist (Composer) versions, ordered as PHP's `version_compare`
//! orders them (php-src `ext/standard/versioning.c`), after a leading `v`
//! or `V` is dropped as Composer and OSV drop it (`v6.4.8` is `6.4.8`).
//!
//! The string is first canonicalised: `-`, `_`, `+` and any other character
//! that is neither a letter nor a digit become `.` (runs of them one `.`),
//! and a `.` is put between a digit and a letter that meet (`1.0rc1` is
//! `1.0.rc.1`). The parts between dots are then compared in turn: numbers
//! numerically; words by the special form they start with, `dev` < `alpha`
//! = `a` < `beta` = `b` < `RC` = `rc` < (a number) < `pl` = `p`, any other
//! word before `dev`; a word against a number as the form against `#`, the
//! number's place. When one version runs out, the other's next part
//! decides: a number makes it the later version (`1.0.0` > `1.0`), a word
//! is compared with `#` (`1.0-beta` < `1.0`, `1.0-p1` > `1.0`).
//!
//! A branch is no release and cannot be ordered: `dev-main` and branch
//! aliases such as `2.x-dev` are errors, reported as unknown rather than
//! read as older than every fix.

use std::cmp::Ordering;

use super::{Reason, cmp_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A run of digits.
    Num(String),
    /// A word, by the order of the special form it starts with.
    Word(i8),
}

/// The place of a number among the special forms (`#` in PHP's table).
const NUMBER: i8 = 4;

#[derive(Debug, Clone)]
pub(super) struct Version {
    parts: Vec<Part>,
}

impl Version {
    pub(super) fn parse(s: &str) -> Result<Self, Reason> {
        let t = s.strip_prefix(['v', 'V']).unwrap_or(s);
        if t.starts_with("dev-") || (t.ends_with("-dev") && t.contains(['x', 'X', '*'])) {
            return Err("a branch, not a release: cannot be ordered".into());
        }
        if t.contains('#') {
            // PHP takes a string starting with `#` as already canonical and
            // `#` compares equal to every number: no order can be kept.
            return Err("`#` in a version cannot be ordered".into());
        }
        let parts = canonical(t)
            .split('.')
            .map(|p| {
                if p.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                    // `strtol` reads the leading digits.
                    let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                    Part::Num(digits)
                } else {
                    Part::Word(special_form(p))
                }
            })
            .collect();
        Ok(Version { parts })
    }
}

/// `php_canonicalize_version`: the first character kept as it is; then
/// `-_+` and other non-alphanumerics as one `.`, and a `.` between a digit
/// and a non-digit that meet.
fn canonical(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len() * 2);
    let Some(&first) = b.first() else {
        return out;
    };
    out.push(first as char);
    let is_digit = |c: u8| c.is_ascii_digit();
    let is_non_digit = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut last = first;
    for &c in &b[1..] {
        let dot_unless_last = |out: &mut String| {
            if !out.ends_with('.') {
                out.push('.');
            }
        };
        if matches!(c, b'-' | b'_' | b'+') {
            dot_unless_last(&mut out);
        } else if (is_non_digit(last) && is_digit(c)) || (is_digit(last) && is_non_digit(c)) {
            dot_unless_last(&mut out);
            out.push(c as char);
        } else if !c.is_ascii_alphanumeric() {
            dot_unless_last(&mut out);
        } else {
            out.push(c as char);
        }
        last = c;
    }
    out
}

/// `compare_special_version_forms`: the first form of PHP's table the word
/// starts with (`alpha` before `a`, `pl` before `p`); -1 for none.
fn special_form(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |&(_, order)| order)
}

fn cmp_part(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Num(x), Part::Num(y)) => cmp_digits(x.as_bytes(), y.as_bytes()),
        (Part::Word(x), Part::Word(y)) => x.cmp(y),
        (Part::Num(_), Part::Word(y)) => NUMBER.cmp(y),
        (Part::Word(x), Part::Num(_)) => x.cmp(&NUMBER),
    }
}

/// The parts in turn; then the longer version's next part against `#`.
fn cmp_parts(a: &[Part], b: &[Part]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match cmp_part(x, y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    let hash = [Part::Word(NUMBER)];
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => match &a[b.len()] {
            Part::Num(_) => Ordering::Greater,
            Part::Word(_) => cmp_parts(&a[b.len()..], &hash),
        },
        Ordering::Less => match &b[a.len()] {
            Part::Num(_) => Ordering::Less,
            Part::Word(_) => cmp_parts(&hash, &b[a.len()..]),
        },
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn php_version_compare_cases() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0", "1.1", Less),
            ("1.0", "1.0.0", Less),
            ("1.0-dev", "1.0", Less),
            ("1.0-dev", "1.0a1", Less),
            ("1.0alpha1", "1.0a1", Equal),
            ("1.0b1", "1.0RC1", Less),
            ("1.0RC1", "1.0", Less),
            ("1.0", "1.0pl1", Less),
            // `p` sorts after every number, as in PHP.
            ("1.0-p1", "1.0.1", Greater),
            ("1.0abc", "1.0dev", Greater),
            ("1.0zzz", "1.0dev", Less),
            ("1..0", "1.0", Equal),
            ("v6.4.8", "6.4.8", Equal),
            ("6.4.10", "6.4.9", Greater),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
        }
        assert_eq!(canonical("1.0rc1"), "1.0.rc.1");
        assert_eq!(canonical("1.0-beta+2"), "1.0.beta.2");
    }

    #[test]
    fn branches_are_not_releases() {
        for v in ["dev-main", "dev-master", "2.x-dev", "v3.x-dev", "1.0.#"] {
            assert!(Version::parse(v).is_err(), "{v}");
        }
        assert!(Version::parse("1.0.0-dev").is_ok());
    }
}
