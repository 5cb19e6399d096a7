//! AWS plumbing of MozDef in Rust: SDK configuration on one TLS stack (rustls with ring),
//! endpoint overrides for local emulators, the S3 object source of the CloudTrail decoder, and
//! the SNS publisher of the alert actions.

mod config;
pub mod lambda_env;
pub mod loginput_message;
mod opensearch;
mod s3;
mod sns;
mod sqs;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{AwsOptions, load};
pub use opensearch::opensearch_config;
pub use s3::S3Objects;
pub use sns::SnsTopics;
pub use sqs::SqsAlertQueue;
