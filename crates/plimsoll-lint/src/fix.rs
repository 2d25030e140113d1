//! `plimsoll lint --fix`: the safe, mechanical fixes, applied to the source
//! text with its own spans so everything else (comments, continuations,
//! indentation) stays as written.
//!
//! Fixed: `-y` for apt-get (DF002), `--no-install-recommends` (DF003), apt
//! list removal at the end of the RUN that updates (DF004), MAINTAINER to
//! `LABEL maintainer=` (DF010), and the exec form for a CMD/ENTRYPOINT whose
//! words need no shell (DF014). Fixes are computed from findings, applied
//! without overlap, and the file is linted again until nothing more can be
//! fixed; a second run therefore changes nothing.

use plimsoll_dockerfile::{Args, Dockerfile, Instruction, Keyword, ParseError};

use crate::util::apt;

/// Codes `--fix` knows how to fix.
pub const FIXABLE: &[&str] = &["DF002", "DF003", "DF004", "DF010", "DF014"];

/// A replacement of `src[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// What `fix` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub source: String,
    /// (code, line in the input as it was when fixed), in the order applied.
    pub applied: Vec<(String, u32)>,
}

/// Applies every safe fix to `src` for the findings `lint` would report
/// (`keep` decides which findings count, e.g. after config ignores).
pub fn fix(
    src: &str,
    lint: impl Fn(&str) -> Result<Vec<plimsoll_report::Finding>, ParseError>,
) -> Result<Fixed, ParseError> {
    let mut source = src.to_string();
    let mut applied = Vec::new();
    // Each round fixes what does not overlap; a later round sees the result.
    for _ in 0..16 {
        let findings = lint(&source)?;
        let df = plimsoll_dockerfile::parse(&source)?;
        let mut edits: Vec<(Edit, String, u32)> = Vec::new();
        for f in &findings {
            if !FIXABLE.contains(&f.code.as_str()) {
                continue;
            }
            let Some(line) = f.location.line else {
                continue;
            };
            for e in edits_for(&df, &source, &f.code, line) {
                edits.push((e, f.code.clone(), line));
            }
        }
        edits.sort_by_key(|(e, _, _)| (e.start, e.end));
        // Keep the first of any overlapping (or same-point) edits.
        let mut chosen: Vec<(Edit, String, u32)> = Vec::new();
        for e in edits {
            if chosen
                .last()
                .is_none_or(|(last, _, _)| e.0.start >= last.end && e.0.start > last.start)
            {
                chosen.push(e);
            }
        }
        if chosen.is_empty() {
            break;
        }
        for (e, code, line) in chosen.into_iter().rev() {
            source.replace_range(e.start..e.end, &e.text);
            applied.push((code, line));
        }
    }
    applied.reverse();
    Ok(Fixed { source, applied })
}

/// The instruction that spans `line` (for an ONBUILD, its trigger: the
/// trigger's spans point into the same source).
fn instruction_at(df: &Dockerfile, line: u32) -> Option<&Instruction> {
    let ins = df
        .instructions
        .iter()
        .find(|i| i.span.line <= line && line <= i.span.end_line.max(i.span.line))?;
    match &ins.args {
        Args::Onbuild(trigger) => Some(trigger),
        _ => Some(ins),
    }
}

fn edits_for(df: &Dockerfile, src: &str, code: &str, line: u32) -> Vec<Edit> {
    let Some(ins) = instruction_at(df, line) else {
        return Vec::new();
    };
    match code {
        "DF002" => apt_insert(
            ins,
            src,
            line,
            |a| {
                !a.has_yes()
                    && matches!(
                        a.sub,
                        "install"
                            | "upgrade"
                            | "dist-upgrade"
                            | "full-upgrade"
                            | "remove"
                            | "purge"
                            | "autoremove"
                    )
            },
            " -y",
        ),
        "DF003" => apt_insert(
            ins,
            src,
            line,
            |a| a.sub == "install" && !a.has_no_recommends(),
            " --no-install-recommends",
        ),
        "DF004" => lists_cleanup(ins, src),
        "DF010" => maintainer(ins, src),
        "DF014" => exec_form(ins, src),
        _ => Vec::new(),
    }
}

