use plimsoll_dockerfile::{Args, Instruction, Keyword, ShellCommand};

use crate::util::{PkgOp, components, glob_component, pkg_command, resolve_path, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A RUN deletes files or packages that an earlier instruction added.
    ///
    /// Every instruction is a layer and layers only add: deleting in a later
    /// RUN hides the files but their bytes still ship in the lower layer
    /// (P-B3). Tracked through the final stage and the stages it is built
    /// FROM: files added by COPY/ADD, downloads (`curl -o`, `wget`), `git
    /// clone`, the package index of `apt-get update`/`apk add`, the pip and
    /// npm caches, and packages, when a later RUN removes them (`rm`, `apt-get
    /// purge`, `apk del`). A deletion of part of a copied directory is not
    /// flagged (the part may have been created later); RUN cache/tmpfs mounts
    /// are honoured.
    ///
    /// Fix: delete in the same RUN that created the files (download, use and
    /// remove in one step), or build in an earlier stage and `COPY --from` only
    /// the result.
    pub struct DeleteInLaterLayer {
        code: "DF044",
        name: "delete-in-later-layer",
        practice: "P-B3",
        hadolint: None,
        severity: Low,
    }
}

/// Something an instruction put into its layer.
#[derive(Clone, Debug)]
struct Created {
    /// Absolute path; its last component may be a glob (`/var/lib/apt/lists/*`).
    path: String,
    line: u32,
    /// How it was created: `COPY`, `curl -o`, `apt-get update`…
    by: String,
}

/// A package installed by an earlier RUN.
#[derive(Clone, Debug)]
struct Installed {
    name: String,
    group: Option<String>,
    line: u32,
}

/// What the walk knows at a point of a stage.
#[derive(Clone, Default)]
struct Layered {
    files: Vec<Created>,
    packages: Vec<Installed>,
    /// WORKDIR, when known (a registry base image's is not).
    workdir: Option<String>,
    /// The user is root (for `~`); a registry base image's user is assumed root.
    root: bool,
}

/// Whether removing `target` (may hold globs) removes all of `created`:
/// `created` is `target` or lies under it.
fn removes(target: &str, created: &str) -> bool {
    let t = components(target);
    let c = components(created);
    t.len() <= c.len()
        && t.iter()
            .zip(&c)
            .all(|(t, c)| glob_component(t, c) || glob_component(c, t))
}

fn base(word: &str) -> &str {
    word.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(word)
}

/// Resolves a path written in a RUN: `~` only for root.
fn run_path(cwd: Option<&str>, root: bool, path: &str) -> Option<String> {
    if path.starts_with('~') && !root {
        return None;
    }
    resolve_path(cwd, path)
}

