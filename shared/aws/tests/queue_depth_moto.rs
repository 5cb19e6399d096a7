//! The health page's SQS queue depth against moto: messages waiting, in flight and delayed are
//! counted per queue, named by the queue's URL; a queue that is not there is an error naming it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mozdef_aws::queue_depth::SqsQueueDepth;
use mozdef_aws::testing::Moto;
use mozdef_store::QueueStatus;

#[tokio::test]
async fn ready_in_flight_and_delayed_are_counted_per_queue() {
    let moto = Moto::start().await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let name = format!("depth-{}-{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();
    for n in 0..3 {
        sqs.send_message().queue_url(&url).message_body(format!("m{n}")).send().await.unwrap();
    }
    sqs.send_message().queue_url(&url).message_body("later").delay_seconds(600).send().await.unwrap();
    sqs.receive_message().queue_url(&url).max_number_of_messages(1).visibility_timeout(600).send().await.unwrap();

    let depth = SqsQueueDepth::new(sqs.clone(), vec![url.clone()]).depth().await.unwrap();
    assert_eq!(depth.len(), 1);
    assert_eq!(depth[0].name, name);
    assert_eq!((depth[0].ready, depth[0].in_flight, depth[0].delayed), (2, 1, 1), "{depth:?}");

    let missing = format!("{}-missing", url);
    let error = SqsQueueDepth::new(sqs, vec![missing]).depth().await.expect_err("no such queue");
    assert!(error.to_string().contains(&format!("{name}-missing")), "{error}");
}
