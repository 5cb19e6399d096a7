//! AWS plumbing of MozDef in Rust: SDK configuration on one TLS stack (rustls with ring),
//! endpoint overrides for local emulators, the S3 object source of the CloudTrail decoder, and
//! the SNS publisher of the alert actions.
//!
//! The events queue between the loginput and ingest Lambdas: [`SqsEventQueue`] puts requests on
//! it ([`events_split`] cuts them into messages), [`SqsRecordReader`] reads its records back
//! ([`sqs_classify`] picks the decoder of every other source on the queue).
//!
//! "Run alerts now" from the API function: [`alert_invoke`] hands it to the alerts function
//! (an asynchronous invoke with a payload both sides read the same way). CloudFormation custom
//! resources: [`cfn_response`] answers them at their pre-signed response URL.

pub mod alert_invoke;
#[cfg(feature = "apigw")]
pub mod apigw_stage;
pub mod cfn_response;
#[cfg(feature = "testing")]
pub mod cold_start;
mod config;
pub mod events_queue;
pub mod events_split;
pub mod lambda_env;
pub mod loginput_message;
mod opensearch;
pub mod queue_depth;
mod s3;
pub mod secrets;
mod sns;
mod sqs;
pub mod sqs_classify;
#[cfg(feature = "testing")]
pub mod sqs_mapping;
pub mod sqs_records;
#[cfg(feature = "testing")]
pub mod testing;

pub use aws_config::SdkConfig;
pub use config::{AwsOptions, load};
pub use events_queue::SqsEventQueue;
pub use opensearch::opensearch_config;
pub use s3::S3Objects;
pub use secrets::SecretsManagerSecrets;
pub use sns::SnsTopics;
pub use sqs::SqsAlertQueue;
pub use sqs_records::{S3Notification, SqsRecord, SqsRecordReader};
