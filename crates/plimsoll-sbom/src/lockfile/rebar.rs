//! Erlang's `rebar.lock`: the dependencies rebar3 locked, as syft reads
//! them. The file is Erlang terms: rebar3 3.5 and later write
//! `{"1.2.0", [Deps]}.` then a list of hashes; older ones only `[Deps].`
//! (both are read). Each dependency is `{<<"name">>, Source, Level}`:
//!
//! - `{pkg, <<"hex_name">>, <<"2.9.0">>}`, a Hex package: counts at that
//!   version, named by the application name (the first element; syft's
//!   name too), `pkg:hex/<name>@<version>`;
//! - `{git, "url", {ref, "commit"}}`: counts at the commit, as syft
//!   reports it.
//!
//! The hashes (`pkg_hash`, `pkg_hash_ext`) are not kept; the lock file
//! states no dependency relationships (the level is only a depth).

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::lockfile::mix::hex_purl;

/// An Erlang term, as far as lock and `.app` files use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    Atom(String),
    /// A string or a binary (`"…"`, `<<"…">>`).
    Text(String),
    Int(String),
    Tuple(Vec<Term>),
    List(Vec<Term>),
}

impl Term {
    /// The text of an atom, a string or a binary.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Term::Atom(s) | Term::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a tuple or a list.
    pub(crate) fn items(&self) -> &[Term] {
        match self {
            Term::Tuple(v) | Term::List(v) => v,
            _ => &[],
        }
    }
}

/// Reads the terms of an Erlang consult file (`term.` … `term.`), as
/// `file:consult/1` does for the forms these files hold; `%` comments are
/// skipped.
pub(crate) fn consult(text: &str) -> Result<Vec<Term>, String> {
    let mut p = TermParser {
        s: text.as_bytes(),
        at: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_blank();
        if p.at >= p.s.len() {
            return Ok(out);
        }
        out.push(p.term(0)?);
        p.skip_blank();
        if p.peek() != Some(b'.') {
            return Err(p.error("`.` after a term"));
        }
        p.at += 1;
    }
}

struct TermParser<'a> {
    s: &'a [u8],
    at: usize,
}

impl TermParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn error(&self, expected: &str) -> String {
        let line = 1 + self.s[..self.at.min(self.s.len())]
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        format!("line {line}: expected {expected}")
    }

    fn skip_blank(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.at += 1;
            } else if c == b'%' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    fn quoted(&mut self, end: u8) -> Result<String, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("the end of a quoted string")),
                Some(c) if c == end => {
                    self.at += 1;
                    return String::from_utf8(out).map_err(|_| self.error("UTF-8 text"));
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.extend(self.peek());
                    self.at += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn seq(&mut self, close: u8, depth: usize) -> Result<Vec<Term>, String> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_blank();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.term(depth + 1)?);
            self.skip_blank();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(c) if c == close => {
                    self.at += 1;
                    return Ok(items);
                }
                _ => return Err(self.error("`,` or the end of a tuple or list")),
            }
        }
    }

    fn term(&mut self, depth: usize) -> Result<Term, String> {
        if depth > 64 {
            return Err(self.error("terms nested at most 64 deep"));
        }
        self.skip_blank();
        match self.peek() {
            Some(b'{') => Ok(Term::Tuple(self.seq(b'}', depth)?)),
            Some(b'[') => Ok(Term::List(self.seq(b']', depth)?)),
            Some(b'"') => Ok(Term::Text(self.quoted(b'"')?)),
            Some(b'\'') => Ok(Term::Atom(self.quoted(b'\'')?)),
            Some(b'<') if self.s[self.at..].starts_with(b"<<") => {
                self.at += 2;
                self.skip_blank();
                let text = if self.peek() == Some(b'"') {
                    self.quoted(b'"')?
                } else {
                    String::new()
                };
                self.skip_blank();
                if !self.s[self.at..].starts_with(b">>") {
                    return Err(self.error("`>>`"));
                }
                self.at += 2;
                Ok(Term::Text(text))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let start = self.at;
                self.at += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'#' || c == b'_')
                {
                    self.at += 1;
                }
                // A float's `.` is followed by a digit; a form's `.` is not.
                if self.peek() == Some(b'.')
                    && self.s.get(self.at + 1).is_some_and(u8::is_ascii_digit)
                {
                    self.at += 1;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'+')
                    {
                        self.at += 1;
                    }
                }
                Ok(Term::Int(
                    String::from_utf8_lossy(&self.s[start..self.at]).into_owned(),
                ))
            }
            Some(c) if c.is_ascii_lowercase() => {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'@')
                {
                    self.at += 1;
                }
                Ok(Term::Atom(
                    String::from_utf8_lossy(&self.s[start..self.at]).into_owned(),
                ))
            }
            _ => Err(self.error("a term")),
        }
    }
}

