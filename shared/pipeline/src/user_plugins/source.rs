//! The text of a plugin file: `//` comments blanked out (so that line and column numbers stay
//! those of the file), and positions of values in it, for error messages.
//!
//! The position scanner only runs on text that `serde_json` has parsed (or at least read up
//! to an error), and gives up (`None`) on anything it does not expect; it never panics.

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seg {
    /// A member of an object.
    Key(&'static str),
    /// An element of an array.
    Index(usize),
}

/// `text` with every `//` comment outside strings replaced by spaces, byte for byte.
pub(super) fn strip_comments(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    bytes[i] = b' ';
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only whole characters (up to an ASCII newline) were replaced by ASCII spaces.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// The 1-based line and column (in bytes, as `serde_json` counts) of byte `offset`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, before.len() - line_start + 1)
}

/// The byte offset of 1-based `line` and `column`.
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.bytes().enumerate().filter(|&(_, b)| b == b'\n').nth(line - 2).map_or(text.len(), |(p, _)| p + 1)
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// The byte offset where the value at `path` starts; for a path that cannot be followed to its
/// end, the start of the deepest value reached.
pub(super) fn locate(text: &str, path: &[Seg]) -> usize {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for seg in path {
        let next = match (seg, bytes.get(pos)) {
            (Seg::Key(key), Some(b'{')) => member(text, pos, key),
            (Seg::Index(index), Some(b'[')) => element(bytes, pos, *index),
            _ => None,
        };
        match next {
            Some(next) => pos = next,
            None => break,
        }
    }
    pos.min(text.len())
}

/// The byte spans of the elements of the array at `path`.
pub(super) fn element_spans(text: &str, path: &[Seg]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let start = locate(text, path);
    let mut spans = Vec::new();
    if bytes.get(start) != Some(&b'[') {
        return spans;
    }
    let mut pos = skip_ws(bytes, start + 1);
    while let Some(&b) = bytes.get(pos) {
        if b == b']' {
            break;
        }
        let Some(end) = skip_value(bytes, pos) else { break };
        spans.push((pos, end));
        pos = skip_ws(bytes, end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            _ => break,
        }
    }
    spans
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// The end (one past the closing quote) of the string starting at `pos`.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of the value starting at `pos`.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'"' => skip_string(bytes, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while bytes.get(i).is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()) {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// The start of the value of member `key` of the object starting at `pos`.
fn member(text: &str, pos: usize, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, pos + 1);
    while bytes.get(i) == Some(&b'"') {
        let key_end = skip_string(bytes, i)?;
        let raw = text.get(i..key_end)?;
        let matches = if raw.contains('\\') {
            serde_json::from_str::<String>(raw).is_ok_and(|k| k == key)
        } else {
            raw.get(1..raw.len() - 1) == Some(key)
        };
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value = skip_ws(bytes, i + 1);
        if matches {
            return Some(value);
        }
        i = skip_ws(bytes, skip_value(bytes, value)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    None
}

/// The start of element `index` of the array starting at `pos`.
fn element(bytes: &[u8], pos: usize, index: usize) -> Option<usize> {
    let mut i = skip_ws(bytes, pos + 1);
    for _ in 0..index {
        if matches!(bytes.get(i), None | Some(b']')) {
            return None;
        }
        i = skip_ws(bytes, skip_value(bytes, i)?);
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    (!matches!(bytes.get(i), None | Some(b']'))).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  // a comment with \"quotes\" and ünïcode\n  \"name\": \"a//b\", // trailing\n  \"steps\": [\n    {\"set\": {\"x\": [1, {\"y\": \"]\"}]}},\n    {\"tag\": \"t\"}\n  ],\n  \"k\\\"ey\": 1\n}\n";

    #[test]
    fn comments_are_blanked_in_place() {
        let stripped = strip_comments(TEXT);
        assert_eq!(stripped.len(), TEXT.len());
        assert_eq!(stripped.lines().count(), TEXT.lines().count());
        assert!(!stripped.contains("comment") && !stripped.contains("trailing"));
        assert!(stripped.contains("\"a//b\""));
        assert!(serde_json::from_str::<serde_json::Value>(&stripped).is_ok());
    }

    #[test]
    fn locates_members_and_elements() {
        let text = strip_comments(TEXT);
        assert_eq!(line_col(&text, locate(&text, &[Seg::Key("name")])), (3, 11));
        assert_eq!(line_col(&text, locate(&text, &[Seg::Key("steps"), Seg::Index(1)])), (6, 5));
        let deep = [Seg::Key("steps"), Seg::Index(0), Seg::Key("set")];
        assert_eq!(line_col(&text, locate(&text, &deep)), (5, 13));
        assert_eq!(line_col(&text, locate(&text, &[Seg::Key("k\"ey")])), (8, 12));
        // A path that cannot be followed stops at the deepest value reached.
        assert_eq!(line_col(&text, locate(&text, &[Seg::Key("steps"), Seg::Index(7)])), (4, 12));
        let spans = element_spans(&text, &[Seg::Key("steps")]);
        assert_eq!(spans.len(), 2);
        assert_eq!(text.get(spans[1].0..spans[1].1), Some("{\"tag\": \"t\"}"));
        assert_eq!(offset_of(&text, 6, 5), spans[1].0);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in ["", "{", "[", "\"", "{\"a\"", "{\"a\":", "{\"a\": [1,", "}", "{\"steps\": [1, 2", "//"] {
            let _ = locate(text, &[Seg::Key("steps"), Seg::Index(1), Seg::Key("a")]);
            let _ = element_spans(text, &[Seg::Key("steps")]);
            let _ = strip_comments(text);
            let _ = line_col(text, 99);
            let _ = offset_of(text, 9, 9);
        }
    }
}
