//! The binary classifiers: programs identified by a file's name and the
//! bytes in it, as syft 1.18.1's binary cataloger identifies them
//! (`syft/pkg/cataloger/binary/classifiers.go`; the same classes, globs,
//! version patterns, package names, purls and CPEs, written here as data).
//!
//! Each entry is one program: the file-name glob that selects the files to
//! read (syft's `**/…` globs, matched against the path inside the image),
//! the evidence that must be found in the file (regular expressions over
//! the bytes, whose `version` group is the version), the package name, the
//! purl (type, namespace, name; the version is the one found) and the CPE
//! templates (the version fills the version field).
//!
//! Patterns are byte patterns: [`super::classifier`] compiles them with
//! Unicode off (`(?-u)`), so `.`, `[^\x00]` and `\xNN` mean bytes, as Go's
//! regular expressions read a binary.
//!
//! syft's shared-library lookups are [`LOOKUPS`]: a `python*` or `ruby`
//! program whose version is only in the `libpython`/`libruby` it links is
//! identified by that library ([`super::classifier`] joins them when the
//! image's files are merged). One of syft's matchers is not here: the Go
//! `VERSION` files next to a `go` binary (the `go-binary-hint` classifier
//! reports them on their own).

/// What must be found in a file for a classifier to report a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The first of these patterns that matches; its `version` group is the
    /// version.
    Contents(&'static [&'static str]),
    /// As [`Evidence::Contents`], unless any `exclude` pattern matches
    /// anywhere in the file.
    Excluding {
        patterns: &'static [&'static str],
        exclude: &'static [&'static str],
    },
    /// The file name (the whole path) must match `name`; its `version`
    /// group, with dots escaped, replaces `{version}` in `template`, which
    /// is then matched against the contents.
    FileNameTemplate {
        name: &'static str,
        template: &'static str,
    },
}

/// One program the binary cataloger can identify.
#[derive(Debug, Clone, Copy)]
pub struct Classifier {
    /// syft's class name, kept in the SBOM's evidence.
    pub class: &'static str,
    /// syft's file glob (`**/name`), matched against the image path.
    pub glob: &'static str,
    pub evidence: Evidence,
    /// The package name (`python`, `java/jre`, …).
    pub package: &'static str,
    /// purl type, namespace and name; the version is the one found.
    pub purl: (&'static str, Option<&'static str>, &'static str),
    /// CPE 2.3 templates: `*` in the version field becomes the version.
    pub cpes: &'static [&'static str],
}

/// syft's `sharedLibraryLookup`: a program identified by a shared library
/// it links. The program's dynamic section names the library
/// (`DT_NEEDED`); every file of the image with that name (a symlink
/// resolved to its target), wherever it is, is matched with `evidence`, and
/// each match is the classifier's package, with the program and the
/// library as its files.
#[derive(Debug, Clone, Copy)]
pub struct LibraryLookup {
    /// The classifier ([`Classifier::class`]) whose files are looked up.
    pub class: &'static str,
    /// The needed libraries looked for: a regular expression over the name
    /// as the dynamic section gives it (`libpython3.11.so.1.0`).
    pub library: &'static str,
    /// How the library found is matched (syft matches it with the
    /// classifier's own package, purl and CPEs).
    pub evidence: Evidence,
    /// The lookup comes before the classifier's own evidence, which is only
    /// tried when it finds nothing (python); otherwise the lookup is only
    /// tried when the classifier's own evidence finds nothing (ruby).
    pub first: bool,
}

/// The lookups, as syft 1.18.1's `python-binary` and `ruby-binary`
/// classifiers do them.
pub const LOOKUPS: &[LibraryLookup] = &[
    LibraryLookup {
        class: "python-binary",
        library: r"^libpython[0-9]+(?:\.[0-9]+)+[a-z]?\.so.*$",
        evidence: LIBPYTHON,
        first: true,
    },
    LibraryLookup {
        class: "ruby-binary",
        library: r"^libruby\.so.*$",
        evidence: Evidence::Contents(RUBY_VERSION),
        first: false,
    },
];

/// Most programs: `pkg:generic/<name>@<version>`.
const fn generic(name: &'static str) -> (&'static str, Option<&'static str>, &'static str) {
    ("generic", None, name)
}

