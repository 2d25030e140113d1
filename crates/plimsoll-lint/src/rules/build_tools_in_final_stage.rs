use plimsoll_dockerfile::ShellCommand;
use plimsoll_practice::tools::{COMPILERS, tool_of_package};

use crate::util::{packages_kept, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// Compilers or build toolchains are installed in the image that ships.
    ///
    /// Compilers, SDKs and build tools (gcc, make, build-essential, golang,
    /// rustc/cargo, maven, a JDK…) belong to a build stage: in the final image
    /// they add hundreds of megabytes, more packages to patch, and tools an
    /// attacker can use to build exploits in place (P-B4). Flagged when
    /// installed by a package manager in the final stage (or the stages it
    /// is built FROM), not removed again in the same RUN, when the Dockerfile
    /// builds something (make, a compiler, `go build`, `cargo build`, `mvn
    /// package`, `pip install -r`, `npm ci`…): a Dockerfile that builds
    /// nothing is taken to ship a toolchain on purpose.
    ///
    /// Fix: build in a stage of its own and `COPY --from=build` only the
    /// artifact; or install, build and purge in one RUN.
    pub struct BuildToolsInFinalStage {
        code: "DF045",
        name: "build-tools-in-final-stage",
        practice: "P-B4",
        hadolint: None,
        severity: Medium,
    }
}

/// A package that is a compiler, SDK or build system.
pub(crate) fn is_toolchain(package: &str) -> bool {
    // Compilers: the table the image rule on attacker tools uses too.
    if tool_of_package(&[COMPILERS], package).is_some() {
        return true;
    }
    const EXACT: &[&str] = &[
        "build-essential",
        "build-base",
        "alpine-sdk",
        "make",
        "cmake",
        "autoconf",
        "automake",
        "libtool",
        "ninja-build",
        "cargo",
        "maven",
        "gradle",
    ];
    if EXACT.contains(&package) {
        return true;
    }
    // Versioned names: gcc-12, g++-12, clang-17, golang-1.22-go,
    // openjdk-17-jdk(-headless), openjdk17 (apk), java-17-openjdk-devel.
    let versioned = |prefix: &str, suffixes: &[&str]| {
        package.strip_prefix(prefix).is_some_and(|rest| {
            let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
            digits.len() < rest.len() && suffixes.contains(&digits)
        })
    };
    versioned("gcc-", &[""])
        || versioned("g++-", &[""])
        || versioned("clang-", &[""])
        || versioned("golang-", &["", "-go"])
        || versioned("openjdk-", &["-jdk", "-jdk-headless"])
        || versioned("openjdk", &["", "-jdk"])
        || versioned("java-", &["-openjdk-devel"])
        || versioned("temurin-", &["-jdk"])
}

/// A command that compiles or builds native code.
fn is_build_step(c: &ShellCommand) -> bool {
    let argv = strip_wrappers(&c.argv);
    let Some(prog) = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) else {
        return false;
    };
    let sub = argv.get(1).map(String::as_str);
    match prog {
        "make"
        | "cmake"
        | "ninja"
        | "meson"
        | "gcc"
        | "cc"
        | "g++"
        | "c++"
        | "clang"
        | "configure"
        | "docker-php-ext-install"
        | "pecl" => true,
        "go" => matches!(sub, Some("build" | "install")),
        "cargo" => matches!(sub, Some("build" | "install")),
        "mvn" | "mvnw" => argv
            .iter()
            .any(|a| matches!(a.as_str(), "package" | "install" | "compile" | "verify")),
        "gradle" | "gradlew" => argv.iter().any(|a| a == "build" || a == "assemble"),
        "dotnet" => matches!(sub, Some("build" | "publish")),
        // Installing a project's dependencies builds their native extensions;
        // installing one global tool (`npm install -g yarn`) is not a build.
        "pip" | "pip3" => {
            sub == Some("install")
                && argv
                    .iter()
                    .any(|a| a.starts_with("-r") || a == "--requirement" || a == "." || a == "-e")
        }
        "bundle" | "bundler" => sub == Some("install"),
        "npm" => {
            sub == Some("ci")
                || (matches!(sub, Some("install" | "i"))
                    && argv[2..]
                        .iter()
                        .all(|a| a.starts_with('-') && a != "-g" && a != "--global"))
        }
        p if p.starts_with("python") => argv.iter().any(|a| a == "setup.py"),
        _ => false,
    }
}

