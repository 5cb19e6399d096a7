//! Lucene query strings (`QueryStringMatch`): parsed once, kept with their text so that a
//! backend can pass the text on (OpenSearch) or evaluate the parse tree (embedded store).
//!
//! The grammar and the boolean semantics are those of Lucene's classic `QueryParser` as
//! Elasticsearch/OpenSearch's `query_string` uses it, with default operator OR and default
//! field `*` (every field):
//!
//! * terms, `field:value`, `field:"phrase"` (`~N` slop), `term~` / `term~N` (fuzzy),
//!   wildcards `*` `?`, regexes `field:/.../`, ranges `[a TO b]`, `{a TO b}`, `[a TO b}`
//!   with `*` as an open bound, Elasticsearch's `field:>=x` `>x` `<x` `<=x`, `_exists_:field`
//!   and `field:*` (exists), `*` / `*:*` (everything), `^N` boosts (ignored: filter context);
//! * `AND`/`&&`, `OR`/`||`, `NOT`/`!`, `+`/`-` prefixes, `( )` groups and `field:(a b)`;
//! * backslash escapes (`\:`, `\uHHHH`) and quoted phrases.
//!
//! Clauses combine with Lucene's `addClause` rules: `AND` makes the clause before it and
//! the one after it required, `NOT`/`-` prohibits, `+` requires, anything else is optional.
//! Evaluation (see [`crate::eval`]) then requires every MUST clause, forbids every MUST_NOT
//! clause and, only when there is no MUST clause, requires one SHOULD clause; a group of only
//! prohibited clauses also matches everything else, as Elasticsearch adds a match-all to it.
//!
//! As an extension, an unescaped CIDR suffix after an IP address (`10.0.0.0/8`) is part of
//! the term (Lucene would read `/8...` as the start of a regex).

use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use serde_json::Value;

use crate::QueryError;
use crate::leaf::{self, Spec};
use crate::mapping::{FieldType, analyze, field_type, is_single_field};

/// A parsed Lucene query string.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryString {
    /// The query as written.
    pub text: String,
    /// The parse tree.
    pub ast: QsQuery,
}

impl QueryString {
    /// Parses `text`; an error names the byte position of the problem. An empty (or
    /// blank) query matches nothing, as in Elasticsearch.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        let ast = parse_ast(text)?;
        Ok(QueryString { text: text.to_owned(), ast })
    }
}

impl FromStr for QueryString {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QueryString::parse(s)
    }
}

impl fmt::Display for QueryString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How a clause takes part in a boolean query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Required (`+a`, `a AND b`).
    Must,
    /// Optional: required only when the boolean has no MUST clause, then one of them.
    Should,
    /// Prohibited (`-a`, `NOT a`).
    MustNot,
}

/// One clause of a query-string boolean.
#[derive(Debug, Clone, PartialEq)]
pub struct QsClause {
    /// How it takes part.
    pub occur: Occur,
    /// The sub-query.
    pub query: QsQuery,
}

/// The parse tree of a query string.
///
/// Field names are dotted paths; `*` means every field, and a name containing `*` is a
/// pattern over field names.
#[derive(Debug, Clone, PartialEq)]
pub enum QsQuery {
    /// `*`, `*:*`.
    MatchAll,
    /// An empty query string (or one whose terms all analysed to nothing).
    MatchNone,
    /// A boolean of clauses, with Lucene's semantics.
    Bool(Vec<QsClause>),
    /// `_exists_:field` or `field:*`.
    Exists {
        /// The field name or pattern.
        field: String,
    },
    /// A value tested on a field (or all fields, `*`).
    Field {
        /// The field name or pattern, `*` for all fields.
        field: String,
        /// What to test.
        value: QsValue,
        /// Byte offset of the value in the query string.
        position: usize,
    },
}

/// A value of a query string, unescaped unless said otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum QsValue {
    /// A bare term: analysed on text fields, exact on keyword fields.
    Term(String),
    /// A quoted phrase, with its slop (`"a b"~2`).
    Phrase {
        /// The phrase.
        text: String,
        /// How many position moves are allowed.
        slop: u32,
    },
    /// `term~N`: terms within `max_edits` edits (`~` alone is Elasticsearch's `AUTO`).
    Fuzzy {
        /// The term.
        term: String,
        /// At most 2.
        max_edits: u8,
    },
    /// A Lucene wildcard as written (`\` escapes kept): `*` any run, `?` one character.
    Wildcard(String),
    /// A Lucene regular expression, between the slashes, as written.
    Regex(String),
    /// A range; `Unbounded` for `*`.
    Range {
        /// The lower bound.
        lower: Bound<String>,
        /// The upper bound.
        upper: Bound<String>,
    },
}

impl QsValue {
    /// What the value asks of a field, whatever its type (the parser checks it against a
    /// named field's type, the compiler compiles it).
    pub(crate) fn spec(&self) -> Spec {
        let bound = |b: &Bound<String>| match b {
            Bound::Included(s) => Bound::Included(Value::String(s.clone())),
            Bound::Excluded(s) => Bound::Excluded(Value::String(s.clone())),
            Bound::Unbounded => Bound::Unbounded,
        };
        match self {
            QsValue::Term(t) => Spec::Term(Value::String(t.clone())),
            QsValue::Phrase { text, slop } => Spec::Phrase(text.clone(), *slop),
            QsValue::Fuzzy { term, max_edits } => Spec::Fuzzy(term.clone(), *max_edits),
            QsValue::Wildcard(w) => Spec::Wildcard(w.clone()),
            QsValue::Regex(r) => Spec::Regex(r.clone()),
            QsValue::Range { lower, upper } => Spec::Range(bound(lower), bound(upper)),
        }
    }
}