/// Reads a `rebar.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a rebar.lock, skipped".into());
    };
    let terms = match consult(text) {
        Ok(t) => t,
        Err(e) => return Parsed::unreadable(format!("not Erlang terms ({e}): skipped")),
    };
    let deps = match terms.first() {
        // {"1.2.0", [Deps]}
        Some(Term::Tuple(v)) if matches!(v.as_slice(), [Term::Text(_), Term::List(_)]) => &v[1],
        // rebar3 before 3.5: [Deps]
        Some(l @ Term::List(_)) => l,
        _ => return Parsed::unreadable("not a rebar3 lock (`{Version, [Deps]}.`): skipped".into()),
    };
    let mut out = Parsed::default();
    for (i, dep) in deps.items().iter().enumerate() {
        let items = dep.items();
        let name = items.first().and_then(Term::text).unwrap_or("");
        let source = items.get(1).map(Term::items).unwrap_or(&[]);
        let version = match source {
            [Term::Atom(kind), _, Term::Text(v), ..] if kind == "pkg" => Some(v.as_str()),
            [Term::Atom(kind), _, reference, ..] if kind == "git" => {
                reference.items().get(1).and_then(Term::text)
            }
            _ => None,
        };
        let (false, Some(version)) = (name.is_empty(), version.filter(|v| !v.is_empty())) else {
            out.warnings.push(format!(
                "dependency {} is no `{{Name, {{pkg|git, …}}, Level}}`: skipped",
                i + 1
            ));
            continue;
        };
        out.push(LockedPackage {
            package_type: PackageType::Hex,
            name: name.to_string(),
            version: version.to_string(),
            purl: hex_purl(name, version),
            licenses: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixtures() {
        // syft's fixtures, unchanged (see PROVENANCE.md).
        let p = parse(include_bytes!("../../tests/data/lock/hex/rebar.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("certifi", "2.9.0"),
                ("idna", "6.1.1"),
                ("metrics", "1.0.1"),
                ("mimerl", "1.2.0"),
                ("parse_trans", "3.3.1"),
                ("ssl_verify_fun", "1.1.6"),
                ("unicode_util_compat", "0.7.0"),
            ]
        );
        assert_eq!(p.packages[0].purl, "pkg:hex/certifi@2.9.0");
        let p = parse(include_bytes!(
            "../../tests/data/lock/hex/rebar-2/rebar.lock"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 8);
        let bson = p.packages.iter().find(|p| p.name == "bson").unwrap();
        assert_eq!(bson.version, "14308ab927cfa69324742c3de720578094e0bb19");
        assert_eq!(
            bson.purl,
            "pkg:hex/bson@14308ab927cfa69324742c3de720578094e0bb19"
        );
    }

    #[test]
    fn old_format_comments_and_errors() {
        let p = parse(
            b"%% old\n[{<<\"a\">>,{pkg,<<\"a\">>,<<\"1.0.0\">>},0},\n {<<\"b\">>,{hg,\"x\"},0}].\n",
        );
        assert_eq!(p.sorted_pairs(), [("a", "1.0.0")]);
        assert_eq!(
            p.warnings.as_slice(),
            ["dependency 2 is no `{Name, {pkg|git, …}, Level}`: skipped"]
        );
        let bad = parse(b"{\"1.2.0\", [{<<\"a\">>, {pkg, <<\"a\">>}");
        assert!(bad.warnings[0].starts_with("not Erlang terms (line 1: expected"));
        assert!(parse(b"ok.").warnings[0].contains("not a rebar3 lock"));
        assert!(parse(b"").warnings[0].contains("not a rebar3 lock"));
        let deep = "[".repeat(100);
        assert!(parse(deep.as_bytes()).warnings[0].contains("nested at most 64"));
    }

    #[test]
    fn terms() {
        let t =
            consult("{application, 'rabbit', [{vsn, \"3.12.10\"}, {n, -1}, {f, 2.5e3}]}. % c\n")
                .unwrap();
        assert_eq!(t.len(), 1);
        let items = t[0].items();
        assert_eq!(items[1], Term::Atom("rabbit".into()));
        assert_eq!(items[2].items()[0].items()[1].text(), Some("3.12.10"));
        assert_eq!(items[2].items()[2].items()[1], Term::Int("2.5e3".into()));
    }
}
