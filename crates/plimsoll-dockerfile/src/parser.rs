//! The line-level parser, following BuildKit's `parser.Parse`:
//! directives, continuation lines, comments, heredocs, then per-instruction
//! argument parsing (flags, JSON vs shell form).

use crate::ast::{
    Args, Comment, Directive, Dockerfile, Flag, Heredoc, Instruction, Keyword, Span, Stage,
    split_words,
};
use crate::offsets::OffsetMap;

/// A Dockerfile BuildKit would reject. `line` and `column` are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Byte offset → line/column in a Dockerfile's text. Build it once per
/// file and hand it to [`crate::parse_shell_in`] and
/// [`crate::Instruction::shell_in`]: building one per instruction made
/// linting quadratic in the number of RUN instructions.
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    /// The text it indexes.
    pub fn src(&self) -> &'a str {
        self.src
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and column of a byte offset (clamped to the text).
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.src.len());
        let l = self.line_of(offset);
        let start = self.starts[l];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (l as u32 + 1, col as u32 + 1)
    }

    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.pos(start);
        let (end_line, _) = self.pos(end.max(start));
        Span {
            start,
            end,
            line,
            column,
            end_line,
        }
    }
}

/// A physical line: its start offset and its text without the newline (and
/// without a trailing `\r`).
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(src: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < src.len() {
        let end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let text = src[start..end]
            .strip_suffix('\r')
            .unwrap_or(&src[start..end]);
        out.push(Line { start, text });
        start = if end == src.len() { end } else { end + 1 };
    }
    out
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_comment(text: &str) -> bool {
    text.trim_start_matches(is_ws).starts_with('#')
}

/// A logical line being assembled: text plus the source offset of each byte.
#[derive(Default)]
struct Joined {
    text: String,
    map: OffsetMap,
}

impl Joined {
    fn push(&mut self, s: &str, at: usize) {
        self.text.push_str(s);
        self.map.push_run(at, s.len());
    }
}

/// Strips a trailing escape character (and whitespace after it): `(text, continues)`.
fn trim_continuation(text: &str, escape: char) -> (&str, bool) {
    let t = text.trim_end_matches(is_ws);
    match t.strip_suffix(escape) {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// Parses a Dockerfile.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    Parser::new(src).run()
}

struct Parser<'a> {
    src: &'a str,
    index: LineIndex<'a>,
    escape: char,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            index: LineIndex::new(src),
            escape: '\\',
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        let (line, column) = self.index.pos(offset);
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.index.span(start, end)
    }

    fn run(mut self) -> Result<Dockerfile, ParseError> {
        let src = self.src;
        let mut lines = lines(src);
        // Byte-order mark on the first line.
        if let Some(first) = lines.first_mut()
            && let Some(rest) = first.text.strip_prefix('\u{feff}')
        {
            first.start += '\u{feff}'.len_utf8();
            first.text = rest;
        }

        // Parser directives: only at the very top, stop at the first line that is not one.
        let mut directives: Vec<Directive> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let Some((name, value)) = directive(lines[i].text) else {
                break;
            };
            let lname = name.to_ascii_lowercase();
            if !["syntax", "escape", "check"].contains(&lname.as_str()) {
                break;
            }
            if directives.iter().any(|d| d.name == lname) {
                return Err(self.err(
                    lines[i].start,
                    format!("only one {lname} parser directive can be used"),
                ));
            }
            if lname == "escape" {
                self.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(self.err(
                            lines[i].start,
                            format!("invalid escape token '{value}' does not match ` or \\"),
                        ));
                    }
                };
            }
            directives.push(Directive {
                name: lname,
                value: value.to_string(),
                span: self.span(lines[i].start, lines[i].start + lines[i].text.len()),
            });
            i += 1;
        }

        let mut comments = Vec::new();
        let mut instructions: Vec<Instruction> = Vec::new();
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let lead = line.text.len() - line.text.trim_start_matches(is_ws).len();
            let body = &line.text[lead..];
            if let Some(text) = body.strip_prefix('#') {
                comments.push(Comment {
                    text: text.trim().to_string(),
                    span: self.span(line.start + lead, line.start + line.text.len()),
                });
                continue;
            }
            let (first, mut cont) = trim_continuation(body, self.escape);
            if first.trim().is_empty() && !cont {
                continue;
            }
            let mut joined = Joined::default();
            joined.push(first, line.start + lead);
            let mut end = line.start + line.text.len();
            while cont && i < lines.len() {
                let l = lines[i];
                i += 1;
                if is_comment(l.text) {
                    comments.push(Comment {
                        text: l.text.trim_start_matches(is_ws)[1..].trim().to_string(),
                        span: self.span(l.start, l.start + l.text.len()),
                    });
                    continue;
                }
                if l.text.trim_matches(is_ws).is_empty() {
                    continue;
                }
                let (t, c) = trim_continuation(l.text, self.escape);
                joined.push(t, l.start);
                end = l.start + l.text.len();
                cont = c;
            }
            joined.map.push(end);
            if joined.text.trim().is_empty() {
                continue;
            }
            let ins = self.instruction(joined, &lines, &mut i, end, 0)?;
            instructions.push(ins);
        }

        if instructions.is_empty() {
            return Err(self.err(src.len(), "the Dockerfile has no instructions"));
        }

        // Stages.
        let mut stages: Vec<Stage> = Vec::new();
        for (idx, ins) in instructions.iter_mut().enumerate() {
            if ins.keyword == Keyword::From {
                let words = ins.words();
                let (image, name) = match words.as_slice() {
                    [image] => (image.clone(), None),
                    [image, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
                        (image.clone(), Some(name.to_ascii_lowercase()))
                    }
                    _ => {
                        return Err(ParseError {
                            line: ins.span.line,
                            column: ins.span.column,
                            message: "FROM requires either one or three arguments".into(),
                        });
                    }
                };
                if let Some(prev) = stages.last_mut() {
                    prev.instructions.end = idx;
                }
                stages.push(Stage {
                    index: stages.len(),
                    name,
                    image,
                    platform: ins.flag("platform").and_then(|f| f.value.clone()),
                    from: idx,
                    instructions: idx..idx + 1,
                    span: ins.span,
                });
            } else if stages.is_empty() && ins.keyword != Keyword::Arg {
                return Err(ParseError {
                    line: ins.span.line,
                    column: ins.span.column,
                    message: format!(
                        "{} before the first FROM: only ARG may precede FROM",
                        ins.keyword
                    ),
                });
            }
            ins.stage = stages.len().checked_sub(1);
            if let Args::Onbuild(trigger) = &mut ins.args {
                trigger.stage = ins.stage;
            }
        }
        let total = instructions.len();
        if let Some(last) = stages.last_mut() {
            last.instructions.end = total;
        }
        if stages.is_empty() {
            return Err(self.err(src.len(), "the Dockerfile has no FROM instruction"));
        }

        Ok(Dockerfile {
            directives,
            stages,
            instructions,
            comments,
            escape: self.escape,
        })
    }

    /// Parses one logical line into an instruction; reads heredoc bodies from
    /// `lines[*i..]`.
    fn instruction(
        &self,
        joined: Joined,
        lines: &[Line<'_>],
        i: &mut usize,
        mut end: usize,
        depth: usize,
    ) -> Result<Instruction, ParseError> {
        let text = joined.text.as_str();
        let map = &joined.map;
        // Every position of the joined text (and just past it) is mapped.
        let line_end = end;
        let m = |i: usize| map.get(i).unwrap_or(line_end);
        let kw_start = text.len() - text.trim_start().len();
        let kw_end = text[kw_start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |e| kw_start + e);
        let raw = &text[kw_start..kw_end];
        let Some(keyword) = Keyword::parse(raw) else {
            // Quoted with control characters escaped and cut at 40 characters: the word
            // may be anything (a binary file's bytes) and ends up in a terminal or a log.
            let mut shown: String = raw.chars().take(40).flat_map(char::escape_debug).collect();
            if raw.chars().nth(40).is_some() {
                shown.push('…');
            }
            return Err(self.err(m(kw_start), format!("unknown instruction: {shown}")));
        };

        // Flags: `--name[=value]` words at the start of the arguments.
        let mut flags = Vec::new();
        let mut pos = kw_end;
        let allows_flags = !keyword.known_flags().is_empty();
        loop {
            let rest = &text[pos..];
            let ws = rest.len() - rest.trim_start().len();
            let at = pos + ws;
            if !allows_flags || !text[at..].starts_with("--") {
                pos = at;
                break;
            }
            let len = word_len(&text[at..], self.escape);
            let word = &text[at..at + len];
            let body = &word[2..];
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(unquote(v, self.escape))),
                None => (body, None),
            };
            if name.is_empty() {
                // `--` alone: BuildKit treats it as the end of flags.
                pos = at + len;
                break;
            }
            if !keyword
                .known_flags()
                .contains(&name.to_ascii_lowercase().as_str())
            {
                return Err(self.err(m(at), format!("unknown flag: {name}")));
            }
            flags.push(Flag {
                name: name.to_ascii_lowercase(),
                value,
                span: self.span(m(at), m(at + len)),
            });
            pos = at + len;
        }
        let args_text = text[pos..].trim_end().to_string();
        let args_map = map.from(pos);
        let args_span = self.span(m(pos), map.last().unwrap_or(end));

        let needs_args = !matches!(keyword, Keyword::Healthcheck);
        if args_text.is_empty() && needs_args {
            return Err(self.err(
                m(kw_start),
                format!("{} requires at least one argument", keyword.as_str()),
            ));
        }

        let args = match keyword {
            Keyword::Onbuild => {
                if depth > 0 {
                    return Err(self.err(m(kw_start), "ONBUILD ONBUILD isn't allowed"));
                }
                let inner = Joined {
                    text: text[pos..].to_string(),
                    map: map.from(pos),
                };
                let ins = self.instruction(inner, lines, i, end, depth + 1)?;
                if matches!(ins.keyword, Keyword::From | Keyword::Maintainer) {
                    return Err(self.err(
                        m(pos),
                        format!("{} isn't allowed as an ONBUILD trigger", ins.keyword),
                    ));
                }
                end = end.max(ins.span.end);
                Args::Onbuild(Box::new(ins))
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                match parse_json(&args_text) {
                    Some(v) => Args::Exec(v),
                    None if keyword == Keyword::Shell => {
                        return Err(
                            self.err(m(pos), "SHELL requires the arguments to be in JSON form")
                        );
                    }
                    None if keyword == Keyword::Run && args_text.contains("<<") => {
                        self.heredocs(args_text, lines, i, &mut end)?
                    }
                    None => Args::Shell(args_text),
                }
            }
            Keyword::Copy | Keyword::Add => match parse_json(&args_text) {
                Some(v) => Args::Exec(v),
                None if args_text.contains("<<") => self.heredocs(args_text, lines, i, &mut end)?,
                None => Args::Shell(args_text),
            },
            Keyword::Volume => match parse_json(&args_text) {
                Some(v) => Args::Exec(v),
                None => Args::Shell(args_text),
            },
            Keyword::Healthcheck => {
                let words = split_words(&args_text, self.escape);
                match words.first().map(|w| w.to_ascii_uppercase()).as_deref() {
                    Some("NONE") if words.len() == 1 => Args::Shell(args_text),
                    Some("NONE") => {
                        return Err(self.err(m(pos), "HEALTHCHECK NONE takes no arguments"));
                    }
                    Some("CMD") => Args::Shell(args_text),
                    _ => {
                        return Err(self.err(
                            m(pos.min(map.len().saturating_sub(1))),
                            "HEALTHCHECK requires CMD or NONE",
                        ));
                    }
                }
            }
            Keyword::From => {
                let n = split_words(&args_text, self.escape).len();
                if n != 1 && n != 3 {
                    return Err(self.err(m(pos), "FROM requires either one or three arguments"));
                }
                Args::Shell(args_text)
            }
            Keyword::Env | Keyword::Label => {
                let words = split_words(&args_text, self.escape);
                if !words[0].contains('=') && words.len() < 2 {
                    return Err(self.err(m(pos), format!("{keyword} must have two arguments")));
                }
                if words[0].contains('=') {
                    if let Some(bad) = words.iter().find(|w| !w.contains('=')) {
                        return Err(self.err(
                            m(pos),
                            format!("{keyword} names can not be blank: `{bad}` has no `=`"),
                        ));
                    }
                    if words.iter().any(|w| w.starts_with('=')) {
                        return Err(self.err(m(pos), format!("{keyword} names can not be blank")));
                    }
                }
                Args::Shell(args_text)
            }
            _ => Args::Shell(args_text),
        };

        Ok(Instruction {
            keyword,
            keyword_raw: raw.to_string(),
            span: self.span(m(kw_start), end),
            flags,
            args,
            args_span,
            stage: None,
            escape: self.escape,
            args_map,
        })
    }

    /// Reads the bodies of the heredocs named on `line` from the lines that follow.
    fn heredocs(
        &self,
        line: String,
        lines: &[Line<'_>],
        i: &mut usize,
        end: &mut usize,
    ) -> Result<Args, ParseError> {
        let names = heredoc_names(&line, self.escape);
        if names.is_empty() {
            return Ok(Args::Shell(line));
        }
        let start_line = *i;
        let mut heredocs = Vec::new();
        for (fd, strip_tabs, quoted, name) in names {
            let body_start = lines.get(*i).map_or(self.src.len(), |l| l.start);
            let mut content = String::new();
            let mut terminated = false;
            while *i < lines.len() {
                let l = lines[*i];
                *i += 1;
                let candidate = if strip_tabs {
                    l.text.trim_start_matches('\t')
                } else {
                    l.text
                };
                *end = l.start + l.text.len();
                if candidate == name {
                    terminated = true;
                    break;
                }
                content.push_str(if strip_tabs {
                    l.text.trim_start_matches('\t')
                } else {
                    l.text
                });
                content.push('\n');
            }
            if !terminated {
                let at = lines
                    .get(start_line.saturating_sub(1))
                    .map_or(self.src.len(), |l| l.start);
                return Err(self.err(at, format!("unterminated heredoc {name}")));
            }
            heredocs.push(Heredoc {
                name,
                content,
                strip_tabs,
                quoted,
                fd,
                span: self.span(body_start, *end),
            });
        }
        Ok(Args::Heredocs { line, heredocs })
    }
}

