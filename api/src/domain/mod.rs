//! Domain values: request data parsed into values that are valid by
//! construction. Nothing here knows about HTTP or MongoDB.

pub mod booking;
pub mod page;
pub mod queue;
pub mod reservation;
pub mod room;
pub mod show;
pub mod user;
pub mod venue;
pub mod webhook;

/// A request field that failed validation, with a message for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Trims `value` and checks its length in characters is within `min..=max`.
pub fn bounded_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(FieldError::new(
            field,
            if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must be at least {min} characters")
            },
        ));
    }
    if len > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_surrounding_whitespace() {
        assert_eq!(bounded_text("name", "  A101 ", 1, 10).unwrap(), "A101");
    }

    #[test]
    fn bounded_text_counts_characters_not_bytes() {
        assert!(bounded_text("name", "회의실회의실", 1, 6).is_ok());
    }

    #[test]
    fn blank_text_is_empty() {
        let err = bounded_text("name", "   ", 1, 10).unwrap_err();
        assert_eq!(err, FieldError::new("name", "must not be empty"));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(bounded_text("name", "a\u{0}b", 1, 10).is_err());
    }
}
