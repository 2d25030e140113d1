//! Software bill of materials for container images, built on the engine's
//! single pass over the layers.
//!
//! Every cataloger is an engine [`Analyzer`](plimsoll_engine::Analyzer):
//! [`register`] adds them all, the engine runs them in its one pass over
//! each layer (and caches their per-layer facts by layer digest with the
//! rest), and [`catalog`] merges the layers' facts into the [`Inventory`]
//! of the final image:
//!
//! - a file counts in the version the merged file tree says is visible
//!   (later layers replace it; a whiteout deletes it, and with it the
//!   packages it listed);
//! - each package records the layer that introduced it, the file that
//!   lists it (`location`) and, where the package manager says, its files;
//! - packages are sorted by (ecosystem, name, version, arch, location);
//!   unreadable records are skipped and reported in `warnings` (naming the
//!   layer and path), never fatal.
//!
//! Catalogers so far: [`DpkgCataloger`] (dpkg's `status` and distroless
//! `status.d/`, with each package's files and copyright licences, plus
//! os-release), [`ApkCataloger`] (`lib/apk/db/installed`), [`RpmCataloger`]
//! (rpm's SQLite, Berkeley DB and ndb databases), [`PythonCataloger`]
//! (`*.dist-info`, `*.egg-info`), [`NpmCataloger`] (`package.json`),
//! [`GoCataloger`] (Go build info of executables), [`RustAuditCataloger`]
//! (cargo-auditable data of executables), [`JavaCataloger`]
//! (jar/war/ear/jpi/hpi, nested archives included), [`GemCataloger`]
//! (Ruby gem specifications), [`LockfileCataloger`] (`Cargo.lock`,
//! `go.mod`, npm, yarn and pnpm locks, Python requirement and lock files
//! (uv's too), `Gemfile.lock`, Composer's lock and `installed.json`,
//! Maven's `pom.xml` and Gradle lock files, .NET's `*.deps.json` and
//! `packages.lock.json`, GitHub Actions workflows),
//! [`CondaCataloger`] (`conda-meta/*.json`), [`DotnetPeCataloger`]
//! (the version resource of `*.dll`/`*.exe` PE files),
//! [`ElfNoteCataloger`] (ELF `.note.package` notes), [`AlpmCataloger`] (pacman's
//! `var/lib/pacman/local/*/desc` and `files`: Arch Linux),
//! [`PortageCataloger`] (Gentoo's `var/db/pkg/*/*/CONTENTS`), Nix store
//! paths (`nix/store/<hash>-<name>-<version>`, read from the file tree),
//! [`KernelCataloger`] (Linux kernel images' setup headers, `vmlinuz-*`,
//! and modules' `.modinfo`, `lib/modules/**/*.ko`) and
//! [`BitnamiCataloger`] (Bitnami's SPDX documents,
//! `opt/bitnami/**/.spdx-*.spdx`), and
//! [`BinaryClassifierCataloger`] (programs identified by file name and
//! content as syft's binary classifiers do, and JVM `release` files; see
//! [`CLASSIFIERS`]).
//!
//! Which files count follows syft's default selection of catalogers for
//! the kind of scan: image scans report what is installed; directory scans
//! (`dir:`, [`MergeContext::directory`]) also report declared dependencies
//! (lock files, any `*.gemspec`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let image: plimsoll_oci::Image = todo!();
//! use plimsoll_engine::{Engine, EngineOptions, NoProgress};
//! let mut engine = Engine::new(EngineOptions::default());
//! plimsoll_sbom::register(&mut engine);
//! let scan = engine.scan(&image, &NoProgress)?;
//! let inventory = plimsoll_sbom::catalog(&scan)?;
//! # Ok(()) }
//! ```

mod alpm;
mod apk;
mod binary;
mod bitnami;
mod conda;
mod control;
mod copyright;
pub mod cyclonedx;
mod document;
mod dotnet_pe;
mod dpkg;
mod dpkg_extra;
mod java;
mod kernel;
mod license;
pub mod lockfile;
mod merge;
mod nix;
mod npm;
mod os;
mod portage;
mod purl;
mod python;
// -- sbomread (issue 18): SBOM documents read back --
pub mod read;
pub mod render;
pub mod rpm;
mod ruby;
pub mod spdx;

