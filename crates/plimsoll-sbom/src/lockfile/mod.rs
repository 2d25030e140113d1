//! The lock-file cataloger: the dependencies a project's lock file (or
//! requirement file) pins, one parser per format, chosen by file name:
//!
//! | file | format | packages |
//! |---|---|---|
//! | `Cargo.lock` | [`cargo`] | cargo |
//! | `go.mod` | [`gomod`] | golang |
//! | `package-lock.json` | [`npm`] (lockfile v1–v3) | npm |
//! | `yarn.lock` | [`yarn`] (classic and berry) | npm |
//! | `*requirements*.txt` | [`python`] (pinned `==` lines) | pypi |
//! | `poetry.lock`, `Pipfile.lock` | [`python`] | pypi |
//! | `setup.py` | [`python`] (pinned `name==version` string literals) | pypi |
//! | `Gemfile.lock` | [`gemfile`] | gem |
//! | `composer.lock`, `vendor/composer/installed.json` | [`composer`] | composer |
//! | `pnpm-lock.yaml` | [`pnpm`] (lockfile v5, v6, v9) | npm |
//! | `uv.lock`, `*.py.lock` (a PEP 723 script's, `uv lock --script`) | [`uv`] | pypi |
//! | `pom.xml` | [`pom`] (declared dependencies, properties resolved within the file) | maven |
//! | `gradle.lockfile`, `buildscript-gradle.lockfile`, `gradle/dependency-locks/*.lockfile` | [`gradle`] | maven |
//! | `*.deps.json` | [`dotnet_deps`] | nuget |
//! | `packages.lock.json` | [`nuget_lock`] | nuget |
//! | `.github/workflows/*.y{a,}ml`, `action.y{a,}ml` | [`github_actions`] (`uses:`) | github |
//! | `stack.yaml`, `stack.yaml.lock`, `cabal.project.freeze` | [`haskell`] | hackage |
//! | `DESCRIPTION` (an installed R package's) | [`r_description`] | R-package |
//! | `mix.lock` | [`mix`] (Elixir) | hex |
//! | `rebar.lock` | [`rebar`] (Erlang, rebar3) | hex |
//! | `pubspec.lock` | [`pubspec`] (Dart, Flutter) | dart-pub |
//! | `*.app` | [`otp_app`] (Erlang/OTP application resource files) | erlang-otp |
//! | `Package.resolved`, `.package.resolved` | [`swift_resolved`] (Swift Package Manager v1–v3) | swift |
//! | `Podfile.lock` | [`podfile`] (CocoaPods) | pod |
//! | `*.rockspec` | [`rockspec`] (LuaRocks) | lua-rocks |
//! | `pack.pl` | [`swipl_pack`] (SWI-Prolog packs) | swiplpack |
//! | `wp-content/plugins/*/*.php` | [`wordpress`] (plugin headers) | wordpress-plugin |
//! | `conanfile.txt`, `conan.lock`, `conaninfo.txt` (a Conan 1 cache's) | [`conan`] (C and C++) | conan |
//! | `*opam` (`<name>.opam`, `<name>.<version>/opam`) | [`opam`] (OCaml) | opam |
//!
//! A lock file declares what an install fetches, not what the image holds,
//! so these files count in directory scans (`dir:`) only, as in syft's
//! default selection of catalogers, with two exceptions: Composer's
//! `vendor/composer/installed.json` records what Composer installed, and
//! counts in image scans too, as syft does; and so does .NET's
//! `*.deps.json`, the manifest of a built or published application's
//! assemblies (syft 1.18 reads it in directory scans only). An R package's
//! `DESCRIPTION` is an installation record as well (the library directory
//! holds one per installed package), and counts in every scan (syft reads
//! it in image scans only). Lock files inside
//! `node_modules` are skipped (they belong to the installed packages, whose
//! own `package.json` the npm cataloger reads), as syft skips them, and so
//! are `pnpm-lock.yaml` files there. A LuaRocks `*.rockspec` is installed
//! beside its rock, and counts in image scans too, as in syft, and so does
//! a WordPress plugin's header. Conan's `conaninfo.txt` records a package
//! installed in Conan's cache, and counts in every scan (syft reads it in
//! image scans only).
//! a WordPress plugin's header. So does an opam switch's record of an
//! installed package (`.opam-switch/packages/<name>.<version>/opam`).

