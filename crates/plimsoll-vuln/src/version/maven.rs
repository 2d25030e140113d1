//! Maven versions, ordered as `org.apache.maven.artifact.versioning.
//! ComparableVersion` of Maven 3.9 orders them (the "Version Order
//! Specification" of the POM reference). Maven 3.9 is what resolves and
//! builds artifacts today; Maven 4's rewrite (`CombinationItem`, MNG-7714)
//! orders a few unusual strings differently (`1-sp` against `1-final`).
//!
//! Every string is a version: it is lowercased and cut into items at `.`,
//! `-` and at every change between digits and letters; a `-`, and a change
//! between digits and letters, open a sub-list. Numbers compare numerically,
//! qualifiers in the order `alpha < beta < milestone < rc = cr < snapshot <
//! "" = ga = final = release < sp < anything else (lexically)`, and `a1`,
//! `b1`, `m1` mean `alpha-1`, `beta-1`, `milestone-1`. Trailing "null" items
//! (`0`, `""`, empty lists) are dropped from every list, so 1 == 1.0 ==
//! 1-0 == 1.ga.

use std::cmp::Ordering;

use super::{Reason, cmp_digits, ord_by_cmp};

/// Known qualifiers in order; the empty one is the release itself.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

#[derive(Debug, Clone)]
enum Item {
    /// Digits; `IntItem`, `LongItem` and `BigIntegerItem` in Maven, which
    /// together order as unbounded numbers.
    Int(String),
    /// A qualifier, after aliases.
    Str(String),
    List(Vec<Item>),
}

#[derive(Debug, Clone)]
pub(super) struct Version {
    items: Vec<Item>,
}

