//! The scenario files of `tests/fixtures/scenarios` on a real OpenSearch node, each on a
//! fresh isolated store (its own index prefix, deleted afterwards).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mozdef_store_opensearch::testing::isolated_store;

#[tokio::test]
async fn scenarios() {
    mozdef_store::scenarios::run_all(isolated_store).await;
}
