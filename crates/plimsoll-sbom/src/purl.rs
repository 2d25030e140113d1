//! Package URLs (<https://github.com/package-url/purl-spec>) and the
//! distribution identity from os-release(5).

use serde::{Deserialize, Serialize};

/// The distribution, from `/etc/os-release` (or `/usr/lib/os-release`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID`, e.g. `debian`, `ubuntu`.
    pub id: Option<String>,
    /// `VERSION_ID`, e.g. `12`, `22.04` (absent on Debian testing/sid).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`, e.g. `bookworm`.
    pub version_codename: Option<String>,
    pub pretty_name: Option<String>,
    /// `BUILD_ID`, for distributions without releases (Arch: `rolling`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// `ID_LIKE`, e.g. `rhel fedora` (CentOS), `opensuse suse` (openSUSE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_like: Option<String>,
    /// `VERSION`, e.g. `22.03 (LTS-SP3)` (openEuler names its release
    /// stream only here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The repositories a Red Hat image's packages came from, as its
    /// content manifests name them (`rhel-9-for-x86_64-baseos-rpms`); empty
    /// for other images. Not from os-release: from
    /// `root/buildinfo/content_manifests/*.json` and
    /// `usr/share/buildinfo/content-sets.json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content_sets: Vec<String>,
}

impl Distro {
    /// Parses os-release(5): `KEY=value` lines, values optionally in single
    /// or double quotes (with `\` escapes inside double quotes); comments
    /// and malformed lines are ignored.
    pub fn parse_os_release(text: &[u8]) -> Distro {
        let text = String::from_utf8_lossy(text);
        let mut d = Distro::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, raw)) = line.split_once('=') else {
                continue;
            };
            let value = unquote(raw.trim());
            if value.is_empty() {
                continue;
            }
            let slot = match key.trim() {
                "ID" => &mut d.id,
                "VERSION_ID" => &mut d.version_id,
                "VERSION_CODENAME" => &mut d.version_codename,
                "PRETTY_NAME" => &mut d.pretty_name,
                "BUILD_ID" => &mut d.build_id,
                "ID_LIKE" => &mut d.id_like,
                "VERSION" => &mut d.version,
                _ => continue,
            };
            *slot = Some(value);
        }
        d
    }
}

impl Distro {
    /// A distribution's own release file, for images without os-release:
    /// `etc/alpine-release` (`3.4.6`), `etc/debian_version` (`8.11`),
    /// `etc/redhat-release` and friends (`CentOS release 6.10 (Final)`).
    pub fn from_release_file(path: &str, text: &[u8]) -> Distro {
        let text = String::from_utf8_lossy(text);
        let line = text.lines().next().unwrap_or("").trim().to_string();
        let first_version = |s: &str| -> Option<String> {
            s.split_whitespace()
                .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                .map(str::to_string)
        };
        let (id, version_id) = match path.rsplit('/').next().unwrap_or(path) {
            "alpine-release" => ("alpine".to_string(), first_version(&line)),
            "debian_version" => (
                "debian".to_string(),
                // `12.4` -> major `12`; testing says `trixie/sid`: no number.
                first_version(&line).map(|v| {
                    let major = v.split('.').next().unwrap_or(&v).to_string();
                    if major.parse::<u32>().is_ok_and(|m| m >= 7) {
                        major
                    } else {
                        v
                    }
                }),
            ),
            _ => {
                let lower = line.to_lowercase();
                let id = [
                    ("centos", "centos"),
                    ("red hat", "rhel"),
                    ("rocky", "rocky"),
                    ("almalinux", "almalinux"),
                    ("fedora", "fedora"),
                    ("amazon", "amzn"),
                    ("oracle", "ol"),
                ]
                .iter()
                .find(|(k, _)| lower.contains(k))
                .map(|(_, id)| id.to_string())
                .unwrap_or_else(|| "rhel".to_string());
                (id, first_version(&line))
            }
        };
        Distro {
            id: Some(id),
            version_id,
            version_codename: None,
            pretty_name: (!line.is_empty()).then_some(line),
            ..Default::default()
        }
    }

    /// The release's major version (`12` of `12.4`, `3` of `3.18.4`), which
    /// rpm-based distributions key their advisories on.
    pub fn major_version(&self) -> Option<&str> {
        self.version_id
            .as_deref()
            .map(|v| v.split('.').next().unwrap_or(v))
    }
}

fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => out.extend(chars.next()),
                c => out.push(c),
            }
        }
        out
    } else if let Some(inner) = v.strip_prefix('\'') {
        inner.split('\'').next().unwrap_or("").to_string()
    } else {
        v.to_string()
    }
}

