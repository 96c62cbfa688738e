//! Poster images uploaded for shows: a PNG, JPEG or WebP image whose bytes
//! are what its `Content-Type` says. Nothing else is served back (an SVG
//! could carry script).

/// Largest poster accepted, in bytes.
pub const MAX_POSTER_BYTES: usize = 2 * 1024 * 1024;

/// The image types accepted, with the bytes each file starts with.
pub const POSTER_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

/// Why an upload is not a poster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosterError {
    /// The `Content-Type` is not one of [`POSTER_TYPES`].
    Type,
    /// The bytes are not an image of the declared type.
    Content(String),
}

/// The poster's media type, if `content_type` names an accepted one and
/// `bytes` are an image of that type.
pub fn check_poster(content_type: &str, bytes: &[u8]) -> Result<&'static str, PosterError> {
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(kind) = POSTER_TYPES.iter().find(|t| **t == declared) else {
        return Err(PosterError::Type);
    };
    if bytes.is_empty() {
        return Err(PosterError::Content("the file is empty".into()));
    }
    let matches = match *kind {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        _ => bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP",
    };
    if !matches {
        return Err(PosterError::Content(format!(
            "the file is not a {} image",
            kind.trim_start_matches("image/").to_ascii_uppercase()
        )));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn an_image_of_the_declared_type_is_a_poster() {
        assert_eq!(check_poster("image/png", PNG), Ok("image/png"));
        assert_eq!(
            check_poster("IMAGE/JPEG; q=1", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok("image/jpeg")
        );
        assert_eq!(
            check_poster("image/webp", b"RIFF\x10\0\0\0WEBPVP8 "),
            Ok("image/webp")
        );
    }

    #[test]
    fn other_types_and_mislabelled_files_are_refused() {
        assert_eq!(
            check_poster("image/svg+xml", b"<svg/>"),
            Err(PosterError::Type)
        );
        assert_eq!(check_poster("", PNG), Err(PosterError::Type));
        assert_eq!(
            check_poster("image/jpeg", PNG),
            Err(PosterError::Content("the file is not a JPEG image".into()))
        );
        assert_eq!(
            check_poster("image/png", b""),
            Err(PosterError::Content("the file is empty".into()))
        );
    }
}
