//! The built-in plugins' site settings ([`PluginConfig`]) read from MozDef's plugin directory,
//! so that a site moving from MozDef keeps its sidecar files (`mq/plugins/`) as they are.
//!
//! [`PluginConfig::load`] reads, from the directory given:
//!
//! * `mozilla_location.conf`, an INI file as MozDef's configlib `getConfig` read it: section
//!   `[options]`, keys `dc_code_list` (→ `datacenter`) and `offices_code_list` (→ `office`),
//!   comma-separated site codes. The environment variables `OPTIONS_DC_CODE_LIST` and
//!   `OPTIONS_OFFICES_CODE_LIST` take precedence over the file's values, and apply as well
//!   when the file is absent or no directory is given (getConfig returned them then too). See
//!   `location_conf` for the value rules;
//! * `triage_bot.json`, a JSON object with `rest_api_url` and `rest_api_token`. MozDef read
//!   it with `json.load`, with no environment overrides, and no `OPTIONS_*` variable applies
//!   to it here either. The token is accepted and dropped: the pipeline makes no REST call.
//!   See `triage_bot_json`.
//!
//! The other built-in plugins have no site settings. An absent sidecar file leaves the
//! plugin's neutral default ([`PluginConfig::default`]); `geoip` is left `None` (the caller
//! opens the database). Every other file of the directory (MozDef's plugin code `*.py`, the
//! mapping files `guardduty_mapping.yml`, `zoom_mapping.yml`..., whose content is compiled
//! into the built-in plugins, `ttl.json`...) is ignored and listed in
//! [`LoadedPluginConfig::ignored`], for the caller to log once
//! ([`LoadedPluginConfig::ignored_warning`]); subdirectories (`__pycache__`) are not looked at.
//!
//! Anything in a sidecar file or `OPTIONS_*` variable that the plugin would not read as meant
//! stops the start with a [`PluginConfigError`] naming the file and line (or the variable),
//! the key and the value: an unknown section or key (a misspelt `dc_code_lst`; MozDef
//! ignored those silently), a line that is not `key=value`, a value of the wrong shape.
//!
//! Deviations from MozDef, each refusing at the start what MozDef ignored or read into a
//! setting that could never act:
//! * unknown sections and keys are errors (everett ignored them), as are duplicates and
//!   malformed lines (configobj's errors, which made MozDef's plugin registration fail);
//! * a site code that could never equal a host name's lower-cased site label (` sfo1` after
//!   `, `, `ABC2`, a quoted or commented value) is an error, where MozDef kept a list entry
//!   that never matched; an empty code is skipped, the `mozilla_location` plugin's documented
//!   deviation (MozDef's `''.split(',')` made the empty site a datacenter);
//! * in `triage_bot.json`, the placeholder MozDef shipped (`mozdef_rest_api`), `null` and
//!   `""` mean no REST API, any other string that is not an `http(s)://` URL is an error, and
//!   `rest_api_token` may be left out (MozDef: a `KeyError` at registration).

mod error;
mod ini;
mod location_conf;
mod triage_bot_json;

use std::fs;
use std::path::{Path, PathBuf};

pub use error::{PluginConfigError, SettingSource};

use super::PluginConfig;

/// MozDef's mapping files, each with the built-in plugin that has its content compiled in.
const MAPPING_FILES: [(&str, &str); 5] = [
    ("guardduty_mapping.yml", "guardDuty"),
    ("github_mapping.yml", "github_webhooks"),
    ("zoom_mapping.yml", "zoom_fixup"),
    ("stackdriver_audit.yml", "stackdriver_audit"),
    ("stackdriver_gceactivity.yml", "stackdriver_gceactivity"),
];

/// What [`PluginConfig::load`] read from a plugin directory.
#[derive(Debug, Clone)]
pub struct LoadedPluginConfig {
    /// The settings (`geoip` left `None`).
    pub config: PluginConfig,
    /// The sidecar files read, sorted.
    pub sidecars: Vec<PathBuf>,
    /// The directory's other files, sorted: not read.
    pub ignored: Vec<IgnoredFile>,
}

/// A file of the plugin directory that is not a sidecar of a built-in plugin with settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredFile {
    /// The file.
    pub path: PathBuf,
    /// What it is.
    pub kind: IgnoredKind,
}

/// What an ignored file of the plugin directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoredKind {
    /// A MozDef mapping file (`guardduty_mapping.yml`...): the built-in plugin uses its
    /// compiled-in copy of MozDef's mapping, so a site's changes to the file are not read.
    BuiltInMapping {
        /// The plugin that has the mapping.
        plugin: &'static str,
    },
    /// MozDef plugin code (`*.py`): the built-in plugins are compiled in, and a site's own
    /// plugins are written as user plugins ([`crate::user_plugins`]).
    PluginCode,
    /// Anything else (`ttl.json`, `ip_source_enrichment.json`, `stackdriver_mapping.yml`...):
    /// no built-in plugin reads it.
    Other,
}

