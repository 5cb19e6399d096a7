//! Multi-term patterns: Lucene wildcards, Lucene regular expressions (translated to the
//! `regex` crate, anchored on the whole term) and fuzzy (edit distance) matching.

use regex::{Regex, RegexBuilder};

use crate::QueryError;
use crate::mapping::lowercase_char;

/// Compiled-program size limit for user patterns.
const SIZE_LIMIT: usize = 1 << 22;

/// Compiles a Lucene wildcard (`*` any run, `?` one character, `\` escapes the next
/// character) into a regex matching whole values. `lowercase` lowercases its literal
/// characters (query strings do on text fields).
pub(crate) fn wildcard_regex(pattern: &str, lowercase: bool) -> Result<Regex, QueryError> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            // A trailing backslash is a literal backslash (Lucene is lenient there).
            '\\' => push_literal(&mut out, chars.next().unwrap_or('\\'), lowercase),
            c => push_literal(&mut out, c, lowercase),
        }
    }
    compile_anchored(&out, pattern)
}

/// A compiled term pattern with the literal text every term it matches starts with, so an
/// index can scan only the terms beginning with it.
#[derive(Debug, Clone)]
pub(crate) struct TermPattern {
    /// The pattern, anchored on the whole term.
    pub(crate) regex: Regex,
    /// A prefix of every matching term (possibly empty).
    pub(crate) prefix: String,
}

/// [`wildcard_regex`] with its literal prefix: the characters before the first `*` or `?`.
pub(crate) fn wildcard_pattern(pattern: &str, lowercase: bool) -> Result<TermPattern, QueryError> {
    let mut prefix = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => break,
            '\\' => prefix.push(chars.next().unwrap_or('\\')),
            c => prefix.push(c),
        }
    }
    if lowercase {
        prefix = prefix.chars().map(lowercase_char).collect();
    }
    Ok(TermPattern { regex: wildcard_regex(pattern, lowercase)?, prefix })
}

/// [`lucene_regex`] with a literal prefix: the plain characters it starts with, without the
/// last one when a quantifier that allows zero follows it, and none when the expression has
/// an alternation anywhere (a conservative reading: a shorter prefix only scans more terms).
pub(crate) fn lucene_pattern(pattern: &str, lowercase: bool) -> Result<TermPattern, QueryError> {
    let regex = lucene_regex(pattern, lowercase)?;
    let mut prefix = String::new();
    if !pattern.contains('|') {
        for c in pattern.chars() {
            match c {
                '*' | '?' | '{' => {
                    prefix.pop();
                    break;
                }
                c if c.is_alphanumeric() || c == '_' || c == '-' || c == ' ' || c == ':' || c == '/' => prefix.push(c),
                _ => break,
            }
        }
    }
    if lowercase {
        prefix = prefix.chars().map(lowercase_char).collect();
    }
    Ok(TermPattern { regex, prefix })
}

/// Compiles a Lucene regular expression (as OpenSearch reads `field:/.../`) matching whole
/// terms.
pub(crate) fn lucene_regex(pattern: &str, lowercase: bool) -> Result<Regex, QueryError> {
    let translated = translate_regex(pattern, lowercase)
        .map_err(|message| QueryError::Pattern { pattern: pattern.to_owned(), message })?;
    compile_anchored(&translated, pattern)
}

fn compile_anchored(body: &str, original: &str) -> Result<Regex, QueryError> {
    RegexBuilder::new(&format!(r"\A(?s:{body})\z"))
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| QueryError::Pattern { pattern: original.to_owned(), message: e.to_string() })
}

fn push_literal(out: &mut String, c: char, lowercase: bool) {
    let c = if lowercase { lowercase_char(c) } else { c };
    let mut buf = [0u8; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// Translates Lucene `RegExp` syntax into `regex` syntax.
///
/// Supported: literals, `.`, `*`, `+`, `?`, `{n,m}`, `|`, `( )`, `[...]`/`[^...]` classes,
/// `"..."` literal strings, `@` (any string), `#` (the empty language), `\` escapes and
/// OpenSearch's `\d \D \s \S \w \W`. `^`, `$` and `~` are literal characters (OpenSearch
/// leaves complement off). Intersection `&` and numeric intervals `<n-m>` are refused.
fn translate_regex(pattern: &str, lowercase: bool) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let e = *chars.get(i).ok_or("a trailing backslash escapes nothing")?;
                i += 1;
                push_escape(&mut out, e, lowercase);
            }
            '"' => {
                let end = chars[i..].iter().position(|&q| q == '"').ok_or("unterminated \"...\" string")?;
                chars[i..i + end].iter().for_each(|&l| push_literal(&mut out, l, lowercase));
                i += end + 1;
            }
            '[' => i = translate_class(&chars, i, &mut out, lowercase)?,
            '.' | '*' | '+' | '?' | '|' | ')' | '{' | '}' | ',' => out.push(c),
            '(' => out.push_str("(?:"),
            '@' => out.push_str(".*"),
            '#' => out.push_str(r"[^\s\S]"),
            '&' => return Err("intersection `&` is not supported".to_owned()),
            '<' => return Err("numeric intervals `<n-m>` are not supported".to_owned()),
            c => push_literal(&mut out, c, lowercase),
        }
    }
    Ok(out)
}

