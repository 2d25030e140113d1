//! YAML (and JSON, a subset of it) read into a small tree whose every node
//! keeps its line and column, from the parser's event API: serde front
//! ends drop positions, and findings must point at `file:line:col`.
//!
//! Aliases are expanded (with a cap on the nodes an expansion may make, so
//! a "billion laughs" document is an error, not an exhausted machine);
//! tags are ignored; scalars stay text and are typed by the reader
//! ([`Node::as_bool`], [`Node::as_i64`]) as YAML 1.2's core schema does.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A 1-based line and column in the source text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    }
}

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar's text; `plain` when unquoted (only plain scalars can be
    /// null, booleans or numbers).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in document order: key text, key position, value.
    Map(Vec<(String, Pos, Node)>),
}

/// Text that is not YAML: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Nodes one document may hold after alias expansion.
const MAX_NODES: usize = 1_000_000;

impl Node {
    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|e| &e.2),
            _ => None,
        }
    }

    /// The entry `key` of a mapping, with the key's position.
    pub fn entry(&self, key: &str) -> Option<(Pos, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, p, n)| (*p, n)),
            _ => None,
        }
    }

    /// Follows `path` through mappings.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A scalar's text (any scalar, quoted or not; not null).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// A plain `true`/`false` (YAML 1.2 core schema spellings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain integer (decimal, `0x`, `0o`).
    pub fn as_i64(&self) -> Option<i64> {
        let Value::Scalar { text, plain: true } = &self.value else {
            return None;
        };
        let t = text.trim_start_matches('+');
        if let Some(h) = t.strip_prefix("0x") {
            i64::from_str_radix(h, 16).ok()
        } else if let Some(o) = t.strip_prefix("0o") {
            i64::from_str_radix(o, 8).ok()
        } else {
            t.parse().ok()
        }
    }

    /// A sequence's items (nothing for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// A mapping's entries (nothing for anything else).
    pub fn entries(&self) -> &[(String, Pos, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// Every document of a YAML stream (an empty document is skipped).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut builder = Builder::default();
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            pos: Pos {
                line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
            },
            message: e.info().to_string(),
        })?;
        match event {
            Event::DocumentStart(_) => builder = Builder::default(),
            Event::DocumentEnd => {
                if let Some(root) = builder.root.take()
                    && !root.is_null()
                {
                    docs.push(root);
                }
            }
            other => builder.event(other, &span)?,
        }
    }
    Ok(docs)
}

/// Resolves merge keys (`<<: *base`, `<<: [*a, *b]`), which Compose and
/// Kubernetes' YAML decoders both honour: the merged mappings' entries are
/// added where the mapping does not set the key itself, an earlier merged
/// mapping winning over a later one.
fn merge_keys(entries: Vec<(String, Pos, Node)>) -> Result<Vec<(String, Pos, Node)>, YamlError> {
    if !entries.iter().any(|(k, _, _)| k == "<<") {
        return Ok(entries);
    }
    let mut own = Vec::with_capacity(entries.len());
    let mut sources = Vec::new();
    for (k, p, n) in entries {
        if k != "<<" {
            own.push((k, p, n));
            continue;
        }
        let bad = |pos| YamlError {
            pos,
            message: "a merge key `<<` takes a mapping or a list of mappings".into(),
        };
        match n.value {
            Value::Map(es) => sources.push(es),
            Value::Seq(items) => {
                for item in items {
                    match item.value {
                        Value::Map(es) => sources.push(es),
                        _ => return Err(bad(item.pos)),
                    }
                }
            }
            _ => return Err(bad(n.pos)),
        }
    }
    for source in sources {
        for (k, p, n) in source {
            if !own.iter().any(|(o, _, _)| *o == k) {
                own.push((k, p, n));
            }
        }
    }
    Ok(own)
}

/// A node being built: a sequence, or a mapping waiting for a key or value.
enum Open {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(String, Pos, Node)>, Option<(String, Pos)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
}

