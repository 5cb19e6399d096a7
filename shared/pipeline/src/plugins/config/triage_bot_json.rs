//! `triage_bot.json`: the `triage_bot` plugin's REST API settings.
//!
//! MozDef's plugin did `json.load` on the file and read `config["rest_api_url"]` and
//! `config["rest_api_token"]`; no environment variable overrode them (the file is not read
//! through getConfig), and none does here. Read here:
//!
//! * the file must be a JSON object with no keys but `rest_api_url` and `rest_api_token`;
//! * `rest_api_url` is required (MozDef failed to start without it): an `http://` or
//!   `https://` URL, or, meaning no REST API ([`PluginConfig::triage_bot_rest_api_url`]
//!   `None`), `null`, a blank string or the placeholder MozDef shipped, `mozdef_rest_api`
//!   (with which MozDef's every update request failed, as the plugin's documentation says);
//!   any other string, which MozDef's `requests` could not have posted to either, is refused;
//! * `rest_api_token` may be absent, `null` or a string, and is then dropped: the pipeline
//!   makes no REST call (the plugin records the update on the event for a consumer), so no
//!   secret is kept or shown, not even in an error.
//!
//! [`PluginConfig::triage_bot_rest_api_url`]: super::super::PluginConfig::triage_bot_rest_api_url

use std::path::Path;

use serde_json::Value;

use super::error::{PluginConfigError, SettingSource};
use crate::python::json_type;

/// The file's name in MozDef's plugin directory.
pub(super) const FILE_NAME: &str = "triage_bot.json";

/// The keys the file may have.
const KEYS: [&str; 2] = ["rest_api_url", "rest_api_token"];

/// The `rest_api_url` placeholder of the file MozDef shipped.
const PLACEHOLDER_URL: &str = "mozdef_rest_api";

/// The REST API base URL of `triage_bot.json` (`text`, the contents of `path`), `None` for no
/// REST API.
pub(super) fn rest_api_url(path: &Path, text: &str) -> Result<Option<String>, PluginConfigError> {
    let value: Value =
        serde_json::from_str(text).map_err(|source| PluginConfigError::Json { path: path.to_owned(), source })?;
    let Value::Object(settings) = value else {
        return Err(PluginConfigError::NotAnObject { path: path.to_owned(), found: json_type(&value) });
    };
    if let Some(key) = settings.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(PluginConfigError::UnknownKey {
            at: SettingSource::file(path),
            section: None,
            key: key.clone(),
            known: &KEYS,
            value: None,
        });
    }
    match settings.get("rest_api_token") {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(other) => {
            return Err(PluginConfigError::InvalidValue {
                at: SettingSource::file(path),
                key: "rest_api_token".to_owned(),
                value: format!("a JSON {} (not shown)", json_type(other)),
                reason: "must be a string (MozDef's JWT secret) or null".to_owned(),
            });
        }
    }
    let invalid = |value: &Value, reason: &str| PluginConfigError::InvalidValue {
        at: SettingSource::file(path),
        key: "rest_api_url".to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    };
    match settings.get("rest_api_url") {
        None => Err(PluginConfigError::MissingKey {
            path: path.to_owned(),
            key: "rest_api_url",
            reason: "MozDef's REST API base URL; null or \"\" for none, or remove the file",
        }),
        Some(Value::Null) => Ok(None),
        Some(Value::String(url)) if url.trim().is_empty() || url == PLACEHOLDER_URL => Ok(None),
        Some(Value::String(url)) if is_http_url(url) => Ok(Some(url.clone())),
        Some(url @ Value::String(_)) => Err(invalid(
            url,
            "not an http:// or https:// URL (MozDef posted to <rest_api_url>/alertstatus); \
             null or \"\" for no REST API",
        )),
        Some(other) => Err(invalid(other, "must be a string (the REST API's base URL) or null")),
    }
}

/// An absolute `http`/`https` URL with a host, without blanks.
fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')) && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<String>, String> {
        rest_api_url(Path::new("t.json"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn urls_and_the_ways_to_say_none() {
        let url = |u: &str| Ok(Some(u.to_owned()));
        assert_eq!(
            read(r#"{"rest_api_url": "https://mozdef.example.com/api", "rest_api_token": "s"}"#),
            url("https://mozdef.example.com/api")
        );
        assert_eq!(read(r#"{"rest_api_url": "HTTP://rest:8081"}"#), url("HTTP://rest:8081"));
        for none in [
            r#"{"rest_api_url": null}"#,
            r#"{"rest_api_url": " "}"#,
            r#"{"rest_api_url": "mozdef_rest_api", "rest_api_token": null}"#,
        ] {
            assert_eq!(read(none), Ok(None), "{none}");
        }
    }

    #[test]
    fn wrong_shapes_are_refused_with_file_key_and_value() {
        let cases = [
            (
                r#"{"rest_api_url": 8081}"#,
                "t.json: rest_api_url = 8081: must be a string (the REST API's base URL) or null",
            ),
            (
                r#"{"rest_api_url": "mozdef.example.com"}"#,
                "t.json: rest_api_url = \"mozdef.example.com\": not an http:// or https:// URL (MozDef posted to \
                 <rest_api_url>/alertstatus); null or \"\" for no REST API",
            ),
            (r#"{"rest_api_url": "https://"}"#, "t.json: rest_api_url = \"https://\": not an http:// or https:// URL"),
            (r#"["https://x"]"#, "t.json: expected a JSON object, found array"),
            (
                r#"{"rest_api_url": "https://x""#,
                "t.json: not valid JSON: EOF while parsing an object at line 1 column 28",
            ),
            (
                r#"{"rest_api_ur": "https://x"}"#,
                "t.json: unknown key \"rest_api_ur\" (known: rest_api_url, rest_api_token)",
            ),
            (
                r#"{"rest_api_token": "s"}"#,
                "t.json: missing key \"rest_api_url\" (MozDef's REST API base URL; null or \"\" for none, or remove the file)",
            ),
        ];
        for (text, message) in cases {
            assert!(read(text).is_err_and(|e| e.starts_with(message)), "{text}: {:?}", read(text));
        }
    }

    #[test]
    fn a_bad_token_is_refused_without_showing_it() {
        let error = read(r#"{"rest_api_url": "https://x", "rest_api_token": ["hunter2"]}"#);
        assert_eq!(
            error,
            Err("t.json: rest_api_token = a JSON array (not shown): must be a string (MozDef's JWT secret) or null"
                .to_owned())
        );
        let misspelt = read(r#"{"rest_api_url": "https://x", "rest_api_tokn": "hunter2"}"#);
        assert!(misspelt.is_err_and(|e| !e.contains("hunter2")));
    }
}
