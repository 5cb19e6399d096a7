//! A minimal, strict reader of MozDef's INI sidecar files (`mozilla_location.conf`).
//!
//! MozDef read them through configlib's `getConfig` (everett over configobj). This reader
//! accepts what those files are made of and refuses everything else, so a mistake stops the
//! start instead of being ignored:
//!
//! * `[section]` lines (the name trimmed and compared case-insensitively, as everett
//!   upper-cased it); only the sections the file's plugin reads, each once;
//! * `key=value` and `key = value` lines inside a section: the key trimmed and
//!   case-insensitive (returned lower-cased), the value trimmed (everything after the first
//!   `=`); only the keys the plugin reads, each once per section;
//! * comment lines starting with `#` or `;` (after leading blanks), and blank lines.
//!
//! There are no inline comments, continuation lines, `:` separators or quotes: such text
//! stays in the value, whose own check (site codes...) then refuses it.

use std::path::Path;

use super::error::{PluginConfigError, SettingSource};

/// The sections of a file, each with the keys it may hold (all lower case).
pub(super) type Schema = [(&'static str, &'static [&'static str])];

/// One `key=value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The section, as named in the schema.
    pub section: &'static str,
    /// The key, lower case (one of the schema's).
    pub key: &'static str,
    /// The value, trimmed.
    pub value: String,
    /// The line (1-based).
    pub line: usize,
}

/// Reads `text` (the contents of `path`) against `schema`.
pub(super) fn parse(path: &Path, text: &str, schema: &Schema) -> Result<Vec<Entry>, PluginConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let known_sections = || schema.iter().map(|(name, _)| *name).collect::<Vec<_>>();
    let mut seen_sections: Vec<&'static str> = Vec::new();
    let mut current: Option<(&'static str, &'static [&'static str])> = None;
    let mut entries: Vec<Entry> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let at = || SettingSource::line(path, line);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(inner) = trimmed.strip_prefix('[') {
            let Some(name) = inner.strip_suffix(']').map(str::trim) else {
                return Err(PluginConfigError::Syntax { at: at(), text: raw.to_owned() });
            };
            let Some(&(section, keys)) = schema.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)) else {
                return Err(PluginConfigError::UnknownSection {
                    at: at(),
                    section: name.to_owned(),
                    known: known_sections(),
                });
            };
            if seen_sections.contains(&section) {
                return Err(PluginConfigError::DuplicateSection { at: at(), section: name.to_owned() });
            }
            seen_sections.push(section);
            current = Some((section, keys));
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(PluginConfigError::Syntax { at: at(), text: raw.to_owned() });
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(PluginConfigError::Syntax { at: at(), text: raw.to_owned() });
        }
        let Some((section, keys)) = current else {
            return Err(PluginConfigError::KeyOutsideSection { at: at(), key: key.to_owned() });
        };
        let Some(&known_key) = keys.iter().find(|known| known.eq_ignore_ascii_case(key)) else {
            return Err(PluginConfigError::UnknownKey {
                at: at(),
                section: Some(section),
                key: key.to_owned(),
                known: keys,
                value: Some(value.to_owned()),
            });
        };
        if entries.iter().any(|e| e.section == section && e.key == known_key) {
            return Err(PluginConfigError::DuplicateKey { at: at(), section: section.to_owned(), key: key.to_owned() });
        }
        entries.push(Entry { section, key: known_key, value: value.to_owned(), line });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &Schema = &[("options", &["dc_code_list", "offices_code_list"])];

    fn read(text: &str) -> Result<Vec<Entry>, String> {
        parse(Path::new("x.conf"), text, SCHEMA).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_keys_values_comments_and_case() {
        let text = "\u{feff}# a comment\n  ; another\n\n [ OPTIONS ] \r\n  DC_Code_List =  abc1,abc2  \r\n\
                    offices_code_list=\n";
        let entries = read(text);
        assert_eq!(
            entries,
            Ok(vec![
                Entry { section: "options", key: "dc_code_list", value: "abc1,abc2".to_owned(), line: 5 },
                Entry { section: "options", key: "offices_code_list", value: String::new(), line: 6 },
            ])
        );
        assert_eq!(read(""), Ok(Vec::new()));
        assert_eq!(read("[options]\n"), Ok(Vec::new()));
    }

    #[test]
    fn the_value_is_everything_after_the_first_equals_sign() {
        let entries = read("[options]\ndc_code_list = a=b # not a comment\n");
        assert_eq!(entries.map(|e| e[0].value.clone()), Ok("a=b # not a comment".to_owned()));
    }

    #[test]
    fn refuses_what_mozdef_files_are_not_made_of() {
        let cases = [
            (
                "[options]\ndc_code_list abc1\n",
                r#"x.conf:2: expected `key=value`, `[section]`, a `#`/`;` comment or a blank line, found "dc_code_list abc1""#,
            ),
            (
                "[options\n",
                r#"x.conf:1: expected `key=value`, `[section]`, a `#`/`;` comment or a blank line, found "[options""#,
            ),
            (
                "[options]\n = abc1\n",
                r#"x.conf:2: expected `key=value`, `[section]`, a `#`/`;` comment or a blank line, found " = abc1""#,
            ),
            ("[main]\n", "x.conf:1: unknown section [main] (known: options)"),
            ("[options]\n[[options]]\n", "x.conf:2: unknown section [[options]] (known: options)"),
            ("[options]\n[Options]\n", "x.conf:2: duplicate section [Options]"),
            (
                "dc_code_list=abc1\n",
                r#"x.conf:1: key "dc_code_list" outside a section (the settings are in [options])"#,
            ),
            ("[options]\ndc_code_list=a\nDC_CODE_LIST=b\n", r#"x.conf:3: duplicate key "DC_CODE_LIST" in [options]"#),
            (
                "[options]\nsite=x\n",
                r#"x.conf:2: unknown key "site" in [options] (known: dc_code_list, offices_code_list), with value "x""#,
            ),
        ];
        for (text, message) in cases {
            assert_eq!(read(text), Err(message.to_owned()), "{text:?}");
        }
    }
}
