//! One way to build AWS SDK configuration: the default credential and region chains, an
//! HTTPS client on rustls with the ring provider, and an optional endpoint override (a local
//! emulator such as moto in tests).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// Where and how to reach AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// The region; `None` uses the default chain (`AWS_REGION`, profile, IMDS).
    pub region: Option<String>,
    /// An endpoint that replaces every service's (`AWS_ENDPOINT_URL` works too).
    pub endpoint_url: Option<String>,
}

/// Loads SDK configuration with the default credential chain and a rustls/ring HTTPS client.
pub async fn load(options: &AwsOptions) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint.clone());
    }
    loader.load().await
}
