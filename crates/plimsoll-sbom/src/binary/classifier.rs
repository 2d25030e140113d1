//! Programs identified by their content, as syft's binary cataloger does:
//! a file whose path matches a classifier's glob
//! ([`CLASSIFIERS`](super::classifiers::CLASSIFIERS)) is read once in the
//! engine's pass, and each classifier whose glob matches looks for its
//! version pattern in the bytes. Packages have type `binary` and syft's
//! purls (`pkg:generic/python@3.11.2`); the file, the classifier and the
//! matched bytes with their offset are kept as the package's
//! [`BinaryEvidence`].
//!
//! Only files the globs name are read (no regular expression runs over
//! other files), each classifier's patterns run once over a file, and a
//! classifier that needs a versioned file name (`python3.11`, `php`)
//! runs no pattern unless the name matches (a `python*` file is still read
//! for the shared-library lookup's `DT_NEEDED` names).
//!
//! syft's shared-library lookups ([`LOOKUPS`]) are joins done when the
//! image's files are merged, so that no file is read twice: in the pass, a
//! program a lookup's classifier globs (`**/python*`, `**/ruby`) keeps the
//! `DT_NEEDED` names the lookup looks for, and a file whose own name the
//! lookup looks for (`libpython3.11.so.1.0`, `libruby.so.3.3.6`) keeps what
//! the lookup's matcher finds in it. At the merge, each name a program
//! needs is looked for among all the image's files by name, anywhere, as
//! syft's `**/<name>` glob does (not along the loader's search path), a
//! symlink resolved to its target; each match is the program's package,
//! with the program (its evidence: the library's name in its dynamic
//! section) and the library as files. For python the lookup comes first
//! and the file-name version (`python3.11` → `\x003.11…\x00` in the bytes)
//! only counts when it finds nothing; for ruby the version in the program's
//! own bytes comes first. A library that a symlink of the needed name
//! points to under a name the lookup does not look for (`libruby.so.3.3`
//! → `ruby-3.3.so`) was not read and is not found (syft reads it).
//!
//! One program found in several files (a `python3.11` and its
//! `libpython3.11.so`: the same name and version) is one package with every
//! file as evidence, as syft merges them. As syft (its "exclude binaries by
//! file ownership overlap" step), a package one of whose files an OS
//! package (deb, apk, rpm) holds is not reported: the OS package already
//! is, with the distribution's version; like syft's, the whole merged
//! package goes, so a copy of the same version elsewhere goes with it.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use regex::Regex;
use regex::bytes::Regex as BytesRegex;
use serde::{Deserialize, Serialize};

use super::classifiers::{CLASSIFIERS, Classifier, Evidence, LOOKUPS, LibraryLookup};
use super::jvm_release::{self, JvmRelease};
use super::shared_library::{self, NeededLibrary};
use super::{BINARY_LIMIT, truncated_note};
use crate::merge::{LazyOsOwnedFiles, OsOwnedFiles};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// The matched bytes kept as evidence are cut to this many.
pub const EVIDENCE_BYTES: usize = 120;

/// Where and how a program was identified: one per file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinaryEvidence {
    /// The file (image path without a leading `/`).
    pub path: String,
    /// The classifier that matched (syft's class name, e.g. `python-binary`),
    /// or `java-jvm-release` for a JVM's `release` file.
    pub class: String,
    /// Byte offset of the match in the file.
    pub offset: u64,
    /// The matched bytes, printable ASCII as is and other bytes as `\xNN`,
    /// cut to `EVIDENCE_BYTES` (then ending in `...`).
    pub matched: String,
}

/// One classifier's finding in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinaryMatch {
    pub class: String,
    pub package: String,
    pub version: String,
    pub purl: String,
    pub cpes: Vec<String>,
    pub offset: u64,
    pub matched: String,
}

