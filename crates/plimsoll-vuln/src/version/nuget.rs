//! NuGet package versions, ordered as `NuGet.Versioning`'s
//! `VersionComparer.Default` (NuGet.Client, `VersionComparer.cs`) orders
//! two `NuGetVersion`s:
//!
//! - `major.minor.patch` and NuGet's legacy fourth number (`revision`),
//!   one to four numbers (`1` is `1.0.0`, a missing one is 0), each a
//!   32-bit signed integer as .NET's `int` holds it;
//! - a version without release labels is newer than one with
//!   (`1.0.0-beta` < `1.0.0`);
//! - labels (the `.`-separated parts after the first `-`) compared one
//!   by one: two numeric ones (`int.TryParse`) as numbers, a numeric one
//!   before a non-numeric one, two non-numeric ones by ordinal comparison
//!   ignoring case (`StringComparer.OrdinalIgnoreCase`, for these ASCII
//!   labels the order of their upper-case forms); the shorter list of
//!   equal labels first;
//! - build metadata (after `+`) never counts (`1.0.0+aa` = `1.0.0`).
//!
//! A label holds `[0-9A-Za-z-]` only, and none is empty (SemVer 2.0.0's
//! grammar, which `NuGetVersion.Parse` enforces).

use std::cmp::Ordering;

use super::Reason;

#[derive(Debug)]
pub(super) struct Version<'a> {
    numbers: [i32; 4],
    labels: Vec<&'a str>,
}

fn number(part: &str) -> Result<i32, Reason> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{part:?} is not a number").into());
    }
    part.parse::<i32>()
        .map_err(|_| format!("{part} is larger than a 32-bit integer").into())
}

impl<'a> Version<'a> {
    pub(super) fn parse(s: &'a str) -> Result<Self, Reason> {
        let s = s.trim();
        let (s, metadata) = match s.split_once('+') {
            Some((v, m)) => (v, Some(m)),
            None => (s, None),
        };
        if let Some(m) = metadata
            && (m.is_empty()
                || m.split('.').any(|p| {
                    p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }))
        {
            return Err("invalid build metadata".into());
        }
        let (core, labels) = match s.split_once('-') {
            Some((c, l)) => (c, Some(l)),
            None => (s, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 {
            return Err("more than four version numbers".into());
        }
        let mut numbers = [0; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = number(part)?;
        }
        let labels: Vec<&str> = match labels {
            None => Vec::new(),
            Some(l) => l.split('.').collect(),
        };
        if labels
            .iter()
            .any(|l| l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err("empty or invalid release label".into());
        }
        Ok(Version { numbers, labels })
    }
}

/// `CompareRelease`: numbers as numbers, numbers first, text ignoring case.
fn cmp_label(a: &str, b: &str) -> Ordering {
    match (a.parse::<i32>(), b.parse::<i32>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a
            .bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase())),
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(&other.labels) {
                        let o = cmp_label(a, b);
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    /// NuGet.Client's `VersionComparerTests` (test/NuGet.Core.Tests/
    /// NuGet.Versioning.Test), `VersionComparisonDefaultEqual` and
    /// `VersionComparisonDefaultLess`.
    #[test]
    fn nuget_client_comparer_tests() {
        for (a, b) in [
            ("1.0.0", "1.0.0"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} = {b}");
        }
        for (a, b) in [
            ("0.0.0", "1.0.0"),
            ("1.0.0", "1.1.0"),
            ("1.0.0", "1.0.1"),
            ("1.999.9999", "2.1.1"),
            ("1.0.0-BETA", "1.0.0-beta2"),
            ("1.0.0-beta+AA", "1.0.0+aa"),
            ("1.0.0-BETA", "1.0.0-beta.1+AA"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
            ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(cmp(b, a), Ordering::Greater, "{b} > {a}");
        }
    }

    #[test]
    fn legacy_fourth_number_and_short_forms() {
        assert_eq!(cmp("1", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.0.0", "1.0.0.1"), Ordering::Less);
        assert_eq!(cmp("3.7.10.6", "3.7.10.10"), Ordering::Less);
        assert_eq!(cmp("1.0.0.1-beta", "1.0.0.1"), Ordering::Less);
        // Numeric labels before text ones; numbers past int32 are text.
        assert_eq!(cmp("1.0.0-1", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0-9", "1.0.0-10"), Ordering::Less);
        assert_eq!(cmp("1.0.0-99999999999", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0-rc.1.1"), Ordering::Less);
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "a",
            "1.",
            ".1",
            "1.0.0.0.0",
            "1.0-",
            "1.0-a..b",
            "1.0+",
            "1.0-a_b",
            "2147483648",
            "v1.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }
}
