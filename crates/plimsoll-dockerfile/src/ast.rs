//! The syntax tree.

use std::collections::HashMap;
use std::fmt;

use crate::shell::{ShellScript, parse_shell_in};

/// A range of the source: byte offsets `start..end`, and the 1-based line
/// and column (in characters) of `start`, plus the 1-based line of `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
}

/// A parser directive at the top of the file (`# syntax=…`, `# escape=…`, `# check=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// A comment line (text after `#`, trimmed) that is not a parser directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// An instruction keyword. Keywords are case-insensitive in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
        }
    }

    /// Case-insensitive lookup.
    pub fn parse(word: &str) -> Option<Keyword> {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
    }

    /// The flags BuildKit accepts on this instruction.
    pub(crate) fn known_flags(self) -> &'static [&'static str] {
        match self {
            Keyword::From => &["platform"],
            Keyword::Run => &["mount", "network", "security", "device"],
            Keyword::Copy => &[
                "from", "chown", "chmod", "link", "parents", "exclude", "platform",
            ],
            Keyword::Add => &[
                "chown",
                "chmod",
                "link",
                "checksum",
                "keep-git-dir",
                "exclude",
                "unpack",
                "parents",
            ],
            Keyword::Healthcheck => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => &[],
        }
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `--name=value` (or `--name`) before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading `--`.
    pub name: String,
    /// Quotes removed; `None` for a bare `--link`.
    pub value: Option<String>,
    pub span: Span,
}

/// A here-document (`<<EOF` … `EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter, without quotes.
    pub name: String,
    /// The body, each line ending in `\n`; with `<<-`, leading tabs removed.
    pub content: String,
    /// `<<-`: leading tabs are stripped.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no variable expansion in the body.
    pub quoted: bool,
    /// The file descriptor before `<<` (`3<<EOF`), if any.
    pub fd: Option<u32>,
    /// The span of the body and the terminating line.
    pub span: Span,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// JSON (exec) form: `["nginx", "-g", "daemon off;"]`.
    Exec(Vec<String>),
    /// Shell form: the rest of the line (continuations joined, as BuildKit
    /// does: the escape and newline removed).
    Shell(String),
    /// Shell form with here-documents: `line` is the instruction line after
    /// the flags (`<<EOF` or `python3 <<EOF` or `<<EOF /dest`).
    Heredocs {
        line: String,
        heredocs: Vec<Heredoc>,
    },
    /// ONBUILD's trigger.
    Onbuild(Box<Instruction>),
}

/// One instruction, with its continuation lines and heredoc bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (`run`, `Run`, `RUN`).
    pub keyword_raw: String,
    /// From the keyword to the end of the last line (heredocs included).
    pub span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Where the arguments start (after the flags) to the end of the logical line.
    pub args_span: Span,
    /// The stage this instruction belongs to (index into `Dockerfile::stages`);
    /// `None` for ARGs before the first FROM.
    pub stage: Option<usize>,
    /// The escape character in force (`\\` or `` ` ``).
    pub escape: char,
    /// Offsets of the joined line back into the source (each byte, plus the end).
    pub(crate) args_map: crate::OffsetMap,
}

impl Instruction {
    /// The first flag named `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Shell-like words of the arguments (quotes removed). For exec form, the
    /// JSON strings; for heredocs, the words of the instruction line.
    pub fn words(&self) -> Vec<String> {
        match &self.args {
            Args::Exec(v) => v.clone(),
            Args::Shell(s) | Args::Heredocs { line: s, .. } => split_words(s, self.escape),
            Args::Onbuild(_) => Vec::new(),
        }
    }

    /// The shell text of a shell-form argument (`Shell` or the heredoc line).
    pub fn shell_text(&self) -> Option<&str> {
        match &self.args {
            Args::Shell(s) | Args::Heredocs { line: s, .. } => Some(s),
            _ => None,
        }
    }

