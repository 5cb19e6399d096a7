//! The alert catalogue, alert by alert, in MozDef's test style (inventory §8): a default event
//! merged with per-case changes, time frozen at 2017-01-01 01:00:00 UTC, positive cases
//! compared key by key with the stored alert, negative cases raising nothing. Every case runs
//! on the embedded store, and on OpenSearch too when `MOZDEF_TEST_OPENSEARCH_URL` is set
//! (scripts/test sets it).
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

mod common;
mod bruteforce_ssh;
