//! Helpers shared by the rules: package-manager command lines, image references.

use plimsoll_dockerfile::ShellCommand;

/// `argv` without a leading `sudo` (and its options) or `env VAR=…`.
pub fn strip_wrappers(argv: &[String]) -> &[String] {
    let mut a = argv;
    loop {
        match a.first().map(|s| s.rsplit('/').next().unwrap_or(s)) {
            Some("sudo") => {
                a = &a[1..];
                while a.first().is_some_and(|s| s.starts_with('-')) {
                    let takes_value = matches!(a[0].as_str(), "-u" | "-g" | "-h" | "-p" | "-C");
                    a = &a[if takes_value { 2.min(a.len()) } else { 1 }..];
                }
            }
            Some("env") => {
                a = &a[1..];
                while a
                    .first()
                    .is_some_and(|s| s.contains('=') || s.starts_with('-'))
                {
                    a = &a[1..];
                }
            }
            _ => return a,
        }
    }
}

/// An `apt-get`/`apt` command line, parsed.
pub struct Apt<'a> {
    /// `install`, `update`, …
    pub sub: &'a str,
    /// Options anywhere on the line (`-y`, `--no-install-recommends`, `-o X=Y` as `X=Y`).
    pub options: Vec<&'a str>,
    /// Non-option words after the subcommand.
    pub packages: Vec<&'a str>,
    /// Whether the program is aptitude (its `-R` is `--without-recommends`).
    pub aptitude: bool,
}

impl Apt<'_> {
    /// The program as messages name it: `aptitude`, else `apt-get`.
    pub fn program(&self) -> &'static str {
        if self.aptitude { "aptitude" } else { "apt-get" }
    }

    pub fn has_yes(&self) -> bool {
        self.options.iter().any(|o| {
            matches!(
                *o,
                "--yes"
                    | "--assume-yes"
                    | "-qq"
                    | "-q=2"
                    | "--quiet=2"
                    | "APT::Get::Assume-Yes=true"
            ) || (o.starts_with('-') && !o.starts_with("--") && o.contains('y'))
        })
    }

    pub fn has_no_recommends(&self) -> bool {
        self.options.iter().any(|o| {
            *o == "--no-install-recommends"
                // aptitude's spelling.
                || *o == "--without-recommends"
                || (self.aptitude && *o == "-R")
                || o.eq_ignore_ascii_case("APT::Install-Recommends=false")
                || o.eq_ignore_ascii_case("APT::Install-Recommends=0")
        })
    }
}

/// Parses `cmd` as `apt-get …`, `apt …` or `aptitude …` (after
/// `sudo`/`env`): aptitude installs from the same archives with the same
/// `name=version` pins, `-y` and lists.
pub fn apt(cmd: &ShellCommand) -> Option<Apt<'_>> {
    let argv = strip_wrappers(&cmd.argv);
    let prog = argv.first()?.rsplit('/').next()?;
    if prog != "apt-get" && prog != "apt" && prog != "aptitude" {
        return None;
    }
    let mut sub = None;
    let mut options = Vec::new();
    let mut packages = Vec::new();
    let mut it = argv[1..].iter();
    while let Some(a) = it.next() {
        if matches!(
            a.as_str(),
            "-o" | "--option" | "-t" | "--target-release" | "-c" | "--config-file"
        ) {
            if let Some(v) = it.next() {
                options.push(v.as_str());
            }
        } else if let Some(v) = a.strip_prefix("-o").filter(|v| v.contains('=')) {
            options.push(v);
        } else if a.starts_with('-') {
            options.push(a.as_str());
        } else if sub.is_none() {
            sub = Some(a.as_str());
        } else {
            packages.push(a.as_str());
        }
    }
    Some(Apt {
        sub: sub?,
        options,
        packages,
        aptitude: prog == "aptitude",
    })
}

// ---- Helpers for the practice rules (DF040–DF059) -------------------------