use std::fmt;

use plimsoll_engine::{Engine, Entry, FileTree, Scan};
use serde::{Deserialize, Serialize};

pub use alpm::{
    ALPM_DB_LIMIT, AlpmCataloger, AlpmDesc, AlpmEntry, AlpmFiles, AlpmLayerFacts, alpm_purl,
    parse_desc as parse_alpm_desc, parse_files as parse_alpm_files,
};
pub use apk::{
    APK_DB_LIMIT, APK_DB_PATHS, ApkCataloger, ApkDatabase, ApkEntry, ApkLayerFacts, apk_purl,
    parse_apk_db,
};
pub use binary::BINARY_LIMIT;
pub use binary::classifier::{
    BinaryClassifierCataloger, BinaryEvidence, BinaryLayerFacts, BinaryMatch, ClassifiedFile,
    classify as classify_binary,
};
pub use binary::classifiers::{CLASSIFIERS, Classifier, Evidence as ClassifierEvidence};
pub use binary::elf_note::{
    ElfNoteCataloger, ElfNoteLayerFacts, NOTE_PREFIX, NoteRecord, PackageNote,
};
pub use binary::golang::{GoBuildInfo, GoCataloger, GoFile, GoLayerFacts, GoModule};
pub use binary::jvm_release::JvmRelease;
pub use binary::rust_audit::{RustAuditCataloger, RustCrate, RustFile, RustLayerFacts};
pub use bitnami::{
    BITNAMI_SPDX_LIMIT, BitnamiCataloger, BitnamiDocument, BitnamiLayerFacts, BitnamiPackage,
    parse_components as parse_bitnami_components, parse_document as parse_bitnami_spdx,
};
pub use conda::{
    CONDA_META_LIMIT, CondaCataloger, CondaLayerFacts, CondaPackage, CondaRecord, conda_purl,
};
pub use control::{DbKind, DpkgEntry, Parsed, parse_dpkg_db};
pub use copyright::{copyright_licenses, debian_to_spdx};
pub use document::{
    DocumentContext, ImageSubject, Licensing, MAX_TIMESTAMP, ToolInfo, is_spdx_expression,
    licensing, package_keys, rfc3339_utc, uuid_v8_sha256,
};
pub use dotnet_pe::{DotnetPeCataloger, PE_LIMIT, PeAssembly, PeLayerFacts, PeRecord, pe_purl};
pub use dpkg::{
    DB_LIMIT, DpkgCataloger, DpkgDatabase, DpkgLayerFacts, DpkgVisitor, STATUS, STATUS_D,
};
pub use dpkg_extra::{DpkgCopyright, DpkgFileList};
pub use java::{JavaArchiveFacts, JavaCataloger, JavaLayerFacts, JavaPackage};
pub use kernel::{
    KERNEL_MODULE_LIMIT, KernelCataloger, KernelImage, KernelLayerFacts, KernelModule,
    ModuleRecord, kernel_purl, parse_kernel_image, parse_module as parse_kernel_module,
};
pub use lockfile::{LOCKFILE_LIMIT, LockKind, LockLayerFacts, LockedPackage, LockfileCataloger};
pub use merge::MergeContext;
pub use nix::{
    NixStorePath, nix_purl, parse_store_path as parse_nix_store_path,
    store_path_of as nix_store_path_of,
};
pub use npm::{NpmCataloger, NpmLayerFacts, NpmManifest, NpmPackage, npm_purl};
pub use os::{OsReleaseCataloger, OsReleaseFacts, RELEASE_FILES};
pub use portage::{
    PORTAGE_DB_LIMIT, PortageCataloger, PortageContents, PortageLayerFacts,
    package_of as portage_package_of, parse_contents as parse_portage_contents,
    parse_license as parse_portage_license, portage_purl,
};
pub use purl::{Distro, deb_purl, percent_decode, percent_encode, purl};
pub use python::{
    PythonCataloger, PythonFileList, PythonLayerFacts, PythonMetadata, PythonMetadataFile,
    normalize_name as pypi_normalize_name,
};
pub use rpm::{RpmCataloger, RpmDatabase, RpmEntry, RpmLayerFacts, parse_rpmdb, rpm_purl};
pub use ruby::{GEMSPEC_LIMIT, GemCataloger, GemLayerFacts, GemSpec, GemSpecFile, gem_purl};