/// What the classifiers found in one file as one layer stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifiedFile {
    pub matches: Vec<BinaryMatch>,
    /// A JVM `release` file's fields.
    pub jvm: Option<JvmRelease>,
    pub warnings: plimsoll_report::Warnings,
    /// For a program a lookup's classifier globs: the libraries it needs
    /// that the lookup looks for, with the classifier's class.
    pub needs: Vec<(String, NeededLibrary)>,
    /// For a file whose name a lookup looks for: what the lookup's matcher
    /// found in it, as the program's classifier (its class and package).
    pub library: Vec<BinaryMatch>,
}

/// What [`BinaryClassifierCataloger`] found in one layer, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinaryLayerFacts {
    pub files: Vec<(String, ClassifiedFile)>,
}

/// Programs identified by file name and content (syft's binary classifiers
/// and its JVM `release` files).
pub struct BinaryClassifierCataloger;

pub struct BinaryClassifierVisitor(BinaryLayerFacts);

/// A classifier with its patterns compiled.
struct Compiled {
    classifier: &'static Classifier,
    patterns: Vec<BytesRegex>,
    exclude: Vec<BytesRegex>,
    /// For [`Evidence::FileNameTemplate`]: the file-name pattern.
    name: Option<Regex>,
}

/// A lookup with its patterns compiled.
struct CompiledLookup {
    lookup: &'static LibraryLookup,
    /// The program's classifier, in [`Table::classifiers`].
    program: usize,
    /// [`LibraryLookup::library`].
    library: Regex,
    /// [`LibraryLookup::evidence`], as the program's classifier.
    matcher: Compiled,
}

struct Table {
    globs: GlobSet,
    classifiers: Vec<Compiled>,
    lookups: Vec<CompiledLookup>,
    /// The file names the globs name literally (`nginx`, `VERSION`)…
    exact: HashSet<&'static str>,
    /// …and the literal starts of the others' names (`python`, `libstd-`):
    /// a name matching neither skips the glob set (most files of an image).
    prefixes: Vec<&'static str>,
}

/// The file-name part of a syft glob (`**/name`), its `{a,b}` alternatives
/// expanded: each either a literal name or the literal text before the
/// first wildcard.
fn name_filters(glob: &'static str) -> Vec<(bool, &'static str)> {
    let name = glob.rsplit('/').next().unwrap_or(glob);
    let alternatives: Vec<&'static str> =
        match name.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            Some(inner) => inner.split(',').collect(),
            None => vec![name],
        };
    alternatives
        .into_iter()
        .map(|a| match a.find(['*', '?', '[', '{']) {
            Some(i) => (false, &a[..i]),
            None => (true, a),
        })
        .collect()
}

/// A glob as syft's doublestar matches it: `*` and `?` stay within one
/// path component.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

fn bytes_regex(pattern: &str) -> Result<BytesRegex, regex::Error> {
    BytesRegex::new(&format!("(?-u){pattern}"))
}

fn compile(c: &'static Classifier) -> Result<Compiled, String> {
    compile_evidence(c, c.evidence)
}

/// `evidence` for classifier `c`'s package (a lookup's is not the
/// classifier's own).
fn compile_evidence(c: &'static Classifier, evidence: Evidence) -> Result<Compiled, String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", c.class);
    let (patterns, exclude, name): (&[&str], &[&str], _) = match evidence {
        Evidence::Contents(p) => (p, &[], None),
        Evidence::Excluding { patterns, exclude } => (patterns, exclude, None),
        Evidence::FileNameTemplate { name, .. } => {
            (&[], &[], Some(Regex::new(name).map_err(|e| err(&e))?))
        }
    };
    let compile_all = |list: &[&str]| -> Result<Vec<BytesRegex>, String> {
        list.iter()
            .map(|p| bytes_regex(p).map_err(|e| err(&e)))
            .collect()
    };
    Ok(Compiled {
        classifier: c,
        patterns: compile_all(patterns)?,
        exclude: compile_all(exclude)?,
        name,
    })
}