/// The deepest nesting of parentheses accepted.
const MAX_DEPTH: usize = 128;

fn parse_ast(text: &str) -> Result<QsQuery, QueryError> {
    if text.trim_matches(|c: char| c <= ' ').is_empty() {
        return Ok(QsQuery::MatchNone);
    }
    let tokens = Lexer::new(text).tokens()?;
    let mut parser = Parser { tokens, pos: 0, text_len: text.len() };
    let query = parser.query("*", 0)?;
    let next = parser.peek();
    if next.kind != Tok::Eof {
        return Err(error(next.start, format!("unexpected {}", next.kind.describe())));
    }
    Ok(query.unwrap_or(QsQuery::MatchNone))
}

fn error(position: usize, message: impl Into<String>) -> QueryError {
    QueryError::QueryString { position, message: message.into() }
}

// ---------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------

/// One end of a range as written.
#[derive(Debug, Clone, PartialEq)]
enum RangeEnd {
    Star,
    Quoted(String),
    Goop(String),
}

/// Tokens of Lucene's `QueryParser` (`DEFAULT` state; ranges and boosts are lexed whole).
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    And,
    Or,
    Not,
    Plus,
    Minus,
    BareOper(char),
    LParen,
    RParen,
    Colon,
    Star,
    Boost,
    Quoted(String),
    Term(String),
    Prefix(String),
    Wild(String),
    Regex(String),
    Fuzzy(String),
    Range { lower: RangeEnd, upper: RangeEnd, lower_inclusive: bool, upper_inclusive: bool },
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::And => "AND".to_owned(),
            Tok::Or => "OR".to_owned(),
            Tok::Not => "NOT".to_owned(),
            Tok::Plus => "'+'".to_owned(),
            Tok::Minus => "'-'".to_owned(),
            Tok::BareOper(c) => format!("'{c}'"),
            Tok::LParen => "'('".to_owned(),
            Tok::RParen => "')'".to_owned(),
            Tok::Colon => "':'".to_owned(),
            Tok::Star => "'*'".to_owned(),
            Tok::Boost => "boost '^'".to_owned(),
            Tok::Quoted(_) => "quoted phrase".to_owned(),
            Tok::Term(t) | Tok::Prefix(t) | Tok::Wild(t) => format!("term {t:?}"),
            Tok::Regex(_) => "regular expression".to_owned(),
            Tok::Fuzzy(_) => "'~'".to_owned(),
            Tok::Range { .. } => "range".to_owned(),
            Tok::Eof => "end of query".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Tok,
    start: usize,
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{3000}')
}

/// `_TERM_START_CHAR` without the escape alternative.
fn is_term_start(c: char) -> bool {
    !is_whitespace(c)
        && !matches!(
            c,
            '+' | '-' | '!' | '(' | ')' | ':' | '^' | '[' | ']' | '"' | '{' | '}' | '~' | '*' | '?' | '\\' | '/'
        )
}

