//! The Google Workspace collector against a loopback stub of Google's token endpoint and the
//! Reports API, replaying activity pages written from the API's documented activity resource:
//! the signed JWT assertion (verified by the stub with the key's public half), the token kept
//! between pages, paging by page token, the time cursor and a resume mid-listing, refused
//! credentials, rate limits, server errors, empty listings and malformed bodies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oauth_stub;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mozdef_collectors::google::{Google, GoogleSettings, JWT_BEARER_GRANT};
use mozdef_collectors::{CollectorError, Page, Provider};
use oauth_stub::{Reply, Seen, Stub, TokenCheck, http};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};

const CLIENT_EMAIL: &str = "mozdef-reports@mozdef-test.iam.gserviceaccount.com";
const KEY_ID: &str = "2c3a8b9e1f7d4c6a0b5e8f1d2c3a4b5c6d7e8f90";
const SUBJECT: &str = "admin@example.com";
const ACTIVITIES: &str = "/admin/reports/v1/activity/users/all/applications/login";

/// An RSA key pair: the private half as a PKCS#8 PEM, the public half to verify with.
struct KeyPair {
    pem: String,
    public: DecodingKey,
}

fn key_pair() -> KeyPair {
    let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let pem = private.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = DecodingKey::from_rsa_der(private.to_public_key().to_pkcs1_der().unwrap().as_bytes());
    KeyPair { pem, public }
}

/// The service account's key, and another key Google does not know, generated once.
static KEYS: LazyLock<(KeyPair, KeyPair)> = LazyLock::new(|| {
    std::thread::scope(|s| {
        let other = s.spawn(key_pair);
        (key_pair(), other.join().unwrap())
    })
});

/// A service account key file as Google issues it, holding `pem`.
fn service_account(pem: &str, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "mozdef-test",
        "private_key_id": KEY_ID,
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "109876543210987654321",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/mozdef-reports%40mozdef-test.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
    .to_string()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z").unwrap().with_timezone(&Utc)
}

/// The form fields of a token request.
fn form(seen: &Seen) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://form.test/?{}", seen.body)).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The claims of an assertion, verified with `key` for the audience `aud` (its expiry is
/// checked by the tests against their own clock, not the stub's).
fn verified_claims(assertion: &str, key: &DecodingKey, aud: &str) -> Result<Value, String> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[aud]);
    validation.set_issuer(&[CLIENT_EMAIL]);
    validation.validate_exp = false;
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| e.to_string())?;
    if header.kid.as_deref() != Some(KEY_ID) {
        return Err(format!("kid {:?}", header.kid));
    }
    jsonwebtoken::decode::<Value>(assertion, key, &validation).map(|data| data.claims).map_err(|e| e.to_string())
}

/// A token endpoint accepting only assertions signed by the service account's key.
fn google_token_check(origin_cell: std::sync::Arc<std::sync::OnceLock<String>>) -> TokenCheck {
    Box::new(move |seen: &Seen| {
        if seen.method != "POST" || seen.headers["content-type"] != "application/x-www-form-urlencoded" {
            return Err("not a form POST".into());
        }
        let fields = form(seen);
        if fields.len() != 2
            || fields[0] != ("grant_type".into(), JWT_BEARER_GRANT.into())
            || fields[1].0 != "assertion"
        {
            return Err(format!("unexpected fields {fields:?}"));
        }
        let aud = format!("{}/token", origin_cell.get().unwrap());
        verified_claims(&fields[1].1, &KEYS.0.public, &aud).map(drop)
    })
}

async fn stub() -> Stub {
    let origin = std::sync::Arc::new(std::sync::OnceLock::new());
    let stub = Stub::start("/token", google_token_check(origin.clone())).await;
    origin.set(stub.origin.clone()).unwrap();
    stub
}

fn settings(stub: &Stub, extra: Value) -> GoogleSettings {
    let mut settings =
        json!({"subject": SUBJECT, "base_url": stub.origin, "token_url": format!("{}/token", stub.origin)});
    settings.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(settings).unwrap()
}

fn google(stub: &Stub, extra: Value) -> Google {
    Google::new(settings(stub, extra), &service_account(&KEYS.0.pem, "https://oauth2.googleapis.com/token")).unwrap()
}

