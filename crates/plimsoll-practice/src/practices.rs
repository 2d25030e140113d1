//! The practices (`P-…` ids) every rule names.
//!
//! The reference is `docs/practices.md` at the repository root, embedded
//! here at compile time and parsed on first use: each practice is a heading
//! `## <id> <title>` followed by exactly one paragraph stating it. A rule's
//! `practice` field is one of these ids; [`practice`] finds its text.

use std::sync::LazyLock;

/// The practices document, as shipped in the repository.
const DOCUMENT: &str = include_str!("../../../docs/practices.md");

/// One practice of `docs/practices.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Practice {
    /// Stable id, e.g. `P-C3`: `P-`, a group letter, a number.
    pub id: &'static str,
    /// Short title, e.g. `Run as a non-root user`.
    pub title: &'static str,
    /// The one paragraph stating the practice, as written in the document
    /// (its line breaks kept, no trailing newline).
    pub text: &'static str,
}

static PRACTICES: LazyLock<Vec<Practice>> =
    LazyLock::new(|| parse(DOCUMENT).unwrap_or_else(|e| panic!("docs/practices.md: {e}")));

/// Every practice of the document, in id order (group letter, then number:
/// `P-F9` before `P-F10`).
pub fn all() -> &'static [Practice] {
    &PRACTICES
}

/// The practice with this id, compared case-insensitively (`p-c3` finds
/// `P-C3`); `None` for an id the document does not define.
pub fn practice(id: &str) -> Option<&'static Practice> {
    let id = id.trim();
    all().iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// Sort key of a well-formed id: its group letter and number.
fn id_key(id: &str) -> Option<(u8, u32)> {
    let rest = id.strip_prefix("P-")?;
    let (&group, number) = rest.as_bytes().split_first()?;
    if !group.is_ascii_uppercase()
        || number.is_empty()
        || number.starts_with(b"0")
        || !number.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    Some((group, std::str::from_utf8(number).ok()?.parse().ok()?))
}

/// A practice whose heading has been read, and its paragraph so far.
struct Open {
    id: &'static str,
    title: &'static str,
    heading_line: usize,
    /// Byte range of the paragraph in the document.
    text: Option<(usize, usize)>,
    /// A blank line followed the paragraph.
    closed: bool,
}

impl Open {
    fn finish(self, doc: &'static str) -> Result<Practice, String> {
        let (start, end) = self
            .text
            .ok_or_else(|| format!("line {}: {} has no paragraph", self.heading_line, self.id))?;
        Ok(Practice {
            id: self.id,
            title: self.title,
            text: &doc[start..end],
        })
    }
}

