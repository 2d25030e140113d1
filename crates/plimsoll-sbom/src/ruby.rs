//! The Ruby gem cataloger: gem specifications (`*.gemspec`).
//!
//! RubyGems writes a specification for every installed gem into a
//! `specifications/` directory of its gem home: `/usr/lib/ruby/gems/3.1.0/`
//! (with the interpreter's own default gems in `specifications/default/`),
//! `/usr/local/bundle/` of the official images, Debian's
//! `/usr/share/rubygems-integration/all/` and
//! `/usr/lib/<triplet>/rubygems-integration/<version>/`. Those files are
//! Ruby code in a fixed shape:
//!
//! ```ruby
//! Gem::Specification.new do |s|
//!   s.name = "rack".freeze
//!   s.version = "2.2.22"
//!   s.authors = ["Leah Neukirchen".freeze]
//!   s.licenses = ["MIT".freeze]
//! ```
//!
//! They are read as text, not run: an assignment of a string literal (or an
//! array of them) to `name`, `version`, `licenses` / `license`, `authors`
//! and `platform` is taken, the last one of a field winning, anything else
//! ignored, as syft does.
//!
//! Which specifications count follows syft's default cataloger selection:
//! image scans report installed gems only (a `*.gemspec` with a
//! `specifications` directory above it, syft's
//! `**/specifications/**/*.gemspec`); directory scans (`dir:`) report every
//! `*.gemspec` whose name and version are literals (a project's own
//! gemspec usually computes its version, `s.version = Rack::RELEASE`, and is
//! skipped with a warning).
//!
//! The purl is `pkg:gem/<name>@<version>`, with a `platform` qualifier for
//! a gem built for one platform (`x86_64-linux`), as the purl spec's gem
//! type says; syft writes no qualifier.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::license::{clip, normalize, push_unique};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A specification larger than this is not read; installed ones are a few
/// KiB (the largest list every file of the gem, some tens of KiB).
pub const GEMSPEC_LIMIT: u64 = 1024 * 1024;

/// One gem as its specification declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GemSpec {
    pub name: String,
    pub version: String,
    /// `platform` when it names one (`x86_64-linux`, `java`); None for
    /// pure-Ruby gems (`ruby`).
    pub platform: Option<String>,
    pub licenses: Vec<String>,
    /// The authors, comma-separated.
    pub supplier: Option<String>,
}