pub mod cargo;
pub mod composer;
pub mod dotnet_deps;
pub mod gemfile;
pub mod github_actions;
pub mod gomod;
pub mod gradle;
pub mod haskell;
pub mod npm;
pub mod nuget_lock;
pub mod pnpm;
pub mod pom;
pub mod python;
pub mod r_description;
pub mod rockspec;
pub mod swipl_pack;
pub mod uv;
pub mod wordpress;
pub mod yarn;
// -- hexpub (issue 18) --
pub mod mix;
pub mod otp_app;
pub mod podfile;
pub mod pubspec;
pub mod rebar;
pub mod swift_resolved;
// -- conan (issue 18) --
pub mod conan;
// -- opam (issue 18) --
pub mod opam;

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use crate::{Inventory, MergeContext, Package, PackageType};

/// A lock file larger than this is not read (a cut JSON document is
/// unreadable and a cut text one misleading); the largest real ones, of
/// monorepos, are a few MiB.
pub const LOCKFILE_LIMIT: u64 = 32 * 1024 * 1024;

/// The formats, by the file name that selects each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockKind {
    CargoLock,
    GoMod,
    PackageLock,
    YarnLock,
    Requirements,
    PoetryLock,
    PipfileLock,
    /// A Python project's `setup.py`: its pinned requirements.
    SetupPy,
    GemfileLock,
    ComposerLock,
    ComposerInstalled,
    PnpmLock,
    UvLock,
    Pom,
    GradleLock,
    DotnetDeps,
    NugetLock,
    /// A GitHub Actions workflow or an action's `action.yml`.
    GithubActions,
    // -- hackcran (issue 18) --
    /// Stack's `stack.yaml` (its `extra-deps`).
    StackYaml,
    /// Stack's `stack.yaml.lock`.
    StackLock,
    /// cabal's `cabal.project.freeze`.
    CabalFreeze,
    /// An R package's `DESCRIPTION`: an installation record.
    RDescription,
    // -- hexpub (issue 18) --
    MixLock,
    RebarLock,
    PubspecLock,
    OtpApp,
    SwiftResolved,
    PodfileLock,
    // -- portnix (issue 18) --
    /// A LuaRocks `*.rockspec`.
    Rockspec,
    /// A SWI-Prolog pack's `pack.pl`.
    SwiplPack,
    /// A PHP file of a WordPress plugin's directory.
    WordpressPlugin,
    // -- conan (issue 18) --
    ConanFile,
    ConanLock,
    /// An installed Conan package's `conaninfo.txt`.
    ConanInfo,
    // -- opam (issue 18) --
    /// An opam file: `<name>.opam`, `<name>.<version>/opam`.
    Opam,
    /// An opam switch's record of an installed package
    /// (`.opam-switch/packages/<name>.<version>/opam`).
    OpamSwitch,
}

