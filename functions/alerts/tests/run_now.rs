//! The `alerts` handler on the run-now payload the api function sends (built by the same
//! `RunNowRequest`): the named alerts run at the request's time on the embedded store, with
//! schedules in DynamoDB and alerts sent to SQS on moto; unknown names and malformed payloads
//! fail the invocation naming the problem; a scheduled event still runs the due alerts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use mozdef_alerts::{ConfigSource, NoReverseDns, ScheduleStore};
use mozdef_aws::SqsAlertQueue;
use mozdef_aws::alert_invoke::RunNowRequest;
use mozdef_aws::testing::Moto;
use mozdef_fn_alerts::handler::handle_payload;
use mozdef_service::AlertRunner;
use mozdef_store_dynamodb::DynamoSchedules;
use mozdef_store_embedded::EmbeddedStore;
use serde_json::{Value, json};
use support::bruteforce;

mod support;

fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("mozdef-runnow-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_now_payload_runs_the_named_alerts_at_its_time() {
    let moto = Moto::start().await;
    let sdk = moto.sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url =
        sqs.create_queue().queue_name(unique("queue")).send().await.unwrap().queue_url().unwrap().to_owned();
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), unique("schedules"));
    schedules.ensure_table().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    bruteforce(&store, "1.2.3.4", "2026-11-23T11:59:30+00:00").await;
    let catalogue = mozdef_alerts::catalogue::load(&ConfigSource::defaults());
    let runner = AlertRunner::new(
        catalogue.entries,
        Arc::new(store.clone()),
        Arc::new(schedules.clone()),
        Vec::new(),
        Arc::new(NoReverseDns),
        Arc::new(SqsAlertQueue::new(sqs.clone(), &queue_url)),
    );
    runner.sync_schedules().await.unwrap();
    // Hours after the request: the run happens at the request's time all the same.
    let now: DateTime<Utc> = "2026-11-23T18:00:00Z".parse().unwrap();
    let at: DateTime<Utc> = "2026-11-23T12:00:00Z".parse().unwrap();

    let payload = RunNowRequest::new(vec!["bruteforce_ssh.AlertBruteforceSsh".into()], at).to_payload();
    let ran = handle_payload(payload, &runner, now).await.unwrap();
    assert_eq!(ran, json!({"ran": ["bruteforce_ssh.AlertBruteforceSsh"], "raised": 1}));
    let received = sqs.receive_message().queue_url(&queue_url).max_number_of_messages(10).send().await.unwrap();
    let messages: Vec<Value> =
        received.messages().iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()).collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["_source"]["summary"], "10 ssh bruteforce attempts by 1.2.3.4 bastion1 (10 hits)");
    let stored = schedules.list().await.unwrap();
    let schedule = stored.iter().find(|s| s.name == "bruteforce_ssh.AlertBruteforceSsh").unwrap();
    assert_eq!(schedule.last_run_at, Some(at), "recorded at the request's time");
    assert_eq!(schedule.total_run_count, 1);
    assert!(stored.iter().filter(|s| s.name != schedule.name).all(|s| s.total_run_count == 0), "nothing else ran");

    // Without a time: now; every enabled alert when no name is given.
    let everything = handle_payload(json!({"mozdef-run": {}}), &runner, now).await.unwrap();
    assert_eq!(everything["ran"].as_array().unwrap().len(), 42, "every enabled alert: {everything}");
    assert_eq!(everything["raised"], 0, "{everything}");

    // Unknown names and malformed payloads fail the invocation, naming the problem.
    let unknown = handle_payload(json!({"mozdef-run": {"names": ["bruteforce"]}}), &runner, now).await.unwrap_err();
    assert_eq!(unknown.to_string(), "unknown alert \"bruteforce\"");
    let misspelt = handle_payload(json!({"mozdef-run": {"name": ["bruteforce_ssh"]}}), &runner, now).await.unwrap_err();
    assert!(misspelt.to_string().contains("unknown field `name`"), "{misspelt}");
    let neither = handle_payload(json!({"hello": "world"}), &runner, now).await.unwrap_err();
    assert!(
        format!("{neither:#}")
            .starts_with("payload is neither a run-now request (mozdef-run) nor an EventBridge scheduled event"),
        "{neither:#}"
    );

    // The EventBridge schedule still goes the scheduled way.
    let mut tick: Value = serde_json::from_str(include_str!("fixtures/eventbridge-scheduled.json")).unwrap();
    tick["time"] = json!("2026-11-23T18:01:00Z");
    let scheduled = handle_payload(tick, &runner, now).await.unwrap();
    assert!(!scheduled["ran"].as_array().unwrap().is_empty(), "{scheduled}");
}
