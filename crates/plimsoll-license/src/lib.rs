//! Licence policy (P-C9: third-party software in the image must be licensed
//! for redistribution): the licences the SBOM declares for each package,
//! judged against `[licenses]` in plimsoll.toml.
//!
//! ```toml
//! [licenses]
//! deny = ["forbidden", "AGPL-3.0"]          # SPDX identifiers or categories
//! allow = []                                # non-empty: only these are allowed
//! ignore = ["pkg:deb/*", "pkg:npm/left-pad"] # purl globs never judged
//! ```
//!
//! A package's licence list is a conjunction (a Debian package holds files
//! under each licence its copyright file names); each entry is an SPDX
//! expression, where `OR` lets the licensee choose (allowed when one branch
//! is), `AND` needs every part, `WITH` an exception is judged by its
//! licence, and `GPL-2.0+` / `-or-later` / `-only` match `GPL-2.0` in a list.
//! A declared name that is not SPDX, or no licence at all, is category
//! `unknown` (see [`category`]). `scan` and `sbom --check-licenses` report
//! the packages whose licences are not allowed as rule LIC001, with the
//! package, its version and the layer that added it.

pub mod category;
pub mod rules;

use globset::{Glob, GlobSet, GlobSetBuilder};
use plimsoll_report::Finding;
use plimsoll_sbom::Package;

pub use category::Category;

/// The policy could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum LicenseError {
    #[error(
        "[licenses] {list}: `{word}` is neither an SPDX licence identifier nor a category \
         (forbidden, copyleft, weak-copyleft, permissive, public-domain, unknown; Trivy's \
         restricted, reciprocal, notice, unencumbered)"
    )]
    Word { list: &'static str, word: String },
    #[error("[licenses] ignore: `{glob}`: {why}")]
    Glob { glob: String, why: String },
}

/// One word of an allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Category(Category),
    /// An identifier, compared without `+`, `-only`, `-or-later`.
    Id(String),
}

impl Term {
    fn parse(list: &'static str, word: &str) -> Result<Term, LicenseError> {
        if let Some(c) = Category::parse(word) {
            return Ok(Term::Category(c));
        }
        let w = word.trim();
        let known = spdx::license_id(w).is_some()
            || spdx::license_id(category::base_id(w)).is_some()
            || spdx::imprecise_license_id(w).is_some()
            || w.starts_with("LicenseRef-");
        if !known {
            return Err(LicenseError::Word {
                list,
                word: word.to_string(),
            });
        }
        Ok(Term::Id(category::base_id(w).to_ascii_lowercase()))
    }

    fn matches(&self, leaf: &Leaf) -> bool {
        match self {
            Term::Category(c) => leaf.category == Some(*c),
            Term::Id(id) => leaf
                .id
                .as_deref()
                .is_some_and(|l| category::base_id(l).eq_ignore_ascii_case(id)),
        }
    }

    fn describe(&self) -> String {
        match self {
            Term::Category(c) => c.to_string(),
            Term::Id(id) => id.clone(),
        }
    }
}

/// One licence of an expression as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Leaf {
    /// The SPDX identifier, when it is one.
    id: Option<String>,
    category: Option<Category>,
    /// As declared, for messages.
    text: String,
}

impl Leaf {
    fn unknown(text: &str) -> Leaf {
        Leaf {
            id: None,
            category: Some(Category::Unknown),
            text: if text.is_empty() {
                "no licence declared".into()
            } else {
                text.to_string()
            },
        }
    }
}

/// `[licenses]` of plimsoll.toml.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseConfig {
    /// SPDX identifiers or categories no package may be under.
    #[serde(default)]
    pub deny: Vec<String>,
    /// When not empty, the only identifiers or categories allowed.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Package URL globs never judged (`pkg:deb/*`).
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// A licence policy, checked.
#[derive(Debug, Clone)]
pub struct Policy {
    deny: Vec<Term>,
    allow: Vec<Term>,
    ignore: GlobSet,
    ignore_count: usize,
}