impl LockKind {
    /// The format of the file at `path`, if it is a lock file we read.
    pub fn of(path: &str) -> Option<LockKind> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let in_node_modules = path.split('/').any(|c| c == "node_modules");
        Some(match name {
            "Cargo.lock" => LockKind::CargoLock,
            "go.mod" => LockKind::GoMod,
            "package-lock.json" if !in_node_modules => LockKind::PackageLock,
            "yarn.lock" if !in_node_modules => LockKind::YarnLock,
            "poetry.lock" => LockKind::PoetryLock,
            "Pipfile.lock" => LockKind::PipfileLock,
            "setup.py" => LockKind::SetupPy,
            "Gemfile.lock" | "Gemfile.next.lock" => LockKind::GemfileLock,
            "composer.lock" => LockKind::ComposerLock,
            "installed.json" if dir == "composer" || dir.ends_with("/composer") => {
                LockKind::ComposerInstalled
            }
            "pnpm-lock.yaml" if !in_node_modules => LockKind::PnpmLock,
            "uv.lock" => LockKind::UvLock,
            _ if name.ends_with(".py.lock") && name.len() > ".py.lock".len() => LockKind::UvLock,
            "pom.xml" => LockKind::Pom,
            "gradle.lockfile" | "buildscript-gradle.lockfile" => LockKind::GradleLock,
            _ if name.ends_with(".lockfile")
                && (dir == "gradle/dependency-locks"
                    || dir.ends_with("/gradle/dependency-locks")) =>
            {
                LockKind::GradleLock
            }
            "packages.lock.json" => LockKind::NugetLock,
            _ if name.ends_with(".deps.json") && name.len() > ".deps.json".len() => {
                LockKind::DotnetDeps
            }
            "action.yml" | "action.yaml" if !in_node_modules => LockKind::GithubActions,
            _ if (name.ends_with(".yml") || name.ends_with(".yaml"))
                && (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) =>
            {
                LockKind::GithubActions
            }
            _ if name.ends_with(".txt") && name.contains("requirements") => LockKind::Requirements,
            // -- hackcran (issue 18) --
            "stack.yaml" => LockKind::StackYaml,
            "stack.yaml.lock" => LockKind::StackLock,
            "cabal.project.freeze" => LockKind::CabalFreeze,
            "DESCRIPTION" => LockKind::RDescription,
            // -- hexpub (issue 18) --
            "mix.lock" => LockKind::MixLock,
            "rebar.lock" => LockKind::RebarLock,
            "pubspec.lock" => LockKind::PubspecLock,
            "Package.resolved" | ".package.resolved" => LockKind::SwiftResolved,
            "Podfile.lock" => LockKind::PodfileLock,
            _ if name.ends_with(".app") && name.len() > ".app".len() => LockKind::OtpApp,
            // -- portnix (issue 18) --
            _ if name.ends_with(".rockspec") => LockKind::Rockspec,
            "pack.pl" => LockKind::SwiplPack,
            _ if wordpress::is_plugin_file(path) => LockKind::WordpressPlugin,
            // -- conan (issue 18) --
            "conanfile.txt" => LockKind::ConanFile,
            "conan.lock" => LockKind::ConanLock,
            "conaninfo.txt" => LockKind::ConanInfo,
            // -- opam (issue 18) --
            _ if opam::is_switch_record(path) => LockKind::OpamSwitch,
            _ if name.ends_with("opam") => LockKind::Opam,
            _ => return None,
        })
    }

    /// Whether the file records an installation (counts in image scans).
    pub fn installed(self) -> bool {
        matches!(
            self,
            LockKind::ComposerInstalled
                | LockKind::DotnetDeps
                | LockKind::RDescription
                // -- portnix (issue 18) --
                | LockKind::Rockspec
                | LockKind::WordpressPlugin
                // -- conan (issue 18) --
                | LockKind::ConanInfo
                // -- opam (issue 18) --
                | LockKind::OpamSwitch
        )
    }

    /// Reads the file at `path` (its name matters to some formats:
    /// `conaninfo.txt` is named by its directory, an opam file by its own
    /// name or its directory's).
    fn parse(self, path: &str, content: &[u8]) -> Parsed {
        match self {
            LockKind::CargoLock => cargo::parse(content),
            LockKind::GoMod => gomod::parse(content),
            LockKind::PackageLock => npm::parse(content),
            LockKind::YarnLock => yarn::parse(content),
            LockKind::Requirements => python::parse_requirements(content),
            LockKind::PoetryLock => python::parse_poetry(content),
            LockKind::PipfileLock => python::parse_pipfile(content),
            LockKind::SetupPy => python::parse_setup_py(content),
            LockKind::GemfileLock => gemfile::parse(content),
            LockKind::ComposerLock | LockKind::ComposerInstalled => composer::parse(content),
            LockKind::PnpmLock => pnpm::parse(content),
            LockKind::UvLock => uv::parse(content),
            LockKind::Pom => pom::parse(content),
            LockKind::GradleLock => gradle::parse(content),
            LockKind::DotnetDeps => dotnet_deps::parse(content),
            LockKind::NugetLock => nuget_lock::parse(content),
            LockKind::GithubActions => github_actions::parse(content),
            // -- hackcran (issue 18) --
            LockKind::StackYaml => haskell::parse_stack_yaml(content),
            LockKind::StackLock => haskell::parse_stack_lock(content),
            LockKind::CabalFreeze => haskell::parse_cabal_freeze(content),
            LockKind::RDescription => r_description::parse(content),
            // -- hexpub (issue 18) --
            LockKind::MixLock => mix::parse(content),
            LockKind::RebarLock => rebar::parse(content),
            LockKind::PubspecLock => pubspec::parse(content),
            LockKind::OtpApp => otp_app::parse(content),
            LockKind::SwiftResolved => swift_resolved::parse(content),
            LockKind::PodfileLock => podfile::parse(content),
            // -- portnix (issue 18) --
            LockKind::Rockspec => rockspec::parse(content),
            LockKind::SwiplPack => swipl_pack::parse(content),
            LockKind::WordpressPlugin => wordpress::parse(content),
            // -- conan (issue 18) --
            LockKind::ConanFile => conan::parse_conanfile(content),
            LockKind::ConanLock => conan::parse_lock(content),
            LockKind::ConanInfo => conan::parse_conaninfo(path, content),
            // -- opam (issue 18) --
            LockKind::Opam | LockKind::OpamSwitch => opam::parse(path, content),
        }
    }
}

