//! What the CycloneDX and SPDX writers share: the image the document is
//! about, the tool and time that made it, stable per-package identities,
//! content-derived UUIDs, and how declared licences become SPDX expressions.

use sha2::{Digest as _, Sha256};

use crate::Package;
use crate::purl::purl;

/// The image a document describes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageSubject {
    /// The reference as the user gave it (`oci:/images/app:latest`).
    pub reference: String,
    /// The manifest digest (`sha256:…`), the image's identity.
    pub digest: String,
    /// The repository's last path segment, lowercased: the purl name.
    pub name: String,
    /// `registry/repository` for registry images; None for local layouts and archives.
    pub repository_url: Option<String>,
    pub tag: Option<String>,
    /// `os/arch[/variant]`.
    pub platform: String,
    /// The layers' uncompressed digests, bottom first.
    pub diff_ids: Vec<String>,
}

impl ImageSubject {
    /// `pkg:oci/<name>@<digest>?arch=…&repository_url=…&tag=…` as the purl
    /// spec's oci type defines it (the digest is the version).
    pub fn purl(&self) -> String {
        let arch = self.platform.split('/').nth(1).unwrap_or("");
        purl(
            "oci",
            None,
            &self.name,
            &self.digest,
            &[
                ("arch", arch),
                (
                    "repository_url",
                    self.repository_url.as_deref().unwrap_or(""),
                ),
                ("tag", self.tag.as_deref().unwrap_or("")),
            ],
        )
    }
}

/// Who made the document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    /// The tool's home page; also the base of SPDX document namespaces.
    pub info_uri: String,
}

/// Everything a document needs besides the inventory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentContext {
    pub subject: ImageSubject,
    pub tool: ToolInfo,
    /// Creation time in seconds since the Unix epoch (the binary takes it
    /// from `SOURCE_DATE_EPOCH` when set, so output is reproducible).
    pub created: u64,
}