/// A `*.gemspec` as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GemSpecFile {
    /// None when the file names no gem by literals (see `warnings`).
    pub package: Option<GemSpec>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`GemCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GemLayerFacts {
    pub specs: Vec<(String, GemSpecFile)>,
}

/// Ruby gems: an [`Analyzer`] for the engine's pass.
pub struct GemCataloger;

pub struct GemVisitor(GemLayerFacts);

fn is_gemspec(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.len() > ".gemspec".len() && name.ends_with(".gemspec")
}

/// Whether `path` is an installed gem's specification: a `specifications`
/// directory somewhere above it.
pub fn is_installed_gemspec(path: &str) -> bool {
    is_gemspec(path)
        && path
            .rsplit_once('/')
            .is_some_and(|(dir, _)| dir.split('/').any(|c| c == "specifications"))
}

impl Analyzer for GemCataloger {
    type Facts = GemLayerFacts;
    type Visitor = GemVisitor;
    const NAME: &'static str = "sbom-gem";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (is_gemspec(entry.path) && entry.size <= GEMSPEC_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> GemVisitor {
        GemVisitor(GemLayerFacts::default())
    }
}

impl LayerVisitor for GemVisitor {
    type Facts = GemLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_gemspec(entry.path) {
            return;
        }
        let spec = if entry.size > GEMSPEC_LIMIT {
            skipped(format!(
                "{} bytes, larger than {GEMSPEC_LIMIT}: not read",
                entry.size
            ))
        } else {
            parse_gemspec(content.unwrap_or(&[]))
        };
        let facts = &mut self.0;
        // A path stored twice in one tar: the later entry wins.
        facts.specs.retain(|(p, _)| p != entry.path);
        facts.specs.push((entry.path.to_string(), spec));
    }

    fn finish(self) -> GemLayerFacts {
        self.0
    }
}

fn skipped(why: String) -> GemSpecFile {
    GemSpecFile {
        package: None,
        warnings: plimsoll_report::Warnings::from_iter([why]),
    }
}

/// A value assigned to a field: a string literal, an array of them, or
/// anything else (Ruby code we do not evaluate).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Str(String),
    List(Vec<String>),
    Code,
}

/// `recv.field = rest` (not `==`, `=~`, `<=`, ...): the field and the text
/// after the `=`.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let (lhs, rhs) = line.split_once('=')?;
    if rhs.starts_with(['=', '~', '>']) {
        return None;
    }
    let (recv, field) = lhs.trim_end().split_once('.')?;
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    (ident(recv) && ident(field)).then_some((field, rhs.trim_start()))
}

/// A Ruby string literal at the start of `s` (`"…"` with escapes, `'…'`,
/// `%q{…}` / `%Q(…)` / `%q<…>` / `%q[…]`), with an optional `.freeze`:
/// its text and what follows. None when `s` starts with no literal, or an
/// interpolating literal interpolates (`"#{s.name}"`).
fn string_literal(s: &str) -> Option<(String, &str)> {
    let (text, rest) = if let Some(body) = s.strip_prefix('"') {
        double_quoted(body, '"')?
    } else if let Some(body) = s.strip_prefix('\'') {
        single_quoted(body)?
    } else if let Some(body) = s.strip_prefix("%q").or_else(|| s.strip_prefix("%Q")) {
        let open = body.chars().next()?;
        let close = match open {
            '{' => '}',
            '(' => ')',
            '<' => '>',
            '[' => ']',
            _ => return None,
        };
        let end = body.find(close)?;
        let text = &body[1..end];
        if s.starts_with("%Q") && text.contains("#{") {
            return None;
        }
        (text.to_string(), &body[end + 1..])
    } else {
        return None;
    };
    let rest = rest.strip_prefix(".freeze").unwrap_or(rest);
    Some((text, rest))
}

/// The rest of a `"…"` literal after its opening quote.
fn double_quoted(body: &str, close: char) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == close => return Some((out, &body[i + 1..])),
            '#' if body[i + 1..].starts_with('{') => return None,
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    // \u00E9 or \u{E9}
                    let rest = &body[i + 2..];
                    let (hex, skip) = match rest.strip_prefix('{') {
                        Some(r) => (r.split('}').next()?, r.find('}')? + 2),
                        None => (rest.get(..4)?, 4),
                    };
                    out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                e => out.push(e),
            },
            c => out.push(c),
        }
    }
    None
}

/// The rest of a `'…'` literal after its opening quote (only `\'` and `\\`
/// are escapes).
fn single_quoted(body: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' => return Some((out, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                e @ ('\'' | '\\') => out.push(e),
                e => {
                    out.push('\\');
                    out.push(e);
                }
            },
            c => out.push(c),
        }
    }
    None
}

