//! The text rules of the domain (`domain::bounded_text`, e-mail addresses,
//! passwords), stated in the document exactly: a value the document
//! allows is one the server takes, and the other way round.

use utoipa::Modify;
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// No control character but tab, line feed and carriage return.
const TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// The same, with at least one character that is not white space (what
/// Rust's `char::is_whitespace` calls white space, which `trim` removes).
const NOT_BLANK: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// Anything with a character that is not white space.
pub(super) const SOMETHING: &str =
    r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// `domain::user::Email`: `local@domain.tld` with no white space or
/// control character inside, white space around it trimmed.
const EMAIL: &str = r"^[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+@[^@.\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+(\.[^@.\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+)+[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$";

/// Rust's white space that `bounded_text` lets through (no control
/// character but tab, line feed and carriage return).
const SPACE: &str = r"[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Neither white space nor a control character.
const VISIBLE: &str =
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// `domain::show`'s poster: empty, a path, or an `http(s)://` URL, with
/// no white space inside (around it, trimmed).
pub fn poster() -> String {
    format!("^{SPACE}*((/|https?://){VISIBLE}*)?{SPACE}*$")
}

/// `domain::webhook::endpoint_url`: `http(s)://` in any case, then
/// visible characters and no `#fragment` (around it, trimmed). What the
/// URL parser still refuses (a malformed host) is a `422`.
pub fn endpoint() -> String {
    let visible_but_hash = VISIBLE.replacen("[^", "[^#", 1);
    format!("^{SPACE}*[Hh][Tt][Tt][Pp][Ss]?://{visible_but_hash}*{SPACE}*$")
}

/// `(schema, property, min characters, max characters, pattern)`.
type Rule = (
    &'static str,
    &'static str,
    Option<usize>,
    Option<usize>,
    Option<&'static str>,
);

const RULES: &[Rule] = &[
    ("RegisterUser", "email", None, Some(254), Some(EMAIL)),
    ("RegisterUser", "name", None, Some(100), Some(NOT_BLANK)),
    ("RegisterUser", "password", Some(8), Some(128), None),
    ("LoginUser", "email", None, None, Some(SOMETHING)),
    ("LoginUser", "password", Some(1), None, None),
    ("CreateRoom", "name", None, Some(100), Some(NOT_BLANK)),
    ("CreateRoom", "location", None, Some(200), Some(TEXT)),
    ("CreateRoom", "notes", None, Some(2000), Some(TEXT)),
    ("UpdateRoom", "name", None, Some(100), Some(NOT_BLANK)),
    ("UpdateRoom", "location", None, Some(200), Some(TEXT)),
    ("UpdateRoom", "notes", None, Some(2000), Some(TEXT)),
    (
        "CreateReservation",
        "purpose",
        None,
        Some(200),
        Some(NOT_BLANK),
    ),
    ("CreateVenue", "name", None, Some(100), Some(NOT_BLANK)),
    ("CreateVenue", "location", None, Some(200), Some(TEXT)),
    ("SectionSpec", "name", None, Some(50), Some(NOT_BLANK)),
    ("CreateShow", "title", None, Some(200), Some(NOT_BLANK)),
    ("CreateShow", "description", None, Some(5000), Some(TEXT)),
    ("CreateShow", "location", None, Some(200), Some(TEXT)),
    ("CancelPerformance", "reason", None, Some(500), Some(TEXT)),
    ("CreateWebhook", "description", None, Some(200), Some(TEXT)),
    ("UpdateWebhook", "description", None, Some(200), Some(TEXT)),
    ("CreateApiKey", "name", None, Some(100), Some(NOT_BLANK)),
];

/// `domain::venue`'s row labels and tiers: 1 to `max` of `A-Z a-z 0-9 - _`,
/// white space around them trimmed.
pub fn label(max: usize) -> String {
    let space = r"[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
    format!("^{space}*[A-Za-z0-9_-]{{1,{max}}}{space}*$")
}

/// Rules whose pattern is built from the pieces above.
fn built_rules() -> Vec<(&'static str, &'static str, Option<usize>, String)> {
    vec![
        ("CreateShow", "poster_url", Some(2000), poster()),
        ("CreateWebhook", "url", None, endpoint()),
        ("UpdateWebhook", "url", None, endpoint()),
        ("RowSpec", "label", None, label(5)),
        ("RowSpec", "tier", None, label(20)),
    ]
}

pub struct TextRules;

impl Modify for TextRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, min, max, pattern) in RULES {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
                continue;
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(*property) else {
                continue;
            };
            field.min_length = *min;
            field.max_length = *max;
            field.pattern = pattern.map(str::to_owned);
        }
        for (schema, property, max, pattern) in built_rules() {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                continue;
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(property) else {
                continue;
            };
            field.max_length = max;
            field.pattern = Some(pattern);
        }
    }
}

