//! RUN bodies as POSIX shell, via `brush-parser`, flattened into the simple
//! commands they run.

use brush_parser::ast;

use crate::ast::Span;
use crate::offsets::OffsetMap;
use crate::parser::LineIndex;

/// One simple command: its words with quotes removed (no expansion), leading
/// `VAR=value` assignments left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    pub argv: Vec<String>,
    pub span: Span,
    /// Runs in the background (`cmd &`).
    pub background: bool,
}

impl ShellCommand {
    /// The program name (`argv[0]`), without a directory (`/usr/bin/apt-get` → `apt-get`).
    pub fn program(&self) -> &str {
        self.argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .unwrap_or("")
    }
}

/// A RUN body: every simple command (across pipelines, `&&`, `||`, `;`,
/// subshells, groups, `if`/`for`/`while`/`case` bodies, functions), and
/// which command's output is piped into which.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShellScript {
    pub commands: Vec<ShellCommand>,
    /// `(a, b)`: `commands[a] | commands[b]`.
    pub pipes: Vec<(usize, usize)>,
    /// Set when the shell parser could not parse the body: `commands` is empty.
    pub unparsed: Option<String>,
    /// `NAME=value` commands that only assign (`buildDeps='gcc make'`), in
    /// order, quotes removed: rules can see what `$NAME` holds later on.
    pub assignments: Vec<(String, String)>,
}

impl ShellScript {
    /// The last value assigned to `name` in this script, if any.
    pub fn assigned(&self, name: &str) -> Option<&str> {
        self.assignments
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl ShellScript {
    pub(crate) fn unparsed(reason: String) -> Self {
        ShellScript {
            unparsed: Some(reason),
            ..Default::default()
        }
    }

    /// The commands `commands[i]` is piped into.
    pub fn piped_into(&self, i: usize) -> impl Iterator<Item = &ShellCommand> {
        self.pipes
            .iter()
            .filter(move |(a, _)| *a == i)
            .map(|(_, b)| &self.commands[*b])
    }
}

/// Parses `text` as a shell program. `map[i]` is the source offset of byte
/// `i` of `text` (one entry more than `text.len()`), `src` the whole file
/// (for line/column). Never panics: a parse failure (or a panic in the
/// parser) gives [`ShellScript::unparsed`].
pub fn parse_shell(text: &str, map: &OffsetMap, src: &str) -> ShellScript {
    parse_shell_in(text, map, &LineIndex::new(src))
}

/// [`parse_shell`] with the file's line index built once by the caller.
pub fn parse_shell_in(text: &str, map: &OffsetMap, index: &LineIndex<'_>) -> ShellScript {
    if text.len() > MAX_SHELL_BYTES {
        // The shell parser's syntax tree costs hundreds of bytes per word: a 50 MB RUN
        // of short words took 6 GB. No real RUN comes near this size.
        return ShellScript::unparsed(format!(
            "a shell script of {} bytes (more than {} MiB): not parsed",
            text.len(),
            MAX_SHELL_BYTES >> 20
        ));
    }
    let depth = paren_depth(text);
    if depth > MAX_PAREN_DEPTH {
        return ShellScript::unparsed(format!(
            "parentheses nested {depth} deep (more than {MAX_PAREN_DEPTH}): not parsed"
        ));
    }
    if heredoc_in_closed_expansion(text) {
        return ShellScript::unparsed(
            "a here-document begun inside $(…) or ${…} that closes on the same line: not parsed"
                .to_string(),
        );
    }
    let parsed = quietly_catch_panic(|| {
        let mut parser = brush_parser::Parser::new(
            std::io::BufReader::new(text.as_bytes()),
            &brush_parser::ParserOptions::default(),
        );
        parser.parse_program()
    });
    let program = match parsed {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return ShellScript::unparsed(format!("shell parse error: {e}")),
        Err(_) => return ShellScript::unparsed("the shell parser panicked".to_string()),
    };
    // Character index → byte index in `text`.
    let char_bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut w = Walker {
        depth: 0,
        out: ShellScript::default(),
        to_span: &|start: usize, end: usize| {
            let b = |ci: usize| {
                let byte = char_bytes.get(ci).copied().unwrap_or(text.len());
                map.get(byte)
                    .or(map.last())
                    .unwrap_or(0)
                    .min(index.src().len())
            };
            let (s, e) = (b(start), b(end));
            index.span(s, e.max(s))
        },
    };
    for cc in &program.complete_commands {
        w.list(cc);
    }
    w.out
}

thread_local! {
    /// Set while this thread runs brush-parser under [`quietly_catch_panic`].
    static IN_SHELL_PARSER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a brush-parser call), turning a panic in it into `Err` without
/// the panic message on stderr: a parser fault on one RUN body is reported as
/// "not parsed" for that body, not as a crash report in the user's terminal.
/// The panic hook in force before (the default one, or libFuzzer's, which
/// aborts) still sees every other panic, on every thread, unchanged.
fn quietly_catch_panic<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_SHELL_PARSER.with(|flag| flag.get()) {
                previous(info);
            }
        }));
    });
    IN_SHELL_PARSER.with(|flag| flag.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_SHELL_PARSER.with(|flag| flag.set(false));
    result
}

