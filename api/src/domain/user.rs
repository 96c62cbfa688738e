//! Account rules: emails, display names and passwords.

use shared::{LoginUser, RegisterUser};

use super::{FieldError, bounded_text};

/// An email address as typed, plus the case-folded key that makes it unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub display: String,
    pub key: String,
}

impl Email {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let email = value.trim();
        let invalid = || FieldError::new("email", "must be an email address like name@example.com");
        if email.is_empty() {
            return Err(FieldError::new("email", "must not be empty"));
        }
        // As sent, as the OpenAPI document states it.
        if value.chars().count() > 254 {
            return Err(FieldError::new("email", "must be at most 254 characters"));
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty()
            || !domain_ok
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        Ok(Self {
            display: email.to_owned(),
            key: email.to_lowercase(),
        })
    }
}

/// A password that meets the length rules. Never logged.
pub struct Password(pub String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Bounded so hashing cannot be used to burn CPU.
    pub const MAX_CHARS: usize = 128;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let len = value.chars().count();
        if len < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if len > Self::MAX_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A validated registration.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub password: Password,
}

impl TryFrom<RegisterUser> for NewUser {
    type Error = FieldError;

    fn try_from(body: RegisterUser) -> Result<Self, Self::Error> {
        Ok(Self {
            email: Email::parse(&body.email)?,
            name: bounded_text("name", &body.name, 1, 100)?,
            password: Password::parse(&body.password)?,
        })
    }
}

/// Login input. Only emptiness is checked: any other mismatch must look
/// exactly like a wrong password.
#[derive(Debug)]
pub struct Credentials {
    pub email_key: String,
    pub password: String,
}

impl TryFrom<LoginUser> for Credentials {
    type Error = FieldError;

    fn try_from(body: LoginUser) -> Result<Self, Self::Error> {
        if body.email.trim().is_empty() {
            return Err(FieldError::new("email", "must not be empty"));
        }
        if body.password.is_empty() {
            return Err(FieldError::new("password", "must not be empty"));
        }
        Ok(Self {
            email_key: body.email.trim().to_lowercase(),
            password: body.password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_unique_regardless_of_case() {
        let a = Email::parse("Hong@Example.com").unwrap();
        let b = Email::parse("hong@example.COM").unwrap();
        assert_eq!(a.key, b.key);
        assert_eq!(a.display, "Hong@Example.com");
    }

    #[test]
    fn an_email_needs_an_at_sign_and_a_dotted_domain() {
        for bad in [
            "hong",
            "hong@",
            "@example.com",
            "hong@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn short_passwords_are_refused_naming_the_field() {
        let err = Password::parse("short").unwrap_err();
        assert_eq!(err.field, "password");
    }

    #[test]
    fn password_length_counts_characters() {
        assert!(Password::parse("비밀번호비밀번호").is_ok());
    }

    #[test]
    fn a_registration_with_a_blank_name_is_refused() {
        let body = RegisterUser {
            email: "a@example.com".into(),
            name: " ".into(),
            password: "long enough".into(),
        };
        assert_eq!(NewUser::try_from(body).unwrap_err().field, "name");
    }
}
