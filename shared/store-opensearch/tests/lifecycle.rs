#![allow(clippy::unwrap_used, clippy::expect_used)]
//! MozDef's index lifecycle (rotateIndexes, closeIndices, pruneIndexes) on a real OpenSearch
//! node: templates, daily and monthly indices, atomic alias moves, closing, pruning and
//! idempotency, with an injected clock.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use mozdef_store::{EventStore, IndexRequest, ItemOutcome};
use mozdef_store_opensearch::lifecycle::{Change, LifecycleConfig, close_old, prune, rotate, run_maintenance};
use mozdef_store_opensearch::testing::{isolated_store, test_lifecycle};
use mozdef_store_opensearch::{Client, list};
use opensearch::http::Method;
use serde_json::{Value, json};

/// Half past midnight UTC: the cron's hour, and the first minutes of the new day.
fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 30, 0).single().expect("a valid date")
}

/// The managed aliases and the indices they point at, in MozDef names, sorted.
async fn aliases(client: &Client) -> BTreeMap<String, Vec<String>> {
    let path = format!("/{}*/_alias", client.prefix());
    let answer = client.json(Method::Get, &path, &[("expand_wildcards", "open,closed")], None).await.unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (index, entry) in answer.as_object().unwrap() {
        for alias in entry["aliases"].as_object().unwrap().keys() {
            let alias = client.logical(alias).unwrap().to_owned();
            out.entry(alias).or_default().push(client.logical(index).unwrap().to_owned());
        }
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

/// The raw alias state of the prefix, for byte-for-byte comparisons.
async fn raw_aliases(client: &Client) -> Value {
    let path = format!("/{}*/_alias", client.prefix());
    client.json(Method::Get, &path, &[("expand_wildcards", "open,closed")], None).await.unwrap()
}

fn alias_map(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs.iter().map(|(a, i)| ((*a).to_owned(), i.iter().map(|s| (*s).to_owned()).collect())).collect()
}

async fn create(client: &Client, name: &str) {
    let body = json!({"settings": {"index": {"number_of_replicas": 0}}});
    client.json(Method::Put, &format!("/{}", client.physical(name)), &[], Some(body)).await.unwrap();
}

async fn close(client: &Client, name: &str) {
    client.json(Method::Post, &format!("/{}/_close", client.physical(name)), &[], None).await.unwrap();
}

/// (name, open) of every MozDef index of the prefix.
async fn states(client: &Client) -> Vec<(String, bool)> {
    list(client).await.unwrap().into_iter().map(|i| (i.name, i.open)).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn moved(alias: &str, added: &[&str], removed: &[&str]) -> Change {
    Change::AliasMoved { alias: alias.into(), added: names(added), removed: names(removed) }
}

#[tokio::test]
async fn rotated_indices_carry_the_template_and_settings() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    // A limit that differs from the one isolated_store installed: the template is replaced.
    let config = LifecycleConfig { total_fields_limit: 1234, ..test_lifecycle() };
    let now = at(2026, 3, 1);
    let changes = rotate(client, &config, now).await.unwrap();
    assert_eq!(
        changes,
        vec![
            Change::TemplateInstalled,
            Change::IndexCreated("events-20260301".into()),
            Change::IndexCreated("alerts-202603".into()),
            moved("alerts", &["alerts-202603"], &[]),
            moved("events", &["events-20260301"], &[]),
            moved("events-weekly", &["events-20260301"], &[]),
        ]
    );

    // Documents through the store: dynamic strings and numbers become keywords, a date-like
    // string is no date.
    let doc = json!({
        "summary": "Failed password for bob", "utctimestamp": "2026-03-01T00:29:00+00:00",
        "details": {"sourceipaddress": "10.1.2.3", "success": false, "username": "bob",
            "count": 42, "ratio": 0.5, "seen": "2026-03-01T00:00:00Z"},
    });
    let requests: Vec<IndexRequest> = ["events-20260301", "alerts-202603"]
        .iter()
        .map(|index| IndexRequest {
            index: (*index).into(),
            id: "doc-1".into(),
            source: doc.as_object().unwrap().clone(),
        })
        .collect();
    assert_eq!(store.index(&requests).await.unwrap(), vec![ItemOutcome::Indexed; 2]);

    for index in ["events-20260301", "alerts-202603"] {
        let physical = client.physical(index);
        let mapping = client.json(Method::Get, &format!("/{physical}/_mapping"), &[], None).await.unwrap();
        let mapping = &mapping[&physical]["mappings"];
        assert_eq!(mapping["date_detection"], json!(false), "{index}");
        let props = &mapping["properties"];
        assert_eq!(props["summary"]["type"], "text", "{index}");
        assert_eq!(props["utctimestamp"]["type"], "date", "{index}");
        let details = &props["details"]["properties"];
        assert_eq!(details["sourceipaddress"]["type"], "ip", "{index}");
        assert_eq!(details["success"]["type"], "boolean", "{index}");
        for dynamic in ["username", "count", "ratio", "seen"] {
            assert_eq!(details[dynamic]["type"], "keyword", "{index}: details.{dynamic}");
        }

        let answer = client.json(Method::Get, &format!("/{physical}/_settings"), &[], None).await.unwrap();
        let settings = &answer[&physical]["settings"]["index"];
        assert_eq!(settings["mapping"]["total_fields"]["limit"], "1234", "{index}");
        assert_eq!(settings["number_of_shards"], "1", "{index}");
        assert_eq!(settings["number_of_replicas"], "0", "{index}");
        assert_eq!(settings["refresh_interval"], "1s", "{index}");
    }

    // The same day again: nothing to do.
    assert_eq!(rotate(client, &config, now).await.unwrap(), vec![]);
}

#[tokio::test]
async fn rotation_follows_the_day_and_the_month() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    let config = test_lifecycle();

    let day1 = at(2026, 2, 28);
    rotate(client, &config, day1).await.unwrap();
    assert_eq!(
        aliases(client).await,
        alias_map(&[
            ("alerts", &["alerts-202602"]),
            ("events", &["events-20260228"]),
            ("events-weekly", &["events-20260228"]),
        ])
    );

    let day2 = at(2026, 3, 1);
    let changes = rotate(client, &config, day2).await.unwrap();
    assert_eq!(
        changes,
        vec![
            Change::IndexCreated("events-20260301".into()),
            Change::IndexCreated("alerts-202603".into()),
            moved("alerts", &["alerts-202603"], &["alerts-202602"]),
            moved("alerts-previous", &["alerts-202602"], &[]),
            moved("events", &["events-20260301"], &["events-20260228"]),
            moved("events-previous", &["events-20260228"], &[]),
            moved("events-weekly", &["events-20260301"], &[]),
        ]
    );
    assert_eq!(
        aliases(client).await,
        alias_map(&[
            ("alerts", &["alerts-202603"]),
            ("alerts-previous", &["alerts-202602"]),
            ("events", &["events-20260301"]),
            ("events-previous", &["events-20260228"]),
            ("events-weekly", &["events-20260228", "events-20260301"]),
        ])
    );

    // A missed day: events-previous follows the calendar, not the last run, and points at
    // nothing when yesterday's index does not exist.
    let day4 = at(2026, 3, 3);
    rotate(client, &config, day4).await.unwrap();
    let after = aliases(client).await;
    assert_eq!(after.get("events-previous"), None);
    assert_eq!(after["events"], names(&["events-20260303"]));
    assert_eq!(after["events-weekly"], names(&["events-20260228", "events-20260301", "events-20260303"]));
    assert_eq!(after["alerts-previous"], names(&["alerts-202602"]));
}

#[tokio::test]
async fn events_weekly_covers_open_indices_of_the_last_seven_days() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    for day in ["20260220", "20260221", "20260222", "20260225", "20260226", "20260228"] {
        create(client, &format!("events-{day}")).await;
    }
    // A stale weekly alias on an index that has left the window.
    client
        .json(
            Method::Post,
            "/_aliases",
            &[],
            Some(json!({"actions": [{"add": {
                "index": client.physical("events-20260220"), "alias": client.physical("events-weekly")}}]})),
        )
        .await
        .unwrap();
    // A closed index in the window: an alias with it would make every search on it fail.
    close(client, "events-20260226").await;

    let now = at(2026, 3, 1);
    let changes = rotate(client, &test_lifecycle(), now).await.unwrap();
    assert!(
        changes.contains(&moved(
            "events-weekly",
            &["events-20260222", "events-20260225", "events-20260228", "events-20260301"],
            &["events-20260220"],
        )),
        "{changes:?}"
    );
    let after = aliases(client).await;
    assert_eq!(
        after["events-weekly"],
        names(&["events-20260222", "events-20260225", "events-20260228", "events-20260301"]),
        "7 days ago (22nd) through today, open indices only"
    );
    assert_eq!(after["events-previous"], names(&["events-20260228"]));
}

