//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
//! `${VAR+alt}` and `$$` for a literal `$`, with values from the process
//! environment over a `.env` file (as `docker compose` resolves them).
//! Defaults may themselves hold interpolations.

use std::collections::HashMap;

/// The values variables take: the process environment wins over `.env`.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    process: HashMap<String, String>,
    dotenv: HashMap<String, String>,
}

impl Variables {
    /// Values from the process environment given (no `.env` yet).
    pub fn new(process: impl IntoIterator<Item = (String, String)>) -> Self {
        Variables {
            process: process.into_iter().collect(),
            dotenv: HashMap::new(),
        }
    }

    /// The process environment of this process.
    pub fn from_process() -> Self {
        Self::new(std::env::vars())
    }

    /// These values with the `.env` file `text` under them. As `docker
    /// compose` reads it, a value that is not single-quoted is itself
    /// interpolated, from the environment and the lines above it
    /// (`DATA=${BASE}/data`).
    pub fn with_dotenv(&self, text: &str) -> Self {
        let mut vars = Variables {
            process: self.process.clone(),
            dotenv: HashMap::new(),
        };
        for (key, value, literal) in dotenv_entries(text) {
            let value = if literal {
                value
            } else {
                // An unset variable is empty here too; `:?` leaves the text.
                interpolate(&value, &vars, &mut Vec::new()).unwrap_or(value)
            };
            vars.dotenv.insert(key, value);
        }
        vars
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.process
            .get(name)
            .or_else(|| self.dotenv.get(name))
            .map(String::as_str)
    }
}

/// `KEY=VALUE` lines of a `.env` file: `export` prefixes, `#` comments,
/// single quotes (literal), double quotes (`\n`, `\"`), inline ` #`
/// comments after unquoted values.
pub fn parse_dotenv(text: &str) -> HashMap<String, String> {
    dotenv_entries(text)
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect()
}

/// The `.env` lines in order: key, value, and whether the value was
/// single-quoted (literal, never interpolated).
fn dotenv_entries(text: &str) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let literal = value.starts_with('\'');
        let value = if let Some(rest) = value.strip_prefix('\'') {
            rest.split('\'').next().unwrap_or("").to_string()
        } else if let Some(rest) = value.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => v.push('\n'),
                        Some(o) => v.push(o),
                        None => {}
                    },
                    o => v.push(o),
                }
            }
            v
        } else {
            match value.find(" #") {
                Some(i) => value[..i].trim_end().to_string(),
                None => value.to_string(),
            }
        };
        out.push((key.trim().to_string(), value, literal));
    }
    out
}

/// `text` with its variables replaced. An unset variable without a default
/// becomes empty and adds a warning; `${VAR:?message}` of an unset (or
/// empty) variable is an error with the message.
pub fn interpolate(
    text: &str,
    vars: &Variables,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            out.push_str(&braced(&body[..end], vars, warnings)?);
            rest = &body[end + 1..];
        } else {
            let n = after
                .char_indices()
                .find(|&(j, c)| {
                    !(c == '_' || c.is_ascii_alphanumeric() && !(j == 0 && c.is_ascii_digit()))
                })
                .map_or(after.len(), |(j, _)| j);
            if n == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(&after[..n], vars, warnings));
            rest = &after[n..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` that closes a `${`, nested `${…}` skipped.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn lookup(name: &str, vars: &Variables, warnings: &mut Vec<String>) -> String {
    match vars.get(name) {
        Some(v) => v.to_string(),
        None => {
            warnings.push(format!(
                "variable `{name}` is not set: it is read as an empty string"
            ));
            String::new()
        }
    }
}

fn braced(body: &str, vars: &Variables, warnings: &mut Vec<String>) -> Result<String, String> {
    let n = body
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(body.len());
    let (name, op) = body.split_at(n);
    if name.is_empty() {
        return Err(format!("invalid interpolation `${{{body}}}`"));
    }
    let value = vars.get(name);
    let (colon, op) = match op.strip_prefix(':') {
        Some(o) => (true, o),
        None => (false, op),
    };
    // Unset, or (with a colon) empty.
    let missing = value.is_none_or(|v| colon && v.is_empty());
    let mut sub = |t: &str| interpolate(t, vars, warnings);
    match op.chars().next() {
        None if !colon => Ok(match value {
            Some(v) => v.to_string(),
            None => lookup(name, vars, warnings),
        }),
        Some('-') => {
            if missing {
                sub(&op[1..])
            } else {
                Ok(value.unwrap_or("").to_string())
            }
        }
        Some('?') => {
            if missing {
                let m = sub(&op[1..])?;
                Err(if m.is_empty() {
                    format!("required variable `{name}` is missing a value")
                } else {
                    format!("required variable `{name}` is missing a value: {m}")
                })
            } else {
                Ok(value.unwrap_or("").to_string())
            }
        }
        Some('+') => {
            if missing {
                Ok(String::new())
            } else {
                sub(&op[1..])
            }
        }
        _ => Err(format!("invalid interpolation `${{{body}}}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        Variables::new([
            ("SET".to_string(), "v".to_string()),
            ("EMPTY".to_string(), String::new()),
            ("TAG".to_string(), "from-process".to_string()),
        ])
        .with_dotenv(
            "# comment\nexport TAG=from-dotenv\nDOT='single # x'\nQ=\"a\\\"b\" \nPLAIN=p #c\n",
        )
    }

    fn i(t: &str) -> (Result<String, String>, Vec<String>) {
        let mut w = Vec::new();
        (interpolate(t, &vars(), &mut w), w)
    }

    #[test]
    fn dotenv_values_are_interpolated_in_order() {
        let v = Variables::new([("SET".to_string(), "v".to_string())]).with_dotenv(
            "DATA=${BASE}/data\nBASE=/srv\nMORE=\"${BASE}/more\"\nLIT='${BASE}'\nENV=${SET}-x\nDEF=${NOPE:-d}\n",
        );
        let mut w = Vec::new();
        assert_eq!(
            interpolate("$DATA|$MORE|$LIT|$ENV|$DEF", &v, &mut w).unwrap(),
            // DATA is read before BASE is set: empty, as docker compose does.
            "/data|/srv/more|${BASE}|v-x|d"
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn forms() {
        assert_eq!(i("${SET}-$SET.$$SET").0.unwrap(), "v-v.$SET");
        assert_eq!(
            i("${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}")
                .0
                .unwrap(),
            "d|d||d"
        );
        assert_eq!(
            i("${SET:+alt}|${UNSET+alt}|${EMPTY+alt}").0.unwrap(),
            "alt||alt"
        );
        assert_eq!(i("${UNSET:-${SET}x}").0.unwrap(), "vx");
        assert_eq!(i("${SET:?boom}").0.unwrap(), "v");
        assert_eq!(
            i("${UNSET:?say it}").0.unwrap_err(),
            "required variable `UNSET` is missing a value: say it"
        );
        assert!(i("${EMPTY:?x}").0.is_err());
        assert_eq!(i("${EMPTY?x}").0.unwrap(), "");
        assert!(i("${UNSET?x}").0.is_err());
        let (v, w) = i("a${UNSET}b$UNSET2");
        assert_eq!(v.unwrap(), "ab");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(i("${oops").0.is_err());
        assert!(i("${:-x}").0.is_err());
        assert_eq!(i("cost: 5$").0.unwrap(), "cost: 5$");
    }

    #[test]
    fn process_wins_over_dotenv() {
        assert_eq!(
            i("$TAG $DOT $Q $PLAIN").0.unwrap(),
            "from-process single # x a\"b p"
        );
    }
}
