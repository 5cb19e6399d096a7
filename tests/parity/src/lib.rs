//! Tests across the domain and the backends, in `tests/`: the alert catalogue's cases — the
//! same files `mozdef-alerts` runs on its in-memory backend (`shared/alerts/tests/catalogue`)
//! — on the embedded store, and on a real OpenSearch when `MOZDEF_TEST_OPENSEARCH_URL` is set
//! (`scripts/test` sets it), through the application layer's `StoreAlertBackend`, so every
//! alert is shown to behave the same on both stores. The crate has no library code.
