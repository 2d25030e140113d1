//! Inline ignores in YAML files (Kubernetes manifests, Compose files):
//!
//! - `# plimsoll ignore=CFG001,privileged` at the end of a line, or on
//!   comment lines directly above it, ignores those rules for findings on
//!   that line and, when the line opens a block (`- name: app`,
//!   `securityContext:`), anywhere inside the block;
//! - `# plimsoll global ignore=CFG010` anywhere ignores them in the whole
//!   file.
//!
//! Rules are named by code, name or practice id (`P-F3` ignores every rule
//! enforcing P-F3), as in `[config] ignore`. The Kubernetes annotation and
//! Compose label `plimsoll.dev/ignore` do the same for one object.

use std::collections::HashSet;

use plimsoll_report::{Finding, RuleInfo, names_rule};

/// What a file's comments ignore.
#[derive(Debug, Default)]
pub struct InlineIgnores {
    /// Rule codes ignored in the whole file.
    global: HashSet<&'static str>,
    /// (first line, last line, codes), 1-based and inclusive.
    ranges: Vec<(u32, u32, HashSet<&'static str>)>,
}

impl InlineIgnores {
    /// Reads the ignore comments of `text`; `rules` are the rules a word
    /// may name.
    pub fn parse(text: &str, rules: &[RuleInfo]) -> InlineIgnores {
        let mut out = InlineIgnores::default();
        if !text.contains("plimsoll") {
            return out;
        }
        let lines: Vec<&str> = text.lines().collect();
        let mut pending: HashSet<&'static str> = HashSet::new();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let comment = comment_of(line);
            if trimmed.starts_with('#') {
                if let Some(c) = comment {
                    match directive(c, rules) {
                        Some((true, codes)) => out.global.extend(codes),
                        Some((false, codes)) => pending.extend(codes),
                        None => {}
                    }
                }
                continue;
            }
            if trimmed.is_empty() {
                // A blank line ends a comment block: it applied to nothing.
                pending.clear();
                continue;
            }
            let mut codes = std::mem::take(&mut pending);
            if let Some((global, more)) = comment.and_then(|c| directive(c, rules)) {
                if global {
                    out.global.extend(more);
                } else {
                    codes.extend(more);
                }
            }
            if !codes.is_empty() {
                let first = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let last = u32::try_from(block_end(&lines, i) + 1).unwrap_or(u32::MAX);
                out.ranges.push((first, last, codes));
            }
        }
        out
    }

    /// Whether `finding` is ignored (a finding without a line only by a
    /// global ignore).
    pub fn ignores(&self, finding: &Finding) -> bool {
        let code = finding.code.as_str();
        if self.global.contains(code) {
            return true;
        }
        let Some(line) = finding.location.line else {
            return false;
        };
        self.ranges
            .iter()
            .any(|(first, last, codes)| (*first..=*last).contains(&line) && codes.contains(code))
    }

    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.ranges.is_empty()
    }
}

/// The comment text of `line` (after `#`), when it has one outside quotes.
fn comment_of(line: &str) -> Option<&str> {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && prev != '\\' => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return Some(&line[i + 1..]),
            _ => {}
        }
        prev = c;
    }
    None
}

/// `plimsoll [global] ignore=A,B`: whether global, and the codes named.
fn directive(comment: &str, rules: &[RuleInfo]) -> Option<(bool, HashSet<&'static str>)> {
    let rest = comment.trim().strip_prefix("plimsoll")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) if r.starts_with(char::is_whitespace) => (true, r.trim_start()),
        _ => (false, rest),
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    let list = list.split_whitespace().next().unwrap_or("");
    let mut codes = HashSet::new();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        for r in rules {
            if names_rule(word, r, &[]) || r.practice.eq_ignore_ascii_case(word) {
                codes.insert(r.code);
            }
        }
    }
    Some((global, codes))
}

