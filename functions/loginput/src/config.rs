//! The function's configuration, read from the environment once at cold start; a missing or
//! bad value fails the cold start naming the variable.

use mozdef_api::Limits;
use mozdef_aws::lambda_env::EnvError;

/// The variable naming the SQS events queue.
pub const EVENTS_QUEUE_URL: &str = "MOZDEF_EVENTS_QUEUE_URL";
/// The variable naming the bucket of events too large for a message.
pub const LARGE_EVENTS_BUCKET: &str = "MOZDEF_LARGE_EVENTS_BUCKET";
/// The variable naming the DynamoDB shipper token table.
pub const SHIPPER_TOKENS_TABLE: &str = "MOZDEF_SHIPPER_TOKENS_TABLE";
/// The variable that opens loginput to anyone when it is exactly `true`.
pub const LOGINPUT_OPEN: &str = "MOZDEF_LOGINPUT_OPEN";
/// The variable of the largest single-event body.
pub const MAX_EVENT_BYTES: &str = "OPTIONS_MAX_EVENT_BYTES";
/// The variable of the largest `/_bulk` body.
pub const MAX_BULK_BYTES: &str = "OPTIONS_MAX_BULK_BYTES";

/// Whether shippers authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shippers {
    /// Every event route needs an active token of this DynamoDB table.
    TokensIn(String),
    /// Anyone may send events (`MOZDEF_LOGINPUT_OPEN=true`).
    Open,
}

/// What the function is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginputConfig {
    /// The SQS events queue's URL.
    pub queue_url: String,
    /// The large-events bucket.
    pub large_events_bucket: String,
    /// Shipper authentication.
    pub shippers: Shippers,
    /// Body limits.
    pub limits: Limits,
}

impl LoginputConfig {
    /// The configuration in the process environment.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(mozdef_aws::lambda_env::optional)
    }

    /// The configuration `lookup` gives (a variable's non-empty value, or `None`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let required = |name: &str| lookup(name).ok_or_else(|| EnvError::Missing(name.to_owned()));
        let queue_url = required(EVENTS_QUEUE_URL)?;
        let large_events_bucket = required(LARGE_EVENTS_BUCKET)?;
        let shippers = if lookup(LOGINPUT_OPEN).as_deref() == Some("true") {
            Shippers::Open
        } else {
            let table = lookup(SHIPPER_TOKENS_TABLE).ok_or_else(|| EnvError::Invalid {
                name: SHIPPER_TOKENS_TABLE.to_owned(),
                message: format!("is not set (it is required unless {LOGINPUT_OPEN}=true)"),
            })?;
            Shippers::TokensIn(table)
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_event_bytes: bytes(&lookup, MAX_EVENT_BYTES, defaults.max_event_bytes)?,
            max_bulk_bytes: bytes(&lookup, MAX_BULK_BYTES, defaults.max_bulk_bytes)?,
            max_depth: defaults.max_depth,
        };
        if limits.max_bulk_bytes < limits.max_event_bytes {
            return Err(EnvError::Invalid {
                name: MAX_BULK_BYTES.to_owned(),
                message: format!(
                    "{} is less than {MAX_EVENT_BYTES} ({}): a bulk body holds at least one event",
                    limits.max_bulk_bytes, limits.max_event_bytes
                ),
            });
        }
        Ok(LoginputConfig { queue_url, large_events_bucket, shippers, limits })
    }
}

/// A positive byte count from `name`, or `default` when unset.
fn bytes(lookup: &impl Fn(&str) -> Option<String>, name: &str, default: usize) -> Result<usize, EnvError> {
    let Some(text) = lookup(name) else { return Ok(default) };
    match text.trim().parse::<usize>() {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(EnvError::Invalid {
            name: name.to_owned(),
            message: format!("{text:?} is not a positive number of bytes"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<LoginputConfig, String> {
        let env: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        LoginputConfig::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())
    }

    const BASE: [(&str, &str); 3] = [
        (EVENTS_QUEUE_URL, "https://sqs.eu-west-1.amazonaws.com/1/events"),
        (LARGE_EVENTS_BUCKET, "large"),
        (SHIPPER_TOKENS_TABLE, "tokens"),
    ];

    #[test]
    fn tokens_are_required_unless_loginput_is_explicitly_open() {
        let config = read(&BASE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.shippers, Shippers::TokensIn("tokens".into()));
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.queue_url, BASE[0].1);
        assert_eq!(config.large_events_bucket, "large");

        let without_table = &BASE[..2];
        let error = read(without_table).err().unwrap_or_default();
        assert_eq!(error, "MOZDEF_SHIPPER_TOKENS_TABLE: is not set (it is required unless MOZDEF_LOGINPUT_OPEN=true)");
        for not_quite in ["TRUE", "1", "yes", "false"] {
            let error = read(&[without_table, &[(LOGINPUT_OPEN, not_quite)]].concat()).err().unwrap_or_default();
            assert!(error.starts_with("MOZDEF_SHIPPER_TOKENS_TABLE: "), "{not_quite}: {error}");
        }
        let open = read(&[without_table, &[(LOGINPUT_OPEN, "true")]].concat()).map(|c| c.shippers);
        assert_eq!(open, Ok(Shippers::Open));
        let open = read(&[&BASE[..], &[(LOGINPUT_OPEN, "true")]].concat()).map(|c| c.shippers);
        assert_eq!(open, Ok(Shippers::Open), "open wins over a table");
    }

    #[test]
    fn each_missing_or_bad_variable_is_named() {
        assert_eq!(read(&BASE[1..]).err().unwrap_or_default(), "MOZDEF_EVENTS_QUEUE_URL is not set");
        assert_eq!(read(&[BASE[0], BASE[2]]).err().unwrap_or_default(), "MOZDEF_LARGE_EVENTS_BUCKET is not set");
        for (name, value) in [(MAX_EVENT_BYTES, "0"), (MAX_EVENT_BYTES, "1MB"), (MAX_BULK_BYTES, "-5")] {
            let error = read(&[&BASE[..], &[(name, value)]].concat()).err().unwrap_or_default();
            assert_eq!(error, format!("{name}: {value:?} is not a positive number of bytes"));
        }
        let error = read(&[&BASE[..], &[(MAX_EVENT_BYTES, "2048"), (MAX_BULK_BYTES, "1024")]].concat());
        assert!(error.err().unwrap_or_default().starts_with("OPTIONS_MAX_BULK_BYTES: 1024 is less than"));
        let limits = read(&[&BASE[..], &[(MAX_EVENT_BYTES, "2048"), (MAX_BULK_BYTES, "4096")]].concat());
        let limits = limits.map(|c| (c.limits.max_event_bytes, c.limits.max_bulk_bytes));
        assert_eq!(limits, Ok((2048, 4096)));
    }
}