/// The value at the start of `rhs`: a literal, or `[` literals `]` all on
/// the line.
fn value(rhs: &str) -> Value {
    if let Some((s, _)) = string_literal(rhs) {
        return Value::Str(s);
    }
    let Some(mut rest) = rhs.strip_prefix('[') else {
        return Value::Code;
    };
    let mut items = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.starts_with(']') {
            return Value::List(items);
        }
        let Some((s, after)) = string_literal(rest) else {
            return Value::Code;
        };
        items.push(s);
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// Reads a gem specification.
fn parse_gemspec(content: &[u8]) -> GemSpecFile {
    let text = String::from_utf8_lossy(content);
    let mut name = None;
    let mut version = None;
    let mut platform = None;
    let mut licenses = None;
    let mut authors = None;
    for line in text.lines() {
        let Some((field, rhs)) = assignment(line.trim()) else {
            continue;
        };
        let slot = match field {
            "name" => &mut name,
            "version" => &mut version,
            "platform" => &mut platform,
            "licenses" | "license" => &mut licenses,
            "authors" | "author" => &mut authors,
            _ => continue,
        };
        *slot = Some(value(rhs));
    }
    let name = match name {
        Some(Value::Str(n)) if !n.trim().is_empty() => n.trim().to_string(),
        None => return skipped("no name assignment: not a gem specification, skipped".into()),
        Some(_) => return skipped("name is not a string literal: skipped".into()),
    };
    if name.contains(char::is_whitespace) || name.len() > 200 {
        return skipped(format!("invalid name {:?}: skipped", clip(&name, 60)));
    }
    let version = match version {
        Some(Value::Str(v)) if !v.trim().is_empty() => v.trim().to_string(),
        None => return skipped(format!("{name}: no version assignment: skipped")),
        Some(_) => return skipped(format!("{name}: version is not a string literal: skipped")),
    };
    if version.contains(char::is_whitespace) || version.len() > 100 {
        return skipped(format!(
            "{name}: invalid version {:?}: skipped",
            clip(&version, 60)
        ));
    }
    let list = |v: Option<Value>| match v {
        Some(Value::Str(s)) => vec![s],
        Some(Value::List(l)) => l,
        Some(Value::Code) | None => Vec::new(),
    };
    let mut out_licenses = Vec::new();
    for l in list(licenses).iter().filter_map(|l| normalize(l)) {
        push_unique(&mut out_licenses, l);
    }
    let authors: Vec<String> = list(authors)
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let platform = match platform {
        Some(Value::Str(p)) => Some(p.trim().to_string())
            .filter(|p| !p.is_empty() && p != "ruby" && !p.contains(char::is_whitespace)),
        _ => None,
    };
    GemSpecFile {
        package: Some(GemSpec {
            name,
            version,
            platform,
            licenses: out_licenses,
            supplier: (!authors.is_empty()).then(|| clip(&authors.join(", "), 200)),
        }),
        warnings: plimsoll_report::Warnings::new(),
    }
}

/// `pkg:gem/<name>@<version>`, with `?platform=<platform>` for a
/// platform gem. Gem names keep their case.
pub fn gem_purl(name: &str, version: &str, platform: Option<&str>) -> String {
    purl(
        "gem",
        None,
        name,
        version,
        &[("platform", platform.unwrap_or(""))],
    )
}

/// The gems of the final image (or directory), added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[GemLayerFacts], inventory: &mut Inventory) {
    for (layer, path, spec) in ctx.visible_in(facts, |f| &f.specs) {
        if !ctx.directory && !is_installed_gemspec(path) {
            continue;
        }
        inventory
            .warnings
            .extend_from(&spec.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(g) = &spec.package else {
            continue;
        };
        let mut pkg = Package::new(
            PackageType::Gem,
            &g.name,
            &g.version,
            gem_purl(&g.name, &g.version, g.platform.as_deref()),
            path,
            layer,
        );
        pkg.licenses = g.licenses.clone();
        pkg.supplier = g.supplier.clone();
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gem(text: &str) -> GemSpec {
        let f = parse_gemspec(text.as_bytes());
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        f.package.unwrap()
    }

    #[test]
    fn installed_specifications_of_debian_and_rubygems() {
        // Debian 12's ruby-rack (rubygems-integration), libruby3.1's default
        // gem openssl and ruby-json (see tests/data/ruby/PROVENANCE.md).
        let rack = gem(include_str!("../tests/data/ruby/rack-2.2.22.gemspec"));
        assert_eq!(
            rack,
            GemSpec {
                name: "rack".into(),
                version: "2.2.22".into(),
                platform: None,
                licenses: vec!["MIT".into()],
                supplier: Some("Leah Neukirchen".into()),
            }
        );
        assert_eq!(
            gem_purl(&rack.name, &rack.version, None),
            "pkg:gem/rack@2.2.22"
        );
        let openssl = gem(include_str!("../tests/data/ruby/openssl-3.0.1.gemspec"));
        assert_eq!(
            (openssl.name.as_str(), openssl.version.as_str()),
            ("openssl", "3.0.1")
        );
        assert_eq!(openssl.licenses, ["Ruby"]);
        assert_eq!(
            openssl.supplier.as_deref(),
            Some("Martin Bosslet, SHIBATA Hiroshi, Zachary Scott, Kazuki Yamaguchi")
        );
        // NUL bytes in the stub comment line.
        let digest = gem(include_str!("../tests/data/ruby/digest-3.1.0.gemspec"));
        assert_eq!(
            (digest.name.as_str(), digest.version.as_str()),
            ("digest", "3.1.0")
        );
        assert_eq!(digest.licenses, ["Ruby", "BSD-2-Clause"]);
    }

    #[test]
    fn syft_fixtures_escapes_and_interpolation() {
        // syft's own test fixtures (Apache-2.0, see PROVENANCE.md).
        let bundler = gem(include_str!("../tests/data/ruby/bundler.gemspec"));
        assert_eq!(
            (bundler.name.as_str(), bundler.version.as_str()),
            ("bundler", "2.1.4")
        );
        assert!(
            bundler
                .supplier
                .as_deref()
                .unwrap()
                .starts_with("André Arko, Samuel Giddins")
        );
        let f = gem(include_str!("../tests/data/ruby/formatador.gemspec"));
        assert_eq!(
            (f.name.as_str(), f.version.as_str()),
            ("formatador", "1.1.0")
        );
        assert_eq!(f.licenses, ["MIT"]);
    }

    #[test]
    fn literal_forms() {
        let g = gem(
            "spec.name = %q{old}\nspec.version = '0.1'\nspec.license = 'Apache 2.0'\n\
                     spec.platform = \"x86_64-linux\"\nspec.authors = [%q<A \\\"B\\\">, 'C']",
        );
        assert_eq!(g.name, "old");
        assert_eq!(g.version, "0.1");
        assert_eq!(g.licenses, ["Apache-2.0"]);
        assert_eq!(g.platform.as_deref(), Some("x86_64-linux"));
        assert_eq!(
            gem_purl(&g.name, &g.version, g.platform.as_deref()),
            "pkg:gem/old@0.1?platform=x86_64-linux"
        );
        let g = gem(
            "s.name = \"x\\u{E9}\"\ns.version = \"1\"\ns.platform = \"ruby\"\n\
                     s.version == \"2\"\nif s.version >= \"3\"",
        );
        assert_eq!((g.name.as_str(), g.version.as_str()), ("xé", "1"));
        assert_eq!(g.platform, None);
    }

    #[test]
    fn computed_or_missing_fields_warn() {
        for (text, why) in [
            ("# nothing here\n", "no name assignment"),
            (
                "s.name = NAME\ns.version = '1'",
                "name is not a string literal",
            ),
            (
                "s.name = \"#{x}\"\ns.version = '1'",
                "name is not a string literal",
            ),
            (
                "s.name = 'rack'\ns.version = Rack::RELEASE",
                "rack: version is not a string literal",
            ),
            ("s.name = 'rack'", "rack: no version assignment"),
            ("s.name = 'a b'\ns.version = '1'", "invalid name"),
            (
                "s.name = 'unterminated\ns.version = '1'",
                "name is not a string literal",
            ),
        ] {
            let f = parse_gemspec(text.as_bytes());
            assert!(f.package.is_none(), "{text}");
            assert!(f.warnings[0].contains(why), "{text}: {:?}", f.warnings);
        }
        let f = parse_gemspec(b"\xff\xfe s.name = 'bin'\n");
        assert!(f.package.is_none());
    }

    #[test]
    fn which_gemspecs_are_installed() {
        for yes in [
            "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
            "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
            "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
            "usr/local/bundle/specifications/puma-6.0.0.gemspec",
            "specifications/x.gemspec",
        ] {
            assert!(is_installed_gemspec(yes), "{yes}");
        }
        for no in [
            "usr/lib/ruby/gems/3.1.0/gems/rack-2.2.22/rack.gemspec",
            "src/app/app.gemspec",
            "specifications.gemspec",
            "specifications/.gemspec",
        ] {
            assert!(!is_installed_gemspec(no), "{no}");
        }
    }
}