/// Where a package comes from, named as its package URL type
/// (<https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Deb,
    Apk,
    Rpm,
    Pypi,
    Npm,
    Golang,
    Cargo,
    Maven,
    /// Ruby gems (`pkg:gem/…`).
    Gem,
    /// PHP packages installed by Composer (`pkg:composer/…`).
    Composer,
    /// conda packages (`pkg:conda/…`).
    Conda,
    /// .NET packages (`pkg:nuget/…`): `*.deps.json`, `packages.lock.json`.
    Nuget,
    /// GitHub Actions and reusable workflows a repository's workflows use
    /// (`pkg:github/<owner>/<repo>@<ref>`).
    Github,
    // Arch, kernel and Bitnami catalogers (issue 18).
    /// pacman/libalpm packages: Arch Linux and its derivatives (`pkg:alpm/…`).
    Alpm,
    /// A Linux kernel image in the image (`pkg:generic/linux-kernel@…`, as
    /// syft writes it; the type is syft's name).
    #[serde(rename = "linux-kernel")]
    LinuxKernel,
    /// A Linux kernel module (`pkg:generic/<name>@<version>`, as syft
    /// writes it; the type is syft's name).
    #[serde(rename = "linux-kernel-module")]
    LinuxKernelModule,
    /// Bitnami components, from the SPDX documents Bitnami's images ship
    /// (`pkg:bitnami/…`).
    Bitnami,
    // -- binary classifiers (issue 18) --
    /// Programs identified by their file's content (syft's type `binary`;
    /// purls as syft writes them, mostly `pkg:generic/<name>@<version>`).
    Binary,
    // -- hackcran (issue 18) --
    /// Haskell packages pinned by Stack or cabal (`pkg:hackage/…`).
    Hackage,
    /// R packages installed in a library (`pkg:cran/…`; the type is
    /// syft's name).
    #[serde(rename = "R-package")]
    RPackage,
    // -- hexpub (issue 18) --
    /// Hex packages, Elixir's and Erlang's (`mix.lock`, `rebar.lock`;
    /// `pkg:hex/<name>@<version>`).
    Hex,
    /// Dart and Flutter packages from `pubspec.lock` (`pkg:pub/…`; the type
    /// is syft's name).
    #[serde(rename = "dart-pub")]
    DartPub,
    /// Erlang/OTP applications, from their `*.app` resource files
    /// (`pkg:otp/<name>@<vsn>`; the type is syft's name).
    #[serde(rename = "erlang-otp")]
    ErlangOtp,
    /// Swift Package Manager packages from `Package.resolved`
    /// (`pkg:swift/<repository>/<name>@<version>`).
    Swift,
    /// CocoaPods pods from `Podfile.lock` (`pkg:cocoapods/…`; the type is
    /// syft's name, `pod`).
    #[serde(rename = "pod")]
    Cocoapods,
    // -- portnix (issue 18) --
    /// Gentoo's installed packages, portage's `var/db/pkg` (syft's type;
    /// purls `pkg:ebuild/<category>/<name>@<version>`, as syft writes them).
    Portage,
    /// Nix store paths (`nix/store/<hash>-<name>-<version>`; syft's type,
    /// purls `pkg:nix/<name>@<version>?output=…&outputhash=…` as syft writes them).
    Nix,
    /// Lua rocks (`*.rockspec`; syft's type name, purls `pkg:luarocks/<name>@<version>`).
    #[serde(rename = "lua-rocks")]
    LuaRocks,
    /// SWI-Prolog packs (`pack.pl`; syft's type, purls `pkg:swiplpack/<name>@<version>`).
    SwiplPack,
    /// WordPress plugins (their main PHP file's header; syft's type name,
    /// and no purl, as syft writes none).
    #[serde(rename = "wordpress-plugin")]
    WordpressPlugin,
    // -- conan (issue 18) --
    /// C and C++ packages of Conan (`conanfile.txt`, `conan.lock`,
    /// `conaninfo.txt`; `pkg:conan/[<user>/]<name>@<version>`).
    Conan,
    // -- opam (issue 18) --
    /// OCaml packages described by opam files (`*.opam`, a switch's
    /// installed packages; syft's type, purls `pkg:opam/<name>@<version>`).
    Opam,
}

