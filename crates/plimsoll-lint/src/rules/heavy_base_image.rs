use super::from_images;
use plimsoll_dockerfile::Keyword;

use crate::util::{LaunchBody, is_shell, launch, library_image};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The final image is built on a full distribution or an SDK image.
    ///
    /// Full images (`debian`, `ubuntu`, `python:3.12`, `node:22`, `golang`,
    /// `maven`…) carry shells, package managers, compilers and hundreds of
    /// packages the application never uses: more to download, more CVEs to
    /// triage, more tools for an attacker (P-C1). Only the base of the final
    /// stage is checked (build stages may be as large as they need); images
    /// whose tag names a small variant (`-slim`, `-alpine`, `-minimal`,
    /// `-jre`…) are not flagged. The list of heavy images and their small
    /// variants is `HEAVY` in this rule's source. Base and toolchain images
    /// (no CMD/ENTRYPOINT, or a bare shell or interpreter such as `CMD
    /// ["python3"]`, `sleep infinity`, ONBUILD triggers) are left alone: other
    /// images build on them.
    ///
    /// Fix: `scratch` or distroless for static binaries, otherwise the `-slim`
    /// or `-alpine` variant, with the build in a stage of its own.
    pub struct HeavyBaseImage {
        code: "DF046",
        name: "heavy-base-image",
        practice: "P-C1",
        hadolint: None,
        severity: Low,
    }
}

/// A heavy official image: its name, the tag markers of its small variants
/// (none: every tag is heavy as a final base), and what to use instead.
struct Heavy {
    image: &'static str,
    small: &'static [&'static str],
    instead: &'static str,
}

const HEAVY: &[Heavy] = &[
    Heavy {
        image: "debian",
        small: &["slim"],
        instead: "`debian:<release>-slim` or distroless",
    },
    Heavy {
        image: "ubuntu",
        small: &["minimal", "chisel"],
        instead: "`debian:<release>-slim`, a chiselled Ubuntu or distroless",
    },
    Heavy {
        image: "centos",
        small: &["minimal", "slim", "micro"],
        instead: "a -minimal or ubi-micro base",
    },
    Heavy {
        image: "fedora",
        small: &["minimal"],
        instead: "`fedora-minimal` or distroless",
    },
    Heavy {
        image: "rockylinux",
        small: &["minimal", "micro"],
        instead: "the `-minimal` variant",
    },
    Heavy {
        image: "almalinux",
        small: &["minimal", "micro"],
        instead: "the `-minimal` or `-micro` variant",
    },
    Heavy {
        image: "oraclelinux",
        small: &["slim"],
        instead: "the `-slim` variant",
    },
    Heavy {
        image: "buildpack-deps",
        small: &[],
        instead: "a `-slim` runtime base",
    },
    Heavy {
        image: "python",
        small: &["slim", "alpine"],
        instead: "`python:<version>-slim`",
    },
    Heavy {
        image: "node",
        small: &["slim", "alpine"],
        instead: "`node:<version>-slim` or `-alpine`",
    },
    Heavy {
        image: "ruby",
        small: &["slim", "alpine"],
        instead: "`ruby:<version>-slim`",
    },
    Heavy {
        image: "perl",
        small: &["slim"],
        instead: "`perl:<version>-slim`",
    },
    Heavy {
        image: "golang",
        small: &[],
        instead: "`scratch` or `gcr.io/distroless/static` with the binary built in a stage",
    },
    Heavy {
        image: "rust",
        small: &[],
        instead: "`debian:<release>-slim` or distroless with the binary built in a stage",
    },
    Heavy {
        image: "gcc",
        small: &[],
        instead: "a slim runtime base with the binary built in a stage",
    },
    Heavy {
        image: "maven",
        small: &[],
        instead: "a JRE base (`eclipse-temurin:<version>-jre`)",
    },
    Heavy {
        image: "gradle",
        small: &[],
        instead: "a JRE base (`eclipse-temurin:<version>-jre`)",
    },
    Heavy {
        image: "openjdk",
        small: &["jre"],
        instead: "a JRE base (`eclipse-temurin:<version>-jre`)",
    },
    Heavy {
        image: "eclipse-temurin",
        small: &["jre"],
        instead: "the `-jre` variant",
    },
];

