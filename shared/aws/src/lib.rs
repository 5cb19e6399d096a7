//! AWS plumbing of MozDef in Rust: SDK configuration on one TLS stack (rustls with ring),
//! endpoint overrides for local emulators, and the S3 object source of the CloudTrail decoder.

mod config;
mod s3;

pub use config::{AwsOptions, load};
pub use s3::S3Objects;
