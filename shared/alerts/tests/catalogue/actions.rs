//! Alert actions (inventory §3.5) against a loopback HTTP server that records every request
//! and answers with scripted statuses: the body each action sends, field by field; retries
//! of transient failures (503 then 200), none for permanent ones (400); skips (no source IP,
//! no PagerDuty integration, `notify_mozdefbot` false); the outcomes as stored; the
//! configuration and its mistakes. SNS goes through a recording publisher here; the AWS
//! implementation is tested against moto in the mozdef-aws crate.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use chrono::Utc;
use mozdef_alerts::ConfigSource;
use mozdef_alerts::actions::{
    ActionServices, ActionStatus, ActionsConfig, AlertAction, AlertMessage, RetryPolicy, SnsError, SnsPublisher,
    build_actions, outcomes_to_value, run_actions,
};
use serde_json::{Value, json};

/// One request the server received.
#[derive(Debug, Clone)]
struct Request {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Value,
}

/// What the server saw and what it answers next (200 once the script runs out).
#[derive(Clone, Default)]
struct Server {
    requests: Arc<Mutex<Vec<Request>>>,
    script: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
}

impl Server {
    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn answer(&self, statuses: &[(u16, &'static str)]) {
        self.script.lock().unwrap().extend(statuses.iter().copied());
    }
}

async fn record(
    State(server): State<Server>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    server.requests.lock().unwrap().push(Request { method, path: uri.path().to_owned(), headers, body });
    let (status, text) = server.script.lock().unwrap().pop_front().unwrap_or((200, "ok"));
    (StatusCode::from_u16(status).unwrap(), text.to_owned())
}

/// A recording server on a free loopback port, and its base URL.
async fn server() -> (String, Server) {
    let server = Server::default();
    let app = Router::new().fallback(record).with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, server)
}

/// Fast retries: 3 attempts, 10 ms apart.
fn fast() -> RetryPolicy {
    RetryPolicy { attempts: 3, backoff_ms: 10, max_backoff_ms: 20 }
}

/// A configuration from JSON (the way a file would give it), enabled actions included.
fn config(settings: Value) -> ActionsConfig {
    let mut config: ActionsConfig = serde_json::from_value(settings).unwrap();
    config.retry = fast();
    config
}

fn actions(config: &ActionsConfig) -> Vec<Arc<dyn AlertAction>> {
    build_actions(config, &ActionServices::default()).unwrap()
}

/// A bruteforce_ssh alert as `run_alert` stores and publishes it.
fn alert() -> AlertMessage {
    let source = json!({
        "utctimestamp": "2017-01-01T01:00:00+00:00",
        "severity": "NOTICE",
        "summary": "10.1.2.3 ssh bruteforce attempts: 12 failures [exhostname]",
        "category": "bruteforce",
        "tags": ["openssh", "sshd", "bruteforce"],
        "events": [{"documentindex": "events-20170101", "documentsource": {}, "documentid": "e1"}],
        "channel": null,
        "notify_mozdefbot": false,
        "status": "manual",
        "classname": "AlertBruteforceSsh",
        "details": {"sourceipaddress": "10.1.2.3", "hostname": "exhostname"}
    });
    AlertMessage::new("alert-1", "alerts-201701", source.as_object().unwrap().clone())
}

fn with(mut message: AlertMessage, changes: Value) -> AlertMessage {
    for (key, value) in changes.as_object().unwrap() {
        message.source.insert(key.clone(), value.clone());
    }
    message
}

#[tokio::test]
async fn block_ip_posts_mozdefs_list_with_the_bearer_token() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["block_ip"],
        // MozDef's space-separated form of the registration.
        "block_ip": {"alert_names": "alertfoo alertbruteforcessh", "restapi_url": format!("{url}/rest/"), "jwt_token": "s3cret"}
    }));
    let before = Utc::now();
    let outcomes = run_actions(&actions(&config), &alert(), &config.retry).await;
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].action, "block_ip");
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded, "{outcomes:?}");
    assert_eq!(outcomes[0].attempts, 1);
    assert_eq!(outcomes[0].error, None);
    assert!(outcomes[0].at >= before && outcomes[0].at <= Utc::now());

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/rest/blockip");
    assert_eq!(request.headers["authorization"], "Bearer s3cret");
    assert_eq!(request.headers["content-type"], "application/json");
    let body = request.body.as_array().expect("a list of single-key objects");
    assert_eq!(body.len(), 6);
    assert_eq!(body[0], json!({"ipaddress": "10.1.2.3/32"}));
    assert_eq!(body[1], json!({"duration": "1d"}));
    assert_eq!(body[2], json!({"comment": "Automatic Block"}));
    assert_eq!(body[3], json!({"referenceid": ""}));
    assert_eq!(body[4], json!({"IPBlockList": true}));
    assert_eq!(body[5], json!({"userid": "MozDef"}));
}

