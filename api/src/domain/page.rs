//! Cursor pagination: a page size and an opaque position.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::FieldError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A validated page request. The cursor is the sort key and id of the last
/// item of the previous page, each list deciding what its sort key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<(String, String)>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        // `cursor=` (a query built from a template) asks for the first page.
        let after = cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
        Ok(Self { limit, after })
    }
}

/// Encodes the position after which the next page starts.
pub fn encode_cursor(sort_key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{sort_key}\u{1f}{id}"))
}

fn decode(cursor: &str) -> Result<(String, String), FieldError> {
    let invalid = || FieldError::rule("cursor", "is not a cursor this list returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (key, id) = text.split_once('\u{1f}').ok_or_else(invalid)?;
    Ok((key.to_owned(), id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let cursor = encode_cursor("a101", "65f0");
        let page = PageRequest::parse(None, Some(&cursor)).unwrap();
        assert_eq!(page.after, Some(("a101".into(), "65f0".into())));
        assert_eq!(page.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn an_empty_cursor_is_the_first_page() {
        assert_eq!(PageRequest::parse(None, Some("")).unwrap().after, None);
    }

    #[test]
    fn a_forged_cursor_is_refused_naming_the_field() {
        assert_eq!(
            PageRequest::parse(None, Some("!!")).unwrap_err().field,
            "cursor"
        );
    }

    #[test]
    fn limits_outside_one_to_two_hundred_are_refused() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert!(PageRequest::parse(Some(200), None).is_ok());
    }
}
