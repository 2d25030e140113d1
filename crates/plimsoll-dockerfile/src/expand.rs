//! Variable expansion as BuildKit applies it to instruction arguments.

use std::collections::HashMap;

/// Expands `$V`, `${V}`, `${V:-default}`, `${V-default}`, `${V:+alt}` and
/// `${V+alt}` against `vars`. An unset variable expands to the empty string;
/// `\$` is a literal `$`; text inside single quotes is not expanded (quotes
/// are kept). Malformed `${` is kept as written. Never panics.
pub fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut in_single = false;
    while i < chars.len() {
        let c = chars[i];
        if in_single {
            out.push(c);
            if c == '\'' {
                in_single = false;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' => {
                in_single = true;
                out.push(c);
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'$') => {
                out.push('$');
                i += 2;
            }
            '$' => {
                let (text, next) = expand_at(&chars, i, vars);
                out.push_str(&text);
                i = next;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the `$…` at `chars[i]`; returns the text and the index after it.
fn expand_at(chars: &[char], i: usize, vars: &HashMap<String, String>) -> (String, usize) {
    let lookup = |name: &str| vars.get(name).cloned();
    match chars.get(i + 1) {
        Some('{') => {
            // Find the matching `}` (nesting for `${A:-${B}}`).
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut close = None;
            while j < chars.len() {
                match chars[j] {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let Some(close) = close else {
                return (chars[i..].iter().collect(), chars.len());
            };
            let inner: String = chars[i + 2..close].iter().collect();
            let name_len = inner.chars().take_while(|&c| is_name_char(c)).count();
            let (name, rest) = inner.split_at(
                inner
                    .char_indices()
                    .nth(name_len)
                    .map_or(inner.len(), |(b, _)| b),
            );
            let value = lookup(name);
            let text = if rest.is_empty() {
                value.unwrap_or_default()
            } else if let Some(d) = rest.strip_prefix(":-") {
                match value {
                    Some(v) if !v.is_empty() => v,
                    _ => expand(d, vars),
                }
            } else if let Some(d) = rest.strip_prefix('-') {
                value.unwrap_or_else(|| expand(d, vars))
            } else if let Some(a) = rest.strip_prefix(":+") {
                match value {
                    Some(v) if !v.is_empty() => expand(a, vars),
                    _ => String::new(),
                }
            } else if let Some(a) = rest.strip_prefix('+') {
                value.map(|_| expand(a, vars)).unwrap_or_default()
            } else {
                // Unsupported modifier (`${V?err}`, `${V#x}`…): keep as written.
                chars[i..=close].iter().collect()
            };
            (text, close + 1)
        }
        Some(&c) if is_name_char(c) && !c.is_ascii_digit() => {
            let mut j = i + 1;
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            (lookup(&name).unwrap_or_default(), j)
        }
        _ => ("$".to_string(), i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> HashMap<String, String> {
        [("V", "1.2"), ("E", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms() {
        let v = vars();
        assert_eq!(expand("a$V-b", &v), "a1.2-b");
        assert_eq!(expand("${V}x", &v), "1.2x");
        assert_eq!(expand("${U:-dflt}", &v), "dflt");
        assert_eq!(expand("${E:-dflt}", &v), "dflt");
        assert_eq!(expand("${E-dflt}", &v), "");
        assert_eq!(expand("${V:+alt}", &v), "alt");
        assert_eq!(expand("${U:+alt}", &v), "");
        assert_eq!(expand("${U:-${V}}", &v), "1.2");
        assert_eq!(expand("$U.", &v), ".");
        assert_eq!(expand(r"\$V '$V'", &v), "$V '$V'");
        assert_eq!(expand("${V", &v), "${V");
        assert_eq!(expand("$", &v), "$");
        assert_eq!(expand("${V#x}", &v), "${V#x}");
    }
}
