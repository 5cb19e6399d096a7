//! The schedule and locality stores on DynamoDB, through aws-sdk-dynamodb against moto (the AWS emulator
//! from PyPI, started on loopback): the same conformance check as SQLite.

use mozdef_aws::testing::Moto;
use mozdef_store::schedules::check_schedule_store;
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
        client,
        "mozdef-localities-test",
        std::time::Duration::from_secs(86_400),
    );
    store.ensure_table().await.unwrap_or_else(|e| panic!("create table: {e}"));
    mozdef_store::localities::check_locality_store(&store).await;
}