/// The latest second RFC 3339's four-digit years can say (9999-12-31T23:59:59Z).
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds): the form both SPDX 2.3
/// (`created`) and CycloneDX (`date-time`) accept. Times past
/// [`MAX_TIMESTAMP`] are clamped to it.
pub fn rfc3339_utc(unix_seconds: u64) -> String {
    let secs = unix_seconds.min(MAX_TIMESTAMP);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// A name-based UUID over SHA-256, as RFC 9562 §5.8 and its appendix B.2
/// describe UUIDv8: the first 128 bits of SHA-256(`bytes`) with the version
/// nibble set to 8 and the variant bits to `10`. (v5 would need SHA-1.)
pub fn uuid_v8_sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex_lower(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The first `n` hex digits of SHA-256 over `parts` (each followed by a NUL,
/// so `("ab","c")` and `("a","bc")` differ).
pub(crate) fn short_hash(parts: &[&str], n: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let mut hex = hex_lower(&h.finalize());
    hex.truncate(n);
    hex
}

/// One key per package, unique within the inventory and stable across runs
/// and images: the purl; where two packages share a purl (one library in two
/// virtualenvs), the purl and the file that lists it; where even that
/// repeats, a running number as well. Packages without a purl use
/// `type/name@version`.
pub fn package_keys(packages: &[Package]) -> Vec<String> {
    use std::collections::HashMap;
    let base: Vec<String> = packages
        .iter()
        .map(|p| {
            if p.purl.is_empty() {
                format!("{}/{}@{}", p.package_type, p.name, p.version)
            } else {
                p.purl.clone()
            }
        })
        .collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for k in &base {
        *count.entry(k.as_str()).or_default() += 1;
    }
    let with_location: Vec<String> = base
        .iter()
        .zip(packages)
        .map(|(k, p)| {
            if count.get(k.as_str()).copied().unwrap_or(0) > 1 {
                format!("{k}#{}", p.location)
            } else {
                k.clone()
            }
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    with_location
        .into_iter()
        .map(|k| {
            let n = seen.entry(k.clone()).or_default();
            *n += 1;
            if *n == 1 { k } else { format!("{k}#{n}") }
        })
        .collect()
}

/// The dependencies between packages that a lock file states
/// ([`Package::depends_on`]), as indices into `packages`: for each package
/// with any, the packages listed by the same file whose purl it names, in
/// the inventory's order. A purl that no package of that file has (a
/// dependency the file names but does not pin) is left out.
pub fn dependency_edges(packages: &[Package]) -> Vec<(usize, Vec<usize>)> {
    use std::collections::HashMap;
    let mut by_file: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_file
            .entry((p.location.as_str(), p.purl.as_str()))
            .or_insert(i);
    }
    packages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.depends_on.is_empty())
        .filter_map(|(i, p)| {
            let mut to: Vec<usize> = p
                .depends_on
                .iter()
                .filter_map(|purl| by_file.get(&(p.location.as_str(), purl.as_str())).copied())
                .filter(|&j| j != i)
                .collect();
            to.sort_unstable();
            to.dedup();
            (!to.is_empty()).then_some((i, to))
        })
        .collect()
}

/// How a package's declared licences can be written down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Licensing {
    /// Nothing declared.
    Unknown,
    /// Every declared licence is a valid SPDX expression: this is their
    /// conjunction (one alone as it is; several each in parentheses, joined
    /// by `AND`: a package is under all the licences its metadata lists).
    Expression(String),
    /// Some declared licence is free text (`BSD License`, `GPLv2+`): each
    /// text, and whether it is a valid SPDX expression by itself.
    Mixed(Vec<(String, bool)>),
}

/// SPDX license-expression syntax with the SPDX licence list's identifiers
/// (case-sensitive); deprecated identifiers (`GPL-2.0`) and the grammar's
/// `+` suffix on any licence (`GPL-2.0+`) are SPDX, so they pass;
/// `LicenseRef-…` always does. Lax forms (`MIT/Apache-2.0`, `Apache 2.0`)
/// do not: they are what the cataloger found, not SPDX.
pub fn is_spdx_expression(text: &str) -> bool {
    let mode = ::spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..::spdx::ParseMode::STRICT
    };
    !text.trim().is_empty() && ::spdx::Expression::parse_mode(text, mode).is_ok()
}

/// The SPDX licence list version [`is_spdx_expression`] knows, as SPDX 2.3
/// writes it (`licenseListVersion`: `major.minor`, so `3.29` of `3.29.0`).
pub fn license_list_version() -> String {
    ::spdx::identifiers::VERSION
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

pub fn licensing(licenses: &[String]) -> Licensing {
    let mut distinct: Vec<&str> = Vec::new();
    for l in licenses {
        let l = l.trim();
        if !l.is_empty() && !distinct.contains(&l) {
            distinct.push(l);
        }
    }
    if distinct.is_empty() {
        return Licensing::Unknown;
    }
    let checked: Vec<(String, bool)> = distinct
        .iter()
        .map(|l| (l.to_string(), is_spdx_expression(l)))
        .collect();
    if checked.iter().all(|(_, ok)| *ok) {
        Licensing::Expression(conjunction(distinct.iter().copied()))
    } else {
        Licensing::Mixed(checked)
    }
}

/// `a`, or `(a) AND (b)` with parentheses only around compound terms.
pub(crate) fn conjunction<'a>(terms: impl IntoIterator<Item = &'a str>) -> String {
    let terms: Vec<&str> = terms.into_iter().collect();
    if terms.len() == 1 {
        return terms[0].to_string();
    }
    terms
        .iter()
        .map(|t| {
            if t.contains(char::is_whitespace) {
                format!("({t})")
            } else {
                t.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PackageType;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1700000000` and the leap day of 2024.
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(1_709_208_000), "2024-02-29T12:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(u64::MAX), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn uuids_are_version_8_and_depend_on_the_input() {
        let a = uuid_v8_sha256(b"sha256:aa");
        assert_eq!(a, uuid_v8_sha256(b"sha256:aa"));
        assert_ne!(a, uuid_v8_sha256(b"sha256:ab"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'), "{a}");
        assert!(
            matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{a}"
        );
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn licences_become_expressions_only_when_valid() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(licensing(&[]), Licensing::Unknown);
        assert_eq!(
            licensing(&s(&["MIT", "MIT"])),
            Licensing::Expression("MIT".into())
        );
        assert_eq!(
            licensing(&s(&["MIT OR Apache-2.0", "BSD-3-Clause", "GPL-2.0+"])),
            Licensing::Expression("(MIT OR Apache-2.0) AND BSD-3-Clause AND GPL-2.0+".into())
        );
        assert_eq!(
            licensing(&s(&["LicenseRef-Custom"])),
            Licensing::Expression("LicenseRef-Custom".into())
        );
        assert_eq!(
            licensing(&s(&["MIT", "BSD License"])),
            Licensing::Mixed(vec![("MIT".into(), true), ("BSD License".into(), false)])
        );
        for lax in [
            "MIT/Apache-2.0",
            "Apache 2.0",
            "GPLv2+",
            "mit",
            "MIT AND",
            "",
        ] {
            assert!(!is_spdx_expression(lax), "{lax}");
        }
    }

    #[test]
    fn license_list_version_is_major_minor() {
        let v = license_list_version();
        let parts: Vec<&str> = v.split('.').collect();
        assert_eq!(parts.len(), 2, "{v}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{v}");
    }

    #[test]
    fn keys_are_unique_and_prefer_the_purl() {
        let p =
            |purl: &str, loc: &str| Package::new(PackageType::Pypi, "six", "1.16.0", purl, loc, 0);
        let keys = package_keys(&[
            p("pkg:pypi/six@1.16.0", "a/METADATA"),
            p("pkg:pypi/six@1.16.0", "b/METADATA"),
            p("pkg:pypi/idna@3.4", "c/METADATA"),
            p("", "d/METADATA"),
            p("", "d/METADATA"),
        ]);
        assert_eq!(
            keys,
            [
                "pkg:pypi/six@1.16.0#a/METADATA",
                "pkg:pypi/six@1.16.0#b/METADATA",
                "pkg:pypi/idna@3.4",
                "pypi/six@1.16.0#d/METADATA",
                "pypi/six@1.16.0#d/METADATA#2",
            ]
        );
    }

    #[test]
    fn oci_purl() {
        let s = ImageSubject {
            reference: "registry:ghcr.io/acme/App:1.0".into(),
            digest: "sha256:abc".into(),
            name: "app".into(),
            repository_url: Some("ghcr.io/acme/app".into()),
            tag: Some("1.0".into()),
            platform: "linux/arm64/v8".into(),
            diff_ids: vec![],
        };
        assert_eq!(
            s.purl(),
            "pkg:oci/app@sha256:abc?arch=arm64&repository_url=ghcr.io%2Facme%2Fapp&tag=1.0"
        );
    }
}