#[cfg(test)]
mod tests {
    use regex::Regex;
    use serde_json::Value;

    use super::*;
    use crate::domain::bounded_text;
    use crate::domain::user::Email;

    fn matches(pattern: &str, value: &str) -> bool {
        Regex::new(pattern).unwrap().is_match(value)
    }

    /// Every rule lands on a property of the committed document.
    #[test]
    fn every_rule_names_a_documented_property() {
        let doc: Value = serde_json::from_str(&crate::openapi::to_json().unwrap()).unwrap();
        for (schema, property, min, max, pattern) in RULES {
            let field = &doc["components"]["schemas"][schema]["properties"][property];
            assert!(field.is_object(), "{schema}.{property}");
            if let Some(max) = max {
                assert_eq!(field["maxLength"], *max, "{schema}.{property}");
            }
            if let Some(min) = min {
                assert_eq!(field["minLength"], *min, "{schema}.{property}");
            }
            if let Some(pattern) = pattern {
                assert_eq!(field["pattern"], *pattern, "{schema}.{property}");
            }
        }
    }

    /// The patterns say what the domain does, on the values where a
    /// careless pattern and the code would part.
    #[test]
    fn the_patterns_agree_with_the_domain() {
        let samples = [
            "",
            " ",
            "\t\n",
            "\u{3000}",
            "A101",
            " A101 ",
            "a\u{0}b",
            "a\u{b}",
            "\u{85}",
            "\u{a0}x",
            "a\r\nb",
            "회의실",
            "\u{feff}",
            "\u{200b}",
            "x\u{9f}",
        ];
        for sample in samples {
            let domain = bounded_text("f", sample, 1, 100).is_ok();
            assert_eq!(matches(NOT_BLANK, sample), domain, "not blank: {sample:?}");
            let domain = bounded_text("f", sample, 0, 100).is_ok();
            assert_eq!(matches(TEXT, sample), domain, "text: {sample:?}");
            let domain = !sample.trim().is_empty();
            assert_eq!(matches(SOMETHING, sample), domain, "something: {sample:?}");
        }
        let emails = [
            "kim@example.com",
            " kim@example.com\t",
            "kim@example",
            "kim@.example.com",
            "kim@example..com",
            "kim@example.com.",
            "@example.com",
            "k im@example.com",
            "kim@exa@mple.com",
            "kim.minji@mail.example.co.kr",
            "kim@例え.jp",
            "kim\u{0}@x.com",
            "kim@x.com\u{3000}",
            "kim\u{feff}@x.com",
            "",
        ];
        for email in emails {
            assert_eq!(
                matches(EMAIL, email),
                Email::parse(email).is_ok(),
                "{email:?}"
            );
        }
    }

    /// Posters and webhook URLs: the pattern takes what the domain takes,
    /// except what only the URL parser can judge (answered `422`).
    #[test]
    fn the_url_patterns_agree_with_the_domain() {
        let samples = [
            "",
            " ",
            "/posters/a.png",
            " /posters/a.png\n",
            "https://cdn.example.com/a.png",
            "HTTPS://example.com/hook",
            "http://example.com/a b",
            "http://example.com/a\u{0}",
            "http://example.com/a\u{3000}",
            "http://example.com/#top",
            "ftp://example.com/a",
            "example.com/a",
            "https://",
            "/a\u{85}",
            "\u{b}/a",
        ];
        for sample in samples {
            let domain = crate::domain::show::poster_url(sample).is_ok();
            assert_eq!(matches(&poster(), sample), domain, "poster: {sample:?}");
            let domain = crate::domain::webhook::endpoint_url(sample);
            let rule = domain.as_ref().is_err_and(|e| e.rule);
            if !rule {
                assert_eq!(
                    matches(&endpoint(), sample),
                    domain.is_ok(),
                    "endpoint: {sample:?}"
                );
            } else {
                assert!(
                    matches(&endpoint(), sample),
                    "a 422 only for a match: {sample:?}"
                );
            }
        }
    }

    /// Row labels and tiers: the pattern takes what the domain takes.
    #[test]
    fn the_label_pattern_agrees_with_the_domain() {
        let samples = [
            "",
            " ",
            "A",
            " A ",
            "AB-1_",
            "ABCDEF",
            "가",
            "A B",
            "é",
            "\u{b}A",
            "A\u{3000}",
            "A\u{0}",
            "\u{85}A",
            "A.",
        ];
        for sample in samples {
            let domain = crate::domain::venue::label_part("f", sample, 5).is_ok();
            assert_eq!(matches(&label(5), sample), domain, "label: {sample:?}");
        }
    }
}