/// `_TERM_CHAR` without the escape alternative.
fn is_term_char(c: char) -> bool {
    is_term_start(c) || c == '-' || c == '+'
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    fn peek_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|s| s.chars().next())
    }

    fn tokens(mut self) -> Result<Vec<Token>, QueryError> {
        let mut tokens = Vec::new();
        loop {
            self.skip_whitespace();
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                tokens.push(Token { kind: Tok::Eof, start });
                return Ok(tokens);
            };
            let kind = self.token(c, start)?;
            tokens.push(Token { kind, start });
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self.peek_char().filter(|&c| is_whitespace(c)) {
            self.pos += c.len_utf8();
        }
    }

    fn token(&mut self, c: char, start: usize) -> Result<Tok, QueryError> {
        let next = self.char_at(start + c.len_utf8());
        let single = |lexer: &mut Self, tok: Tok| {
            lexer.pos += c.len_utf8();
            Ok(tok)
        };
        match c {
            '+' | '-' | '!' if next.is_some_and(is_whitespace) => {
                self.pos += c.len_utf8() + next.map_or(0, char::len_utf8);
                Ok(Tok::BareOper(c))
            }
            '+' => single(self, Tok::Plus),
            '-' => single(self, Tok::Minus),
            '!' => single(self, Tok::Not),
            '(' => single(self, Tok::LParen),
            ')' => single(self, Tok::RParen),
            ':' => single(self, Tok::Colon),
            '^' => self.boost(start),
            '"' => self.quoted(start),
            '~' => self.fuzzy(),
            '/' => self.regex(start),
            '[' | '{' => self.range(start, c == '['),
            ']' | '}' => Err(error(start, format!("unexpected '{c}' outside a range"))),
            _ => self.word(start),
        }
    }

    /// `^` followed at once by a number.
    fn boost(&mut self, start: usize) -> Result<Tok, QueryError> {
        self.pos += 1;
        let digits = self.take_digits();
        if digits == 0 {
            return Err(error(start, "expected a number after '^'"));
        }
        if self.peek_char() == Some('.') && self.char_at(self.pos + 1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            self.take_digits();
        }
        Ok(Tok::Boost)
    }

    fn take_digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A `"..."` phrase, `\` escaping any character.
    fn quoted(&mut self, start: usize) -> Result<Tok, QueryError> {
        let body_start = start + 1;
        let mut chars = self.text[body_start..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = body_start + i + 1;
                    return Ok(Tok::Quoted(self.text[body_start..body_start + i].to_owned()));
                }
                '\\' if chars.next().is_none() => break,
                _ => {}
            }
        }
        Err(error(start, "unterminated quoted phrase: missing closing '\"'"))
    }

    /// `~` with an optional number or term characters (Lucene's `FUZZY_SLOP`).
    fn fuzzy(&mut self) -> Result<Tok, QueryError> {
        self.pos += 1;
        let start = self.pos;
        while let Some(c) = self.peek_char() {
            if c == '\\' {
                let escaped = self.char_at(self.pos + 1).ok_or_else(|| trailing_backslash(self.pos))?;
                self.pos += 1 + escaped.len_utf8();
            } else if is_term_char(c) {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        Ok(Tok::Fuzzy(self.text[start..self.pos].to_owned()))
    }

    /// `/.../`; `\/` does not end it.
    fn regex(&mut self, start: usize) -> Result<Tok, QueryError> {
        let body_start = start + 1;
        let mut escaped = false;
        for (i, c) in self.text[body_start..].char_indices() {
            if c == '/' && !escaped {
                self.pos = body_start + i + 1;
                return Ok(Tok::Regex(self.text[body_start..body_start + i].to_owned()));
            }
            escaped = c == '\\' && !escaped;
        }
        Err(error(start, "unterminated regular expression: missing closing '/'"))
    }

    /// A term, prefix term, wildcard term, `*`, or the operators `AND` `OR` `NOT` `&&` `||`.
    fn word(&mut self, start: usize) -> Result<Tok, QueryError> {
        let mut wildcards = 0;
        let mut trailing_star = false;
        while let Some(c) = self.peek_char() {
            if c == '\\' {
                let escaped = self.char_at(self.pos + 1).ok_or_else(|| trailing_backslash(self.pos))?;
                self.pos += 1 + escaped.len_utf8();
            } else if c == '*' || c == '?' {
                wildcards += 1;
                self.pos += 1;
            } else if is_term_char(c) {
                self.pos += c.len_utf8();
            } else {
                break;
            }
            trailing_star = c == '*';
        }
        let image = &self.text[start..self.pos];
        Ok(match image {
            "AND" | "&&" => Tok::And,
            "OR" | "||" => Tok::Or,
            "NOT" => Tok::Not,
            "*" => Tok::Star,
            _ if wildcards == 0 => Tok::Term(image.to_owned()),
            _ if wildcards == 1 && trailing_star => Tok::Prefix(image.to_owned()),
            _ => Tok::Wild(image.to_owned()),
        })
    }

    /// A whole range: `[` or `{`, a bound, optional `TO`, a bound, `]` or `}`.
    fn range(&mut self, start: usize, lower_inclusive: bool) -> Result<Tok, QueryError> {
        self.pos += 1;
        let unterminated = || error(start, "unterminated range: expected 'TO', a bound and ']' or '}'");
        let lower = range_end(self.range_part()?.ok_or_else(unterminated)?)?;
        let mut second = self.range_part()?.ok_or_else(unterminated)?;
        if matches!(second.1, RangePart::To) {
            second = self.range_part()?.ok_or_else(unterminated)?;
        }
        let upper = range_end(second)?;
        let end = self.range_part()?.ok_or_else(unterminated)?;
        let upper_inclusive = match end.1 {
            RangePart::End(inclusive) => inclusive,
            _ => return Err(error(end.0, "expected ']' or '}' to close the range")),
        };
        Ok(Tok::Range { lower, upper, lower_inclusive, upper_inclusive })
    }

    /// One token of Lucene's `Range` state, with its position; `None` at the end of input.
    fn range_part(&mut self) -> Result<Option<(usize, RangePart)>, QueryError> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(c) = self.peek_char() else { return Ok(None) };
        let part = match c {
            ']' | '}' => {
                self.pos += 1;
                RangePart::End(c == ']')
            }
            '"' => {
                let Tok::Quoted(body) = self.quoted(start)? else { return Ok(None) };
                RangePart::Quoted(body)
            }
            _ => {
                let len = self.text[start..]
                    .find(|c: char| is_whitespace(c) || c == ']' || c == '}')
                    .unwrap_or(self.text.len() - start);
                self.pos += len;
                match &self.text[start..self.pos] {
                    "TO" => RangePart::To,
                    goop => RangePart::Goop(goop.to_owned()),
                }
            }
        };
        Ok(Some((start, part)))
    }
}

/// A token inside a range.
enum RangePart {
    To,
    End(bool),
    Quoted(String),
    Goop(String),
}

fn range_end((position, part): (usize, RangePart)) -> Result<RangeEnd, QueryError> {
    match part {
        RangePart::To => Ok(RangeEnd::Goop("TO".to_owned())),
        RangePart::Goop(g) if g == "*" => Ok(RangeEnd::Star),
        RangePart::Goop(g) => Ok(RangeEnd::Goop(g)),
        RangePart::Quoted(q) => Ok(RangeEnd::Quoted(q)),
        RangePart::End(_) => Err(error(position, "expected a range bound")),
    }
}

fn trailing_backslash(position: usize) -> QueryError {
    error(position, "a backslash at the end of the query escapes nothing")
}

/// Lucene's `discardEscapeChar`: `\c` is `c`, `\uHHHH` a code point.
pub(crate) fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid unicode escape \\u{hex}"))?;
                out.push(code);
            }
            Some(e) => out.push(e),
            None => return Err("a term cannot end with the escape character '\\'".to_owned()),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conj {
    None,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Required,
    Prohibited,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    text_len: usize,
}

impl Parser {
    fn peek(&self) -> Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Token {
        self.tokens.get(self.pos + ahead).cloned().unwrap_or(Token { kind: Tok::Eof, start: self.text_len })
    }

    fn advance(&mut self) {
        self.pos = (self.pos + 1).min(self.tokens.len());
    }

    fn eat(&mut self, kind: &Tok) -> bool {
        let hit = &self.peek().kind == kind;
        if hit {
            self.advance();
        }
        hit
    }

    /// `Query ::= Modifiers Clause ( Conjunction Modifiers Clause )*`; `None` when every
    /// clause analysed to nothing.
    fn query(&mut self, field: &str, depth: usize) -> Result<Option<QsQuery>, QueryError> {
        let mut clauses = Vec::new();
        let first_plain = if let Some(q) = self.multi_term(field)? {
            add_clause(&mut clauses, Conj::None, Modifier::None, q);
            false
        } else {
            let mods = self.modifiers();
            let q = self.clause(field, depth)?;
            add_clause(&mut clauses, Conj::None, mods, q);
            // Lucene returns a lone unmodified first clause as it is.
            mods == Modifier::None && clauses.len() == 1
        };
        while self.starts_clause() {
            if let Some(q) = self.multi_term(field)? {
                add_clause(&mut clauses, Conj::None, Modifier::None, q);
                continue;
            }
            let conj = self.conjunction();
            let mods = self.modifiers();
            let q = self.clause(field, depth)?;
            add_clause(&mut clauses, conj, mods, q);
        }
        Ok(match clauses.len() {
            0 => None,
            1 if first_plain => clauses.pop().map(|c| c.query),
            _ => Some(QsQuery::Bool(clauses)),
        })
    }

    /// Lucene's `MultiTerm` with `splitOnWhitespace=false` (Elasticsearch's default since
    /// 6.0): two or more bare terms in a row, none followed by `:`, `*`, `~`, `^`, `AND` or
    /// `OR`, are analysed together as one text on the field: one value on a keyword field
    /// (`user:(alice bob)` is the user "alice bob"), its tokens ORed on a text field.
    /// `Ok(None)` (nothing consumed) when the next tokens are not such a run.
    fn multi_term(&mut self, field: &str) -> Result<Option<Option<QsQuery>>, QueryError> {
        let continues = |parser: &Self, at: usize| {
            matches!(parser.peek_at(at).kind, Tok::Term(_))
                && !matches!(
                    parser.peek_at(at + 1).kind,
                    Tok::Colon | Tok::Star | Tok::Fuzzy(_) | Tok::Boost | Tok::And | Tok::Or
                )
        };
        if !matches!(self.peek().kind, Tok::Term(_)) || !continues(self, 1) {
            return Ok(None);
        }
        let position = self.peek().start;
        let mut words = Vec::new();
        loop {
            let token = self.peek();
            let Tok::Term(raw) = token.kind else { break };
            words.push(unescape(&raw).map_err(|m| error(token.start, m))?);
            self.advance();
            if !continues(self, 0) {
                break;
            }
        }
        field_query(field, bare_term(words.join(" "), None), position).map(Some)
    }

    fn starts_clause(&self) -> bool {
        matches!(
            self.peek().kind,
            Tok::And
                | Tok::Or
                | Tok::Not
                | Tok::Plus
                | Tok::Minus
                | Tok::BareOper(_)
                | Tok::LParen
                | Tok::Star
                | Tok::Quoted(_)
                | Tok::Term(_)
                | Tok::Prefix(_)
                | Tok::Wild(_)
                | Tok::Regex(_)
                | Tok::Range { .. }
        )
    }

    fn conjunction(&mut self) -> Conj {
        if self.eat(&Tok::And) {
            Conj::And
        } else if self.eat(&Tok::Or) {
            Conj::Or
        } else {
            Conj::None
        }
    }

    fn modifiers(&mut self) -> Modifier {
        if self.eat(&Tok::Plus) {
            Modifier::Required
        } else if self.eat(&Tok::Minus) || self.eat(&Tok::Not) {
            Modifier::Prohibited
        } else {
            Modifier::None
        }
    }

    /// `Clause ::= [ field ":" ] ( Term | "(" Query ")" [ "^" boost ] )`.
    fn clause(&mut self, default_field: &str, depth: usize) -> Result<Option<QsQuery>, QueryError> {
        let mut field = default_field.to_owned();
        let mut field_named = false;
        if self.peek_at(1).kind == Tok::Colon {
            let token = self.peek();
            match &token.kind {
                Tok::Term(name) => field = unescape(name).map_err(|m| error(token.start, m))?,
                Tok::Star => field = "*".to_owned(),
                _ => {}
            }
            if matches!(token.kind, Tok::Term(_) | Tok::Star) {
                self.advance();
                self.advance();
                field_named = true;
            }
        }
        let token = self.peek();
        if token.kind == Tok::LParen {
            if depth >= MAX_DEPTH {
                return Err(error(token.start, "parentheses are nested too deeply"));
            }
            self.advance();
            let q = self.query(&field, depth + 1)?;
            if !self.eat(&Tok::RParen) {
                let next = self.peek();
                let message = format!("unbalanced parenthesis: '(' is not closed (found {})", next.kind.describe());
                return Err(error(token.start, message));
            }
            self.eat(&Tok::Boost);
            return Ok(q);
        }
        if field_named && token.kind == Tok::Eof {
            return Err(error(token.start, format!("expected a value after '{field}:'")));
        }
        self.term(&field, token)
    }

    /// One term, with its optional fuzzy slop and boost.
    fn term(&mut self, field: &str, token: Token) -> Result<Option<QsQuery>, QueryError> {
        let position = token.start;
        let value = match token.kind {
            Tok::Star => {
                self.advance();
                self.suffixes(true);
                return Ok(Some(match field {
                    "*" => QsQuery::MatchAll,
                    "_exists_" => QsQuery::Exists { field: "*".to_owned() },
                    _ => QsQuery::Exists { field: field.to_owned() },
                }));
            }
            Tok::Term(raw) => {
                self.advance();
                let fuzzy = self.suffixes(true);
                let text = unescape(&raw).map_err(|m| error(position, m))?;
                bare_term(text, fuzzy)
            }
            Tok::BareOper(c) => {
                self.advance();
                let fuzzy = self.suffixes(true);
                bare_term(c.to_string(), fuzzy)
            }
            Tok::Prefix(raw) | Tok::Wild(raw) => {
                self.advance();
                self.suffixes(true);
                unescape(&raw).map_err(|m| error(position, m))?;
                QsValue::Wildcard(raw)
            }
            Tok::Regex(raw) => {
                self.advance();
                self.suffixes(true);
                crate::pattern::lucene_regex(&raw, false).map_err(|e| {
                    let message = match e {
                        QueryError::Pattern { message, .. } => message,
                        other => other.to_string(),
                    };
                    error(position, format!("invalid regular expression: {message}"))
                })?;
                QsValue::Regex(raw)
            }
            Tok::Quoted(raw) => {
                self.advance();
                let slop = self.suffixes(false);
                let text = unescape(&raw).map_err(|m| error(position, m))?;
                QsValue::Phrase { text, slop: phrase_slop(slop.as_deref()) }
            }
            Tok::Range { lower, upper, lower_inclusive, upper_inclusive } => {
                self.advance();
                self.eat(&Tok::Boost);
                QsValue::Range {
                    lower: bound(lower, lower_inclusive).map_err(|m| error(position, m))?,
                    upper: bound(upper, upper_inclusive).map_err(|m| error(position, m))?,
                }
            }
            other => {
                let message = format!("expected a term, a phrase, a range or '(' but found {}", other.describe());
                return Err(error(position, message));
            }
        };
        field_query(field, value, position)
    }

    /// `[~slop] [^boost [~slop]]` after a term (`after_boost`: the slop may follow the
    /// boost too). Returns the slop text after `~`, if any.
    fn suffixes(&mut self, after_boost: bool) -> Option<String> {
        let mut slop = self.fuzzy_slop();
        if self.eat(&Tok::Boost) && after_boost && slop.is_none() {
            slop = self.fuzzy_slop();
        }
        slop
    }

    fn fuzzy_slop(&mut self) -> Option<String> {
        match self.peek().kind {
            Tok::Fuzzy(s) => {
                self.advance();
                Some(s)
            }
            _ => None,
        }
    }
}

/// Lucene's `addClause` with the default operator OR.
fn add_clause(clauses: &mut Vec<QsClause>, conj: Conj, mods: Modifier, q: Option<QsQuery>) {
    if conj == Conj::And
        && let Some(last) = clauses.last_mut().filter(|c| c.occur != Occur::MustNot)
    {
        last.occur = Occur::Must;
    }
    let Some(query) = q else { return };
    let occur = match mods {
        Modifier::Prohibited => Occur::MustNot,
        Modifier::Required => Occur::Must,
        Modifier::None if conj == Conj::And => Occur::Must,
        Modifier::None => Occur::Should,
    };
    clauses.push(QsClause { occur, query });
}

/// A bare term: fuzzy, Elasticsearch's one-sided range (`>=x`, `>x`, `<=x`, `<x`), or a
/// plain term.
fn bare_term(text: String, fuzzy: Option<String>) -> QsValue {
    if let Some(slop) = fuzzy {
        let max_edits = fuzzy_edits(&slop, &text);
        return QsValue::Fuzzy { term: text, max_edits };
    }
    if text.chars().count() > 1 {
        let one_sided = |lower: Bound<String>, upper: Bound<String>| QsValue::Range { lower, upper };
        let rest = |n: usize| text[n..].to_owned();
        if text.starts_with(">=") && text.len() > 2 {
            return one_sided(Bound::Included(rest(2)), Bound::Unbounded);
        }
        if text.starts_with('>') {
            return one_sided(Bound::Excluded(rest(1)), Bound::Unbounded);
        }
        if text.starts_with("<=") && text.len() > 2 {
            return one_sided(Bound::Unbounded, Bound::Included(rest(2)));
        }
        if text.starts_with('<') {
            return one_sided(Bound::Unbounded, Bound::Excluded(rest(1)));
        }
    }
    QsValue::Term(text)
}

/// Edits of `term~slop`: `~` alone is `AUTO`; a number is truncated and capped at 2.
fn fuzzy_edits(slop: &str, term: &str) -> u8 {
    match slop.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => n.min(2.0) as u8,
        _ => crate::pattern::auto_fuzziness(term),
    }
}

/// The slop of `"phrase"~N` (0 when absent or not a number).
fn phrase_slop(slop: Option<&str>) -> u32 {
    match slop.map(str::parse::<f64>) {
        Some(Ok(n)) if n.is_finite() && n >= 0.0 => n.min(f64::from(u32::MAX)) as u32,
        _ => 0,
    }
}

fn bound(end: RangeEnd, inclusive: bool) -> Result<Bound<String>, String> {
    let text = match end {
        RangeEnd::Star => return Ok(Bound::Unbounded),
        RangeEnd::Quoted(q) | RangeEnd::Goop(q) => unescape(&q)?,
    };
    Ok(if inclusive { Bound::Included(text) } else { Bound::Excluded(text) })
}

/// Builds the query of `field:value`: `_exists_`, or a field test (checked against the
/// field's type when the field is named). `None` when the value analyses to nothing on a
/// text field (Lucene drops such clauses).
fn field_query(field: &str, value: QsValue, position: usize) -> Result<Option<QsQuery>, QueryError> {
    if field == "_exists_" {
        let name = match value {
            QsValue::Term(t) | QsValue::Phrase { text: t, .. } | QsValue::Fuzzy { term: t, .. } => t,
            QsValue::Wildcard(w) => w,
            QsValue::Regex(_) | QsValue::Range { .. } => {
                return Err(error(position, "_exists_ takes a field name"));
            }
        };
        return Ok(Some(QsQuery::Exists { field: name }));
    }
    if is_single_field(field) {
        let ty = field_type(field);
        if ty == FieldType::Text && analyses_to_nothing(&value) {
            return Ok(None);
        }
        leaf::check(ty, &value.spec()).map_err(|m| error(position, format!("field {field}: {m}")))?;
    }
    Ok(Some(QsQuery::Field { field: field.to_owned(), value, position }))
}

fn analyses_to_nothing(value: &QsValue) -> bool {
    match value {
        QsValue::Term(t) | QsValue::Phrase { text: t, .. } => analyze(t).is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> QsQuery {
        match QueryString::parse(text) {
            Ok(q) => q.ast,
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    fn err(text: &str) -> (usize, String) {
        match QueryString::parse(text) {
            Err(QueryError::QueryString { position, message }) => (position, message),
            other => panic!("{text:?}: expected an error, got {other:?}"),
        }
    }

    fn term(field: &str, t: &str, position: usize) -> QsQuery {
        QsQuery::Field { field: field.to_owned(), value: QsValue::Term(t.to_owned()), position }
    }

    fn clause(occur: Occur, query: QsQuery) -> QsClause {
        QsClause { occur, query }
    }

    fn occurs(text: &str) -> Vec<Occur> {
        match parse(text) {
            QsQuery::Bool(c) => c.iter().map(|c| c.occur).collect(),
            other => panic!("{text:?}: not a bool: {other:?}"),
        }
    }

    use Occur::{Must, MustNot, Should};

    #[test]
    fn single_terms_and_fields() {
        assert_eq!(parse("foo"), term("*", "foo", 0));
        assert_eq!(parse("  category:bro "), term("category", "bro", 11));
        assert_eq!(parse("details.x:a\\:b"), term("details.x", "a:b", 10));
        assert_eq!(parse("a\\ b"), term("*", "a b", 0));
        assert_eq!(parse("\\u0041b"), term("*", "Ab", 0));
        assert_eq!(parse("*"), QsQuery::MatchAll);
        assert_eq!(parse("*:*"), QsQuery::MatchAll);
        assert_eq!(parse("*:foo"), term("*", "foo", 2));
        assert_eq!(parse("a-b+c"), term("*", "a-b+c", 0));
        assert_eq!(parse("a&&b"), term("*", "a&&b", 0));
        assert_eq!(parse("ANDROID"), term("*", "ANDROID", 0));
        assert_eq!(parse(""), QsQuery::MatchNone);
        assert_eq!(parse("  "), QsQuery::MatchNone);
    }

    #[test]
    fn values() {
        let value = |text: &str| match parse(text) {
            QsQuery::Field { value, .. } => value,
            other => panic!("{other:?}"),
        };
        assert_eq!(value("f:\"a \\\"b\\\" c\""), QsValue::Phrase { text: "a \"b\" c".into(), slop: 0 });
        assert_eq!(value("f:\"a b\"~3"), QsValue::Phrase { text: "a b".into(), slop: 3 });
        assert_eq!(value("f:\"a b\"~3^2"), QsValue::Phrase { text: "a b".into(), slop: 3 });
        assert_eq!(value("f:foo*"), QsValue::Wildcard("foo*".into()));
        assert_eq!(value("f:f?o"), QsValue::Wildcard("f?o".into()));
        assert_eq!(value("f:*oo"), QsValue::Wildcard("*oo".into()));
        assert_eq!(value("f:a\\*b*"), QsValue::Wildcard("a\\*b*".into()));
        assert_eq!(value("f:/a.*[0-9]/"), QsValue::Regex("a.*[0-9]".into()));
        assert_eq!(value("f:/a\\/b/"), QsValue::Regex("a\\/b".into()));
        assert_eq!(value("f:foo~"), QsValue::Fuzzy { term: "foo".into(), max_edits: 1 });
        assert_eq!(value("f:foobar~"), QsValue::Fuzzy { term: "foobar".into(), max_edits: 2 });
        assert_eq!(value("f:foo~0"), QsValue::Fuzzy { term: "foo".into(), max_edits: 0 });
        assert_eq!(value("f:foo~5"), QsValue::Fuzzy { term: "foo".into(), max_edits: 2 });
        assert_eq!(value("f:foo^2~1"), QsValue::Fuzzy { term: "foo".into(), max_edits: 1 });
        assert_eq!(value("f:foo^2.5"), QsValue::Term("foo".into()));
        assert_eq!(value("f:>=5"), QsValue::Range { lower: Bound::Included("5".into()), upper: Bound::Unbounded });
        assert_eq!(value("f:>5"), QsValue::Range { lower: Bound::Excluded("5".into()), upper: Bound::Unbounded });
        assert_eq!(value("f:<=5"), QsValue::Range { lower: Bound::Unbounded, upper: Bound::Included("5".into()) });
        assert_eq!(value("f:<5"), QsValue::Range { lower: Bound::Unbounded, upper: Bound::Excluded("5".into()) });
        assert_eq!(value("f:>"), QsValue::Term(">".into()));
        assert_eq!(
            value("f:[1 TO 5]"),
            QsValue::Range { lower: Bound::Included("1".into()), upper: Bound::Included("5".into()) }
        );
        assert_eq!(
            value("f:{1 TO 5}"),
            QsValue::Range { lower: Bound::Excluded("1".into()), upper: Bound::Excluded("5".into()) }
        );
        assert_eq!(
            value("f:[1 TO 5}"),
            QsValue::Range { lower: Bound::Included("1".into()), upper: Bound::Excluded("5".into()) }
        );
        assert_eq!(value("f:{* TO 5]"), QsValue::Range { lower: Bound::Unbounded, upper: Bound::Included("5".into()) });
        assert_eq!(
            value("f:[a TO *]^3"),
            QsValue::Range { lower: Bound::Included("a".into()), upper: Bound::Unbounded }
        );
        assert_eq!(
            value("f:[a b]"),
            QsValue::Range { lower: Bound::Included("a".into()), upper: Bound::Included("b".into()) }
        );
        assert_eq!(
            value("f:[\"*\" TO \"x y\"]"),
            QsValue::Range { lower: Bound::Included("*".into()), upper: Bound::Included("x y".into()) }
        );
        assert_eq!(
            value("f:[TO TO TO]"),
            QsValue::Range { lower: Bound::Included("TO".into()), upper: Bound::Included("TO".into()) }
        );
        assert_eq!(
            value("f:[2016-01-01T00:00:00 TO now-1d/d]"),
            QsValue::Range {
                lower: Bound::Included("2016-01-01T00:00:00".into()),
                upper: Bound::Included("now-1d/d".into())
            }
        );
    }

    #[test]
    fn exists_and_match_all() {
        assert_eq!(parse("_exists_:details.x"), QsQuery::Exists { field: "details.x".into() });
        assert_eq!(parse("_exists_:details.*"), QsQuery::Exists { field: "details.*".into() });
        assert_eq!(parse("details.x:*"), QsQuery::Exists { field: "details.x".into() });
        assert_eq!(parse("-_exists_:x"), QsQuery::Bool(vec![clause(MustNot, QsQuery::Exists { field: "x".into() })]));
    }

    #[test]
    fn cidr_terms() {
        // Lucene (and so OpenSearch) reads an unescaped `/` as the start of a regex: the CIDR
        // must be escaped or quoted.
        assert!(QueryString::parse("details.sourceipaddress:10.0.0.0/8").is_err());
        assert_eq!(parse("details.sourceipaddress:10.0.0.0\\/8"), term("details.sourceipaddress", "10.0.0.0/8", 24));
        assert_eq!(
            parse("details.sourceipaddress:\"10.0.0.0/8\""),
            QsQuery::Field {
                field: "details.sourceipaddress".into(),
                value: QsValue::Phrase { text: "10.0.0.0/8".into(), slop: 0 },
                position: 24,
            }
        );
        assert_eq!(parse("x:2001\\:db8\\:\\:\\/32"), term("x", "2001:db8::/32", 2));
        assert_eq!(parse("(x:10.0.0.0\\/8)"), term("x", "10.0.0.0/8", 3));
        // Not an address: Lucene's reading, a term then a regex.
        assert!(matches!(parse("a/b/"), QsQuery::Bool(_)));
    }

    #[test]
    fn boolean_operators() {
        assert_eq!(occurs("a OR b"), [Should, Should]);
        assert_eq!(occurs("a || b"), [Should, Should]);
        assert_eq!(occurs("a AND b"), [Must, Must]);
        assert_eq!(occurs("a && b"), [Must, Must]);
        assert_eq!(occurs("+a b"), [Must, Should]);
        assert_eq!(occurs("-a b"), [MustNot, Should]);
        assert_eq!(occurs("!a b"), [MustNot, Should]);
        assert_eq!(occurs("NOT a"), [MustNot]);
        assert_eq!(occurs("a NOT b"), [Should, MustNot]);
        assert_eq!(occurs("a AND NOT b"), [Must, MustNot]);
        assert_eq!(occurs("a AND -b"), [Must, MustNot]);
        assert_eq!(occurs("-a AND b"), [MustNot, Must]);
        assert_eq!(occurs("a OR -b"), [Should, MustNot]);
        // Lucene's addClause: AND binds its neighbours, OR leaves them.
        assert_eq!(occurs("a AND b OR c"), [Must, Must, Should]);
        assert_eq!(occurs("a OR b AND c"), [Should, Must, Must]);
        assert_eq!(occurs("a AND b AND c"), [Must, Must, Must]);
        assert_eq!(occurs("a OR b OR c AND d"), [Should, Should, Must, Must]);
        assert_eq!(occurs("+a OR b"), [Must, Should]);
        // A lone `-` followed by a space is a term (Lucene's BAREOPER).
        assert_eq!(occurs("a - b"), [Should, Should, Should]);
        assert_eq!(
            parse("a ~2"),
            QsQuery::Field { field: "*".into(), value: QsValue::Fuzzy { term: "a".into(), max_edits: 2 }, position: 0 }
        );
    }

    #[test]
    fn bare_terms_in_a_row_are_one_text() {
        // Lucene's MultiTerm (splitOnWhitespace=false): analysed together on the field.
        assert_eq!(parse("alice bob"), QsQuery::Bool(vec![clause(Should, term("*", "alice bob", 0))]));
        assert_eq!(parse("user:(alice bob)"), QsQuery::Bool(vec![clause(Should, term("user", "alice bob", 6))]));
        assert_eq!(parse(r"a\:b  c"), QsQuery::Bool(vec![clause(Should, term("*", "a:b c", 0))]));
        // Field prefixes, operators, fuzzy slop and boosts end the run.
        assert_eq!(occurs("a b c:d"), [Should, Should]);
        assert_eq!(occurs("user:a b"), [Should, Should]);
        assert_eq!(occurs("a b AND c"), [Should, Must, Must]);
        assert_eq!(occurs("a b OR c"), [Should, Should, Should]);
        assert_eq!(occurs("a b~ c"), [Should, Should, Should]);
        assert_eq!(occurs("a b^2"), [Should, Should]);
        assert_eq!(occurs("a b -c"), [Should, MustNot]);
        assert_eq!(occurs("+a b c"), [Must, Should]);
        assert_eq!(occurs("a b*"), [Should, Should]);
        assert_eq!(occurs("x AND a b c"), [Must, Must, Should]);
        assert_eq!(
            parse("a b c:d"),
            QsQuery::Bool(vec![clause(Should, term("*", "a b", 0)), clause(Should, term("c", "d", 6))])
        );
    }

    #[test]
    fn groups_and_field_groups() {
        let q = parse("category:(a OR b) AND NOT c");
        let expected = QsQuery::Bool(vec![
            clause(
                Must,
                QsQuery::Bool(vec![
                    clause(Should, term("category", "a", 10)),
                    clause(Should, term("category", "b", 15)),
                ]),
            ),
            clause(MustNot, term("*", "c", 26)),
        ]);
        assert_eq!(q, expected);
        assert_eq!(parse("(a)"), term("*", "a", 1));
        assert_eq!(parse("((a))^2"), term("*", "a", 2));
        assert_eq!(
            parse("f:(g:x y)"),
            QsQuery::Bool(vec![clause(Should, term("g", "x", 5)), clause(Should, term("f", "y", 7))])
        );
    }

    #[test]
    fn text_terms_that_analyse_to_nothing_are_dropped() {
        assert_eq!(parse("summary:.."), QsQuery::MatchNone);
        assert_eq!(parse("summary:\\-\\-"), QsQuery::MatchNone);
        assert_eq!(parse("summary:\"..\""), QsQuery::MatchNone);
        // `.` is dropped but AND still binds the clause before it.
        assert_eq!(occurs("summary:(a OR . AND b)"), [Must, Must]);
        assert_eq!(parse("a OR summary:\"!!\""), term("*", "a", 0));
        assert_eq!(parse("summary:\"!!\" a"), QsQuery::Bool(vec![clause(Should, term("*", "a", 13))]));
        assert_eq!(
            parse("category:\"!!\""),
            QsQuery::Field {
                field: "category".into(),
                value: QsValue::Phrase { text: "!!".into(), slop: 0 },
                position: 9,
            }
        );
    }

    #[test]
    fn error_positions() {
        assert_eq!(err("(a OR b").0, 0);
        assert_eq!(err("x AND (a OR b").0, 6);
        assert_eq!(err("a)").0, 1);
        assert_eq!(err("summary:\"abc").0, 8);
        assert_eq!(err("category:").0, 9);
        assert!(err("category:").1.contains("category:"));
        assert_eq!(err("category:  ").0, 11);
        assert_eq!(err("a AND").0, 5);
        assert_eq!(err("AND a").0, 0);
        assert_eq!(err("a OR OR b").0, 5);
        assert_eq!(err("NOT").0, 3);
        assert_eq!(err("a NOT NOT b").0, 6);
        assert_eq!(err("foo\\").0, 3);
        assert_eq!(err("f:[1 TO 5").0, 2);
        assert_eq!(err("f:[1 TO").0, 2);
        assert_eq!(err("f:[1 TO 5 6]").0, 10);
        assert_eq!(err("f:[]").0, 3);
        assert_eq!(err("a]").0, 1);
        assert_eq!(err("f:/abc").0, 2);
        assert_eq!(err("f:/a&b/").0, 2);
        assert_eq!(err("x f:/(a/").0, 4);
        assert_eq!(err("a^").0, 1);
        assert_eq!(err("a^x").0, 1);
        assert_eq!(err("a:b:c").0, 3);
        assert_eq!(err("\"a\":b").0, 3);
        assert_eq!(err("foo*:bar").0, 4);
        assert_eq!(err("~2").0, 0);
        assert_eq!(err("summary:-- ").0, 8);
        assert_eq!(err("\\u00zz").0, 0);
        assert_eq!(err("()").0, 1);
        assert_eq!(err("_exists_:[a TO b]").0, 9);
        assert_eq!(err(&"(".repeat(1000)).0, 128);
    }

    #[test]
    fn typed_values_are_checked() {
        assert_eq!(err("details.sourceipaddress:foo").0, 24);
        assert_eq!(err("a OR details.sourceipaddress:[x TO 10.0.0.1]").0, 29);
        assert_eq!(err("utctimestamp:[now-1x TO now]").0, 13);
        assert_eq!(err("details.success:yes").0, 16);
        assert!(QueryString::parse("details.sourceipaddress:10.0.0.0\\/8").is_ok());
        assert!(QueryString::parse("details.sourceipaddress:[10.0.0.0 TO *]").is_ok());
        assert!(QueryString::parse("details.sourceipaddress:10.*").is_ok());
        assert!(QueryString::parse("utctimestamp:>now-5m").is_ok());
        assert!(QueryString::parse("details.success:true").is_ok());
        // Default field: lenient.
        assert!(QueryString::parse("foo AND bar").is_ok());
        assert!(QueryString::parse("details.\\*:foo").is_ok());
    }

    #[test]
    fn keeps_text_and_displays_it() {
        let q = QueryString::parse("a AND b").ok();
        assert_eq!(q.as_ref().map(|q| q.text.as_str()), Some("a AND b"));
        assert_eq!(q.map(|q| q.to_string()), Some("a AND b".to_owned()));
        assert!("(a".parse::<QueryString>().is_err());
    }

    use mozdef_model::rng::SplitMix64 as Rng;

    #[test]
    fn random_strings_never_panic() {
        // Random characters, parsed only; strings of syntax pieces go through parsing,
        // compiling and evaluation in `eval`'s tests.
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5_000 {
            let n = (rng.next_u64() % 24) as usize;
            let text: String = (0..n).filter_map(|_| char::from_u32((rng.next_u64() % 0x3100) as u32)).collect();
            let _ = QueryString::parse(&text);
        }
    }
}
