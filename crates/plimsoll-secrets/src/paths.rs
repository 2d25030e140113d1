//! Path tiers: which files are read at all, which are third-party code (only the specific
//! detectors run there), and how strict value checks are for the rest.

use crate::values::lossy;

/// Largest file [`SecretScanner::wants_path`] accepts.
pub(crate) const MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;
/// How much of the content is sniffed for binary data.
pub(crate) const SNIFF_LEN: usize = 8 * 1024;

/// How strict value checks are, chosen from where the text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    /// ENV / ARG / label value: any non-placeholder value of a secret-named key counts.
    KeyValue,
    /// `.env` files: explicit secret stores, lenient.
    DotEnv,
    /// Configuration files (yaml, json, ini, properties, ...): moderate.
    Config,
    /// Shell scripts, Dockerfiles: moderate, plus command-line detectors.
    Shell,
    /// Source code and everything else: only quoted literals, strict.
    Code,
    /// Free text such as a history `created_by` line: like [`Tier::Shell`].
    Text,
}

/// Where distributions and language toolchains install third-party code. Key-name based
/// detectors (assignments, command-line options, Authorization headers) do not run there:
/// in vendor code they match documentation examples and public client constants, not leaks.
pub(crate) const LIBRARY_PREFIXES: &[&str] = &[
    "usr/lib/",
    "usr/lib64/",
    "usr/libexec/",
    "usr/share/",
    "usr/local/lib/",
    "usr/local/lib64/",
    "usr/local/libexec/",
    "usr/local/share/",
    "usr/local/go/",
    "usr/local/cargo/",
    "usr/local/rustup/",
    "lib/",
    "lib64/",
    "opt/conda/",
    "root/.rustup/",
    "root/.cache/",
];

/// Directory names holding third-party packages wherever they are (`app/node_modules/...`).
pub(crate) const LIBRARY_DIRS: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "bower_components",
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "gems",
    "perl5",
];

/// Package caches under a tool's home; the tool's own config next to them (`~/.m2/settings.xml`,
/// `~/.cargo/credentials.toml`) is not library code.
pub(crate) const LIBRARY_SUBPATHS: &[&str] = &[
    ".m2/repository/",
    ".cargo/registry/",
    ".cargo/git/",
    "cargo/registry/",
    ".gradle/caches/",
    ".npm/_cacache/",
    ".yarn/cache/",
    "go/pkg/mod/",
];

/// Application content served from under a library prefix.
pub(crate) const WEB_ROOTS: &[&str] =
    &["usr/share/nginx/", "usr/share/caddy/", "usr/local/apache2/"];

/// Path prefixes never scanned.
pub(crate) const SKIP_PREFIXES: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/i18n/",
    "usr/share/zoneinfo",
    "usr/share/licenses/",
    "usr/share/common-licenses/",
    "usr/share/mime/",
    "usr/share/icons/",
    "usr/share/fonts/",
    "usr/share/terminfo/",
    "usr/share/X11/locale/",
    "usr/share/ca-certificates/",
    "usr/share/pki/",
    "usr/local/share/doc/",
    "usr/local/share/man/",
    "usr/local/share/ca-certificates/",
    "usr/include/",
    "usr/local/include/",
    "usr/lib/locale/",
    "etc/ssl/certs/",
    "etc/pki/ca-trust/",
    "etc/pki/tls/certs/",
    "etc/ca-certificates/",
    "var/lib/apt/lists/",
    "var/lib/dpkg/",
    "var/lib/rpm/",
    "var/cache/apt/",
    "var/cache/ldconfig/",
    "var/cache/fontconfig/",
    "var/cache/man/",
    "lib/apk/db/",
    "proc/",
    "sys/",
    "dev/",
];

/// Public certificate bundles (file names, lower case).
pub(crate) const CERT_BUNDLES: &[&str] = &[
    "ca-certificates.crt",
    "ca-certificates.pem",
    "ca-bundle.crt",
    "ca-bundle.pem",
    "ca-bundle.trust.crt",
    "tls-ca-bundle.pem",
    "cacert.pem",
    "cacerts.pem",
    "ca-root-nss.crt",
    "cert.pem",
];

/// Extensions of files that are binary (or compressed) and never hold a readable secret.
pub(crate) const BINARY_EXTS: &[&str] = &[
    "so", "a", "o", "ko", "obj", "lib", "dll", "exe", "bin", "dylib", "node", "wasm", "class",
    "dex", "pyc", "pyo", "pyd", "mo", "gmo", "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns",
    "webp", "tif", "tiff", "psd", "xcf", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "lz4",
    "lzma", "lz", "z", "7z", "rar", "zip", "jar", "war", "ear", "aar", "whl", "egg", "apk", "deb",
    "rpm", "iso", "img", "qcow2", "vmdk", "tar", "ttf", "otf", "woff", "woff2", "eot", "pfb",
    "pcf", "mp3", "mp4", "m4a", "ogg", "oga", "wav", "flac", "avi", "mkv", "mov", "webm", "db",
    "sqlite", "sqlite3", "pdf", "pack", "idx", "jks", "p12", "pfx", "keystore", "der",
];