impl PackageType {
    pub const ALL: [PackageType; 32] = [
        PackageType::Deb,
        PackageType::Apk,
        PackageType::Rpm,
        PackageType::Pypi,
        PackageType::Npm,
        PackageType::Golang,
        PackageType::Cargo,
        PackageType::Maven,
        PackageType::Gem,
        PackageType::Composer,
        PackageType::Conda,
        PackageType::Nuget,
        PackageType::Github,
        // Arch, kernel and Bitnami catalogers (issue 18).
        PackageType::Alpm,
        PackageType::LinuxKernel,
        PackageType::LinuxKernelModule,
        PackageType::Bitnami,
        // -- binary classifiers (issue 18) --
        PackageType::Binary,
        // -- hackcran (issue 18) --
        PackageType::Hackage,
        PackageType::RPackage,
        // -- hexpub (issue 18) --
        PackageType::Hex,
        PackageType::DartPub,
        PackageType::ErlangOtp,
        PackageType::Swift,
        PackageType::Cocoapods,
        // -- portnix (issue 18) --
        PackageType::Portage,
        PackageType::Nix,
        PackageType::LuaRocks,
        PackageType::SwiplPack,
        PackageType::WordpressPlugin,
        // -- conan (issue 18) --
        PackageType::Conan,
        // -- opam (issue 18) --
        PackageType::Opam,
    ];

    /// The name used in JSON output: the purl type, except for the kernel
    /// types, named as syft names them (their purls are `pkg:generic`),
    /// and R packages, syft's `R-package` (their purls are `pkg:cran`).
    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Deb => "deb",
            PackageType::Apk => "apk",
            PackageType::Rpm => "rpm",
            PackageType::Pypi => "pypi",
            PackageType::Npm => "npm",
            PackageType::Golang => "golang",
            PackageType::Cargo => "cargo",
            PackageType::Maven => "maven",
            PackageType::Gem => "gem",
            PackageType::Composer => "composer",
            PackageType::Conda => "conda",
            PackageType::Nuget => "nuget",
            PackageType::Github => "github",
            // Arch, kernel and Bitnami catalogers (issue 18).
            PackageType::Alpm => "alpm",
            PackageType::LinuxKernel => "linux-kernel",
            PackageType::LinuxKernelModule => "linux-kernel-module",
            PackageType::Bitnami => "bitnami",
            // -- binary classifiers (issue 18) --
            PackageType::Binary => "binary",
            // -- hackcran (issue 18) --
            PackageType::Hackage => "hackage",
            PackageType::RPackage => "R-package",
            // -- hexpub (issue 18) --
            PackageType::Hex => "hex",
            PackageType::DartPub => "dart-pub",
            PackageType::ErlangOtp => "erlang-otp",
            PackageType::Swift => "swift",
            PackageType::Cocoapods => "pod",
            // -- portnix (issue 18) --
            PackageType::Portage => "portage",
            PackageType::Nix => "nix",
            PackageType::LuaRocks => "lua-rocks",
            PackageType::SwiplPack => "swiplpack",
            PackageType::WordpressPlugin => "wordpress-plugin",
            // -- conan (issue 18) --
            PackageType::Conan => "conan",
            // -- opam (issue 18) --
            PackageType::Opam => "opam",
        }
    }

    /// OS packages are matched against the distribution's own advisories.
    pub fn is_os(self) -> bool {
        matches!(
            self,
            PackageType::Deb
                | PackageType::Apk
                | PackageType::Rpm
                | PackageType::Alpm
                // -- portnix (issue 18) --
                | PackageType::Portage
        )
    }

    // -- portnix (issue 18) --
    /// Whether a program in one of the package's files is the package's,
    /// not a package of its own (the binary classifiers and ELF notes skip
    /// it): the OS packages and Nix store paths, syft 1.18.1's "OS
    /// cataloger types" for its file-ownership overlap.
    pub fn owns_its_files(self) -> bool {
        self.is_os() || self == PackageType::Nix
    }
}

