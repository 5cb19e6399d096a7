//! What `/watchitem` accepts: a term to watch for.

use crate::ServiceError;

/// The field MozDef's form carries the term in.
const FIELD: &str = "watchcontent";
/// The fewest characters of a watched term (MozDef's rule).
pub const MIN_WATCH_CONTENT_CHARS: usize = 2;
/// The most characters of a watched term.
pub const MAX_WATCH_CONTENT_CHARS: usize = 1024;

/// The term to watch, from the `watchcontent` field: surrounding whitespace removed, then
/// [`MIN_WATCH_CONTENT_CHARS`] to [`MAX_WATCH_CONTENT_CHARS`] characters. Anything else is a
/// [`ServiceError::Invalid`] naming `watchcontent` (MozDef only logged a short term; it set no
/// upper bound).
pub fn check_watch_content(text: &str) -> Result<String, ServiceError> {
    let term = text.trim();
    let chars = term.chars().count();
    if chars < MIN_WATCH_CONTENT_CHARS {
        return Err(ServiceError::invalid(
            FIELD,
            format!("{term:?} is too short: at least {MIN_WATCH_CONTENT_CHARS} characters are needed"),
        ));
    }
    if chars > MAX_WATCH_CONTENT_CHARS {
        return Err(ServiceError::invalid(
            FIELD,
            format!("is {chars} characters long, more than the {MAX_WATCH_CONTENT_CHARS} allowed"),
        ));
    }
    Ok(term.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_terms_are_trimmed() {
        assert_eq!(check_watch_content("  jdoe ").unwrap(), "jdoe");
        assert_eq!(check_watch_content("ab").unwrap(), "ab");
        assert_eq!(check_watch_content("été").unwrap(), "été");
    }

    #[test]
    fn too_short() {
        for text in ["", " ", "a", "  a  ", "\t\n"] {
            let e = check_watch_content(text).unwrap_err().to_string();
            assert!(e.starts_with("watchcontent: "), "{e}");
            assert!(e.contains("too short"), "{e}");
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(check_watch_content("é").is_err());
        assert!(check_watch_content(&"é".repeat(MAX_WATCH_CONTENT_CHARS)).is_ok());
    }

    #[test]
    fn too_long() {
        assert!(check_watch_content(&"x".repeat(MAX_WATCH_CONTENT_CHARS)).is_ok());
        let e = check_watch_content(&"x".repeat(MAX_WATCH_CONTENT_CHARS + 1)).unwrap_err();
        assert_eq!(e.to_string(), "watchcontent: is 1025 characters long, more than the 1024 allowed");
    }
}