#[tokio::test]
async fn block_ip_skips_other_alerts_and_alerts_without_a_source_ip() {
    let (url, server) = server().await;
    let config = config(json!({"enabled": ["block_ip"], "block_ip": {"restapi_url": url}}));
    let actions = actions(&config);
    let other_alert = with(alert(), json!({"classname": "AlertProxyDropIP"}));
    let no_ip = with(alert(), json!({"details": {"hostname": "exhostname"}}));
    for message in [other_alert, no_ip] {
        let outcomes = run_actions(&actions, &message, &config.retry).await;
        assert_eq!(outcomes[0].status, ActionStatus::Skipped);
        assert_eq!(outcomes[0].attempts, 0);
    }
    assert!(server.requests().is_empty(), "nothing is blocked");
    // Without a token there is no Authorization header (the default registration matches).
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded);
    assert!(server.requests()[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn pagerduty_triggers_an_events_v2_alert() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["pagerduty"],
        "pagerduty": {
            "events_url": format!("{url}/v2/enqueue"),
            "web_url": "https://mozdef.example.com/",
            "integrations": [
                {"routing_key": "key-for-ldap", "tag": "ldap"},
                {"service_key": "key-for-ssh", "tag": "sshd", "doc": "https://runbooks.example.com/ssh"},
                {"routing_key": "key-for-bruteforce", "tag": "bruteforce"}
            ]
        }
    }));
    let message = with(alert(), json!({"severity": "CRITICAL", "summary": "x".repeat(2000)}));
    let outcomes = run_actions(&actions(&config), &message, &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded, "{outcomes:?}");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v2/enqueue");
    let event = &requests[0].body;
    // The first integration (in configuration order) whose tag the alert carries.
    assert_eq!(event["routing_key"], "key-for-ssh");
    assert_eq!(event["event_action"], "trigger");
    assert_eq!(event["dedup_key"], "alert-1");
    assert_eq!(event["client"], "MozDef");
    assert_eq!(event["client_url"], "https://mozdef.example.com/alert/alert-1");
    assert_eq!(
        event["links"],
        json!([
            {"href": "https://mozdef.example.com/alert/alert-1", "text": "View alert in MozDef"},
            {"href": "https://runbooks.example.com/ssh", "text": "View runbook"}
        ])
    );
    let payload = &event["payload"];
    let summary = payload["summary"].as_str().unwrap();
    assert_eq!(summary.chars().count(), 1024, "PagerDuty's limit");
    assert!(summary.starts_with("xxxx") && summary.ends_with("..."));
    assert_eq!(payload["source"], "exhostname");
    assert_eq!(payload["severity"], "critical");
    assert_eq!(payload["timestamp"], "2017-01-01T01:00:00+00:00");
    assert_eq!(payload["class"], "bruteforce");
    assert_eq!(payload["component"], "AlertBruteforceSsh");
    let details = &payload["custom_details"];
    assert_eq!(details["alert_id"], "alert-1");
    assert_eq!(details["alert_index"], "alerts-201701");
    assert_eq!(details["category"], "bruteforce");
    assert_eq!(details["tags"], json!(["openssh", "sshd", "bruteforce"]));
    assert_eq!(details["details"]["sourceipaddress"], "10.1.2.3");
    assert!(details.get("url").is_none(), "no url on this alert");
}