#[tokio::test]
async fn prune_deletes_exactly_what_is_past_retention() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    let config =
        LifecycleConfig { events_prune_after_days: Some(30), alerts_prune_after_months: Some(3), ..test_lifecycle() };
    let now = at(2026, 3, 15);
    let all = [
        "alerts-202511",
        "alerts-202512", // exactly 3 months old: pruned
        "alerts-202601",
        "alerts-202603",
        "alerts-202604",
        "events-20251201",
        "events-20260101",
        "events-20260213", // exactly 30 days old: pruned
        "events-20260214",
        "events-20260315",
        "events-20260401",
        "vulnerabilities",
    ];
    for name in all {
        create(client, name).await;
    }
    close(client, "events-20251201").await;

    // No retention configured: nothing goes.
    assert_eq!(prune(client, &test_lifecycle(), now).await.unwrap(), vec![]);
    assert_eq!(states(client).await.len(), all.len());

    let changes = prune(client, &config, now).await.unwrap();
    assert_eq!(
        changes,
        ["alerts-202511", "alerts-202512", "events-20251201", "events-20260101", "events-20260213"]
            .map(|n| Change::IndexDeleted(n.into()))
            .to_vec()
    );
    let left: Vec<String> = states(client).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        left,
        names(&[
            "alerts-202601",
            "alerts-202603",
            "alerts-202604",
            "events-20260214",
            "events-20260315",
            "events-20260401",
            "vulnerabilities"
        ])
    );
    assert_eq!(prune(client, &config, now).await.unwrap(), vec![]);

    // A retention of a day never takes today's or this month's index.
    let tight =
        LifecycleConfig { events_prune_after_days: Some(1), alerts_prune_after_months: Some(1), ..test_lifecycle() };
    let changes = prune(client, &tight, now).await.unwrap();
    assert_eq!(changes, ["alerts-202601", "events-20260214"].map(|n| Change::IndexDeleted(n.into())).to_vec());
}

