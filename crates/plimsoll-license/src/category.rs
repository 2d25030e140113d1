//! What kind of licence an SPDX identifier is, in the categories a policy
//! names. The classification follows Google's licence classifier, the one
//! Trivy's `license` settings use, with plainer names (Trivy's are accepted
//! as synonyms):
//!
//! | plimsoll        | Trivy / Google | e.g.                                   |
//! |-----------------|----------------|----------------------------------------|
//! | `forbidden`     | forbidden      | AGPL, CC-BY-NC-*, Commons-Clause, WTFPL |
//! | `copyleft`      | restricted     | GPL, LGPL, EUPL, CC-BY-SA-*, OSL        |
//! | `weak-copyleft` | reciprocal     | MPL, EPL, CDDL, CPL, APSL               |
//! | `permissive`    | notice, permissive | MIT, BSD-*, Apache-2.0, ISC, Zlib   |
//! | `public-domain` | unencumbered   | CC0-1.0, Unlicense, 0BSD                |
//! | `unknown`       | unknown        | no licence declared, or not SPDX        |
//!
//! An SPDX identifier the table does not list is `copyleft` when the SPDX
//! list flags it copyleft, and otherwise has no category: only lists that
//! name it by identifier match it.

use std::fmt;

/// A licence category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Forbidden,
    Copyleft,
    WeakCopyleft,
    Permissive,
    PublicDomain,
    Unknown,
}

impl Category {
    /// A policy word: plimsoll's names and Trivy's.
    pub fn parse(word: &str) -> Option<Category> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "forbidden" => Category::Forbidden,
            "copyleft" | "restricted" => Category::Copyleft,
            "weak-copyleft" | "reciprocal" => Category::WeakCopyleft,
            "permissive" | "notice" => Category::Permissive,
            "public-domain" | "unencumbered" => Category::PublicDomain,
            "unknown" => Category::Unknown,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Forbidden => "forbidden",
            Category::Copyleft => "copyleft",
            Category::WeakCopyleft => "weak-copyleft",
            Category::Permissive => "permissive",
            Category::PublicDomain => "public-domain",
            Category::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifier prefixes of each category (an entry ending in `-` or `.` is a
/// prefix; others are whole identifiers, `-only`/`-or-later` allowed).
const TABLE: &[(Category, &[&str])] = &[
    (
        Category::Forbidden,
        &[
            "AGPL-1.0",
            "AGPL-3.0",
            "CC-BY-NC-",
            "CC-BY-NC-ND-",
            "CC-BY-NC-SA-",
            "Commons-Clause",
            "Facebook-2-Clause",
            "Facebook-3-Clause",
            "Facebook-Examples",
            "WTFPL",
        ],
    ),
    (
        Category::Copyleft,
        &[
            "GPL-1.0",
            "GPL-2.0",
            "GPL-3.0",
            "LGPL-2.0",
            "LGPL-2.1",
            "LGPL-3.0",
            "LGPLLR",
            "EUPL-1.0",
            "EUPL-1.1",
            "EUPL-1.2",
            "CC-BY-ND-",
            "CC-BY-SA-",
            "OSL-",
            "QPL-1.0",
            "Sleepycat",
            "NPL-1.0",
            "NPL-1.1",
            "BCL",
            "GFDL-",
        ],
    ),
    (
        Category::WeakCopyleft,
        &[
            "MPL-1.0", "MPL-1.1", "MPL-2.0", "EPL-1.0", "EPL-2.0", "CDDL-1.0", "CDDL-1.1",
            "CPL-1.0", "APSL-", "IPL-1.0", "Ruby", "MS-RL", "OFL-",
        ],
    ),
    (Category::PublicDomain, &["CC0-1.0", "Unlicense", "0BSD"]),
    (
        Category::Permissive,
        &[
            "MIT",
            "MIT-",
            "X11",
            "BSD-",
            "Apache-",
            "ISC",
            "Zlib",
            "zlib-acknowledgement",
            "PostgreSQL",
            "PSF-2.0",
            "Python-2.0",
            "OpenSSL",
            "SSLeay-standalone",
            "curl",
            "NCSA",
            "BSL-1.0",
            "Artistic-",
            "W3C",
            "Unicode-",
            "libpng",
            "libpng-2.0",
            "bzip2-1.0.6",
            "FTL",
            "HPND",
            "MS-PL",
            "CC-BY-1.0",
            "CC-BY-2.0",
            "CC-BY-2.5",
            "CC-BY-3.0",
            "CC-BY-4.0",
            "BlueOak-1.0.0",
            "Beerware",
            "FSFAP",
            "FSFUL",
            "FSFULLR",
            "ICU",
            "JSON",
            "Info-ZIP",
            "OLDAP-",
            "Vim",
            "AFL-",
            "ECL-2.0",
            "UPL-1.0",
        ],
    ),
];

/// `GPL-2.0-or-later` → `GPL-2.0`; `GPL-2.0+` → `GPL-2.0`.
pub fn base_id(id: &str) -> &str {
    id.trim_end_matches('+')
        .trim_end_matches("-or-later")
        .trim_end_matches("-only")
}

/// The category of an SPDX licence identifier, if it has one.
pub fn of(id: &str) -> Option<Category> {
    let base = base_id(id);
    for (category, entries) in TABLE {
        for e in *entries {
            let hit = if e.ends_with('-') {
                base.len() > e.len() && base[..e.len()].eq_ignore_ascii_case(e)
            } else {
                base.eq_ignore_ascii_case(e)
            };
            if hit {
                return Some(*category);
            }
        }
    }
    spdx::license_id(id)
        .filter(|l| l.is_copyleft())
        .map(|_| Category::Copyleft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(of("AGPL-3.0-or-later"), Some(Category::Forbidden));
        assert_eq!(of("GPL-2.0+"), Some(Category::Copyleft));
        assert_eq!(of("LGPL-2.1-only"), Some(Category::Copyleft));
        assert_eq!(of("MPL-2.0"), Some(Category::WeakCopyleft));
        assert_eq!(of("MIT"), Some(Category::Permissive));
        assert_eq!(of("BSD-3-Clause"), Some(Category::Permissive));
        assert_eq!(of("Apache-2.0"), Some(Category::Permissive));
        assert_eq!(of("CC0-1.0"), Some(Category::PublicDomain));
        assert_eq!(of("CC-BY-NC-4.0"), Some(Category::Forbidden));
        assert_eq!(of("CC-BY-SA-4.0"), Some(Category::Copyleft));
        assert_eq!(of("CC-BY-4.0"), Some(Category::Permissive));
        // Not in the table, flagged copyleft by the SPDX list.
        assert_eq!(of("CECILL-2.1"), Some(Category::Copyleft));
        assert_eq!(of("Glide"), None);
        assert_eq!(Category::parse("restricted"), Some(Category::Copyleft));
        assert_eq!(Category::parse("Reciprocal"), Some(Category::WeakCopyleft));
        assert_eq!(Category::parse("viral"), None);
    }
}