fn build_table() -> Result<Table, String> {
    let mut globs = GlobSetBuilder::new();
    let mut classifiers = Vec::with_capacity(CLASSIFIERS.len());
    let (mut exact, mut prefixes) = (HashSet::new(), Vec::new());
    for c in CLASSIFIERS {
        globs.add(glob(c.glob).map_err(|e| format!("{}: {e}", c.class))?);
        classifiers.push(compile(c)?);
        for (literal, text) in name_filters(c.glob) {
            if literal {
                exact.insert(text);
            } else if !prefixes.contains(&text) {
                prefixes.push(text);
            }
        }
    }
    let mut lookups = Vec::with_capacity(LOOKUPS.len());
    for lookup in LOOKUPS {
        let program = CLASSIFIERS
            .iter()
            .position(|c| c.class == lookup.class)
            .ok_or_else(|| format!("lookup for {}: no such classifier", lookup.class))?;
        lookups.push(CompiledLookup {
            lookup,
            program,
            library: Regex::new(lookup.library).map_err(|e| format!("{}: {e}", lookup.class))?,
            matcher: compile_evidence(&CLASSIFIERS[program], lookup.evidence)?,
        });
    }
    Ok(Table {
        globs: globs.build().map_err(|e| e.to_string())?,
        classifiers,
        lookups,
        exact,
        prefixes,
    })
}

/// The compiled table; built once. The table is constant data and a unit
/// test compiles it, so failing here is a bug in this file.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| build_table().expect("the classifier table compiles (tested)"))
}

/// What is done with one file's content.
#[derive(Default)]
struct Reads<'t> {
    /// Classifiers whose evidence is looked for in it.
    classifiers: Vec<&'t Compiled>,
    /// Lookups for which it is a program: its needed libraries are read.
    programs: Vec<&'t CompiledLookup>,
    /// Lookups for which it is a library: their matcher runs over it.
    libraries: Vec<&'t CompiledLookup>,
}

impl Reads<'_> {
    fn is_empty(&self) -> bool {
        self.classifiers.is_empty() && self.programs.is_empty() && self.libraries.is_empty()
    }
}

impl Table {
    /// The classifiers that want this path's content: their glob matches
    /// and, for those that need a versioned file name, the name does.
    #[cfg(test)]
    fn wanted(&self, path: &str) -> Vec<&Compiled> {
        self.reads(path).classifiers
    }

    /// Everything that wants this path's content.
    fn reads(&self, path: &str) -> Reads<'_> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut reads = Reads::default();
        if name.starts_with("lib") {
            reads.libraries = self
                .lookups
                .iter()
                .filter(|l| l.library.is_match(name))
                .collect();
        }
        let named = self.exact.contains(name) || self.prefixes.iter().any(|p| name.starts_with(p));
        if !named || !self.globs.is_match(path) {
            return reads;
        }
        let matched = self.globs.matches(path);
        reads.classifiers = matched
            .iter()
            .map(|&i| &self.classifiers[i])
            .filter(|c| c.name.as_ref().is_none_or(|n| n.is_match(path)))
            .collect();
        reads.programs = self
            .lookups
            .iter()
            .filter(|l| matched.contains(&l.program))
            .collect();
        reads
    }

    fn lookup(&self, class: &str) -> Option<&CompiledLookup> {
        self.lookups.iter().find(|l| l.lookup.class == class)
    }
}

impl Analyzer for BinaryClassifierCataloger {
    type Facts = BinaryLayerFacts;
    type Visitor = BinaryClassifierVisitor;
    const NAME: &'static str = "sbom-binary-classifier";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        if entry.kind != EntryKind::File || entry.size == 0 {
            return None;
        }
        if jvm_release::is_release(entry.path) {
            return Some(entry.size.min(jvm_release::LIMIT));
        }
        (entry.size <= BINARY_LIMIT && !table().reads(entry.path).is_empty()).then_some(entry.size)
    }

    fn visitor(&self) -> BinaryClassifierVisitor {
        BinaryClassifierVisitor(BinaryLayerFacts::default())
    }
}

