//! LuaRocks: a `*.rockspec`, the Lua file that describes a rock (its
//! `package`, `version`, `source`, `description`, `dependencies` and
//! `build`). LuaRocks installs each rock's rockspec beside it
//! (`lib/luarocks/rocks-5.1/<name>/<version>/<name>-<version>.rockspec`),
//! so a rockspec is evidence of an installed rock, and counts in image
//! scans too, as in syft 1.18.1 (`lua-rock-cataloger`, `**/*.rockspec`).
//!
//! The file is read, never run: its top-level assignments
//! (`package = "kong"`, `local name = "x"`) whose values are strings,
//! names of earlier `local`s or `..` concatenations of those (as
//! `version = package_version.."-"..rockspec_revision`), and
//! `description = { license = "…" }`. The package is the rock `package` at
//! `version`, type `lua-rocks` (syft's name), purl
//! `pkg:luarocks/<package>@<version>`; the licence is `description.license`
//! with spaces as `-` (`Apache 2.0` is `Apache-2.0`), as syft writes it. A
//! file without a `package` and a `version` (syft's corrupt fixture) is
//! no package, with a warning.

use std::collections::HashMap;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::normalize;
use crate::purl::purl;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Punct(&'static str),
    /// Anything else (numbers, operators): ends an expression we read.
    Other,
}

/// The tokens of a Lua chunk (comments dropped); None when a string or
/// comment is not closed.
fn tokens(text: &str) -> Option<Vec<Token>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // `[[`, `[==[`: the length of the level-n long bracket opening at `at`.
    let long_open = |at: usize| -> Option<usize> {
        let rest = b.get(at..)?;
        if rest.first() != Some(&b'[') {
            return None;
        }
        let eq = rest[1..].iter().take_while(|&&c| c == b'=').count();
        (rest.get(1 + eq) == Some(&b'[')).then_some(eq)
    };
    let long_close = |from: usize, eq: usize| -> Option<(usize, usize)> {
        let close = format!("]{}]", "=".repeat(eq));
        let at = text.get(from..)?.find(&close)?;
        Some((from + at, from + at + close.len()))
    };
    while i < b.len() {
        let c = b[i];
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                if let Some(eq) = long_open(i + 2) {
                    i = long_close(i + 4 + eq, eq)?.1;
                } else {
                    i = text[i..].find('\n').map_or(b.len(), |n| i + n + 1);
                }
            }
            b'[' if long_open(i).is_some() => {
                let eq = long_open(i)?;
                let (end, next) = long_close(i + 2 + eq, eq)?;
                out.push(Token::Str(text[i + 2 + eq..end].to_string()));
                i = next;
            }
            b'"' | b'\'' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    let ch = text.get(j..)?.chars().next()?;
                    j += ch.len_utf8();
                    match ch {
                        _ if ch as u32 == c as u32 => break,
                        '\n' => return None,
                        '\\' => {
                            let e = text.get(j..)?.chars().next()?;
                            j += e.len_utf8();
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                        }
                        other => s.push(other),
                    }
                }
                out.push(Token::Str(s));
                i = j;
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let n = b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                out.push(Token::Name(text[i..i + n].to_string()));
                i += n;
            }
            // `==`, `~=`, `<=`, `>=`: operators, not assignments.
            b'=' | b'~' | b'<' | b'>' if b.get(i + 1) == Some(&b'=') => {
                out.push(Token::Other);
                i += 2;
            }
            b'.' if b.get(i + 1) == Some(&b'.') => {
                out.push(Token::Punct(".."));
                i += 2;
            }
            b'=' if b.get(i + 1) != Some(&b'=') => {
                out.push(Token::Punct("="));
                i += 1;
            }
            b'{' | b'}' | b',' | b';' | b'(' | b')' | b'[' | b']' => {
                out.push(Token::Punct(match c {
                    b'{' => "{",
                    b'}' => "}",
                    b',' => ",",
                    b';' => ";",
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    _ => "]",
                }));
                i += 1;
            }
            _ => {
                out.push(Token::Other);
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    Some(out)
}

/// A value read from the chunk: a string, a table of string fields, or
/// something not read (a number, a call, an `and`/`or` expression).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Table(HashMap<String, Value>),
    Unknown,
}

