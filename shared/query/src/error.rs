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
    /// A matcher on a field whose mapped type cannot answer it.
    #[error("{matcher} cannot run on {field:?}: {reason}")]
    FieldType {
        /// The matcher, e.g. `SubnetMatch`.
        matcher: &'static str,
        /// The field.
        field: String,
        /// Why not.
        reason: String,
    },
}

impl QueryError {
    /// `SubnetMatch` on a field that is not mapped as `ip`: OpenSearch can only test CIDR
    /// membership on `ip` fields, so both backends refuse it rather than disagree.
    pub fn subnet_needs_ip(field: &str) -> Self {
        QueryError::FieldType {
            matcher: "SubnetMatch",
            field: field.to_owned(),
            reason: "it needs a field mapped as ip (details.sourceipaddress, details.destinationipaddress)".into(),
        }
    }
}
