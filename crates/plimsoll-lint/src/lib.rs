//! Dockerfile lint rules: one file per rule in `rules/`, each naming the
//! practice it enforces and the hadolint rule it corresponds to.
//!
//! ```
//! let findings = plimsoll_lint::lint("Dockerfile", "FROM debian\nMAINTAINER me\n").unwrap();
//! assert!(findings.iter().any(|f| f.code == "DF010"));
//! ```

pub mod files;
pub mod fix;
mod rule;
pub mod rules;
mod util;

use std::collections::HashSet;

use plimsoll_dockerfile::{Args, Dockerfile, Instruction, ParseError, ShellCommand, ShellScript};
use plimsoll_report::{Finding, RuleInfo, names_rule};

/// Which environment a Dockerfile is linted for (DF053), shared with the image audit.
pub use plimsoll_practice::services::Environment;
pub use rule::{DfRule, Hit, Rule, hit};

/// What a lint run is told besides the source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// Opt-in rules to turn on, by code, name or hadolint code (case-insensitive).
    pub enable: Vec<String>,
    /// Registries FROM may pull from (hadolint's `trustedRegistries`):
    /// `registry.example:5000`, `*.example.com` (any subdomain), `docker.io`
    /// for Docker Hub. Empty: any registry, and the check is off.
    pub trusted_registries: Vec<String>,
    /// The environment linted for (`plimsoll lint --env prod`, or the
    /// final stage's label named by `[environments] label`): when no
    /// `[[services]]` entry lists it, rule DF053 flags the marks of injected
    /// services (P-I1). Neither stated nor labelled: the rule is off.
    pub environment: plimsoll_practice::services::Environment,
    /// The label schema (hadolint's `label-schema`): labels every image
    /// must carry, with the format of each value (rules DF082–DF090).
    pub label_schema: std::collections::BTreeMap<String, rules::label_schema::LabelType>,
    /// Only the schema's labels are allowed (hadolint's `strict-labels`, DF083).
    pub strict_labels: bool,
}

static NO_OPTIONS: LintOptions = LintOptions {
    enable: Vec::new(),
    trusted_registries: Vec::new(),
    environment: plimsoll_practice::services::Environment::NONE,
    label_schema: std::collections::BTreeMap::new(),
    strict_labels: false,
};

/// What a rule sees: the source, the parsed file, each RUN's shell program
/// and the options of the run.
///
/// ONBUILD triggers are linted like the instructions they wrap, but in the
/// images built FROM this one: [`LintContext::instructions`] and
/// [`LintContext::runs`] yield a trigger under the index of its ONBUILD
/// (so a finding lands on the ONBUILD and its inline ignores apply), and
/// [`lint_with_options`] says in the message that it runs in child images.
/// Rules about this image's own stages and layers use
/// [`LintContext::stage_runs`] and `df.instructions`, which skip triggers.
pub struct LintContext<'a> {
    pub src: &'a str,
    /// Line starts of `src`, built once (every shell parse needs them).
    pub lines: plimsoll_dockerfile::LineIndex<'a>,
    /// Variables by instruction, continued from the last question (see
    /// [`LintContext::vars_at`]).
    vars: std::sync::Mutex<plimsoll_dockerfile::VarsCursor<'a>>,
    pub df: &'a Dockerfile,
    /// Per instruction: the parsed shell of a RUN (shell form or heredoc).
    pub shells: Vec<Option<ShellScript>>,
    /// Per instruction: the parsed shell of an `ONBUILD RUN`'s trigger.
    pub trigger_shells: Vec<Option<ShellScript>>,
    pub options: &'a LintOptions,
}

impl<'a> LintContext<'a> {
    pub fn new(src: &'a str, df: &'a Dockerfile) -> Self {
        Self::with_options(src, df, &NO_OPTIONS)
    }

    pub fn with_options(src: &'a str, df: &'a Dockerfile, options: &'a LintOptions) -> Self {
        let lines = plimsoll_dockerfile::LineIndex::new(src);
        let shells = df.instructions.iter().map(|i| i.shell_in(&lines)).collect();
        let trigger_shells = df
            .instructions
            .iter()
            .map(|i| trigger(i).and_then(|t| t.shell_in(&lines)))
            .collect();
        LintContext {
            src,
            lines,
            vars: std::sync::Mutex::new(df.vars_cursor()),
            df,
            shells,
            trigger_shells,
            options,
        }
    }

