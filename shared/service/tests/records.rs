//! Listing records over a real SQLite store: pages of a rare filter, read in growing chunks,
//! give every matching record once, in order, and a search that matches nothing stops at the
//! scan bound with a cursor to go on from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use mozdef_model::FixedClock;
use mozdef_service::records::{Collection, ListRequest, MAX_SCAN, Records, Whitelists};
use mozdef_store::{Author, NewRecord, Record};
use mozdef_store_embedded::{EmbeddedStore, SqliteRecords};
use serde_json::json;

#[tokio::test]
async fn pages_of_a_rare_filter_give_every_match_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let store = SqliteRecords::open(&dir.path().join("mozdef.sqlite")).unwrap();
    let total = MAX_SCAN + 3_000;
    let records: Vec<Record> = (0..total)
        .map(|n| {
            let at = start + Duration::seconds(n as i64);
            let sort = mozdef_service::records::fields::timestamp(&at);
            let category = if n % 97 == 0 { "rare" } else { "common" };
            let data = json!({"summary": format!("alert {n}"), "category": category, "utctimestamp": sort});
            let new = NewRecord { collection: "alerts", id: &format!("a{n:06}"), sort: &sort, data: &data };
            Record::created(new, Author { by: "mozdef", at })
        })
        .collect();
    store.import(&records).unwrap();
    let events = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let clock = Arc::new(FixedClock::new(start + Duration::days(1)));
    let service = Records::new(Arc::new(store), events, clock, Whitelists::default());

    let expected: Vec<String> = (0..total).rev().filter(|n| n % 97 == 0).map(|n| format!("a{n:06}")).collect();
    let (mut seen, mut cursor, mut pages) = (Vec::new(), None, 0);
    loop {
        let request = ListRequest {
            limit: 25,
            cursor: cursor.clone(),
            filters: vec![("category".into(), "rare".into())],
            ..ListRequest::default()
        };
        let page = service.list(Collection::Alerts, &request).await.unwrap();
        seen.extend(page.records.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        pages += 1;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 100, "the pages end");
    }
    assert_eq!(seen, expected, "every match once, newest first, across chunk and page boundaries");

    // Nothing matches: one request reads at most MAX_SCAN records and hands back a cursor.
    let request = ListRequest { limit: 25, text: Some("no such words".into()), ..ListRequest::default() };
    let page = service.list(Collection::Alerts, &request).await.unwrap();
    assert_eq!((page.records.len(), page.scanned), (0, MAX_SCAN));
    let rest = ListRequest { cursor: page.next.clone(), ..request };
    let page = service.list(Collection::Alerts, &rest).await.unwrap();
    assert_eq!((page.records.len(), page.scanned, page.next), (0, 3_000, None), "the rest, then the end");
}
