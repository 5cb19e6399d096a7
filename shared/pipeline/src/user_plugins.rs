//! User plugins: mq plugins written as declarative JSON files, loaded from a directory at
//! start and run in the same [`PluginChain`](crate::PluginChain) as the built-in ones, without
//! recompiling.
//!
//! One plugin per `*.json` file (`//` line comments allowed). The format (see
//! `docs/user-plugins.md`):
//!
//! ```json
//! {
//!   "name": "vpn_logins",                 // default: the file name without `.json`
//!   "description": "Tag OpenVPN logins",
//!   "registration": ["openvpn"],          // required; matched like a built-in's (lower-cased)
//!   "priority": 50,                       // default 100; lower runs first
//!   "steps": [                            // required; run in order
//!     {"extract": {"field": "summary", "regex": "\\[(?P<username>[^\\]]+)\\] Peer Connection"}},
//!     {"when": {"field": "details.username", "exists": true}, "tag": ["vpn", "login"]},
//!     {"when": {"field": "summary", "matches": "^health"}, "drop": true}
//!   ]
//! }
//! ```
//!
//! Actions: `set` `{path: value}`, `copy`/`set_from` `{to: from}`, `rename` `{from: to}`,
//! `delete`, `lowercase`, `uppercase` (a path or a list of paths), `tag` (a tag or a list),
//! `extract` `{field, regex, into}` (named groups → `into.<group>`, `into` defaulting to
//! `details`), `drop: true`. Conditions (`when`): `{"field": path, <test>: ...}` with one test
//! of `equals`, `in`, `matches`, `exists`, `contains`, or `{"all": [...]}`, `{"any": [...]}`,
//! `{"not": {...}}`. Paths are dotted and read like [`mozdef_model::get_path`]; writes create
//! the missing objects.
//!
//! Everything is checked once, by [`load_dir`]: a mistake fails the start with an error naming
//! the file, line and column. At run time, a test on a missing field is false; an action that
//! cannot apply to an event (a path through a non-object, `extract` on a number...) fails the
//! plugin for that event, which the chain quarantines; other events go on.

mod format;
mod path;
mod source;
mod steps;

use std::path::{Path, PathBuf};

use mozdef_model::Document;

use crate::plugins::{Metadata, Plugin, PluginConfig, PluginError, Verdict, builtin};
use format::{Problem, RawPlugin, compile_step};
use source::Seg;
use steps::Step;

/// MozDef's default plugin priority.
const DEFAULT_PRIORITY: u32 = 100;

/// Built-in plugins that [`builtin`] leaves out of the default configuration (`geoip` without a
/// database); user plugins may not take their names either.
const OPTIONAL_BUILTINS: [&str; 1] = ["geoip"];

/// Why the user plugins could not be loaded. Each message names the file (and, for a mistake
/// in a file, the line and column: `plugins/vpn.json:12:5: step 3: extract: invalid regex: ...`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserPluginError {
    /// The directory or a file in it cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON, or not of the plugin format (unknown key, wrong type,
    /// missing `registration` or `steps`).
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file, as found in the directory.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A file is well-formed but its content is not usable: an empty registration, an
    /// invalid regex or field path, a step with no action or two...
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file, as found in the directory.
        file: String,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// What is wrong (`step 3: ...` when it is in a step; steps count from 1).
        message: String,
    },
    /// Two files define plugins of the same name.
    #[error("{second}: plugin name `{name}` is already used by {first}")]
    DuplicateName {
        /// The name.
        name: String,
        /// The file that defined it first (in file-name order).
        first: String,
        /// The other file.
        second: String,
    },
    /// A file defines a plugin with the name of a built-in plugin.
    #[error("{file}: plugin name `{name}` is the name of a built-in plugin; choose another")]
    BuiltinName {
        /// The name.
        name: String,
        /// The file.
        file: String,
    },
}

/// A user plugin, compiled from its file. It implements [`Plugin`]; a chain runs it like a
/// built-in one.
#[derive(Debug, Clone)]
pub struct UserPlugin {
    name: &'static str,
    registration: Vec<&'static str>,
    priority: u32,
    description: String,
    file: String,
    steps: Vec<Step>,
}

