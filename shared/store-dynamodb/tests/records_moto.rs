//! The record store on DynamoDB, through aws-sdk-dynamodb against moto (the AWS emulator from
//! PyPI, on loopback): the same conformance check as SQLite, then what is DynamoDB's own: the
//! table's keys, listing keys that order awkward sort keys and ids as the pairs do, listing
//! items that move with the sort key, the feed's holes and voids, oversized records, presence
//! keys, and how failures are sorted.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{TimeZone, Utc};
use mozdef_aws::testing::Moto;
use mozdef_store::records::check_record_store;
use mozdef_store::{Author, ChangeKind, NewRecord, Presence, Record, RecordStore, Scan, StoreError};
use mozdef_store_dynamodb::DynamoRecords;
use serde_json::json;

/// A fresh table of our own (one moto may serve many tests at once: MOZDEF_TEST_MOTO_URL).
async fn fresh(moto: &Moto, what: &str) -> (Client, String, DynamoRecords) {
    let client = Client::new(&moto.sdk_config().await);
    let table = format!("mozdef-records-{what}-{}-{}", std::process::id(), Utc::now().timestamp_micros());
    let store = DynamoRecords::new(client.clone(), &table);
    store.ensure_table().await.unwrap_or_else(|e| panic!("create table: {e}"));
    (client, table, store)
}

fn author() -> Author<'static> {
    Author { by: "alice@example.com", at: Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap() }
}

async fn create(store: &DynamoRecords, collection: &str, id: &str, sort: &str) -> Record {
    let data = json!({"summary": id});
    store
        .create(NewRecord { collection, id, sort, data: &data }, author())
        .await
        .unwrap_or_else(|e| panic!("create {collection}/{id:?}: {e}"))
}

/// The items of one partition, read raw.
async fn partition(client: &Client, table: &str, pk: &str) -> Vec<std::collections::HashMap<String, AttributeValue>> {
    let out = client
        .query()
        .table_name(table)
        .consistent_read(true)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("query {pk}: {e}"));
    out.items().to_vec()
}