    /// `ENV`/`LABEL`/`ARG` key-value pairs: `k=v` words, or `ENV k v` (legacy).
    /// ARG without a default yields `(name, None)`.
    pub fn key_values(&self) -> Vec<(String, Option<String>)> {
        let Some(text) = self.shell_text() else {
            return Vec::new();
        };
        let words = split_words(text, self.escape);
        if words.is_empty() {
            return Vec::new();
        }
        let legacy =
            matches!(self.keyword, Keyword::Env | Keyword::Label) && !words[0].contains('=');
        if legacy {
            // `ENV key value with spaces`: the rest of the raw text is the value.
            let t = text.trim_start();
            let key_end = t.find(char::is_whitespace).unwrap_or(t.len());
            let (k, rest) = t.split_at(key_end);
            let value = split_words(rest, self.escape).join(" ");
            return vec![(k.to_string(), Some(value))];
        }
        words
            .into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (w, None),
            })
            .collect()
    }

    /// For RUN (shell form or heredocs): the shell program, parsed.
    /// `None` for exec form and other instructions.
    pub fn shell(&self, src: &str) -> Option<ShellScript> {
        if self.keyword != Keyword::Run {
            return None;
        }
        self.shell_in(&crate::LineIndex::new(src))
    }

    /// [`Instruction::shell`] with the file's line index built once by the
    /// caller (linting a file parses every RUN: one index for all).
    pub fn shell_in(&self, index: &crate::LineIndex<'_>) -> Option<ShellScript> {
        if self.keyword != Keyword::Run {
            return None;
        }
        let src = index.src();
        match &self.args {
            Args::Shell(s) => Some(parse_shell_in(s, &self.args_map, index)),
            Args::Heredocs { line, heredocs } => {
                let only_heredoc = split_words(line, self.escape).len() == 1 && heredocs.len() == 1;
                if only_heredoc {
                    // `RUN <<EOF`: the body is the script (BuildKit runs it as a file).
                    let h = &heredocs[0];
                    if let Some(first) = h.content.lines().next()
                        && first.starts_with("#!")
                        && !plimsoll_practice::shells::SHELLS.iter().any(|s| {
                            first.ends_with(&format!("/{}", s.name))
                                || first.ends_with(&format!(" {}", s.name))
                        })
                    {
                        return Some(ShellScript::unparsed(format!(
                            "heredoc script with interpreter `{}`",
                            first.trim_start_matches("#!").trim()
                        )));
                    }
                    let (text, mut map) = heredoc_source(h, src);
                    map.push(h.span.end);
                    Some(parse_shell_in(&text, &map, index))
                } else {
                    // The whole thing is one shell program with here-documents.
                    let mut text = line.clone();
                    let mut map = self.args_map.slice(0, line.len());
                    for h in heredocs {
                        text.push('\n');
                        map.push(h.span.start);
                        let (body, body_map) = heredoc_source(h, src);
                        text.push_str(&body);
                        map.extend(&body_map);
                        text.push_str(&h.name);
                        text.push('\n');
                        map.push_repeat(h.span.end, h.name.len() + 1);
                    }
                    map.push(self.span.end);
                    Some(parse_shell_in(&text, &map, index))
                }
            }
            _ => None,
        }
    }
}

/// A heredoc body for shell parsing, with the source offset of each byte:
/// the raw source lines (tabs kept, so offsets are exact) when they are
/// plain `\n` lines, else the processed content.
fn heredoc_source(h: &Heredoc, src: &str) -> (String, crate::OffsetMap) {
    let raw = src.get(h.span.start..h.span.end).unwrap_or("");
    // Drop the terminator line.
    let body = raw.rfind('\n').map_or("", |i| &raw[..=i]);
    if !body.contains('\r') && body.len() >= h.content.len() {
        let mut map = crate::OffsetMap::default();
        map.push_run(h.span.start, body.len());
        return (body.to_string(), map);
    }
    let map = crate::OffsetMap::linear(h.span.start, h.content.len(), h.span.end);
    (h.content.clone(), map)
}

/// A build stage: a FROM and the instructions after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index in `Dockerfile::stages`.
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit does.
    pub name: Option<String>,
    /// The image reference as written (variables not expanded).
    pub image: String,
    pub platform: Option<String>,
    /// Index of the FROM instruction in `Dockerfile::instructions`.
    pub from: usize,
    /// Instructions of the stage (indices), FROM included.
    pub instructions: std::ops::Range<usize>,
    /// Span of the FROM line.
    pub span: Span,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    pub stages: Vec<Stage>,
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
    /// The escape character in force (`\\` unless `# escape=`` ` ``).
    pub escape: char,
}

impl Dockerfile {
    /// The directive named `name` (lower case), if present.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The stage named `name` (case-insensitive) or with that index, defined
    /// before stage `before`.
    pub fn stage_ref(&self, name: &str, before: usize) -> Option<&Stage> {
        if let Ok(i) = name.parse::<usize>() {
            return self.stages.get(i).filter(|s| s.index < before);
        }
        self.stages[..before.min(self.stages.len())]
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
    }

    /// The variables (ARG defaults and ENV values) visible at instruction
    /// `index`, as BuildKit scopes them: global ARGs (before the first FROM)
    /// for FROM lines; inside a stage, ENVs and ARGs of the stage (a global
    /// ARG becomes visible when re-declared with `ARG NAME`), and ENVs of the
    /// stages it is built `FROM`.
    pub fn vars_at(&self, index: usize) -> HashMap<String, String> {
        let Some(ins) = self.instructions.get(index) else {
            return HashMap::new();
        };
        let globals = self.global_args();
        match ins.stage {
            None => {
                // Before the first FROM: the global ARGs declared so far.
                let mut out = HashMap::new();
                for a in self.instructions[..index]
                    .iter()
                    .filter(|a| a.keyword == Keyword::Arg)
                {
                    for (k, v) in a.key_values() {
                        if let Some(v) = v {
                            let v = crate::expand(&v, &out);
                            out.insert(k, v);
                        }
                    }
                }
                out
            }
            Some(_) if ins.keyword == Keyword::From => globals
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect(),
            Some(stage) => {
                let mut out = self.stage_base_vars(stage);
                self.fold_vars(
                    &mut out,
                    self.stages[stage].instructions.start..index,
                    &globals,
                );
                out
            }
        }
    }