impl IgnoredKind {
    /// The kind of the file called `name`.
    fn of(name: &str) -> Self {
        if let Some((_, plugin)) = MAPPING_FILES.iter().find(|(file, _)| *file == name) {
            IgnoredKind::BuiltInMapping { plugin }
        } else if Path::new(name).extension().is_some_and(|ext| ext == "py") {
            IgnoredKind::PluginCode
        } else {
            IgnoredKind::Other
        }
    }
}

impl PluginConfig {
    /// Reads the built-in plugins' settings from MozDef's plugin directory `dir` (`None`: no
    /// directory, i.e. the defaults), with the `OPTIONS_<KEY>` overrides looked up through
    /// `env` (the caller passes `|k| std::env::var(k).ok()`; tests pass a map).
    ///
    /// Read, as MozDef's plugins read them: `mozilla_location.conf` (INI, `[options]`,
    /// `dc_code_list` and `offices_code_list`: comma-separated lower-case site codes;
    /// `OPTIONS_DC_CODE_LIST` and `OPTIONS_OFFICES_CODE_LIST` take precedence over the file,
    /// also without it) and `triage_bot.json` (`rest_api_url`, `rest_api_token`; JSON, with
    /// no environment overrides, as in MozDef). Other files are listed in
    /// [`LoadedPluginConfig::ignored`]; `geoip` is left `None` for the caller to set.
    ///
    /// # Errors
    ///
    /// A [`PluginConfigError`] when `dir` cannot be listed (a missing directory given
    /// explicitly included), a sidecar file cannot be read, or a setting is unknown or of the
    /// wrong shape.
    pub fn load(
        dir: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<LoadedPluginConfig, PluginConfigError> {
        let mut location_conf = None;
        let mut triage_bot_json = None;
        let mut ignored = Vec::new();
        if let Some(dir) = dir {
            let directory_error = |source| PluginConfigError::Directory { dir: dir.to_owned(), source };
            for entry in fs::read_dir(dir).map_err(directory_error)? {
                let path = entry.map_err(directory_error)?.path();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                match name.as_str() {
                    location_conf::FILE_NAME => location_conf = Some(read(path)?),
                    triage_bot_json::FILE_NAME => triage_bot_json = Some(read(path)?),
                    _ if path.is_dir() => {}
                    _ => ignored.push(IgnoredFile { kind: IgnoredKind::of(&name), path }),
                }
            }
        }
        ignored.sort_by(|a, b| a.path.cmp(&b.path));
        let mozilla_location_sitetypes = location_conf::sitetypes(as_ref(&location_conf), &env)?;
        let triage_bot_rest_api_url = match as_ref(&triage_bot_json) {
            Some((path, text)) => triage_bot_json::rest_api_url(path, text)?,
            None => None,
        };
        let mut sidecars: Vec<PathBuf> =
            [location_conf, triage_bot_json].into_iter().flatten().map(|(path, _)| path).collect();
        sidecars.sort();
        let config = PluginConfig { mozilla_location_sitetypes, triage_bot_rest_api_url, geoip: None };
        Ok(LoadedPluginConfig { config, sidecars, ignored })
    }
}

/// A read file as `(path, contents)`.
fn as_ref(file: &Option<(PathBuf, String)>) -> Option<(&Path, &str)> {
    file.as_ref().map(|(path, text)| (path.as_path(), text.as_str()))
}

/// The contents of the sidecar file `path`.
fn read(path: PathBuf) -> Result<(PathBuf, String), PluginConfigError> {
    match fs::read_to_string(&path) {
        Ok(text) => Ok((path, text)),
        Err(source) => Err(PluginConfigError::Read { path, source }),
    }
}

impl LoadedPluginConfig {
    /// One warning naming the ignored files of the plugin directory and why each kind is
    /// ignored (for mapping files: the built-in mapping is used), or `None` when there are none.
    pub fn ignored_warning(&self) -> Option<String> {
        let first = self.ignored.first()?;
        let name =
            |file: &IgnoredFile| file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let names = |wanted: fn(&IgnoredKind) -> bool| {
            let files: Vec<String> = self
                .ignored
                .iter()
                .filter(|f| wanted(&f.kind))
                .map(|f| match f.kind {
                    IgnoredKind::BuiltInMapping { plugin } => format!("{} ({plugin})", name(f)),
                    _ => name(f),
                })
                .collect();
            (!files.is_empty()).then(|| files.join(", "))
        };
        let groups = [
            names(|k| matches!(k, IgnoredKind::BuiltInMapping { .. }))
                .map(|n| format!("mapping files (the built-in mapping is used): {n}")),
            names(|k| *k == IgnoredKind::PluginCode)
                .map(|n| format!("MozDef plugin code (not run: the built-in plugins are compiled in): {n}")),
            names(|k| *k == IgnoredKind::Other).map(|n| format!("not settings of a built-in plugin: {n}")),
        ];
        let dir = first.path.parent().unwrap_or(Path::new(""));
        let parts: Vec<String> = groups.into_iter().flatten().collect();
        let count = self.ignored.len();
        let plural = if count == 1 { "" } else { "s" };
        Some(format!("plugin directory {}: {count} file{plural} ignored: {}", dir.display(), parts.join("; ")))
    }
}

#[cfg(test)]
mod tests;