const PYTHON_VERSION: &str = r"(?m)\x00(?P<version>{version}[-._a-zA-Z0-9]*)\x00";
const PYTHON_CPES: &[&str] = &[
    "cpe:2.3:a:python_software_foundation:python:*:*:*:*:*:*:*:*",
    "cpe:2.3:a:python:python:*:*:*:*:*:*:*:*",
];
/// syft's `libpythonMatcher`: the version in the library's file name, then
/// in its bytes.
const LIBPYTHON: Evidence = Evidence::FileNameTemplate {
    name: r"(?:.*/|^)libpython(?P<version>[0-9]+(?:\.[0-9]+)+)[a-z]?\.so.*$",
    template: PYTHON_VERSION,
};
/// syft's `rubyMatcher` (`ruby 3.2.1 (2023-02-08 revision 31819e82c8)`).
const RUBY_VERSION: &[&str] =
    &[r"(?m)ruby (?P<version>[0-9]+\.[0-9]+\.[0-9]+((p|preview|rc|dev)[0-9]*)?) "];
const PHP_VERSION: &[&str] = &[
    r"(?m)X-Powered-By: PHP/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(beta[0-9]+|alpha[0-9]+|RC[0-9]+)?)",
];
const PHP_CPE: &[&str] = &["cpe:2.3:a:php:php:*:*:*:*:*:*:*:*"];
const GO_CPE: &[&str] = &["cpe:2.3:a:golang:go:*:*:*:*:*:*:*:*"];
const JAVA_OPENJDK: &[&str] = &[
    r"(?m)\x00openjdk\x00java\x00(?P<release>[0-9]+[.0-9]*)\x00(?P<version>[0-9]+[^\x00]+)\x00",
    r"(?m)\x00(?P<release>[0-9]+[.0-9]*)\x00+(?P<version>[0-9]+[^\x00]+)\x00+openjdk\x00java",
];
const MYSQL_CPE: &str = "cpe:2.3:a:oracle:mysql:*:*:*:*:*:*:*:*";
const PERCONA_CPE: &str = "cpe:2.3:a:percona:percona_server:*:*:*:*:*:*:*:*";
const ERLANG: &[&str] = &[
    r"(?m)/src/otp_src_(?P<version>[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-rc[0-9])?)/erts/",
    r"(?m)/usr/local/src/otp-(?P<version>[0-9]+\.[0-9]+(\.[0-9]+){0,2}(-rc[0-9])?)/erts/",
];
const ERLANG_CPE: &[&str] = &["cpe:2.3:a:erlang:erlang\\/otp:*:*:*:*:*:*:*:*"];
const RUST_CPE: &[&str] = &["cpe:2.3:a:rust-lang:rust:*:*:*:*:*:*:*:*"];

