//! The dist directory's files: a request path made safe to look up (decoded, no `.` or `..`,
//! no encoded separators), the lookup confined to the directory (symbolic links included), and
//! content types by extension.

use std::path::{Component, Path};

/// The file extensions the UI is made of, with their content types: a missing file with one of
/// them is a 404, not the app's `index.html`.
const CONTENT_TYPES: [(&str, &str); 11] = [
    ("html", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("ico", "image/x-icon"),
    ("json", "application/json"),
    ("woff2", "font/woff2"),
    ("txt", "text/plain; charset=utf-8"),
    ("map", "application/json"),
];

/// The directory of Vite's content-hashed files.
const ASSETS: &str = "assets";

/// A request path as the segments of a relative path under the dist directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UiPath {
    segments: Vec<String>,
}

impl UiPath {
    /// The decoded segments of `path` (empty ones dropped); `None` when a segment does not
    /// decode to UTF-8, is `.` or `..`, or holds a separator, a NUL or another control
    /// character once decoded.
    pub(super) fn parse(path: &str) -> Option<UiPath> {
        let mut segments = Vec::new();
        for raw in path.split('/').filter(|s| !s.is_empty()) {
            let segment = percent_decode(raw)?;
            if segment == "." || segment == ".." || segment.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
                return None;
            }
            segments.push(segment);
        }
        Some(UiPath { segments })
    }

    /// Whether the path is under `/assets/` (content-hashed: cached for good).
    pub(super) fn is_asset(&self) -> bool {
        self.segments.len() > 1 && self.segments[0] == ASSETS
    }

    /// Whether the path can only mean a file: under `/assets/`, or ending in one of the UI's
    /// file extensions. Anything else that is not a file is a route of the app (`/alerts`,
    /// `/blockfqdn/example.com`, `/watchitem/10.0.0.1`).
    pub(super) fn names_file(&self) -> bool {
        self.is_asset() || self.segments.last().and_then(|s| extension(s)).is_some_and(|e| known_type(&e).is_some())
    }

    /// The path as requested, decoded.
    pub(super) fn display(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

/// What a lookup in the dist directory found.
pub(super) enum Lookup {
    /// A regular file inside the directory: its name and contents.
    File {
        /// Its last segment (for the content type).
        name: String,
        /// Its bytes.
        contents: Vec<u8>,
    },
    /// Nothing there (or a directory, or something outside the dist directory).
    Missing,
}

/// The regular file at `path` under `dist`, if its real path (links resolved) is inside `dist`.
pub(super) async fn lookup(dist: &Path, path: &UiPath) -> Lookup {
    let Some(name) = path.segments.last() else {
        return Lookup::Missing;
    };
    let mut file = dist.to_path_buf();
    for segment in &path.segments {
        // One plain component each (no root, no drive prefix, no `..`).
        if !matches!(Path::new(segment).components().collect::<Vec<_>>().as_slice(), [Component::Normal(_)]) {
            return Lookup::Missing;
        }
        file.push(segment);
    }
    let (Ok(root), Ok(real)) = (tokio::fs::canonicalize(dist).await, tokio::fs::canonicalize(&file).await) else {
        return Lookup::Missing;
    };
    if !real.starts_with(&root) || !tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_file()) {
        return Lookup::Missing;
    }
    match tokio::fs::read(&real).await {
        Ok(contents) => Lookup::File { name: name.clone(), contents },
        Err(e) => {
            tracing::warn!(file = %real.display(), error = %e, "cannot read a file of the web UI");
            Lookup::Missing
        }
    }
}

/// The app's `index.html`, if the dist directory has one.
pub(super) async fn index(dist: &Path) -> Option<Vec<u8>> {
    match lookup(dist, &UiPath { segments: vec!["index.html".into()] }).await {
        Lookup::File { contents, .. } => Some(contents),
        Lookup::Missing => None,
    }
}

/// The content type of a file named `name` (`application/octet-stream` for an unknown kind).
pub(super) fn content_type(name: &str) -> &'static str {
    extension(name).and_then(|e| known_type(&e)).unwrap_or("application/octet-stream")
}

/// The lowercased extension of `name` (not of a dotfile's bare name).
fn extension(name: &str) -> Option<String> {
    let (stem, extension) = name.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_ascii_lowercase())
}

fn known_type(extension: &str) -> Option<&'static str> {
    CONTENT_TYPES.iter().find(|(e, _)| *e == extension).map(|(_, t)| *t)
}

/// `%XX` sequences decoded; `None` for a malformed one or bytes that are not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            decoded.push(high << 4 | low);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Option<Vec<String>> {
        UiPath::parse(path).map(|p| p.segments)
    }

    #[test]
    fn paths_decode_into_plain_segments() {
        assert_eq!(segments("/"), Some(vec![]));
        assert_eq!(segments("/assets//x.js"), Some(vec!["assets".into(), "x.js".into()]));
        assert_eq!(segments("/blockip/2001%3Adb8%3A%3A1"), Some(vec!["blockip".into(), "2001:db8::1".into()]));
        assert_eq!(segments("/caf%C3%A9"), Some(vec!["café".into()]));
    }

    #[test]
    fn traversal_and_separators_are_refused() {
        for path in [
            "/../Cargo.toml",
            "/assets/../../x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/./index.html",
            "/assets%2F..%2F..%2FCargo.toml",
            "/assets%5c..%5cx",
            "/x%00.js",
            "/%zz",
            "/%+f",
            "/%",
            "/%ff",
        ] {
            assert_eq!(segments(path), None, "{path}");
        }
    }

    #[test]
    fn files_are_told_from_routes() {
        let names = |p: &str| UiPath::parse(p).unwrap().names_file();
        assert!(names("/assets/index-abc.js"));
        assert!(names("/assets/unknown"));
        assert!(names("/favicon.ico"));
        assert!(names("/robots.TXT"));
        assert!(!names("/alerts"));
        assert!(!names("/incident/abc/edit"));
        assert!(!names("/blockfqdn/evil.example.com"));
        assert!(!names("/watchitem/10.0.0.1"));
        assert!(!names("/.env"));
        assert!(!names("/"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index-abc.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("INDEX.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("x.map"), "application/json");
        assert_eq!(content_type("blob"), "application/octet-stream");
        assert_eq!(content_type("x.exe"), "application/octet-stream");
    }
}