/// What a package-manager command does to the package set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkgOp {
    Install,
    Remove,
}

/// A package install or removal: `apt-get install`, `apk add`, `dnf remove`, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkgCommand {
    /// `apt`, `apk`, `yum` (yum, dnf, microdnf, tdnf) or `zypper`.
    pub manager: &'static str,
    pub op: PkgOp,
    /// Package names with any version pin (`=1.2`, `>=1.2`) removed.
    pub packages: Vec<String>,
    /// `apk add --virtual NAME` / `-t NAME`: the group the packages join.
    pub virtual_name: Option<String>,
}

/// A package name without its version constraint.
fn package_name(word: &str) -> String {
    let end = word.find(['=', '<', '>', '~']).unwrap_or(word.len());
    word[..end].to_string()
}

/// Parses a package install/removal command (after `sudo`/`env`).
pub fn pkg_command(cmd: &ShellCommand) -> Option<PkgCommand> {
    if let Some(a) = apt(cmd) {
        let op = match a.sub {
            "install" => PkgOp::Install,
            "remove" | "purge" | "autoremove" => PkgOp::Remove,
            _ => return None,
        };
        return Some(PkgCommand {
            manager: "apt",
            op,
            packages: a.packages.iter().map(|p| package_name(p)).collect(),
            virtual_name: None,
        });
    }
    let argv = strip_wrappers(&cmd.argv);
    let prog = argv.first()?.rsplit('/').next()?;
    let (manager, takes_value): (&'static str, &[&str]) = match prog {
        "apk" => (
            "apk",
            &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
            ],
        ),
        "yum" | "dnf" | "microdnf" | "tdnf" => (
            "yum",
            &[
                "-x",
                "--exclude",
                "--releasever",
                "--installroot",
                "--setopt",
            ],
        ),
        "zypper" => ("zypper", &["-r", "--repo", "--from"]),
        _ => return None,
    };
    let mut op = None;
    let mut packages = Vec::new();
    let mut virtual_name = None;
    let mut it = argv[1..].iter();
    while let Some(a) = it.next() {
        if takes_value.contains(&a.as_str()) {
            let v = it.next();
            if matches!(a.as_str(), "-t" | "--virtual") {
                virtual_name = v.cloned();
            }
        } else if let Some(v) = a.strip_prefix("--virtual=") {
            virtual_name = Some(v.to_string());
        } else if a.starts_with('-') {
        } else if op.is_none() {
            op = Some(match (manager, a.as_str()) {
                ("apk", "add") => PkgOp::Install,
                ("apk", "del") => PkgOp::Remove,
                ("yum", "install") | ("zypper", "install" | "in") => PkgOp::Install,
                ("yum", "remove" | "erase" | "autoremove") | ("zypper", "remove" | "rm") => {
                    PkgOp::Remove
                }
                _ => return None,
            });
        } else {
            packages.push(package_name(a));
        }
    }
    Some(PkgCommand {
        manager,
        op: op?,
        packages,
        virtual_name,
    })
}

/// The packages installed by `sh` and not removed again later in the same
/// shell program (by name, or through the `apk --virtual` group they joined):
/// `(command index, package)`.
pub fn packages_kept(sh: &plimsoll_dockerfile::ShellScript) -> Vec<(usize, String)> {
    let mut kept: Vec<(usize, String, Option<String>)> = Vec::new();
    // Debian's idiom: `apt-mark auto '.*'; apt-mark manual $saved;
    // apt-get purge -y --auto-remove` removes everything installed since.
    let mut marked_auto = false;
    for (k, c) in sh.commands.iter().enumerate() {
        let argv = strip_wrappers(&c.argv);
        if argv.first().is_some_and(|p| p.ends_with("apt-mark"))
            && argv.get(1).is_some_and(|a| a == "auto")
        {
            marked_auto = true;
            continue;
        }
        if marked_auto
            && let Some(a) = apt(c)
            && (a.sub == "autoremove"
                || (matches!(a.sub, "purge" | "remove")
                    && a.options
                        .iter()
                        .any(|o| *o == "--auto-remove" || *o == "--autoremove")))
        {
            kept.clear();
            continue;
        }
        let Some(p) = pkg_command(c) else { continue };
        match p.op {
            PkgOp::Install => {
                for name in p.packages {
                    kept.push((k, name, p.virtual_name.clone()));
                }
            }
            PkgOp::Remove => kept.retain(|(_, name, group)| {
                !p.packages
                    .iter()
                    .any(|r| r == name || group.as_deref() == Some(r.as_str()))
            }),
        }
    }
    kept.into_iter().map(|(k, name, _)| (k, name)).collect()
}