#[tokio::test]
async fn pagerduty_maps_severities_and_skips_alerts_without_an_integration() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["pagerduty"],
        "pagerduty": {"events_url": url, "integrations": [{"routing_key": "k", "tag": "sshd"}]}
    }));
    let actions = actions(&config);
    let untagged = with(alert(), json!({"tags": ["ldap"]}));
    assert_eq!(run_actions(&actions, &untagged, &config.retry).await[0].status, ActionStatus::Skipped);
    assert!(server.requests().is_empty());
    for (mozdef, pagerduty) in
        [("ERROR", "error"), ("WARNING", "warning"), ("NOTICE", "info"), ("INFO", "info"), ("EMERGENCY", "critical")]
    {
        let message = with(alert(), json!({"severity": mozdef, "details": {}}));
        assert_eq!(run_actions(&actions, &message, &config.retry).await[0].status, ActionStatus::Succeeded);
        let event = server.requests().last().unwrap().body.clone();
        assert_eq!(event["payload"]["severity"], pagerduty, "{mozdef}");
        assert_eq!(event["payload"]["source"], "mozdef", "no details.hostname: the configured source");
        assert_eq!(event["links"].as_array().unwrap().len(), 1, "no runbook configured");
    }
}

#[tokio::test]
async fn slack_posts_alerts_coloured_by_severity_to_their_channel() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["slack"],
        "slack": {"webhook_url": format!("{url}/services/T0/B0/x"), "default_channel": "mozdef-alerts",
                  "channels": ["mozdef-alerts", "infosec"], "username": "mozdef"}
    }));
    let actions = actions(&config);
    let cases = [
        ("CRITICAL", "#d04437"),
        ("ERROR", "#d04437"),
        ("WARNING", "#ffd351"),
        ("INFO", "#cccccc"),
        ("NOTICE", "#4a6785"),
        ("DEBUG", "#000000"),
    ];
    for (severity, colour) in cases {
        let message = with(alert(), json!({"severity": severity, "notify_mozdefbot": true}));
        let outcomes = run_actions(&actions, &message, &config.retry).await;
        assert_eq!(outcomes[0].status, ActionStatus::Succeeded, "{severity}");
        let request = server.requests().last().unwrap().clone();
        assert_eq!(request.path, "/services/T0/B0/x");
        let body = request.body;
        assert_eq!(body["channel"], "mozdef-alerts", "no channel on the alert: the default");
        assert_eq!(body["username"], "mozdef");
        let attachments = body["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0]["color"], colour, "{severity}");
        let text = format!("{severity} _bruteforce_: 10.1.2.3 ssh bruteforce attempts: 12 failures [exhostname]");
        assert_eq!(attachments[0]["text"], text.as_str());
        assert_eq!(attachments[0]["fallback"], text.as_str());
    }

    // The alert's channel when it is one of the bot's; the default otherwise.
    let to_infosec = with(alert(), json!({"channel": "infosec", "notify_mozdefbot": true}));
    run_actions(&actions, &to_infosec, &config.retry).await;
    assert_eq!(server.requests().last().unwrap().body["channel"], "infosec");
    let to_unknown = with(alert(), json!({"channel": "random", "notify_mozdefbot": true}));
    run_actions(&actions, &to_unknown, &config.retry).await;
    assert_eq!(server.requests().last().unwrap().body["channel"], "mozdef-alerts");

    // Long summaries are cut at 450 characters.
    let long = with(alert(), json!({"summary": "é".repeat(500), "severity": "WARNING", "notify_mozdefbot": true}));
    run_actions(&actions, &long, &config.retry).await;
    let text = server.requests().last().unwrap().body["attachments"][0]["text"].as_str().unwrap().to_owned();
    assert_eq!(text, format!("WARNING _bruteforce_: {} truncated...", "é".repeat(450)));
}

