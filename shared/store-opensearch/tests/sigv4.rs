//! SigV4 signing of every request, checked on the wire: a loopback server captures what the
//! store sends (a search and a bulk request), and the test recomputes each signature with
//! `aws-sigv4` from the captured method, URI, signed headers, body and `x-amz-date`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningParams, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_types::SdkConfig;
use aws_types::region::Region;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, Utc};
use mozdef_query::SearchQuery;
use mozdef_store::indices::events_index;
use mozdef_store::{EventStore, IndexRequest, ItemOutcome, SearchRequest};
use mozdef_store_opensearch::{Auth, OpenSearchConfig, OpenSearchStore, SigningService};
use serde_json::json;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "secret";
const REGION: &str = "eu-west-1";

/// One request as it arrived.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    /// Path and query, as sent.
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Captured>>>;

/// Records the request and answers like OpenSearch would (an empty search, a bulk of
/// successes), so the store's calls complete.
async fn capture(State(log): State<Log>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let captured = Captured {
        method: method.as_str().to_owned(),
        path_and_query: uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into()),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().expect("ASCII header").to_owned()))
            .collect(),
        body: body.clone(),
    };
    log.lock().unwrap().push(captured);
    let answer = if uri.path() == "/_bulk" {
        let records = body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() / 2;
        let items: Vec<_> = (0..records).map(|_| json!({"index": {"status": 201, "result": "created"}})).collect();
        json!({"took": 1, "errors": false, "items": items})
    } else {
        json!({"took": 1, "timed_out": false, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}})
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
}

async fn capturing_server() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(capture).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test")
}

fn sdk_config() -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(credentials()))
        .build()
}

/// The parts of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug)]
struct Authorization {
    scope: Vec<String>,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Authorization {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").unwrap_or_else(|| panic!("not SigV4: {value}"));
    let parts: Vec<&str> = rest.split(", ").collect();
    assert_eq!(parts.len(), 3, "three comma-separated parts in {value}");
    let credential = parts[0].strip_prefix("Credential=").unwrap_or_else(|| panic!("no Credential= in {value}"));
    let signed = parts[1].strip_prefix("SignedHeaders=").unwrap_or_else(|| panic!("no SignedHeaders= in {value}"));
    let signature = parts[2].strip_prefix("Signature=").unwrap_or_else(|| panic!("no Signature= in {value}"));
    Authorization {
        scope: credential.split('/').map(str::to_owned).collect(),
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: signature.to_owned(),
    }
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Signs the captured request again (its signed headers, its body, at its `x-amz-date`) and
/// returns the headers `aws-sigv4` produces: `authorization`, `x-amz-date`,
/// `x-amz-content-sha256`.
fn resign(request: &Captured, body: &[u8], service: &str, signed_headers: &[String]) -> Vec<(String, String)> {
    let amz_date = request.header("x-amz-date").expect("x-amz-date");
    let time: SystemTime = NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|e| panic!("x-amz-date {amz_date:?}: {e}"))
        .and_utc()
        .into();
    // Only the headers the signature covers; the date and payload hash are recomputed.
    let headers = request
        .headers
        .iter()
        .filter(|(name, _)| signed_headers.contains(name) && name != "x-amz-date" && name != "x-amz-content-sha256");
    let host = request.header("host").expect("host header");
    let uri = format!("http://{host}{}", request.path_and_query);
    let identity = credentials().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        &request.method,
        uri,
        headers.map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
    let (headers, query) = instructions.into_parts();
    assert!(query.is_empty(), "header signing adds no query parameters");
    headers.into_iter().map(|h| (h.name().to_owned(), h.value().to_owned())).collect()
}

/// Checks one captured request: the header's shape, the scope, the date, and the signature
/// recomputed from what arrived.
fn assert_validly_signed(request: &Captured, service: &str) {
    let what = format!("{} {}", request.method, request.path_and_query);
    let authorization = request.header("authorization").unwrap_or_else(|| panic!("{what}: no Authorization header"));
    let parsed = parse_authorization(authorization);

    let amz_date = request.header("x-amz-date").unwrap_or_else(|| panic!("{what}: no x-amz-date"));
    assert!(
        amz_date.len() == 16 && amz_date.as_bytes()[8] == b'T' && amz_date.ends_with('Z'),
        "{what}: x-amz-date {amz_date:?} is not yyyymmddThhmmssZ"
    );
    let day = &amz_date[..8];
    assert_eq!(parsed.scope, [ACCESS_KEY, day, REGION, service, "aws4_request"], "{what}: credential scope");
    let signed_at = NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ").unwrap().and_utc();
    assert!(
        (Utc::now() - signed_at).num_seconds().abs() < 300,
        "{what}: signed at {signed_at}, outside AWS's five-minute window"
    );
    assert!(is_lower_hex(&parsed.signature, 64), "{what}: signature {:?} is not 64 hex digits", parsed.signature);
    assert_eq!(
        authorization,
        format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{day}/{REGION}/{service}/aws4_request, SignedHeaders={}, Signature={}",
            parsed.signed_headers.join(";"),
            parsed.signature
        ),
        "{what}: the header's exact layout"
    );

