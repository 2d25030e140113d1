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
}
