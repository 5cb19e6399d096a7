//! The `sns` alert action publishing through aws-sdk-sns to moto's SNS (the local AWS
//! emulator from PyPI): a topic with an SQS queue subscribed to it, the alert read back from
//! the queue, on moto from `mozdef_aws::testing` (scripts/test installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::Arc;

use aws_sdk_sns::config::{Credentials, Region};
use mozdef_alerts::actions::{
    ActionServices, ActionStatus, ActionsConfig, AlertMessage, RetryPolicy, SnsPublisher, build_actions, run_actions,
};
use mozdef_aws::testing::Moto;
use mozdef_aws::{AwsOptions, SnsTopics, load};
use serde_json::{Value, json};

async fn sdk(url: &str) -> aws_config::SdkConfig {
    load(&AwsOptions { region: Some("us-east-1".into()), endpoint_url: Some(url.to_owned()) }).await
}

async fn moto() -> Moto {
    Moto::start().await
}

fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "mozdef-test")
}

async fn sns_client(url: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::config::Builder::from(&sdk(url).await)
        .credentials_provider(credentials())
        .region(Region::new("us-east-1"))
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

async fn sqs_client(url: &str) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::config::Builder::from(&sdk(url).await)
        .credentials_provider(credentials())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

fn alert() -> AlertMessage {
    let source = json!({
        "utctimestamp": "2017-01-01T01:00:00+00:00",
        "severity": "WARNING",
        "summary": "10.1.2.3 ssh bruteforce attempts: 12 failures",
        "category": "bruteforce",
        "tags": ["openssh", "sshd", "bruteforce"],
        "notify_mozdefbot": true,
        "classname": "AlertBruteforceSsh",
        "details": {"sourceipaddress": "10.1.2.3"}
    });
    AlertMessage::new("alert-1", "alerts-201701", source.as_object().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_action_publishes_to_a_topic_read_back_from_sqs() {
    let moto = moto().await;
    let sns = sns_client(&moto.url).await;
    let sqs = sqs_client(&moto.url).await;
    let topic_arn = sns.create_topic().name("mozdef-alerts").send().await.unwrap().topic_arn.unwrap();
    let queue_url = sqs.create_queue().queue_name("mozdef-alerts-sink").send().await.unwrap().queue_url.unwrap();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let queue_arn = attributes.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    sns.subscribe().topic_arn(&topic_arn).protocol("sqs").endpoint(&queue_arn).send().await.unwrap();

    let mut config: ActionsConfig =
        serde_json::from_value(json!({"enabled": ["sns"], "sns": {"topic_arn": topic_arn}})).unwrap();
    config.retry = RetryPolicy { attempts: 2, backoff_ms: 10, max_backoff_ms: 10 };
    let services = ActionServices { sns: Some(Arc::new(SnsTopics::new(sns.clone()))) };
    let actions = build_actions(&config, &services).unwrap();
    let message = alert();
    let outcomes = run_actions(&actions, &message, &config.retry).await;
    assert_eq!(outcomes[0].action, "sns");
    assert_eq!((outcomes[0].status, outcomes[0].attempts), (ActionStatus::Succeeded, 1), "{outcomes:?}");

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .wait_time_seconds(5)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "one notification on the subscribed queue");
    let envelope: Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic_arn.as_str());
    assert_eq!(envelope["Subject"], "MozDef WARNING alert: 10.1.2.3 ssh bruteforce attempts: 12 failures");
    let published: AlertMessage = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    assert_eq!(published, message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_topic_is_permanent() {
    let moto = moto().await;
    let topics = SnsTopics::new(sns_client(&moto.url).await);
    let missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let error = topics.publish(missing, "s", "m").await.expect_err("no such topic");
    assert!(!error.transient, "a missing topic will not appear by retrying: {error:?}");
    assert!(error.message.contains("no-such-topic"), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_sns_is_transient() {
    let missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = SnsTopics::new(sns_client(&format!("http://127.0.0.1:{port}")).await);
    let error = dead.publish(missing, "s", "m").await.expect_err("nothing listens");
    assert!(error.transient, "a refused connection is worth retrying: {error:?}");
}