impl LayerVisitor for BinaryClassifierVisitor {
    type Facts = BinaryLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        let Some(data) = content else { return };
        let mut file = read(entry.path, data);
        if jvm_release::is_release(entry.path) {
            file.jvm = jvm_release::parse(data);
        } else if let Some(note) = truncated_note(entry, data.len()) {
            file.warnings.push(note);
        }
        self.0.files.retain(|(p, _)| p != entry.path);
        if !file.matches.is_empty()
            || file.jvm.is_some()
            || !file.warnings.is_empty()
            || !file.needs.is_empty()
            || !file.library.is_empty()
        {
            self.0.files.push((entry.path.to_string(), file));
        }
    }

    fn finish(self) -> BinaryLayerFacts {
        self.0
    }
}

/// Every classifier's finding in the file at `path` (image path without a
/// leading `/`) holding `data`, in table order.
pub fn classify(path: &str, data: &[u8]) -> Vec<BinaryMatch> {
    read(path, data).matches
}

/// What the classifiers and the lookups find in the file at `path`
/// holding `data`.
fn read(path: &str, data: &[u8]) -> ClassifiedFile {
    let reads = table().reads(path);
    let matches: Vec<BinaryMatch> = reads
        .classifiers
        .iter()
        .filter_map(|c| find(c, path, data))
        .collect();
    let mut needs = Vec::new();
    if !reads.programs.is_empty() {
        for needed in shared_library::needed(data) {
            for l in &reads.programs {
                if l.library.is_match(&needed.name) {
                    needs.push((l.lookup.class.to_string(), needed.clone()));
                }
            }
        }
    }
    let library = reads
        .libraries
        .iter()
        .filter_map(|l| {
            // A classifier of this file with the same evidence (python's
            // `python-binary-lib`) has run it already: its result, as the
            // program's classifier.
            match reads
                .classifiers
                .iter()
                .find(|c| c.classifier.evidence == l.lookup.evidence)
            {
                Some(same) => matches
                    .iter()
                    .find(|m| m.class == same.classifier.class)
                    .map(|m| as_classifier(l.matcher.classifier, m)),
                None => find(&l.matcher, path, data),
            }
        })
        .collect();
    ClassifiedFile {
        matches,
        needs,
        library,
        ..ClassifiedFile::default()
    }
}

/// A match as classifier `c` would report it (its class, package, purl and
/// CPEs; the same version and evidence).
fn as_classifier(c: &Classifier, m: &BinaryMatch) -> BinaryMatch {
    BinaryMatch {
        offset: m.offset,
        matched: m.matched.clone(),
        ..found(c, &m.version, 0, b"")
    }
}

/// One classifier's version in `data`: the first pattern that matches with
/// a non-empty `version` group.
fn find(c: &Compiled, path: &str, data: &[u8]) -> Option<BinaryMatch> {
    if c.exclude.iter().any(|x| x.is_match(data)) {
        return None;
    }
    let templated;
    let patterns: &[BytesRegex] = match (&c.classifier.evidence, &c.name) {
        (Evidence::FileNameTemplate { template, .. }, Some(name)) => {
            let caps = name.captures(path)?;
            let version = caps.name("version").map_or("", |m| m.as_str());
            let pattern = template.replace("{version}", &regex::escape(version));
            templated = [bytes_regex(&pattern).ok()?];
            &templated
        }
        _ => &c.patterns,
    };
    patterns.iter().find_map(|re| {
        let caps = re.captures(data)?;
        let version = caps.name("version")?;
        let version = std::str::from_utf8(version.as_bytes()).ok()?;
        if version.is_empty() {
            return None;
        }
        let whole = caps.get(0)?;
        Some(found(
            c.classifier,
            version,
            whole.start() as u64,
            whole.as_bytes(),
        ))
    })
}