struct Reader<'t> {
    toks: &'t [Token],
    at: usize,
    locals: HashMap<String, Value>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at)
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Token::Punct(q)) if *q == p)
    }

    /// Skips to the end of the current expression: the next `,`, `;` or
    /// closing brace at this depth, or the next top-level `name =`.
    fn skip_expression(&mut self, top: bool) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Token::Punct("{" | "(" | "[") => depth += 1,
                Token::Punct("}" | ")" | "]") if depth == 0 => return,
                Token::Punct("}" | ")" | "]") => depth -= 1,
                Token::Punct("," | ";") if depth == 0 => return,
                Token::Name(_)
                    if top
                        && depth == 0
                        && matches!(self.toks.get(self.at + 1), Some(Token::Punct("="))) =>
                {
                    return;
                }
                _ => {}
            }
            self.at += 1;
        }
    }

    /// One expression: a table constructor, or a `..` chain of strings and
    /// names of locals.
    fn expression(&mut self, top: bool) -> Value {
        if self.is("{") {
            self.at += 1;
            return self.table();
        }
        let mut out = String::new();
        loop {
            let part = match self.peek() {
                Some(Token::Str(s)) => Some(s.clone()),
                Some(Token::Name(n)) => match self.locals.get(n) {
                    Some(Value::Str(s)) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            };
            let Some(part) = part else {
                self.skip_expression(top);
                return Value::Unknown;
            };
            out.push_str(&part);
            self.at += 1;
            if self.is("..") {
                self.at += 1;
                continue;
            }
            // Something else follows (an operator): not a plain string.
            let ends = match self.peek() {
                None => true,
                Some(Token::Punct("," | ";" | "}")) => true,
                // At the top, a name after a whole expression starts the
                // next statement, unless it is an operator.
                Some(Token::Name(n)) => top && n != "and" && n != "or",
                _ => false,
            };
            if ends {
                return Value::Str(out);
            }
            self.skip_expression(top);
            return Value::Unknown;
        }
    }

    /// The fields of a table constructor, after its `{`, through its `}`.
    fn table(&mut self) -> Value {
        let mut fields = HashMap::new();
        while let Some(t) = self.peek() {
            match t {
                Token::Punct("}") => {
                    self.at += 1;
                    break;
                }
                Token::Punct("," | ";") => self.at += 1,
                Token::Name(n) if matches!(self.toks.get(self.at + 1), Some(Token::Punct("="))) => {
                    let n = n.clone();
                    self.at += 2;
                    let v = self.expression(false);
                    fields.insert(n, v);
                }
                _ => {
                    // A list item or a `[key] = value` field: not read.
                    let before = self.at;
                    self.skip_expression(false);
                    if self.at == before {
                        // A stray closing `)` or `]`.
                        self.at += 1;
                    }
                }
            }
        }
        Value::Table(fields)
    }

    /// The chunk's top-level assignments, by name (the last one wins).
    fn chunk(mut self) -> HashMap<String, Value> {
        let mut globals = HashMap::new();
        while let Some(t) = self.peek() {
            let local = matches!(t, Token::Name(n) if n == "local");
            if local {
                self.at += 1;
            }
            match (self.peek(), self.toks.get(self.at + 1)) {
                (Some(Token::Name(n)), Some(Token::Punct("="))) => {
                    let n = n.clone();
                    self.at += 2;
                    let v = self.expression(true);
                    if local {
                        self.locals.insert(n, v);
                    } else {
                        self.locals.insert(n.clone(), v.clone());
                        globals.insert(n, v);
                    }
                }
                _ => self.at += 1,
            }
        }
        globals
    }
}

/// `pkg:luarocks/<name>@<version>`.
pub fn luarocks_purl(name: &str, version: &str) -> String {
    purl("luarocks", None, name, version, &[])
}