/// The indentation of a line, a sequence item's dash counting as content.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last line (0-based) of the block line `i` opens: the following
/// lines indented deeper (blank and comment lines inside count), or, for
/// `key:` with nothing after it, also a sequence written at the key's own
/// indentation (`containers:\n- name: a`).
fn block_end(lines: &[&str], i: usize) -> usize {
    let own = indent(lines[i]);
    let opener = lines[i].trim_end();
    let opener = match comment_of(opener) {
        Some(c) => opener[..opener.len() - c.len() - 1].trim_end(),
        None => opener,
    };
    let compact_seq = opener.ends_with(':') && !opener.trim_start().starts_with("- ");
    let mut end = i;
    for (j, line) in lines.iter().enumerate().skip(i + 1) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t == "---" || t == "..." {
            break;
        }
        let deeper = indent(line) > own;
        let same_seq = compact_seq && indent(line) == own && (t.starts_with("- ") || t == "-");
        if !(deeper || same_seq) {
            break;
        }
        end = j;
    }
    end
}

/// `findings` without those the file's comments ignore.
pub fn apply(text: &str, rules: &[RuleInfo], findings: &mut Vec<Finding>) {
    if findings.is_empty() {
        return;
    }
    let ignores = InlineIgnores::parse(text, rules);
    if !ignores.is_empty() {
        findings.retain(|f| !ignores.ignores(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<RuleInfo> {
        crate::rule_infos()
    }

    fn finding(code: &str, line: u32) -> Finding {
        let info = rules().into_iter().find(|r| r.code == code).unwrap();
        Finding::new(&info, "m").at_line(Some(line))
    }

    fn ignored(text: &str, code: &str, line: u32) -> bool {
        InlineIgnores::parse(text, &rules()).ignores(&finding(code, line))
    }

    const POD: &str = "\
apiVersion: v1
kind: Pod
spec:
  containers:
  # plimsoll ignore=CFG001
  - name: a
    securityContext:
      privileged: true
  - name: b
    securityContext:
      privileged: true   # plimsoll ignore=privileged
      runAsUser: 0
  - name: c
    securityContext:
      privileged: true
";

    #[test]
    fn a_comment_above_covers_the_block_it_opens() {
        assert!(ignored(POD, "CFG001", 6));
        assert!(ignored(POD, "CFG001", 8));
        // The next item is outside the block.
        assert!(!ignored(POD, "CFG001", 9));
        assert!(!ignored(POD, "CFG001", 15));
    }

    #[test]
    fn a_trailing_comment_covers_its_line_by_name() {
        assert!(ignored(POD, "CFG001", 11));
        assert!(!ignored(POD, "CFG001", 12));
    }

    #[test]
    fn global_ignores_and_practice_ids() {
        let text = "# plimsoll global ignore=P-F1\nkind: Pod\n";
        assert!(ignored(text, "CFG001", 40));
        let other = rules()
            .into_iter()
            .find(|r| r.practice != "P-F1")
            .unwrap()
            .code;
        assert!(!ignored(text, other, 40));
    }

    #[test]
    fn a_blank_line_detaches_a_comment_and_quotes_hide_hashes() {
        let text = "# plimsoll ignore=CFG001\n\nprivileged: true\n";
        assert!(!ignored(text, "CFG001", 3));
        let text = "command: [\"sh\", \"-c\", \"echo # plimsoll ignore=CFG001\"]\n";
        assert!(!ignored(text, "CFG001", 1));
        // `#` must follow whitespace to start a comment.
        let text = "image: app#plimsoll ignore=CFG001\n";
        assert!(!ignored(text, "CFG001", 1));
    }

    #[test]
    fn compact_sequences_belong_to_their_key() {
        let text = "\
spec:
  containers: # plimsoll ignore=CFG001
  - name: a
    securityContext: {privileged: true}
  volumes: []
";
        assert!(ignored(text, "CFG001", 4));
        assert!(!ignored(text, "CFG001", 5));
    }

    #[test]
    fn other_comments_and_unknown_codes_change_nothing() {
        let text =
            "# plimsoll: keep\n# plimsoll ignore=NOPE\nprivileged: true # plimsollignore=CFG001\n";
        assert!(!ignored(text, "CFG001", 3));
    }
}