#[tokio::test]
async fn slack_respects_notify_mozdefbot() {
    let (url, server) = server().await;
    let config = config(json!({"enabled": ["slack"], "slack": {"webhook_url": url}}));
    let actions = actions(&config);
    // createAlertDict's tagBotNotify made this NOTICE alert's flag false: not posted.
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Skipped);
    assert!(server.requests().is_empty());
    // Absent counts as not false (the bot only skipped an explicit false).
    let mut unflagged = alert();
    unflagged.source.remove("notify_mozdefbot");
    let outcomes = run_actions(&actions, &unflagged, &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].body["channel"], "mozdef", "MozDef's default_alert_channel");
}

#[tokio::test]
async fn webhook_posts_the_whole_message_with_its_headers() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["webhook"],
        "webhook": {"url": format!("{url}/hook"), "headers": {"X-Api-Key": "k1", "X-Source": "mozdef"}}
    }));
    let message = alert();
    let outcomes = run_actions(&actions(&config), &message, &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded);
    let request = &server.requests()[0];
    assert_eq!(request.path, "/hook");
    assert_eq!(request.headers["x-api-key"], "k1");
    assert_eq!(request.headers["x-source"], "mozdef");
    assert_eq!(request.body["_id"], "alert-1");
    assert_eq!(request.body["_index"], "alerts-201701");
    assert_eq!(request.body["_source"], Value::Object(message.source.clone()));
    let echoed: AlertMessage = serde_json::from_value(request.body.clone()).unwrap();
    assert_eq!(echoed, message);
}

#[tokio::test]
async fn transient_failures_are_retried_and_permanent_ones_are_not() {
    let (url, server) = server().await;
    let config = config(json!({"enabled": ["webhook"], "webhook": {"url": url}}));
    let actions = actions(&config);

    server.answer(&[(503, "busy")]);
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Succeeded);
    assert_eq!(outcomes[0].attempts, 2, "503 then 200");
    assert_eq!(server.requests().len(), 2);

    server.answer(&[(429, "slow down")]);
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!((outcomes[0].status, outcomes[0].attempts), (ActionStatus::Succeeded, 2), "429 is transient");

    server.answer(&[(400, "bad event")]);
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Failed);
    assert_eq!(outcomes[0].attempts, 1, "a 400 is not retried");
    let error = outcomes[0].error.clone().unwrap();
    assert!(error.contains("action webhook") && error.contains("400") && error.contains("bad event"), "{error}");
    assert_eq!(server.requests().len(), 5);

    server.answer(&[(500, "down"), (502, "down"), (503, "down")]);
    let outcomes = run_actions(&actions, &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Failed);
    assert_eq!(outcomes[0].attempts, 3, "attempts are capped");
    assert!(outcomes[0].error.clone().unwrap().contains("503"), "the last error is kept");
    assert_eq!(server.requests().len(), 8);
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried_then_recorded() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = config(json!({"enabled": ["webhook"], "webhook": {"url": format!("http://127.0.0.1:{port}/")}}));
    let outcomes = run_actions(&actions(&config), &alert(), &config.retry).await;
    assert_eq!(outcomes[0].status, ActionStatus::Failed);
    assert_eq!(outcomes[0].attempts, 3, "a refused connection is transient");
    assert!(outcomes[0].error.clone().unwrap().starts_with("action webhook: "));
}

