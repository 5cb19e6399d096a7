//! Which plugins an event is offered to: MozDef's `dict2List` tokens against the plugins'
//! registration keywords, in one walk of the event and without building the token list.

use std::collections::HashMap;

use serde_json::Value;

use mozdef_model::Document;

/// Registration keywords → the plugins that registered them.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    by_keyword: HashMap<String, Vec<usize>>,
    /// The byte lengths of the keywords, to skip most tokens without lower-casing them.
    lengths: Vec<bool>,
    plugins: usize,
}

impl Matcher {
    /// A matcher for plugins `0..n` with these registrations.
    pub(super) fn new<'a>(registrations: impl Iterator<Item = &'a [&'a str]>) -> Self {
        let mut matcher = Matcher::default();
        for (plugin, keywords) in registrations.enumerate() {
            matcher.plugins = plugin + 1;
            for keyword in keywords {
                let keyword = keyword.to_lowercase();
                if matcher.lengths.len() <= keyword.len() {
                    matcher.lengths.resize(keyword.len() + 1, false);
                }
                matcher.lengths[keyword.len()] = true;
                matcher.by_keyword.entry(keyword).or_default().push(plugin);
            }
        }
        matcher
    }

    /// For each plugin, whether `event` has one of its keywords among its tokens.
    pub(super) fn matches(&self, event: &Document) -> Vec<bool> {
        let mut hit = vec![false; self.plugins];
        self.walk_map(event, &mut hit);
        hit
    }

    fn walk_map(&self, map: &Document, hit: &mut [bool]) {
        for (key, value) in map {
            match value {
                // dict2List recurses into a dict value without yielding its key.
                Value::Object(inner) => self.walk_map(inner, hit),
                Value::Array(items) => {
                    self.token(key, hit);
                    self.walk_list(items, hit);
                }
                Value::String(s) => {
                    self.token(key, hit);
                    self.token(s, hit);
                }
                _ => self.token(key, hit),
            }
        }
    }

    fn walk_list(&self, items: &[Value], hit: &mut [bool]) {
        for item in items {
            match item {
                Value::String(s) => self.token(s, hit),
                Value::Array(inner) => self.walk_list(inner, hit),
                Value::Object(inner) => self.walk_map(inner, hit),
                _ => {}
            }
        }
    }

    /// Looks one token up, lower-cased as Python's `str.lower()` does.
    fn token(&self, token: &str, hit: &mut [bool]) {
        let plugins = if token.is_ascii() {
            if !self.lengths.get(token.len()).copied().unwrap_or(false) {
                return;
            }
            if token.bytes().any(|b| b.is_ascii_uppercase()) {
                self.by_keyword.get(&token.to_ascii_lowercase())
            } else {
                self.by_keyword.get(token)
            }
        } else {
            let lower = token.to_lowercase();
            if !self.lengths.get(lower.len()).copied().unwrap_or(false) {
                return;
            }
            self.by_keyword.get(&lower)
        };
        for &plugin in plugins.into_iter().flatten() {
            hit[plugin] = true;
        }
    }
}
