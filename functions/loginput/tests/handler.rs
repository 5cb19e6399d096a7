//! The `loginput` function on real API Gateway HTTP API payloads (2.0, `tests/fixtures/`),
//! through `lambda_http`'s adapter exactly as the runtime calls it, with the events queue on
//! SQS and the shipper tokens in DynamoDB, both from moto (the AWS emulator from PyPI, on
//! loopback). What is queued is read back from SQS and decoded as the ingest function does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aws_sdk_sqs::types::QueueAttributeName;
use axum::Router;
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use lambda_http::{Adapter, Context, LambdaEvent, service_fn};
use mozdef_api::Limits;
use mozdef_aws::SqsEventQueue;
use mozdef_aws::loginput_message::{KIND, KIND_ATTRIBUTE, LoginputContent, LoginputMessage};
use mozdef_aws::testing::Moto;
use mozdef_fn_loginput::{app, handler};
use mozdef_service::ShipperTokens;
use mozdef_service::shipper_tokens::CacheSettings;
use mozdef_store::ShipperTokenStore;
use mozdef_store_dynamodb::DynamoShipperTokens;
use serde_json::{Value, json};

/// A queue and a token table of this test's own on moto (one moto may serve many tests).
struct Aws {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    tokens: Arc<DynamoShipperTokens>,
    queue: Arc<SqsEventQueue>,
    _moto: Moto,
}