    /// The variables visible at instruction `index` (`Dockerfile::vars_at`),
    /// linear over a pass that asks in increasing order.
    pub fn vars_at(&self, index: usize) -> std::collections::HashMap<String, String> {
        match self.vars.lock() {
            Ok(mut cursor) => cursor.at(index),
            Err(_) => self.df.vars_at(index),
        }
    }

    /// The variables a RUN's words are expanded with: [`Self::vars_at`],
    /// plus every ARG or ENV the Dockerfile declares out of this scope —
    /// in another stage, or a global ARG not re-declared here — as the empty
    /// string, which is what BuildKit gives them (`yum install
    /// tar-${VERSION}` in a stage without `ARG VERSION` installs `tar-`,
    /// unpinned). A name the RUN's own script assigns stays unknown.
    /// Variables declared nowhere stay unknown (the shell may set them).
    pub fn run_vars_at(&self, index: usize) -> std::collections::HashMap<String, String> {
        let mut vars = self.vars_at(index);
        let script = self
            .df
            .instructions
            .get(index)
            .and_then(|i| i.shell_text())
            .unwrap_or_default();
        for ins in &self.df.instructions {
            if !matches!(
                ins.keyword,
                plimsoll_dockerfile::Keyword::Arg | plimsoll_dockerfile::Keyword::Env
            ) {
                continue;
            }
            for (name, _) in ins.key_values() {
                if !vars.contains_key(&name) && !script.contains(&format!("{name}=")) {
                    vars.insert(name, String::new());
                }
            }
        }
        vars
    }

