//! The outbound lookups of `/ipwhois` and `/ipdshieldquery` against loopback stub services.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use mozdef_api::ApiError;
use mozdef_api::lookups::{LookupSettings, Lookups};
use serde_json::{Value, json};

const AGENT: &str = "mozdef-lookups-test/1.0";

/// What the stub saw: the address, the query and the user agent.
fn echo(ip: &str, query: Option<String>, headers: &HeaderMap) -> Value {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    json!({"query": ip, "rawQuery": query, "userAgent": agent})
}

/// The stub: RDAP and DShield lookalikes on 127.0.0.1, its address.
async fn stub() -> SocketAddr {
    let app = Router::new()
        .route(
            "/rdap/ip/{ip}",
            get(|Path(ip): Path<String>, RawQuery(q): RawQuery, h: HeaderMap| async move {
                let mut body = echo(&ip, q, &h);
                body["objectClassName"] = json!("ip network");
                body["handle"] = json!("NET-TEST");
                axum::Json(body)
            }),
        )
        .route(
            "/referral/ip/{ip}",
            get(|Path(ip): Path<String>| async move { Redirect::temporary(&format!("/rdap/ip/{ip}")) }),
        )
        .route("/broken/ip/{ip}", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }))
        .route("/html/ip/{ip}", get(|| async { "<html>not json</html>" }))
        .route(
            "/dshield/{ip}",
            get(|Path(ip): Path<String>, RawQuery(q): RawQuery, h: HeaderMap| async move {
                axum::Json(json!({"ip": echo(&ip, q, &h)}))
            }),
        )
        .route(
            "/dshield404/{ip}",
            get(|| async { (StatusCode::NOT_FOUND, axum::Json(json!({"error": "no such address"}))) }),
        )
        .route(
            "/dshield500/{ip}",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response() }),
        )
        .route(
            "/slow/{ip}",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Response::new(axum::body::Body::from("{}"))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn lookups(addr: SocketAddr, whois: &str, dshield: &str) -> Lookups {
    Lookups::new(LookupSettings {
        whois_url: format!("http://{addr}/{whois}/"),
        dshield_url: format!("http://{addr}/{dshield}/"),
        user_agent: AGENT.to_owned(),
        timeout: Duration::from_millis(500),
        reverse_dns: false,
    })
    .unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn unavailable(result: Result<impl std::fmt::Debug, ApiError>) -> String {
    match result {
        Err(ApiError::Unavailable(message)) => message,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn whois_answers_the_rdap_record_with_fqdn() {
    let addr = stub().await;
    let record = lookups(addr, "rdap/ip", "dshield").ipwhois(ip("8.8.8.8")).await.unwrap();
    assert_eq!(record["objectClassName"], "ip network");
    assert_eq!(record["query"], "8.8.8.8");
    assert_eq!(record["userAgent"], AGENT);
    assert_eq!(record["fqdn"], Value::Null);
}

#[tokio::test]
async fn whois_follows_registry_referrals_and_does_ipv6() {
    let addr = stub().await;
    let record = lookups(addr, "referral/ip", "dshield").ipwhois(ip("2606:4700:4700::1111")).await.unwrap();
    assert_eq!(record["handle"], "NET-TEST");
    assert_eq!(record["query"], "2606:4700:4700::1111");
}

#[tokio::test]
async fn whois_upstream_failures_are_unavailable() {
    let addr = stub().await;
    let message = unavailable(lookups(addr, "broken/ip", "dshield").ipwhois(ip("8.8.8.8")).await);
    assert!(
        message.starts_with("ipwhois: ") && message.contains("/broken/ip/8.8.8.8") && message.contains("500"),
        "{message}"
    );
    let message = unavailable(lookups(addr, "html/ip", "dshield").ipwhois(ip("8.8.8.8")).await);
    assert!(message.ends_with("/html/ip/8.8.8.8 answered something other than a JSON object"), "{message}");
}

#[tokio::test]
async fn dshield_answers_status_and_json() {
    let addr = stub().await;
    let (status, body) = lookups(addr, "rdap/ip", "dshield").dshield(ip("1.1.1.1")).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ip"]["query"], "1.1.1.1");
    assert_eq!(body["ip"]["rawQuery"], "json");
}

#[tokio::test]
async fn dshield_user_agent_is_sent() {
    let addr = stub().await;
    let (_, body) = lookups(addr, "rdap/ip", "dshield").dshield(ip("1.1.1.1")).await.unwrap();
    assert_eq!(body["ip"]["userAgent"], AGENT);
}

#[tokio::test]
async fn dshield_upstream_errors_are_passed_through() {
    let addr = stub().await;
    let (status, body) = lookups(addr, "rdap/ip", "dshield404").dshield(ip("1.1.1.1")).await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "no such address"}));
    let (status, body) = lookups(addr, "rdap/ip", "dshield500").dshield(ip("1.1.1.1")).await.unwrap();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, Value::Null);
}

#[tokio::test]
async fn timeouts_are_unavailable_naming_the_endpoint() {
    let addr = stub().await;
    let slow = lookups(addr, "slow", "slow");
    let message = unavailable(slow.ipwhois(ip("8.8.8.8")).await);
    assert!(message.starts_with("ipwhois: ") && message.contains("did not answer within"), "{message}");
    let message = unavailable(slow.dshield(ip("8.8.8.8")).await);
    assert!(message.starts_with("ipdshieldquery: ") && message.contains("/slow/8.8.8.8?json"), "{message}");
}

#[tokio::test]
async fn unreachable_upstream_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let message = unavailable(lookups(addr, "rdap/ip", "dshield").dshield(ip("8.8.8.8")).await);
    assert!(message.starts_with("ipdshieldquery: "), "{message}");
}

#[tokio::test]
async fn non_public_addresses_are_refused_without_a_request() {
    // Nothing listens here: a request would be Unavailable, not BadRequest.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let lookups = lookups(addr, "rdap/ip", "dshield");
    for text in ["10.0.0.1", "127.0.0.1", "192.168.1.1", "169.254.169.254", "::1", "fd00::1", "224.0.0.1", "0.0.0.0"] {
        for result in [lookups.ipwhois(ip(text)).await.map(|_| ()), lookups.dshield(ip(text)).await.map(|_| ())] {
            match result {
                Err(ApiError::BadRequest { message, .. }) => {
                    assert!(message.starts_with(&format!("ipaddress: {text} ")), "{message}");
                    assert!(message.ends_with("only public addresses are looked up"), "{message}");
                }
                other => panic!("{text}: expected BadRequest, got {other:?}"),
            }
        }
    }
}

#[test]
fn default_settings_are_mozdefs() {
    let settings = LookupSettings::default();
    assert_eq!(settings.whois_url, "https://rdap.arin.net/registry/ip/");
    assert_eq!(settings.dshield_url, "https://isc.sans.edu/api/ip/");
    assert_eq!(settings.user_agent, "Mozilla/5.0 (X11; Linux x86_64; rv:10.0) Gecko/20100101 Firefox/58.0");
    assert_eq!(settings.timeout, Duration::from_secs(10));
    assert!(Lookups::new(settings).is_ok());
}