impl Version {
    /// `ComparableVersion.parseVersion()`; never fails.
    pub(super) fn parse(s: &str) -> Result<Self, Reason> {
        // toLowerCase(Locale.ENGLISH).
        let v: Vec<char> = s.to_lowercase().chars().collect();
        let text = |from: usize, to: usize| v[from..to].iter().collect::<String>();
        // The lists as a chain: each new list is the last item of the one
        // before it, and items are only ever added to the newest list.
        let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        for (i, &c) in v.iter().enumerate() {
            let list = chain.last_mut().expect("never empty");
            if c == '.' || c == '-' {
                // An empty item ("1..2", "-1") is 0.
                list.push(if i == start {
                    Item::Int("0".into())
                } else {
                    parse_item(is_digit, text(start, i))
                });
                start = i + 1;
                if c == '-' {
                    chain.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // Letters then digits: "1.0.0.X1 < 1.0.0-X2, treat .X as
                    // -X for any string qualifier X", and the digits go into
                    // a list of their own.
                    if !list.is_empty() {
                        chain.push(Vec::new());
                    }
                    let qualifier = qualifier(text(start, i), true);
                    chain.last_mut().expect("never empty").push(qualifier);
                    start = i;
                    chain.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    // Digits then letters: the letters go into a new list.
                    list.push(parse_item(true, text(start, i)));
                    start = i;
                    chain.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if v.len() > start {
            // A trailing qualifier after a '.' gets a list of its own too.
            if !is_digit && !chain.last().expect("never empty").is_empty() {
                chain.push(Vec::new());
            }
            let item = parse_item(is_digit, text(start, v.len()));
            chain.last_mut().expect("never empty").push(item);
        }
        // Normalise innermost first, as Maven pops its stack of lists.
        let mut tail: Option<Item> = None;
        for mut list in chain.into_iter().rev() {
            list.extend(tail.take());
            normalize(&mut list);
            tail = Some(Item::List(list));
        }
        let Some(Item::List(items)) = tail else {
            unreachable!("the chain has at least one list")
        };
        Ok(Version { items })
    }
}

fn parse_item(is_digit: bool, buf: String) -> Item {
    if is_digit {
        Item::Int(buf)
    } else {
        qualifier(buf, false)
    }
}

/// `new StringItem(value, followedByDigit)`.
fn qualifier(value: String, followed_by_digit: bool) -> Item {
    let value = match value.as_str() {
        // "a1 = alpha-1, b1 = beta-1, m1 = milestone-1"
        "a" if followed_by_digit => "alpha".into(),
        "b" if followed_by_digit => "beta".into(),
        "m" if followed_by_digit => "milestone".into(),
        // ALIASES
        "ga" | "final" | "release" => String::new(),
        "cr" => "rc".into(),
        _ => value,
    };
    Item::Str(value)
}

/// `comparableQualifier()`: a known qualifier's index, or after all of them,
/// lexically.
fn qualifier_key(q: &str) -> (usize, &str) {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => (i, ""),
        None => (QUALIFIERS.len(), q),
    }
}

impl Item {
    /// `isNull()`.
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.bytes().all(|c| c == b'0'),
            Item::Str(q) => q.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// `Item.compareTo(item)`, where `None` stands for a missing item (the
    /// other version is shorter).
    fn compare(&self, other: Option<&Item>) -> Ordering {
        use Ordering::{Greater, Less};
        match (self, other) {
            // "1.0 == 1, 1.1 > 1"
            (Item::Int(_), None) => {
                if self.is_null() {
                    Ordering::Equal
                } else {
                    Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => cmp_digits(a.as_bytes(), b.as_bytes()),
            // "1.1 > 1-sp", "1.1 > 1-1"
            (Item::Int(_), Some(Item::Str(_) | Item::List(_))) => Greater,
            // "1-rc < 1, 1-ga > 1"
            (Item::Str(a), None) => qualifier_key(a).cmp(&qualifier_key("")),
            // "1.any < 1.1 ?"
            (Item::Str(_), Some(Item::Int(_))) => Less,
            (Item::Str(a), Some(Item::Str(b))) => qualifier_key(a).cmp(&qualifier_key(b)),
            // "1.any < 1-1"
            (Item::Str(_), Some(Item::List(_))) => Less,
            // "Compare the entire list of items with null - not just the
            // first one, MNG-6964"
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.compare(None))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
            // "1-1 < 1.0.x"
            (Item::List(_), Some(Item::Int(_))) => Less,
            // "1-1 > 1-sp"
            (Item::List(_), Some(Item::Str(_))) => Greater,
            (Item::List(l), Some(Item::List(r))) => compare_lists(l, r),
        }
    }
}

/// Lists item by item; a missing item is compared as `null`.
fn compare_lists(l: &[Item], r: &[Item]) -> Ordering {
    for k in 0..l.len().max(r.len()) {
        let ord = match (l.get(k), r.get(k)) {
            (Some(a), b) => a.compare(b),
            (None, Some(b)) => b.compare(None).reverse(),
            (None, None) => unreachable!("k < max length"),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize()` of Maven 3.9: from the end, drop null items,
/// stepping over non-null lists, until a non-null non-list item.
fn normalize(list: &mut Vec<Item>) {
    for i in (0..list.len()).rev() {
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

ord_by_cmp!(Version);

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[track_caller]
    fn assert_sorted(versions: &[&str]) {
        for (i, a) in versions.iter().enumerate() {
            for (j, b) in versions.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[track_caller]
    fn assert_equal(a: &str, b: &str) {
        assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        assert_eq!(v(b).cmp(&v(a)), Ordering::Equal, "{b} == {a}");
    }

    #[track_caller]
    fn assert_less(a: &str, b: &str) {
        assert_eq!(v(a).cmp(&v(b)), Ordering::Less, "{a} < {b}");
        assert_eq!(v(b).cmp(&v(a)), Ordering::Greater, "{b} > {a}");
    }

    // The cases below are Maven 3.9's ComparableVersionTest.

    #[test]
    fn versions_qualifier() {
        assert_sorted(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn versions_number() {
        assert_sorted(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn versions_equal() {
        for (a, b) in [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1.0.0x", "1-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1Ga", "1"),
            ("1RELeaSE", "1"),
            ("1FinaL", "1"),
            ("1Cr", "1Rc"),
            ("1m3", "1MileStone3"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
            ("0000000000000000001", "1"),
            ("0000000000000000000", "0"),
        ] {
            assert_equal(a, b);
        }
    }

    #[test]
    fn version_comparing() {
        for (a, b) in [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.0.0", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            // MNG-5568
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            // MNG-6572
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            // MNG-6964
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
            ("1-0.alpha", "1-0.beta"),
        ] {
            assert_less(a, b);
        }
    }

    #[test]
    fn mng_7644_dot_qualifier_is_dash_qualifier() {
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            assert_less(&format!("1.0.0.{x}1"), &format!("1.0.0-{x}2"));
            assert_equal(&format!("2-{x}"), &format!("2.0.{x}"));
            assert_equal(&format!("2-{x}"), &format!("2.0.0.{x}"));
            assert_equal(&format!("2.0.{x}"), &format!("2.0.0.{x}"));
        }
    }

    #[test]
    fn maven_3_9_specifics() {
        // In Maven 3.9 "ga", "final" and "release" are the empty qualifier,
        // so "sp" sorts after them (Maven 4 changed this, MNG-7714).
        assert_less("1-final", "1-sp");
        assert_equal("1-ga", "1-final");
        // Anything is a version.
        assert_equal("", "0");
        assert_equal("-", "0");
        assert_less("abc", "1");
    }
}