#[tokio::test]
async fn one_failure_does_not_stop_the_others_and_outcomes_are_stored_in_order() {
    let (url, server) = server().await;
    let config = config(json!({
        "enabled": ["webhook", "block_ip", "slack"],
        "webhook": {"url": format!("{url}/hook")},
        "block_ip": {"restapi_url": url},
        "slack": {"webhook_url": format!("{url}/slack")}
    }));
    server.answer(&[(404, "no such hook")]);
    let outcomes = run_actions(&actions(&config), &alert(), &config.retry).await;
    let summary: Vec<_> = outcomes.iter().map(|o| (o.action.as_str(), o.status, o.attempts)).collect();
    assert_eq!(
        summary,
        [
            ("webhook", ActionStatus::Failed, 1),
            ("block_ip", ActionStatus::Succeeded, 1),
            ("slack", ActionStatus::Skipped, 0)
        ]
    );
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/hook", "/blockip"]);

    let stored = outcomes_to_value(&outcomes);
    let stored = stored.as_array().unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0]["action"], "webhook");
    assert_eq!(stored[0]["status"], "failed");
    assert_eq!(stored[0]["attempts"], 1);
    assert!(stored[0]["error"].as_str().unwrap().contains("HTTP 404"));
    assert_eq!(stored[1]["status"], "succeeded");
    assert_eq!(stored[1]["error"], Value::Null);
    assert_eq!(stored[2]["status"], "skipped");
    assert_eq!(stored[2]["attempts"], 0);
    let at = stored[1]["at"].as_str().unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(at).expect("an ISO timestamp").with_timezone(&Utc);
    assert!((parsed - outcomes[1].at).num_milliseconds().abs() < 1, "{at} vs {:?}", outcomes[1].at);
}

/// Records what the SNS action publishes; fails transiently as often as told.
#[derive(Default)]
struct RecordingPublisher {
    published: Mutex<Vec<(String, String, String)>>,
    transient_failures: Mutex<u32>,
}

#[async_trait]
impl SnsPublisher for RecordingPublisher {
    async fn publish(&self, topic_arn: &str, subject: &str, message: &str) -> Result<String, SnsError> {
        let mut failures = self.transient_failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return Err(SnsError { transient: true, message: "Throttling".into() });
        }
        self.published.lock().unwrap().push((topic_arn.into(), subject.into(), message.into()));
        Ok("message-1".into())
    }
}

#[tokio::test]
async fn sns_publishes_the_message_to_the_topic() {
    let publisher = Arc::new(RecordingPublisher::default());
    *publisher.transient_failures.lock().unwrap() = 1;
    let config = config(json!({
        "enabled": ["sns"],
        "sns": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:mozdef-alerts", "registration": ["bruteforce"]}
    }));
    let services = ActionServices { sns: Some(publisher.clone()) };
    let actions = build_actions(&config, &services).unwrap();
    let message = with(alert(), json!({"summary": "ünïcode\nsummary ".to_owned() + &"y".repeat(200)}));
    let outcomes = run_actions(&actions, &message, &config.retry).await;
    assert_eq!((outcomes[0].status, outcomes[0].attempts), (ActionStatus::Succeeded, 2));
    let published = publisher.published.lock().unwrap().clone();
    assert_eq!(published.len(), 1);
    let (topic, subject, body) = &published[0];
    assert_eq!(topic, "arn:aws:sns:us-east-1:123456789012:mozdef-alerts");
    assert!(subject.starts_with("MozDef NOTICE alert: ?n?code?summary yyy"), "{subject}");
    assert_eq!(subject.chars().count(), 100);
    let body: AlertMessage = serde_json::from_str(body).unwrap();
    assert_eq!(body, message);

    let unregistered = with(alert(), json!({"category": "ldap", "tags": ["ldap"]}));
    assert_eq!(run_actions(&actions, &unregistered, &config.retry).await[0].status, ActionStatus::Skipped);
    assert_eq!(publisher.published.lock().unwrap().len(), 1);
}

