//! End to end on a real OpenSearch: `mozdef dev --opensearch` stores events in the cluster,
//! REST search reads them back, and an event OpenSearch refuses (a mapping error) ends in the
//! quarantine with OpenSearch's reason instead of vanishing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};

mod common;
use common::{client, free_port, start_with, wait_for, wait_for_quarantine};

#[tokio::test]
async fn mozdef_dev_on_opensearch() {
    // A fresh prefix on the test cluster; its indices are deleted when `_cleanup` drops.
    let (store, _cleanup) = mozdef_store_opensearch::testing::isolated_store().await;
    let url = store.config().url.clone();
    let prefix = store.client().prefix().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), free_port(), &["--opensearch", &url, "--opensearch-prefix", &prefix]).await;
    let http = client();
    // The start ran MozDef's rotation: today's index exists behind the `events` alias.
    let alias =
        http.get(format!("{}{prefix}events/_alias", url.trim_end_matches('/').to_owned() + "/")).send().await.unwrap();
    assert_eq!(alias.status(), 200, "the events alias exists");
    let alias: Value = alias.json().await.unwrap();
    let today = format!("{prefix}events-{}", chrono::Utc::now().format("%Y%m%d"));
    assert!(alias.get(&today).is_some(), "events -> {today}: {alias}");

    let events: Vec<Value> = (0..20)
        .map(|n| json!({"summary": format!("e2e opensearch event {n}"), "category": "e2e-os", "details": {"n": n, "obj": {"a": n}}}))
        .collect();
    let r = http.post(format!("{}/_bulk", server.base)).json(&events).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // `details.obj` is an object by now: OpenSearch refuses a string there with a mapping
    // error (malformed values inside typed fields are kept instead: ignore_malformed).
    let bad = json!({"summary": "e2e refused", "category": "e2e-os", "details": {"obj": "maybe"}});
    assert_eq!(http.post(format!("{}/events", server.base)).json(&bad).send().await.unwrap().status(), 200);

    let hits = wait_for(&http, &server.base, "category:e2e-os", 20).await;
    assert_eq!(hits.len(), 20, "every accepted event is searchable: {hits:?}");
    let index = hits[0]["_index"].as_str().unwrap();
    assert!(index.starts_with("events-") && !index.contains(&prefix), "MozDef names, not the cluster's: {index}");

    let quarantined = wait_for_quarantine(&http, &server.base, Duration::from_secs(20)).await;
    assert_eq!(quarantined.len(), 1, "the refused event is kept in the quarantine");
    let record = &quarantined[0]["_source"];
    assert!(
        record["reason"].as_str().unwrap().contains("object mapping for [details.obj]"),
        "OpenSearch's reason: {record}"
    );
    assert!(record["payload"].as_str().unwrap().contains("maybe"), "the event itself is kept: {record}");
    let stats: Value = http.get(format!("{}/api/stats", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["indexed"], 20);
    assert_eq!(stats["quarantined"], 1);
}
