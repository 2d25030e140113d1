use super::from_images;
use crate::util::library_image;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// FROM a tag that moves across releases: a channel or a bare major version.
    ///
    /// A tag decides which release is built (P-D2). `X.Y.Z` does not move;
    /// `X.Y` moves to patch releases, which rebuilds should pick up (P-E3).
    /// Flagged: channel tags (`stable`, `lts`, `edge`, `nightly`, `main`,
    /// `devel`, `sid`, `latest-…`, …), which move to new feature releases;
    /// official images tagged with a variant but no version (`python:slim`,
    /// `node:alpine`: `latest` under another name); and a bare major version
    /// (`python:3`, `alpine:3`, `golang:1`) of images whose major version
    /// spans years of feature releases (`MAJOR_MOVES` in this rule's
    /// source). `latest` itself is DF009, no tag DF008.
    ///
    /// Fix: name a release, `node:22.11-slim`, `python:3.12-slim`,
    /// `alpine:3.20` (and pin a digest if you need exact rebuilds).
    pub struct FromMovingTag {
        code: "DF051",
        name: "from-moving-tag",
        practice: "P-D2",
        hadolint: None,
        severity: Low,
    }
}

/// Official images tagged by distribution release (codenames are releases).
const DISTROS: &[&str] = &[
    "debian",
    "ubuntu",
    "buildpack-deps",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "oraclelinux",
    "amazonlinux",
];

/// Official images whose major version spans many feature releases.
const MAJOR_MOVES: &[&str] = &[
    "python", "alpine", "golang", "rust", "ruby", "php", "perl", "nginx", "haproxy", "httpd",
];

impl Rule for FromMovingTag {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (stage, image) in from_images(ctx) {
            // A default that is itself a placeholder (`${templateOption:x}`).
            if image.contains('$') {
                continue;
            }
            let r = plimsoll_oci::NameRef::parse(&image);
            let Some(tag) = r.tag.map(str::to_ascii_lowercase) else {
                continue;
            };
            if tag == "latest" {
                continue;
            }
            let words: Vec<&str> = tag.split(['-', '_', '.']).collect();
            let library = library_image(&image);
            let why = if let Some(w) = plimsoll_practice::tags::channel_word(&tag) {
                Some(format!("`{w}` is a release channel"))
            } else if let Some(name) = library.as_deref() {
                let has_digit = tag.chars().any(|c| c.is_ascii_digit());
                let major_only = words
                    .first()
                    .is_some_and(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
                    && !tag.split('-').next().is_some_and(|v| v.contains('.'));
                if !has_digit && !DISTROS.contains(&name) {
                    Some("a variant without a version moves like `latest`".to_string())
                } else if major_only && MAJOR_MOVES.contains(&name) {
                    Some(format!(
                        "`{}` is a major version: it moves to every new feature release",
                        words[0]
                    ))
                } else {
                    None
                }
            } else {
                None
            };
            if let Some(why) = why {
                let pinned = if r.digest.is_some() {
                    " (the digest pins the content, the tag still misleads readers)"
                } else {
                    ""
                };
                out.push(
                    hit(
                        &Self::RULE,
                        stage.from,
                        stage.span.line,
                        format!("FROM `{image}` uses a moving tag: {why}{pinned}"),
                    )
                    .help("name a release (`X.Y` or `X.Y.Z`) in the tag"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM node:lts-bookworm-slim\nFROM nginx:stable-alpine\nFROM golang:alpine\nFROM python:3-slim\nFROM alpine:3\nFROM debian:sid-slim\nFROM x/cargo-chef:latest-rust-1.80.1\n";
        assert_eq!(
            run("DF051", src),
            "1: FROM `node:lts-bookworm-slim` uses a moving tag: `lts` is a release channel\n\
             2: FROM `nginx:stable-alpine` uses a moving tag: `stable` is a release channel\n\
             3: FROM `golang:alpine` uses a moving tag: a variant without a version moves like `latest`\n\
             4: FROM `python:3-slim` uses a moving tag: `3` is a major version: it moves to every new feature release\n\
             5: FROM `alpine:3` uses a moving tag: `3` is a major version: it moves to every new feature release\n\
             6: FROM `debian:sid-slim` uses a moving tag: `sid` is a release channel\n\
             7: FROM `x/cargo-chef:latest-rust-1.80.1` uses a moving tag: `latest` is a release channel\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            "FROM python:3.12-slim\n",
            "FROM node:22\n",
            "FROM debian:bookworm-slim\n",
            "FROM ubuntu:jammy\n",
            "FROM debian:12\n",
            "FROM eclipse-temurin:21-jre\n",
            "FROM alpine:latest\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            "FROM gcr.io/distroless/static-debian12:nonroot\n",
            "FROM golang:1.23.4-alpine3.20\n",
            // A template placeholder left after expansion.
            "ARG B=${tpl:base}\nARG V=${tpl:variant}\nFROM ${B}:${V}\n",
        ] {
            assert_eq!(run("DF051", src), "", "{src}");
        }
    }
}