/// One dependency a lock file pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedPackage {
    pub package_type: PackageType,
    /// As the ecosystem names it (PyPI names normalised).
    pub name: String,
    /// Empty when the file pins none (a git dependency, say).
    pub version: String,
    pub purl: String,
    pub licenses: Vec<String>,
}

/// What a parser made of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub packages: Vec<LockedPackage>,
    pub warnings: plimsoll_report::Warnings,
    /// (dependent, dependency) by purl, where the file states them; both
    /// are packages of this file.
    /// (Always serialised: the engine caches facts in a format without
    /// field names.)
    pub dependencies: Vec<(String, String)>,
}

impl Parsed {
    /// (name, version) of every package, sorted: what the parsers' tests compare.
    #[cfg(test)]
    pub(crate) fn sorted_pairs(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = self
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        v.sort();
        v
    }

    /// A file that cannot be read at all.
    pub(crate) fn unreadable(why: String) -> Parsed {
        Parsed {
            warnings: plimsoll_report::Warnings::from_iter([why]),
            ..Parsed::default()
        }
    }

    /// Records that `from` depends on `to` (both purls of this file's
    /// packages), once; a package never depends on itself.
    pub(crate) fn depends(&mut self, from: &str, to: &str) {
        if from != to && !self.dependencies.iter().any(|(f, t)| f == from && t == to) {
            self.dependencies.push((from.to_string(), to.to_string()));
        }
    }

    /// The purl of the package named `name` (at `version`, if given) in
    /// this file: None when there is none, or several and no version says
    /// which.
    pub(crate) fn purl_of(&self, name: &str, version: Option<&str>) -> Option<String> {
        let mut found = self
            .packages
            .iter()
            .filter(|p| p.name == name && version.is_none_or(|v| p.version == v));
        let first = found.next()?;
        found.next().is_none().then(|| first.purl.clone())
    }