/// A process-supervising init that reaps zombies and forwards signals.
pub fn is_init(program: &str) -> bool {
    matches!(
        program,
        "tini" | "tini-static" | "dumb-init" | "catatonit" | "docker-init" | "s6-svscan"
    )
}

/// The shells whose `-c` argument is a script.
pub fn is_shell(program: &str) -> bool {
    plimsoll_practice::shells::is_shell(program)
}

/// A name that is a glob pattern (`*`, `?`, `[`).
fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Matches one path component against a glob component (`*`, `?`; a `[`
/// class matches any one character: conservative enough for paths).
pub fn glob_component(pattern: &str, name: &str) -> bool {
    if !is_glob(pattern) {
        return pattern == name;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative wildcard matching with one backtrack point.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some('?') => {
                pi += 1;
                ni += 1;
            }
            Some('[') => match p[pi..].iter().position(|&c| c == ']') {
                Some(close) => {
                    pi += close + 1;
                    ni += 1;
                }
                None if n[ni] == '[' => {
                    pi += 1;
                    ni += 1;
                }
                None => match star {
                    Some((sp, sn)) => {
                        pi = sp + 1;
                        ni = sn + 1;
                        star = Some((sp, sn + 1));
                    }
                    None => return false,
                },
            },
            Some(&c) if c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// `path` made absolute against `cwd` and normalised (`.`, `..`, `//`);
/// `None` when it cannot be known (a variable, `~` of an unknown user, no cwd).
pub fn resolve_path(cwd: Option<&str>, path: &str) -> Option<String> {
    if path.contains('$') || path.contains('`') {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else if let Some(rest) = path.strip_prefix("~/") {
        // Only for root: the rules call this with `~` meaning /root.
        format!("/root/{rest}")
    } else if path == "~" {
        "/root".to_string()
    } else {
        format!("{}/{path}", cwd?)
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The path components of an absolute, normalised path.
pub fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

/// Whether the image reference names an official library image (`python`,
/// `library/python`, `docker.io/library/python`): its name, lower case.
pub fn library_image(image: &str) -> Option<String> {
    let repo = plimsoll_oci::NameRef::parse(image).repository;
    let repo = match repo.split_once('/') {
        Some(("library", rest)) => rest,
        _ if repo == "library" => "",
        _ => repo,
    };
    (!repo.is_empty() && !repo.contains('/')).then(|| repo.to_ascii_lowercase())
}

/// How the final image starts, as far as the Dockerfile shows it.
pub struct Launch {
    /// The instruction (index) that holds the analysed program: the
    /// ENTRYPOINT, or the CMD when the ENTRYPOINT is only an init or absent.
    pub instruction: usize,
    pub line: u32,
    /// The init in front of the program (`tini`, `dumb-init`…), if any.
    pub init: Option<String>,
    pub body: LaunchBody,
    /// For [`LaunchBody::Argv`]: the instruction each word comes from.
    pub argv_from: Vec<usize>,
}

pub enum LaunchBody {
    /// An exec-form command line, wrappers (init, `exec`, `env`, `gosu`) removed.
    Argv(Vec<String>),
    /// A shell program: shell-form CMD/ENTRYPOINT (`dash_c: false`) or an
    /// exec-form `["sh", "-c", "…"]` (`dash_c: true`).
    Shell {
        script: plimsoll_dockerfile::ShellScript,
        dash_c: bool,
    },
}

/// Parses `text`, which comes from instruction `ins`, as a shell program
/// (source positions approximate: the start of the instruction's arguments).
fn parse_instruction_shell(
    ins: &plimsoll_dockerfile::Instruction,
    text: &str,
    lines: &plimsoll_dockerfile::LineIndex<'_>,
) -> plimsoll_dockerfile::ShellScript {
    let map = plimsoll_dockerfile::OffsetMap::linear(
        ins.args_span.start,
        text.len() + 1,
        ins.args_span.end,
    );
    plimsoll_dockerfile::parse_shell_in(text, &map, lines)
}

/// The ENTRYPOINT and CMD in force at the end of the final stage chain
/// (an ENTRYPOINT resets a CMD inherited from a parent stage), combined
/// as Docker does, with init and privilege-dropping wrappers peeled off.
pub fn launch(ctx: &crate::LintContext<'_>) -> Option<Launch> {
    use plimsoll_dockerfile::{Args, Keyword};
    let mut entrypoint: Option<usize> = None;
    let mut cmd: Option<(usize, usize)> = None; // (stage, instruction)
    for &s in ctx.final_chain().iter().rev() {
        let st = &ctx.df.stages[s];
        for i in st.instructions.clone() {
            match ctx.df.instructions[i].keyword {
                Keyword::Entrypoint => {
                    entrypoint = Some(i);
                    if cmd.is_some_and(|(cs, _)| cs != s) {
                        cmd = None;
                    }
                }
                Keyword::Cmd => cmd = Some((s, i)),
                _ => {}
            }
        }
    }
    let cmd = cmd.map(|(_, i)| i);
    let ins_at = |i: usize| &ctx.df.instructions[i];
    // Words with the instruction each came from.
    let mut argv: Vec<(String, usize)> = Vec::new();
    let shell_of = |i: usize| match &ins_at(i).args {
        Args::Shell(t) => Some(t.clone()),
        _ => None,
    };
    match (entrypoint, cmd) {
        (Some(e), c) => {
            if let Some(text) = shell_of(e) {
                return Some(Launch {
                    instruction: e,
                    line: ins_at(e).span.line,
                    init: None,
                    body: LaunchBody::Shell {
                        script: parse_instruction_shell(ins_at(e), &text, &ctx.lines),
                        dash_c: false,
                    },
                    argv_from: Vec::new(),
                });
            }
            argv.extend(ins_at(e).words().into_iter().map(|w| (w, e)));
            if let Some(c) = c {
                match shell_of(c) {
                    Some(text) => {
                        for w in ["/bin/sh", "-c"] {
                            argv.push((w.to_string(), c));
                        }
                        argv.push((text, c));
                    }
                    None => argv.extend(ins_at(c).words().into_iter().map(|w| (w, c))),
                }
            }
        }
        (None, Some(c)) => {
            if let Some(text) = shell_of(c) {
                return Some(Launch {
                    instruction: c,
                    line: ins_at(c).span.line,
                    init: None,
                    body: LaunchBody::Shell {
                        script: parse_instruction_shell(ins_at(c), &text, &ctx.lines),
                        dash_c: false,
                    },
                    argv_from: Vec::new(),
                });
            }
            argv.extend(ins_at(c).words().into_iter().map(|w| (w, c)));
        }
        (None, None) => return None,
    }
    let mut init = None;
    let mut rest: &[(String, usize)] = &argv;
    while let Some((first, _)) = rest.first() {
        let prog = first.rsplit('/').next().unwrap_or(first);
        if is_init(prog) {
            init = Some(prog.to_string());
            rest = &rest[1..];
            while rest.first().is_some_and(|(w, _)| w.starts_with('-')) {
                let end = rest[0].0 == "--";
                // `tini -s`, `-g`, `-p SIGTERM`: only -p/-e take a value.
                let value = matches!(rest[0].0.as_str(), "-p" | "-e");
                rest = &rest[if value { 2 } else { 1 }.min(rest.len())..];
                if end {
                    break;
                }
            }
        } else if prog == "exec" {
            rest = &rest[1..];
        } else if prog == "env" {
            rest = &rest[1..];
            while rest
                .first()
                .is_some_and(|(w, _)| w.contains('=') || w.starts_with('-'))
            {
                rest = &rest[1..];
            }
        } else if matches!(prog, "gosu" | "su-exec") {
            rest = &rest[2.min(rest.len())..];
        } else {
            break;
        }
    }
    let (first, from) = rest.first()?;
    let ins = ins_at(*from);
    let prog = first.rsplit('/').next().unwrap_or(first);
    if is_shell(prog)
        && let Some(k) = rest
            .iter()
            .position(|(w, _)| w.starts_with('-') && !w.starts_with("--") && w.ends_with('c'))
        && let Some((script, from)) = rest.get(k + 1)
    {
        let ins = ins_at(*from);
        return Some(Launch {
            instruction: *from,
            line: ins.span.line,
            init,
            body: LaunchBody::Shell {
                script: parse_instruction_shell(ins, script, &ctx.lines),
                dash_c: true,
            },
            argv_from: Vec::new(),
        });
    }
    Some(Launch {
        instruction: *from,
        line: ins.span.line,
        init,
        body: LaunchBody::Argv(rest.iter().map(|(w, _)| w.clone()).collect()),
        argv_from: rest.iter().map(|(_, i)| *i).collect(),
    })
}

/// A shell script written by the Dockerfile itself (`COPY <<EOF /path`)
/// that `program` (a path, or a bare name found on the PATH) runs:
/// `(instruction index, parsed script)`. Scripts with a non-shell `#!` are left out.
pub fn heredoc_script(
    ctx: &crate::LintContext<'_>,
    program: &str,
) -> Option<(usize, plimsoll_dockerfile::ShellScript)> {
    use plimsoll_dockerfile::{Args, Keyword};
    let chain = ctx.final_chain();
    let mut found = None;
    for &s in chain.iter().rev() {
        let mut workdir: Option<String> = Some("/".to_string());
        for i in ctx.df.stages[s].instructions.clone() {
            let ins = &ctx.df.instructions[i];
            match ins.keyword {
                Keyword::Workdir => {
                    let dir = ins.words().first().cloned().unwrap_or_default();
                    workdir = resolve_path(workdir.as_deref(), &dir);
                }
                Keyword::Copy | Keyword::Add => {
                    let Args::Heredocs { heredocs, .. } = &ins.args else {
                        continue;
                    };
                    let [h] = heredocs.as_slice() else { continue };
                    let words = ins.words();
                    let Some(dest) = words.last().filter(|_| words.len() == 2) else {
                        continue;
                    };
                    let Some(dest) = resolve_path(workdir.as_deref(), dest) else {
                        continue;
                    };
                    let matches = if program.contains('/') {
                        resolve_path(workdir.as_deref(), program).as_deref() == Some(&*dest)
                    } else {
                        dest.rsplit('/').next() == Some(program)
                    };
                    if matches {
                        found = Some((i, h));
                    }
                }
                _ => {}
            }
        }
    }
    let (i, h) = found?;
    if let Some(first) = h.content.lines().next()
        && let Some(interp) = first.strip_prefix("#!")
    {
        let mut words = interp.split_whitespace();
        let mut prog = words.next()?.rsplit('/').next()?;
        if prog == "env" {
            prog = words.next()?;
        }
        if !is_shell(prog) {
            return None;
        }
    }
    let map = plimsoll_dockerfile::OffsetMap::linear(h.span.start, h.content.len() + 1, h.span.end);
    Some((
        i,
        plimsoll_dockerfile::parse_shell_in(&h.content, &map, &ctx.lines),
    ))
}

/// Which options of a program take a value (so the value is not taken for
/// an operand): short option letters and long option names (without dashes).
pub struct OptionSpec {
    pub short_values: &'static str,
    pub long_values: &'static [&'static str],
}

/// A command line split getopt-style, after `sudo`/`env` wrappers.
pub struct CommandLine<'a> {
    /// The program without its directory (`/sbin/apk` → `apk`).
    pub program: &'a str,
    /// Options by name without dashes (`-y` → `y`, `--yes` → `yes`; a short
    /// cluster `-qy` gives `q` and `y`), with their value when they take one.
    pub options: Vec<(&'a str, Option<&'a str>)>,
    /// Everything that is not an option or an option's value, in order
    /// (the subcommand first, for programs that have one).
    pub operands: Vec<&'a str>,
}

impl<'a> CommandLine<'a> {
    /// Whether any of the options `names` is given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|(n, _)| names.contains(n))
    }

    /// The values given to the options `names`.
    pub fn values<'s>(&'s self, names: &'s [&'s str]) -> impl Iterator<Item = &'a str> + 's {
        self.options
            .iter()
            .filter(move |(n, _)| names.contains(n))
            .filter_map(|(_, v)| *v)
    }

    /// The first operand (a package manager's subcommand).
    pub fn subcommand(&self) -> Option<&'a str> {
        self.operands.first().copied()
    }

    /// The operands after the subcommand.
    pub fn args(&self) -> &[&'a str] {
        self.operands.get(1..).unwrap_or(&[])
    }
}