/// Inserts `text` after the apt subcommand word of the apt command(s) on
/// `line` that `wants` it.
fn apt_insert(
    ins: &Instruction,
    src: &str,
    line: u32,
    wants: impl Fn(&crate::util::Apt<'_>) -> bool,
    text: &str,
) -> Vec<Edit> {
    let Some(sh) = ins.shell(src) else {
        return Vec::new();
    };
    if !matches!(ins.args, Args::Shell(_)) {
        return Vec::new(); // heredoc bodies: left to the author
    }
    let mut out = Vec::new();
    for c in &sh.commands {
        if c.span.line != line {
            continue;
        }
        let Some(a) = apt(c) else { continue };
        if !wants(&a) {
            continue;
        }
        let Some(at) = word_end(src, c.span.start, c.span.end, a.sub) else {
            continue;
        };
        out.push(Edit {
            start: at,
            end: at,
            text: text.to_string(),
        });
    }
    out
}

/// The end offset of the first whole word `word` in `src[start..end]`.
fn word_end(src: &str, start: usize, end: usize, word: &str) -> Option<usize> {
    let hay = src.get(start..end)?;
    let mut from = 0;
    while let Some(pos) = hay[from..].find(word) {
        let s = from + pos;
        let e = s + word.len();
        let before = hay[..s].chars().next_back();
        let after = hay[e..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '\\');
        if boundary(before) && boundary(after) {
            return Some(start + e);
        }
        from = e;
    }
    None
}

/// Appends the list removal to a shell-form RUN that runs `apt-get update`.
fn lists_cleanup(ins: &Instruction, src: &str) -> Vec<Edit> {
    let Args::Shell(_) = &ins.args else {
        return Vec::new();
    };
    let text = src
        .get(ins.args_span.start..ins.args_span.end)
        .unwrap_or("");
    // A trailing `;`/`&` or comment would make the appended `&&` wrong.
    let trimmed = text.trim_end();
    if trimmed.is_empty() || trimmed.ends_with([';', '&', '|', '\\']) || trimmed.contains('#') {
        return Vec::new();
    }
    let at = ins.args_span.start + trimmed.len();
    vec![Edit {
        start: at,
        end: at,
        text: " \\\n    && rm -rf /var/lib/apt/lists/*".to_string(),
    }]
}

/// `MAINTAINER name` -> `LABEL maintainer="name"`.
fn maintainer(ins: &Instruction, src: &str) -> Vec<Edit> {
    if ins.keyword != Keyword::Maintainer {
        return Vec::new();
    }
    let Some(value) = ins.shell_text().map(str::trim) else {
        return Vec::new();
    };
    let end = ins.args_span.end.max(ins.span.start);
    let raw = src.get(ins.span.start..end).unwrap_or("");
    if raw.contains('\n') {
        return Vec::new(); // continued over lines: leave it
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    vec![Edit {
        start: ins.span.start,
        end,
        text: format!("LABEL maintainer=\"{escaped}\""),
    }]
}

/// A shell-form CMD/ENTRYPOINT whose words need no shell, as JSON.
fn exec_form(ins: &Instruction, src: &str) -> Vec<Edit> {
    if !matches!(ins.keyword, Keyword::Cmd | Keyword::Entrypoint) {
        return Vec::new();
    }
    let Args::Shell(text) = &ins.args else {
        return Vec::new();
    };
    // Anything a shell would interpret changes meaning without one.
    let shell_syntax = |c: char| "$`|&;<>()*?[]~{}'\"\\#!=\n".contains(c);
    if text.trim().is_empty() || text.chars().any(shell_syntax) {
        return Vec::new();
    }
    if src
        .get(ins.args_span.start..ins.args_span.end)
        .is_none_or(|s| s.contains('\n'))
    {
        return Vec::new();
    }
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    vec![Edit {
        start: ins.args_span.start,
        end: ins.args_span.end,
        text: format!("[{}]", words.join(", ")),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Fixed {
        fix(src, |s| crate::lint("Dockerfile", s)).unwrap()
    }

    #[test]
    fn apt_fixes_and_idempotence() {
        let src = "FROM debian:12\n\
                   # keep this comment\n\
                   RUN apt-get update && \\\n    apt-get install curl ca-certificates\n\
                   USER app\n";
        let once = run(src);
        assert_eq!(
            once.source,
            "FROM debian:12\n\
             # keep this comment\n\
             RUN apt-get update && \\\n    apt-get install --no-install-recommends -y curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\n\
             USER app\n"
        );
        let codes: Vec<&str> = once.applied.iter().map(|(c, _)| c.as_str()).collect();
        assert!(
            codes.contains(&"DF002") && codes.contains(&"DF003") && codes.contains(&"DF004"),
            "{codes:?}"
        );
        let twice = run(&once.source);
        assert_eq!(twice.source, once.source, "a second --fix changed the file");
        assert!(twice.applied.is_empty());
        // The fixed file no longer has those findings.
        let left = crate::lint("Dockerfile", &once.source).unwrap();
        assert!(
            !left.iter().any(|f| FIXABLE.contains(&f.code.as_str())),
            "{left:?}"
        );
    }

    #[test]
    fn maintainer_and_exec_form() {
        let src = "FROM debian:12\nMAINTAINER Jane \"JD\" Doe <jane@example.com>\nUSER app\nCMD node server.js --port 8080\nENTRYPOINT run $HOME\n";
        let f = run(src);
        assert_eq!(
            f.source,
            "FROM debian:12\nLABEL maintainer=\"Jane \\\"JD\\\" Doe <jane@example.com>\"\nUSER app\nCMD [\"node\", \"server.js\", \"--port\", \"8080\"]\nENTRYPOINT run $HOME\n"
        );
        // `$HOME` needs a shell: not rewritten, still reported.
        let left = crate::lint("Dockerfile", &f.source).unwrap();
        assert_eq!(left.iter().filter(|x| x.code == "DF014").count(), 1);
        assert_eq!(run(&f.source).source, f.source);
    }

    #[test]
    fn onbuild_triggers() {
        let src = "FROM debian:12\nONBUILD RUN apt-get update && apt-get install curl\nONBUILD CMD node app.js\n";
        let f = run(src);
        assert_eq!(
            f.source,
            "FROM debian:12\nONBUILD RUN apt-get update && apt-get install --no-install-recommends -y curl \\\n    && rm -rf /var/lib/apt/lists/*\nONBUILD CMD [\"node\", \"app.js\"]\n"
        );
        assert_eq!(run(&f.source).source, f.source);
    }

    #[test]
    fn heredocs_and_odd_endings_are_left_alone() {
        let src = "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install curl\nEOF\nRUN apt-get update; apt-get install -y --no-install-recommends x;\nUSER app\n";
        let f = run(src);
        assert_eq!(f.source, src);
    }
}