    /// Adds a package unless the file already pinned the same one.
    pub(crate) fn push(&mut self, p: LockedPackage) {
        if !self
            .packages
            .iter()
            .any(|q| q.name == p.name && q.version == p.version)
        {
            self.packages.push(p);
        }
    }
}

/// A lock file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockFile {
    pub kind: LockKind,
    pub parsed: Parsed,
    /// A `pom.xml`'s bytes, kept so that a directory scan can read the POMs
    /// of the tree as one another's parents (see `merge`); empty for the
    /// other formats.
    pub content: Vec<u8>,
}

/// What [`LockfileCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockLayerFacts {
    pub files: Vec<(String, LockFile)>,
}

/// Lock files: an [`Analyzer`] for the engine's pass.
pub struct LockfileCataloger;

pub struct LockfileVisitor(LockLayerFacts);

impl Analyzer for LockfileCataloger {
    type Facts = LockLayerFacts;
    type Visitor = LockfileVisitor;
    const NAME: &'static str = "sbom-lockfiles";
    const VERSION: u32 = 10;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        let kind = LockKind::of(entry.path)?;
        // -- portnix (issue 18): a plugin's header is at the top --
        if kind == LockKind::WordpressPlugin {
            return Some(entry.size.min(wordpress::HEADER_LIMIT as u64));
        }
        (entry.size <= LOCKFILE_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> LockfileVisitor {
        LockfileVisitor(LockLayerFacts::default())
    }
}

impl LayerVisitor for LockfileVisitor {
    type Facts = LockLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        let Some(kind) = LockKind::of(entry.path) else {
            return;
        };
        let mut kept = Vec::new();
        let parsed = if entry.size > LOCKFILE_LIMIT && kind != LockKind::WordpressPlugin {
            Parsed::unreadable(format!(
                "{} bytes, larger than {LOCKFILE_LIMIT}: not read",
                entry.size
            ))
        } else {
            let content = content.unwrap_or(&[]);
            let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
            if kind == LockKind::Pom {
                kept = content.to_vec();
            }
            kind.parse(entry.path, content)
        };
        let facts = &mut self.0;
        // A path stored twice in one tar: the later entry wins.
        facts.files.retain(|(p, _)| p != entry.path);
        facts.files.push((
            entry.path.to_string(),
            LockFile {
                kind,
                parsed,
                content: kept,
            },
        ));
    }

    fn finish(self) -> LockLayerFacts {
        self.0
    }
}

/// A YAML lock file's document (`what` names the format in the warning), or
/// why it cannot be read: not UTF-8, or not YAML (the parser's first line).
pub(crate) fn yaml_document(content: &[u8], what: &str) -> Result<serde_json::Value, Parsed> {
    let Ok(text) = std::str::from_utf8(content) else {
        return Err(Parsed::unreadable(format!(
            "not UTF-8: not a {what}, skipped"
        )));
    };
    serde_saphyr::from_str(text).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().next().unwrap_or("");
        Parsed::unreadable(format!("not valid YAML ({first}): skipped"))
    })
}

/// The value of a `key = "value"` line of a TOML table (Cargo.lock,
/// poetry.lock write one key a line, values as basic strings).
pub(crate) fn toml_string(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
    let rest = rest.trim().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// The packages of `[[package]]` tables (`name`, `version` and, if
/// wanted, `source`, before the first sub-table) of a TOML lock file.
pub(crate) fn toml_packages(text: &str) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            out.push((None, None, None));
            in_package = true;
            continue;
        }
        if line.starts_with('[') && !line.starts_with("[\"") {
            // `[package.dependencies]`, `[metadata]`: not the package's own keys.
            if !line.contains('=') {
                in_package = false;
            }
            continue;
        }
        if !in_package {
            continue;
        }
        let Some(current) = out.last_mut() else {
            continue;
        };
        if let Some(v) = toml_string(line, "name") {
            current.0 = Some(v);
        } else if let Some(v) = toml_string(line, "version") {
            current.1 = Some(v);
        } else if let Some(v) = toml_string(line, "source") {
            current.2 = Some(v);
        }
    }
    out
}

