//! Which plugins an event is offered to: MozDef's `dict2List` tokens against the plugins'
//! registration keywords, in one walk of the event and without building the token list.

use serde_json::Value;

use mozdef_model::Document;

/// Registration keywords → the plugins that registered them, indexed by the keyword's byte
/// length and first byte, so most tokens are dismissed by two table looks and the rest are
/// compared without hashing or allocating.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    /// `by_length[len]`: the keywords of that length, with their plugins.
    by_length: Vec<Vec<(String, Vec<usize>)>>,
    /// Whether some keyword starts with this (lower-case) byte.
    first_bytes: Vec<bool>,
    /// `first_bytes_by_length[len]`: a 256-bit set of the first bytes of the keywords of
    /// that length, so an ASCII token is mostly dismissed without comparing it.
    first_bytes_by_length: Vec<[u64; 4]>,
    /// The longest token that can lower-case to a keyword: lower-casing shrinks a character
    /// by at most 3 bytes to 1 (the Kelvin sign to `k`), so 3 × the longest keyword.
    longest_token: usize,
}

impl Matcher {
    /// A matcher that looks only for the keywords of plugins `from..` of these
    /// registrations (plugin numbers stay those of the whole list): what decides which of
    /// the plugins after one that has just run are offered the event next.
    pub(super) fn for_plugins_from(registrations: &[&[&str]], from: usize) -> Self {
        let mut matcher = Matcher::default();
        for (plugin, keywords) in registrations.iter().enumerate().skip(from) {
            for keyword in *keywords {
                matcher.add(keyword.to_lowercase(), plugin);
            }
        }
        matcher
    }

    /// Whether no token can match (no keyword at all): walking an event is then pointless.
    pub(super) fn is_empty(&self) -> bool {
        self.first_bytes.is_empty()
    }

    fn add(&mut self, keyword: String, plugin: usize) {
        let Some(&first) = keyword.as_bytes().first() else { return };
        if self.by_length.len() <= keyword.len() {
            self.by_length.resize_with(keyword.len() + 1, Vec::new);
            self.first_bytes_by_length.resize(keyword.len() + 1, [0; 4]);
        }
        self.first_bytes_by_length[keyword.len()][usize::from(first >> 6)] |= 1 << (first & 63);
        if self.first_bytes.is_empty() {
            self.first_bytes = vec![false; 256];
        }
        self.first_bytes[usize::from(first)] = true;
        self.longest_token = self.longest_token.max(3 * keyword.len());
        let same_length = &mut self.by_length[keyword.len()];
        match same_length.iter_mut().find(|(k, _)| *k == keyword) {
            Some((_, plugins)) => plugins.push(plugin),
            None => same_length.push((keyword, vec![plugin])),
        }
    }

    /// For each plugin, whether `event` has one of its keywords among its tokens.
    /// Sets `hit[plugin]` for each plugin this matcher knows of that has one of its keywords
    /// among `event`'s tokens (other entries are left as they are).
    pub(super) fn mark_matches(&self, event: &Document, hit: &mut [bool]) {
        if !self.is_empty() {
            self.walk_map(event, hit);
        }
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
    #[inline]
    fn token(&self, token: &str, hit: &mut [bool]) {
        if token.len() > self.longest_token {
            return; // most values (summaries, messages) end here, unread
        }
        let Some(&first) = token.as_bytes().first() else { return };
        if first.is_ascii() {
            // An ASCII first character stays first when lower-cased: most tokens end here.
            let first = first.to_ascii_lowercase();
            if !self.first_bytes.get(usize::from(first)).copied().unwrap_or(false) {
                return;
            }
            // An ASCII token keeps its length: only keywords of that length and first byte
            // can be equal to it.
            let candidate = self
                .first_bytes_by_length
                .get(token.len())
                .is_some_and(|set| set[usize::from(first >> 6)] & (1 << (first & 63)) != 0);
            if token.is_ascii() {
                if candidate {
                    self.mark(token, hit, |keyword| keyword.eq_ignore_ascii_case(token));
                }
                return;
            }
        }
        let lower = token.to_lowercase();
        self.mark(&lower, hit, |keyword| keyword == lower);
    }

    /// Marks the plugins of the keywords of `token`'s length that `equal` accepts.
    fn mark(&self, token: &str, hit: &mut [bool], equal: impl Fn(&str) -> bool) {
        let Some(candidates) = self.by_length.get(token.len()) else { return };
        for (keyword, plugins) in candidates {
            if equal(keyword) {
                for &plugin in plugins {
                    hit[plugin] = true;
                }
            }
        }
    }
}