/// The classifiers, in syft's order (the order packages are reported in
/// when one file matches several).
pub const CLASSIFIERS: &[Classifier] = &[
    Classifier {
        class: "python-binary",
        glob: "**/python*",
        evidence: Evidence::FileNameTemplate {
            name: r"(?:.*/|^)python(?P<version>[0-9]+(?:\.[0-9]+)+)$",
            template: PYTHON_VERSION,
        },
        package: "python",
        purl: generic("python"),
        cpes: PYTHON_CPES,
    },
    Classifier {
        class: "python-binary-lib",
        glob: "**/libpython*.so*",
        evidence: LIBPYTHON,
        package: "python",
        purl: generic("python"),
        cpes: PYTHON_CPES,
    },
    Classifier {
        class: "pypy-binary-lib",
        glob: "**/libpypy*.so*",
        evidence: Evidence::Contents(&[r"(?m)\[PyPy (?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "pypy",
        purl: generic("pypy"),
        cpes: &[],
    },
    Classifier {
        class: "go-binary",
        glob: "**/go",
        evidence: Evidence::Contents(&[
            r"(?m)go(?P<version>[0-9]+\.[0-9]+(\.[0-9]+|beta[0-9]+|alpha[0-9]+|rc[0-9]+)?)\x00",
        ]),
        package: "go",
        purl: generic("go"),
        cpes: GO_CPE,
    },
    Classifier {
        class: "julia-binary",
        glob: "**/libjulia-internal.so",
        evidence: Evidence::Contents(&[
            r"(?m)__init__\x00(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00verify",
        ]),
        package: "julia",
        purl: generic("julia"),
        cpes: &["cpe:2.3:a:julialang:julia:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "helm",
        glob: "**/helm",
        evidence: Evidence::Contents(&[r"(?m)\x00v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "helm",
        purl: ("golang", Some("helm.sh"), "helm"),
        cpes: &["cpe:2.3:a:helm:helm:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "redis-binary",
        glob: "**/redis-server",
        evidence: Evidence::Contents(&[
            r"(?s)payload %5.*?(?P<version>\d.\d\.\d\d*)[a-z0-9]{12,15}-[0-9]{19}",
            r"(?s)\x00(?P<version>\d.\d\.\d\d*)[a-z0-9]{12,15}-[0-9]{19}\x00.*?payload %5",
        ]),
        package: "redis",
        purl: generic("redis"),
        cpes: &[
            "cpe:2.3:a:redislabs:redis:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:redis:redis:*:*:*:*:*:*:*:*",
        ],
    },
    Classifier {
        class: "java-binary-openjdk",
        glob: "**/java",
        evidence: Evidence::Excluding {
            patterns: JAVA_OPENJDK,
            exclude: &["-jvmci-"],
        },
        package: "java/jre",
        purl: ("generic", Some("java"), "jre"),
        cpes: &["cpe:2.3:a:oracle:openjdk:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "java-binary-ibm",
        glob: "**/java",
        evidence: Evidence::Contents(&[
            r"(?m)\x00java\x00(?P<release>[0-9]+[.0-9]+)\x00{4}(?P<version>[0-9]+[-._a-zA-Z0-9]+)\x00",
        ]),
        package: "java/jre",
        purl: ("generic", Some("java"), "jre"),
        cpes: &["cpe:2.3:a:ibm:java:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "java-binary-oracle",
        glob: "**/java",
        evidence: Evidence::Excluding {
            patterns: &[r"(?m)\x00(?P<version>[0-9]+[.0-9]+[+][-0-9]+)\x00"],
            exclude: &[r"\x00openjdk\x00"],
        },
        package: "java/jre",
        purl: ("generic", Some("java"), "jre"),
        cpes: &["cpe:2.3:a:oracle:jre:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "java-binary-graalvm",
        glob: "**/java",
        evidence: Evidence::Contents(&[
            r"(?m)\x00(?P<version>[0-9]+[.0-9]+[.0-9]+\+[0-9]+-jvmci-[0-9]+[.0-9]+-b[0-9]+)\x00",
        ]),
        package: "java/graalvm",
        purl: ("generic", Some("java"), "graalvm"),
        cpes: &["cpe:2.3:a:oracle:graalvm:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "java-binary-jdk",
        glob: "**/jdb",
        evidence: Evidence::Contents(&[
            r"(?m)\x00(?P<version>[0-9]+\.[0-9]+\.[0-9]+(\+[0-9]+)?([-._a-zA-Z0-9]+)?)\x00",
        ]),
        package: "java/jdk",
        purl: ("generic", Some("java"), "jdk"),
        cpes: &["cpe:2.3:a:oracle:jdk:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "nodejs-binary",
        glob: "**/node",
        evidence: Evidence::Contents(&[
            r"(?m)\x00(node )?v(?P<version>(0|4|5|6)\.[0-9]+\.[0-9]+)\x00",
            r"(?m)node\.js/v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
        ]),
        package: "node",
        purl: generic("node"),
        cpes: &["cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "go-binary-hint",
        glob: "**/VERSION",
        evidence: Evidence::Contents(&[
            r"(?m)go(?P<version>[0-9]+\.[0-9]+(\.[0-9]+|beta[0-9]+|alpha[0-9]+|rc[0-9]+)?)",
        ]),
        package: "go",
        purl: generic("go"),
        cpes: GO_CPE,
    },
    Classifier {
        class: "busybox-binary",
        glob: "**/busybox",
        evidence: Evidence::Contents(&[r"(?m)BusyBox\s+v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "busybox",
        purl: generic("busybox"),
        cpes: &["cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "util-linux-binary",
        glob: "**/getopt",
        evidence: Evidence::Contents(&[r"\x00util-linux\s(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "util-linux",
        purl: generic("util-linux"),
        cpes: &["cpe:2.3:a:kernel:util-linux:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "haproxy-binary",
        glob: "**/haproxy",
        evidence: Evidence::Contents(&[
            r"(?m)version (?P<version>[0-9]+\.[0-9]+(\.|-dev|-rc)[0-9]+)(-[a-z0-9]{7})?, released 20",
            r"(?m)HA-Proxy version (?P<version>[0-9]+\.[0-9]+(\.|-dev)[0-9]+)",
            r"(?m)(?P<version>[0-9]+\.[0-9]+(\.|-dev)[0-9]+)-[0-9a-zA-Z]{7}.+HAProxy version",
        ]),
        package: "haproxy",
        purl: generic("haproxy"),
        cpes: &["cpe:2.3:a:haproxy:haproxy:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "perl-binary",
        glob: "**/perl",
        evidence: Evidence::Contents(&[
            r"(?m)/usr/local/lib/perl\d/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)",
        ]),
        package: "perl",
        purl: generic("perl"),
        cpes: &["cpe:2.3:a:perl:perl:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "php-cli-binary",
        glob: "**/php*",
        evidence: Evidence::FileNameTemplate {
            name: r"(.*/|^)php[0-9]*$",
            template: r"(?m)X-Powered-By: PHP/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(beta[0-9]+|alpha[0-9]+|RC[0-9]+)?)",
        },
        package: "php-cli",
        purl: generic("php-cli"),
        cpes: PHP_CPE,
    },
    Classifier {
        class: "php-fpm-binary",
        glob: "**/php-fpm*",
        evidence: Evidence::Contents(PHP_VERSION),
        package: "php-fpm",
        purl: generic("php-fpm"),
        cpes: PHP_CPE,
    },
    Classifier {
        class: "php-apache-binary",
        glob: "**/libphp*.so",
        evidence: Evidence::Contents(PHP_VERSION),
        package: "libphp",
        purl: generic("php"),
        cpes: PHP_CPE,
    },
    Classifier {
        class: "php-composer-binary",
        glob: "**/composer*",
        evidence: Evidence::Contents(&[
            r"(?m)'pretty_version'\s*=>\s*'(?P<version>[0-9]+\.[0-9]+\.[0-9]+(beta[0-9]+|alpha[0-9]+|RC[0-9]+)?)'",
        ]),
        package: "composer",
        purl: generic("composer"),
        cpes: &["cpe:2.3:a:getcomposer:composer:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "httpd-binary",
        glob: "**/httpd",
        evidence: Evidence::Contents(&[r"(?m)Apache/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "httpd",
        purl: generic("httpd"),
        cpes: &["cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "memcached-binary",
        glob: "**/memcached",
        evidence: Evidence::Contents(&[r"(?m)memcached\s(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "memcached",
        purl: generic("memcached"),
        cpes: &["cpe:2.3:a:memcached:memcached:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "traefik-binary",
        glob: "**/traefik",
        // syft's `\x{FFFD}` is the replacement character Go reads an
        // invalid byte as; optional either way, so it never changes the version.
        evidence: Evidence::Contents(&[
            r"(?m)(\x00|\xEF\xBF\xBD)?v?(?P<version>[0-9]+\.[0-9]+\.[0-9]+(-alpha[0-9]|-beta[0-9]|-rc[0-9])?)\x00",
        ]),
        package: "traefik",
        purl: generic("traefik"),
        cpes: &["cpe:2.3:a:traefik:traefik:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "arangodb-binary",
        glob: "**/arangosh",
        evidence: Evidence::Contents(&[
            r"(?m)\x00*(?P<version>[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?)\s\[linux\]",
        ]),
        package: "arangodb",
        purl: generic("arangodb"),
        cpes: &["cpe:2.3:a:arangodb:arangodb:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "postgresql-binary",
        glob: "**/postgres",
        evidence: Evidence::Contents(&[
            r"(?m)(\x00|\?)PostgreSQL (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]),
        package: "postgresql",
        purl: generic("postgresql"),
        cpes: &["cpe:2.3:a:postgresql:postgresql:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "mysql-binary",
        glob: "**/mysql",
        evidence: Evidence::Contents(&[
            r"\x00(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)\x00+mysql",
            r"(?m).*/mysql-(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]),
        package: "mysql",
        purl: generic("mysql"),
        cpes: &[MYSQL_CPE],
    },
    Classifier {
        class: "mysql-binary",
        glob: "**/mysql",
        evidence: Evidence::Contents(&[
            r"(?m).*/percona-server-(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]),
        package: "percona-server",
        purl: generic("percona-server"),
        cpes: &[MYSQL_CPE, PERCONA_CPE],
    },
    Classifier {
        class: "mysql-binary",
        glob: "**/mysql",
        evidence: Evidence::Contents(&[
            r"(?m).*/Percona-XtraDB-Cluster-(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]),
        package: "percona-xtradb-cluster",
        purl: generic("percona-xtradb-cluster"),
        cpes: &[
            MYSQL_CPE,
            PERCONA_CPE,
            "cpe:2.3:a:percona:xtradb_cluster:*:*:*:*:*:*:*:*",
        ],
    },
    Classifier {
        class: "xtrabackup-binary",
        glob: "**/xtrabackup",
        evidence: Evidence::Contents(&[
            r"(?m).*/percona-xtrabackup-(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)",
        ]),
        package: "percona-xtrabackup",
        purl: generic("percona-xtrabackup"),
        cpes: &["cpe:2.3:a:percona:xtrabackup:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "mariadb-binary",
        glob: "**/{mariadb,mysql}",
        evidence: Evidence::Contents(&[
            r"(?m)(?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)?(alpha[0-9]|beta[0-9]|rc[0-9])?)-MariaDB",
        ]),
        package: "mariadb",
        purl: generic("mariadb"),
        cpes: &["cpe:2.3:a:mariadb:mariadb:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "rust-standard-library-linux",
        glob: "**/libstd-????????????????.so",
        evidence: Evidence::Contents(&[
            r"(?m)(\x00)clang LLVM \(rustc version (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)) \(\w+ \d{4}\-\d{2}\-\d{2}\)",
        ]),
        package: "rust",
        purl: generic("rust"),
        cpes: RUST_CPE,
    },
    Classifier {
        class: "rust-standard-library-macos",
        glob: "**/libstd-????????????????.dylib",
        evidence: Evidence::Contents(&[
            r"(?m)c (?P<version>[0-9]+(\.[0-9]+)?(\.[0-9]+)) \(\w+ \d{4}\-\d{2}\-\d{2}\)",
        ]),
        package: "rust",
        purl: generic("rust"),
        cpes: RUST_CPE,
    },
    Classifier {
        class: "ruby-binary",
        glob: "**/ruby",
        evidence: Evidence::Contents(RUBY_VERSION),
        package: "ruby",
        purl: generic("ruby"),
        cpes: &["cpe:2.3:a:ruby-lang:ruby:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "erlang-binary",
        glob: "**/erlexec",
        evidence: Evidence::Contents(ERLANG),
        package: "erlang",
        purl: generic("erlang"),
        cpes: ERLANG_CPE,
    },
    Classifier {
        class: "erlang-alpine-binary",
        glob: "**/beam.smp",
        evidence: Evidence::Contents(ERLANG),
        package: "erlang",
        purl: generic("erlang"),
        cpes: ERLANG_CPE,
    },
    Classifier {
        class: "erlang-library",
        glob: "**/liberts_internal.a",
        evidence: Evidence::Contents(ERLANG),
        package: "erlang",
        purl: generic("erlang"),
        cpes: ERLANG_CPE,
    },
    Classifier {
        class: "swipl-binary",
        glob: "**/swipl",
        evidence: Evidence::Contents(&[r"(?m)swipl-(?P<version>[0-9]+\.[0-9]+\.[0-9]+)/"]),
        package: "swipl",
        purl: generic("swipl"),
        cpes: ERLANG_CPE, // sic: syft 1.18.1 gives swipl erlang's CPE
    },
    Classifier {
        class: "dart-binary",
        glob: "**/dart",
        evidence: Evidence::Contents(&[
            r"(?m)\x00(?P<version>[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+(\.[0-9]+)?\.beta)?) ",
        ]),
        package: "dart",
        purl: generic("dart"),
        cpes: &["cpe:2.3:a:dart:dart_software_development_kit:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "haskell-ghc-binary",
        glob: "**/ghc*",
        evidence: Evidence::Contents(&[r"(?m)\x00GHC (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "haskell/ghc",
        purl: ("generic", Some("haskell"), "ghc"),
        cpes: &["cpe:2.3:a:haskell:ghc:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "haskell-cabal-binary",
        glob: "**/cabal",
        evidence: Evidence::Contents(&[
            r"(?m)\x00Cabal-(?P<version>[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?)-",
        ]),
        package: "haskell/cabal",
        purl: ("generic", Some("haskell"), "cabal"),
        cpes: &["cpe:2.3:a:haskell:cabal:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "haskell-stack-binary",
        glob: "**/stack",
        evidence: Evidence::Contents(&[
            r"(?m)Version\s*(?P<version>[0-9]+\.[0-9]+\.[0-9]+),\s*Git",
        ]),
        package: "haskell/stack",
        purl: ("generic", Some("haskell"), "stack"),
        cpes: &["cpe:2.3:a:haskell:stack:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "consul-binary",
        glob: "**/consul",
        evidence: Evidence::Contents(&[r"CONSUL_VERSION: (?P<version>\d+\.\d+\.\d+)"]),
        package: "consul",
        purl: ("golang", Some("github.com/hashicorp"), "consul"),
        cpes: &["cpe:2.3:a:hashicorp:consul:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "nginx-binary",
        glob: "**/nginx",
        evidence: Evidence::Contents(&[
            r"(?m)(\x00|\?)nginx version: [^/]+/(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:\+\d+)?(?:-\d+)?)",
        ]),
        package: "nginx",
        purl: generic("nginx"),
        cpes: &[
            "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:nginx:nginx:*:*:*:*:*:*:*:*",
        ],
    },
    Classifier {
        class: "bash-binary",
        glob: "**/bash",
        evidence: Evidence::Contents(&[
            r"(?m)@\(#\)Bash version (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\([0-9]\) [a-z0-9]+ GNU",
        ]),
        package: "bash",
        purl: generic("bash"),
        cpes: &["cpe:2.3:a:gnu:bash:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "openssl-binary",
        glob: "**/openssl",
        evidence: Evidence::Contents(&[
            r"\x00OpenSSL (?P<version>[0-9]+\.[0-9]+\.[0-9]+([a-z]|-alpha[0-9]|-beta[0-9]|-rc[0-9])?)",
        ]),
        package: "openssl",
        purl: generic("openssl"),
        cpes: &["cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "gcc-binary",
        glob: "**/gcc",
        evidence: Evidence::Contents(&[r"GCC: \(GNU\) (?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "gcc",
        purl: generic("gcc"),
        cpes: &["cpe:2.3:a:gnu:gcc:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "fluent-bit-binary",
        glob: "**/fluent-bit",
        evidence: Evidence::Contents(&[r"\x00(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00[^\d]*Fluent"]),
        package: "fluent-bit",
        purl: ("github", Some("fluent"), "fluent-bit"),
        cpes: &["cpe:2.3:a:treasuredata:fluent_bit:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "wordpress-cli-binary",
        glob: "**/wp",
        evidence: Evidence::Contents(&[r"(?m)wp-cli/wp-cli (?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "wp-cli",
        purl: generic("wp-cli"),
        cpes: &["cpe:2.3:a:wp-cli:wp-cli:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "curl-binary",
        glob: "**/curl",
        evidence: Evidence::Contents(&[r"curl/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"]),
        package: "curl",
        purl: generic("curl"),
        cpes: &["cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "lighttpd-binary",
        glob: "**/lighttpd",
        evidence: Evidence::Contents(&[r"\x00lighttpd/(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "lighttpd",
        purl: generic("lighttpd"),
        cpes: &["cpe:2.3:a:lighttpd:lighttpd:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "proftpd-binary",
        glob: "**/proftpd",
        evidence: Evidence::Contents(&[
            r"\x00ProFTPD Version (?P<version>[0-9]+\.[0-9]+\.[0-9]+[a-z]?)\x00",
        ]),
        package: "proftpd",
        purl: generic("proftpd"),
        cpes: &["cpe:2.3:a:proftpd:proftpd:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "zstd-binary",
        glob: "**/zstd",
        evidence: Evidence::Contents(&[r"\x00v(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "zstd",
        purl: generic("zstd"),
        cpes: &["cpe:2.3:a:facebook:zstandard:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "xz-binary",
        glob: "**/xz",
        evidence: Evidence::Contents(&[
            r"\x00xz \(XZ Utils\) (?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00",
        ]),
        package: "xz",
        purl: generic("xz"),
        cpes: &["cpe:2.3:a:tukaani:xz:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "gzip-binary",
        glob: "**/gzip",
        evidence: Evidence::Contents(&[r"\x00(?P<version>[0-9]+\.[0-9]+)\x00"]),
        package: "gzip",
        purl: generic("gzip"),
        cpes: &["cpe:2.3:a:gnu:gzip:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "sqlcipher-binary",
        glob: "**/sqlcipher",
        evidence: Evidence::Contents(&[r"[^0-9]\x00(?P<version>[0-9]+\.[0-9]+\.[0-9]+)\x00"]),
        package: "sqlcipher",
        purl: generic("sqlcipher"),
        cpes: &["cpe:2.3:a:zetetic:sqlcipher:*:*:*:*:*:*:*:*"],
    },
    Classifier {
        class: "jq-binary",
        glob: "**/jq",
        evidence: Evidence::Contents(&[r"\x00(?P<version>[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]+)?)\x00"]),
        package: "jq",
        purl: generic("jq"),
        cpes: &["cpe:2.3:a:jqlang:jq:*:*:*:*:*:*:*:*"],
    },
];
