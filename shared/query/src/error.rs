/// Errors of the query model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    /// A Lucene query string that does not parse.
    #[error("invalid query string at position {position}: {message}")]
    QueryString {
        /// Byte offset of the problem in the query string.
        position: usize,
        /// What is wrong there.
        message: String,
    },
    /// A CIDR block that does not parse.
    #[error("invalid network {0:?}: expected an IPv4 or IPv6 CIDR block such as 10.0.0.0/8")]
    Network(String),
    /// A regular expression or wildcard that cannot be compiled.
    #[error("invalid pattern {pattern:?}: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// Why it was refused.
        message: String,
    },
}