/// A login activity as the Reports API documents it, under another time, id, event and user.
fn activity(time: &str, qualifier: &str, name: &str, email: &str) -> Value {
    json!({
        "kind": "admin#reports#activity",
        "id": {"time": time, "uniqueQualifier": qualifier, "applicationName": "login", "customerId": "C03az79cb"},
        "etag": "\"JDMC8884sebSctZ17CIssbQ/A5oJOXxQ2fZ3Xkf5XIKEG0ZnGns\"",
        "actor": {"callerType": "USER", "email": email, "profileId": "100230688039070881323"},
        "ipAddress": "203.0.113.10",
        "events": [{
            "type": "login",
            "name": name,
            "parameters": [
                {"name": "login_type", "value": "google_password"},
                {"name": "login_challenge_method", "multiValue": ["password"]},
                {"name": "is_suspicious", "boolValue": false}
            ]
        }]
    })
}

fn listing(items: Vec<Value>, next: Option<&str>) -> Reply {
    let mut page = json!({"kind": "admin#reports#activities", "etag": "\"JDMC8884sebSctZ17CIssbQ/Yt5Zr1tKVAnzPP8CQ\"", "items": items});
    if let Some(token) = next {
        page["nextPageToken"] = json!(token);
    }
    Reply::json(page)
}

fn ids(page: &Page) -> Vec<&str> {
    page.events.iter().map(|c| c.id.as_str()).collect()
}

#[tokio::test]
async fn the_token_request_is_a_jwt_signed_by_the_service_account() {
    let stub = stub().await;
    stub.script([listing(vec![activity("2024-05-01T11:30:00.000Z", "-1", "login_success", "liz@example.com")], None)]);
    let page = google(&stub, json!({})).fetch(&http(), None, now()).await.unwrap();
    assert_eq!(ids(&page), ["2024-05-01T11:30:00.000Z:-1"]);

    let tokens = stub.token_requests();
    assert_eq!(tokens.len(), 1);
    let fields = form(&tokens[0]);
    assert_eq!(fields[0], ("grant_type".into(), "urn:ietf:params:oauth:grant-type:jwt-bearer".into()));
    let assertion = &fields[1].1;
    let header = jsonwebtoken::decode_header(assertion).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::RS256, Some(KEY_ID)));
    let token_url = format!("{}/token", stub.origin);
    assert_eq!(
        verified_claims(assertion, &KEYS.0.public, &token_url).unwrap(),
        json!({
            "iss": CLIENT_EMAIL,
            "sub": SUBJECT,
            "scope": "https://www.googleapis.com/auth/admin.reports.audit.readonly",
            "aud": token_url,
            "iat": 1_714_564_800,
            "exp": 1_714_568_400
        })
    );
    assert!(
        verified_claims(assertion, &KEYS.1.public, &token_url).is_err(),
        "signed by the service account's key only"
    );

    let data = stub.data_requests();
    assert_eq!((data[0].method.as_str(), data[0].path.as_str()), ("GET", ACTIVITIES));
    assert_eq!(
        data[0].query,
        [("startTime".into(), "2024-05-01T11:00:00.000Z".into()), ("maxResults".into(), "1000".into())]
    );
    assert_eq!(data[0].authorization(), Some("Bearer token-1"));
}

