//! The shipper token store on DynamoDB, through aws-sdk-dynamodb against moto (the AWS
//! emulator from PyPI, on loopback): the same conformance check as SQLite, and the table's
//! key schema as the CloudFormation template must declare it.

use mozdef_aws::testing::Moto;
use mozdef_store::shipper_tokens::check_shipper_token_store;
use mozdef_store_dynamodb::DynamoShipperTokens;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipper_tokens_conform_on_dynamodb() {
    let moto = Moto::start().await;
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    // One moto may serve many tests at once (MOZDEF_TEST_MOTO_URL): a table of our own.
    let table = format!("mozdef-shipper-tokens-{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let store = DynamoShipperTokens::new(client.clone(), &table);
    store.ensure_table().await.unwrap_or_else(|e| panic!("create table: {e}"));
    store.ensure_table().await.unwrap_or_else(|e| panic!("ensure_table is idempotent: {e}"));
    check_shipper_token_store(&store).await;

    let described = client.describe_table().table_name(&table).send().await.unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<(&str, &str)> = described
        .table()
        .map(|t| t.key_schema().iter().map(|k| (k.attribute_name(), k.key_type().as_str())).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec![("hash", "HASH")], "partition key `hash`, no sort key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_an_error_naming_it_and_an_unreachable_one_is_retryable() {
    let moto = Moto::start().await;
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let store = DynamoShipperTokens::new(client, "mozdef-shipper-tokens-never-created");
    let error = mozdef_store::ShipperTokenStore::find(&store, &"a".repeat(64))
        .await
        .err()
        .map(|e| (e.is_retryable(), e.to_string()));
    let (retryable, message) = error.unwrap_or_else(|| panic!("a missing table is an error"));
    assert!(!retryable, "{message}");
    assert!(message.contains("ResourceNotFound"), "{message}");

    let dead = Moto::at("http://127.0.0.1:9");
    let client = aws_sdk_dynamodb::Client::new(&dead.sdk_config().await);
    let store = DynamoShipperTokens::new(client, "t");
    let error = mozdef_store::ShipperTokenStore::list(&store)
        .await
        .err()
        .unwrap_or_else(|| panic!("nothing listens on port 9"));
    assert!(error.is_retryable(), "{error}");
}
