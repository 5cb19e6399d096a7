//! The `api` function on real API Gateway (HTTP API, payload 2.0) payloads through
//! `lambda_http`'s adapter: search and an alert by id on a real OpenSearch node, schedules from
//! DynamoDB on moto, "run alerts now" as an asynchronous invoke of the alerts function on moto
//! (202), and the claims check (missing claims, wrong issuer, wrong audience, expired: 401).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::types::Parameter;
use aws_sdk_lambda::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_lambda::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_lambda::error::BoxError;
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent};
use mozdef_alerts::ScheduleStore;
use mozdef_alerts::schedule::{AlertSchedule, Schedule};
use mozdef_api::ApiState;
use mozdef_aws::alert_invoke::InvokeAlertsFunction;
use mozdef_aws::testing::Moto;
use mozdef_fn_api::claims::RequiredClaims;
use mozdef_fn_api::handler::{self, app};
use mozdef_model::FixedClock;
use mozdef_store::{EventStore, IndexRequest};
use mozdef_store_dynamodb::DynamoSchedules;
use mozdef_store_opensearch::testing::{Cleanup, isolated_store};
use serde_json::{Value, json};
use tower::ServiceExt;

const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E";
const AUDIENCE: &str = "5k2b7q9d1e3f4g6h8j0l2n4p6r";

/// The instant of the fixtures' requests (their tokens expire an hour later).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, 20, 0).unwrap()
}

fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("mozdef-api-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One request of the Lambda client and moto's answer to it.
#[derive(Debug, Clone)]
struct Invoke {
    uri: String,
    invocation_type: Option<String>,
    payload: Value,
    answer: Option<u16>,
}

/// What the Lambda client sent and what moto answered.
#[derive(Debug, Clone, Default)]
struct Invokes(Arc<Mutex<Vec<Invoke>>>);

impl Intercept for Invokes {
    fn name(&self) -> &'static str {
        "test invoke recorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let kind = request.headers().get("x-amz-invocation-type").map(str::to_owned);
        let body = request.body().bytes().map(|b| serde_json::from_slice(b).unwrap()).unwrap_or(Value::Null);
        let invoke = Invoke { uri: request.uri().to_owned(), invocation_type: kind, payload: body, answer: None };
        self.0.lock().unwrap().push(invoke);
        Ok(())
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(last) = self.0.lock().unwrap().last_mut() {
            last.answer = Some(context.response().status().as_u16());
        }
        Ok(())
    }
}

struct Api {
    app: Router,
    clock: Arc<FixedClock>,
    store: mozdef_store_opensearch::OpenSearchStore,
    invokes: Invokes,
    function: String,
    _cleanup: Cleanup,
    _moto: Moto,
}

/// The function over an isolated OpenSearch prefix, a fresh schedules table holding two
/// schedules, and an alerts function named `function` (created in moto when `create`).
async fn api(create_function: bool) -> Api {
    let moto = Moto::start().await;
    let sdk = moto.sdk_config().await;
    let schedules = DynamoSchedules::new(aws_sdk_dynamodb::Client::new(&sdk), unique("schedules"));
    schedules.ensure_table().await.unwrap();
    schedules
        .replace_all(&[
            AlertSchedule::new("bruteforce_ssh.AlertBruteforceSsh", Schedule::every_minutes(1)),
            AlertSchedule::new(
                "proxy_drop_executable.AlertProxyDropExecutable",
                Schedule::crontab("*/5 * * * *").unwrap(),
            ),
        ])
        .await
        .unwrap();
    let function = unique("alerts");
    if create_function {
        let cfn = aws_sdk_cloudformation::Client::new(&sdk);
        let parameter = Parameter::builder().parameter_key("FunctionName").parameter_value(&function).build();
        let template =
            std::fs::read_to_string(format!("{}/tests/fixtures/alerts-function.json", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        cfn.create_stack().stack_name(&function).template_body(template).parameters(parameter).send().await.unwrap();
    }
    let invokes = Invokes::default();
    let lambda = aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::from(&sdk).interceptor(invokes.clone()).build(),
    );
    let schedules: Arc<dyn ScheduleStore> = Arc::new(schedules);
    let (store, cleanup) = isolated_store().await;
    let clock = Arc::new(FixedClock::new(now()));
    let state = ApiState {
        run_alerts: Some(Arc::new(InvokeAlertsFunction::new(lambda, &function, schedules.clone()))),
        ..ApiState::new(Arc::new(store.clone()), schedules, clock.clone())
    };
    let app = app(state, RequiredClaims::new(ISSUER, AUDIENCE, clock.clone()));
    Api { app, clock, store, invokes, function, _cleanup: cleanup, _moto: moto }
}

/// The function's answer to `payload` (through the binary's handler): the status and the JSON body.
async fn invoke(app: &Router, payload: Value) -> (u64, Value) {
    let request: LambdaRequest = serde_json::from_value(payload).unwrap();
    let app = app.clone();
    let adapter = Adapter::from(lambda_http::service_fn(move |request| handler::handle(app.clone(), request)));
    let response = adapter.oneshot(LambdaEvent::new(request, Context::default())).await.unwrap();
    let response = serde_json::to_value(response).unwrap();
    let body = response["body"].as_str().unwrap_or_default();
    let body = if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() };
    (response["statusCode"].as_u64().unwrap(), body)
}

