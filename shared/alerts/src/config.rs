//! Per-alert configuration: MozDef's `<alert>.conf` / `<alert>.json` files, here one JSON
//! file per alert module (`<config dir>/<module>.json`) over the defaults MozDef shipped,
//! with environment overrides.
//!
//! Precedence, as MozDef's `parse_config` had it: environment, then the file, then the
//! default. The variable for key `skiphosts` of `bruteforce_ssh` is
//! `MOZDEF_ALERT_BRUTEFORCE_SSH__SKIPHOSTS`; its value is read as JSON when it parses as
//! JSON (`60`, `["a","b"]`, `true`), as a string otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AlertError;

/// Where alert configuration comes from.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// The directory of `<module>.json` files (none: defaults and environment only).
    pub dir: Option<PathBuf>,
    /// The environment (captured once, so tests can inject their own).
    pub env: HashMap<String, String>,
}

impl ConfigSource {
    /// Configuration from `dir` and the process environment.
    pub fn new(dir: Option<&Path>) -> Self {
        let env = std::env::vars().filter(|(k, _)| k.starts_with("MOZDEF_ALERT_")).collect();
        ConfigSource { dir: dir.map(Path::to_path_buf), env }
    }

    /// Defaults only (tests).
    pub fn defaults() -> Self {
        ConfigSource::default()
    }

    /// Whether the site configured `module` (a `<module>.json` file or a variable of it), as
    /// opposed to running on MozDef's shipped defaults.
    pub fn is_configured(&self, module: &str) -> bool {
        let prefix = format!("MOZDEF_ALERT_{}__", module.to_uppercase());
        self.env.keys().any(|k| k.starts_with(&prefix))
            || self.dir.as_ref().is_some_and(|dir| dir.join(format!("{module}.json")).is_file())
    }

    /// The configuration of alert module `module`: `T::default()` overlaid with
    /// `<dir>/<module>.json` (when it exists) and the module's environment variables.
    /// Unknown keys in the file are refused, so a misspelt setting is not silently ignored.
    pub fn load<T: Serialize + DeserializeOwned + Default>(&self, module: &str) -> Result<T, AlertError> {
        let config_error = |message: String| AlertError::Config { alert: module.to_owned(), message };
        let mut merged = serde_json::to_value(T::default()).map_err(|e| config_error(e.to_string()))?;
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{module}.json"));
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let file: Value =
                        serde_json::from_slice(&bytes).map_err(|e| config_error(format!("{}: {e}", path.display())))?;
                    let Value::Object(file) = file else {
                        return Err(config_error(format!("{}: not a JSON object", path.display())));
                    };
                    overlay(&mut merged, file, &path.display().to_string()).map_err(config_error)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(config_error(format!("{}: {e}", path.display()))),
            }
        }
        let prefix = format!("MOZDEF_ALERT_{}__", module.to_uppercase());
        let mut from_env = serde_json::Map::new();
        for (name, raw) in &self.env {
            if let Some(key) = name.strip_prefix(&prefix) {
                let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone()));
                from_env.insert(key.to_lowercase(), value);
            }
        }
        overlay(&mut merged, from_env, "the environment").map_err(config_error)?;
        serde_json::from_value(merged).map_err(|e| config_error(e.to_string()))
    }
}

/// Replaces the top-level keys of `base` by those of `over`; a key `base` lacks is refused.
fn overlay(base: &mut Value, over: serde_json::Map<String, Value>, origin: &str) -> Result<(), String> {
    let Value::Object(base) = base else { return Err("defaults are not an object".into()) };
    for (key, value) in over {
        match base.get_mut(&key) {
            Some(slot) => *slot = value,
            None => return Err(format!("{origin}: unknown setting {key:?}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Example {
        threshold_count: u64,
        skiphosts: String,
    }

    impl Default for Example {
        fn default() -> Self {
            Example { threshold_count: 1, skiphosts: "11.22.33.44".into() }
        }
    }

    #[test]
    fn environment_over_file_over_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(ConfigSource::defaults().load::<Example>("example").expect("defaults"), Example::default());
        std::fs::write(dir.path().join("example.json"), r#"{"threshold_count": 5}"#).expect("write");
        let mut source = ConfigSource { dir: Some(dir.path().to_path_buf()), env: HashMap::new() };
        let loaded: Example = source.load("example").expect("file");
        assert_eq!(loaded, Example { threshold_count: 5, skiphosts: "11.22.33.44".into() });
        source.env.insert("MOZDEF_ALERT_EXAMPLE__SKIPHOSTS".into(), "1.2.3.4 5.6.7.8".into());
        source.env.insert("MOZDEF_ALERT_EXAMPLE__THRESHOLD_COUNT".into(), "9".into());
        let loaded: Example = source.load("example").expect("env");
        assert_eq!(loaded, Example { threshold_count: 9, skiphosts: "1.2.3.4 5.6.7.8".into() });
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("example.json"), r#"{"treshold_count": 5}"#).expect("write");
        let source = ConfigSource { dir: Some(dir.path().to_path_buf()), env: HashMap::new() };
        let error = source.load::<Example>("example").expect_err("misspelt").to_string();
        assert!(error.contains("unknown setting \"treshold_count\""), "{error}");
        std::fs::write(dir.path().join("example.json"), r#"{"threshold_count": "many"}"#).expect("write");
        let error = source.load::<Example>("example").expect_err("wrong type").to_string();
        assert!(error.contains("alert example: configuration"), "{error}");
    }
}