/// Whether the final image starts an application, rather than being a base
/// or toolchain image: no CMD/ENTRYPOINT of its own, or a bare shell or
/// interpreter (`bash`, `python3`, `node`), means other images build on it.
fn runs_an_application(ctx: &LintContext<'_>) -> bool {
    // ONBUILD triggers exist only to be run by the images built on this one.
    let chain = ctx.final_chain();
    if ctx
        .df
        .instructions
        .iter()
        .any(|i| i.keyword == Keyword::Onbuild && i.stage.is_some_and(|s| chain.contains(&s)))
    {
        return false;
    }
    match launch(ctx) {
        None => false,
        Some(l) => match &l.body {
            LaunchBody::Argv(argv) => {
                // `ENTRYPOINT ["docker-entrypoint.sh"]` in front of `CMD ["node"]`.
                let skip = argv
                    .iter()
                    .take_while(|w| w.ends_with(".sh") || w.ends_with("-entrypoint"))
                    .count();
                let argv = &argv[skip..];
                let prog = argv
                    .first()
                    .map_or("", |p| p.rsplit('/').next().unwrap_or(p));
                let bare = argv.len() == 1 || (argv.len() == 2 && argv[1].starts_with('-'));
                let interpreter = is_shell(prog)
                    || matches!(
                        prog,
                        "python"
                            | "python2"
                            | "python3"
                            | "node"
                            | "irb"
                            | "ruby"
                            | "perl"
                            | "php"
                            | "jshell"
                            | "ghci"
                            | "iex"
                            | "erl"
                            | "go"
                            | "sleep"
                    );
                !(interpreter && (bare || prog == "sleep"))
            }
            LaunchBody::Shell { .. } => true,
        },
    }
}

impl Rule for HeavyBaseImage {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        if !runs_an_application(ctx) {
            return;
        }
        let Some(&root) = ctx.final_chain().last() else {
            return;
        };
        let Some((stage, image)) = from_images(ctx)
            .into_iter()
            .find(|(s, image)| s.index == root && !image.contains('$'))
        else {
            return;
        };
        let tag = plimsoll_oci::NameRef::parse(&image)
            .tag
            .unwrap_or("latest")
            .to_ascii_lowercase();
        let found = match library_image(&image) {
            Some(name) => HEAVY
                .iter()
                .find(|h| h.image == name && !h.small.iter().any(|m| tag.contains(m)))
                .map(|h| h.instead),
            // The .NET SDK image as a runtime base.
            None if image.to_ascii_lowercase().contains("/dotnet/sdk") => {
                Some("`mcr.microsoft.com/dotnet/aspnet` or `runtime` (a `-chiseled` tag)")
            }
            None => None,
        };
        if let Some(instead) = found {
            out.push(
                hit(
                    &Self::RULE,
                    stage.from,
                    stage.span.line,
                    format!(
                        "the final image is based on `{image}`, a full distribution or SDK image"
                    ),
                )
                .help(format!("use {instead}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        assert_eq!(
            run(
                "DF046",
                "FROM python:3.12\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n"
            ),
            "1: the final image is based on `python:3.12`, a full distribution or SDK image\n"
        );
        // The root of the final stage's chain.
        let src = "FROM golang:1.23-alpine AS base\nFROM base AS final\nCMD [\"/app\"]\n";
        assert_eq!(
            run("DF046", src),
            "1: the final image is based on `golang:1.23-alpine`, a full distribution or SDK image\n"
        );
        assert_eq!(
            run(
                "DF046",
                "ARG V=12\nFROM docker.io/library/debian:$V\nCMD /app\n"
            ),
            "2: the final image is based on `docker.io/library/debian:12`, a full distribution or SDK image\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            "FROM golang:1.23 AS build\nRUN go build\nFROM gcr.io/distroless/static\nCOPY --from=build /a /a\n",
            "FROM python:3.12-slim-bookworm\nCMD [\"app\"]\n",
            "FROM node:22-alpine\nCMD [\"app\"]\n",
            "FROM debian:bookworm-slim\nCMD [\"app\"]\n",
            "FROM eclipse-temurin:21-jre-alpine\nCMD [\"app\"]\n",
            "FROM scratch\n",
            "FROM ubuntu:24.04 AS b\nFROM alpine:3.20\n",
            // Base and toolchain images.
            "FROM debian:12\nRUN apt-get install -y git\n",
            "FROM buildpack-deps:bookworm\nCMD [\"python3\"]\n",
            "FROM golang:1.23\nCMD [\"sleep\", \"infinity\"]\n",
            "FROM buildpack-deps:bookworm\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n",
            "FROM node:8\nONBUILD COPY . /app\nCMD [\"npm\", \"start\"]\n",
            // Not an official image: unknown.
            "FROM bitnami/python:3.12\nCMD [\"app\"]\n",
        ] {
            assert_eq!(run("DF046", src), "", "{src}");
        }
    }
}
