//! One scheduled run of one source: pull pages until the provider has no more (or the run's
//! page budget is spent), queue each page's events on the durable event queue, and only then
//! save the cursor after it. A crash (or a failed save) between the two makes the next run
//! read the page again; every event carries its provider's id under [`COLLECTED_ID_KEY`], from
//! which the ingest path derives the document id, so the re-read replaces instead of
//! duplicating. A run that pulled anything ends with a heartbeat event (`category:
//! collector`), which the silence alert watches.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mozdef_model::{Document, isoformat};
use mozdef_store::EventQueue;
use serde_json::{Value, json};

use crate::http::Http;
use crate::{COLLECTED_ID_KEY, CollectorError, Cursor, Provider};

/// Where cursors are kept between runs (SQLite locally, DynamoDB on AWS).
#[async_trait]
pub trait CursorStore: Send + Sync {
    /// The cursor saved for `source`.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Storage`] when the store cannot be read.
    async fn load(&self, source: &str) -> Result<Option<Cursor>, CollectorError>;

    /// Saves `cursor` for `source`.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Storage`] when the store cannot be written.
    async fn save(&self, source: &str, cursor: &Cursor) -> Result<(), CollectorError>;
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunReport {
    /// The source.
    pub source: String,
    /// Pages fetched.
    pub pages: u32,
    /// Events queued.
    pub events: u64,
    /// The cursor saved last (`None`: unchanged).
    pub cursor: Option<Cursor>,
    /// Whether the provider had more when the page budget ran out.
    pub more: bool,
}

/// The default page budget of one run (the next run continues where it stopped).
pub const MAX_PAGES: u32 = 50;

/// One run of `source` through `provider` (see the module documentation). `now` is the
/// run's time (the first run's lookback starts from it).
///
/// # Errors
///
/// The provider's [`CollectorError`], or [`CollectorError::Storage`] when queueing or saving
/// the cursor fails. Pages queued before the failure stay queued, their cursor saved.
pub async fn collect(
    source: &str,
    provider: &dyn Provider,
    http: &Http,
    cursors: &dyn CursorStore,
    queue: &dyn EventQueue,
    now: DateTime<Utc>,
    max_pages: u32,
) -> Result<RunReport, CollectorError> {
    let mut report = RunReport { source: source.to_owned(), ..RunReport::default() };
    let mut cursor = cursors.load(source).await?;
    loop {
        let page = provider.fetch(http, cursor.as_ref(), now).await?;
        report.pages += 1;
        if !page.events.is_empty() {
            let count = page.events.len() as u64;
            let events =
                page.events.into_iter().map(|collected| with_id(source, collected.id, collected.event)).collect();
            queue
                .accept(events)
                .await
                .map_err(|e| CollectorError::Storage(format!("{source}: queueing {count} events failed: {e}")))?;
            report.events += count;
        }
        if let Some(next) = page.next {
            cursors.save(source, &next).await?;
            report.cursor = Some(next.clone());
            cursor = Some(next);
        }
        if !page.more {
            report.more = false;
            break;
        }
        if report.pages >= max_pages {
            report.more = true;
            tracing::info!(source, pages = report.pages, "collector page budget spent; the next run continues");
            break;
        }
    }
    queue
        .accept(vec![heartbeat(source, provider.kind(), &report, now)])
        .await
        .map_err(|e| CollectorError::Storage(format!("{source}: queueing the heartbeat failed: {e}")))?;
    tracing::info!(
        source,
        provider = provider.kind(),
        pages = report.pages,
        events = report.events,
        "collector run done"
    );
    Ok(report)
}

/// `event` with the provider's id under [`COLLECTED_ID_KEY`] (`<source>:<id>`).
fn with_id(source: &str, id: String, mut event: Document) -> Document {
    event.insert(COLLECTED_ID_KEY.to_owned(), Value::String(format!("{source}:{id}")));
    event
}

/// The event saying a run of `source` succeeded: the collector silence alert looks for it
/// (`category:collector AND details.collector:<source>`).
pub fn heartbeat(source: &str, kind: &str, report: &RunReport, now: DateTime<Utc>) -> Document {
    let at = isoformat(&now);
    let event = json!({
        "utctimestamp": at,
        "timestamp": at,
        "category": "collector",
        "source": "mozdef-collectors",
        // Not the provider's tag: `tags:auth0` (GeoModel's query, Auth0's alerts) must find the
        // provider's events only.
        "tags": ["collector", "heartbeat"],
        "severity": "DEBUG",
        "hostname": "mozdef-collectors",
        "processname": "mozdef-collectors",
        "summary": format!("collector {source} ({kind}) pulled {} events in {} pages", report.events, report.pages),
        "details": {"collector": source, "provider": kind, "events": report.events, "pages": report.pages, "more": report.more},
    });
    match event {
        Value::Object(event) => event,
        _ => Document::new(),
    }
}
