//! Pull collectors: MozDef's cron jobs that pulled identity providers' logs (`okta2mozdef`,
//! `duo_logpull`, `auth02mozdef`, `google2mozdef`; inventory §5), as one library run on a
//! schedule by the `collectors` Lambda and by `mozdef dev`.
//!
//! * A [`Provider`] knows one API: how to ask for the page after a cursor, and how each of its
//!   log records becomes a MozDef event ([`okta`], [`duo`], [`auth0`], [`google`]).
//! * [`runner::collect`] pulls pages until the provider has no more, queues each page's events
//!   on the durable event queue (the write-ahead log, or SQS) and only then saves the cursor,
//!   so a crash between the two re-reads the page: every event carries its provider's id
//!   ([`COLLECTED_ID_KEY`]), from which the document id derives, so the re-read replaces
//!   instead of duplicating.
//! * [`http::Http`] is the one HTTP client: 429 and 5xx retried with backoff honouring
//!   `Retry-After` (and Okta's `X-Rate-Limit-Reset`).
//! * [`secrets::SecretSource`] gives the API credentials: AWS Secrets Manager on AWS, a file or
//!   the environment locally.
//! * [`config`] is the site's list of sources.

pub mod auth0;
pub mod config;
pub mod duo;
mod error;
pub mod google;
pub mod http;
pub mod okta;
pub mod runner;
pub mod secrets;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::Document;
use serde_json::Value;

pub use error::CollectorError;

/// The key of the provider's event id on a collected event, read (and removed) by the ingest
/// path to derive the document id (`collected:<source>:<id>`) instead of the queue position.
/// loginput strips it from what shippers send, so only collectors can set it.
pub const COLLECTED_ID_KEY: &str = "_mozdef_collected_id";

/// A provider's position in its log, saved between runs (the provider's own shape: Okta's
/// `after` link, Duo's `next_offset` per log, Auth0's last log id, Google's last time).
pub type Cursor = Value;

/// One log record pulled, as a MozDef event.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// The provider's id of the record (Okta `uuid`, Duo `txid`, Auth0 `log_id`, Google
    /// `id.uniqueQualifier`...).
    pub id: String,
    /// The MozDef event.
    pub event: Document,
}

/// One page of a provider's log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// The records of the page, as events, oldest first.
    pub events: Vec<Collected>,
    /// The cursor after this page (saved once the events are queued); `None` keeps the
    /// current one.
    pub next: Option<Cursor>,
    /// Whether the provider has more right now (fetch again at once).
    pub more: bool,
}

/// A provider's API.
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// The provider (`okta`, `duo`, `auth0`, `google`).
    fn kind(&self) -> &'static str;

    /// The page after `cursor` (`None`: the first run, which starts `lookback` before `now`).
    ///
    /// # Errors
    ///
    /// [`CollectorError`]: the HTTP failure after retries, expired or refused credentials
    /// ([`CollectorError::Credentials`]), or a response that is not what the API documents.
    async fn fetch(
        &self,
        http: &http::Http,
        cursor: Option<&Cursor>,
        now: DateTime<Utc>,
    ) -> Result<Page, CollectorError>;
}
