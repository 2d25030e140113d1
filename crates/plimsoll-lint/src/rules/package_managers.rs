//! What the package-manager rules share: how each manager's command line is
//! read, and the three checks they are made of (missing non-interactive
//! switch, cache left in the layer, unpinned versions).

use std::collections::HashMap;

use plimsoll_dockerfile::{Instruction, ShellCommand, ShellScript};

use crate::util::{
    CommandLine, OptionSpec, command_line, has_cache_mount, piped_from_yes, removes_dir,
    split_options, strip_wrappers,
};
use crate::{DfRule, Hit, LintContext, hit};

/// A package manager: the program names it is called by and its options
/// that take a value.
pub(crate) struct Manager {
    pub programs: &'static [&'static str],
    pub options: OptionSpec,
}

pub(crate) const APK: Manager = Manager {
    programs: &["apk"],
    options: OptionSpec {
        short_values: "Xpt",
        long_values: &[
            "repository",
            "root",
            "arch",
            "cache-dir",
            "keys-dir",
            "repositories-file",
            "virtual",
            "timeout",
            "wait",
            "cache-max-age",
        ],
    },
};

/// yum and dnf share their option syntax.
const RPM_OPTIONS: OptionSpec = OptionSpec {
    short_values: "cdeRx",
    long_values: &[
        "config",
        "debuglevel",
        "errorlevel",
        "randomwait",
        "exclude",
        "setopt",
        "enablerepo",
        "disablerepo",
        "repo",
        "repoid",
        "releasever",
        "installroot",
        "disableexcludes",
        "downloaddir",
        "destdir",
        "color",
        "comment",
        "forcearch",
        "rpmverbosity",
        "repofrompath",
        "advisory",
        "cve",
        "bz",
        "sec-severity",
        "enableplugin",
        "disableplugin",
        "module_platform_id",
    ],
};

pub(crate) const YUM: Manager = Manager {
    programs: &["yum"],
    options: RPM_OPTIONS,
};

pub(crate) const DNF: Manager = Manager {
    programs: &["dnf", "dnf5", "microdnf"],
    options: RPM_OPTIONS,
};

pub(crate) const ZYPPER: Manager = Manager {
    programs: &["zypper"],
    options: OptionSpec {
        short_values: "cRDCrtp",
        long_values: &[
            "config",
            "root",
            "reposd-path",
            "cache-dir",
            "raw-cache-dir",
            "solv-cache-dir",
            "pkg-cache-dir",
            "repo",
            "from",
            "type",
            "plus-repo",
            "plus-content",
            "download",
        ],
    },
};

/// pipx's options that take a value (`pipx install --python python3.12 black`).
pub(crate) const PIPX_OPTIONS: OptionSpec = OptionSpec {
    short_values: "",
    long_values: &[
        "python",
        "pip-args",
        "index-url",
        "suffix",
        "preinstall",
        "backend",
        "fetch-python",
    ],
};

/// `pipx install …` (an application installed from PyPI into its own
/// environment): the same requirement syntax as pip's.
pub(crate) fn pipx_command(cmd: &ShellCommand) -> Option<CommandLine<'_>> {
    let argv = strip_wrappers(&cmd.argv);
    let first = argv.first()?;
    (first.rsplit('/').next() == Some("pipx"))
        .then(|| split_options("pipx", &argv[1..], &PIPX_OPTIONS))
}

pub(crate) const PIP_OPTIONS: OptionSpec = OptionSpec {
    short_values: "rcetifbC",
    long_values: &[
        "requirement",
        "constraint",
        "editable",
        "target",
        "index-url",
        "extra-index-url",
        "find-links",
        "build",
        "src",
        "prefix",
        "root",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "upgrade-strategy",
        "progress-bar",
        "proxy",
        "trusted-host",
        "cache-dir",
        "log",
        "log-file",
        "timeout",
        "retries",
        "exists-action",
        "cert",
        "client-cert",
        "no-binary",
        "only-binary",
        "config-settings",
        "global-option",
        "install-option",
        "python",
        "root-user-action",
        "report",
        "keyring-provider",
        "use-feature",
        "use-deprecated",
        "group",
    ],
};

/// One call of a package manager in a parsed RUN.
pub(crate) struct Call<'a> {
    /// Index of the RUN in `Dockerfile::instructions`.
    pub index: usize,
    pub ins: &'a Instruction,
    pub script: &'a ShellScript,
    /// Index of the command in `script.commands`.
    pub k: usize,
    pub cmd: &'a ShellCommand,
    pub line: CommandLine<'a>,
}