fn count(n: &Node) -> usize {
    1 + match &n.value {
        Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|e| count(&e.2)).sum(),
    }
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), YamlError> {
        let pos = pos_of(span);
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let node = Node {
                    pos,
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Open::Seq(pos, anchor, Vec::new()));
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Open::Map(pos, anchor, Vec::new(), None));
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(p, anchor, items)) => self.finish(
                    Node {
                        pos: p,
                        value: Value::Seq(items),
                    },
                    anchor,
                ),
                Some(Open::Map(p, anchor, entries, _)) => self.finish(
                    Node {
                        pos: p,
                        value: Value::Map(merge_keys(entries)?),
                    },
                    anchor,
                ),
                None => Err(YamlError {
                    pos,
                    message: "unbalanced end of collection".into(),
                }),
            },
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    pos,
                    message: "alias to an unknown anchor".into(),
                })?;
                self.nodes += count(&node);
                if self.nodes > MAX_NODES {
                    return Err(YamlError {
                        pos,
                        message: format!("aliases expand to more than {MAX_NODES} nodes"),
                    });
                }
                // The alias is used where it is written.
                self.finish(Node { pos, ..node }, 0)
            }
            _ => Ok(()),
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        self.nodes += 1;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, key)) => match key.take() {
                Some((k, kpos)) => {
                    // A repeated key: the last one wins, as Kubernetes decodes it.
                    entries.retain(|(e, _, _)| *e != k);
                    entries.push((k, kpos, node));
                }
                None => {
                    let text = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        _ => {
                            return Err(YamlError {
                                pos: node.pos,
                                message: "a mapping key that is not a scalar".into(),
                            });
                        }
                    };
                    *key = Some((text, node.pos));
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keys_fill_what_the_mapping_does_not_set() {
        let text = "\
base: &base {a: 1, b: 1}
more: &more {b: 2, c: 2}
one:
  <<: *base
  a: own
many:
  <<: [*base, *more]
  d: own
";
        let doc = &parse_documents(text).unwrap()[0];
        let one = doc.get("one").unwrap();
        assert_eq!(one.get("a").unwrap().as_str(), Some("own"));
        assert_eq!(one.get("b").unwrap().as_str(), Some("1"));
        assert!(one.get("<<").is_none());
        let many = doc.get("many").unwrap();
        // The earlier mapping wins: b from base.
        let got: Vec<(&str, &str)> = many
            .entries()
            .iter()
            .map(|(k, _, n)| (k.as_str(), n.as_str().unwrap()))
            .collect();
        assert_eq!(got, [("d", "own"), ("a", "1"), ("b", "1"), ("c", "2")]);
        // Merged values point where they are written (the anchor).
        assert_eq!(many.get("c").unwrap().pos.line, 2);
        let err = parse_documents("x:\n  <<: 3\n").unwrap_err();
        assert!(err.message.contains("merge key"), "{err}");
    }

    #[test]
    fn positions_and_documents() {
        let docs = parse_documents("a: 1\nb:\n  - x\n  - {c: true}\n---\n---\nd: &A [1]\ne: *A\n")
            .unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.items()[1].pos, Pos { line: 4, column: 5 });
        assert_eq!(b.items()[1].get("c").unwrap().as_bool(), Some(true));
        assert_eq!(docs[0].entry("b").unwrap().0, Pos { line: 2, column: 1 });
        assert_eq!(docs[1].get("e").unwrap().items()[0].as_i64(), Some(1));
        assert_eq!(docs[1].get("e").unwrap().pos.line, 8);
    }

    #[test]
    fn errors_have_positions_and_bombs_stop() {
        let e = parse_documents("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.pos.line >= 1, "{e}");
        let e = parse_documents("a: b: c\n").unwrap_err();
        assert_eq!(e.pos.line, 1, "{e}");
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb += &format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            );
        }
        let e = parse_documents(&bomb).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e}");
        assert_eq!(
            parse_documents("'quoted': \"true\"\n").unwrap()[0]
                .get("quoted")
                .unwrap()
                .as_bool(),
            None
        );
        assert!(
            parse_documents("{\"json\": [1, 2]}").unwrap()[0]
                .get("json")
                .is_some()
        );
    }
}