/// Parses `cmd` as a call of one of `programs` (by name without directory,
/// after `sudo`/`env`), splitting options from operands with `spec`.
pub fn command_line<'a>(
    cmd: &'a ShellCommand,
    programs: &[&str],
    spec: &OptionSpec,
) -> Option<CommandLine<'a>> {
    let argv = strip_wrappers(&cmd.argv);
    let first = argv.first()?;
    let program = first.rsplit('/').next().unwrap_or(first);
    if !programs.contains(&program) {
        return None;
    }
    Some(split_options(program, argv.get(1..).unwrap_or(&[]), spec))
}

/// Splits `args` into options and operands (see [`CommandLine`]).
pub fn split_options<'a>(
    program: &'a str,
    args: &'a [String],
    spec: &OptionSpec,
) -> CommandLine<'a> {
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = a.as_str();
        if a == "--" {
            operands.extend(it.by_ref().map(String::as_str));
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => options.push((name, Some(value))),
                None if spec.long_values.contains(&long) => {
                    options.push((long, it.next().map(String::as_str)))
                }
                None => options.push((long, None)),
            }
        } else if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (k, c) in cluster.char_indices() {
                let name = &cluster[k..k + c.len_utf8()];
                if spec.short_values.contains(c) {
                    let rest = &cluster[k + c.len_utf8()..];
                    let value = if rest.is_empty() {
                        it.next().map(String::as_str)
                    } else {
                        Some(rest.strip_prefix('=').unwrap_or(rest))
                    };
                    options.push((name, value));
                    break;
                }
                options.push((name, None));
            }
        } else {
            operands.push(a);
        }
    }
    CommandLine {
        program,
        options,
        operands,
    }
}

