//! Image tags that move (P-D2): words that name a release channel rather
//! than a release. The Dockerfile (DF051) rule asks [`channel_word`], the
//! image (IMG015) and run-time (CFG016) rules [`channel_tag`].

/// Tag words that name a release channel rather than a release.
pub const CHANNELS: &[&str] = &[
    "stable",
    "lts",
    "edge",
    "nightly",
    "main",
    "master",
    "dev",
    "devel",
    "develop",
    "development",
    "unstable",
    "testing",
    "sid",
    "rolling",
    "current",
    "beta",
    "alpha",
    "canary",
    "next",
    "snapshot",
    "mainline",
    "rawhide",
    "tumbleweed",
    "head",
    "trunk",
    "preview",
    "experimental",
    "latest",
];

/// The channel word a tag names (`stable` in `nginx:stable-alpine`,
/// `latest` in `latest-rust-1.80`), compared case-insensitively, word by
/// word (`-`, `_` and `.` separate words).
pub fn channel_word(tag: &str) -> Option<&'static str> {
    let lower = tag.to_ascii_lowercase();
    lower
        .split(['-', '_', '.'])
        .find_map(|w| CHANNELS.iter().find(|c| **c == w).copied())
}

/// The channel word of a tag that names no version (`stable`,
/// `lts-bookworm-slim`, `edge`): a tag with a number in it (`latest-1.2`,
/// `20-lts`) names a release line, and is left to the Dockerfile rule's
/// closer reading (DF051).
pub fn channel_tag(tag: &str) -> Option<&'static str> {
    if tag.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    channel_word(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_words() {
        assert_eq!(channel_word("stable"), Some("stable"));
        assert_eq!(channel_word("LTS-bookworm-slim"), Some("lts"));
        assert_eq!(channel_word("latest-rust-1.80.1"), Some("latest"));
        assert_eq!(channel_word("1.27.3-alpine"), None);
        // A word, not a substring.
        assert_eq!(channel_word("stabler"), None);
        assert_eq!(channel_word("3.12-slim"), None);
        assert_eq!(channel_tag("stable-alpine"), Some("stable"));
        assert_eq!(channel_tag("latest-1.2"), None);
        assert_eq!(channel_tag("20-lts"), None);
    }
}
