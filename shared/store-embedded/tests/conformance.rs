//! The storage conformance suite on the embedded store.
#![allow(clippy::expect_used)]

use mozdef_store_embedded::EmbeddedStore;
use tempfile::TempDir;

async fn open() -> (EmbeddedStore, TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = EmbeddedStore::open(dir.path()).expect("open store");
    (store, dir)
}

mozdef_store::conformance_tests!(open());
