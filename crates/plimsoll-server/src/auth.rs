//! The API token: read from a file or the environment (never a flag value),
//! compared in constant time, never printed.

use sha2::{Digest, Sha256};

/// A bearer token. `Debug` does not show it.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the API token is empty")]
    Empty,
    #[error(
        "the API token is shorter than 16 characters: use a random one (e.g. `openssl rand -hex 32`)"
    )]
    Short,
    #[error("the API token contains whitespace or control characters inside it")]
    Chars,
    #[error("token file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("token file {path}: {source}")]
    Invalid {
        path: String,
        source: Box<TokenError>,
    },
}

impl Token {
    /// A token from its text (surrounding whitespace, e.g. a file's final
    /// newline, removed).
    pub fn new(text: &str) -> Result<Token, TokenError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(TokenError::Empty);
        }
        if t.chars().count() < 16 {
            return Err(TokenError::Short);
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError::Chars);
        }
        Ok(Token {
            digest: Sha256::digest(t.as_bytes()).into(),
        })
    }

    /// The token in `path` (its final newline removed).
    pub fn read_file(path: &std::path::Path) -> Result<Token, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenError::File {
            path: path.display().to_string(),
            source,
        })?;
        Token::new(&text).map_err(|e| TokenError::Invalid {
            path: path.display().to_string(),
            source: Box::new(e),
        })
    }

    /// A new random token (32 bytes from the OS, in hex) written to `path`,
    /// which must not exist, readable by its owner only.
    pub fn create_file(path: &std::path::Path) -> Result<Token, TokenError> {
        use std::io::{Read, Write};
        let file_error = |source| TokenError::File {
            path: path.display().to_string(),
            source,
        };
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .map_err(file_error)?;
        let text = hex::encode(bytes);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(file_error)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(path).map_err(file_error)?;
        f.write_all(format!("{text}\n").as_bytes())
            .map_err(file_error)?;
        Token::new(&text)
    }

    /// Whether `presented` is this token. Both sides are hashed first, then
    /// compared without an early exit, so timing tells nothing of the token.
    pub fn matches(&self, presented: &str) -> bool {
        let other: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let diff = self
            .digest
            .iter()
            .zip(other.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }

    /// Whether an `Authorization` header value carries this token
    /// (`Bearer T`; the scheme is case-insensitive).
    pub fn authorizes(&self, header: Option<&str>) -> bool {
        let Some(h) = header else { return false };
        let Some((scheme, value)) = h.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer") && self.matches(value.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens() {
        let t = Token::new("0123456789abcdef0123\n").unwrap();
        assert!(t.authorizes(Some("Bearer 0123456789abcdef0123")));
        assert!(t.authorizes(Some("bearer  0123456789abcdef0123 ")));
        assert!(!t.authorizes(Some("Bearer 0123456789abcdef012")));
        assert!(!t.authorizes(Some("Basic 0123456789abcdef0123")));
        assert!(!t.authorizes(Some("0123456789abcdef0123")));
        assert!(!t.authorizes(None));
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert!(matches!(Token::new("short"), Err(TokenError::Short)));
        assert!(matches!(Token::new("  "), Err(TokenError::Empty)));
        assert!(matches!(
            Token::new("0123456789 abcdef0123"),
            Err(TokenError::Chars)
        ));
    }

    #[test]
    fn token_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/serve.token");
        let made = Token::create_file(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(made.matches(text.trim()));
        assert!(Token::read_file(&path).unwrap().matches(text.trim()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Token::create_file(&path).is_err(), "never overwrites");
        let e = Token::read_file(&dir.path().join("none"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("none"), "{e}");
    }
}