/// Files a command writes into the layer: `(path, how)`.
fn creates(
    c: &ShellCommand,
    cwd: Option<&str>,
    root: bool,
    pip_cache: bool,
) -> Vec<(String, String)> {
    let argv = strip_wrappers(&c.argv);
    let Some(prog) = argv.first().map(|p| base(p)) else {
        return Vec::new();
    };
    let args = &argv[1..];
    let path = |p: &str| run_path(cwd, root, p);
    let urls = || args.iter().filter(|a| a.contains("://"));
    let mut out = Vec::new();
    match prog {
        "curl" => {
            let mut it = args.iter();
            let mut dir: Option<String> = None;
            let mut remote_name = false;
            let mut output = None;
            while let Some(a) = it.next() {
                match a.as_str() {
                    "-o" | "--output" => output = it.next().cloned(),
                    "--output-dir" => dir = it.next().cloned(),
                    "-O" | "--remote-name" => remote_name = true,
                    a if a.starts_with('-') && !a.starts_with("--") && a.ends_with('o') => {
                        output = it.next().cloned()
                    }
                    a if a.starts_with('-') && !a.starts_with("--") && a.contains('O') => {
                        remote_name = true
                    }
                    _ => {}
                }
            }
            let file = match output {
                Some(o) if o != "-" && o != "/dev/null" => Some(o),
                Some(_) => None,
                None if remote_name => urls().next().map(|u| base(u).to_string()),
                None => None,
            };
            if let Some(f) = file {
                let f = match dir {
                    Some(d) if !f.starts_with('/') => format!("{d}/{f}"),
                    _ => f,
                };
                out.extend(path(&f).map(|p| (p, "curl".to_string())));
            }
        }
        "wget" => {
            let mut it = args.iter();
            let mut dir: Option<String> = None;
            let mut output = None;
            while let Some(a) = it.next() {
                if let Some(v) = a.strip_prefix("--output-document=") {
                    output = Some(v.to_string());
                } else if let Some(v) = a.strip_prefix("--directory-prefix=") {
                    dir = Some(v.to_string());
                } else if a == "-O" || a == "--output-document" {
                    output = it.next().cloned();
                } else if a == "-P" || a == "--directory-prefix" {
                    dir = it.next().cloned();
                } else if a.starts_with('-')
                    && !a.starts_with("--")
                    && a.len() > 2
                    && a.contains('O')
                {
                    // `-qO-`, `-qO file`
                    output = match a.split_once('O') {
                        Some((_, rest)) if !rest.is_empty() => Some(rest.to_string()),
                        _ => it.next().cloned(),
                    };
                }
            }
            let file = match output {
                Some(o) if o == "-" || o == "/dev/null" => None,
                Some(o) => Some(o),
                None => urls().next().map(|u| {
                    let name = base(u.split(['?', '#']).next().unwrap_or(u)).to_string();
                    match &dir {
                        Some(d) => format!("{d}/{name}"),
                        None => name,
                    }
                }),
            };
            out.extend(file.and_then(|f| path(&f)).map(|p| (p, "wget".to_string())));
        }
        "git" if args.first().is_some_and(|a| a == "clone") => {
            let plain: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
            // Options with a value (`--branch x`, `-b x`, `--depth 1`) leave their
            // value among the plain words: the URL is the first with `://` or `@`.
            if let Some(k) = plain
                .iter()
                .position(|a| a.contains("://") || a.contains('@'))
            {
                let dir = match plain.get(k + 1) {
                    Some(d) => d.to_string(),
                    None => base(plain[k]).trim_end_matches(".git").to_string(),
                };
                out.extend(path(&dir).map(|p| (p, "git clone".to_string())));
            }
        }
        "apt-get" | "apt" if args.iter().any(|a| a == "update") => {
            out.push((
                "/var/lib/apt/lists/*".to_string(),
                "apt-get update".to_string(),
            ));
        }
        "apk"
            if matches!(args.first().map(String::as_str), Some("add" | "update"))
                && !args.iter().any(|a| a == "--no-cache") =>
        {
            out.push(("/var/cache/apk/*".to_string(), format!("apk {}", args[0])));
        }
        "pip" | "pip3"
            if root
                && pip_cache
                && args.first().is_some_and(|a| a == "install")
                && !args.iter().any(|a| a == "--no-cache-dir") =>
        {
            out.push(("/root/.cache/pip".to_string(), "pip install".to_string()));
        }
        "npm"
            if root
                && matches!(
                    args.first().map(String::as_str),
                    Some("install" | "i" | "ci")
                ) =>
        {
            out.push(("/root/.npm".to_string(), format!("npm {}", args[0])));
        }
        _ => {}
    }
    out
}

/// The `rm` targets of a command (resolved), if it is an `rm`.
fn rm_targets(c: &ShellCommand, cwd: Option<&str>, root: bool) -> Option<Vec<String>> {
    let argv = strip_wrappers(&c.argv);
    if argv.first().map(|p| base(p)) != Some("rm") {
        return None;
    }
    let mut out = Vec::new();
    let mut options = true;
    for a in &argv[1..] {
        if options && a == "--" {
            options = false;
        } else if options && a.starts_with('-') {
        } else if let Some(p) = run_path(cwd, root, a) {
            // `rm -rf /` style mistakes and bare `/` are not a deletion of one thing.
            if p != "/" {
                out.push(p);
            }
        }
    }
    Some(out)
}

/// Targets of the RUN's `--mount`s: what is written there is not in the layer.
fn mount_targets(ins: &Instruction) -> Vec<String> {
    ins.flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| {
            let v = f.value.as_deref()?;
            v.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                matches!(k, "target" | "dst" | "destination").then(|| v.to_string())
            })
        })
        .collect()
}

