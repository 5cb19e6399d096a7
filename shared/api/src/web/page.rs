//! The static page shown instead of the UI while it cannot be served: no script, no style (the
//! content security policy allows neither inline), every interpolated text escaped.

use std::fmt::Write as _;
use std::path::Path;

use super::BuildState;

/// The page for `state` (for [`BuildState::Ready`] and [`BuildState::NotBuilt`]: the dist
/// directory `dist` has no `index.html`).
pub(super) fn not_ready(state: &BuildState, dist: &Path) -> String {
    let mut body = String::new();
    let (title, refresh) = match state {
        BuildState::Building { source } => {
            let _ = write!(
                body,
                "<p>The web UI is being built (npm run build in {}); this page reloads itself.</p>",
                escape(&source.display().to_string())
            );
            ("The web UI is being built", true)
        }
        BuildState::Failed(reason) => {
            body.push_str(
                "<p>The web UI could not be built. Fix the problem and restart mozdef dev, or build it yourself \
                 (cd web &amp;&amp; npm ci &amp;&amp; npm run build) and pass its dist directory with --web-dist.</p>",
            );
            let _ = write!(body, "<pre>{}</pre>", escape(reason));
            ("The web UI build failed", false)
        }
        BuildState::NodeMissing(message) => {
            body.push_str(
                "<p>Install Node.js 20.19+ with npm (Debian: apt install nodejs npm) and restart mozdef dev, or build \
                 it elsewhere (cd web &amp;&amp; npm ci &amp;&amp; npm run build) and pass --web-dir (or the built \
                 dist directory with --web-dist).</p>",
            );
            let _ = write!(body, "\n<p>{}</p>", escape(message));
            ("The web UI is not built and Node.js/npm was not found", false)
        }
        BuildState::Ready | BuildState::NotBuilt => {
            let _ = write!(
                body,
                "<p>The web UI is not built: there is no {}. Build it (cd web &amp;&amp; npm ci &amp;&amp; npm run build) \
                 and reload this page, or pass a built dist directory to mozdef dev with --web-dist.</p>",
                escape(&dist.join("index.html").display().to_string())
            );
            ("The web UI is not built", false)
        }
    };
    let refresh = if refresh { "\n<meta http-equiv=\"refresh\" content=\"5\">" } else { "" };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">{refresh}\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>MozDef: {title}</title>\n\
         </head>\n<body>\n<h1>{title}</h1>\n{body}\n\
         <p>The REST API (/api) and loginput keep working meanwhile.</p>\n</body>\n</html>\n"
    )
}

/// `text` safe inside an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn only_the_building_page_reloads() {
        let building = not_ready(&BuildState::Building { source: "/src/web".into() }, Path::new("/src/web/dist"));
        assert!(building.contains("<meta http-equiv=\"refresh\" content=\"5\">"));
        assert!(building.contains("npm run build in /src/web"));
        let failed = not_ready(&BuildState::Failed("boom".into()), Path::new("/d"));
        assert!(!failed.contains("refresh"));
        assert!(!failed.contains("<script"));
    }
}