    /// Every instruction, an ONBUILD replaced by its trigger (under the
    /// ONBUILD's index): `(index, instruction)`.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + '_ {
        self.df
            .instructions
            .iter()
            .enumerate()
            .map(|(i, ins)| (i, trigger(ins).unwrap_or(ins)))
    }

    /// Whether instruction `index` is an ONBUILD (its findings are about its trigger).
    pub fn is_trigger(&self, index: usize) -> bool {
        self.df
            .instructions
            .get(index)
            .is_some_and(|i| trigger(i).is_some())
    }

    /// RUN instructions whose shell parsed, `ONBUILD RUN` triggers included:
    /// `(index, instruction, script)`.
    pub fn runs(&self) -> impl Iterator<Item = (usize, &'a Instruction, &ShellScript)> + '_ {
        self.instructions().filter_map(|(i, ins)| {
            match (&self.shells[i], &self.trigger_shells[i]) {
                (Some(s), _) | (None, Some(s)) if s.unparsed.is_none() => Some((i, ins, s)),
                _ => None,
            }
        })
    }

    /// RUN instructions of this image's stages whose shell parsed (no ONBUILD triggers).
    pub fn stage_runs(&self) -> impl Iterator<Item = (usize, &'a Instruction, &ShellScript)> + '_ {
        self.df
            .instructions
            .iter()
            .enumerate()
            .filter_map(|(i, ins)| match &self.shells[i] {
                Some(s) if s.unparsed.is_none() => Some((i, ins, s)),
                _ => None,
            })
    }

    /// Every `apt-get`/`apt` command of every parsed RUN (triggers included):
    /// `(instruction index, command, parsed apt call)`.
    pub fn apt_commands(
        &self,
    ) -> impl Iterator<Item = (usize, &ShellCommand, crate::util::Apt<'_>)> + '_ {
        self.runs().flat_map(|(i, _, sh)| {
            sh.commands
                .iter()
                .filter_map(move |cmd| crate::util::apt(cmd).map(|a| (i, cmd, a)))
        })
    }

    /// The final stage and the stages it is built `FROM`, final first.
    pub fn final_chain(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let Some(mut cur) = self.df.stages.len().checked_sub(1) else {
            return chain;
        };
        chain.push(cur);
        while let Some(parent) = self.df.stage_ref(&self.df.stages[cur].image, cur) {
            if chain.contains(&parent.index) {
                break;
            }
            chain.push(parent.index);
            cur = parent.index;
        }
        chain
    }
}

/// Every rule, in code order.
pub fn rules() -> Vec<RuleInfo> {
    rules::ALL.iter().map(|r| r.rule().info).collect()
}

/// hadolint's home, for reports that relate rules to its codes.
pub const HADOLINT_URI: &str = "https://github.com/hadolint/hadolint";

/// Every (plimsoll code, hadolint code) pair of the rules that have one.
pub fn hadolint_pairs() -> Vec<(&'static str, &'static str)> {
    rules::ALL
        .iter()
        .filter_map(|r| Some((r.rule().info.code, r.rule().hadolint?)))
        .collect()
}

/// Every rule as [`rules`] lists it, but under its hadolint code where it has
/// one (for reports keyed by hadolint's codes).
pub fn rules_under_hadolint_codes() -> Vec<RuleInfo> {
    rules::ALL
        .iter()
        .map(|r| {
            let rule = r.rule();
            RuleInfo {
                code: rule.hadolint.unwrap_or(rule.info.code),
                ..rule.info
            }
        })
        .collect()
}

/// Every rule with its hadolint counterpart.
pub fn rule_table() -> Vec<&'static DfRule> {
    rules::ALL.iter().map(|r| r.rule()).collect()
}

/// Lints one Dockerfile. Findings carry `location.path = path` and the
/// 1-based line; they are sorted by line, then code. Inline ignores on the
/// comment lines right above an instruction are honoured:
/// `# plimsoll ignore=DF001,DF002` and hadolint's `# hadolint ignore=DL3008`
/// (hadolint codes are mapped through the rule table);
/// `# hadolint global ignore=…` / `# plimsoll global ignore=…` anywhere apply
/// to the whole file.
pub fn lint(path: &str, src: &str) -> Result<Vec<Finding>, ParseError> {
    lint_with::<&str>(path, src, &[])
}

/// [`lint`] with the opt-in rules named in `enable` (by code, name or
/// hadolint code, case-insensitive) turned on as well.
pub fn lint_with<S: AsRef<str>>(
    path: &str,
    src: &str,
    enable: &[S],
) -> Result<Vec<Finding>, ParseError> {
    let options = LintOptions {
        enable: enable.iter().map(|e| e.as_ref().to_string()).collect(),
        ..LintOptions::default()
    };
    lint_with_options(path, src, &options)
}

/// [`lint`] with [`LintOptions`]: opt-in rules and trusted registries.
pub fn lint_with_options(
    path: &str,
    src: &str,
    options: &LintOptions,
) -> Result<Vec<Finding>, ParseError> {
    let df = plimsoll_dockerfile::parse(src)?;
    let ctx = LintContext::with_options(src, &df, options);
    let mut hits = Vec::new();
    let enabled = |r: &DfRule| {
        !r.opt_in
            || options
                .enable
                .iter()
                .any(|e| names_rule(e, &r.info, r.hadolint.as_slice()))
    };
    for r in rules::ALL {
        if enabled(r.rule()) {
            r.check(&ctx, &mut hits);
        }
    }
    for h in &mut hits {
        if ctx.is_trigger(h.instruction) {
            h.finding
                .message
                .push_str(" (ONBUILD trigger: runs in child images)");
        }
    }
    let global = global_ignores(&df);
    let mut out: Vec<Finding> = hits
        .into_iter()
        .filter(|h| {
            let code = h.finding.code.as_str();
            !global.contains(code) && !ignored_at(&df, h.instruction).contains(code)
        })
        .map(|h| h.finding.at_path(path))
        .collect();
    out.sort_by(|a, b| {
        (a.location.line, &a.code, &a.message).cmp(&(b.location.line, &b.code, &b.message))
    });
    Ok(out)
}

/// Parses `plimsoll ignore=…` / `hadolint ignore=…` (optionally with `global`)
/// from a comment's text: the plimsoll codes it names.
pub(crate) fn ignore_codes(text: &str, global: bool) -> Option<HashSet<&'static str>> {
    let mut words = text.split_whitespace();
    let tool = words.next()?;
    if tool != "plimsoll" && tool != "hadolint" {
        return None;
    }
    let mut rest: String = words.collect::<Vec<_>>().join(" ");
    if global {
        rest = rest.strip_prefix("global")?.trim_start().to_string();
    } else if rest.starts_with("global") {
        return None;
    }
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    let table = rule_table();
    let mut out = HashSet::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.split_whitespace().next().unwrap_or(code);
        for r in &table {
            if names_rule(code, &r.info, r.hadolint.as_slice()) {
                out.insert(r.info.code);
            }
        }
    }
    Some(out)
}