#[tokio::test]
async fn close_old_closes_open_indices_past_the_age() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    let config = LifecycleConfig { events_close_after_days: Some(15), ..test_lifecycle() };
    let now = at(2026, 3, 20);
    for name in [
        "alerts-202601",
        "events-20260201",
        "events-20260301",
        "events-20260305", // exactly 15 days old: closed
        "events-20260306",
        "events-20260320",
    ] {
        create(client, name).await;
    }
    close(client, "events-20260201").await;

    assert_eq!(close_old(client, &test_lifecycle(), now).await.unwrap(), vec![]);
    let changes = close_old(client, &config, now).await.unwrap();
    assert_eq!(
        changes,
        ["events-20260301", "events-20260305"].map(|n| Change::IndexClosed(n.into())).to_vec(),
        "the index closed already is no change"
    );
    assert_eq!(
        states(client).await,
        vec![
            ("alerts-202601".to_owned(), true),
            ("events-20260201".to_owned(), false),
            ("events-20260301".to_owned(), false),
            ("events-20260305".to_owned(), false),
            ("events-20260306".to_owned(), true),
            ("events-20260320".to_owned(), true),
        ]
    );
    assert_eq!(close_old(client, &config, now).await.unwrap(), vec![]);
}

#[tokio::test]
async fn maintenance_twice_changes_nothing_the_second_time() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    // Closing inside the weekly window on purpose: the closed index must leave events-weekly
    // in the same run.
    let config = LifecycleConfig {
        events_close_after_days: Some(5),
        events_prune_after_days: Some(20),
        alerts_prune_after_months: Some(2),
        ..test_lifecycle()
    };
    let now = at(2026, 3, 10);
    // Events through the store (auto-created daily indices), and a few empty old indices.
    let requests: Vec<IndexRequest> = (0..25)
        .map(|back| {
            let day = now - chrono::Duration::days(back);
            IndexRequest {
                index: mozdef_store::indices::events_index(day),
                id: format!("ev-{back}"),
                source: json!({"summary": format!("event {back}"), "utctimestamp": day.to_rfc3339()})
                    .as_object()
                    .unwrap()
                    .clone(),
            }
        })
        .collect();
    assert!(store.index(&requests).await.unwrap().iter().all(|o| *o == ItemOutcome::Indexed));
    for name in ["alerts-202512", "alerts-202601", "alerts-202602"] {
        create(client, name).await;
    }

    let first = run_maintenance(client, &config, now).await.unwrap();
    assert!(first.contains(&Change::IndexCreated("alerts-202603".into())), "{first:?}");
    assert!(first.contains(&Change::IndexClosed("events-20260305".into())), "{first:?}");
    assert!(first.contains(&Change::IndexDeleted("events-20260218".into())), "{first:?}");
    assert!(first.contains(&Change::IndexDeleted("alerts-202601".into())), "{first:?}");
    let state = raw_aliases(client).await;
    let indices = states(client).await;
    let after = aliases(client).await;
    assert_eq!(
        after["events-weekly"],
        names(&["events-20260306", "events-20260307", "events-20260308", "events-20260309", "events-20260310"])
    );
    assert_eq!(after["events-previous"], names(&["events-20260309"]));
    assert_eq!(after["alerts-previous"], names(&["alerts-202602"]));
    assert_eq!(indices.iter().filter(|(n, _)| n.starts_with("events-")).count(), 20, "{indices:?}");

    assert_eq!(run_maintenance(client, &config, now).await.unwrap(), vec![]);
    assert_eq!(rotate(client, &config, now).await.unwrap(), vec![]);
    assert_eq!(raw_aliases(client).await, state);
    assert_eq!(states(client).await, indices);
}

#[tokio::test]
async fn concurrent_rotations_agree() {
    let (store, _cleanup) = isolated_store().await;
    let client = store.client();
    let config = test_lifecycle();
    rotate(client, &config, at(2026, 3, 31)).await.unwrap();

    let now = at(2026, 4, 1);
    let (a, b) = tokio::join!(rotate(client, &config, now), rotate(client, &config, now));
    let (a, b) = (a.unwrap(), b.unwrap());
    let created = |changes: &[Change]| changes.iter().filter(|c| matches!(c, Change::IndexCreated(_))).count();
    assert_eq!(created(&a) + created(&b), 2, "each index is created once: {a:?} {b:?}");
    assert_eq!(
        aliases(client).await,
        alias_map(&[
            ("alerts", &["alerts-202604"]),
            ("alerts-previous", &["alerts-202603"]),
            ("events", &["events-20260401"]),
            ("events-previous", &["events-20260331"]),
            ("events-weekly", &["events-20260331", "events-20260401"]),
        ])
    );
    assert_eq!(rotate(client, &config, now).await.unwrap(), vec![]);
}
