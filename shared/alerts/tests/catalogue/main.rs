//! The alert catalogue, alert by alert, in MozDef's test style (inventory §8), on the
//! in-memory backend (`mozdef_alerts::testing::MemoryBackend`): the domain's logic tested
//! without a store. The same cases (`cases.rs`) run on the embedded store and on OpenSearch in
//! `tests/parity` (the `mozdef-parity-tests` crate). The alert actions' tests need no store and
//! run here only.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

mod actions;
#[path = "cases.rs"]
mod cases;
mod stores;