impl fmt::Display for PackageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One installed package of the final image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    /// Package URL, e.g. `pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12`.
    pub purl: String,
    /// Machine architecture for OS packages (`amd64`, `x86_64`, `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The source package advisories are keyed on: Debian `Source:`, rpm
    /// SOURCERPM's name, apk origin. None when the metadata names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Licences as declared: SPDX expressions where the metadata gives
    /// them (or they could be mapped), otherwise the declared text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Maintainer, author or vendor, as the metadata names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Index (bottom layer 0) of the layer that introduced the package as it is.
    pub layer: usize,
    /// The file that lists it, e.g. `var/lib/dpkg/status` or
    /// `usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA`.
    pub location: String,
    /// Files the package manager says belong to the package (image paths
    /// without a leading `/`), sorted; empty when unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The purls of the packages this one depends on, where the file that
    /// lists it says (`package-lock.json` v2/v3, `pnpm-lock.yaml`,
    /// `Cargo.lock`, `poetry.lock`, `uv.lock`); each is listed by the same
    /// file. Sorted; empty when the file states none or is not a lock file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    // -- binary classifiers (issue 18) --
    /// CPE 2.3 names, where the cataloger knows them (binary classifiers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    /// For a program identified by its content (type `binary`): each file
    /// it was found in, the classifier, and the matched bytes and offset;
    /// sorted by path. Empty for other packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<BinaryEvidence>,
}

impl Package {
    /// A package with just its identity and location; the rest empty.
    pub fn new(
        package_type: PackageType,
        name: impl Into<String>,
        version: impl Into<String>,
        purl: impl Into<String>,
        location: impl Into<String>,
        layer: usize,
    ) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            package_type,
            purl: purl.into(),
            arch: None,
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            supplier: None,
            layer,
            location: location.into(),
            files: Vec::new(),
            depends_on: Vec::new(),
            cpes: Vec::new(),
            evidence: Vec::new(),
        }
    }

    fn sort_key(&self) -> (PackageType, &str, &str, Option<&str>, &str) {
        (
            self.package_type,
            &self.name,
            &self.version,
            self.arch.as_deref(),
            &self.location,
        )
    }
}

/// The packages of the final image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub distro: Option<Distro>,
    pub packages: Vec<Package>,
    /// Skipped records, truncated or malformed files, duplicates:
    /// `layer N: path: why` or `path:line: why`; each distinct one once, at
    /// most [`plimsoll_report::MAX_WARNINGS`], the rest counted. In JSON a
    /// `warnings` list and a `warnings_omitted` count.
    #[serde(flatten)]
    pub warnings: plimsoll_report::Warnings,
}

impl Inventory {
    /// Pretty JSON, packages in their deterministic order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an inventory always serialises")
    }

    /// Sorts packages into the documented order (see the crate docs).
    pub fn sort(&mut self) {
        self.packages
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    pub fn of_type(&self, t: PackageType) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(move |p| p.package_type == t)
    }
}

/// The warning for a package database `entry` of which only `read` bytes
/// were read (the content limit), if it was cut.
pub(crate) fn cut_database_warning(entry: &Entry<'_>, read: usize) -> Option<String> {
    ((read as u64) < entry.size).then(|| {
        format!(
            "{}: {} bytes, only the first {read} read: packages after that are missing",
            entry.path, entry.size
        )
    })
}

/// A cut text database of records separated by blank lines, without the
/// record the cut went through.
pub(crate) fn whole_records(content: &[u8]) -> &[u8] {
    let end = content.windows(2).rposition(|w| w == b"\n\n").unwrap_or(0);
    content.get(..end).unwrap_or_default()
}

/// The lines of a file list, without the line the cut went through when
/// the file was `truncated`.
pub(crate) fn whole_lines(text: &str, truncated: bool) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    if truncated && !text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// Registers every cataloger with the engine, so the SBOM is built in the
/// same pass as everything else.
pub fn register(engine: &mut Engine) {
    engine.register(OsReleaseCataloger);
    engine.register(DpkgCataloger);
    engine.register(PythonCataloger);
    engine.register(NpmCataloger);
    engine.register(ApkCataloger);
    engine.register(RpmCataloger);
    engine.register(GoCataloger);
    engine.register(RustAuditCataloger);
    engine.register(JavaCataloger);
    engine.register(GemCataloger);
    engine.register(LockfileCataloger);
    engine.register(CondaCataloger);
    engine.register(DotnetPeCataloger);
    engine.register(ElfNoteCataloger);
    engine.register(AlpmCataloger);
    engine.register(KernelCataloger);
    engine.register(BitnamiCataloger);
    // -- binary classifiers (issue 18) --
    engine.register(BinaryClassifierCataloger);
    // -- portnix (issue 18) --
    engine.register(PortageCataloger);
}

