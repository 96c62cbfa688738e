//! Domain values: request data parsed into values that are valid by
//! construction. Nothing here knows about HTTP or MongoDB.

pub mod booking;
pub mod page;
pub mod poster;
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
    /// Whether the value is one the OpenAPI document allows, refused by a
    /// rule it cannot state: across fields (an end before its start), by
    /// the clock (a start in the past) or by this deployment's settings
    /// (a charge over the configured maximum). Answered `422`; a value the
    /// document itself refuses is a `400`.
    pub rule: bool,
}

impl FieldError {
    /// A value the document's schema refuses (`400`).
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            rule: false,
        }
    }

    /// A value the schema allows, refused by a rule it cannot state (`422`).
    pub fn rule(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule: true,
            ..Self::new(field, message)
        }
    }
}

/// Checks text as sent: at most `max` characters, no control characters
/// but tab, line feed and carriage return, and, where `min` is 1, something
/// besides white space. Returns it trimmed. The OpenAPI document states
/// exactly these rules (`openapi::text`), so clients generated from it and
/// the server agree on every value.
pub fn bounded_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let trimmed = value.trim();
    if trimmed.chars().count() < min {
        return Err(FieldError::new(
            field,
            if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must be at least {min} characters")
            },
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
    fn control_characters_are_refused_but_line_breaks_are_not() {
        assert!(bounded_text("name", "a\u{0}b", 1, 10).is_err());
        assert!(bounded_text("name", "a\u{b}", 1, 10).is_err());
        assert_eq!(
            bounded_text("notes", "a\r\nb\tc", 0, 10).unwrap(),
            "a\r\nb\tc"
        );
    }

    #[test]
    fn the_length_counts_what_was_sent() {
        assert!(bounded_text("name", " A101 ", 1, 5).is_err());
        assert!(bounded_text("name", " A101", 1, 5).is_ok());
    }
}