    /// Global ARGs (before the first FROM), with their defaults expanded.
    fn global_args(&self) -> HashMap<String, Option<String>> {
        let mut globals: HashMap<String, Option<String>> = HashMap::new();
        for ins in self.instructions.iter().take_while(|i| i.stage.is_none()) {
            if ins.keyword == Keyword::Arg {
                for (k, v) in ins.key_values() {
                    let known: HashMap<String, String> = globals
                        .iter()
                        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
                        .collect();
                    globals.insert(k, v.map(|v| crate::expand(&v, &known)));
                }
            }
        }
        globals
    }

    /// What a stage starts with: the ENVs of the stages it is built FROM.
    fn stage_base_vars(&self, stage: usize) -> HashMap<String, String> {
        let mut out = HashMap::new();
        let mut chain = vec![stage];
        let mut cur = stage;
        while let Some(parent) = self.stage_ref(&self.stages[cur].image, cur) {
            if chain.contains(&parent.index) {
                break;
            }
            chain.push(parent.index);
            cur = parent.index;
        }
        for &s in chain.iter().skip(1).rev() {
            for ins in &self.instructions[self.stages[s].instructions.clone()] {
                if ins.keyword == Keyword::Env {
                    for (k, v) in ins.key_values() {
                        out.insert(k, v.unwrap_or_default());
                    }
                }
            }
        }
        out
    }

    /// Applies the ENVs and ARGs of `range` (inside one stage) to `out`.
    fn fold_vars(
        &self,
        out: &mut HashMap<String, String>,
        range: std::ops::Range<usize>,
        globals: &HashMap<String, Option<String>>,
    ) {
        for ins in &self.instructions[range] {
            match ins.keyword {
                Keyword::Env => {
                    for (k, v) in ins.key_values() {
                        let v = crate::expand(&v.unwrap_or_default(), out);
                        out.insert(k, v);
                    }
                }
                Keyword::Arg => {
                    for (k, v) in ins.key_values() {
                        let v = v
                            .map(|v| crate::expand(&v, out))
                            .or_else(|| globals.get(&k).cloned().flatten());
                        if let Some(v) = v {
                            out.entry(k).or_insert(v);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// [`Dockerfile::vars_at`] for a caller that asks about instructions in
    /// increasing order (every rule does): each answer continues from the
    /// previous one in the same stage, so a pass over the file is linear
    /// rather than quadratic in its length.
    pub fn vars_cursor(&self) -> VarsCursor<'_> {
        VarsCursor {
            df: self,
            globals: None,
            last: None,
        }
    }

    /// The instructions of stage `i`.
    pub fn stage_instructions(&self, i: usize) -> &[Instruction] {
        match self.stages.get(i) {
            Some(s) => &self.instructions[s.instructions.clone()],
            None => &[],
        }
    }
}

/// Splits shell-like words: whitespace separates, quotes group and are
/// removed, the escape character escapes the next character (kept literally
/// inside double quotes except before `"`, the escape itself and `$`).
pub fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    cur.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == escape {
                    match chars.peek() {
                        Some(&n) if n == '"' || n == escape || n == '$' => {
                            cur.push(n);
                            chars.next();
                        }
                        _ => cur.push(c),
                    }
                } else {
                    cur.push(c);
                }
            }
            None => {
                if c.is_whitespace() {
                    if in_word {
                        out.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                    continue;
                }
                in_word = true;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == escape {
                    match chars.next() {
                        Some(n) => cur.push(n),
                        None => cur.push(c),
                    }
                } else {
                    cur.push(c);
                }
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// See [`Dockerfile::vars_cursor`].
pub struct VarsCursor<'a> {
    df: &'a Dockerfile,
    globals: Option<HashMap<String, Option<String>>>,
    /// (stage, instruction index, the variables visible there).
    last: Option<(usize, usize, HashMap<String, String>)>,
}

impl VarsCursor<'_> {
    /// The variables visible at instruction `index` (as `vars_at`).
    pub fn at(&mut self, index: usize) -> HashMap<String, String> {
        let df = self.df;
        let Some(stage) = df
            .instructions
            .get(index)
            .filter(|i| i.keyword != Keyword::From)
            .and_then(|i| i.stage)
        else {
            return df.vars_at(index);
        };
        let globals = self.globals.get_or_insert_with(|| df.global_args());
        let (from, mut vars) = match self.last.take() {
            Some((s, i, vars)) if s == stage && i <= index => (i, vars),
            _ => (
                df.stages[stage].instructions.start,
                df.stage_base_vars(stage),
            ),
        };
        df.fold_vars(&mut vars, from..index, globals);
        self.last = Some((stage, index, vars.clone()));
        vars
    }
}