fn push_escape(out: &mut String, e: char, lowercase: bool) {
    match e {
        'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
            out.push('\\');
            out.push(e);
        }
        e => push_literal(out, e, lowercase),
    }
}

/// Translates a character class starting after its `[`; returns the index after its `]`.
fn translate_class(chars: &[char], mut i: usize, out: &mut String, lowercase: bool) -> Result<usize, String> {
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let start = i;
    loop {
        let c = *chars.get(i).ok_or("unterminated character class")?;
        i += 1;
        match c {
            ']' if i - 1 > start => break,
            ']' => return Err("empty character class".to_owned()),
            '\\' => {
                let e = *chars.get(i).ok_or("a trailing backslash escapes nothing")?;
                i += 1;
                push_escape(out, e, lowercase);
            }
            '-' if i - 1 > start && chars.get(i).is_some_and(|&n| n != ']') => out.push('-'),
            c => push_literal(out, c, lowercase),
        }
    }
    out.push(']');
    Ok(i)
}

/// The fuzziness Elasticsearch's `AUTO` gives a term: 0 edits up to 2 characters, 1 up to
/// 5, else 2.
pub(crate) fn auto_fuzziness(term: &str) -> u8 {
    match term.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Whether `a` and `b` are within `max` edits (insertions, deletions, substitutions and
/// transpositions of adjacent characters — Lucene's default fuzzy distance).
pub(crate) fn within_edits(a: &str, b: &str, max: u8) -> bool {
    if a == b {
        return true;
    }
    let max = usize::from(max);
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    osa_distance(&a, &b) <= max
}

/// Optimal string alignment distance.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut prev2 = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0; width];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wild(p: &str, lower: bool, v: &str) -> bool {
        wildcard_regex(p, lower).is_ok_and(|r| r.is_match(v))
    }

    fn re(p: &str, v: &str) -> bool {
        lucene_regex(p, false).is_ok_and(|r| r.is_match(v))
    }

    #[test]
    fn wildcards() {
        assert!(wild("foo*", false, "foobar"));
        assert!(wild("foo*", false, "foo"));
        assert!(!wild("foo*", false, "xfoo"));
        assert!(wild("*bar", false, "foobar"));
        assert!(wild("f?o", false, "fxo"));
        assert!(!wild("f?o", false, "fo"));
        assert!(wild("a.b", false, "a.b"));
        assert!(!wild("a.b", false, "axb"));
        assert!(wild(r"a\*b", false, "a*b"));
        assert!(!wild(r"a\*b", false, "axxb"));
        assert!(wild("a\\", false, "a\\"));
        assert!(!wild("Foo*", false, "foobar"));
        assert!(wild("Foo*", true, "foobar"));
        assert!(wild("*", false, ""));
        assert!(wild("a*c", false, "a\nb\nc"));
        assert!(wild("(x)+[", false, "(x)+["));
    }

    #[test]
    fn lucene_regexes() {
        assert!(re("ab.*", "abc"));
        assert!(!re("ab", "abc"));
        assert!(re("a|b", "b"));
        assert!(re("(ab)+", "abab"));
        assert!(re("[a-c]{2,3}", "abc"));
        assert!(!re("[a-c]{2,3}", "abcd"));
        assert!(re("[^a-c]x", "dx"));
        assert!(re(r"\d+", "123"));
        assert!(re(r"a\.b", "a.b"));
        assert!(!re(r"a\.b", "axb"));
        assert!(re("\"a.b\"c", "a.bc"));
        assert!(re("x@", "xanything"));
        assert!(!re("#", ""));
        assert!(re("^a$", "^a$"));
        assert!(re("a~b", "a~b"));
        assert!(re("[-a]+", "-a-"));
        assert!(re("[a-]+", "-a-"));
        assert!(re("[.]", "."));
        assert!(re("[\\]]", "]"));
        assert!(re(".", "\n"));
        assert!(re("()a", "a"));
    }

    #[test]
    fn bad_regexes() {
        for bad in ["a&b", "<1-5>", "[abc", "[]", "\"abc", "a\\", "(a", "a{2", "*a", "a)"] {
            assert!(lucene_regex(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn lowercased_regex() {
        let r = lucene_regex(r"Foo\D[A-Z]", true);
        assert!(r.as_ref().is_ok_and(|r| r.is_match("foo-x")));
        assert!(r.is_ok_and(|r| !r.is_match("foo1x")));
    }

    #[test]
    fn fuzzy() {
        assert!(within_edits("abc", "abc", 0));
        assert!(within_edits("abc", "abd", 1));
        assert!(!within_edits("abc", "abd", 0));
        assert!(within_edits("abc", "acb", 1));
        assert!(within_edits("abc", "abcde", 2));
        assert!(!within_edits("abc", "abcdef", 2));
        assert!(within_edits("", "ab", 2));
        assert!(within_edits("kitten", "sitten", 1));
        assert!(!within_edits("kitten", "sitting", 2));
        assert_eq!(auto_fuzziness("ab"), 0);
        assert_eq!(auto_fuzziness("abc"), 1);
        assert_eq!(auto_fuzziness("abcde"), 1);
        assert_eq!(auto_fuzziness("abcdef"), 2);
    }
}