impl Policy {
    pub fn new(config: &LicenseConfig) -> Result<Policy, LicenseError> {
        let terms = |list: &'static str, words: &[String]| {
            words
                .iter()
                .map(|w| Term::parse(list, w))
                .collect::<Result<Vec<_>, _>>()
        };
        let mut b = GlobSetBuilder::new();
        for g in &config.ignore {
            b.add(Glob::new(g).map_err(|e| LicenseError::Glob {
                glob: g.clone(),
                why: e.to_string(),
            })?);
        }
        Ok(Policy {
            deny: terms("deny", &config.deny)?,
            allow: terms("allow", &config.allow)?,
            ignore: b.build().map_err(|e| LicenseError::Glob {
                glob: config.ignore.join(", "),
                why: e.to_string(),
            })?,
            ignore_count: config.ignore.len(),
        })
    }

    /// Whether the policy judges anything.
    pub fn is_empty(&self) -> bool {
        self.deny.is_empty() && self.allow.is_empty()
    }

    /// Why a leaf is not allowed, or None.
    fn refuses(&self, leaf: &Leaf) -> Option<String> {
        if let Some(t) = self.deny.iter().find(|t| t.matches(leaf)) {
            return Some(format!("denied ({})", t.describe()));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|t| t.matches(leaf)) {
            return Some("not in the allow list".into());
        }
        None
    }

    /// The reasons `package`'s licences are not allowed (empty: allowed, or
    /// ignored, or no policy).
    pub fn violations(&self, package: &Package) -> Vec<String> {
        if self.is_empty() || (self.ignore_count > 0 && self.ignore.is_match(&package.purl)) {
            return Vec::new();
        }
        let entries: Vec<&str> = if package.licenses.is_empty() {
            vec![""]
        } else {
            package.licenses.iter().map(String::as_str).collect()
        };
        let mut out = Vec::new();
        for entry in entries {
            out.extend(self.entry_violations(entry));
        }
        out.dedup();
        out
    }

    fn entry_violations(&self, entry: &str) -> Vec<String> {
        let describe = |leaf: &Leaf, why: String| {
            let cat = leaf.category.map(|c| format!(", {c}")).unwrap_or_default();
            format!("`{}`{cat}: {why}", leaf.text)
        };
        let text = entry.trim();
        let parsed = (!text.is_empty())
            .then(|| spdx::Expression::parse_mode(text, spdx::ParseMode::LAX).ok())
            .flatten();
        let Some(expr) = parsed else {
            let leaf = Leaf::unknown(text);
            return self
                .refuses(&leaf)
                .map(|why| describe(&leaf, why))
                .into_iter()
                .collect();
        };
        let leaf_of = |req: &spdx::LicenseReq| -> Leaf {
            match &req.license {
                spdx::LicenseItem::Spdx { id, or_later } => {
                    let name = if *or_later {
                        format!("{}+", id.name)
                    } else {
                        id.name.to_string()
                    };
                    Leaf {
                        id: Some(id.name.to_string()),
                        category: category::of(id.name),
                        text: name,
                    }
                }
                spdx::LicenseItem::Other(r) => Leaf {
                    id: Some(format!("LicenseRef-{}", r.lic_ref)),
                    category: Some(Category::Unknown),
                    text: format!("LicenseRef-{}", r.lic_ref),
                },
            }
        };
        if expr.evaluate(|req| self.refuses(&leaf_of(req)).is_none()) {
            return Vec::new();
        }
        // Name the licences that made it fail.
        match expr.evaluate_with_failures(|req| self.refuses(&leaf_of(req)).is_none()) {
            Ok(()) => Vec::new(),
            Err(failed) => failed
                .into_iter()
                .map(|f| {
                    let leaf = leaf_of(&f.req);
                    let why = self.refuses(&leaf).unwrap_or_default();
                    describe(&leaf, why)
                })
                .collect(),
        }
    }

    /// LIC001 findings for every package whose licences are not allowed,
    /// naming the package, its version and layer.
    pub fn check(&self, packages: &[Package]) -> Vec<Finding> {
        let mut out = Vec::new();
        for p in packages {
            let why = self.violations(p);
            if why.is_empty() {
                continue;
            }
            out.push(rules::license_not_allowed::finding(p, &why));
        }
        out
    }
}

/// The licence findings as lines for a terminal: one per package, then a
/// count (`none` when there are none).
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{} {} {}: {}\n",
            f.severity.as_str().to_ascii_uppercase(),
            f.code,
            f.location.field.as_deref().unwrap_or_default(),
            f.message
        ));
    }
    match findings.len() {
        0 => out.push_str("licences: every package is allowed by [licenses]\n"),
        n => out.push_str(&format!(
            "licences: {n} package(s) not allowed by [licenses] (P-C9)\n"
        )),
    }
    out
}

