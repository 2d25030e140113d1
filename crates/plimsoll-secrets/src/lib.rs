//! Secret scanner for practice P-C6 ("No secrets in the image"): private keys, cloud
//! credentials, tokens and passwords in files, ENV, ARG, labels and build history.
//!
//! How it works:
//!
//! * [`SecretScanner::wants_path`] rejects, from path and size alone, files that are never
//!   worth reading (binaries by extension, documentation, locales, certificate bundles, test
//!   fixtures shipped inside language packages, files above 2 MiB).
//! * [`SecretScanner::scan_content`] skips binary content, then runs a keyword prefilter:
//!   two Aho-Corasick passes (three for shell scripts) over small case-sensitive keyword sets,
//!   which the crate runs as SIMD "Teddy" searches at several GB/s. When no keyword occurs,
//!   which is the common case, nothing else runs. Each keyword hit arms only the detectors it
//!   can start (a `ghp_` the GitHub detector, a `password` the assignment and command-line
//!   detectors) on the line around it (a window of it for minified code); only those lines
//!   reach those regexes. Regexes are compiled once, in [`SecretScanner::new`].
//! * In third-party code (distribution and toolchain directories, `site-packages`,
//!   `node_modules`, `vendor`, package caches...) only the specific detectors run: private
//!   keys, prefixed tokens, AWS secret keys and (strictly checked) URL credentials. Key-name
//!   detectors there match documentation examples and public client constants, not leaks.
//! * Every candidate is then validated (length, alphabet, boundaries, placeholder and
//!   reference detection, `EXAMPLE` markers, leetspeak placeholders, well-known RFC example
//!   credentials, low diversity) because a false positive costs as much as a miss.
//!
//! The reported `redacted` text never contains the secret: the secret part keeps at most its
//! first 4 characters (fewer for short secrets) and the rest becomes at most 12 `*`. Where it
//! helps reading the report, the non-secret context is kept around it (the key name of an
//! assignment, `scheme://user:…@host` of a URL, the option of a command line, the
//! `-----BEGIN … PRIVATE KEY-----` marker of a key).

mod detectors;
pub mod keys;
pub mod paths;
mod scanner;
#[cfg(test)]
mod testing;
pub mod tokens;
pub mod values;

use serde::{Deserialize, Serialize};

pub use keys::{KeyClass, classify_key};
pub use scanner::SecretScanner;

/// One secret found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHit {
    /// Stable id of the detector, e.g. `"aws-access-key-id"`; see [`SecretScanner::KINDS`].
    pub kind: String,
    /// Human text, e.g. `"AWS access key ID"`.
    pub description: String,
    /// 1-based line in the scanned file or text; `None` for key/values (ENV, ARG, labels).
    pub line: Option<u32>,
    /// The finding with the secret part masked: never the whole secret.
    pub redacted: String,
}