fn found(c: &Classifier, version: &str, offset: u64, bytes: &[u8]) -> BinaryMatch {
    let (ty, namespace, name) = c.purl;
    BinaryMatch {
        class: c.class.to_string(),
        package: c.package.to_string(),
        version: version.to_string(),
        purl: purl(ty, namespace, name, version, &[]),
        cpes: c
            .cpes
            .iter()
            .map(|t| cpe_with_version(t, version))
            .collect(),
        offset,
        matched: printable(bytes),
    }
}

/// A CPE 2.3 template with its version field (the sixth) set, the
/// characters CPE 2.3 quotes escaped with `\`.
pub fn cpe_with_version(template: &str, version: &str) -> String {
    let mut quoted = String::with_capacity(version.len());
    for ch in version.chars() {
        if !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-') {
            quoted.push('\\');
        }
        quoted.push(ch);
    }
    // Split on unescaped colons: `erlang\/otp` stays one field.
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for ch in template.chars() {
        if ch == ':' && !escaped {
            fields.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
        escaped = ch == '\\' && !escaped;
    }
    fields.push(cur);
    if let Some(v) = fields.get_mut(5) {
        *v = quoted;
    }
    fields.join(":")
}

/// Bytes as text for the SBOM: printable ASCII as is, the rest `\xNN`.
pub fn printable(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(EVIDENCE_BYTES)];
    let mut s = String::with_capacity(cut.len());
    for &b in cut {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    if bytes.len() > EVIDENCE_BYTES {
        s.push_str("...");
    }
    s
}

impl BinaryMatch {
    /// The program this match names, found at `path` of `layer`.
    fn package_at(&self, path: &str, layer: usize) -> Package {
        let mut pkg = Package::new(
            PackageType::Binary,
            &self.package,
            &self.version,
            &self.purl,
            path,
            layer,
        );
        pkg.cpes = self.cpes.clone();
        pkg
    }
}

/// A library a lookup found for a program.
struct LookedUp<'a> {
    class: &'a str,
    /// The program's `DT_NEEDED` entry.
    needed: &'a NeededLibrary,
    /// The library's path (a symlink resolved).
    library: &'a str,
    found: &'a BinaryMatch,
}

/// The files of the final image by name, for the names programs need, and
/// what the lookups found in the visible files.
struct Libraries<'a> {
    /// Needed name -> the files of that name, symlinks resolved; sorted.
    by_name: BTreeMap<&'a str, Vec<String>>,
    /// Visible file -> what the lookups found in it.
    found: BTreeMap<&'a str, &'a [BinaryMatch]>,
}

impl<'a> Libraries<'a> {
    fn new(ctx: &MergeContext<'_>, visible: &[(usize, &'a str, &'a ClassifiedFile)]) -> Self {
        let mut by_name: BTreeMap<&'a str, Vec<String>> = visible
            .iter()
            .flat_map(|(_, _, f)| &f.needs)
            .map(|(_, n)| (n.name.as_str(), Vec::new()))
            .collect();
        let found = visible
            .iter()
            .filter(|(_, _, f)| !f.library.is_empty())
            .map(|&(_, p, f)| (p, f.library.as_slice()))
            .collect();
        if by_name.is_empty() {
            return Libraries { by_name, found };
        }
        // One walk over the final tree's paths (no file is read).
        for (path, node) in ctx.tree.files.iter() {
            let name = path.rsplit('/').next().unwrap_or(path);
            let Some(paths) = by_name.get_mut(name) else {
                continue;
            };
            let real = match node.kind {
                EntryKind::File => Some(path.to_string()),
                EntryKind::Symlink => match ctx.tree.resolve(path) {
                    Ok(Some((real, n))) if n.kind == EntryKind::File => {
                        Some(real.trim_start_matches('/').to_string())
                    }
                    _ => None,
                },
                _ => None,
            };
            paths.extend(real);
        }
        for paths in by_name.values_mut() {
            paths.sort();
            paths.dedup();
        }
        Libraries { by_name, found }
    }