/// Codes ignored for instruction `index`: from the comment lines directly
/// above it (a contiguous block of comments ending on the line before).
fn ignored_at(df: &Dockerfile, index: usize) -> HashSet<&'static str> {
    let mut out = HashSet::new();
    let Some(ins) = df.instructions.get(index) else {
        return out;
    };
    let mut want = ins.span.line.saturating_sub(1);
    for c in df.comments.iter().rev() {
        if c.span.line > want {
            continue;
        }
        if c.span.line < want {
            break;
        }
        if let Some(codes) = ignore_codes(&c.text, false) {
            out.extend(codes);
        }
        want -= 1;
    }
    out
}

/// The trigger of an `ONBUILD` instruction.
fn trigger(ins: &Instruction) -> Option<&Instruction> {
    match &ins.args {
        Args::Onbuild(t) => Some(t),
        _ => None,
    }
}

fn global_ignores(df: &Dockerfile) -> HashSet<&'static str> {
    df.comments
        .iter()
        .filter_map(|c| ignore_codes(&c.text, true))
        .flatten()
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    /// [`run`] with a label schema (`(name, type)`; `""` is text) and
    /// strict labels on or off.
    pub fn run_with_labels(code: &str, src: &str, schema: &[(&str, &str)], strict: bool) -> String {
        let options = crate::LintOptions {
            label_schema: schema
                .iter()
                .map(|(k, t)| {
                    let ty = crate::rules::label_schema::LabelType::parse(t)
                        .unwrap_or_else(|| panic!("label type {t}"));
                    (k.to_string(), ty)
                })
                .collect(),
            strict_labels: strict,
            ..crate::LintOptions::default()
        };
        crate::lint_with_options("Dockerfile", src, &options)
            .unwrap_or_else(|e| panic!("parse error: {e}"))
            .iter()
            .filter(|f| f.code == code)
            .map(|f| format!("{}: {}\n", f.location.line.unwrap_or(0), f.message))
            .collect()
    }

    /// Lints `src` and renders the findings of rule `code` (enabled if it is
    /// opt-in) one a line, as `line: message`, for snapshot-style comparison.
    pub fn run(code: &str, src: &str) -> String {
        let findings = match crate::lint_with("Dockerfile", src, &[code]) {
            Ok(f) => f,
            Err(e) => panic!("parse error: {e}"),
        };
        findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| format!("{}: {}\n", f.location.line.unwrap_or(0), f.message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_consistent() {
        let table = rule_table();
        let mut codes = HashSet::new();
        // Codes are allocated in blocks (DF021–DF039, DF040–DF059…), so the
        // table may have gaps, but it is in code order.
        for pair in table.windows(2) {
            assert!(pair[0].info.code < pair[1].info.code, "codes in order");
        }
        for r in &table {
            assert!(
                r.info.code.len() == 5 && r.info.code.starts_with("DF"),
                "{}",
                r.info.code
            );
            assert!(codes.insert(r.info.code));
            assert!(r.info.practice.starts_with("P-"), "{}", r.info.code);
            assert!(!r.info.summary().is_empty(), "{} has no doc", r.info.code);
            if let Some(h) = r.hadolint {
                assert!(h.starts_with("DL") || h.starts_with("SC"), "{h}");
            }
        }
        assert_eq!(rules().len(), table.len());
    }

    #[test]
    fn findings_carry_path_and_line() {
        let f = lint("app/Dockerfile", "FROM debian:12\nMAINTAINER me\n").unwrap();
        let m = f.iter().find(|f| f.code == "DF010").unwrap();
        assert_eq!(m.location.path.as_deref(), Some("app/Dockerfile"));
        assert_eq!(m.location.line, Some(2));
    }

    #[test]
    fn inline_ignores() {
        let src = "FROM debian:12\n# plimsoll ignore=DF010\nMAINTAINER me\n# hadolint ignore=DL3008, DL3015\n# a note\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nUSER 1000\n";
        let codes: Vec<_> = lint("D", src)
            .unwrap()
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert!(!codes.contains(&"DF010".to_string()), "{codes:?}");
        assert!(!codes.contains(&"DF001".to_string()), "{codes:?}");
        assert!(!codes.contains(&"DF003".to_string()), "{codes:?}");
        // Not ignored: not directly above.
        let src = "FROM debian:12\n# plimsoll ignore=DF010\n\nMAINTAINER me\n";
        let codes: Vec<_> = lint("D", src)
            .unwrap()
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert!(codes.contains(&"DF010".to_string()), "{codes:?}");
        // Global.
        let src = "# hadolint global ignore=DL4000\nFROM debian:12\nMAINTAINER me\n";
        let codes: Vec<_> = lint("D", src)
            .unwrap()
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert!(!codes.contains(&"DF010".to_string()), "{codes:?}");
    }

    fn lines(src: &str) -> String {
        lint("Dockerfile", src)
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}: {}\n",
                    f.location.line.unwrap_or(0),
                    f.code,
                    f.message
                )
            })
            .collect()
    }

    #[test]
    fn onbuild_triggers_are_linted() {
        let src = "FROM debian:12\n\
                   USER 10001\n\
                   ONBUILD RUN apt-get update && apt-get install curl\n\
                   ONBUILD ADD https://example.com/a.tgz /a\n\
                   ONBUILD ADD app.py /app/\n\
                   ONBUILD RUN cd /app && sudo make\n\
                   CMD [\"app\"]\n";
        let t = " (ONBUILD trigger: runs in child images)";
        assert_eq!(
            lines(src),
            format!(
                "3 DF001: apt-get install without version pins: curl{t}\n\
                 3 DF002: `apt-get install` without `-y`{t}\n\
                 3 DF003: `apt-get install` without `--no-install-recommends`{t}\n\
                 3 DF004: `apt-get update` without removing /var/lib/apt/lists in the same RUN{t}\n\
                 4 DF017: ADD of `https://example.com/a.tgz` without --checksum{t}\n\
                 5 DF011: ADD of local files: use COPY{t}\n\
                 6 DF006: `cd /app` in RUN: use WORKDIR{t}\n\
                 6 DF007: `sudo` in RUN{t}\n"
            )
        );
    }

    #[test]
    fn onbuild_findings_honour_ignores_and_stay_out_of_stage_rules() {
        // An ignore above the ONBUILD covers its trigger.
        let src = "FROM debian:12\nUSER 10001\n# hadolint ignore=DL3014\nONBUILD RUN apt-get install --no-install-recommends curl=7 && rm -rf /var/lib/apt/lists/*\n";
        assert_eq!(lines(src), "");
        // Triggers run in child images: they do not mix with this stage's
        // tools (curl and wget) nor count as its build steps.
        let src = "FROM debian:12\nUSER 10001\nRUN wget -q https://example.com/x\nONBUILD RUN curl -fsS https://example.com/y\n";
        assert_eq!(lines(src), "");
        let df = plimsoll_dockerfile::parse(src).unwrap();
        let ctx = LintContext::new(src, &df);
        let runs: Vec<usize> = ctx.runs().map(|(i, _, _)| i).collect();
        let stage_runs: Vec<usize> = ctx.stage_runs().map(|(i, _, _)| i).collect();
        assert_eq!((runs, stage_runs), (vec![2, 3], vec![2]));
        assert!(ctx.is_trigger(3) && !ctx.is_trigger(2));
    }

    #[test]
    fn parse_errors_are_returned() {
        let e = lint("D", "FROM a\nBOGUS x\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
    }
}