/// Every call of `m` in the RUNs of the file, in order.
pub(crate) fn calls<'a>(ctx: &'a LintContext<'_>, m: &Manager) -> Vec<Call<'a>> {
    let mut out = Vec::new();
    for (index, ins, script) in ctx.runs() {
        for (k, cmd) in script.commands.iter().enumerate() {
            if let Some(line) = command_line(cmd, m.programs, &m.options) {
                out.push(Call {
                    index,
                    ins,
                    script,
                    k,
                    cmd,
                    line,
                });
            }
        }
    }
    out
}

/// `pip …`, `pip3.12 …` or `python3 -m pip …` (not pipx/pipenv): the pip
/// command line.
pub(crate) fn pip_command(cmd: &ShellCommand) -> Option<CommandLine<'_>> {
    let argv = strip_wrappers(&cmd.argv);
    let first = argv.first()?;
    let program = first.rsplit('/').next().unwrap_or(first);
    let is_pip = program == "pip"
        || program
            .strip_prefix("pip")
            .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
    if is_pip {
        return Some(split_options("pip", argv.get(1..)?, &PIP_OPTIONS));
    }
    let is_python = program == "python"
        || program
            .strip_prefix("python")
            .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
    if !is_python {
        return None;
    }
    // `python [-u -I …] -m pip args…`: interpreter options are single words.
    let m = argv.iter().position(|a| a == "-m")?;
    if argv.get(m + 1).map(String::as_str) != Some("pip") {
        return None;
    }
    Some(split_options("pip", argv.get(m + 2..)?, &PIP_OPTIONS))
}

/// The action of a call, with `group`/`module` subcommands joined to their
/// verb (`dnf group install` → `group install`).
pub(crate) fn action(line: &CommandLine<'_>) -> Option<String> {
    let sub = line.subcommand()?;
    match (sub, line.args().first()) {
        ("group" | "groups" | "module", Some(verb)) => Some(format!("{sub} {verb}")),
        _ => Some(sub.to_string()),
    }
}

/// The non-interactive check: a call whose action is in `prompting` needs
/// one of the options `yes` (or input from `yes | …`).
pub(crate) fn check_yes(
    ctx: &LintContext<'_>,
    m: &Manager,
    prompting: &[&str],
    yes: &[&str],
    rule: &DfRule,
    out: &mut Vec<Hit>,
) {
    for c in calls(ctx, m) {
        let Some(act) = action(&c.line) else { continue };
        if !prompting.contains(&act.as_str()) || c.line.has(yes) || piped_from_yes(c.script, c.k) {
            continue;
        }
        let switch = if yes[0].len() == 1 {
            format!("-{}", yes[0])
        } else {
            format!("--{}", yes[0])
        };
        out.push(
            hit(
                rule,
                c.index,
                c.cmd.span.line,
                format!("`{} {act}` without `{switch}`", c.line.program),
            )
            .help(format!(
                "add `{switch}`: a build has no terminal to answer the confirmation prompt"
            )),
        );
    }
}

/// Where a manager keeps its cache and how a RUN gets rid of it.
pub(crate) struct Cache<'a> {
    /// Actions that fill the cache (`install`, `makecache`…).
    pub fills: &'a [&'a str],
    /// Whether a call of the manager empties the cache (`clean all`).
    pub cleans: &'a dyn Fn(&CommandLine<'_>) -> bool,
    /// Cache directories: an `rm` of one (or a cache mount on it) also does.
    pub dirs: &'a [&'a str],
    /// The finding's help line.
    pub help: &'a str,
}

