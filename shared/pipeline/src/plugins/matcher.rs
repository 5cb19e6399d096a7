//! Which plugins an event is offered to: MozDef's `dict2List` tokens against the plugins'
//! registration keywords, in one walk of the event and without building the token list.

use serde_json::Value;

use mozdef_model::Document;

/// Registration keywords → the plugins that registered them, indexed by the keyword's byte
/// length and first byte, so most tokens are dismissed by their length alone (without
/// reading their bytes) or by one more table look at their first byte, and the rest are
/// compared without hashing or allocating.
#[derive(Debug, Default)]
pub(super) struct Matcher {
    /// `by_length[len]`: the keywords of that length, with their plugins.
    by_length: Vec<Vec<(String, Vec<usize>)>>,
    /// `first_bytes_by_length[len]`: a 256-bit set of the first bytes of the keywords of
    /// that length, so a token of that length is mostly dismissed without comparing it.
    first_bytes_by_length: Vec<[u64; 4]>,
    /// `token_lengths[len]`: which tokens of `len` bytes can lower-case to a keyword
    /// ([`ANY_TOKEN`], [`NON_ASCII_TOKEN`]). Read before the token's bytes, it dismisses
    /// most tokens without touching their text.
    token_lengths: Vec<u8>,
}

/// A flag of [`Matcher::token_lengths`]: some token of that length can match a keyword.
const ANY_TOKEN: u8 = 1;
/// A flag of [`Matcher::token_lengths`]: some non-ASCII token of that length can match a
/// keyword. Without it, only an ASCII token of that length can, which keeps its length and
/// first byte when lower-cased: a non-ASCII one need not be lower-cased at all.
const NON_ASCII_TOKEN: u8 = 2;