#[tokio::test]
async fn pages_follow_the_page_token_and_the_cursor_moves_past_the_newest_activity_at_the_end() {
    let stub = stub().await;
    stub.script([
        listing(
            vec![
                activity("2024-05-01T11:50:00.000Z", "5", "login_success", "liz@example.com"),
                activity("2024-05-01T11:40:00.000Z", "4", "login_failure", "bob@example.com"),
            ],
            Some("T2"),
        ),
        listing(
            vec![
                activity("2024-05-01T11:30:00.000Z", "3", "logout", "liz@example.com"),
                activity("2024-05-01T11:20:00.000Z", "2", "login_success", "bob@example.com"),
            ],
            Some("T3"),
        ),
        listing(vec![activity("2024-05-01T11:10:00.000Z", "1", "login_success", "carol@example.com")], None),
    ]);
    let provider = google(&stub, json!({"page_size": 2, "customer": "C03az79cb"}));
    let http = http();

    let first = provider.fetch(&http, None, now()).await.unwrap();
    assert_eq!(ids(&first), ["2024-05-01T11:40:00.000Z:4", "2024-05-01T11:50:00.000Z:5"], "oldest first within a page");
    assert_eq!(
        first.next,
        Some(json!({"startTime": "2024-05-01T11:00:00.000Z", "pageToken": "T2", "newest": "2024-05-01T11:50:00.000Z"}))
    );
    assert!(first.more);
    assert_eq!(first.events[0].event["details"]["success"], false);
    assert_eq!(first.events[1].event["details"]["username"], "liz@example.com");

    let second = provider.fetch(&http, first.next.as_ref(), now()).await.unwrap();
    assert_eq!(ids(&second), ["2024-05-01T11:20:00.000Z:2", "2024-05-01T11:30:00.000Z:3"]);
    assert_eq!(
        second.next,
        Some(json!({"startTime": "2024-05-01T11:00:00.000Z", "pageToken": "T3", "newest": "2024-05-01T11:50:00.000Z"}))
    );
    assert!(second.more);

    let third = provider.fetch(&http, second.next.as_ref(), now()).await.unwrap();
    assert_eq!(ids(&third), ["2024-05-01T11:10:00.000Z:1"]);
    assert_eq!(third.next, Some(json!({"startTime": "2024-05-01T11:50:00.001Z"})));
    assert!(!third.more);

    assert_eq!(stub.token_requests().len(), 1, "one token for the listing");
    let data = stub.data_requests();
    let expected = |token: Option<&str>| {
        let mut query: Vec<(String, String)> = vec![
            ("startTime".into(), "2024-05-01T11:00:00.000Z".into()),
            ("maxResults".into(), "2".into()),
            ("customerId".into(), "C03az79cb".into()),
        ];
        query.extend(token.map(|t| ("pageToken".to_owned(), t.to_owned())));
        query
    };
    assert_eq!(data[0].query, expected(None));
    assert_eq!(data[1].query, expected(Some("T2")));
    assert_eq!(data[2].query, expected(Some("T3")));
}

#[tokio::test]
async fn a_run_stopped_mid_listing_reads_the_page_again_from_the_saved_cursor() {
    let page_two = || {
        listing(
            vec![
                activity("2024-05-01T11:30:00.000Z", "3", "logout", "liz@example.com"),
                activity("2024-05-01T11:20:00.000Z", "2", "login_success", "bob@example.com"),
            ],
            None,
        )
    };
    let stub = stub().await;
    stub.script([page_two(), page_two()]);
    let provider = google(&stub, json!({"page_size": 2}));
    // The cursor saved after page one; page two was read (and maybe queued) when the run died.
    let saved =
        json!({"startTime": "2024-05-01T11:00:00.000Z", "pageToken": "T2", "newest": "2024-05-01T11:50:00.000Z"});
    let before_crash = provider.fetch(&http(), Some(&saved), now()).await.unwrap();
    let after_restart = google(&stub, json!({"page_size": 2})).fetch(&http(), Some(&saved), now()).await.unwrap();
    assert_eq!(ids(&after_restart), ids(&before_crash), "the same page, the same ids: re-queued events replace");
    assert_eq!(
        after_restart.next,
        Some(json!({"startTime": "2024-05-01T11:50:00.001Z"})),
        "the newest of the whole listing"
    );
    for request in stub.data_requests() {
        assert_eq!(request.param("startTime"), Some("2024-05-01T11:00:00.000Z"));
        assert_eq!(request.param("pageToken"), Some("T2"));
    }
}

#[tokio::test]
async fn a_page_token_google_refuses_starts_the_listing_again() {
    let stub = stub().await;
    stub.script([
        Reply::status(
            400,
            r#"{"error":{"code":400,"message":"Invalid value for: pageToken","status":"INVALID_ARGUMENT"}}"#,
        ),
        listing(vec![activity("2024-05-01T11:30:00.000Z", "3", "logout", "liz@example.com")], None),
    ]);
    let saved =
        json!({"startTime": "2024-05-01T11:00:00.000Z", "pageToken": "stale", "newest": "2024-05-01T11:50:00.000Z"});
    let page = google(&stub, json!({})).fetch(&http(), Some(&saved), now()).await.unwrap();
    assert_eq!(ids(&page), ["2024-05-01T11:30:00.000Z:3"]);
    assert_eq!(page.next, Some(json!({"startTime": "2024-05-01T11:50:00.001Z"})));
    let data = stub.data_requests();
    assert_eq!(data[0].param("pageToken"), Some("stale"));
    assert_eq!(data[1].param("pageToken"), None);
    assert_eq!(data[1].param("startTime"), Some("2024-05-01T11:00:00.000Z"));
}