/// Percent-encodes a purl component: everything but the alphanumerics, the
/// punctuation `.-_~` and the colon (which the spec says must never be
/// encoded, so a Debian epoch stays `1:2.4`), byte by byte of its UTF-8.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b".-_~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a purl component's `%XX` escapes ([`percent_encode`]'s inverse;
/// an invalid escape is kept as it is).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A package URL of any type: `pkg:<type>/<namespace>/<name>@<version>?<qualifiers>`.
/// Each namespace segment, the name and the version are percent-encoded;
/// qualifiers with empty values are left out and the rest sorted by key, as
/// the spec's canonical form requires. The caller applies the type's own
/// rules first (lowercasing for deb/apk/npm/pypi names, `-` for `_` in pypi
/// names).
pub fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut purl = format!("pkg:{ty}/");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for seg in ns.split('/').filter(|s| !s.is_empty()) {
            purl.push_str(&percent_encode(seg));
            purl.push('/');
        }
    }
    purl.push_str(&percent_encode(name));
    if !version.is_empty() {
        purl.push('@');
        purl.push_str(&percent_encode(version));
    }
    let mut q: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        purl.push(if i == 0 { '?' } else { '&' });
        purl.push_str(k);
        purl.push('=');
        purl.push_str(&percent_encode(v));
    }
    purl
}

/// `pkg:deb/<vendor>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>`
/// (qualifiers sorted, empty ones left out; vendor and name lowercased as
/// the deb type requires).
pub fn deb_purl(
    vendor: &str,
    name: &str,
    version: &str,
    arch: &str,
    distro: Option<&str>,
    upstream: Option<&str>,
) -> String {
    let mut purl = format!(
        "pkg:deb/{}/{}",
        percent_encode(&vendor.to_lowercase()),
        percent_encode(&name.to_lowercase())
    );
    if !version.is_empty() {
        purl.push('@');
        purl.push_str(&percent_encode(version));
    }
    let qualifiers: Vec<String> = [
        ("arch", Some(arch)),
        ("distro", distro),
        ("upstream", upstream),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.filter(|v| !v.is_empty())
            .map(|v| format!("{k}={}", percent_encode(v)))
    })
    .collect();
    if !qualifiers.is_empty() {
        purl.push('?');
        purl.push_str(&qualifiers.join("&"));
    }
    purl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_match_the_spec_examples() {
        // From the purl-spec deb type definition and its test suite.
        assert_eq!(
            deb_purl("debian", "attr", "1:2.4.47-2+b1", "amd64", None, None),
            "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"
        );
        assert_eq!(
            deb_purl("debian", "curl", "7.50.3-1", "i386", Some("jessie"), None),
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"
        );
        assert_eq!(
            deb_purl("Ubuntu", "dpkg", "1.19.0.4", "amd64", None, None),
            "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64"
        );
        assert_eq!(
            deb_purl(
                "debian",
                "libstdc++6",
                "12.2.0-14~x",
                "amd64",
                Some("debian-12"),
                Some("gcc-12@12.2.0-14")
            ),
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14~x?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14"
        );
        assert_eq!(percent_encode("a b/é?#&="), "a%20b%2F%C3%A9%3F%23%26%3D");
        assert_eq!(
            purl("npm", Some("@angular"), "core", "16.0.0", &[]),
            "pkg:npm/%40angular/core@16.0.0"
        );
        assert_eq!(
            purl(
                "rpm",
                Some("centos"),
                "bash",
                "4.2.46-34.el7",
                &[("epoch", ""), ("arch", "x86_64"), ("distro", "centos-7")]
            ),
            "pkg:rpm/centos/bash@4.2.46-34.el7?arch=x86_64&distro=centos-7"
        );
        assert_eq!(
            purl("golang", Some("github.com/pkg"), "errors", "v0.9.1", &[]),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
    }

    #[test]
    fn os_release() {
        let d = Distro::parse_os_release(
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
              VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n\
              # ID=ubuntu\nHOME_URL=\"https://www.debian.org/\"\ngarbage\n",
        );
        assert_eq!(
            d,
            Distro {
                id: Some("debian".into()),
                version_id: Some("12".into()),
                version_codename: Some("bookworm".into()),
                pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
                build_id: None,
                id_like: None,
                version: Some("12 (bookworm)".into()),
                content_sets: vec![],
            }
        );
        let d = Distro::parse_os_release(
            b"ID='ubuntu'\r\nPRETTY_NAME=\"say \\\"hi\\\"\"\r\nVERSION_ID=\r\n",
        );
        assert_eq!(d.id.as_deref(), Some("ubuntu"));
        assert_eq!(d.pretty_name.as_deref(), Some("say \"hi\""));
        assert_eq!(d.version_id, None);
    }

    #[test]
    fn release_files() {
        let d = Distro::from_release_file("etc/alpine-release", b"3.4.6\n");
        assert_eq!(
            (d.id.as_deref(), d.version_id.as_deref()),
            (Some("alpine"), Some("3.4.6"))
        );
        assert_eq!(d.major_version(), Some("3"));
        let d = Distro::from_release_file("etc/debian_version", b"12.4\n");
        assert_eq!(d.version_id.as_deref(), Some("12"));
        let d = Distro::from_release_file("etc/debian_version", b"trixie/sid\n");
        assert_eq!(d.version_id, None);
        let d = Distro::from_release_file("etc/centos-release", b"CentOS release 6.10 (Final)\n");
        assert_eq!(
            (d.id.as_deref(), d.version_id.as_deref()),
            (Some("centos"), Some("6.10"))
        );
    }
}
