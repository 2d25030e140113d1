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
}

impl Apt<'_> {
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
                || o.eq_ignore_ascii_case("APT::Install-Recommends=false")
                || o.eq_ignore_ascii_case("APT::Install-Recommends=0")
        })
    }
}

/// Parses `cmd` as `apt-get …` or `apt …` (after `sudo`/`env`).
pub fn apt(cmd: &ShellCommand) -> Option<Apt<'_>> {
    let argv = strip_wrappers(&cmd.argv);
    let prog = argv.first()?.rsplit('/').next()?;
    if prog != "apt-get" && prog != "apt" {
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
    })
}

/// An image reference's tag and digest (no expansion).
pub struct ImageRef<'a> {
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn image_ref(s: &str) -> ImageRef<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    // A tag is after the last `:` that comes after the last `/` (a registry port is before it).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(c) => ImageRef {
            tag: Some(&rest[last_slash + c + 1..]),
            digest,
        },
        None => ImageRef { tag: None, digest },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let r = image_ref("registry:5000/team/app:1.2@sha256:ab");
        assert_eq!((r.tag, r.digest), (Some("1.2"), Some("sha256:ab")));
        let r = image_ref("registry:5000/app");
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
}
