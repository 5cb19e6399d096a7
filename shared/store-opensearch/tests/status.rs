#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The status figures of the store on a real OpenSearch node: the dashboards Dashboards has
//! saved in `.kibana` (MozDef's `/kibanadashboards`) and the per-node figures (MozDef's
//! `healthesnodes`).

use mozdef_store::EventStore;
use mozdef_store_opensearch::Client;
use mozdef_store_opensearch::kibana::SAVED_OBJECTS_INDEX;
use mozdef_store_opensearch::testing::isolated_store;
use opensearch::http::Method;
use serde_json::{Value, json};

async fn put_saved_object(client: &Client, id: &str, body: Value) {
    let path = format!("/{SAVED_OBJECTS_INDEX}/_doc/{id}");
    client.json(Method::Put, &path, &[("refresh", "true")], Some(body)).await.unwrap();
}

/// Deletes this test's saved objects, and the index too when the test created it and nothing
/// else was put there meanwhile (other tests and runs share the node).
async fn remove_saved_objects(client: &Client, ids: &[String], created_index: bool) {
    for id in ids {
        let path = format!("/{SAVED_OBJECTS_INDEX}/_doc/{id}");
        let _ = client.send(Method::Delete, &path, &[("refresh", "true")], None).await;
    }
    if created_index {
        let count = client.json(Method::Get, &format!("/{SAVED_OBJECTS_INDEX}/_count"), &[], None).await;
        if count.is_ok_and(|c| c["count"] == 0) {
            let _ = client.send(Method::Delete, &format!("/{SAVED_OBJECTS_INDEX}"), &[], None).await;
        }
    }
}

#[tokio::test]
async fn dashboards_are_the_saved_dashboards_by_title() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    // The store's prefix is unique to this test: it marks this test's saved objects.
    let marker = client.prefix().to_owned();
    let existed = client.send(Method::Head, &format!("/{SAVED_OBJECTS_INDEX}"), &[], None).await.unwrap().status == 200;
    let before_index = if existed { None } else { Some(store.dashboards().await) };

    let ssh = format!("{marker}ssh");
    let alerts = format!("{marker}alerts");
    let ids = [format!("dashboard:{ssh}"), format!("dashboard:{alerts}"), format!("visualization:{marker}vis")];
    put_saved_object(client, &ids[0], json!({"type": "dashboard", "dashboard": {"title": format!("SSH {marker}")}}))
        .await;
    put_saved_object(client, &ids[1], json!({"type": "dashboard", "dashboard": {"title": format!("Alerts {marker}")}}))
        .await;
    put_saved_object(
        client,
        &ids[2],
        json!({"type": "visualization", "visualization": {"title": format!("Not a dashboard {marker}")}}),
    )
    .await;
    let listed = store.dashboards().await;
    remove_saved_objects(client, &ids, !existed).await;

    if let Some(before) = before_index {
        assert_eq!(before.unwrap(), vec![], "no .kibana index: no dashboards");
    }
    let listed = listed.unwrap();
    let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    let ours: Vec<(String, String)> =
        listed.into_iter().filter(|d| d.name.ends_with(&marker)).map(|d| (d.name, d.id)).collect();
    assert_eq!(ours, vec![(format!("Alerts {marker}"), alerts), (format!("SSH {marker}"), ssh)]);
}

#[tokio::test]
async fn node_stats_report_every_node_with_numeric_figures() {
    let (store, _cleanup) = isolated_store().await;
    let nodes = store.node_stats().await.unwrap();
    assert!(!nodes.is_empty(), "at least the test node");
    for node in &nodes {
        assert!(node["name"].as_str().is_some_and(|n| !n.is_empty()), "{node}");
        assert!(node["hostname"].as_str().is_some_and(|n| !n.is_empty()), "{node}");
        assert!(node["cpu"].as_f64().is_some_and(|c| (0.0..=100.0).contains(&c)), "{node}");
        assert!(node["heap_percent"].as_f64().is_some_and(|h| h > 0.0 && h <= 100.0), "{node}");
        assert!(node["gc_old_seconds"].as_f64().is_some_and(|s| s >= 0.0), "{node}");
        let free = node["disk_free_gb"].as_f64().expect("disk_free_gb");
        let total = node["disk_total_gb"].as_f64().expect("disk_total_gb");
        assert!(total > 0.0 && free >= 0.0 && free <= total, "{node}");
    }
}