/// The cache check, on the stages that end up in the final image: the last
/// call whose action fills the cache must be followed in the same RUN by a
/// call that cleans it or an `rm` of a cache directory, unless the RUN
/// mounts a cache or tmpfs there.
pub(crate) fn check_clean(
    ctx: &LintContext<'_>,
    m: &Manager,
    cache: &Cache<'_>,
    rule: &DfRule,
    out: &mut Vec<Hit>,
) {
    let chain = ctx.final_chain();
    let all = calls(ctx, m);
    let mut k = 0;
    while k < all.len() {
        // The calls of one RUN are consecutive.
        let run = all[k].index;
        let end = all[k..]
            .iter()
            .position(|c| c.index != run)
            .map_or(all.len(), |n| k + n);
        let these = &all[k..end];
        k = end;
        let ins = these[0].ins;
        if !ins.stage.is_some_and(|s| chain.contains(&s))
            || cache.dirs.iter().any(|d| has_cache_mount(ins, d))
        {
            continue;
        }
        let Some(last) = these
            .iter()
            .rev()
            .find(|c| action(&c.line).is_some_and(|a| cache.fills.contains(&a.as_str())))
        else {
            continue;
        };
        let cleaned = these
            .iter()
            .any(|c| c.k > last.k && (cache.cleans)(&c.line))
            || cache
                .dirs
                .iter()
                .any(|d| removes_dir(&last.script.commands, last.k, d));
        if !cleaned {
            let act = action(&last.line).unwrap_or_default();
            out.push(
                hit(
                    rule,
                    last.index,
                    last.cmd.span.line,
                    format!(
                        "`{} {act}` leaves its cache in the layer: no clean-up later in this RUN",
                        last.line.program
                    ),
                )
                .help(cache.help.to_string()),
            );
        }
    }
}

/// The packages of a call with the Dockerfile's ARG/ENV values expanded;
/// words using variables the Dockerfile does not set are left out (their
/// value is not known here).
pub(crate) fn packages(words: &[&str], vars: &HashMap<String, String>) -> Vec<String> {
    words
        .iter()
        .filter_map(|w| crate::util::expand_operand(w, vars))
        .flatten()
        .collect()
}

/// Reports the `unpinned` packages of a call, if any.
pub(crate) fn report_unpinned(
    rule: &DfRule,
    c: &Call<'_>,
    what: &str,
    unpinned: &[String],
    help: &str,
    out: &mut Vec<Hit>,
) {
    if unpinned.is_empty() {
        return;
    }
    out.push(
        hit(
            rule,
            c.index,
            c.cmd.span.line,
            format!("{what} without version pins: {}", unpinned.join(", ")),
        )
        .help(help.to_string()),
    );
}

/// A version constraint that holds the version still: exact or bounded
/// above (`=1.2`, `==1.2`, `~1.2`, `~=1.2`, `<2`), where `>=1.2` alone
/// accepts every later release. `spec` is what follows the name.
pub(crate) fn constraint_pins(spec: &str) -> bool {
    spec.split(',').any(|clause| {
        let op: String = clause
            .trim_start()
            .chars()
            .take_while(|c| matches!(c, '=' | '<' | '>' | '~' | '!'))
            .collect();
        matches!(
            op.as_str(),
            "=" | "==" | "===" | "~" | "~=" | "=~" | "<" | "<="
        )
    })
}

/// Splits `name<op>version` at the first constraint character.
pub(crate) fn split_constraint(package: &str) -> Option<(&str, &str)> {
    let at = package.find(['=', '<', '>', '~', '!'])?;
    Some((&package[..at], &package[at..]))
}

/// The unpinned packages of a yum/dnf call that installs packages (`None`
/// for other calls): `install`/`in`/`reinstall`/`downgrade` operands without
/// a version (see [`crate::util::rpm_pinned`]), `module install` streams
/// without `:stream`. Groups (`@group`, `group install`) have no version.
pub(crate) fn rpm_unpinned(
    line: &CommandLine<'_>,
    vars: &HashMap<String, String>,
) -> Option<Vec<String>> {
    let (module, words) = match (line.subcommand()?, line.args()) {
        ("install" | "in" | "reinstall" | "downgrade", words) => (false, words),
        ("module", [verb, words @ ..]) if *verb == "install" => (true, words),
        _ => return None,
    };
    Some(
        packages(words, vars)
            .into_iter()
            .filter(|p| !p.starts_with('@'))
            .filter(|p| {
                if module {
                    !p.contains(':')
                } else {
                    !crate::util::rpm_pinned(p)
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints() {
        for pinned in ["=1.2", "==1.2", "~1.2", "~=1.2", "<2", ">=1,<2", "===1"] {
            assert!(constraint_pins(pinned), "{pinned}");
        }
        for floating in [">=1.2", ">1", "!=1.3", ""] {
            assert!(!constraint_pins(floating), "{floating}");
        }
        assert_eq!(split_constraint("curl>=8"), Some(("curl", ">=8")));
        assert_eq!(split_constraint("curl"), None);
    }
}
