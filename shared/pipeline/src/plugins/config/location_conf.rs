//! `mozilla_location.conf`: the site codes of the `mozilla_location` plugin, with MozDef's
//! `OPTIONS_<KEY>` environment overrides.
//!
//! MozDef's plugin read `getConfig('dc_code_list', '', path).split(',')` and likewise
//! `offices_code_list`: a site in the first list is a `datacenter`, else in the second an
//! `office`, else `unknown`. getConfig took `OPTIONS_DC_CODE_LIST` (`OPTIONS_OFFICES_CODE_LIST`)
//! from the environment when set, even to the empty string, and otherwise the file's value;
//! a value starting with `[` was `eval`uated as a Python list and joined with commas.
//!
//! Here, after the same steps, every code is checked: it must be a lower-case host name
//! label (ASCII letters `a`-`z`, digits, `-`, `_`), because the plugin compares codes with the
//! lower-cased site label of a host name; a code that could never match (` abc2` after a
//! comma and a blank, `ABC2`, `"abc2`, `abc2#dcs`) stops the start instead of being a list
//! entry that silently never matches. Empty codes (an empty or absent value, `abc1,,abc2`, a
//! trailing comma) are skipped: MozDef's `''.split(',')` made the empty site a datacenter,
//! which the plugin's documented deviation leaves out (the empty site is only configured in
//! code, through [`PluginConfig::mozilla_location_sitetypes`](super::super::PluginConfig)).

use std::collections::HashMap;
use std::path::Path;

use super::error::{PluginConfigError, SettingSource};
use super::ini::{self, Schema};

/// The file's name in MozDef's plugin directory.
pub(super) const FILE_NAME: &str = "mozilla_location.conf";

/// The keys of `[options]`, each with the site type of its codes, in MozDef's order of
/// precedence (a code in both lists is a datacenter).
const LISTS: [(&str, &str); 2] = [("dc_code_list", "datacenter"), ("offices_code_list", "office")];

/// The file's only section and keys.
const SCHEMA: &Schema = &[("options", &["dc_code_list", "offices_code_list"])];

/// The site code → site type map of `mozilla_location.conf` (`file`: its path and contents,
/// when the directory has one) with the `OPTIONS_*` overrides of `env`.
pub(super) fn sitetypes(
    file: Option<(&Path, &str)>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HashMap<String, String>, PluginConfigError> {
    let entries = match file {
        Some((path, text)) => ini::parse(path, text, SCHEMA)?,
        None => Vec::new(),
    };
    let mut sitetypes = HashMap::new();
    // The offices first, so that a code in both lists ends up a datacenter.
    for (key, sitetype) in LISTS.iter().rev() {
        let variable = format!("OPTIONS_{}", key.to_ascii_uppercase());
        let (value, at) = match (env(&variable), file) {
            (Some(value), _) => (value, SettingSource::Env { variable }),
            (None, Some((path, _))) => match entries.iter().find(|e| e.key == *key) {
                Some(entry) => (entry.value.clone(), SettingSource::line(path, entry.line)),
                None => continue,
            },
            (None, None) => continue,
        };
        for code in site_codes(&value).map_err(|reason| invalid(&at, key, &value, reason))? {
            sitetypes.insert(code, (*sitetype).to_owned());
        }
    }
    Ok(sitetypes)
}

/// The error of a value that is not a list of site codes.
fn invalid(at: &SettingSource, key: &str, value: &str, reason: String) -> PluginConfigError {
    PluginConfigError::InvalidValue { at: at.clone(), key: key.to_owned(), value: format!("{value:?}"), reason }
}

/// The non-empty site codes of a value: getConfig's list `eval`, then `split(',')`.
fn site_codes(value: &str) -> Result<Vec<String>, String> {
    let joined = if value.starts_with('[') { python_string_list(value)?.join(",") } else { value.to_owned() };
    let mut codes = Vec::new();
    for code in joined.split(',').filter(|code| !code.is_empty()) {
        if !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err(format!(
                "site code {code:?} is not a lower-case host name label (a-z, 0-9, '-', '_'), so it could \
                 never equal the lower-cased site label of a host name (codes are separated by commas only)"
            ));
        }
        codes.push(code.to_owned());
    }
    Ok(codes)
}

/// A Python list literal of string literals (`['abc1', "abc2"]`), as getConfig `eval`uated a
/// value starting with `[`: plain single- or double-quoted strings without escapes,
/// separated by commas (a trailing one allowed), blanks around them. Anything else is refused
/// (MozDef: a `SyntaxError`, or a `TypeError` joining a non-string).
fn python_string_list(value: &str) -> Result<Vec<String>, String> {
    let refuse = |what: &str| {
        Err(format!(
            "a value starting with '[' is read as a Python list of strings (['abc1', 'abc2']), \
             as MozDef's getConfig evaluated it: {what}"
        ))
    };
    let Some(inner) = value.trim_end().strip_prefix('[').and_then(|v| v.strip_suffix(']')) else {
        return refuse("it does not end with ']'");
    };
    let mut items = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            return refuse("an item is not a quoted string");
        };
        let body = &rest[1..];
        let Some(end) = body.find(quote) else { return refuse("a string is not closed") };
        let item = &body[..end];
        if item.contains('\\') {
            return refuse("escapes are not supported");
        }
        items.push(item.to_owned());
        rest = body[end + 1..].trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => return refuse("items must be separated by commas"),
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_split_on_commas_and_empty_ones_skipped() {
        assert_eq!(site_codes("abc1,abc2,abc3"), Ok(vec!["abc1".to_owned(), "abc2".to_owned(), "abc3".to_owned()]));
        assert_eq!(site_codes(""), Ok(Vec::new()));
        assert_eq!(site_codes(",abc1,,mdc-2_x,"), Ok(vec!["abc1".to_owned(), "mdc-2_x".to_owned()]));
    }

    #[test]
    fn codes_that_could_never_match_are_refused() {
        for value in ["abc1, abc2", "ABC2", "\"abc2\"", "abc2#dcs", "abc2 # dcs", "abc.2", "sfö1"] {
            assert!(site_codes(value).is_err_and(|e| e.contains("is not a lower-case host name label")), "{value}");
        }
    }

    #[test]
    fn python_lists_are_joined_like_getconfig() {
        assert_eq!(site_codes("['abc1', \"abc2\",]"), Ok(vec!["abc1".to_owned(), "abc2".to_owned()]));
        assert_eq!(site_codes("['abc1,abc2']"), Ok(vec!["abc1".to_owned(), "abc2".to_owned()]));
        assert_eq!(site_codes("[ ]"), Ok(Vec::new()));
        for value in ["[abc1]", "['abc1'", "['abc1' 'abc2']", "['abc1', 2]", "['a\\'b']", "['abc1"] {
            assert!(site_codes(value).is_err_and(|e| e.contains("Python list of strings")), "{value}");
        }
    }
}
