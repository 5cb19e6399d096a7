//! The index crons on an EventBridge scheduled event, on a real OpenSearch node: the event's
//! time picks the day, the aliases follow it, old indices are pruned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mozdef_fn_maintenance::Maintenance;
use mozdef_fn_maintenance::handler::Handler;
use mozdef_store_opensearch::lifecycle::LifecycleConfig;
use mozdef_store_opensearch::testing::{isolated_store, test_lifecycle};
use serde_json::{Value, json};
use support::{now, responder};

fn tick(time: &str) -> Value {
    let mut event: Value = serde_json::from_str(include_str!("fixtures/eventbridge-scheduled.json")).unwrap();
    event["time"] = json!(time);
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_ticks_rotate_and_prune() {
    let (store, _cleanup) = isolated_store().await;
    let lifecycle = LifecycleConfig { events_prune_after_days: Some(1), ..test_lifecycle() };
    let maintenance = Handler::new(Maintenance::new(store.clone(), lifecycle, None), responder());
    let budget = Duration::from_secs(60);

    let first = maintenance.handle(tick("2026-11-23T00:05:00Z"), now(), budget).await.unwrap();
    let changes: Vec<&str> = first["changes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(changes.contains(&"created events-20261123"), "{first}");
    assert!(changes.contains(&"created alerts-202611"), "{first}");
    let again = maintenance.handle(tick("2026-11-23T00:15:00Z"), now(), budget).await.unwrap();
    assert!(!again.to_string().contains("created"), "nothing new the same day: {again}");

    let later = maintenance.handle(tick("2026-11-25T00:05:00Z"), now(), budget).await.unwrap();
    let changes: Vec<&str> = later["changes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(changes.contains(&"created events-20261125"), "{later}");
    assert!(changes.contains(&"deleted events-20261123"), "pruned after a day: {later}");
    let indices: Vec<String> =
        mozdef_store_opensearch::list(store.client()).await.unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(indices, ["alerts-202611", "events-20261125"]);
}

#[tokio::test]
async fn a_scheduled_run_against_a_cluster_that_is_down_fails_the_invocation() {
    let maintenance = support::maintenance_at(&support::dead_url(), &support::dead_url());
    let error = maintenance.handle(tick("2026-11-23T00:05:00Z"), now(), Duration::from_secs(30)).await.unwrap_err();
    assert!(format!("{error:#}").contains("index maintenance failed: OpenSearch unreachable"), "{error:#}");
}
