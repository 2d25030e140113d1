//! A hand-written Dockerfile parser that follows BuildKit's grammar
//! (`moby/buildkit/frontend/dockerfile/parser`), with a source span on every
//! node, and RUN bodies parsed as POSIX shell (with `brush-parser`).
//!
//! ```
//! let df = plimsoll_dockerfile::parse("FROM alpine:3.20 AS base\nRUN apk add curl\n").unwrap();
//! assert_eq!(df.stages[0].name.as_deref(), Some("base"));
//! assert_eq!(df.instructions[1].keyword, plimsoll_dockerfile::Keyword::Run);
//! ```

mod ast;
mod expand;
mod offsets;
mod parser;
mod shell;

pub use ast::{
    Args, Comment, Directive, Dockerfile, Flag, Heredoc, Instruction, Keyword, Span, Stage,
    VarsCursor,
};
pub use expand::expand;
pub use offsets::OffsetMap;
pub use parser::{LineIndex, ParseError, parse};
pub use shell::{ShellCommand, ShellScript, parse_shell, parse_shell_in};

#[cfg(test)]
mod tests;