async fn aws(test: &str) -> Aws {
    let moto = Moto::start().await;
    let sdk = moto.sdk_config().await;
    let unique = format!("{test}-{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url = sqs.create_queue().queue_name(&unique).send().await.unwrap().queue_url().unwrap().to_owned();
    let tokens = Arc::new(DynamoShipperTokens::new(aws_sdk_dynamodb::Client::new(&sdk), &unique));
    tokens.ensure_table().await.unwrap();
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
    let queue = Arc::new(SqsEventQueue::new(sqs.clone(), s3, &queue_url, unique));
    Aws { sqs, queue_url, tokens, queue, _moto: moto }
}

impl Aws {
    /// The function's router with shipper tokens required.
    fn app(&self) -> Router {
        app(self.queue.clone(), Limits::default(), Some(self.tokens.clone() as Arc<dyn ShipperTokenStore>))
    }

    /// The token service the `mozdef token` command uses on the same table.
    fn token_admin(&self) -> ShipperTokens {
        ShipperTokens::new(self.tokens.clone(), CacheSettings::default())
    }

    /// Every message on the queue, decoded, after checking its kind attribute.
    async fn messages(&self) -> Vec<LoginputMessage> {
        let mut messages = Vec::new();
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .send()
                .await
                .unwrap();
            if received.messages().is_empty() {
                return messages;
            }
            for message in received.messages() {
                let kind =
                    message.message_attributes().and_then(|a| a.get(KIND_ATTRIBUTE)).and_then(|v| v.string_value());
                assert_eq!(kind, Some(KIND));
                messages.push(LoginputMessage::from_body(message.body().unwrap().as_bytes()).unwrap());
                let receipt = message.receipt_handle().unwrap();
                self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(receipt).send().await.unwrap();
            }
        }
    }

    /// The events of every queued message, in order.
    async fn queued_events(&self) -> Vec<Value> {
        let mut messages = self.messages().await;
        messages.sort_by(|a, b| a.identity.cmp(&b.identity));
        let mut events = Vec::new();
        for message in messages {
            match message.content {
                LoginputContent::Events { events: batch } => events.extend(batch.into_iter().map(Value::Object)),
                LoginputContent::Object { s3 } => panic!("a small event went through S3: {s3:?}"),
            }
        }
        events
    }

    async fn assert_nothing_queued(&self) {
        let attributes = self
            .sqs
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap();
        let counts: Vec<&str> = attributes.attributes().unwrap().values().map(String::as_str).collect();
        assert_eq!(counts, ["0", "0"], "the queue holds messages");
        assert!(self.messages().await.is_empty());
    }
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `payload` with its `Authorization` header set to `value`, or removed.
fn authorized(mut payload: Value, value: Option<&str>) -> Value {
    let headers = payload["headers"].as_object_mut().unwrap();
    match value {
        Some(value) => headers.insert("authorization".into(), json!(value)),
        None => headers.remove("authorization"),
    };
    payload
}

fn with_body(mut payload: Value, body: &str) -> Value {
    payload["body"] = json!(body);
    payload["headers"]["content-length"] = json!(body.len().to_string());
    payload
}

/// The function's answer to `payload`, as the JSON the runtime returns to API Gateway.
async fn invoke(app: &Router, payload: Value) -> Value {
    let request: LambdaRequest = serde_json::from_value(payload).unwrap();
    let app = app.clone();
    let adapter = Adapter::from(service_fn(move |request| handler::handle(app.clone(), request)));
    let response = adapter.oneshot(LambdaEvent::new(request, Context::default())).await.unwrap();
    serde_json::to_value(response).unwrap()
}

/// The status and the JSON body of an answer (`Null` for an empty body).
fn answer(response: &Value) -> (u64, Value) {
    assert_eq!(response["isBase64Encoded"], false, "{response}");
    let body = response["body"].as_str().unwrap_or_default();
    let body = if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() };
    (response["statusCode"].as_u64().unwrap(), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_puts_the_events_on_the_queue() {
    let aws = aws("loginput-valid").await;
    let app = aws.app();
    let token = aws.token_admin().create("fluentbit-web").await.unwrap();
    let bearer = format!("Bearer {}", token.secret);

    let (status, body) = answer(&invoke(&app, authorized(fixture("apigw-v2-events.json"), Some(&bearer))).await);
    assert_eq!((status, body), (200, Value::Null));
    let events = aws.queued_events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["summary"], "Accepted publickey for deploy from 198.51.100.7 port 51514 ssh2");
    assert_eq!(events[0]["details"]["username"], "deploy");
    assert_eq!(events[0]["endpoint"], "events");

    // A named stage (`/prod/_bulk`), NDJSON with bulk action lines.
    let response = invoke(&app, authorized(fixture("apigw-v2-bulk-stage.json"), Some(&bearer))).await;
    assert_eq!(answer(&response), (200, json!({"errors": false, "accepted": 3})));
    assert_eq!(response["headers"]["content-type"], "application/json", "{response}");
    let summaries: Vec<Value> = aws.queued_events().await.iter().map(|e| e["summary"].clone()).collect();
    assert_eq!(summaries, [json!("first"), json!("second"), json!("third")]);

    // A base64 body (API Gateway encodes bodies it does not take for text) on /custom/<app>/.
    let response = invoke(&app, authorized(fixture("apigw-v2-custom-base64.json"), Some(&bearer))).await;
    assert_eq!(answer(&response), (200, Value::Null));
    let events = aws.queued_events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["msg"], "héllo");
    assert_eq!((&events[0]["endpoint"], &events[0]["customendpoint"]), (&json!("myapp"), &json!(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_revoked_and_missing_tokens_get_401_and_nothing_is_queued() {
    let aws = aws("loginput-refused").await;
    let admin = aws.token_admin();
    let revoked = admin.create("retired-shipper").await.unwrap();
    admin.revoke("retired-shipper").await.unwrap();
    let active = admin.create("active-shipper").await.unwrap();
    let app = aws.app();
    let unknown = format!("Bearer mzd_{}", "k".repeat(43));
    let cases = [
        (None, "missing shipper token: send it as \"Authorization: Bearer <token>\""),
        (Some(format!("Bearer {}", revoked.secret)), "invalid or revoked shipper token"),
        (Some(unknown), "invalid or revoked shipper token"),
        (Some(format!("Bearer {}x", active.secret)), "malformed shipper token"),
        (Some(active.secret.clone()), "malformed Authorization header: expected \"Bearer <token>\""),
    ];
    for fixture_name in ["apigw-v2-events.json", "apigw-v2-bulk-stage.json", "apigw-v2-custom-base64.json"] {
        for (authorization, error) in &cases {
            let response = invoke(&app, authorized(fixture(fixture_name), authorization.as_deref())).await;
            assert_eq!(answer(&response), (401, json!({"error": error})), "{fixture_name} with {authorization:?}");
            let challenge = response["headers"]["www-authenticate"].as_str().unwrap_or_default();
            assert!(challenge.starts_with("Bearer"), "{response}");
        }
    }
    aws.assert_nothing_queued().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_gets_400_naming_the_problem() {
    let aws = aws("loginput-invalid").await;
    let token = aws.token_admin().create("web1").await.unwrap();
    let bearer = format!("Bearer {}", token.secret);
    let app = aws.app();
    let events = authorized(fixture("apigw-v2-events.json"), Some(&bearer));
    let (status, body) = answer(&invoke(&app, with_body(events.clone(), "{\"summary\": \"cut")).await);
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().starts_with("invalid JSON: EOF while parsing a string"), "{body}");
    let (status, body) = answer(&invoke(&app, with_body(events, "\"just a string\"")).await);
    assert_eq!((status, body), (400, json!({"error": "an event must be a JSON object, not a string"})));
    let bulk = authorized(fixture("apigw-v2-bulk-stage.json"), Some(&bearer));
    let (status, body) = answer(&invoke(&app, with_body(bulk, "{\"a\": 1}\n[2]\n{\"c\": 3}\n")).await);
    assert_eq!(status, 400);
    assert_eq!(body, json!({"error": "line 2: an event must be a JSON object, not an array", "line": 2}));
    aws.assert_nothing_queued().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_test_answer_without_a_token_and_other_paths_are_404() {
    let aws = aws("loginput-status").await;
    let app = aws.app();
    let (status, body) = answer(&invoke(&app, fixture("apigw-v2-status.json")).await);
    assert_eq!((status, body), (200, json!({"status": "ok", "service": "loginput"})));
    let (status, body) = answer(&invoke(&app, fixture("apigw-v2-test-stage.json")).await);
    assert_eq!((status, body), (200, Value::Null));
    let mut elsewhere = fixture("apigw-v2-status.json");
    elsewhere["rawPath"] = json!("/api/search");
    let (status, body) = answer(&invoke(&app, elsewhere).await);
    assert_eq!((status, body), (404, json!({"error": "no route for /api/search"})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_loginput_takes_events_without_a_token() {
    let aws = aws("loginput-open").await;
    let app = app(aws.queue.clone(), Limits::default(), None);
    let (status, _) = answer(&invoke(&app, authorized(fixture("apigw-v2-events.json"), None)).await);
    assert_eq!(status, 200);
    assert_eq!(aws.queued_events().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_sqs_does_not_take_gets_503() {
    let aws = aws("loginput-unavailable").await;
    let token = aws.token_admin().create("web1").await.unwrap();
    aws.sqs.delete_queue().queue_url(&aws.queue_url).send().await.unwrap();
    let (status, body) = answer(
        &invoke(&aws.app(), authorized(fixture("apigw-v2-events.json"), Some(&format!("Bearer {}", token.secret))))
            .await,
    );
    assert_eq!(status, 503, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("service unavailable: "), "{body}");
}

#[test]
fn a_bad_configuration_fails_the_cold_start_naming_the_variable() {
    let cold_start = |env: &[(&str, &str)]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_loginput"))
            .env_clear()
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(!output.status.success(), "no runtime API here: the function cannot run");
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (_, stderr) = cold_start(&[]);
    assert!(stderr.contains("MOZDEF_EVENTS_QUEUE_URL is not set"), "{stderr}");
    let queue = [("MOZDEF_EVENTS_QUEUE_URL", "http://127.0.0.1:9/q"), ("MOZDEF_LARGE_EVENTS_BUCKET", "b")];
    let (_, stderr) = cold_start(&queue);
    let expected = "MOZDEF_SHIPPER_TOKENS_TABLE: is not set (it is required unless MOZDEF_LOGINPUT_OPEN=true)";
    assert!(stderr.contains(expected), "{stderr}");
    let bad_limit = [&queue[..], &[("MOZDEF_SHIPPER_TOKENS_TABLE", "t"), ("OPTIONS_MAX_BULK_BYTES", "lots")]].concat();
    let (_, stderr) = cold_start(&bad_limit);
    assert!(
        stderr.contains("OPTIONS_MAX_BULK_BYTES: ") && stderr.contains("is not a positive number of bytes"),
        "{stderr}"
    );
    // A good configuration passes the cold start (then finds no runtime API), saying how it runs.
    let (stdout, _) =
        cold_start(&[&queue[..], &[("MOZDEF_SHIPPER_TOKENS_TABLE", "t"), ("AWS_REGION", "eu-west-1")]].concat());
    assert!(stdout.contains("shipper tokens required") && stdout.contains("loginput ready"), "{stdout}");
    let (stdout, _) =
        cold_start(&[&queue[..], &[("MOZDEF_LOGINPUT_OPEN", "true"), ("AWS_REGION", "eu-west-1")]].concat());
    assert!(stdout.contains("loginput takes events from anyone") && stdout.contains("WARN"), "{stdout}");
}
