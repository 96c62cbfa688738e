//! Webhook endpoints as admins register them.

use shared::{CreateWebhook, EventType, UpdateWebhook};

use super::{FieldError, bounded_text};

pub const MAX_URL_CHARS: usize = 2000;
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// A valid endpoint to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub enabled: bool,
}

/// Valid changes to an endpoint; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

impl EndpointChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// An absolute `http` or `https` URL with a host, as it will be called.
pub fn endpoint_url(value: &str) -> Result<String, FieldError> {
    let text = value.trim();
    if text.chars().count() > MAX_URL_CHARS {
        return Err(FieldError::new(
            "url",
            format!("must be at most {MAX_URL_CHARS} characters"),
        ));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(FieldError::new(
            "url",
            "must not contain white space or control characters",
        ));
    }
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("http://") && !lower.starts_with("https://") {
        return Err(FieldError::new(
            "url",
            "must be an absolute URL starting with http:// or https://",
        ));
    }
    let parsed = url::Url::parse(text)
        .map_err(|e| FieldError::rule("url", format!("is not an absolute URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldError::new(
            "url",
            format!("must use http or https, not `{}`", parsed.scheme()),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::rule("url", "must name a host"));
    }
    if parsed.fragment().is_some() {
        return Err(FieldError::new("url", "must not have a #fragment"));
    }
    Ok(parsed.to_string())
}

fn event_types(mut types: Vec<EventType>) -> Vec<EventType> {
    types.sort_by_key(|t| t.as_str());
    types.dedup();
    types
}

fn description(value: &str) -> Result<String, FieldError> {
    bounded_text("description", value, 0, MAX_DESCRIPTION_CHARS)
}

impl TryFrom<CreateWebhook> for NewEndpoint {
    type Error = FieldError;

    fn try_from(request: CreateWebhook) -> Result<Self, Self::Error> {
        Ok(Self {
            url: endpoint_url(&request.url)?,
            description: description(&request.description)?,
            event_types: event_types(request.event_types),
            enabled: request.enabled,
        })
    }
}

impl TryFrom<UpdateWebhook> for EndpointChanges {
    type Error = FieldError;

    fn try_from(request: UpdateWebhook) -> Result<Self, Self::Error> {
        Ok(Self {
            url: request.url.as_deref().map(endpoint_url).transpose()?,
            description: request
                .description
                .as_deref()
                .map(description)
                .transpose()?,
            event_types: request.event_types.map(event_types),
            enabled: request.enabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_are_accepted_as_written() {
        assert_eq!(
            endpoint_url(" https://hooks.example.com/in?x=1 ").unwrap(),
            "https://hooks.example.com/in?x=1"
        );
        assert!(endpoint_url("http://127.0.0.1:9000/").is_ok());
    }

    #[test]
    fn other_schemes_relative_urls_and_fragments_are_refused_naming_the_url() {
        for bad in [
            "ftp://example.com/",
            "/hooks",
            "example.com",
            "https://x.test/#a",
        ] {
            assert_eq!(endpoint_url(bad).unwrap_err().field, "url", "{bad}");
        }
    }

    #[test]
    fn event_types_are_kept_once_each() {
        let types = event_types(vec![
            EventType::BookingConfirmed,
            EventType::BookingCancelled,
            EventType::BookingConfirmed,
        ]);
        assert_eq!(types.len(), 2);
    }
}
