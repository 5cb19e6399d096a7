//! Why [`PluginConfig::load`](crate::plugins::PluginConfig::load) refused a plugin directory.
//! Every error stops the start and names the file (with the line, for INI files) or the
//! environment variable, the key and, unless it may be a secret, the value.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Where a setting was read: a sidecar file or an `OPTIONS_<KEY>` environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingSource {
    /// A sidecar file of the plugin directory, at a line for INI files (1-based).
    File {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
    },
    /// An environment variable (`OPTIONS_DC_CODE_LIST`...), which took precedence over the file.
    Env {
        /// The variable's name.
        variable: String,
    },
}

impl SettingSource {
    /// A line of a file.
    pub(super) fn line(path: &std::path::Path, line: usize) -> Self {
        SettingSource::File { path: path.to_owned(), line: Some(line) }
    }

    /// A whole file (JSON files: no line).
    pub(super) fn file(path: &std::path::Path) -> Self {
        SettingSource::File { path: path.to_owned(), line: None }
    }
}

impl fmt::Display for SettingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingSource::File { path, line: Some(line) } => write!(f, "{}:{line}", path.display()),
            SettingSource::File { path, line: None } => write!(f, "{}", path.display()),
            SettingSource::Env { variable } => write!(f, "environment variable {variable}"),
        }
    }
}

/// A plugin directory, sidecar file or `OPTIONS_*` variable that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PluginConfigError {
    /// The plugin directory given could not be listed (missing, not a directory...).
    #[error("plugin directory {}: {source}", dir.display())]
    Directory {
        /// The directory.
        dir: PathBuf,
        /// The file system's error.
        source: io::Error,
    },
    /// A sidecar file could not be read (or is not UTF-8).
    #[error("{}: cannot be read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The file system's error.
        source: io::Error,
    },
    /// An INI line that is neither `key=value`, `[section]`, a comment nor blank.
    #[error("{at}: expected `key=value`, `[section]`, a `#`/`;` comment or a blank line, found {text:?}")]
    Syntax {
        /// The file and line.
        at: SettingSource,
        /// The line.
        text: String,
    },
    /// An INI section the plugin does not read.
    #[error("{at}: unknown section [{section}] (known: {})", .known.join(", "))]
    UnknownSection {
        /// The file and line.
        at: SettingSource,
        /// The section as written.
        section: String,
        /// The sections the file may have.
        known: Vec<&'static str>,
    },
    /// An INI section given twice.
    #[error("{at}: duplicate section [{section}]")]
    DuplicateSection {
        /// The file and line of the second one.
        at: SettingSource,
        /// The section.
        section: String,
    },
    /// A `key=value` line before any section.
    #[error("{at}: key {key:?} outside a section (the settings are in [options])")]
    KeyOutsideSection {
        /// The file and line.
        at: SettingSource,
        /// The key.
        key: String,
    },
    /// A key the plugin does not read (e.g. a misspelt `dc_code_lst`).
    #[error("{at}: unknown key {key:?}{} (known: {}){}", in_section(.section), .known.join(", "), with_value(.value))]
    UnknownKey {
        /// The file (and line).
        at: SettingSource,
        /// The INI section; `None` in a JSON file.
        section: Option<&'static str>,
        /// The key as written.
        key: String,
        /// The keys the plugin reads there.
        known: &'static [&'static str],
        /// The value as written (INI files); `None` in JSON files, where a misspelt
        /// `rest_api_token` would show a secret.
        value: Option<String>,
    },
    /// An INI key given twice in a section.
    #[error("{at}: duplicate key {key:?} in [{section}]")]
    DuplicateKey {
        /// The file and line of the second one.
        at: SettingSource,
        /// The section.
        section: String,
        /// The key.
        key: String,
    },
    /// A value of the wrong shape.
    #[error("{at}: {key} = {value}: {reason}")]
    InvalidValue {
        /// The file (and line) or the environment variable.
        at: SettingSource,
        /// The setting (lower case, as MozDef's plugin names it).
        key: String,
        /// The value, quoted (JSON for JSON files), or a description when it may be a secret.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A key a sidecar file must have.
    #[error("{}: missing key {key:?} ({reason})", path.display())]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The key.
        key: &'static str,
        /// Why it is needed.
        reason: &'static str,
    },
    /// A JSON sidecar file that is not JSON.
    #[error("{}: not valid JSON: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error (with line and column).
        source: serde_json::Error,
    },
    /// A JSON sidecar file that is not an object.
    #[error("{}: expected a JSON object, found {found}", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// The JSON type found (`array`, `string`...).
        found: &'static str,
    },
}

/// ` in [section]`, or nothing.
fn in_section(section: &Option<&'static str>) -> String {
    section.as_ref().map(|s| format!(" in [{s}]")).unwrap_or_default()
}

/// `, with value "..."`, or nothing.
fn with_value(value: &Option<String>) -> String {
    value.as_ref().map(|v| format!(", with value {v:?}")).unwrap_or_default()
}