    // OpenSearch Serverless requires the payload hash header; domains accept it.
    let content_sha =
        request.header("x-amz-content-sha256").unwrap_or_else(|| panic!("{what}: no x-amz-content-sha256"));
    assert!(is_lower_hex(content_sha, 64), "{what}: x-amz-content-sha256 {content_sha:?}");
    for needed in ["host", "x-amz-date", "x-amz-content-sha256"] {
        assert!(parsed.signed_headers.iter().any(|h| h == needed), "{what}: {needed} is not signed: {authorization}");
    }
    let mut sorted = parsed.signed_headers.clone();
    sorted.sort();
    assert_eq!(sorted, parsed.signed_headers, "{what}: SignedHeaders are sorted");
    for name in &parsed.signed_headers {
        assert!(request.header(name).is_some(), "{what}: signed header {name} did not arrive");
    }

    let again = resign(request, &request.body, service, &parsed.signed_headers);
    let header = |name: &str| again.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(header("x-amz-date"), Some(amz_date), "{what}: recomputed date");
    assert_eq!(header("x-amz-content-sha256"), Some(content_sha), "{what}: the payload hash is the body's");
    assert_eq!(header("authorization"), Some(authorization), "{what}: the signature verifies");

    // The check has teeth: one changed byte of body (or another service) gives another signature.
    let mut tampered = request.body.to_vec();
    tampered.push(b' ');
    let forged = resign(request, &tampered, service, &parsed.signed_headers);
    assert_ne!(forged.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.as_str()), Some(authorization));
    let other = if service == "es" { "aoss" } else { "es" };
    let forged = resign(request, &request.body, other, &parsed.signed_headers);
    assert_ne!(forged.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.as_str()), Some(authorization));
}

async fn signs_every_request(service: SigningService) {
    let (url, log) = capturing_server().await;
    let mut config = OpenSearchConfig::from_url(&url).unwrap();
    config.index_prefix = "sig-".into();
    config.request_timeout = Duration::from_secs(10);
    config.auth = Auth::SigV4 { config: Box::new(sdk_config()), service };
    let store = OpenSearchStore::open(config).unwrap();

    // A search: a wildcard in the path and a query string.
    let now = Utc::now();
    let indices = vec!["events-*".to_owned()];
    let query = SearchQuery::new(Some(chrono::Duration::minutes(15)));
    let results = store.search(SearchRequest { indices: &indices, query: &query, size: 10, now }).await.unwrap();
    assert_eq!(results.total, Some(0));

    // A bulk request: an NDJSON body whose hash must be signed.
    let mut source = serde_json::Map::new();
    source.insert("summary".into(), json!("signed \u{e9}v\u{e9}nement"));
    source.insert("details".into(), json!({"success": true}));
    let docs = vec![
        IndexRequest { index: events_index(now), id: "a".into(), source: source.clone() },
        IndexRequest { index: events_index(now), id: "b".into(), source },
    ];
    assert_eq!(store.index(&docs).await.unwrap(), vec![ItemOutcome::Indexed, ItemOutcome::Indexed]);

    let captured = log.lock().unwrap().clone();
    assert_eq!(captured.len(), 2, "one search and one bulk request: {captured:#?}");
    let search = &captured[0];
    assert_eq!(search.method, "POST");
    assert!(search.path_and_query.starts_with("/sig-events-*/_search?"), "{}", search.path_and_query);
    assert!(!search.body.is_empty());
    let bulk = &captured[1];
    // The answer is filtered to item statuses: an encoded query string, signed too.
    assert_eq!(
        (bulk.method.as_str(), bulk.path_and_query.as_str()),
        ("POST", "/_bulk?filter_path=items.*.status%2Citems.*.error")
    );
    assert_eq!(bulk.header("content-type"), Some("application/x-ndjson"));
    for request in &captured {
        assert_validly_signed(request, service.name());
    }
}

#[tokio::test]
async fn domain_requests_are_signed_for_es() {
    signs_every_request(SigningService::Domain).await;
}

#[tokio::test]
async fn serverless_requests_are_signed_for_aoss() {
    signs_every_request(SigningService::Serverless).await;
}