/// An operand with the Dockerfile's ARG/ENV values expanded, split into the
/// words the shell would see; `None` when it uses a variable whose value the
/// Dockerfile does not give (set by the shell, or a command substitution).
pub fn expand_operand(
    word: &str,
    vars: &std::collections::HashMap<String, String>,
) -> Option<Vec<String>> {
    if !word.contains('$') && !word.contains('`') {
        return Some(vec![word.to_string()]);
    }
    if word.contains('`') || !crate::rules::all_vars_known(word, vars) {
        return None;
    }
    let expanded = plimsoll_dockerfile::expand(word, vars);
    if expanded.contains('$') {
        // A modifier the expander keeps as written (`${V#v}`): unknown here.
        return None;
    }
    Some(expanded.split_whitespace().map(str::to_string).collect())
}

/// Whether a RUN mounts a cache or tmpfs at a target containing `fragment`
/// (`--mount=type=cache,target=/var/cache/apk`): the files written there
/// do not end up in the layer.
pub fn has_cache_mount(ins: &plimsoll_dockerfile::Instruction, fragment: &str) -> bool {
    ins.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref())
        .any(|v| {
            let mut kind = "";
            let mut target = "";
            for kv in v.split(',') {
                match kv.split_once('=') {
                    Some(("type", t)) => kind = t,
                    Some(("target" | "dst" | "destination", t)) => target = t,
                    _ => {}
                }
            }
            matches!(kind, "cache" | "tmpfs") && target.contains(fragment)
        })
}

