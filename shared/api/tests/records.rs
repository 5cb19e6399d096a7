//! The incident handlers' routes through `oneshot` on the embedded store and SQLite records:
//! each route's success, its validation failures (400 naming the field), 404, 409 on a stale
//! version; escalation linking both ways; the lists' refusals and feeds; MozDef's routes;
//! the change feed delivering another client's edit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use mozdef_api::{ApiState, api_router};
use mozdef_model::FixedClock;
use mozdef_service::records::{Records, Whitelists};
use mozdef_store::{EventStore, IndexRequest};
use mozdef_store_embedded::{EmbeddedStore, SqliteRecords, SqliteSchedules};
use serde_json::{Value, json};
use tower::ServiceExt;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

struct Harness {
    state: ApiState,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let alert = json!({
        "utctimestamp": "2026-12-07T11:58:00+00:00", "severity": "NOTICE", "category": "bruteforce",
        "summary": "10.0.0.1 received 12 failed ssh logins", "tags": ["ssh"], "events": [],
    });
    let source = alert.as_object().unwrap().clone();
    store.index(&[IndexRequest { index: "alerts-202612".into(), id: "alert1".into(), source }]).await.unwrap();
    store.refresh().await.unwrap();
    let database = dir.path().join("mozdef.sqlite");
    let clock = Arc::new(FixedClock::new(now()));
    let whitelists = Whitelists {
        networks: mozdef_service::lists::NetworkWhitelist::new(["9.9.9.0/24"]).unwrap(),
        ..Whitelists::default()
    };
    let store: Arc<dyn EventStore> = Arc::new(store);
    let records =
        Records::new(Arc::new(SqliteRecords::open(&database).unwrap()), store.clone(), clock.clone(), whitelists);
    let state = ApiState {
        records: Some(records),
        ..ApiState::new(store, Arc::new(SqliteSchedules::open(&database).unwrap()), clock.clone())
    };
    Harness { state, clock, _dir: dir }
}

