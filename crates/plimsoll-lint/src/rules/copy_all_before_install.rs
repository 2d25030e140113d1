use plimsoll_dockerfile::{Args, Keyword, ShellCommand};

use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The whole build context is copied before the dependencies are installed.
    ///
    /// `COPY . .` changes with every source edit, so every instruction after
    /// it is rebuilt: a dependency install after it downloads and builds all
    /// dependencies again on each change (P-B1). Flagged: a COPY/ADD of `.`
    /// (or `*`) followed, in the same stage, by a dependency step (`npm ci`,
    /// `pip install -r`, `go mod download`, `bundle install`, `mvn
    /// dependency:…`, `cargo fetch`/`cargo build`, `composer install`, `dotnet
    /// restore`, …) of an ecosystem not already installed before the copy.
    ///
    /// Fix: copy the dependency manifests first (`COPY package.json
    /// package-lock.json ./`), install, then `COPY . .`.
    pub struct CopyAllBeforeInstall {
        code: "DF043",
        name: "copy-all-before-install",
        practice: "P-B1",
        hadolint: None,
        severity: Low,
    }
}

/// The step as it reads: program and subcommands (`pip install -r`, `go mod download`).
fn step_name(cmd: &ShellCommand) -> String {
    let mut argv = strip_wrappers(&cmd.argv);
    if argv.len() > 2 && argv[0].starts_with("python") && argv[1] == "-m" {
        argv = &argv[2..];
    }
    let prog = argv
        .first()
        .map_or("", |p| p.rsplit('/').next().unwrap_or(p));
    let mut out = vec![prog.to_string()];
    out.extend(
        argv.iter()
            .skip(1)
            .filter(|w| !w.starts_with('-'))
            .take(
                if prog == "go" || argv.get(1).is_some_and(|w| w == "chef") {
                    2
                } else {
                    1
                },
            )
            .filter(|w| !w.contains('.') || w.starts_with("dependency:") || *w == "deps.get")
            .cloned(),
    );
    if prog.starts_with("pip") {
        out.push("-r".to_string());
    }
    out.join(" ")
}

/// A dependency step: `(ecosystem, the manifests to copy first)`.
fn dependency_step(cmd: &ShellCommand) -> Option<(&'static str, &'static str)> {
    let mut argv = strip_wrappers(&cmd.argv);
    // `python -m pip …`
    if argv.len() > 2
        && argv[0].starts_with("python")
        && argv[1] == "-m"
        && matches!(argv[2].as_str(), "pip" | "pip3")
    {
        argv = &argv[2..];
    }
    let prog = argv.first()?.rsplit('/').next()?;
    let words: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let plain: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    let sub = plain.first().copied();
    match prog {
        "npm" => match sub {
            Some("ci") => Some(("npm", "package.json package-lock.json")),
            // `npm install` with packages named installs tools, not the project's dependencies.
            Some("install" | "i") if plain.len() == 1 && !words.contains(&"-g") => {
                Some(("npm", "package.json package-lock.json"))
            }
            _ => None,
        },
        "yarn" if sub.is_none() || (sub == Some("install") && plain.len() == 1) => {
            Some(("yarn", "package.json yarn.lock"))
        }
        "pnpm" if matches!(sub, Some("install" | "i")) && plain.len() == 1 => {
            Some(("pnpm", "package.json pnpm-lock.yaml"))
        }
        "bun" if sub == Some("install") && plain.len() == 1 => {
            Some(("bun", "package.json bun.lockb"))
        }
        "pip" | "pip3"
            if sub == Some("install")
                && words.iter().any(|w| {
                    *w == "-r" || w.starts_with("--requirement") || w.starts_with("-r")
                }) =>
        {
            Some(("pip", "requirements.txt"))
        }
        "pipenv" if sub == Some("install") || sub == Some("sync") => {
            Some(("pip", "Pipfile Pipfile.lock"))
        }
        "poetry" if sub == Some("install") => Some(("pip", "pyproject.toml poetry.lock")),
        "uv" if sub == Some("sync") => Some(("pip", "pyproject.toml uv.lock")),
        "go" if sub == Some("mod") && plain.get(1) == Some(&"download") => {
            Some(("go", "go.mod go.sum"))
        }
        "bundle" | "bundler" if sub == Some("install") => Some(("ruby", "Gemfile Gemfile.lock")),
        "mvn" | "mvnw" if plain.iter().any(|w| w.starts_with("dependency:")) => {
            Some(("maven", "pom.xml"))
        }
        "cargo" if matches!(sub, Some("fetch" | "build")) => {
            Some(("cargo", "Cargo.toml Cargo.lock"))
        }
        "cargo" if sub == Some("chef") && plain.get(1) == Some(&"cook") => {
            Some(("cargo", "recipe.json"))
        }
        "composer" if sub == Some("install") => Some(("composer", "composer.json composer.lock")),
        "dotnet" if sub == Some("restore") => Some(("dotnet", "*.csproj")),
        "mix" if sub == Some("deps.get") => Some(("mix", "mix.exs mix.lock")),
        _ => None,
    }
}