/// Whether `commands[after+1..]` has an `rm` of `dir` or of one of its
/// parents (`rm -rf /var/cache/yum/*`, `rm -rf /var/cache/*`).
pub fn removes_dir(commands: &[ShellCommand], after: usize, dir: &str) -> bool {
    commands.iter().skip(after + 1).any(|c| {
        let argv = strip_wrappers(&c.argv);
        argv.first()
            .is_some_and(|p| p.rsplit('/').next() == Some("rm"))
            && argv.iter().skip(1).any(|a| {
                let a = a.trim_end_matches(['*', '/']);
                // At least `/var/cache`: `rm -rf /*` is no cleanup.
                a.matches('/').count() >= 2
                    && (dir.starts_with(a) && dir[a.len()..].starts_with('/') || a.starts_with(dir))
            })
    })
}

/// Whether `commands[k]` reads its input from `yes` (`yes | zypper install …`).
pub fn piped_from_yes(script: &plimsoll_dockerfile::ShellScript, k: usize) -> bool {
    script
        .pipes
        .iter()
        .any(|&(a, b)| b == k && script.commands.get(a).is_some_and(|c| c.program() == "yes"))
}

/// Whether an RPM package argument names a version (`httpd-2.4.6`,
/// `httpd-2.4.6-97.el7.x86_64`, `nodejs-1:18.1`): after the name, dash
/// separated parts that all start with a digit (a name part like the `11`
/// of `java-11-openjdk` is followed by a part that does not). Local files,
/// URLs and paths (`x.rpm`, `/tmp/x.rpm`) carry their version too.
pub fn rpm_pinned(package: &str) -> bool {
    if package.ends_with(".rpm") || package.contains('/') {
        return true;
    }
    let parts: Vec<&str> = package.split('-').collect();
    (1..parts.len()).any(|k| {
        parts[k..]
            .iter()
            .all(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The names of the variables `s` refers to: `$NAME`, `${NAME}` and
/// `${NAME…}` with a modifier (`${NAME:-x}`), in order.
pub fn var_refs(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let start = if b.get(i + 1) == Some(&b'{') {
            i + 2
        } else {
            i + 1
        };
        let mut end = start;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
            end += 1;
        }
        if end > start {
            out.push(&s[start..end]);
        }
        i = end.max(i + 1);
    }
    out
}

/// A path that is absolute on Linux (`/x`) or on Windows (`C:\x`, `c:/x`).
pub fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    path.starts_with('/')
        || (chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.next() == Some(':'))
}

/// The file name of a path, `/` or `\\` separated, quotes removed.
pub fn basename(path: &str) -> &str {
    let p = path.trim_matches(['"', '\'']);
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// Options of a command line as hadolint and getopt see them: `--name` or
/// `--name=value` gives `name`; a short cluster `-xzf` gives `x`, `z`, `f`.
pub fn flag_names(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    for a in args {
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            out.push(long.split('=').next().unwrap_or(long));
        } else if let Some(cluster) = a.strip_prefix('-') {
            out.extend(
                cluster
                    .char_indices()
                    .map(|(k, c)| &cluster[k..k + c.len_utf8()]),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let r = plimsoll_oci::NameRef::parse("registry:5000/team/app:1.2@sha256:ab");
        assert_eq!((r.tag, r.digest), (Some("1.2"), Some("sha256:ab")));
        let r = plimsoll_oci::NameRef::parse("registry:5000/app");
        assert_eq!((r.tag, r.digest), (None, None));
    }

    #[test]
    fn wrappers() {
        let v: Vec<String> = ["sudo", "-E", "env", "A=1", "apt-get", "install"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(strip_wrappers(&v), ["apt-get", "install"]);
    }

    fn cmd(words: &[&str]) -> ShellCommand {
        ShellCommand {
            argv: words.iter().map(|s| s.to_string()).collect(),
            span: Default::default(),
            background: false,
        }
    }

    #[test]
    fn package_commands() {
        let p = pkg_command(&cmd(&[
            "apk",
            "add",
            "--no-cache",
            "-t",
            ".deps",
            "gcc=13.2",
        ]))
        .unwrap();
        assert_eq!((p.manager, p.op), ("apk", PkgOp::Install));
        assert_eq!(p.packages, ["gcc"]);
        assert_eq!(p.virtual_name.as_deref(), Some(".deps"));
        let p = pkg_command(&cmd(&["apt-get", "purge", "-y", "--auto-remove", "make"])).unwrap();
        assert_eq!(
            (p.op, p.packages),
            (PkgOp::Remove, vec!["make".to_string()])
        );
        let p = pkg_command(&cmd(&["microdnf", "install", "-y", "nmap"])).unwrap();
        assert_eq!((p.manager, p.packages), ("yum", vec!["nmap".to_string()]));
        assert!(pkg_command(&cmd(&["apk", "update"])).is_none());
        assert!(pkg_command(&cmd(&["npm", "install", "x"])).is_none());
    }

    #[test]
    fn globs_and_paths() {
        assert!(glob_component("*.tar.gz", "node.tar.gz"));
        assert!(glob_component("a?c", "abc"));
        assert!(glob_component("*", ""));
        assert!(!glob_component("*.gz", "node.tar.xz"));
        assert!(glob_component("lib[0-9]", "lib5"));
        assert_eq!(
            resolve_path(Some("/app"), "../tmp/./x").as_deref(),
            Some("/tmp/x")
        );
        assert_eq!(resolve_path(None, "x"), None);
        assert_eq!(resolve_path(Some("/"), "$HOME/x"), None);
        assert_eq!(
            resolve_path(None, "~/.cache").as_deref(),
            Some("/root/.cache")
        );
    }

    #[test]
    fn variables_paths_and_flags() {
        assert_eq!(var_refs("$A/${B}:${C:-x}$ $1_"), ["A", "B", "C", "1_"]);
        assert!(var_refs("no vars $").is_empty());
        assert!(is_absolute("/x") && is_absolute("c:\\x") && is_absolute("D:/x"));
        assert!(!is_absolute("x") && !is_absolute("") && !is_absolute("$X"));
        assert_eq!(basename("\"C:\\a\\b.tar\""), "b.tar");
        assert_eq!(basename("/tmp/a.tgz"), "a.tgz");
        let args: Vec<String> = ["-xzf", "--file=a", "x", "--", "-y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(flag_names(&args), ["x", "z", "f", "file"]);
    }

    #[test]
    fn library_images() {
        assert_eq!(library_image("python:3.12").as_deref(), Some("python"));
        assert_eq!(
            library_image("docker.io/library/Node:20@sha256:ab").as_deref(),
            Some("node")
        );
        assert_eq!(
            library_image("localhost:5000/debian").as_deref(),
            Some("debian")
        );
        assert_eq!(library_image("bitnami/python:3"), None);
        assert_eq!(library_image("gcr.io/distroless/static"), None);
    }
}