    /// What the lookups found for `program`'s needed libraries, in the
    /// order its dynamic section names them.
    fn found(&'a self, program: &'a ClassifiedFile) -> Vec<LookedUp<'a>> {
        let mut out = Vec::new();
        for (class, needed) in &program.needs {
            for library in self.by_name.get(needed.name.as_str()).into_iter().flatten() {
                let matches = self
                    .found
                    .get(library.as_str())
                    .copied()
                    .unwrap_or_default();
                for m in matches.iter().filter(|m| &m.class == class) {
                    out.push(LookedUp {
                        class,
                        needed,
                        library,
                        found: m,
                    });
                }
            }
        }
        out
    }
}

/// Adds the programs the classifiers found in files the final image shows,
/// one package per (name, version), minus those whose files OS packages
/// hold. Call after the OS catalogers have added their packages.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[BinaryLayerFacts],
    owned: &LazyOsOwnedFiles,
    inventory: &mut Inventory,
) {
    let visible = ctx.visible_in(facts, |f| &f.files);
    if visible.is_empty() {
        return;
    }
    let owned = OsOwnedFiles::get(owned, ctx, inventory);
    let lookups = Libraries::new(ctx, &visible);
    // JVM installations: their directories, to drop java binaries inside.
    let jvm_dirs: Vec<&str> = visible
        .iter()
        .filter(|(_, _, f)| f.jvm.is_some())
        .map(|(_, path, _)| jvm_release::install_dir(path))
        .collect();
    let mut packages: BTreeMap<(String, String), Package> = BTreeMap::new();
    let mut add = |key: (String, String), pkg: Package, evidence: BinaryEvidence| {
        let entry = packages.entry(key).or_insert(pkg);
        entry.evidence.push(evidence);
    };
    for &(layer, path, file) in &visible {
        inventory
            .warnings
            .extend_from(&file.warnings, |w| format!("layer {layer}: {path}: {w}"));
        if let Some(jvm) = &file.jvm {
            let dir = jvm_release::install_dir(path);
            let has_jdk = ctx.tree.files.contains_key(&format!("{dir}/bin/javac"));
            let id = jvm.identity(path, has_jdk);
            let mut pkg = Package::new(
                PackageType::Binary,
                &id.name,
                &id.version,
                &id.purl,
                path,
                layer,
            );
            pkg.cpes = id.cpes.clone();
            add(
                (id.name.clone(), id.version.clone()),
                pkg,
                BinaryEvidence {
                    path: path.to_string(),
                    class: jvm_release::CLASS.to_string(),
                    offset: 0,
                    matched: printable(id.evidence.as_bytes()),
                },
            );
        }
        let looked_up = lookups.found(file);
        for m in &file.matches {
            // A lookup that comes first and found the program's library
            // stands instead of the program's own evidence.
            let replaced = table()
                .lookup(&m.class)
                .is_some_and(|l| l.lookup.first && looked_up.iter().any(|f| f.class == m.class));
            if replaced {
                continue;
            }
            let in_jvm = m.package.starts_with("java/")
                && jvm_dirs.iter().any(|d| path.starts_with(&format!("{d}/")));
            if in_jvm {
                continue; // the JVM's release file names it (syft drops these too)
            }
            add(
                (m.package.clone(), m.version.clone()),
                m.package_at(path, layer),
                BinaryEvidence {
                    path: path.to_string(),
                    class: m.class.clone(),
                    offset: m.offset,
                    matched: m.matched.clone(),
                },
            );
        }
        for f in looked_up {
            let Some(l) = table().lookup(f.class) else {
                continue;
            };
            if !l.lookup.first && file.matches.iter().any(|m| m.class == f.class) {
                continue; // the program's own evidence came first
            }
            let m = f.found;
            let pkg = m.package_at(path, layer);
            let key = (m.package.clone(), m.version.clone());
            add(
                key.clone(),
                pkg.clone(),
                BinaryEvidence {
                    path: path.to_string(),
                    class: f.class.to_string(),
                    offset: f.needed.offset,
                    matched: printable(f.needed.name.as_bytes()),
                },
            );
            add(
                key,
                pkg,
                BinaryEvidence {
                    path: f.library.to_string(),
                    class: f.class.to_string(),
                    offset: m.offset,
                    matched: m.matched.clone(),
                },
            );
        }
    }
    for (_, mut pkg) in packages {
        pkg.evidence
            .sort_by(|a, b| (&a.path, &a.class).cmp(&(&b.path, &b.class)));
        pkg.evidence
            .dedup_by(|a, b| a.path == b.path && a.class == b.class);
        if pkg.evidence.iter().any(|e| owned.contains(&e.path)) {
            continue;
        }
        let first = &pkg.evidence[0];
        pkg.location = first.path.clone();
        pkg.layer = visible
            .iter()
            .find(|(_, p, _)| *p == first.path)
            .map_or(pkg.layer, |(l, _, _)| *l);
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_compiles_and_every_glob_is_syfts_form() {
        let t = build_table().unwrap();
        assert_eq!(t.classifiers.len(), CLASSIFIERS.len());
        for c in CLASSIFIERS {
            assert!(c.glob.starts_with("**/"), "{}", c.class);
            assert!(!c.package.is_empty() && !c.class.is_empty());
        }
    }

    #[test]
    fn name_filters_never_reject_what_a_glob_takes() {
        let t = table();
        assert!(
            t.exact.contains("nginx") && t.exact.contains("mariadb") && t.exact.contains("mysql")
        );
        assert!(t.prefixes.contains(&"python") && t.prefixes.contains(&"libstd-"));
        assert!(
            !t.prefixes.contains(&""),
            "a glob starting with a wildcard would need every file"
        );
        for c in CLASSIFIERS {
            // A name built from the glob by filling wildcards matches both.
            let name = c
                .glob
                .trim_start_matches("**/")
                .replace('?', "x")
                .replace('*', "1");
            let name = name
                .trim_start_matches('{')
                .split(',')
                .next()
                .unwrap()
                .trim_end_matches('}');
            let path = format!("opt/app/{name}");
            assert!(t.globs.is_match(&path), "{}: {path}", c.class);
            let n = name;
            assert!(
                t.exact.contains(n) || t.prefixes.iter().any(|p| n.starts_with(p)),
                "{path}"
            );
        }
    }

    #[test]
    fn globs_stay_within_the_file_name() {
        let t = table();
        assert!(!t.wanted("usr/bin/openssl").is_empty());
        assert!(!t.wanted("openssl").is_empty());
        assert!(t.wanted("usr/lib/python3.11/os.py").is_empty());
        assert!(t.wanted("usr/bin/openssl.cnf").is_empty());
        // python needs a versioned name: `python3` alone is not read.
        assert!(t.wanted("usr/bin/python3").is_empty());
        assert!(!t.wanted("usr/local/bin/python3.12").is_empty());
        assert_eq!(t.wanted("usr/bin/mysql").len(), 4);
    }

    #[test]
    fn printable_escapes_and_cuts() {
        assert_eq!(printable(b"\x003.11\\\x00"), "\\x003.11\\x5c\\x00");
        let long = vec![b'a'; EVIDENCE_BYTES + 5];
        assert!(printable(&long).ends_with("..."));
        assert_eq!(printable(&long).len(), EVIDENCE_BYTES + 3);
    }

    #[test]
    fn cpe_version_is_filled_and_quoted() {
        assert_eq!(
            cpe_with_version("cpe:2.3:a:golang:go:*:*:*:*:*:*:*:*", "1.19.8"),
            "cpe:2.3:a:golang:go:1.19.8:*:*:*:*:*:*:*"
        );
        assert_eq!(
            cpe_with_version("cpe:2.3:a:erlang:erlang\\/otp:*:*:*:*:*:*:*:*", "26.1+2"),
            "cpe:2.3:a:erlang:erlang\\/otp:26.1\\+2:*:*:*:*:*:*:*"
        );
    }
}