/// A COPY/ADD of the whole context: `.`, `./`, `*`, `./*` among the sources.
fn copies_everything(words: &[String]) -> bool {
    let Some((_, sources)) = words.split_last() else {
        return false;
    };
    sources
        .iter()
        .any(|s| matches!(s.as_str(), "." | "./" | "*" | "./*"))
}

impl Rule for CopyAllBeforeInstall {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        // Per stage, at its end: what a stage built FROM it starts with.
        let mut states: Vec<State> = Vec::new();
        for st in &ctx.df.stages {
            let State {
                mut installed,
                mut broad,
                mut flagged,
            } = ctx
                .df
                .stage_ref(&st.image, st.index)
                .and_then(|p| states.get(p.index).cloned())
                .unwrap_or_default();
            for i in st.instructions.clone() {
                let ins = &ctx.df.instructions[i];
                match ins.keyword {
                    Keyword::Copy | Keyword::Add
                        if ins.flag("from").is_none()
                            && matches!(ins.args, Args::Shell(_) | Args::Exec(_))
                            && broad.is_none() =>
                    {
                        let words = ins.words();
                        if copies_everything(&words) {
                            broad = Some((
                                i,
                                ins.span.line,
                                format!("{} {}", ins.keyword, words.join(" ")),
                            ));
                        }
                    }
                    Keyword::Run => {
                        let Some(sh) = ctx.shells[i].as_ref().filter(|s| s.unparsed.is_none())
                        else {
                            continue;
                        };
                        for c in &sh.commands {
                            let Some((eco, manifests)) = dependency_step(c) else {
                                continue;
                            };
                            match &broad {
                                Some((at, line, copy))
                                    if !installed.contains(&eco) && !flagged.contains(&eco) =>
                                {
                                    flagged.push(eco);
                                    let step = step_name(c);
                                    out.push(
                                        hit(
                                            &Self::RULE,
                                            *at,
                                            *line,
                                            format!(
                                                "`{copy}` comes before the dependency step `{step}` (line {}): every source change reinstalls the dependencies",
                                                c.span.line
                                            ),
                                        )
                                        .help(format!(
                                            "copy {manifests} first, install, then copy the rest"
                                        )),
                                    );
                                }
                                None => installed.push(eco),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            states.push(State {
                installed,
                broad,
                flagged,
            });
        }
    }
}

/// What the walk through a stage knows.
#[derive(Clone, Default)]
struct State {
    /// Ecosystems whose dependencies were installed before any broad copy.
    installed: Vec<&'static str>,
    /// The first broad copy: `(instruction, line, text)`.
    broad: Option<(usize, u32, String)>,
    /// Ecosystems already reported.
    flagged: Vec<&'static str>,
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src =
            "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nRUN npm install\n";
        assert_eq!(
            run("DF043", src),
            "3: `COPY . .` comes before the dependency step `npm ci` (line 4): every source change reinstalls the dependencies\n"
        );
        let src = "FROM python:3.12-slim\nCOPY ./ /srv\nRUN python3 -m pip install --no-cache-dir -r /srv/requirements.txt\n";
        assert_eq!(
            run("DF043", src),
            "2: `COPY ./ /srv` comes before the dependency step `pip install -r` (line 3): every source change reinstalls the dependencies\n"
        );
        let src = "FROM golang:1.23 AS build\nCOPY . .\nRUN go mod download && go build -o /app\nFROM rust:1.82\nADD . /src\nRUN cd /src && cargo build --release\n";
        assert_eq!(
            run("DF043", src),
            "2: `COPY . .` comes before the dependency step `go mod download` (line 3): every source change reinstalls the dependencies\n\
             5: `ADD . /src` comes before the dependency step `cargo build` (line 6): every source change reinstalls the dependencies\n"
        );
    }

    #[test]
    fn follows_the_parent_stage() {
        let src =
            "FROM node:22 AS src\nCOPY . .\nFROM src AS deps\nRUN npm ci\nFROM deps\nRUN npm ci\n";
        assert_eq!(
            run("DF043", src),
            "2: `COPY . .` comes before the dependency step `npm ci` (line 4): every source change reinstalls the dependencies\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            // Manifests first: the right order.
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build && npm ci --omit=dev\n",
            "FROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build ./...\n",
            // Tools, not the project's dependencies.
            "FROM node:22\nCOPY . .\nRUN npm install -g pm2 && pip install -U pip\n",
            // The sources come from another stage.
            "FROM node:22\nCOPY --from=build /app .\nRUN npm ci\n",
            // Not the whole context.
            "FROM python:3\nCOPY src/ /app/src\nRUN pip install -r /app/src/req.txt\n",
            // Another stage.
            "FROM node:22 AS a\nCOPY . .\nFROM node:22\nRUN npm ci\n",
            // Installed before the copy in the parent stage.
            "FROM rust:1 AS base\nCOPY Cargo.toml .\nRUN cargo fetch\nCOPY . .\nFROM base\nRUN cargo build\n",
        ] {
            assert_eq!(run("DF043", src), "", "{src}");
        }
    }
}
