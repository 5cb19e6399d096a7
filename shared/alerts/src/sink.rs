//! Where raised alerts go once stored, a port of the alert domain: MozDef published
//! `{_id, _index, _source}` to the `alerts` exchange (or SQS queue) for the actions and bots.
//! In `mozdef dev` the actions run in process; on AWS the alerts SQS queue feeds the
//! alert-actions Lambda.

use async_trait::async_trait;

use crate::error::BackendError;
use crate::run::RaisedAlert;

/// Hands stored alerts on.
#[async_trait]
pub trait AlertSink: Send + Sync {
    /// Hands one stored alert on; must not block the run for long (queue it). An error is
    /// reported in the run's report (the alert itself is stored).
    async fn publish(&self, alert: &RaisedAlert) -> Result<(), BackendError>;
}

/// A sink that drops everything (no actions configured).
#[derive(Debug, Default)]
pub struct NoSink;

#[async_trait]
impl AlertSink for NoSink {
    async fn publish(&self, _alert: &RaisedAlert) -> Result<(), BackendError> {
        Ok(())
    }
}