/// Directories that hold third-party language packages (their test fixtures are skipped).
pub(crate) const PACKAGE_ROOTS: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "vendor",
    "gems",
    "go",
    "perl5",
    ".cargo",
    ".npm",
    ".yarn",
    ".m2",
    ".gradle",
    "third_party",
    "third-party",
    "thirdparty",
    "vendored",
    "bower_components",
];

/// Test / example directories inside a language package.
pub(crate) const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "test_data",
    "test-data",
    "__tests__",
    "spec",
    "specs",
    "fixture",
    "fixtures",
    "__fixtures__",
    "example",
    "examples",
    "sample",
    "samples",
    "doc",
    "docs",
    "testsuite",
    "test-suite",
    "testcases",
    "dummyserver",
];

/// Cheap decision from path and size alone; see [`crate::SecretScanner::wants_path`].
pub(crate) fn wants_path(path: &str, size: u64) -> bool {
    if size == 0 || size > MAX_FILE_SIZE {
        return false;
    }
    let path = path.trim_start_matches("./").trim_start_matches('/');
    if SKIP_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return false;
    }
    let (dirs, name) = match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    let lname = name.to_ascii_lowercase();
    if CERT_BUNDLES.contains(&lname.as_str()) {
        return false;
    }
    if let Some(dot) = lname.rfind('.') {
        let ext = &lname[dot + 1..];
        if BINARY_EXTS.contains(&ext) {
            return false;
        }
    }
    // Versioned shared libraries: libfoo.so.1.2.3
    if lname.contains(".so.") {
        return false;
    }
    let comps: Vec<&str> = if dirs.is_empty() {
        Vec::new()
    } else {
        dirs.split('/').collect()
    };
    if comps.contains(&"testdata") {
        return false;
    }
    if let Some(root) = library_root(path, &comps) {
        if comps[root + 1..].iter().any(|c| TEST_DIRS.contains(c)) {
            return false;
        }
        if is_test_file_name(&lname) {
            return false;
        }
    }
    true
}

pub(crate) fn is_binary(content: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x7fELF",
        b"\xca\xfe\xba\xbe",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"MZ",
        b"\x1f\x8b",
        b"PK\x03\x04",
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"%PDF",
        b"BZh",
        b"\xfd7zXZ",
        b"\x28\xb5\x2f\xfd",
        b"!<arch>\n",
        b"\0asm",
        b"SQLite format 3",
    ];
    if MAGIC.iter().any(|m| content.starts_with(m)) {
        return true;
    }
    content[..content.len().min(SNIFF_LEN)].contains(&0)
}

pub(crate) fn tier_for_path(path: &str, content: &[u8]) -> (Tier, bool) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lname = name.to_ascii_lowercase();
    if lname == ".netrc" || lname == "_netrc" {
        return (Tier::DotEnv, true);
    }
    if lname == ".env"
        || lname.starts_with(".env.")
        || lname.ends_with(".env")
        || lname == ".envrc"
        || lname == "env"
    {
        return (Tier::DotEnv, false);
    }
    if lname.starts_with("dockerfile")
        || lname.starts_with("containerfile")
        || lname.ends_with(".dockerfile")
        || lname.contains("entrypoint")
    {
        return (Tier::Shell, false);
    }
    const CONFIG_NAMES: &[&str] = &[
        "credentials",
        "config",
        ".npmrc",
        ".pypirc",
        ".yarnrc",
        ".git-credentials",
        ".dockercfg",
        ".pgpass",
        ".my.cnf",
        ".s3cfg",
        ".boto",
    ];
    if CONFIG_NAMES.contains(&lname.as_str()) {
        return (Tier::Config, false);
    }
    match lname.rsplit_once('.').map(|(_, ext)| ext) {
        Some(
            "ini" | "cfg" | "conf" | "cnf" | "properties" | "prop" | "yaml" | "yml" | "toml"
            | "json" | "json5" | "xml" | "tfvars" | "tfstate" | "hcl" | "config" | "npmrc"
            | "pypirc" | "plist" | "env" | "txt",
        ) => (Tier::Config, false),
        Some("sh" | "bash" | "zsh" | "ksh" | "ash" | "dash" | "bats" | "fish") => {
            (Tier::Shell, false)
        }
        Some(_) if !lname.starts_with('.') || lname[1..].contains('.') => (Tier::Code, false),
        _ => {
            if content.starts_with(b"#!") {
                let first = &content[..content.len().min(128)];
                let first = &first[..first
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(first.len())];
                let interp = lossy(first);
                let code = ["python", "perl", "ruby", "node", "php", "lua", "java"]
                    .iter()
                    .any(|i| interp.contains(i));
                if code {
                    (Tier::Code, false)
                } else {
                    (Tier::Shell, false)
                }
            } else if path.trim_start_matches('/').starts_with("etc/") || lname.starts_with('.') {
                (Tier::Config, false)
            } else {
                (Tier::Code, false)
            }
        }
    }
}