async fn call(h: &Harness, method: Method, uri: &str, body: impl Into<Body>) -> (StatusCode, Value) {
    let request = Request::builder().method(method).uri(uri).body(body.into()).unwrap();
    let response = api_router(h.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

async fn send(h: &Harness, method: Method, uri: &str, body: Value) -> (StatusCode, Value) {
    call(h, method, uri, body.to_string()).await
}

/// A 400 whose error names `field` first.
fn assert_names(answer: (StatusCode, Value), field: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    let error = answer.1["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.starts_with(&format!("{field}:")), "the error names {field}: {error}");
}

#[tokio::test]
async fn incidents_are_created_listed_edited_with_versions_and_deleted_by_their_creator() {
    let h = harness().await;
    let body = json!({"summary": "Phishing wave", "phase": "Identification", "tags": ["action.social.variety.Phishing"],
        "theories": [{"summary": "a kit", "status": "unverified"}], "mitigations": [{"summary": "block sender", "temporary": true, "status": "planned"}]});
    let (status, created) = send(&h, Method::POST, "/api/incidents", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["version"], 1);
    assert_eq!(created["creator"], "anonymous@localhost");
    assert_eq!(created["dateOpened"], "2026-12-07T12:00:00.000000Z");
    assert_eq!(created["mitigations"][0]["temporary"], true);

    // Validation: each a 400 naming the field.
    assert_names(send(&h, Method::POST, "/api/incidents", json!({"phase": "Closed"})).await, "summary");
    assert_names(send(&h, Method::POST, "/api/incidents", json!({"summary": "s", "phase": "Done"})).await, "phase");
    assert_names(
        send(&h, Method::POST, "/api/incidents", json!({"summary": "s", "tags": ["not.a.tag"]})).await,
        "tags[0]",
    );
    assert_names(
        send(&h, Method::POST, "/api/incidents", json!({"summary": "s", "dateClosed": "soon"})).await,
        "dateClosed",
    );
    assert_names(send(&h, Method::POST, "/api/incidents", json!({"summary": "s", "colour": "red"})).await, "colour");
    assert_names(send(&h, Method::POST, "/api/incidents", json!({"summary": "s", "evidence": []})).await, "evidence");
    assert_names(call(&h, Method::POST, "/api/incidents", "{not json").await, "body");
    assert_eq!(call(&h, Method::GET, "/api/incidents/nope", Body::empty()).await.0, StatusCode::NOT_FOUND);

    // Edit at the version read; a stale version is a 409 carrying the current record.
    let mut edit = created.clone();
    edit["phase"] = json!("Containment");
    let (status, edited) = send(&h, Method::PUT, &format!("/api/incidents/{id}"), edit.clone()).await;
    assert_eq!(
        (status, edited["version"].clone(), edited["phase"].clone()),
        (StatusCode::OK, json!(2), json!("Containment"))
    );
    assert_eq!(edited["creator"], "anonymous@localhost", "the server keeps the creator");
    edit["summary"] = json!("a lost update");
    let (status, conflict) = send(&h, Method::PUT, &format!("/api/incidents/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["current"]["version"], 2);
    assert_eq!(conflict["current"]["phase"], "Containment");
    let mut no_version = edit.clone();
    no_version.as_object_mut().unwrap().remove("version");
    assert_names(send(&h, Method::PUT, &format!("/api/incidents/{id}"), no_version).await, "version");
    assert_eq!(send(&h, Method::PUT, "/api/incidents/nope", edit.clone()).await.0, StatusCode::NOT_FOUND);

    // Lists: filters, text search, pages.
    for n in 0..5 {
        let body = json!({"summary": format!("other {n}"), "phase": "Closed", "dateOpened": format!("2026-12-0{} 10:00 am", n + 1)});
        assert_eq!(send(&h, Method::POST, "/api/incidents", body).await.0, StatusCode::CREATED);
    }
    let (status, page) = call(&h, Method::GET, "/api/incidents?limit=2&phase=Closed", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let summaries = |page: &Value| {
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["summary"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(summaries(&page), vec!["other 4", "other 3"], "newest first by opening date");
    let next = page["next"].as_str().unwrap();
    let (_, page2) =
        call(&h, Method::GET, &format!("/api/incidents?limit=2&phase=Closed&cursor={next}"), Body::empty()).await;
    assert_eq!(summaries(&page2), vec!["other 2", "other 1"]);
    let (_, found) = call(&h, Method::GET, "/api/incidents?q=PHISHING", Body::empty()).await;
    assert_eq!(summaries(&found), vec!["Phishing wave"]);
    let (_, tagged) = call(&h, Method::GET, "/api/incidents?tags=action.social.variety.Phishing", Body::empty()).await;
    assert_eq!(summaries(&tagged), vec!["Phishing wave"]);
    assert_names(call(&h, Method::GET, "/api/incidents?colour=red", Body::empty()).await, "colour");
    assert_names(call(&h, Method::GET, "/api/incidents?limit=0", Body::empty()).await, "limit");
    assert_names(call(&h, Method::GET, "/api/incidents?cursor=garbage", Body::empty()).await, "cursor");

    // History: who changed what, oldest first.
    let (status, history) = call(&h, Method::GET, &format!("/api/history/incidents/{id}"), Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<_> =
        history["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, vec!["created", "updated"]);

    // MozDef's POST /incident: the body's creator, who alone may delete it.
    let mozdef = json!({"summary": "from a script", "phase": "Identification", "creator": "jane@example.com", "dateOpened": "2026-12-06 09:30 pm"});
    let (status, answer) = send(&h, Method::POST, "/api/incident", mozdef).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["message"], "Incident: from a script added.");
    let other = answer["id"].as_str().unwrap();
    assert_names(
        send(
            &h,
            Method::POST,
            "/api/incident",
            json!({"summary": "s", "phase": "Identification", "creator": "nobody"}),
        )
        .await,
        "creator",
    );
    assert_names(
        send(&h, Method::POST, "/api/incident/", json!({"summary": "s", "creator": "a@b.org"})).await,
        "phase",
    );
    let (status, refused) = call(&h, Method::DELETE, &format!("/api/incidents/{other}?version=1"), Body::empty()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the creator deletes: {refused}");
    assert_names(call(&h, Method::DELETE, &format!("/api/incidents/{id}"), Body::empty()).await, "version");
    assert_eq!(
        call(&h, Method::DELETE, &format!("/api/incidents/{id}?version=1"), Body::empty()).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        call(&h, Method::DELETE, &format!("/api/incidents/{id}?version=2"), Body::empty()).await.0,
        StatusCode::OK
    );
    assert_eq!(call(&h, Method::GET, &format!("/api/incidents/{id}"), Body::empty()).await.0, StatusCode::NOT_FOUND);

    // The VERIS pivot: one row per tag of tagged incidents.
    let tagged = json!({"summary": "t", "phase": "Recovery", "tags": ["action.social.variety.Phishing", "actor.external.variety.Organized crime"]});
    send(&h, Method::POST, "/api/incidents", tagged).await;
    let (status, veris) = call(&h, Method::GET, "/api/veris", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(veris.as_array().unwrap().len(), 2, "{veris}");
    assert_eq!(veris[0]["phase"], "Recovery");
    let (_, tags) = call(&h, Method::GET, "/api/veris/tags", Body::empty()).await;
    assert!(tags["tags"].as_array().unwrap().len() > 800);
}

#[tokio::test]
async fn investigations_carry_their_own_fields_and_become_incidents() {
    let h = harness().await;
    let body = json!({"summary": "odd logins", "indicators": [{"type": "ip", "value": "198.51.100.7"}],
        "evidence": [{"summary": "auth.log", "location": "s3://evidence/1"}], "timeline": {"dateBegin": "2026-12-06T00:00:00Z"}});
    let (status, inv) = send(&h, Method::POST, "/api/investigations", body).await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    assert_names(
        send(&h, Method::POST, "/api/investigations", json!({"summary": "s", "indicators": [{"type": "ip"}]})).await,
        "indicators[0].value",
    );
    assert_names(
        send(&h, Method::POST, "/api/investigations", json!({"summary": "s", "timeline": {"dateEnd": "x"}})).await,
        "timeline.dateEnd",
    );
    let id = inv["id"].as_str().unwrap();
    let (status, incident) = call(&h, Method::POST, &format!("/api/investigations/{id}/incident"), Body::empty()).await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(incident["investigation"], *id);
    assert_eq!(incident["summary"], "odd logins");
    let (_, inv) = call(&h, Method::GET, &format!("/api/investigations/{id}"), Body::empty()).await;
    assert_eq!(inv["incident"], incident["id"], "linked both ways");
    assert_eq!(
        call(&h, Method::POST, "/api/investigations/nope/incident", Body::empty()).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn alerts_are_triaged_and_escalated_with_links_both_ways() {
    let h = harness().await;
    let (status, alert) = call(&h, Method::GET, "/api/alerts/alert1/triage", Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "imported from the event store: {alert}");
    assert_eq!(alert["esmetadata"], json!({"id": "alert1", "index": "alerts-202612"}));
    assert_eq!(call(&h, Method::GET, "/api/alerts/nope/triage", Body::empty()).await.0, StatusCode::NOT_FOUND);
    let (_, list) = call(&h, Method::GET, "/api/alerts/triage?category=bruteforce&minutes=60", Body::empty()).await;
    assert_eq!(list["records"].as_array().unwrap().len(), 1, "{list}");
    let (_, none) = call(&h, Method::GET, "/api/alerts/triage?minutes=1", Body::empty()).await;
    assert_eq!(none["records"], json!([]), "outside the time period");

    let (status, acked) = call(&h, Method::POST, "/api/alerts/alert1/ack", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acked["acknowledgedby"], "anonymous@localhost");
    let (_, unacked) = call(&h, Method::DELETE, "/api/alerts/alert1/ack", Body::empty()).await;
    assert_eq!(unacked["acknowledged"], Value::Null);
    let version = unacked["version"].as_u64().unwrap();
    let triage =
        json!({"version": version, "status": "inProgress", "identityConfidence": "high", "response": "checking"});
    let (status, triaged) = send(&h, Method::PUT, "/api/alerts/alert1/triage", triage.clone()).await;
    assert_eq!((status, triaged["status"].clone()), (StatusCode::OK, json!("inProgress")));
    assert_eq!(send(&h, Method::PUT, "/api/alerts/alert1/triage", triage).await.0, StatusCode::CONFLICT);
    assert_names(
        send(&h, Method::PUT, "/api/alerts/alert1/triage", json!({"version": version + 1, "status": "done"})).await,
        "status",
    );

    // MozDef's /alertstatus, and its refusals.
    let status_body = json!({"alert": "alert1", "status": "acknowledged", "user": {"email": "bot@example.com", "slack": "bot"}, "identityConfidence": "moderate", "response": "confirmed"});
    let (status, answer) = send(&h, Method::POST, "/api/alertstatus", status_body.clone()).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"error": null})));
    let (_, after) = call(&h, Method::GET, "/api/alerts/alert1/triage", Body::empty()).await;
    assert_eq!((after["status"].clone(), after["acknowledgedby"].clone()), (json!("acknowledged"), json!("triagebot")));
    let mut bad = status_body.clone();
    bad["identityConfidence"] = json!("certain");
    assert_names(send(&h, Method::POST, "/api/alertstatus", bad).await, "identityConfidence");
    let mut missing = status_body.clone();
    missing["alert"] = json!("nope");
    assert_eq!(send(&h, Method::POST, "/api/alertstatus", missing).await.0, StatusCode::NOT_FOUND);

    // Escalation: an incident referencing the alert, the alert linked to it.
    assert_names(send(&h, Method::POST, "/api/alerts/alert1/escalate", json!({"to": "ticket"})).await, "to");
    let (status, incident) = send(&h, Method::POST, "/api/alerts/alert1/escalate", json!({"to": "incident"})).await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(incident["alerts"], json!(["alert1"]));
    assert_eq!(incident["references"], json!(["/alert/alert1"]));
    assert_eq!(incident["summary"], "10.0.0.1 received 12 failed ssh logins");
    assert_eq!(incident["dateOpened"], "2026-12-07T11:58:00.000000Z");
    let (_, alert) = call(&h, Method::GET, "/api/alerts/alert1/triage", Body::empty()).await;
    assert_eq!(alert["escalated"], json!({"collection": "incidents", "id": incident["id"]}));
    assert_eq!(alert["status"], "escalated");
    let (_, again) = send(&h, Method::POST, "/api/alerts/alert1/escalate", json!({"to": "incident"})).await;
    assert_eq!(again["id"], incident["id"], "escalating again answers the same incident");
}

#[tokio::test]
async fn blocklists_refuse_what_mozdef_refused_and_feed_merged_unexpired_networks() {
    let h = harness().await;
    let mozdef_form = json!([{"IPBlockList": true}, {"ipaddress": "8.8.4.4"}, {"duration": "1d"}, {"comment": "scanner"}, {"referenceid": "INC-1"}]);
    let (status, entry) = send(&h, Method::POST, "/api/blockip", mozdef_form).await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    assert_eq!(entry["address"], "8.8.4.4/32");
    assert_eq!(entry["dateExpiring"], "2026-12-08T12:00:00.000000Z");
    for address in ["10.1.2.3", "127.0.0.1", "0.0.0.0", "192.168.1.0/24", "9.9.9.9", "::1", "not-an-ip"] {
        assert_names(send(&h, Method::POST, "/api/blockip", json!({"ipaddress": address})).await, "ipaddress");
    }
    assert_names(
        send(&h, Method::POST, "/api/blockip", json!([{"IPBlockList": false}, {"ipaddress": "8.8.4.9"}])).await,
        "IPBlockList",
    );
    assert_names(
        send(&h, Method::POST, "/api/blockip", json!([{"ipaddress": "1.2.3.4", "duration": "1d"}])).await,
        "body[0]",
    );
    // Adjacent addresses merge; an expired entry drops out (and is pruned).
    send(&h, Method::POST, "/api/blockip", json!({"ipaddress": "8.8.4.5", "duration": "30d"})).await;
    send(&h, Method::POST, "/api/blockip", json!({"ipaddress": "2001:4860::1", "duration": "30d"})).await;
    send(&h, Method::POST, "/api/blockip", json!({"ipaddress": "1.1.1.1", "duration": "12hr"})).await;
    h.clock.set(now() + Duration::days(2));
    let (status, feed) = call(&h, Method::GET, "/api/ipblocklist/feed", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(feed, json!("8.8.4.5/32\n2001:4860::1/128\n"), "the 1d and 12hr entries expired");
    h.clock.set(now());
    send(&h, Method::POST, "/api/blockip", json!({"ipaddress": "8.8.4.4", "duration": "30d"})).await;
    let (_, feed) = call(&h, Method::GET, "/api/ipblocklist/feed", Body::empty()).await;
    assert_eq!(feed, json!("8.8.4.4/31\n2001:4860::1/128\n"), "CIDR-merged");
    let (_, listed) = call(&h, Method::GET, "/api/ipblocklist?q=8.8.4.", Body::empty()).await;
    assert_eq!(listed["records"].as_array().unwrap().len(), 2, "{listed}");
    let (_, pruned) = call(&h, Method::GET, "/api/ipblocklist?q=scanner", Body::empty()).await;
    assert_eq!(pruned["records"], json!([]), "the expired entry was pruned; blocked again, it starts afresh");

    // FQDNs.
    let (status, fqdn) = send(&h, Method::POST, "/api/blockfqdn", json!([{"fqdn": "Evil.Example.com"}])).await;
    assert_eq!((status, fqdn["fqdn"].clone()), (StatusCode::OK, json!("evil.example.com")));
    assert_names(send(&h, Method::POST, "/api/blockfqdn", json!({"fqdn": "not a name"})).await, "fqdn");
    let (_, feed) = call(&h, Method::GET, "/api/fqdnblocklist/feed", Body::empty()).await;
    assert_eq!(feed, json!("evil.example.com\n"));

    // The watchlist, and MozDef's /getwatchlist.
    let (status, _) =
        send(&h, Method::POST, "/api/watchitem", json!([{"watchcontent": "evil-user"}, {"duration": "1w"}])).await;
    assert_eq!(status, StatusCode::OK);
    assert_names(send(&h, Method::POST, "/api/watchitem", json!({"watchcontent": "x"})).await, "watchcontent");
    assert_eq!(call(&h, Method::GET, "/api/getwatchlist", Body::empty()).await, (StatusCode::OK, json!(["evil-user"])));
    h.clock.set(now() + Duration::days(8));
    assert_eq!(call(&h, Method::GET, "/api/getwatchlist/", Body::empty()).await, (StatusCode::OK, json!([])));

    // Deleting an entry needs its version.
    let (_, list) = call(&h, Method::GET, "/api/fqdnblocklist", Body::empty()).await;
    let entry = &list["records"][0];
    let uri = format!("/api/fqdnblocklist/{}?version={}", entry["id"].as_str().unwrap(), entry["version"]);
    assert_eq!(call(&h, Method::DELETE, &uri, Body::empty()).await.0, StatusCode::OK);
    assert_eq!(call(&h, Method::DELETE, &uri, Body::empty()).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn triage_chains_preferences_and_mozdef_read_routes() {
    let h = harness().await;
    let chain = json!({"alert": "bruteforce", "user": "jane@example.com", "identifiers": ["a"]});
    assert_eq!(
        call(&h, Method::GET, "/api/alerttriagechain?alert=bruteforce", Body::empty()).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, none) =
        call(&h, Method::GET, "/api/alerttriagechain?alert=bruteforce&user=jane@example.com", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(none["error"].is_string());
    assert_names(send(&h, Method::PUT, "/api/alerttriagechain", chain.clone()).await, "alert");
    assert_eq!(send(&h, Method::POST, "/api/alerttriagechain", chain.clone()).await.0, StatusCode::OK);
    assert_eq!(send(&h, Method::POST, "/api/alerttriagechain", chain.clone()).await.0, StatusCode::CONFLICT);
    let more = json!({"alert": "bruteforce", "user": "jane@example.com", "identifiers": ["b"]});
    assert_eq!(send(&h, Method::PUT, "/api/alerttriagechain/", more).await.0, StatusCode::OK);
    let (_, found) =
        call(&h, Method::GET, "/api/alerttriagechain?alert=bruteforce&user=jane@example.com", Body::empty()).await;
    assert_eq!(found["identifiers"], json!(["a", "b"]));
    assert_eq!(found["error"], Value::Null);
    assert_names(
        send(&h, Method::POST, "/api/alerttriagechain", json!({"alert": "x", "user": "jane@example.com"})).await,
        "identifiers",
    );
    let gone = json!({"alert": "bruteforce", "user": "jane@example.com"});
    assert_eq!(send(&h, Method::DELETE, "/api/alerttriagechain", gone.clone()).await.0, StatusCode::OK);
    assert_eq!(send(&h, Method::DELETE, "/api/alerttriagechain", gone).await.0, StatusCode::NOT_FOUND);

    let (_, prefs) = call(&h, Method::GET, "/api/preferences", Body::empty()).await;
    assert_eq!((prefs["version"].clone(), prefs["pageSize"].clone()), (json!(0), json!(25)));
    let (status, saved) = send(
        &h,
        Method::PUT,
        "/api/preferences",
        json!({"version": 0, "theme": "Light", "pageSize": 50, "timezone": "Europe/Paris"}),
    )
    .await;
    assert_eq!((status, saved["version"].clone()), (StatusCode::OK, json!(1)));
    assert_eq!(
        send(&h, Method::PUT, "/api/preferences", json!({"version": 0, "theme": "Dark"})).await.0,
        StatusCode::CONFLICT
    );
    assert_names(
        send(&h, Method::PUT, "/api/preferences", json!({"version": 1, "pageSize": 100000})).await,
        "pageSize",
    );

    assert_eq!(call(&h, Method::GET, "/api/test", Body::empty()).await.0, StatusCode::OK);
    assert_eq!(call(&h, Method::GET, "/api/test/", Body::empty()).await.0, StatusCode::OK);
    assert_eq!(call(&h, Method::GET, "/api/kibanadashboards", Body::empty()).await, (StatusCode::OK, json!([])));
    let (_, plugins) = call(&h, Method::GET, "/api/plugins", Body::empty()).await;
    assert_eq!(plugins.as_array().unwrap().len(), 3);
    let (_, blockip) = call(&h, Method::GET, "/api/plugins/blockip", Body::empty()).await;
    assert_eq!(blockip[0]["name"], "ipblocklist");
    assert_eq!(call(&h, Method::GET, "/api/plugins/nothing", Body::empty()).await, (StatusCode::OK, json!([])));
    assert_eq!(
        call(&h, Method::POST, "/api/ipwhois", json!({"ipaddress": "8.8.8.8"}).to_string()).await.0,
        StatusCode::SERVICE_UNAVAILABLE,
        "no lookups configured"
    );
    let (status, health) = call(&h, Method::GET, "/api/health", Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["store"]["backend"], "embedded");
    assert_eq!(health["categories"]["minutes"], 15);
    let (_, me) = call(&h, Method::GET, "/api/me", Body::empty()).await;
    assert_eq!(me, json!({"email": "anonymous@localhost", "role": "admin"}));
}

#[tokio::test]
async fn another_clients_edit_arrives_through_the_change_feed_and_presence_shows_who_is_there() {
    let h = harness().await;
    let (_, start) = call(&h, Method::GET, "/api/changes", Body::empty()).await;
    let cursor = start["cursor"].as_u64().unwrap();
    // One client waits on the feed; another creates an incident half a second later.
    let waiting = {
        let state = h.state.clone();
        tokio::spawn(async move {
            let request =
                Request::builder().uri(format!("/api/changes?after={cursor}&wait=10")).body(Body::empty()).unwrap();
            let started = Instant::now();
            let response = api_router(state).oneshot(request).await.unwrap();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (started.elapsed(), serde_json::from_slice::<Value>(&bytes).unwrap())
        })
    };
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let (_, created) = send(&h, Method::POST, "/api/incidents", json!({"summary": "seen elsewhere"})).await;
    let (waited, answer) = waiting.await.unwrap();
    assert!(waited < StdDuration::from_secs(2), "the edit arrived within 2 s: {waited:?}");
    assert_eq!(answer["changes"][0]["id"], created["id"]);
    assert_eq!(answer["changes"][0]["kind"], "created");
    assert_eq!(answer["changes"][0]["record"]["summary"], "seen elsewhere");
    assert!(answer["cursor"].as_u64().unwrap() > cursor);
    assert_names(call(&h, Method::GET, "/api/changes?after=0&wait=60", Body::empty()).await, "wait");
    // A request that runs past the time limit is answered 503 rather than left hanging.
    let mut hurried = h.state.clone();
    hurried.time_limit = StdDuration::from_millis(300);
    let head = answer["cursor"].as_u64().unwrap();
    let request = Request::builder().uri(format!("/api/changes?after={head}&wait=5")).body(Body::empty()).unwrap();
    let response = api_router(hurried).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);

    // The stream: the same change as a server-sent event.
    let request = Request::builder().uri(format!("/api/changes/stream?after={cursor}")).body(Body::empty()).unwrap();
    let response = api_router(h.state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let frame = tokio::time::timeout(StdDuration::from_secs(2), body.frame()).await.unwrap().unwrap().unwrap();
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(text.contains("event: change") && text.contains("seen elsewhere"), "{text}");

    // Where responses are buffered whole (behind API Gateway) the stream is refused, naming the long poll.
    let mut buffered = h.state.clone();
    buffered.change_stream = false;
    let request = Request::builder().uri("/api/changes/stream").body(Body::empty()).unwrap();
    let response = api_router(buffered).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let id = created["id"].as_str().unwrap();
    let (status, here) =
        send(&h, Method::PUT, &format!("/api/presence/incidents/{id}"), json!({"activity": "editing"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(here["presence"][0]["user"], "anonymous@localhost");
    assert_names(
        send(&h, Method::PUT, &format!("/api/presence/incidents/{id}"), json!({"activity": "lurking"})).await,
        "activity",
    );
    assert_eq!(
        send(&h, Method::PUT, "/api/presence/nothing/1", json!({"activity": "viewing"})).await.0,
        StatusCode::NOT_FOUND
    );
    h.clock.set(now() + Duration::seconds(31));
    let (_, later) = call(&h, Method::GET, &format!("/api/presence/incidents/{id}"), Body::empty()).await;
    assert_eq!(later["presence"], json!([]), "presence expires on its own");
}

#[tokio::test]
async fn every_record_route_answers_404_for_what_is_not_there() {
    let h = harness().await;
    let edit = json!({"version": 1, "summary": "s"}).to_string();
    for (method, uri, body) in [
        (Method::GET, "/api/incidents/nope", String::new()),
        (Method::PUT, "/api/incidents/nope", edit.clone()),
        (Method::DELETE, "/api/incidents/nope?version=1", String::new()),
        (Method::GET, "/api/investigations/nope", String::new()),
        (Method::PUT, "/api/investigations/nope", edit.clone()),
        (Method::DELETE, "/api/investigations/nope?version=1", String::new()),
        (Method::POST, "/api/investigations/nope/incident", String::new()),
        (Method::GET, "/api/alerts/nope/triage", String::new()),
        (Method::PUT, "/api/alerts/nope/triage", json!({"version": 1}).to_string()),
        (Method::POST, "/api/alerts/nope/ack", String::new()),
        (Method::DELETE, "/api/alerts/nope/ack", String::new()),
        (Method::POST, "/api/alerts/nope/escalate", json!({"to": "incident"}).to_string()),
        (Method::DELETE, "/api/ipblocklist/nope?version=1", String::new()),
        (Method::DELETE, "/api/fqdnblocklist/nope?version=1", String::new()),
        (Method::DELETE, "/api/watchlist/nope?version=1", String::new()),
        (Method::GET, "/api/history/incidents/nope", String::new()),
        (Method::GET, "/api/history/nothing/nope", String::new()),
        (Method::GET, "/api/presence/incidents/nope", String::new()),
        (Method::GET, "/api/nothing-here", String::new()),
    ] {
        let (status, answer) = call(&h, method.clone(), uri, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {answer}");
        assert!(answer["error"].is_string(), "{method} {uri}: one error shape: {answer}");
    }
}
