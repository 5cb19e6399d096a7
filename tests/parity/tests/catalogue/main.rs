//! The alert catalogue's cases (`shared/alerts/tests/catalogue/cases.rs`, one list shared with
//! `mozdef-alerts`' own run on its in-memory backend) on the embedded store, and on
//! OpenSearch too when `MOZDEF_TEST_OPENSEARCH_URL` is set (scripts/test sets it): every case
//! runs on a fresh store of each.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../../../../shared/alerts/tests/catalogue/cases.rs"]
mod cases;
mod stores;
