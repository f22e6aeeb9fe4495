//! Secret tokens handed to a browser (session cookies, invitation links): 256 bits from
//! the operating system's CSPRNG, of which only a SHA-256 hash is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// A token as the browser holds it. Deliberately neither `Debug` nor `Serialize`, so it
/// can't end up in a log line or a response by accident.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Result<SecretToken, AppError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| {
            tracing::error!(%error, "the operating system's random number generator failed");
            AppError::Internal
        })?;
        Ok(SecretToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn from_browser(value: &str) -> SecretToken {
        SecretToken(value.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks tokens up by.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_carry_256_bits_in_url_safe_characters() {
        let token = SecretToken::generate().unwrap();
        // 32 bytes in unpadded base64.
        assert_eq!(token.expose().len(), 43);
        assert!(
            token
                .expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn tokens_do_not_repeat() {
        let tokens: HashSet<String> = (0..10_000)
            .map(|_| SecretToken::generate().unwrap().expose().to_string())
            .collect();
        assert_eq!(tokens.len(), 10_000);
    }

    #[test]
    fn the_stored_hash_is_sha256_and_not_the_token() {
        let token = SecretToken::from_browser("abc");
        assert_eq!(
            token.hash(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(token.hash(), token.expose());
    }
}
