//! argon2id password hashing. Hashing is deliberately slow, so callers run
//! it on the blocking thread pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use crate::configuration::AuthSettings;
use crate::error::ApiError;

/// The cost parameters new hashes are made with.
#[derive(Debug, Clone, Copy)]
pub struct HashCost {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl HashCost {
    pub fn from_settings(settings: &AuthSettings) -> Self {
        Self {
            memory_kib: settings.argon2_memory_kib,
            iterations: settings.argon2_iterations,
            parallelism: settings.argon2_parallelism,
        }
    }

    fn hasher(&self) -> Result<Argon2<'static>, ApiError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| ApiError::Internal(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// A PHC string (`$argon2id$v=19$...`) embedding its own parameters.
    pub fn hash(&self, password: &str) -> Result<String, ApiError> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| ApiError::Internal(format!("salt encoding: {e}")))?;
        self.hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| ApiError::Internal(format!("argon2 hashing: {e}")))
    }

    /// Checks `password` against a stored hash. With no stored hash (unknown
    /// email) it spends the same work hashing, then refuses, so both cases
    /// take as long.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let Some(stored) = stored else {
            self.hash(password)?;
            return Ok(false);
        };
        let parsed = PasswordHash::new(stored)
            .map_err(|e| ApiError::Internal(format!("stored hash unreadable: {e}")))?;
        Ok(self
            .hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashCost {
        HashCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let hash = cheap().hash("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(cheap().verify("correct horse", Some(&hash)).unwrap());
        assert!(!cheap().verify("wrong horse", Some(&hash)).unwrap());
    }

    #[test]
    fn an_unknown_account_never_verifies() {
        assert!(
            !cheap()
                .verify("no account has this password", None)
                .unwrap()
        );
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            cheap().hash("pw12345678").unwrap(),
            cheap().hash("pw12345678").unwrap()
        );
    }
}