/// Every licence rule.
pub fn rule_infos() -> Vec<plimsoll_report::RuleInfo> {
    rules::ALL.iter().map(|r| **r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_sbom::PackageType;

    fn package(licenses: &[&str]) -> Package {
        let mut p = Package::new(
            PackageType::Npm,
            "left-pad",
            "1.3.0",
            "pkg:npm/left-pad@1.3.0",
            "app/node_modules/left-pad/package.json",
            2,
        );
        p.licenses = licenses.iter().map(|s| s.to_string()).collect();
        p
    }

    fn policy(deny: &[&str], allow: &[&str], ignore: &[&str]) -> Policy {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        Policy::new(&LicenseConfig {
            deny: v(deny),
            allow: v(allow),
            ignore: v(ignore),
        })
        .unwrap()
    }

    #[test]
    fn deny_by_category_and_identifier() {
        let p = policy(&["copyleft", "AGPL-3.0"], &[], &[]);
        assert!(p.violations(&package(&["MIT"])).is_empty());
        let v = p.violations(&package(&["GPL-2.0-or-later"]));
        assert_eq!(
            v,
            ["`GPL-2.0-or-later`, copyleft: denied (copyleft)"],
            "{v:?}"
        );
        let v = p.violations(&package(&["AGPL-3.0-only"]));
        assert_eq!(
            v,
            ["`AGPL-3.0-only`, forbidden: denied (agpl-3.0)"],
            "{v:?}"
        );
        // OR: the licensee may choose the permissive branch.
        assert!(p.violations(&package(&["MIT OR GPL-3.0-only"])).is_empty());
        // AND: both apply.
        assert_eq!(p.violations(&package(&["MIT AND GPL-3.0-only"])).len(), 1);
        // A list is a conjunction, as Debian's copyright files are.
        assert_eq!(p.violations(&package(&["MIT", "LGPL-2.1-only"])).len(), 1);
        // WITH an exception: judged by its licence.
        assert_eq!(
            p.violations(&package(&["GPL-2.0-only WITH Classpath-exception-2.0"]))
                .len(),
            1
        );
    }

    #[test]
    fn allow_lists_and_unknown() {
        let p = policy(&[], &["permissive", "public-domain"], &[]);
        assert!(p.violations(&package(&["Apache-2.0"])).is_empty());
        assert!(p.violations(&package(&["CC0-1.0"])).is_empty());
        assert_eq!(
            p.violations(&package(&["MPL-2.0"])),
            ["`MPL-2.0`, weak-copyleft: not in the allow list"]
        );
        // No licence, or a declared name that is not SPDX: unknown.
        assert_eq!(
            p.violations(&package(&[])),
            ["`no licence declared`, unknown: not in the allow list"]
        );
        assert_eq!(p.violations(&package(&["Some Custom Licence v2"])).len(), 1);
        let u = policy(&["unknown"], &[], &[]);
        assert_eq!(u.violations(&package(&[])).len(), 1);
        assert!(u.violations(&package(&["MIT"])).is_empty());
    }

    #[test]
    fn ignored_packages_and_bad_words() {
        let p = policy(&["copyleft"], &[], &["pkg:npm/*"]);
        assert!(p.violations(&package(&["GPL-3.0-only"])).is_empty());
        let e = Policy::new(&LicenseConfig {
            deny: vec!["viral".into()],
            ..LicenseConfig::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("`viral`"), "{e}");
        // No policy: nothing is judged.
        assert!(
            policy(&[], &[], &[])
                .check(&[package(&["GPL-3.0-only"])])
                .is_empty()
        );
    }

    #[test]
    fn findings_name_package_version_and_layer() {
        let p = policy(&["copyleft"], &[], &[]);
        let f = p.check(&[package(&["GPL-3.0-only"]), package(&["MIT"])]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "LIC001");
        assert!(f[0].message.contains("left-pad 1.3.0"), "{}", f[0].message);
        assert!(f[0].message.contains("layer 2"), "{}", f[0].message);
        assert_eq!(
            f[0].location.field.as_deref(),
            Some("pkg:npm/left-pad@1.3.0")
        );
        assert_eq!(f[0].location.layer, Some(2));
    }
}
