//! The `alerts` handler on a real EventBridge scheduled-event payload: the whole catalogue
//! runs on the embedded store with schedules in DynamoDB and alerts sent to SQS, both from
//! moto (the AWS emulator from PyPI, on loopback).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use mozdef_alerts::{ConfigSource, NoReverseDns};
use mozdef_aws::SqsAlertQueue;
use mozdef_aws::testing::Moto;
use mozdef_fn_alerts::handler::handle;
use mozdef_service::AlertRunner;
use mozdef_store_dynamodb::DynamoSchedules;
use mozdef_store_embedded::EmbeddedStore;
use serde_json::{Value, json};
use support::bruteforce;

mod support;

fn scheduled_event(time: &str) -> EventBridgeEvent<Value> {
    let mut event: Value = serde_json::from_str(include_str!("fixtures/eventbridge-scheduled.json")).unwrap();
    event["time"] = json!(time);
    serde_json::from_value(event).unwrap()
}

async fn runner(store: &EmbeddedStore, schedules: DynamoSchedules, queue: SqsAlertQueue) -> AlertRunner {
    let catalogue = mozdef_alerts::catalogue::load(&ConfigSource::defaults());
    assert!(catalogue.errors.is_empty(), "{:?}", catalogue.errors);
    let runner = AlertRunner::new(
        catalogue.entries,
        Arc::new(store.clone()),
        Arc::new(schedules),
        Vec::new(),
        Arc::new(NoReverseDns),
        Arc::new(queue),
    );
    runner.sync_schedules().await.unwrap();
    runner
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_event_runs_due_alerts_and_queues_them() {
    let moto = Moto::start().await;
    let sdk = moto.sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url =
        sqs.create_queue().queue_name("mozdef-alerts").send().await.unwrap().queue_url().unwrap().to_owned();
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), "mozdef-alertschedules");
    schedules.ensure_table().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    bruteforce(&store, "1.2.3.4", "2026-11-23T11:59:30+00:00").await;
    let alerts = runner(&store, schedules.clone(), SqsAlertQueue::new(sqs.clone(), &queue_url)).await;
    let now: DateTime<Utc> = "2026-11-25T00:00:00Z".parse().unwrap();

    let first = handle(scheduled_event("2026-11-23T12:00:00Z"), &alerts, now).await.unwrap();
    let raised = first["raised"].as_u64().unwrap();
    // Every alert is due on its first tick, but the deadman checks, which wait for their
    // site settings.
    // (MozDef's and the four of the AWS sources: Security Hub, WAF, VPC flow, DNS.)
    assert_eq!(first["ran"].as_array().unwrap().len(), 42, "{first}");
    assert_eq!(raised, 1, "{first}");
    let mut messages: Vec<Value> = Vec::new();
    while messages.len() < raised as usize {
        let received = sqs.receive_message().queue_url(&queue_url).max_number_of_messages(10).send().await.unwrap();
        assert!(!received.messages().is_empty(), "{} of {raised} alerts queued", messages.len());
        messages.extend(received.messages().iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()));
    }
    assert_eq!(messages.len() as u64, raised, "one message per raised alert");
    let classes: Vec<&str> = messages.iter().filter_map(|m| m["_source"]["classname"].as_str()).collect();
    // The bruteforce, and the deadman checks that see no heartbeat events at all.
    assert!(
        classes.iter().filter(|c| !c.starts_with("AlertDeadmanGeneric") && **c != "broNSM").count() == 1,
        "{classes:?}"
    );
    let brute = messages.iter().find(|m| m["_source"]["classname"] == "AlertBruteforceSsh").unwrap();
    assert_eq!(brute["_source"]["summary"], "10 ssh bruteforce attempts by 1.2.3.4 bastion1 (10 hits)");
    assert_eq!(brute["_index"], "alerts-202611");
    assert!(brute["_id"].as_str().is_some_and(|id| !id.is_empty()));

    let same_minute = handle(scheduled_event("2026-11-23T12:00:00Z"), &alerts, now).await.unwrap();
    assert_eq!(same_minute["ran"], json!([]), "nothing is due twice in a minute");
    let next_minute = handle(scheduled_event("2026-11-23T12:01:00Z"), &alerts, now).await.unwrap();
    assert_eq!(next_minute["raised"], 0, "the events raised their alert once: {next_minute}");
    let stored = mozdef_alerts::ScheduleStore::list(&schedules).await.unwrap();
    let bruteforce_schedule = stored.iter().find(|s| s.name == "bruteforce_ssh.AlertBruteforceSsh").unwrap();
    assert_eq!(bruteforce_schedule.total_run_count, 2);

    // A queue that does not exist: the alert is stored, the invocation fails so Lambda retries.
    bruteforce(&store, "5.6.7.8", "2026-11-23T12:01:30+00:00").await;
    let broken = runner(&store, schedules, SqsAlertQueue::new(sqs, format!("{}/nope", moto.url))).await;
    let error = handle(scheduled_event("2026-11-23T12:02:00Z"), &broken, now).await.unwrap_err().to_string();
    assert!(error.contains("publishing alert"), "{error}");
}