#[tokio::test]
async fn an_empty_listing_has_no_items_and_keeps_the_cursor() {
    let stub = stub().await;
    let empty = || {
        Reply::json(
            json!({"kind": "admin#reports#activities", "etag": "\"JDMC8884sebSctZ17CIssbQ/Yt5Zr1tKVAnzPP8CQ\""}),
        )
    };
    stub.script([empty(), empty()]);
    let provider = google(&stub, json!({}));
    let saved = json!({"startTime": "2024-05-01T11:50:00.001Z"});
    let page = provider.fetch(&http(), Some(&saved), now()).await.unwrap();
    assert_eq!((page.events.len(), page.next, page.more), (0, None, false));
    let first_run = provider.fetch(&http(), None, now()).await.unwrap();
    assert_eq!(first_run.next, Some(json!({"startTime": "2024-05-01T11:00:00.000Z"})), "the first run's start is kept");
    assert!(!first_run.more);
}

#[tokio::test]
async fn the_token_is_kept_until_five_minutes_before_it_expires() {
    let stub = stub().await;
    stub.set_expires_in(3_599);
    stub.script((0..3).map(|_| listing(Vec::new(), None)));
    let provider = google(&stub, json!({}));
    let http = http();
    let saved = json!({"startTime": "2024-05-01T11:00:00.000Z"});
    let at = |seconds: i64| now() + chrono::Duration::seconds(seconds);
    provider.fetch(&http, Some(&saved), at(0)).await.unwrap();
    // 3599 s - 3298 s = 301 s left: kept.
    provider.fetch(&http, Some(&saved), at(3_298)).await.unwrap();
    assert_eq!(stub.token_requests().len(), 1);
    // 300 s left: renewed, with an assertion issued then.
    provider.fetch(&http, Some(&saved), at(3_299)).await.unwrap();
    let tokens = stub.token_requests();
    assert_eq!(tokens.len(), 2);
    let claims = verified_claims(&form(&tokens[1])[1].1, &KEYS.0.public, &format!("{}/token", stub.origin)).unwrap();
    assert_eq!(claims["iat"], 1_714_564_800 + 3_299);
    let bearers: Vec<_> = stub.data_requests().iter().map(|s| s.authorization().unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
}

#[tokio::test]
async fn a_refused_cached_token_is_replaced_once() {
    let stub = stub().await;
    stub.script([listing(Vec::new(), None), listing(Vec::new(), None)]);
    let provider = google(&stub, json!({}));
    let saved = json!({"startTime": "2024-05-01T11:00:00.000Z"});
    provider.fetch(&http(), Some(&saved), now()).await.unwrap();
    stub.revoke("token-1");
    provider.fetch(&http(), Some(&saved), now()).await.unwrap();
    let bearers: Vec<_> = stub.data_requests().iter().map(|s| s.authorization().unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
}

#[tokio::test]
async fn refused_credentials_are_credentials_errors() {
    // The token endpoint refuses the client (401), or the grant of a key it does not know
    // (400 invalid_grant); the Reports API refuses a fresh token (401).
    let stub_401 = stub().await;
    stub_401.refuse_tokens(401);
    let err = google(&stub_401, json!({})).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(err, CollectorError::Credentials { .. }), "{err}");

    let stub_400 = stub().await;
    let unknown_key = service_account(&KEYS.1.pem, "https://oauth2.googleapis.com/token");
    let err = Google::new(settings(&stub_400, json!({})), &unknown_key)
        .unwrap()
        .fetch(&http(), None, now())
        .await
        .unwrap_err();
    assert!(matches!(&err, CollectorError::Credentials { reason, .. } if reason.contains("invalid_grant")), "{err}");
    assert!(stub_400.data_requests().is_empty());

    let stub_api = stub().await;
    stub_api.revoke("token-1");
    let err = google(&stub_api, json!({})).fetch(&http(), None, now()).await.unwrap_err();
    assert!(matches!(&err, CollectorError::Credentials { provider, .. } if provider == "google"), "{err}");
    assert_eq!(stub_api.token_requests().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let stub = stub().await;
    stub.script([
        Reply::status(429, r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#)
            .header("retry-after", "1"),
        listing(vec![activity("2024-05-01T11:30:00.000Z", "3", "logout", "liz@example.com")], None),
    ]);
    let started = Instant::now();
    let page = google(&stub, json!({})).fetch(&http(), None, now()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After honoured: {:?}", started.elapsed());
    assert_eq!(ids(&page), ["2024-05-01T11:30:00.000Z:3"]);
    assert_eq!(stub.data_requests().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let stub = stub().await;
    stub.script(
        (0..3).map(|_| Reply::status(500, r#"{"error":{"code":500,"message":"Internal error encountered."}}"#)),
    );
    let err = google(&stub, json!({})).fetch(&http(), None, now()).await.unwrap_err();
    assert!(
        matches!(&err, CollectorError::Http { reason, .. } if reason.contains("500") && reason.contains("after 3 attempts")),
        "{err}"
    );
    assert_eq!(stub.data_requests().len(), 3);
}

#[tokio::test]
async fn bodies_that_are_not_an_activity_listing_are_response_errors() {
    let cases = [
        Reply::status(200, "<html>Service Unavailable</html>"),
        Reply::json(json!({"items": "none"})),
        Reply::json(json!({"items": [{"kind": "admin#reports#activity", "actor": {"email": "liz@example.com"}}]})),
        Reply::json(json!({"items": [], "nextPageToken": 7})),
    ];
    for reply in cases {
        let stub = stub().await;
        stub.script([reply]);
        let err = google(&stub, json!({})).fetch(&http(), None, now()).await.unwrap_err();
        assert!(matches!(&err, CollectorError::Response { provider, .. } if provider == "google"), "{err}");
    }
}

#[tokio::test]
async fn the_keys_token_uri_is_used_without_a_token_url() {
    let stub = stub().await;
    stub.script([listing(Vec::new(), None)]);
    let settings: GoogleSettings =
        serde_json::from_value(json!({"subject": SUBJECT, "base_url": stub.origin})).unwrap();
    let key = service_account(&KEYS.0.pem, &format!("{}/token", stub.origin));
    Google::new(settings, &key).unwrap().fetch(&http(), None, now()).await.unwrap();
    assert_eq!(stub.token_requests().len(), 1);
}

#[tokio::test]
async fn settings_and_the_key_are_checked_naming_the_field() {
    let stub = stub().await;
    let key = service_account(&KEYS.0.pem, "https://oauth2.googleapis.com/token");
    let defaults: GoogleSettings = serde_json::from_value(json!({"subject": SUBJECT})).unwrap();
    assert_eq!(
        (defaults.customer.as_str(), defaults.application.as_str(), defaults.page_size, defaults.lookback_minutes),
        ("my_customer", "login", 1000, 60)
    );
    let provider = Google::new(defaults, &key).unwrap();
    assert!(!format!("{provider:?}").contains("PRIVATE KEY"), "the key stays out of Debug");

    for (extra, field) in [
        (json!({"subject": "admin"}), "subject"),
        (json!({"customer": " "}), "customer"),
        (json!({"application": "drive"}), "application"),
        (json!({"page_size": 0}), "page_size"),
        (json!({"page_size": 1001}), "page_size"),
        (json!({"lookback_minutes": 0}), "lookback_minutes"),
        (json!({"base_url": "admin.googleapis.com"}), "base_url"),
        (json!({"token_url": "ftp://oauth2.googleapis.com/token"}), "token_url"),
    ] {
        let err = Google::new(settings(&stub, extra.clone()), &key).unwrap_err();
        assert!(
            matches!(&err, CollectorError::Config(m) if m.contains(&format!("google setting {field}"))),
            "{extra}: {err}"
        );
    }
    let mut not_a_service_account: Value = serde_json::from_str(&key).unwrap();
    not_a_service_account["type"] = json!("authorized_user");
    let mut no_email: Value = serde_json::from_str(&key).unwrap();
    no_email.as_object_mut().unwrap().remove("client_email");
    let mut bad_pem: Value = serde_json::from_str(&key).unwrap();
    bad_pem["private_key"] = json!("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    for (secret, part) in [
        ("not json".to_owned(), "service account key"),
        (not_a_service_account.to_string(), "type"),
        (no_email.to_string(), "client_email"),
        (bad_pem.to_string(), "private_key"),
    ] {
        let err = Google::new(settings(&stub, json!({})), &secret).unwrap_err();
        assert!(
            matches!(&err, CollectorError::Config(m) if m.contains(&format!("google secret ({part})"))),
            "{part}: {err}"
        );
    }
    let unknown = serde_json::from_value::<GoogleSettings>(json!({"subject": SUBJECT, "impersonate": SUBJECT}));
    assert!(unknown.unwrap_err().to_string().contains("impersonate"));
}
