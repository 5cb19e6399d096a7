//! Random documents in a real tantivy index × random queries: the store's answers (total,
//! ranked hits, aggregations) equal the evaluator's over every document, whether the index
//! plan counts inside the index (exact plans), narrows the candidates, or is not used.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mozdef_query::testing::{Rng, random_doc, random_query};
use mozdef_query::{Aggregation, Hit, TermsAggregator, TopHits};
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest};
use mozdef_store_embedded::{EmbeddedStore, SearchLimits};
use serde_json::{Value, json};

const DOCS: usize = 1500;
const QUERIES: usize = 400;
const INDEX: &str = "events-20160713";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 7, 13, 21, 0, 0).single().unwrap()
}

/// Patterns read from the term dictionary (no cutoff), and left to the evaluator when the
/// rest of the plan is selective (the default cutoff is above this corpus).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_answers_equal_the_evaluator() {
    for scan_cutoff in [0, SearchLimits::default().scan_cutoff] {
        compare(SearchLimits { scan_cutoff, ..SearchLimits::default() }).await;
    }
}

#[tokio::test]
async fn an_aggregation_past_its_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        EmbeddedStore::open_with(dir.path(), SearchLimits { max_aggregation_keys: 10, ..SearchLimits::default() })
            .unwrap();
    let requests: Vec<IndexRequest> = (0..11)
        .map(|i| {
            let source = json!({"details": {"user": format!("user{i}")}, "utctimestamp": "2016-07-13T20:58:43+00:00"});
            let Value::Object(source) = source else { unreachable!() };
            IndexRequest { index: INDEX.to_owned(), id: format!("e{i}"), source }
        })
        .collect();
    store.index(&requests).await.unwrap();
    store.refresh().await.unwrap();
    let mut query = mozdef_query::SearchQuery::new(None);
    query.aggregations.push(Aggregation { field: "details.user".into(), size: 5 });
    let indices = vec![INDEX.to_owned()];
    let err = store.search(SearchRequest { indices: &indices, query: &query, size: 0, now: now() }).await.unwrap_err();
    assert!(matches!(err, mozdef_store::StoreError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("details.user has more than 10 distinct values"), "{err}");
    // Ten distinct values are within the limit.
    query.add_must(mozdef_query::Match::wildcard("details.user", "user?"));
    let ok = store.search(SearchRequest { indices: &indices, query: &query, size: 0, now: now() }).await.unwrap();
    assert_eq!(ok.total, Some(10));
}

async fn compare(limits: SearchLimits) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_with(dir.path(), limits).unwrap();
    let mut rng = Rng::new(0x5704_2026_1207);
    let docs: Vec<(String, mozdef_query::Document)> = (0..DOCS)
        .map(|i| {
            let doc = match random_doc(&mut rng) {
                Value::Array(mut items) => items.pop().unwrap_or_else(|| json!({})),
                d => d,
            };
            let Value::Object(map) = doc else { unreachable!("random documents are objects") };
            (format!("doc{i:04}"), map)
        })
        .collect();
    let requests: Vec<IndexRequest> = docs
        .iter()
        .map(|(id, source)| IndexRequest { index: INDEX.to_owned(), id: id.clone(), source: source.clone() })
        .collect();
    for chunk in requests.chunks(500) {
        let outcomes = store.index(chunk).await.unwrap();
        assert!(outcomes.iter().all(|o| *o == ItemOutcome::Indexed), "{outcomes:?}");
    }
    store.refresh().await.unwrap();

    let values: Vec<Value> = docs.iter().map(|(_, source)| Value::Object(source.clone())).collect();
    let indices = vec![INDEX.to_owned()];
    let (mut compared, mut with_hits, mut aggregated) = (0, 0, 0);
    for qi in 0..QUERIES {
        let mut query = random_query(&mut rng);
        if rng.chance(0.30) {
            query.window = Some(Duration::minutes(*rng.pick(&[10_i64, 60, 1440, 2880])));
        }
        if qi % 5 == 0 {
            let field = *rng.pick(&["details.user", "summary", "details.sourceipaddress", "category"]);
            query.aggregations.push(Aggregation { field: field.to_owned(), size: 5 });
        }
        let Ok(compiled) = query.compile() else { continue };
        let size = *rng.pick(&[0_usize, 3, 20]);
        let got = store
            .search(SearchRequest { indices: &indices, query: &query, size, now: now() })
            .await
            .unwrap_or_else(|e| panic!("{query:?}: {e}"));

        let mut best = TopHits::new(size);
        let mut aggregator = TermsAggregator::new(&query.aggregations);
        for ((id, source), value) in docs.iter().zip(&values) {
            if compiled.matches(value, now()) {
                aggregator.add(value);
                best.offer(Hit { id: id.clone(), index: INDEX.to_owned(), score: 1.0, source: source.clone() });
            }
        }
        let (total, hits) = best.finish();
        let ids = |hits: &[Hit]| hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(got.total, Some(total), "total of {query:?}");
        assert_eq!(ids(&got.hits), ids(&hits), "hits of {query:?}");
        if !query.aggregations.is_empty() {
            assert_eq!(got.aggregations, Some(aggregator.finish()), "aggregations of {query:?}");
            aggregated += 1;
        }
        compared += 1;
        with_hits += usize::from(total > 0);
    }
    // The comparison must be exercised, not pass vacuously.
    assert!(compared > QUERIES / 2, "{compared}");
    assert!(with_hits > compared / 3, "{with_hits} of {compared}");
    assert!(aggregated > 40, "{aggregated}");
}