/// Whether a here-document operator (`<<`, `<<-`, not `<<<`) sits inside a
/// `$(…)` or `${…}` that closes before the end of its line, so the body
/// would begin outside the expansion that opened it. brush-parser 0.4
/// panics on that (`echo ${a<<E}${b` then a newline: an unwrap in its
/// tokenizer, found by fuzzing); shells reject or warn on it too. Arithmetic
/// (`$((…))`, `$[…]`) is left alone: `<<` is a shift there.
fn heredoc_in_closed_expansion(text: &str) -> bool {
    struct Frame {
        close: char,
        arithmetic: bool,
        parens: usize,
        heredoc: bool,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut single = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => single = !single,
            _ if single => {}
            '\\' => {
                chars.next();
            }
            '\n' => stack.iter_mut().for_each(|f| f.heredoc = false),
            '$' if matches!(chars.peek(), Some('(' | '{' | '[')) => {
                let open = chars.next().unwrap_or('(');
                let arithmetic = open == '[' || (open == '(' && chars.peek() == Some(&'('));
                if arithmetic && open == '(' {
                    chars.next();
                }
                let close = match open {
                    '(' => ')',
                    '{' => '}',
                    _ => ']',
                };
                stack.push(Frame {
                    close,
                    arithmetic,
                    parens: 0,
                    heredoc: false,
                });
            }
            '(' => {
                if let Some(f) = stack.last_mut() {
                    f.parens += 1;
                }
            }
            '<' if chars.peek() == Some(&'<') => {
                chars.next();
                if chars.peek() == Some(&'<') {
                    chars.next();
                } else if let Some(f) = stack.last_mut().filter(|f| !f.arithmetic) {
                    f.heredoc = true;
                }
            }
            ')' | '}' | ']' => {
                let Some(f) = stack.last_mut() else { continue };
                if c == ')' && f.parens > 0 {
                    f.parens -= 1;
                } else if c == f.close {
                    if f.close == ')' && f.arithmetic {
                        // `))` closes `$((`.
                        if chars.peek() == Some(&')') {
                            chars.next();
                        }
                    }
                    if stack.pop().is_some_and(|f| f.heredoc) {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// How deep `(` may nest in a RUN body handed to brush-parser. Its grammar
/// backtracks on unclosed `(` (subshell or arithmetic `((`?) in time
/// exponential in their number: 26 took 8 s, found by fuzzing. Real
/// scripts nest a few levels; 16 parses in milliseconds whatever the layout.
const MAX_PAREN_DEPTH: usize = 16;

/// The longest shell script (a RUN's command line with its here-documents) that is parsed:
/// 1 MiB. Longer ones are linted as unparsed (the rules that read commands skip them).
pub const MAX_SHELL_BYTES: usize = 1 << 20;

/// The deepest nesting of `(` in `text` (`$(` and `$((` included), outside
/// single quotes and backslash escapes; inside double quotes too, since
/// command substitutions there are parsed as well.
fn paren_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut single = false;
    let mut double = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            _ if single => {}
            '\\' => {
                chars.next();
            }
            '"' => double = !double,
            '(' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

struct Walker<'a> {
    out: ShellScript,
    to_span: &'a dyn Fn(usize, usize) -> Span,
    /// Nesting of command substitutions being walked (bounded).
    depth: usize,
}

/// How deep `$( $( … ) )` is followed.
const MAX_SUBSTITUTION_DEPTH: usize = 8;

/// The bodies of the command substitutions in a word's pieces.
fn substitution_bodies(pieces: &[brush_parser::word::WordPieceWithSource], out: &mut Vec<String>) {
    use brush_parser::word::WordPiece as P;
    for p in pieces {
        match &p.piece {
            P::CommandSubstitution(body) | P::BackquotedCommandSubstitution(body) => {
                out.push(body.clone())
            }
            P::DoubleQuotedSequence(inner) | P::GettextDoubleQuotedSequence(inner) => {
                substitution_bodies(inner, out)
            }
            _ => {}
        }
    }
}

impl Walker<'_> {
    /// Walks the command substitutions of word `w`; their commands get the
    /// word's span (positions inside the substitution are not tracked).
    fn substitutions(&mut self, w: &ast::Word) {
        if !w.value.contains("$(") && !w.value.contains('`') || self.depth >= MAX_SUBSTITUTION_DEPTH
        {
            return;
        }
        let options = brush_parser::ParserOptions::default();
        let Ok(pieces) = std::panic::catch_unwind(|| brush_parser::word::parse(&w.value, &options))
        else {
            return;
        };
        let Ok(pieces) = pieces else { return };
        let mut bodies = Vec::new();
        substitution_bodies(&pieces, &mut bodies);
        let span = w
            .loc
            .as_ref()
            .map(|l| (self.to_span)(l.start.index, l.end.index));
        for body in bodies {
            let parsed = std::panic::catch_unwind(|| {
                brush_parser::Parser::new(
                    std::io::BufReader::new(body.as_bytes()),
                    &brush_parser::ParserOptions::default(),
                )
                .parse_program()
            });
            let Ok(Ok(program)) = parsed else { continue };
            let fixed = |_: usize, _: usize| span.unwrap_or_default();
            let mut inner = Walker {
                out: std::mem::take(&mut self.out),
                to_span: &fixed,
                depth: self.depth + 1,
            };
            for cc in &program.complete_commands {
                inner.list(cc);
            }
            self.out = inner.out;
        }
    }

    fn list(&mut self, list: &ast::CompoundList) {
        for ast::CompoundListItem(and_or, sep) in &list.0 {
            let bg = matches!(sep, ast::SeparatorOperator::Async);
            self.pipeline(&and_or.first, bg);
            for next in &and_or.additional {
                match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p, bg),
                }
            }
        }
    }

    fn pipeline(&mut self, p: &ast::Pipeline, bg: bool) {
        let mut prev: Option<Vec<usize>> = None;
        for cmd in &p.seq {
            let start = self.out.commands.len();
            self.command(cmd, bg);
            let end = self.out.commands.len();
            let these: Vec<usize> = (start..end).collect();
            if let Some(prev) = &prev
                && let (Some(&a), Some(&b)) = (prev.last(), these.first())
            {
                self.out.pipes.push((a, b));
            }
            if !these.is_empty() {
                prev = Some(these);
            }
        }
    }

    fn command(&mut self, cmd: &ast::Command, bg: bool) {
        match cmd {
            ast::Command::Simple(s) => self.simple(s, bg),
            ast::Command::Compound(c, _) => self.compound(c, bg),
            ast::Command::Function(f) => self.compound(&f.body.0, bg),
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, c: &ast::CompoundCommand, bg: bool) {
        use ast::CompoundCommand as C;
        match c {
            C::BraceGroup(b) => self.list(&b.list),
            C::Subshell(s) => self.list(&s.list),
            C::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.substitutions(w);
                }
                self.list(&f.body.list)
            }
            C::ArithmeticForClause(f) => self.list(&f.body.list),
            C::CaseClause(cc) => {
                self.substitutions(&cc.value);
                for item in &cc.cases {
                    if let Some(l) = &item.cmd {
                        self.list(l);
                    }
                }
            }
            C::IfClause(i) => {
                self.list(&i.condition);
                self.list(&i.then);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.list(c);
                    }
                    self.list(&e.body);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => {
                self.list(&w.0);
                self.list(&w.1.list);
            }
            C::Coprocess(c) => self.command(&c.body, bg),
            C::Arithmetic(_) => {}
        }
    }

    fn simple(&mut self, s: &ast::SimpleCommand, bg: bool) {
        // Commands in `$(…)`/`` `…` `` and `<(…)` run before this one: walk
        // them first (a pipe or a download inside `x="$(curl … | awk …)"`
        // counts like any other).
        for item in s
            .prefix
            .iter()
            .flat_map(|x| x.0.iter())
            .chain(s.suffix.iter().flat_map(|x| x.0.iter()))
        {
            match item {
                ast::CommandPrefixOrSuffixItem::Word(w)
                | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => self.substitutions(w),
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => self.list(&sub.list),
                ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
            }
        }
        if let Some(name) = &s.word_or_name {
            self.substitutions(name);
        }
        let mut argv = Vec::new();
        let mut locs = Vec::new();
        let mut word = |w: &ast::Word| {
            argv.push(brush_parser::unquote_str(&w.value));
            if let Some(l) = &w.loc {
                locs.push((l.start.index, l.end.index));
            }
        };
        if let Some(name) = &s.word_or_name {
            word(name);
        }
        for item in s.suffix.iter().flat_map(|x| x.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::Word(w)
                | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => word(w),
                _ => {}
            }
        }
        if argv.is_empty() {
            // Only assignments (or redirections): remember what they assign.
            for item in s.prefix.iter().flat_map(|x| x.0.iter()) {
                if let ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) = item {
                    let text = brush_parser::unquote_str(&w.value);
                    if let Some((name, value)) = text.split_once('=') {
                        self.out
                            .assignments
                            .push((name.to_string(), value.to_string()));
                    }
                }
            }
            return;
        }
        let start = locs.iter().map(|l| l.0).min().unwrap_or(0);
        let end = locs.iter().map(|l| l.1).max().unwrap_or(start);
        self.out.commands.push(ShellCommand {
            argv,
            span: (self.to_span)(start, end),
            background: bg,
        });
    }
}