/// The packages of the visible lock files, added to `inventory`: all of
/// them in a directory scan, only installation records in an image scan.
/// A `pom.xml` whose parent POMs the tree holds is read with them
/// ([`pom::parents`]).
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[LockLayerFacts], inventory: &mut Inventory) {
    let visible = ctx.visible_in(facts, |f| &f.files);
    let poms: std::collections::HashMap<&str, &[u8]> = visible
        .iter()
        .filter(|(_, _, f)| f.kind == LockKind::Pom && !f.content.is_empty())
        .map(|(_, path, f)| (*path, f.content.as_slice()))
        .collect();
    for (layer, path, file) in visible {
        if !ctx.directory && !file.kind.installed() {
            continue;
        }
        let with_parents;
        let file = match file.kind {
            LockKind::Pom => {
                let chain = pom::parents(path, &poms);
                if chain.is_empty() {
                    file
                } else {
                    with_parents = LockFile {
                        kind: file.kind,
                        parsed: pom::parse_with_parents(&file.content, &chain),
                        content: Vec::new(),
                    };
                    &with_parents
                }
            }
            _ => file,
        };
        inventory.warnings.extend_from(&file.parsed.warnings, |w| {
            format!("layer {layer}: {path}: {w}")
        });
        for p in &file.parsed.packages {
            let mut pkg = Package::new(p.package_type, &p.name, &p.version, &p.purl, path, layer);
            pkg.licenses = p.licenses.clone();
            pkg.depends_on = file
                .parsed
                .dependencies
                .iter()
                .filter(|(from, _)| *from == p.purl)
                .map(|(_, to)| to.clone())
                .collect();
            pkg.depends_on.sort();
            pkg.depends_on.dedup();
            inventory.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_by_name() {
        for (path, kind) in [
            ("Cargo.lock", Some(LockKind::CargoLock)),
            ("src/app/go.mod", Some(LockKind::GoMod)),
            ("app/package-lock.json", Some(LockKind::PackageLock)),
            ("app/node_modules/x/package-lock.json", None),
            ("app/node_modules/x/yarn.lock", None),
            ("yarn.lock", Some(LockKind::YarnLock)),
            ("requirements.txt", Some(LockKind::Requirements)),
            ("ci/dev-requirements-3.11.txt", Some(LockKind::Requirements)),
            ("requirements.in", None),
            ("poetry.lock", Some(LockKind::PoetryLock)),
            ("Pipfile.lock", Some(LockKind::PipfileLock)),
            ("src/lib/setup.py", Some(LockKind::SetupPy)),
            ("src/lib/setup.pyc", None),
            ("Gemfile.lock", Some(LockKind::GemfileLock)),
            ("composer.lock", Some(LockKind::ComposerLock)),
            (
                "var/www/vendor/composer/installed.json",
                Some(LockKind::ComposerInstalled),
            ),
            ("var/www/installed.json", None),
            ("web/pnpm-lock.yaml", Some(LockKind::PnpmLock)),
            ("web/node_modules/x/pnpm-lock.yaml", None),
            ("py/uv.lock", Some(LockKind::UvLock)),
            ("scripts/fetch.py.lock", Some(LockKind::UvLock)),
            ("scripts/.py.lock", None),
            ("java/pom.xml", Some(LockKind::Pom)),
            ("java/gradle.lockfile", Some(LockKind::GradleLock)),
            (
                "java/buildscript-gradle.lockfile",
                Some(LockKind::GradleLock),
            ),
            (
                "java/gradle/dependency-locks/compileClasspath.lockfile",
                Some(LockKind::GradleLock),
            ),
            ("java/other.lockfile", None),
            ("app/MyApp.deps.json", Some(LockKind::DotnetDeps)),
            ("app/.deps.json", None),
            ("src/packages.lock.json", Some(LockKind::NugetLock)),
            (".github/workflows/ci.yml", Some(LockKind::GithubActions)),
            (
                "repo/.github/workflows/release.yaml",
                Some(LockKind::GithubActions),
            ),
            ("repo/.github/workflows/sub/x.yaml", None),
            ("repo/.github/dependabot.yml", None),
            (
                ".github/actions/setup/action.yml",
                Some(LockKind::GithubActions),
            ),
            ("action.yaml", Some(LockKind::GithubActions)),
            ("web/node_modules/some-action/action.yml", None),
            // -- hackcran (issue 18) --
            ("hs/stack.yaml", Some(LockKind::StackYaml)),
            ("hs/stack.yaml.lock", Some(LockKind::StackLock)),
            ("hs/cabal.project.freeze", Some(LockKind::CabalFreeze)),
            ("hs/cabal.project", None),
            (
                "usr/lib/R/library/stats/DESCRIPTION",
                Some(LockKind::RDescription),
            ),
            ("usr/lib/R/library/stats/DESCRIPTION.bak", None),
            // -- hexpub (issue 18) --
            ("app/mix.lock", Some(LockKind::MixLock)),
            ("deps/rebar.lock", Some(LockKind::RebarLock)),
            ("flutter/pubspec.lock", Some(LockKind::PubspecLock)),
            ("flutter/pubspec.yaml", None),
            (
                "usr/lib/erlang/lib/ssl-11.0/ebin/ssl.app",
                Some(LockKind::OtpApp),
            ),
            ("ebin/.app", None),
            ("ios/Podfile.lock", Some(LockKind::PodfileLock)),
            ("Package.resolved", Some(LockKind::SwiftResolved)),
            ("x/.package.resolved", Some(LockKind::SwiftResolved)),
            // -- portnix (issue 18) --
            (
                "usr/local/lib/luarocks/rocks-5.1/lpeg/1.0.2-1/lpeg-1.0.2-1.rockspec",
                Some(LockKind::Rockspec),
            ),
            ("package.rockspec", Some(LockKind::Rockspec)),
            ("x.rockspec.bak", None),
            ("src/hdt/pack.pl", Some(LockKind::SwiplPack)),
            ("src/hdt/pack.pl.orig", None),
            (
                "var/www/html/wp-content/plugins/akismet/akismet.php",
                Some(LockKind::WordpressPlugin),
            ),
            ("var/www/html/wp-content/plugins/akismet/inc/x.php", None),
            // -- opam (issue 18) --
            ("src/alcotest/alcotest.opam", Some(LockKind::Opam)),
            ("packages/fmt/fmt.0.9.0/opam", Some(LockKind::Opam)),
            ("usr/bin/opam", Some(LockKind::Opam)),
            ("src/xopam", Some(LockKind::Opam)),
            (
                "root/.opam/default/.opam-switch/packages/dune.3.16.0/opam",
                Some(LockKind::OpamSwitch),
            ),
            ("src/x.OPAM", None),
            ("src/Opam", None),
            ("src/x.opam.bak", None),
        ] {
            assert_eq!(LockKind::of(path), kind, "{path}");
        }
    }

    #[test]
    fn toml_lines() {
        assert_eq!(
            toml_string("name = \"a\\\"b\"", "name").as_deref(),
            Some("a\"b")
        );
        assert_eq!(toml_string("names = \"x\"", "name"), None);
        assert_eq!(toml_string("name = 3", "name"), None);
        let p = toml_packages(
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.dependencies]\nname = \"no\"\n\
             [[package]]\nname = \"b\"\n\n[metadata]\nversion = \"9\"\n",
        );
        assert_eq!(
            p,
            [
                (Some("a".into()), Some("1".into()), None),
                (Some("b".into()), None, None)
            ]
        );
    }
}