impl DeleteInLaterLayer {
    fn copy(ctx: &LintContext<'_>, i: usize, ins: &Instruction, st: &mut Layered) {
        let words = ins.words();
        let vars = ctx.vars_at(i);
        let expand = |w: &str| {
            super::all_vars_known(w, &vars).then(|| plimsoll_dockerfile::expand(w, &vars))
        };
        let Some((dest, sources)) = words.split_last() else {
            return;
        };
        let Some(dest) = expand(dest) else { return };
        let heredoc = matches!(ins.args, Args::Heredocs { .. });
        let into_dir = dest.ends_with('/') || sources.len() > 1 || heredoc;
        let Some(dest_abs) = resolve_path(st.workdir.as_deref(), &dest) else {
            return;
        };
        let by = ins.keyword.to_string();
        for s in sources {
            let s = s.trim_start_matches("<<-").trim_start_matches("<<");
            let path = if !into_dir || matches!(s, "." | "./") || s.ends_with('/') {
                dest_abs.clone()
            } else {
                let name = base(s.split(['?', '#']).next().unwrap_or(s));
                let name = if heredoc {
                    name.trim_matches(['\'', '"'])
                } else {
                    name
                };
                format!("{}/{name}", dest_abs.trim_end_matches('/'))
            };
            st.files.push(Created {
                path,
                line: ins.span.line,
                by: by.clone(),
            });
        }
    }

    fn run(
        ctx: &LintContext<'_>,
        i: usize,
        ins: &Instruction,
        st: &mut Layered,
        out: &mut Vec<Hit>,
    ) {
        let Some(sh) = ctx.shells[i].as_ref().filter(|s| s.unparsed.is_none()) else {
            return;
        };
        let mounts = mount_targets(ins);
        let pip_cache = !ctx.vars_at(i).contains_key("PIP_NO_CACHE_DIR");
        let mut cwd = st.workdir.clone();
        let mut files: Vec<Created> = Vec::new();
        let mut packages: Vec<Installed> = Vec::new();
        for c in &sh.commands {
            if c.program() == "cd" {
                cwd = match c.argv.get(1) {
                    Some(d) if d != "-" => run_path(cwd.as_deref(), st.root, d),
                    _ => None,
                };
                continue;
            }
            if let Some(targets) = rm_targets(c, cwd.as_deref(), st.root) {
                let hit_file = targets.iter().find_map(|t| {
                    st.files
                        .iter()
                        .find(|f| removes(t, &f.path))
                        .map(|f| (t, f))
                });
                if let Some((t, f)) = hit_file {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            format!(
                                "`rm {t}` deletes `{}`, added by {} at line {}: its bytes stay in that layer",
                                f.path, f.by, f.line
                            ),
                        )
                        .help("delete it in the RUN that creates it, or build in an earlier stage and COPY --from the result"),
                    );
                }
                for list in [&mut st.files, &mut files] {
                    list.retain(|f| !targets.iter().any(|t| removes(t, &f.path)));
                }
                continue;
            }
            if let Some(p) = pkg_command(c) {
                match p.op {
                    PkgOp::Install => packages.extend(p.packages.iter().map(|name| Installed {
                        name: name.clone(),
                        group: p.virtual_name.clone(),
                        line: c.span.line,
                    })),
                    PkgOp::Remove => {
                        let gone = |k: &Installed| {
                            p.packages
                                .iter()
                                .any(|r| *r == k.name || k.group.as_deref() == Some(r.as_str()))
                        };
                        let earlier: Vec<&Installed> =
                            st.packages.iter().filter(|k| gone(k)).collect();
                        if let Some(first) = earlier.first() {
                            let names: Vec<&str> =
                                earlier.iter().map(|k| k.name.as_str()).collect();
                            out.push(
                                hit(
                                    &Self::RULE,
                                    i,
                                    c.span.line,
                                    format!(
                                        "removes `{}`, installed by an earlier RUN (line {}): the packages stay in that layer",
                                        names.join(" "),
                                        first.line
                                    ),
                                )
                                .help("install, use and remove build packages in one RUN, or use a build stage"),
                            );
                        }
                        st.packages.retain(|k| !gone(k));
                        packages.retain(|k| !gone(k));
                    }
                }
            }
            for (path, by) in creates(c, cwd.as_deref(), st.root, pip_cache) {
                let mounted = mounts
                    .iter()
                    .any(|m| resolve_path(Some("/"), m).is_some_and(|m| removes(&m, &path)));
                if !mounted {
                    files.push(Created {
                        path,
                        line: c.span.line,
                        by,
                    });
                }
            }
        }
        st.files.extend(files);
        st.packages.extend(packages);
    }
}