/// Reads a `*.rockspec`.
pub fn parse(content: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(content);
    let Some(toks) = tokens(&text) else {
        return Parsed::unreadable(
            "a string or comment is not closed: not a rockspec, skipped".into(),
        );
    };
    let globals = Reader {
        toks: &toks,
        at: 0,
        locals: HashMap::new(),
    }
    .chunk();
    let text_of = |k: &str| match globals.get(k) {
        Some(Value::Str(s)) => s.trim(),
        _ => "",
    };
    let (name, version) = (text_of("package"), text_of("version"));
    if name.is_empty() || version.is_empty() || name.contains(char::is_whitespace) {
        return Parsed::unreadable(
            "no string `package` and `version`: not a rockspec, skipped".into(),
        );
    }
    let license = match globals.get("description") {
        Some(Value::Table(d)) => match d.get("license") {
            Some(Value::Str(l)) => l.trim().replace(' ', "-"),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let mut out = Parsed::default();
    out.push(LockedPackage {
        package_type: PackageType::LuaRocks,
        purl: luarocks_purl(name, version),
        name: name.to_string(),
        version: version.to_string(),
        licenses: normalize(&license).into_iter().collect(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(content: &[u8]) -> (String, String, String, Vec<String>) {
        let p = parse(content);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 1);
        let r = &p.packages[0];
        (
            r.name.clone(),
            r.version.clone(),
            r.purl.clone(),
            r.licenses.clone(),
        )
    }

    #[test]
    fn syft_fixtures() {
        // syft's fixtures (see tests/data/lua/PROVENANCE.md), with syft's answers.
        for (file, name, version, purl, license) in [
            (
                &include_bytes!("../../tests/data/lua/rockspec/kong-3.7.0-0.rockspec")[..],
                "kong",
                "3.7.0-0",
                "pkg:luarocks/kong@3.7.0-0",
                "Apache-2.0",
            ),
            (
                include_bytes!("../../tests/data/lua/rockspec/lpeg-1.0.2-1.rockspec"),
                "LPeg",
                "1.0.2-1",
                "pkg:luarocks/LPeg@1.0.2-1",
                "MIT/X11",
            ),
            (
                include_bytes!("../../tests/data/lua/rockspec/kong-pgmoon-1.16.2-1.rockspec"),
                "kong-pgmoon",
                "1.16.2-1",
                "pkg:luarocks/kong-pgmoon@1.16.2-1",
                "MIT",
            ),
            // `local`s and `..` concatenation.
            (
                include_bytes!("../../tests/data/lua/rockspec/luasyslog-2.0.1-1.rockspec"),
                "luasyslog",
                "2.0.1-1",
                "pkg:luarocks/luasyslog@2.0.1-1",
                "MIT/X11",
            ),
        ] {
            assert_eq!(
                one(file),
                (
                    name.to_string(),
                    version.to_string(),
                    purl.to_string(),
                    vec![license.to_string()]
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn corrupt_files_are_no_package() {
        for bad in [
            &include_bytes!("../../tests/data/lua/corrupt/bad-1.23.0-0.rockspec")[..],
            b"bogus rockspec",
            b"package = \"x\"\n",
            b"package = \"x\nversion = \"1\"",
            b"--[[ open comment\npackage = \"x\"\nversion = \"1\"\n",
            b"package = 3\nversion = \"1\"\n",
            b"",
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty(), "{:?}", String::from_utf8_lossy(bad));
            assert_eq!(p.warnings.len(), 1);
        }
    }

    #[test]
    fn lua_syntax_read_without_running_it() {
        let (name, version, _, license) = one(
            b"-- a comment: package = \"no\"\n--[==[ long\ncomment ]==]\n\
              local v = \"1.0\" local rev = '2'\npackage = [[rock]]\n\
              version = v .. \"-\" .. rev\n\
              source = { url = \"x\", branch = (v == \"dev\") and \"main\" or nil }\n\
              description = { summary = \"a } b\", license = \"MIT\", [\"k\"] = 1 }\n\
              dependencies = { \"lua >= 5.1\" }\n",
        );
        assert_eq!((name.as_str(), version.as_str()), ("rock", "1.0-2"));
        assert_eq!(license, ["MIT"]);
        // A version computed by something not read is no version.
        let p = parse(b"package = \"x\"\nversion = string.format(\"%d\", 1)\n");
        assert!(p.packages.is_empty());
        // An `and`/`or` expression is not read.
        let p = parse(b"package = \"x\"\nversion = \"1\" or \"2\"\n");
        assert!(p.packages.is_empty());
        // A later assignment wins.
        let (_, version, _, _) = one(b"package = \"x\"\nversion = \"1\"\nversion = \"2\"\n");
        assert_eq!(version, "2");
    }
}
