//! The schedule and locality stores on DynamoDB, through aws-sdk-dynamodb against moto (the AWS emulator
//! from PyPI, started on loopback): the same conformance check as SQLite.

use mozdef_alerts::testing::check_schedule_store;
use mozdef_aws::testing::Moto;
use mozdef_store_dynamodb::DynamoSchedules;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_conform_on_dynamodb() {
    let moto = Moto::start().await;
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let store = DynamoSchedules::new(client, "mozdef-alertschedules-test");
    if let Err(e) = store.ensure_table().await {
        panic!("create table: {e}");
    }
    store.ensure_table().await.unwrap_or_else(|e| panic!("ensure_table is idempotent: {e}"));
    check_schedule_store(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localities_conform_on_dynamodb() {
    let moto = Moto::start().await;
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let store = mozdef_store_dynamodb::DynamoLocalities::new(
        client.clone(),
        "mozdef-localities-test",
        std::time::Duration::from_secs(86_400),
    );
    store.ensure_table().await.unwrap_or_else(|e| panic!("create table: {e}"));
    mozdef_alerts::testing::check_locality_store(&store).await;
    // Stale users vanish through the table's TTL on `expires_at`, which every write sets.
    let ttl = client
        .describe_time_to_live()
        .table_name("mozdef-localities-test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let spec = ttl.time_to_live_description().unwrap_or_else(|| panic!("no TTL description"));
    assert_eq!(spec.attribute_name(), Some("expires_at"));
    assert_eq!(spec.time_to_live_status().map(|s| s.as_str()), Some("ENABLED"));
    let item = client
        .get_item()
        .table_name("mozdef-localities-test")
        .key("id", aws_sdk_dynamodb::types::AttributeValue::S("user:alice".into()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expires: i64 = item
        .item()
        .and_then(|i| i.get("expires_at"))
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    assert!((now + 86_000..=now + 86_500).contains(&expires), "expires_at {expires} is a day from now");
}
