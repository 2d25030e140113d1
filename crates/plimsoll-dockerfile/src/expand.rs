//! Variable expansion as BuildKit applies it to instruction arguments.

use std::collections::HashMap;

/// The longest text an expansion may produce (64 KiB). Past it the text is
/// kept as written, unexpanded: a chain of `ARG aN=${aN-1}${aN-1}` doubles
/// at every line and would otherwise exhaust memory in a few dozen lines.
pub const MAX_EXPANSION: usize = 64 * 1024;

/// Expands `$V`, `${V}`, `${V:-default}`, `${V-default}`, `${V:+alt}` and
/// `${V+alt}` against `vars`. An unset variable expands to the empty string;
/// `\$` is a literal `$`; text inside single quotes is not expanded (quotes
/// are kept). Malformed `${` is kept as written. A result longer than
/// [`MAX_EXPANSION`] is not made: `s` is returned as written. Never panics.
pub fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    try_expand(s, vars).unwrap_or_else(|| s.to_string())
}

/// [`expand`], or None when the result would exceed [`MAX_EXPANSION`].
pub fn try_expand(s: &str, vars: &HashMap<String, String>) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len().min(MAX_EXPANSION));
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
                let (text, next) = expand_at(&chars, i, vars)?;
                out.push_str(&text);
                i = next;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
        if out.len() > MAX_EXPANSION {
            return None;
        }
    }
    Some(out)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the `$…` at `chars[i]`; returns the text and the index after it
/// (None: too long).
fn expand_at(chars: &[char], i: usize, vars: &HashMap<String, String>) -> Option<(String, usize)> {
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
                return Some((chars[i..].iter().collect(), chars.len()));
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
                    _ => try_expand(d, vars)?,
                }
            } else if let Some(d) = rest.strip_prefix('-') {
                match value {
                    Some(v) => v,
                    None => try_expand(d, vars)?,
                }
            } else if let Some(a) = rest.strip_prefix(":+") {
                match value {
                    Some(v) if !v.is_empty() => try_expand(a, vars)?,
                    _ => String::new(),
                }
            } else if let Some(a) = rest.strip_prefix('+') {
                match value {
                    Some(_) => try_expand(a, vars)?,
                    None => String::new(),
                }
            } else {
                // Unsupported modifier (`${V?err}`, `${V#x}`…): keep as written.
                chars[i..=close].iter().collect()
            };
            Some((text, close + 1))
        }
        Some(&c) if is_name_char(c) && !c.is_ascii_digit() => {
            let mut j = i + 1;
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            Some((lookup(&name).unwrap_or_default(), j))
        }
        _ => Some(("$".to_string(), i + 1)),
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
    fn a_doubling_chain_stays_bounded() {
        // ARG a0=xxxxxxxx, then aN=${aN-1}${aN-1}: 2^N growth without a cap.
        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert("a0".into(), "x".repeat(1024));
        for n in 1..60 {
            let v = expand(&format!("${{a{}}}${{a{}}}", n - 1, n - 1), &vars);
            assert!(v.len() <= MAX_EXPANSION, "a{n}: {} bytes", v.len());
            vars.insert(format!("a{n}"), v);
        }
        // Up to the cap the values double; past it they stay as written.
        assert_eq!(vars["a6"].len(), 64 * 1024);
        assert_eq!(vars["a7"], "${a6}${a6}");
        assert_eq!(try_expand("${a6}${a6}", &vars), None);
        assert_eq!(try_expand("${a5}", &vars).map(|v| v.len()), Some(32 * 1024));
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