/// Parses a practices document: text before the first `## ` heading is a
/// preamble; each `## <id> <title>` heading is followed by exactly one
/// paragraph (consecutive non-blank lines). Ids must be well-formed, unique
/// and in order.
fn parse(doc: &'static str) -> Result<Vec<Practice>, String> {
    let mut out: Vec<Practice> = Vec::new();
    let mut open: Option<Open> = None;
    let mut pos = 0;
    for (n, raw) in doc.split_inclusive('\n').enumerate() {
        let line_no = n + 1;
        let start = pos;
        pos += raw.len();
        let line = raw.trim_end();
        if let Some(heading) = line.strip_prefix("## ") {
            if let Some(done) = open.take() {
                out.push(done.finish(doc)?);
            }
            let (id, title) = heading
                .trim()
                .split_once(' ')
                .ok_or_else(|| format!("line {line_no}: heading without a title"))?;
            let key = id_key(id)
                .ok_or_else(|| format!("line {line_no}: malformed practice id {id:?}"))?;
            if let Some(prev) = out.last()
                && id_key(prev.id).is_some_and(|k| k >= key)
            {
                return Err(format!(
                    "line {line_no}: {id} after {} (ids must be unique and in order)",
                    prev.id
                ));
            }
            open = Some(Open {
                id,
                title: title.trim(),
                heading_line: line_no,
                text: None,
                closed: false,
            });
            continue;
        }
        let Some(cur) = open.as_mut() else {
            continue; // the preamble
        };
        if line.trim().is_empty() {
            cur.closed = cur.text.is_some();
        } else if line.starts_with('#') {
            return Err(format!(
                "line {line_no}: only `## <id> <title>` headings may follow the first practice"
            ));
        } else if cur.closed {
            return Err(format!(
                "line {line_no}: {} has more than one paragraph",
                cur.id
            ));
        } else {
            let end = start + line.len();
            cur.text = Some((cur.text.map_or(start, |(s, _)| s), end));
        }
    }
    if let Some(done) = open.take() {
        out.push(done.finish(doc)?);
    }
    if out.is_empty() {
        return Err("no practices".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses() {
        assert!(parse(DOCUMENT).is_ok(), "{:?}", parse(DOCUMENT).err());
        assert!(all().len() >= 40, "{} practices", all().len());
    }

    #[test]
    fn ids_are_well_formed_unique_and_sorted() {
        let keys: Vec<_> = all()
            .iter()
            .map(|p| id_key(p.id).unwrap_or_else(|| panic!("malformed id {}", p.id)))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        let ids: Vec<_> = all().iter().map(|p| p.id).collect();
        for (a, b) in [("P-A1", "P-A2"), ("P-F9", "P-F10"), ("P-H5", "P-I1")] {
            let pos = |id| ids.iter().position(|&i| i == id).unwrap();
            assert!(pos(a) < pos(b), "{a} before {b}");
        }
    }

    #[test]
    fn every_practice_has_a_title_and_one_paragraph() {
        for p in all() {
            assert!(!p.title.trim().is_empty(), "{}: empty title", p.id);
            assert!(!p.text.trim().is_empty(), "{}: empty text", p.id);
            assert_eq!(p.text, p.text.trim(), "{}: untrimmed text", p.id);
            assert!(
                p.text.lines().all(|l| !l.trim().is_empty()),
                "{}: more than one paragraph",
                p.id
            );
        }
    }

    #[test]
    fn the_groups_of_the_specification_are_all_there() {
        for id in [
            "P-A1", "P-A3", "P-B5", "P-C1", "P-C9", "P-D1", "P-D5", "P-E1", "P-E3", "P-F1",
            "P-F11", "P-H1", "P-H5", "P-I4",
        ] {
            assert!(practice(id).is_some(), "{id} missing");
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        let p = practice("P-C3").expect("P-C3");
        assert_eq!(p.id, "P-C3");
        assert!(p.text.contains("USER"), "{}", p.text);
        assert_eq!(practice("p-c3"), Some(p));
        assert_eq!(practice(" P-c3 "), Some(p));
        assert_eq!(practice("P-F10").map(|p| p.id), Some("P-F10"));
    }

    #[test]
    fn unknown_ids_are_none() {
        for id in [
            "", "P-", "P-C", "P-C0", "P-C99", "P-Z1", "C3", "IMG001", "P-C3 x",
        ] {
            assert_eq!(practice(id), None, "{id:?}");
        }
    }

    #[test]
    fn paragraphs_span_lines_and_stop_at_the_blank_line() {
        let doc = "# Title\n\nPreamble.\n\n## P-A1 First\n\nOne\ntwo.\n\n## P-A2 Second\nThree.\n";
        let got = parse(doc).unwrap();
        assert_eq!(
            got,
            [
                Practice {
                    id: "P-A1",
                    title: "First",
                    text: "One\ntwo."
                },
                Practice {
                    id: "P-A2",
                    title: "Second",
                    text: "Three."
                }
            ]
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        for (doc, why) in [
            ("", "no practices"),
            ("## P-A1 One\n", "no paragraph"),
            ("## P-A1\nText.\n", "heading without a title"),
            ("## PA1 One\nText.\n", "malformed"),
            ("## P-a1 One\nText.\n", "malformed"),
            ("## P-A01 One\nText.\n", "malformed"),
            ("## P-A1 One\nText.\n\nMore.\n", "more than one paragraph"),
            ("## P-A2 Two\nText.\n## P-A1 One\nText.\n", "in order"),
            ("## P-A1 One\nText.\n## P-A1 Again\nText.\n", "in order"),
            ("## P-A1 One\nText.\n### Note\n", "headings"),
        ] {
            let err = parse(doc).expect_err(doc);
            assert!(err.contains(why), "{doc:?}: {err}");
        }
    }
}
