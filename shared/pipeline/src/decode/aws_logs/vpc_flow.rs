//! VPC Flow Logs (stub: to be written).

use mozdef_model::Document;

use crate::NormalizeContext;

/// The fields of a flow log, in the order of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcFlowFormat {
    fields: Vec<String>,
}

impl VpcFlowFormat {
    /// The default format (version 2).
    pub fn default_format() -> Self {
        VpcFlowFormat { fields: Vec::new() }
    }

    /// A format from a header line or a custom format string.
    ///
    /// # Errors
    ///
    /// When it names no known field.
    pub fn from_fields(fields: &str) -> Result<Self, String> {
        Err(format!("not implemented: {fields}"))
    }

    /// Whether `line` is a header line.
    pub fn is_header(line: &str) -> bool {
        line.starts_with("version")
    }

    /// The event of one line; `None` for a record that carries nothing.
    ///
    /// # Errors
    ///
    /// Why the line cannot be parsed.
    pub fn event(&self, line: &str, ctx: &NormalizeContext) -> Result<Option<Document>, String> {
        let _ = (ctx, &self.fields);
        Err(format!("not implemented: {line}"))
    }
}