async fn index(store: &mozdef_store_opensearch::OpenSearchStore, index: &str, id: &str, source: Value) {
    let request = IndexRequest { index: index.into(), id: id.into(), source: source.as_object().unwrap().clone() };
    store.index(&[request]).await.unwrap();
    store.refresh().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_alerts_and_schedules_through_api_gateway_payloads() {
    let api = api(false).await;
    for (n, ip) in ["203.0.113.9", "203.0.113.9", "198.51.100.4"].iter().enumerate() {
        let source = json!({
            "utctimestamp": "2026-12-07T10:10:00+00:00", "receivedtimestamp": "2026-12-07T10:10:01+00:00",
            "category": "authentication", "hostname": format!("web{n}"), "summary": format!("Failed password from {ip}"),
            "details": {"sourceipaddress": ip}
        });
        index(&api.store, "events-20261207", &format!("e{n}"), source).await;
    }
    let alert = json!({
        "utctimestamp": "2026-12-07T10:15:00+00:00", "severity": "WARNING", "category": "bruteforce",
        "summary": "10 ssh bruteforce attempts by 203.0.113.9 web0 (10 hits)", "tags": ["ssh"], "events": [],
        "classname": "AlertBruteforceSsh"
    });
    index(&api.store, "alerts-202612", "a-203.0.113.9", alert.clone()).await;

    let (status, body) = invoke(&api.app, fixture("apigw-v2-search.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 2, "{body}");
    let hosts: Vec<&str> =
        body["hits"].as_array().unwrap().iter().map(|h| h["_source"]["hostname"].as_str().unwrap()).collect();
    assert_eq!(hosts.len(), 2);
    assert!(hosts.contains(&"web0") && hosts.contains(&"web1"), "{hosts:?}");
    assert_eq!(body["aggregations"]["hostname"]["terms"].as_array().unwrap().len(), 2, "{body}");

    // On a named stage API Gateway passes the stage in the path; the routes still match.
    let mut staged = fixture("apigw-v2-search.json");
    staged["requestContext"]["stage"] = json!("prod");
    staged["rawPath"] = json!("/prod/api/search");
    staged["requestContext"]["http"]["path"] = staged["rawPath"].clone();
    let (status, body) = invoke(&api.app, staged).await;
    assert_eq!((status, &body["total"]), (200, &json!(2)), "{body}");

    let mut by_id = fixture("apigw-v2-alert.json");
    by_id["rawPath"] = json!("/api/alerts/a-203.0.113.9");
    by_id["requestContext"]["http"]["path"] = by_id["rawPath"].clone();
    let (status, body) = invoke(&api.app, by_id.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["_id"], "a-203.0.113.9");
    assert_eq!(body["_source"]["summary"], alert["summary"]);
    by_id["rawPath"] = json!("/api/alerts/none-such");
    let (status, body) = invoke(&api.app, by_id).await;
    assert_eq!(status, 404, "{body}");

    let (status, body) = invoke(&api.app, fixture("apigw-v2-alertschedules.json")).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(names, ["bruteforce_ssh.AlertBruteforceSsh", "proxy_drop_executable.AlertProxyDropExecutable"]);
    assert_eq!(body["proxy_drop_executable.AlertProxyDropExecutable"]["schedule_type"], "crontab", "{body}");
    assert!(api.invokes.0.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_alerts_now_invokes_the_alerts_function_asynchronously() {
    let api = api(true).await;
    let (status, body) = invoke(&api.app, fixture("apigw-v2-run-alerts.json")).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body, json!({"queued": ["bruteforce_ssh.AlertBruteforceSsh"]}));
    let invokes = api.invokes.0.lock().unwrap().clone();
    assert_eq!(invokes.len(), 1, "{invokes:?}");
    let Invoke { uri, invocation_type, payload, answer } = &invokes[0];
    assert!(uri.ends_with(&format!("/2015-03-31/functions/{}/invocations", api.function)), "{uri}");
    assert_eq!(invocation_type.as_deref(), Some("Event"), "asynchronous");
    assert_eq!(
        payload,
        &json!({"mozdef-run": {"names": ["bruteforce_ssh.AlertBruteforceSsh"], "at": "2026-12-07T10:20:00+00:00"}})
    );
    assert_eq!(*answer, Some(202), "moto accepted the invoke");
    // The very payload the alerts function reads.
    let request = mozdef_aws::alert_invoke::RunNowRequest::from_payload(payload).unwrap().unwrap();
    assert_eq!(request.run_at().unwrap(), Some(now()));

    // An unknown name: a 400 naming it, and nothing invoked.
    let mut unknown = fixture("apigw-v2-run-alerts.json");
    unknown["body"] = json!(r#"{"names": ["bruteforce"]}"#);
    let (status, body) = invoke(&api.app, unknown).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "unknown alert \"bruteforce\"");
    assert_eq!(api.invokes.0.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alerts_function_that_does_not_exist_is_a_503_naming_it() {
    let api = api(false).await;
    let (status, body) = invoke(&api.app, fixture("apigw-v2-run-alerts.json")).await;
    assert_eq!(status, 503, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("MOZDEF_ALERTS_FUNCTION") && error.contains(&api.function), "{error}");
    assert!(error.contains("ResourceNotFoundException"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_expected_claims_get_401() {
    let api = api(false).await;
    let claims =
        |payload: &mut Value| payload["requestContext"]["authorizer"]["jwt"]["claims"].as_object_mut().unwrap().clone();
    let with_claims = |change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut payload = fixture("apigw-v2-alertschedules.json");
        let mut edited = claims(&mut payload);
        change(&mut edited);
        payload["requestContext"]["authorizer"]["jwt"]["claims"] = Value::Object(edited);
        payload
    };

    let mut no_authorizer = fixture("apigw-v2-alertschedules.json");
    no_authorizer["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no authorizer", no_authorizer, "no JWT claims from the authorizer"),
        (
            "no issuer",
            with_claims(&|c| {
                c.remove("iss");
            }),
            "the token has no issuer (iss)",
        ),
        (
            "wrong issuer",
            with_claims(&|c| {
                c.insert("iss".into(), json!("https://login.example.com"));
            }),
            "issuer \"https://login.example.com\" is not the expected one",
        ),
        (
            "wrong audience",
            with_claims(&|c| {
                c.insert("aud".into(), json!("someone-else"));
            }),
            "audience (aud) \"someone-else\" does not contain the expected one",
        ),
        (
            "no audience",
            with_claims(&|c| {
                c.remove("aud");
            }),
            "the token has no audience (aud or client_id)",
        ),
        (
            "no expiry",
            with_claims(&|c| {
                c.remove("exp");
            }),
            "the token has no expiry (exp)",
        ),
        (
            "bad expiry",
            with_claims(&|c| {
                c.insert("exp".into(), json!("tomorrow"));
            }),
            "expiry (exp) \"tomorrow\" is not a number of seconds",
        ),
    ];
    for (case, payload, reason) in cases {
        let (status, body) = invoke(&api.app, payload).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["error"], format!("unauthorized: {reason}"), "{case}");
    }

    // Accepted: an audience among several, a Cognito access token's client_id.
    let several = with_claims(&|c| {
        c.insert("aud".into(), json!(format!("[other {AUDIENCE}]")));
    });
    assert_eq!(invoke(&api.app, several).await.0, 200);
    let access_token = with_claims(&|c| {
        c.remove("aud");
        c.insert("client_id".into(), json!(AUDIENCE));
        c.insert("token_use".into(), json!("access"));
    });
    assert_eq!(invoke(&api.app, access_token).await.0, 200);

    // Expired: the same request after its token's exp (2026-12-07T11:13:20Z).
    assert_eq!(invoke(&api.app, fixture("apigw-v2-alertschedules.json")).await.0, 200);
    api.clock.set(Utc.with_ymd_and_hms(2026, 12, 7, 11, 13, 20).unwrap());
    let (status, body) = invoke(&api.app, fixture("apigw-v2-alertschedules.json")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized: the token expired at 1796642000");
    // Every route is behind the check, unknown ones too.
    let mut unknown = fixture("apigw-v2-alertschedules.json");
    unknown["rawPath"] = json!("/api/nothing-here");
    assert_eq!(invoke(&api.app, unknown).await.0, 401);
}
