//! The scenario files of `tests/fixtures/scenarios` on the embedded store, each on a fresh
//! store in its own temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mozdef_store_embedded::EmbeddedStore;

#[tokio::test]
async fn scenarios() {
    mozdef_store::scenarios::run_all(|| async {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = EmbeddedStore::open(dir.path()).expect("open store");
        (store, dir)
    })
    .await;
}