impl Rule for DeleteInLaterLayer {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let mut st = Layered {
            root: true,
            ..Default::default()
        };
        for &s in ctx.final_chain().iter().rev() {
            for i in ctx.df.stages[s].instructions.clone() {
                let ins = &ctx.df.instructions[i];
                match ins.keyword {
                    Keyword::Workdir => {
                        let dir = ins.words().first().cloned().unwrap_or_default();
                        let vars = ctx.vars_at(i);
                        st.workdir = super::all_vars_known(&dir, &vars)
                            .then(|| plimsoll_dockerfile::expand(&dir, &vars))
                            .and_then(|d| resolve_path(st.workdir.as_deref(), &d));
                    }
                    Keyword::User => {
                        let user = ins.words().first().cloned().unwrap_or_default();
                        let name = user.split(':').next().unwrap_or("");
                        st.root = name == "root" || name == "0";
                    }
                    Keyword::Copy | Keyword::Add => Self::copy(ctx, i, ins, &mut st),
                    Keyword::Run => Self::run(ctx, i, ins, &mut st, out),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn files() {
        let src = "FROM debian:12\nWORKDIR /tmp\nCOPY app.tar.gz ./\nRUN tar xzf app.tar.gz -C /opt && rm app.tar.gz\n";
        assert_eq!(
            run("DF044", src),
            "4: `rm /tmp/app.tar.gz` deletes `/tmp/app.tar.gz`, added by COPY at line 3: its bytes stay in that layer\n"
        );
        let src = "FROM debian:12\nRUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go.tgz\nRUN tar -C /usr/local -xzf /tmp/go.tgz\nRUN rm -rf /tmp/*\n";
        assert_eq!(
            run("DF044", src),
            "4: `rm /tmp/*` deletes `/tmp/go.tgz`, added by curl at line 2: its bytes stay in that layer\n"
        );
        let src = "FROM debian:12\nRUN apt-get update && apt-get install -y git\nRUN cd /src && git clone --depth 1 https://x/y.git && make -C y\nRUN rm -rf /var/lib/apt/lists/* /src/y\n";
        assert_eq!(
            run("DF044", src),
            "4: `rm /var/lib/apt/lists/*` deletes `/var/lib/apt/lists/*`, added by apt-get update at line 2: its bytes stay in that layer\n"
        );
    }

    #[test]
    fn packages() {
        let src = "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build gcc musl-dev\nRUN make && apk del .build\n";
        assert_eq!(
            run("DF044", src),
            "3: removes `gcc musl-dev`, installed by an earlier RUN (line 2): the packages stay in that layer\n"
        );
    }

    #[test]
    fn negatives() {
        for src in [
            // Same RUN: nothing ships.
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN rm -rf /var/lib/apt/lists/*\n",
            "FROM debian:12\nRUN curl -o /tmp/x https://a/x && sh /tmp/x && rm /tmp/x\n",
            // Part of a copied tree: may have been created later.
            "FROM node:22\nCOPY . /app\nRUN cd /app && npm run build && rm -rf /app/src\n",
            // A cache mount keeps the index out of the layer.
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x\nRUN rm -rf /var/lib/apt/lists/*\n",
            // Build stages do not ship.
            "FROM debian:12 AS build\nCOPY x.tgz /tmp/\nRUN rm /tmp/x.tgz\nFROM debian:12\nCOPY --from=build /opt /opt\n",
            // Unknown working directory of the base image.
            "FROM python:3\nCOPY a.whl .\nRUN rm /a.whl\n",
            // `wget -O-` writes to a pipe.
            "FROM debian:12\nRUN wget -qO- https://k | gpg --dearmor > /k.gpg\nRUN rm -f k\n",
        ] {
            assert_eq!(run("DF044", src), "", "{src}");
        }
    }
}
