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
                _ => continue,
            };
            *slot = Some(value);
        }
        d
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
            }
        );
        let d = Distro::parse_os_release(
            b"ID='ubuntu'\r\nPRETTY_NAME=\"say \\\"hi\\\"\"\r\nVERSION_ID=\r\n",
        );
        assert_eq!(d.id.as_deref(), Some("ubuntu"));
        assert_eq!(d.pretty_name.as_deref(), Some("say \"hi\""));
        assert_eq!(d.version_id, None);
    }
}
