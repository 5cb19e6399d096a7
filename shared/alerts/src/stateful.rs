//! [`StatefulAlert`]: an alert that keeps state between runs and so runs itself instead of
//! through [`crate::run_alert`] (GeoModel: localities per user, the time of the last run).

use async_trait::async_trait;

use crate::context::AlertContext;
use crate::error::AlertError;
use crate::run::{AlertEnv, RaisedAlert};

/// An alert that runs itself, saving each alert with [`crate::save_alert`].
#[async_trait]
pub trait StatefulAlert: Send + Sync {
    /// The alert's name (its `classname`).
    fn name(&self) -> &str;

    /// One run at `ctx.now`.
    async fn run(&self, env: AlertEnv<'_>, ctx: &AlertContext) -> Result<Vec<RaisedAlert>, AlertError>;
}