fn string(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_conform_on_dynamodb() {
    let moto = Moto::start().await;
    let (client, table, store) = fresh(&moto, "conform").await;
    store.ensure_table().await.unwrap_or_else(|e| panic!("ensure_table is idempotent: {e}"));
    check_record_store(&store).await;

    let described = client.describe_table().table_name(&table).send().await.unwrap();
    let keys: Vec<(&str, &str)> = described
        .table()
        .map(|t| t.key_schema().iter().map(|k| (k.attribute_name(), k.key_type().as_str())).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec![("pk", "HASH"), ("sk", "RANGE")]);
    let ttl = client.describe_time_to_live().table_name(&table).send().await.unwrap();
    let spec = ttl.time_to_live_description().unwrap();
    assert_eq!(spec.attribute_name(), Some("expires"));
    assert_eq!(spec.time_to_live_status().map(|s| s.as_str()), Some("ENABLED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_sort_keys_and_ids_list_in_pair_order() {
    let moto = Moto::start().await;
    let (_, _, store) = fresh(&moto, "order").await;
    let awkward = ["", "a", "a#", "a#b", "a\u{0}", "a\u{1}", "a\u{1}b", "a\u{2}", "a%23", "ab", "é"];
    let collection = "odd#collection";
    let mut pairs = Vec::new();
    for (n, sort) in awkward.iter().enumerate() {
        // Every sort key, each with three of the awkward ids (made unique in the collection).
        for id in awkward.iter().cycle().skip(n).take(3) {
            let id = format!("{id}{n:02}");
            create(&store, collection, &id, sort).await;
            pairs.push(((*sort).to_owned(), id));
        }
    }
    pairs.sort();
    pairs.reverse();
    let listed = |records: Vec<Record>| records.into_iter().map(|r| (r.sort, r.id)).collect::<Vec<_>>();
    let all = Scan { collection, sort_from: None, sort_to: None, after: None, limit: 1000 };
    assert_eq!(listed(store.scan(all).await.unwrap()), pairs);

    for page in [1, 2, 5] {
        let mut paged = Vec::new();
        let mut cursor: Option<(String, String)> = None;
        loop {
            let scan = Scan { limit: page, after: cursor.as_ref().map(|(s, i)| (s.as_str(), i.as_str())), ..all };
            let got = listed(store.scan(scan).await.unwrap());
            if got.is_empty() {
                break;
            }
            assert!(got.len() <= page);
            cursor = got.last().cloned();
            paged.extend(got);
        }
        assert_eq!(paged, pairs, "pages of {page}");
    }
    for from in awkward {
        for to in ["a", "a#", "a\u{0}", "a\u{1}", "é"] {
            let window = Scan { sort_from: Some(from), sort_to: Some(to), ..all };
            let expected: Vec<_> =
                pairs.iter().filter(|(s, _)| s.as_str() >= from && s.as_str() <= to).cloned().collect();
            assert_eq!(listed(store.scan(window).await.unwrap()), expected, "from {from:?} to {to:?}");
            let cursor = (to, "a01");
            let after = Scan { sort_from: Some(from), after: Some(cursor), ..all };
            let expected: Vec<_> = pairs
                .iter()
                .filter(|(s, i)| s.as_str() >= from && (s.as_str(), i.as_str()) < cursor)
                .cloned()
                .collect();
            assert_eq!(listed(store.scan(after).await.unwrap()), expected, "from {from:?} after {cursor:?}");
        }
    }

    // `#` in collections and ids cannot make two records one.
    create(&store, "x#y", "z", "s").await;
    create(&store, "x", "y#z", "s").await;
    assert_eq!(store.get("x#y", "z").await.unwrap().map(|r| r.collection), Some("x#y".to_owned()));
    assert_eq!(store.get("x", "y#z").await.unwrap().map(|r| r.id), Some("y#z".to_owned()));
    assert_eq!(store.get("x", "y").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sort_key_change_moves_the_listing_item() {
    let moto = Moto::start().await;
    let (client, table, store) = fresh(&moto, "move").await;
    let one = create(&store, "incidents", "one", "2026-12-01").await;
    create(&store, "incidents", "two", "2026-12-02").await;
    let data = json!({"summary": "moved"});
    let moved = store.update("incidents", "one", one.version, "2026-12-03", &data, author()).await.unwrap();
    assert_eq!(moved.sort, "2026-12-03");
    let all = Scan { collection: "incidents", sort_from: None, sort_to: None, after: None, limit: 10 };
    let listed: Vec<_> = store.scan(all).await.unwrap().into_iter().map(|r| (r.id, r.version)).collect();
    assert_eq!(listed, vec![("one".to_owned(), 2), ("two".to_owned(), 1)]);
    assert_eq!(partition(&client, &table, "rec#incidents").await.len(), 2, "the old listing item is gone");

    store.delete("incidents", "one", 2, author()).await.unwrap();
    assert_eq!(partition(&client, &table, "rec#incidents").await.len(), 1, "a deletion removes the listing item");
    assert!(partition(&client, &table, "id#incidents#one").await.is_empty());
    assert_eq!(partition(&client, &table, "hist#incidents#one").await.len(), 3, "the history stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_voids_its_number_and_readers_do_not_wait() {
    let moto = Moto::start().await;
    let (client, table, store) = fresh(&moto, "void").await;
    let first = create(&store, "incidents", "x", "s").await;
    let data = json!({});
    let clash = store.create(NewRecord { collection: "incidents", id: "x", sort: "t", data: &data }, author()).await;
    assert!(matches!(clash, Err(StoreError::Conflict(ref current)) if **current == first), "{clash:?}");
    let feed = partition(&client, &table, "feed").await;
    let kinds: Vec<_> = feed.iter().map(|i| (string(i, "sk"), string(i, "kind"))).collect();
    assert_eq!(
        kinds,
        vec![
            ("00000000000000000001".to_owned(), "created".to_owned()),
            ("00000000000000000002".to_owned(), "void".to_owned())
        ]
    );
    create(&store, "incidents", "y", "s").await;
    // The default stall (5 s) would show if the reader waited on the void.
    let started = std::time::Instant::now();
    let changes = store.changes(0, 10).await.unwrap();
    let seen: Vec<_> = changes.iter().map(|c| (c.seq, c.id.as_str())).collect();
    assert_eq!(seen, vec![(1, "x"), (3, "y")]);
    assert_eq!(store.head().await.unwrap(), 3);
    assert_eq!(store.changes(1, 10).await.unwrap().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(3), "no wait on a void");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_waits_on_a_hole_then_voids_it() {
    let moto = Moto::start().await;
    let (client, table, store) = fresh(&moto, "hole").await;
    let store = store.with_stall(Duration::from_millis(1500));
    // A writer that took sequence number 1 and died.
    client
        .update_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("counter".into()))
        .key("sk", AttributeValue::S("feed".into()))
        .update_expression("ADD seq :one")
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .send()
        .await
        .unwrap();
    create(&store, "incidents", "late", "s").await;
    assert_eq!(store.changes(0, 10).await.unwrap(), Vec::new(), "a fresh hole stops the feed");
    assert_eq!(store.head().await.unwrap(), 0, "head stays before the hole");

    tokio::time::sleep(Duration::from_millis(1700)).await;
    let changes = store.changes(0, 10).await.unwrap();
    assert_eq!(changes.iter().map(|c| (c.seq, c.kind)).collect::<Vec<_>>(), vec![(2, ChangeKind::Created)]);
    let hole = partition(&client, &table, "feed").await;
    assert_eq!(string(&hole[0], "kind"), "void", "the stalled number is voided, so a late writer fails");
    assert_eq!(store.head().await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_leave_a_feed_without_holes() {
    let moto = Moto::start().await;
    let (_, _, store) = fresh(&moto, "concurrent").await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..12 {
        let store = store.clone();
        tasks.spawn(async move { create(&store, "incidents", &format!("r{n:02}"), "s").await });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let changes = store.changes(0, 100).await.unwrap();
    assert_eq!(changes.len(), 12);
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    let mut ids: Vec<_> = changes.iter().map(|c| c.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "every change once");
    assert_eq!(store.head().await.unwrap(), changes.last().map(|c| c.seq).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_record_is_refused_naming_it() {
    let moto = Moto::start().await;
    let (_, _, store) = fresh(&moto, "size").await;
    let data = json!({"blob": "x".repeat(450_000)});
    let refused =
        store.create(NewRecord { collection: "incidents", id: "huge", sort: "s", data: &data }, author()).await;
    match refused {
        Err(e @ StoreError::Backend(_)) => {
            assert!(!e.is_retryable());
            let message = e.to_string();
            assert!(
                message.contains("\"huge\"") && message.contains("incidents") && message.contains("too large"),
                "{message}"
            );
        }
        other => panic!("an oversized record must be refused, got {other:?}"),
    }
    assert_eq!(store.get("incidents", "huge").await.unwrap(), None);
    create(&store, "incidents", "small", "s").await;
    let seen: Vec<_> = store.changes(0, 10).await.unwrap().into_iter().map(|c| (c.seq, c.id)).collect();
    assert_eq!(seen, vec![(2, "small".to_owned())], "the refused write's number is void");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_keys_take_any_user_and_activity_and_carry_the_ttl() {
    let moto = Moto::start().await;
    let (client, table, store) = fresh(&moto, "presence").await;
    let at = |seconds: i64, nanos: u32| Utc.timestamp_opt(1_800_000_000 + seconds, nanos).unwrap();
    let entry = |user: &str, activity: &str, expires| Presence {
        collection: "incidents".into(),
        id: "a#1".into(),
        user: user.into(),
        activity: activity.into(),
        expires,
    };
    let odd = [entry("a#b", "c", at(60, 500)), entry("a", "b#c", at(60, 0)), entry("a%23b", "c", at(30, 0))];
    for presence in &odd {
        store.touch_presence(presence).await.unwrap();
    }
    let alive = store.presence("incidents", "a#1", at(0, 0)).await.unwrap();
    assert_eq!(alive, vec![odd[1].clone(), odd[0].clone(), odd[2].clone()], "by user, then activity");
    assert_eq!(store.presence("incidents", "a#1", at(30, 0)).await.unwrap(), vec![odd[1].clone(), odd[0].clone()]);
    assert_eq!(store.presence("incidents", "a", at(0, 0)).await.unwrap(), Vec::new());

    let items = partition(&client, &table, "presence#incidents#a%231").await;
    let mut ttl: Vec<_> = items.iter().map(|i| i.get("expires").and_then(|v| v.as_n().ok()).cloned()).collect();
    ttl.sort();
    let seconds = |s: i64| Some((1_800_000_000 + s).to_string());
    assert_eq!(ttl, vec![seconds(30), seconds(60), seconds(61)], "the TTL rounds a fraction up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_an_error_naming_it_and_an_unreachable_one_is_retryable() {
    let moto = Moto::start().await;
    let client = Client::new(&moto.sdk_config().await);
    let store = DynamoRecords::new(client, "mozdef-records-never-created");
    let error = store.get("incidents", "a").await.err().map(|e| (e.is_retryable(), e.to_string()));
    let (retryable, message) = error.unwrap_or_else(|| panic!("a missing table is an error"));
    assert!(!retryable, "{message}");
    assert!(message.contains("ResourceNotFound") && message.contains("mozdef-records-never-created"), "{message}");

    let dead = Moto::at("http://127.0.0.1:9");
    let store = DynamoRecords::new(Client::new(&dead.sdk_config().await), "t");
    let error = store.changes(0, 10).await.err().unwrap_or_else(|| panic!("nothing listens on port 9"));
    assert!(error.is_retryable(), "{error}");
    let data = json!({});
    let error = store
        .create(NewRecord { collection: "incidents", id: "a", sort: "s", data: &data }, author())
        .await
        .err()
        .unwrap_or_else(|| panic!("nothing listens on port 9"));
    assert!(error.is_retryable(), "{error}");
}