/// Third-party code installed by a distribution or a language toolchain.
pub(crate) fn is_library_path(path: &str) -> bool {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    if WEB_ROOTS.iter().any(|p| path.starts_with(p)) {
        return false;
    }
    LIBRARY_PREFIXES.iter().any(|p| path.starts_with(p))
        || LIBRARY_SUBPATHS.iter().any(|p| path.contains(p))
        || path
            .rsplit_once('/')
            .is_some_and(|(dirs, _)| dirs.split('/').any(|c| LIBRARY_DIRS.contains(&c)))
}

/// Index of the directory from which test fixtures are skipped: the first package root, or
/// the last component of a library prefix.
pub(crate) fn library_root(path: &str, comps: &[&str]) -> Option<usize> {
    let by_prefix = LIBRARY_PREFIXES
        .iter()
        .find(|p| path.starts_with(*p))
        .map(|p| p.matches('/').count() - 1);
    let by_root = comps.iter().position(|c| is_package_root(c));
    match (by_prefix, by_root) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn is_package_root(c: &str) -> bool {
    PACKAGE_ROOTS.contains(&c)
        || c.starts_with("python2")
        || c.starts_with("python3")
        || (c.starts_with("ruby") && c.len() > 4)
}

pub(crate) fn is_test_file_name(lname: &str) -> bool {
    let stem = lname.split('.').next().unwrap_or(lname);
    stem.starts_with("test_")
        || matches!(stem, "test" | "tests" | "conftest")
        || ["_test", "_tests", "-test", "-tests", "_spec"]
            .iter()
            .any(|s| stem.ends_with(s))
        || [".test.", ".spec.", "_test.", "_spec."]
            .iter()
            .any(|m| lname.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    // ----- paths ---------------------------------------------------------------------------

    #[test]
    fn wants_path_rules() {
        let sc = scanner();
        for p in [
            "srv/app/.env",
            "root/.aws/credentials",
            "etc/ssl/private/server.key",
            "app/config/settings.yaml",
            "usr/local/lib/python3.12/site-packages/app/settings.py",
            "app/node_modules/pkg/index.js",
            "app/tests/fixtures.py",
            "var/cache/debconf/passwords.dat",
            "README",
        ] {
            assert!(sc.wants_path(p, 100), "{p}");
        }
        assert!(sc.wants_path("/srv/app/.env", 100));
        assert!(!sc.wants_path("srv/app/.env", 0));
        assert!(!sc.wants_path("srv/app/.env", MAX_FILE_SIZE + 1));
        assert!(sc.wants_path("srv/app/.env", MAX_FILE_SIZE));
        for p in [
            "usr/share/doc/openssl/README",
            "usr/share/man/man1/ls.1",
            "usr/share/locale/de/LC_MESSAGES/x.txt",
            "usr/share/i18n/locales/en_US",
            "usr/share/zoneinfo/Europe/Paris",
            "usr/include/openssl/pem.h",
            "usr/lib/python3/dist-packages/foo/test/keys.py",
            "usr/local/lib/python3.12/site-packages/botocore/tests/unit/creds.json",
            "usr/local/lib/python3.12/test/keycert.pem",
            "app/node_modules/jsonwebtoken/test/priv.pem",
            "app/node_modules/a/node_modules/b/test/deep/x.js",
            "usr/local/go/src/crypto/tls/handshake_test.go",
            "go/src/app/testdata/key.pem",
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "usr/lib/libfoo.so",
            "usr/lib/libfoo.a",
            "app/logo.png",
            "app/x.jar",
            "app/__pycache__/m.cpython-312.pyc",
            "usr/share/locale/fr/LC_MESSAGES/app.mo",
            "usr/share/fonts/x.ttf",
            "app/archive.tar.gz",
            "etc/ssl/certs/ca-certificates.crt",
            "etc/pki/tls/certs/ca-bundle.crt",
            "usr/local/lib/python3.12/site-packages/certifi/cacert.pem",
        ] {
            assert!(!sc.wants_path(p, 100), "{p}");
        }
    }
}