#[test]
fn configuration_is_read_per_action_with_environment_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("actions.json"),
        r#"{"enabled": ["slack", "block_ip"], "retry": {"attempts": 5, "backoff_ms": 1}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("slack.json"), r#"{"webhook_url": "https://hooks.example.com/x"}"#).unwrap();
    std::fs::write(dir.path().join("block_ip.json"), r#"{"alert_names": "alertbruteforcessh alertfoo"}"#).unwrap();
    let env = HashMap::from([
        ("MOZDEF_ALERT_BLOCK_IP__JWT_TOKEN".to_owned(), "from-env".to_owned()),
        ("MOZDEF_ALERT_SLACK__DEFAULT_CHANNEL".to_owned(), "secops".to_owned()),
    ]);
    let source = ConfigSource { dir: Some(dir.path().to_path_buf()), env };
    let config = ActionsConfig::load(&source).unwrap();
    assert_eq!(config.enabled, ["slack", "block_ip"]);
    assert_eq!(config.retry.attempts, 5);
    assert_eq!(config.retry.backoff_ms, 1);
    assert_eq!(config.retry.max_backoff_ms, RetryPolicy::default().max_backoff_ms);
    assert_eq!(config.slack.webhook_url, "https://hooks.example.com/x");
    assert_eq!(config.slack.default_channel, "secops");
    assert_eq!(config.block_ip.alert_names, ["alertbruteforcessh", "alertfoo"]);
    assert_eq!(config.block_ip.restapi_url, "http://localhost:8081", "MozDef's default");
    assert_eq!(config.block_ip.jwt_token.as_deref(), Some("from-env"));
    let built = build_actions(&config, &ActionServices::default()).unwrap();
    let names: Vec<_> = built.iter().map(|a| a.name().to_owned()).collect();
    assert_eq!(names, ["slack", "block_ip"]);

    // Nothing configured: no actions.
    let none = ActionsConfig::load(&ConfigSource::defaults()).unwrap();
    assert!(build_actions(&none, &ActionServices::default()).unwrap().is_empty());
}

#[test]
fn configuration_mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let source = ConfigSource { dir: Some(dir.path().to_path_buf()), env: HashMap::new() };
    let error_of = |actions: &str, file: Option<(&str, &str)>| {
        std::fs::write(dir.path().join("actions.json"), actions).unwrap();
        if let Some((name, text)) = file {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        match ActionsConfig::load(&source) {
            Err(e) => e.to_string(),
            Ok(config) => build_actions(&config, &ActionServices::default()).err().expect("refused").to_string(),
        }
    };
    let error = error_of(r#"{"enabled": ["pagerDutyTriggerEvent"]}"#, None);
    assert!(error.contains("unknown action \"pagerDutyTriggerEvent\""), "{error}");
    let error = error_of(r#"{"enabled": ["slack"]}"#, None);
    assert!(error.contains("slack: webhook_url is not set"), "{error}");
    let error = error_of(r#"{"enabled": ["webhook"]}"#, Some(("webhook.json", r#"{"url": "ftp://x/"}"#)));
    assert!(error.contains("webhook: url") && error.contains("not http(s)"), "{error}");
    let error = error_of(r#"{"enabled": ["webhook"]}"#, Some(("webhook.json", r#"{"url": "not a url"}"#)));
    assert!(error.contains("webhook: url \"not a url\""), "{error}");
    let error = error_of(
        r#"{"enabled": ["webhook"]}"#,
        Some(("webhook.json", r#"{"url": "http://x/", "headers": {"bad header": "v"}}"#)),
    );
    assert!(error.contains("header name \"bad header\""), "{error}");
    let error = error_of(r#"{"enabled": ["pagerduty"]}"#, Some(("pagerduty.json", r#"{"integrations": []}"#)));
    assert!(error.contains("pagerduty: no integrations"), "{error}");
    let error = error_of(r#"{"enabled": ["block_ip"]}"#, Some(("block_ip.json", r#"{"restapi": "http://x"}"#)));
    assert!(error.contains("unknown setting \"restapi\""), "{error}");
    let error = error_of(r#"{"enabled": ["sns"]}"#, Some(("sns.json", r#"{"topic_arn": "arn:aws:sns:x:1:t"}"#)));
    assert!(error.contains("sns: no SNS publisher"), "{error}");
    let error = error_of(r#"{"enabled": ["sns"]}"#, Some(("sns.json", r#"{}"#)));
    assert!(error.contains("sns: topic_arn is not set"), "{error}");
    let error = error_of(r#"{"enabled": ["slack", "slack"]}"#, Some(("slack.json", r#"{"webhook_url": "http://x/"}"#)));
    assert!(error.contains("slack: enabled twice"), "{error}");
    let error = error_of(r#"{"enabeld": ["slack"]}"#, None);
    assert!(error.contains("unknown setting \"enabeld\""), "{error}");
}