impl Rule for BuildToolsInFinalStage {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        let in_chain = |stage: Option<usize>| stage.is_some_and(|s| chain.contains(&s));
        let multi_stage = ctx.df.stages.len() > 1;
        if !ctx
            .stage_runs()
            .any(|(_, _, sh)| sh.commands.iter().any(is_build_step))
        {
            // A Dockerfile that builds nothing ships a toolchain on purpose
            // (a compiler or CI image): there is no build to move to a stage.
            return;
        }
        for (i, ins, sh) in ctx.stage_runs() {
            if !in_chain(ins.stage) {
                continue;
            }
            let tools: Vec<(usize, String)> = packages_kept(sh)
                .into_iter()
                .filter(|(_, p)| is_toolchain(p))
                .collect();
            let Some((first, _)) = tools.first() else {
                continue;
            };
            let names: Vec<&str> = tools.iter().map(|(_, p)| p.as_str()).collect();
            let what = if multi_stage {
                "the final stage"
            } else {
                "a single-stage build"
            };
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    sh.commands[*first].span.line,
                    format!(
                        "build tools `{}` are installed in {what}: they ship with the image",
                        names.join(" ")
                    ),
                )
                .help("build in a separate stage and COPY --from it only the artifact, or purge the tools in the same RUN"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_toolchain;
    use crate::testing::run;

    #[test]
    fn toolchains() {
        for p in [
            "gcc",
            "gcc-12",
            "g++-13",
            "golang-1.22-go",
            "openjdk-17-jdk-headless",
            "openjdk17",
            "java-21-openjdk-devel",
        ] {
            assert!(is_toolchain(p), "{p}");
        }
        for p in [
            "gcc-12-base",
            "libgcc-s1",
            "openjdk-17-jre",
            "openjdk17-jre",
            "makedepend",
            "golang-doc",
            "cargo-c",
        ] {
            assert!(!is_toolchain(p), "{p}");
        }
    }

    #[test]
    fn snapshot() {
        let src = "FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /app /app\n";
        assert_eq!(
            run("DF045", src),
            "4: build tools `gcc make` are installed in the final stage: they ship with the image\n"
        );
        let src = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y build-essential\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n";
        assert_eq!(
            run("DF045", src),
            "2: build tools `build-essential` are installed in a single-stage build: they ship with the image\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            // Purged in the same RUN, by name or by apk virtual group.
            "FROM python:3.12-slim\nRUN apt-get install -y gcc && pip install x && apt-get purge -y gcc\n",
            "FROM alpine:3.20\nRUN apk add --virtual .b gcc make && make && apk del .b\n",
            // Single stage that builds nothing: a toolchain image.
            "FROM debian:12\nRUN apt-get install -y gcc make\n",
            // Debian's idiom: mark everything auto, purge with --auto-remove.
            "FROM debian:12\nRUN saved=\"$(apt-mark showmanual)\"; apt-get install -y gcc make; make; apt-mark auto '.*'; apt-mark manual $saved; apt-get purge -y --auto-remove\n",
            // Nothing is built: a toolchain image, even with stages.
            "FROM x/osxcross:1 AS o\nFROM ubuntu:22.04\nRUN apt install -y make gcc clang\nCOPY --from=o /osxcross /osxcross\n",
            // A global tool install is not a build.
            "FROM node:22\nRUN apt-get install -y build-essential && npm install -g yarn\n",
            // Only in the build stage.
            "FROM debian:12 AS b\nRUN apt-get install -y gcc\nFROM debian:12-slim\nCOPY --from=b /a /a\n",
        ] {
            assert_eq!(run("DF045", src), "", "{src}");
        }
    }
}