/// Whether `byte` is in the 256-bit set `set`.
#[inline]
fn has_byte(set: &[u64; 4], byte: u8) -> bool {
    set[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0
}

/// Adds `byte` to the 256-bit set `set`.
fn add_byte(set: &mut [u64; 4], byte: u8) {
    set[usize::from(byte >> 6)] |= 1 << (byte & 63);
}

/// The byte lengths of the tokens that can lower-case (`str::to_lowercase`) to `keyword`
/// (itself lower case), each with its [`Matcher::token_lengths`] flags. Only one non-ASCII
/// character lower-cases to ASCII text: U+212A KELVIN SIGN (three bytes) to `k` (U+0130
/// gives `i` and a non-ASCII combining dot). So the tokens equal to an ASCII keyword once
/// lower-cased are ASCII ones of the keyword's length, and non-ASCII ones two bytes longer
/// for each `k` written as the Kelvin sign. For a non-ASCII keyword, where lower-casing can
/// lengthen or shorten characters, any token of up to three times the keyword's length (a
/// character shrinks by at most 3 bytes to 1) may be one.
fn token_lengths(keyword: &str) -> Vec<(usize, u8)> {
    if keyword.is_ascii() {
        let kelvins = keyword.bytes().filter(|&b| b == b'k').count();
        let with_kelvins = (1..=kelvins).map(|n| (keyword.len() + 2 * n, ANY_TOKEN | NON_ASCII_TOKEN));
        std::iter::once((keyword.len(), ANY_TOKEN)).chain(with_kelvins).collect()
    } else {
        (1..=3 * keyword.len()).map(|len| (len, ANY_TOKEN | NON_ASCII_TOKEN)).collect()
    }
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
        self.token_lengths.is_empty()
    }

    fn add(&mut self, keyword: String, plugin: usize) {
        let Some(&first) = keyword.as_bytes().first() else { return };
        if self.by_length.len() <= keyword.len() {
            self.by_length.resize_with(keyword.len() + 1, Vec::new);
            self.first_bytes_by_length.resize(keyword.len() + 1, [0; 4]);
        }
        add_byte(&mut self.first_bytes_by_length[keyword.len()], first);
        for (len, flags) in token_lengths(&keyword) {
            if self.token_lengths.len() <= len {
                self.token_lengths.resize(len + 1, 0);
            }
            self.token_lengths[len] |= flags;
        }
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

    /// Looks one token up, lower-cased as Python's `str.lower()` does. Most tokens are
    /// dismissed here by their length, without reading their text, or by their first byte.
    #[inline]
    fn token(&self, token: &str, hit: &mut [bool]) {
        let flags = self.token_lengths.get(token.len()).copied().unwrap_or(0);
        if flags & NON_ASCII_TOKEN != 0 {
            self.token_maybe_non_ascii(token, hit);
        } else if flags != 0 {
            // A non-ASCII token of this length is equal to no keyword, even ignoring ASCII
            // case: the ASCII comparison settles every token.
            self.ascii_token(token, hit);
        }
    }

    /// [`Matcher::token`] for an ASCII token (or one that can only match as one): it keeps
    /// its length and first byte once lower-cased, so only keywords of that length and first
    /// byte can be equal to it.
    #[inline(always)]
    fn ascii_token(&self, token: &str, hit: &mut [bool]) {
        let Some(&first) = token.as_bytes().first() else { return };
        if self.first_bytes_by_length.get(token.len()).is_some_and(|set| has_byte(set, first.to_ascii_lowercase())) {
            self.mark(token, hit, |keyword| keyword.eq_ignore_ascii_case(token));
        }
    }

    /// [`Matcher::token`] for a token of a length some non-ASCII token matching a keyword
    /// can have: a non-ASCII one is lower-cased, then compared.
    #[inline(never)]
    fn token_maybe_non_ascii(&self, token: &str, hit: &mut [bool]) {
        if token.is_ascii() {
            self.ascii_token(token, hit);
        } else {
            let lower = token.to_lowercase();
            self.mark(&lower, hit, |keyword| keyword == lower);
        }
    }

    /// Marks the plugins of the keywords of `token`'s length that `equal` accepts.
    #[inline(never)]
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The plugins (by number) `matcher` marks for `event`.
    fn marked(matcher: &Matcher, plugins: usize, event: serde_json::Value) -> Vec<usize> {
        let mut hit = vec![false; plugins];
        if let serde_json::Value::Object(event) = event {
            matcher.mark_matches(&event, &mut hit);
        }
        (0..plugins).filter(|&p| hit[p]).collect()
    }

    #[test]
    fn token_lengths_of_ascii_and_non_ascii_keywords() {
        assert_eq!(token_lengths("sshd"), [(4, ANY_TOKEN)]);
        // One `k`: also written as the three-byte Kelvin sign.
        assert_eq!(token_lengths("network"), [(7, ANY_TOKEN), (9, ANY_TOKEN | NON_ASCII_TOKEN)]);
        assert_eq!(
            token_lengths("kk"),
            [(2, ANY_TOKEN), (4, ANY_TOKEN | NON_ASCII_TOKEN), (6, ANY_TOKEN | NON_ASCII_TOKEN)]
        );
        // `é` is two bytes: any token of 1 to 6 bytes may lower-case to it.
        assert_eq!(token_lengths("é"), (1..=6).map(|len| (len, ANY_TOKEN | NON_ASCII_TOKEN)).collect::<Vec<_>>());
    }

    #[test]
    fn tokens_match_as_python_lower_cases_them() {
        let registrations: [&[&str]; 3] = [&["sshd"], &["network"], &["Événement"]];
        let matcher = Matcher::for_plugins_from(&registrations, 0);
        assert_eq!(marked(&matcher, 3, json!({"processname": "SSHD"})), [0]);
        assert_eq!(marked(&matcher, 3, json!({"sshd": 1})), [0], "a key is a token");
        assert_eq!(marked(&matcher, 3, json!({"a": "sshd2", "b": "ssh", "c": "sshé"})), Vec::<usize>::new());
        assert_eq!(marked(&matcher, 3, json!({"a": "NETWOR\u{212A}"})), [1], "the Kelvin sign is a k");
        assert_eq!(marked(&matcher, 3, json!({"a": "NET\u{212A}WORK"})), Vec::<usize>::new());
        assert_eq!(marked(&matcher, 3, json!({"a": ["x", {"b": "ÉVÉNEMENT"}]})), [2]);
        assert_eq!(marked(&matcher, 3, json!({"a": "événement"})), [2]);
        assert_eq!(marked(&matcher, 3, json!({"a": "evenement"})), Vec::<usize>::new());
    }

    #[test]
    fn a_matcher_from_a_plugin_on_knows_only_the_later_keywords() {
        let registrations: [&[&str]; 2] = [&["sshd"], &["network"]];
        let later = Matcher::for_plugins_from(&registrations, 1);
        assert_eq!(marked(&later, 2, json!({"a": "sshd", "b": "network"})), [1]);
        assert!(Matcher::for_plugins_from(&registrations, 2).is_empty());
    }
}