/// The inventory of the final image from every cataloger [`register`] adds.
pub fn catalog(scan: &Scan) -> Result<Inventory, SbomError> {
    let lists = scan.file_lists()?;
    let tree = FileTree::build(&lists);
    catalog_with(scan, &lists, &tree)
}

/// [`catalog`] given the scan's file lists and the tree built from them, for
/// callers that build the tree once for other analyses too.
pub fn catalog_with(
    scan: &Scan,
    lists: &plimsoll_engine::FileLists<'_>,
    tree: &FileTree,
) -> Result<Inventory, SbomError> {
    let ctx = MergeContext {
        lists,
        tree,
        directory: scan.directory,
    };
    let release_facts = scan.facts::<OsReleaseCataloger>()?;
    let mut distro = os::distro(&ctx, &release_facts);
    if let Some(d) = distro.as_mut() {
        d.content_sets = os::content_sets(&ctx, &release_facts);
    }
    let mut inventory = Inventory::default();
    dpkg::merge(
        &ctx,
        &scan.facts::<DpkgCataloger>()?,
        distro.as_ref(),
        &mut inventory,
    );
    python::merge(&ctx, &scan.facts::<PythonCataloger>()?, &mut inventory);
    npm::merge(&ctx, &scan.facts::<NpmCataloger>()?, &mut inventory);
    apk::merge(
        &ctx,
        &scan.facts::<ApkCataloger>()?,
        distro.as_ref(),
        &mut inventory,
    );
    rpm::merge(
        &ctx,
        &scan.facts::<RpmCataloger>()?,
        distro.as_ref(),
        &mut inventory,
    );
    binary::golang::merge(&ctx, &scan.facts::<GoCataloger>()?, &mut inventory);
    binary::rust_audit::merge(&ctx, &scan.facts::<RustAuditCataloger>()?, &mut inventory);
    java::merge(&ctx, &scan.facts::<JavaCataloger>()?, &mut inventory);
    ruby::merge(&ctx, &scan.facts::<GemCataloger>()?, &mut inventory);
    lockfile::merge(&ctx, &scan.facts::<LockfileCataloger>()?, &mut inventory);
    conda::merge(&ctx, &scan.facts::<CondaCataloger>()?, &mut inventory);
    dotnet_pe::merge(&ctx, &scan.facts::<DotnetPeCataloger>()?, &mut inventory);
    alpm::merge(
        &ctx,
        &scan.facts::<AlpmCataloger>()?,
        distro.as_ref(),
        &mut inventory,
    );
    kernel::merge(&ctx, &scan.facts::<KernelCataloger>()?, &mut inventory);
    bitnami::merge(&ctx, &scan.facts::<BitnamiCataloger>()?, &mut inventory);
    // -- portnix (issue 18): an OS package database, before the merges that skip OS packages' files --
    portage::merge(&ctx, &scan.facts::<PortageCataloger>()?, &mut inventory);
    // -- portnix (issue 18): Nix store paths, from the file tree alone --
    nix::merge(&ctx, &mut inventory);
    // The binary classifiers and the ELF-note cataloger come after every OS
    // package database (Arch's, portage's and Nix's too): a file one of those
    // lists is that package, and the set of such files is built once for both.
    let os_owned = merge::LazyOsOwnedFiles::new();
    binary::classifier::merge(
        &ctx,
        &scan.facts::<BinaryClassifierCataloger>()?,
        &os_owned,
        &mut inventory,
    );
    binary::elf_note::merge(
        &ctx,
        &scan.facts::<ElfNoteCataloger>()?,
        &os_owned,
        &mut inventory,
    );
    inventory.distro = distro;
    inventory.sort();
    Ok(inventory)
}

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
}