impl UserPlugin {
    /// Compiles a plugin from the text of a file named `file` (used for the default name, the
    /// file name without `.json`, and in messages). Checks everything that can be checked
    /// without an event.
    ///
    /// [`Plugin::name`] and [`Plugin::registration`] are `'static`: the plugin's name and
    /// keywords are leaked, which is meant for plugins loaded once, at start.
    pub fn parse(file: &str, text: &str) -> Result<UserPlugin, UserPluginError> {
        let text = source::strip_comments(text);
        // serde would read an array as the struct's fields in order: refuse it plainly.
        if let Some(start) = text.find(|c: char| !c.is_ascii_whitespace()).filter(|&i| !text[i..].starts_with('{')) {
            let (line, column) = source::line_col(&text, start);
            let message =
                "a plugin file holds one JSON object, `{\"registration\": [...], \"steps\": [...]}`".to_owned();
            return Err(UserPluginError::Syntax { file: file.to_owned(), line, column, message });
        }
        let raw: RawPlugin = serde_json::from_str(&text).map_err(|e| syntax_error(file, &text, &e))?;
        let invalid = |problem: Problem| {
            let (line, column) = source::line_col(&text, source::locate(&text, &problem.at));
            UserPluginError::Invalid { file: file.to_owned(), line, column, message: problem.message }
        };
        let problem = |at: Vec<Seg>, message: &str| invalid(Problem { at, message: message.to_owned() });

        let name = match raw.name {
            Some(name) if !valid_name(&name) => {
                return Err(problem(vec![Seg::Key("name")], "name: use letters, digits, `_`, `-` and `.` only"));
            }
            Some(name) => name,
            None => {
                let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                if !valid_name(stem) {
                    let message = "the file name is not a valid plugin name (letters, digits, `_`, `-` and `.` \
                                   only); rename the file or set `name`";
                    return Err(problem(vec![], message));
                }
                stem.to_owned()
            }
        };
        if raw.registration.is_empty() {
            return Err(problem(vec![Seg::Key("registration")], "registration: lists no keyword"));
        }
        if let Some(i) = raw.registration.iter().position(|k| k.trim().is_empty()) {
            return Err(problem(vec![Seg::Key("registration"), Seg::Index(i)], "registration: empty keyword"));
        }
        if raw.steps.is_empty() {
            return Err(problem(vec![Seg::Key("steps")], "steps: lists no step"));
        }
        let steps = raw
            .steps
            .into_iter()
            .enumerate()
            .map(|(i, step)| compile_step(step, i))
            .collect::<Result<Vec<Step>, Problem>>()
            .map_err(invalid)?;

        Ok(UserPlugin {
            name: Box::leak(name.into_boxed_str()),
            registration: raw.registration.iter().map(|k| &*Box::leak(k.to_lowercase().into_boxed_str())).collect(),
            priority: raw.priority.unwrap_or(DEFAULT_PRIORITY),
            description: raw.description.unwrap_or_default(),
            file: file.to_owned(),
            steps,
        })
    }

    /// Reads and compiles the plugin file at `path` (see [`UserPlugin::parse`]).
    pub fn load_file(path: &Path) -> Result<UserPlugin, UserPluginError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| UserPluginError::Io { path: path.to_path_buf(), source })?;
        UserPlugin::parse(&path.display().to_string(), &text)
    }

    /// The plugin's `description` (empty if none).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The file it was loaded from.
    pub fn file(&self) -> &str {
        &self.file
    }
}

impl Plugin for UserPlugin {
    fn name(&self) -> &'static str {
        self.name
    }

    fn registration(&self) -> &[&str] {
        &self.registration
    }

    fn priority(&self) -> u32 {
        self.priority
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        for (i, step) in self.steps.iter().enumerate() {
            if step.when.as_ref().is_some_and(|condition| !condition.holds(event)) {
                continue;
            }
            match step.action.apply(event) {
                Ok(true) => {}
                Ok(false) => return Ok(Verdict::Drop),
                Err(reason) => {
                    return Err(PluginError::new(format!(
                        "user plugin {} ({}), step {} ({}): {reason}",
                        self.name,
                        self.file,
                        i + 1,
                        step.keyword
                    )));
                }
            }
        }
        Ok(Verdict::Keep)
    }
}

/// Loads every user plugin of `dir`: each `*.json` file in it (not in subdirectories; names
/// starting with `.` are skipped), in file-name order, compiled and checked once. The first
/// mistake fails the whole load with a message naming the file and line. Plugin names must be
/// unique and differ from the built-in plugins' names. A directory without plugin files gives
/// no plugins.
///
/// The plugins go into a chain with the built-in ones:
/// `PluginChain::new(builtin(&config).into_iter().chain(load_dir(dir)?).collect())`.
pub fn load_dir(dir: &Path) -> Result<Vec<Box<dyn Plugin>>, UserPluginError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UserPluginError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if file_name.starts_with('.') || path.extension().is_none_or(|ext| ext != "json") || !path.is_file() {
            continue;
        }
        files.push(path);
    }
    files.sort();

    let mut builtin_names: Vec<&'static str> = builtin(&PluginConfig::default()).iter().map(|p| p.name()).collect();
    builtin_names.extend(OPTIONAL_BUILTINS);
    let mut plugins: Vec<UserPlugin> = Vec::with_capacity(files.len());
    for path in &files {
        let plugin = UserPlugin::load_file(path)?;
        if builtin_names.contains(&plugin.name) {
            return Err(UserPluginError::BuiltinName { name: plugin.name.to_owned(), file: plugin.file });
        }
        if let Some(first) = plugins.iter().find(|p| p.name == plugin.name) {
            return Err(UserPluginError::DuplicateName {
                name: plugin.name.to_owned(),
                first: first.file.clone(),
                second: plugin.file,
            });
        }
        plugins.push(plugin);
    }
    Ok(plugins.into_iter().map(|p| Box::new(p) as Box<dyn Plugin>).collect())
}

/// Whether `name` is usable as a plugin name.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A `serde_json` error as a [`UserPluginError::Syntax`], naming the step it is in, if any.
fn syntax_error(file: &str, text: &str, error: &serde_json::Error) -> UserPluginError {
    let (line, column) = (error.line().max(1), error.column().max(1));
    // serde_json appends " at line L column C"; the prefix says it already.
    let full = error.to_string();
    let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(message, _)| message);
    let mut message = message.to_owned();
    if error.classify() == serde_json::error::Category::Data {
        let offset = source::offset_of(text, line, column);
        let spans = source::element_spans(text, &[Seg::Key("steps")]);
        if let Some(i) = spans.iter().position(|&(start, end)| start <= offset && offset <= end) {
            message = format!("step {}: {message}", i + 1);
        }
    }
    UserPluginError::Syntax { file: file.to_owned(), line, column, message }
}

#[cfg(test)]
mod tests;