/// `# name = value` at the top of the file.
fn directive(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('#')?.trim_start_matches(is_ws);
    let name_len = rest
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if name_len == 0 {
        return None;
    }
    let (name, rest) = rest.split_at(name_len);
    let value = rest.trim_start_matches(is_ws).strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

/// Length of the shell-like word at the start of `s` (quotes and escapes respected).
fn word_len(s: &str, escape: char) -> usize {
    let mut quote: Option<char> = None;
    let mut it = s.char_indices();
    while let Some((i, c)) = it.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => {
                it.next();
            }
            Some(_) => {}
            None if c.is_whitespace() => return i,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == escape => {
                it.next();
            }
            None => {}
        }
    }
    s.len()
}

fn unquote(s: &str, escape: char) -> String {
    split_words(s, escape).join(" ")
}

/// BuildKit's `parseMaybeJSON`: a JSON array of strings, else `None` (shell form).
fn parse_json(s: &str) -> Option<Vec<String>> {
    let t = s.trim();
    if !t.starts_with('[') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(t).ok()?;
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The heredocs named on an instruction line: `(fd, strip_tabs, quoted, name)`.
/// A word `[n]<<[-]NAME`, `<<"NAME"`, `<<'NAME'` (as BuildKit: words that
/// start with `<<` after optional fd digits); `<<<` (here-string) is not one.
fn heredoc_names(line: &str, escape: char) -> Vec<(Option<u32>, bool, bool, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let len = word_len(rest, escape).max(1);
        let word = &rest[..len];
        rest = &rest[len..];
        let digits_len = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(after) = word[digits_len..].strip_prefix("<<") else {
            continue;
        };
        if after.starts_with('<') {
            continue;
        }
        let fd = word[..digits_len].parse().ok();
        let (strip_tabs, mut after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        if after.is_empty() {
            // `<< EOF`: the delimiter is the next word.
            rest = rest.trim_start();
            let len = word_len(rest, escape);
            after = &rest[..len];
            rest = &rest[len..];
        }
        let quoted = after.contains('"') || after.contains('\'') || after.contains(escape);
        let name: String = unquote(after, escape)
            .chars()
            .take_while(|c| !matches!(c, ';' | '&' | '|' | ')' | '<' | '>'))
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push((fd, strip_tabs, quoted, name));
    }
    out
}
