//! How to reach a cluster and how to write to it, validated once when the store is opened.

use std::fmt;
use std::time::Duration;

use crate::OpenSearchError;

/// Connection and write settings of an [`OpenSearchStore`](crate::OpenSearchStore).
#[derive(Debug, Clone)]
pub struct OpenSearchConfig {
    /// The cluster's base URL, e.g. `http://127.0.0.1:9200` or a domain endpoint.
    pub url: String,
    /// How requests authenticate.
    pub auth: Auth,
    /// Prepended to every index and alias name (`""` in production; lets several
    /// deployments or test runs share one cluster). Lower case letters, digits, `-`, `_`.
    pub index_prefix: String,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Bounds of one bulk request.
    pub bulk: BulkLimits,
    /// Retries of bulk items and whole requests that failed for a passing reason.
    pub retry: RetryPolicy,
}

impl OpenSearchConfig {
    /// Settings for `url` with defaults. User information in the URL
    /// (`http://user:password@host:9200`) becomes basic authentication and is removed from it.
    pub fn from_url(url: &str) -> Result<Self, OpenSearchError> {
        let mut parsed = reqwest::Url::parse(url)
            .map_err(|e| OpenSearchError::Config(format!("OpenSearch URL {url:?} does not parse: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OpenSearchError::Config(format!("OpenSearch URL {url:?} must start with http:// or https://")));
        }
        let auth = if parsed.username().is_empty() {
            Auth::None
        } else {
            let username = percent_decode(parsed.username());
            let password = percent_decode(parsed.password().unwrap_or_default());
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            Auth::Basic { username, password }
        };
        Ok(OpenSearchConfig {
            url: parsed.to_string(),
            auth,
            index_prefix: String::new(),
            request_timeout: Duration::from_secs(60),
            bulk: BulkLimits::default(),
            retry: RetryPolicy::default(),
        })
    }

    /// Checks the settings: a parseable URL, a valid prefix, sane limits.
    pub fn validate(&self) -> Result<(), OpenSearchError> {
        reqwest::Url::parse(&self.url)
            .map_err(|e| OpenSearchError::Config(format!("OpenSearch URL {:?} does not parse: {e}", self.url)))?;
        let prefix_ok =
            self.index_prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
                && !self.index_prefix.starts_with(['-', '_']);
        if !prefix_ok {
            return Err(OpenSearchError::Config(format!(
                "index prefix {:?} may hold only lower-case letters, digits, '-' and '_' and may not start with '-' or '_'",
                self.index_prefix
            )));
        }
        if self.bulk.max_docs == 0 || self.bulk.max_bytes < 1024 {
            return Err(OpenSearchError::Config("bulk limits must allow at least 1 document and 1 KiB".into()));
        }
        if self.bulk.concurrency == 0 {
            return Err(OpenSearchError::Config("bulk concurrency must be at least 1".into()));
        }
        Ok(())
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How requests authenticate.
#[derive(Clone, Default)]
pub enum Auth {
    /// No authentication (a local node).
    #[default]
    None,
    /// HTTP basic authentication.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// AWS Signature Version 4 with the credentials and region of an SDK configuration (the
    /// default chain: environment, profile, container or instance role).
    #[cfg(feature = "aws-auth")]
    SigV4 {
        /// Credentials and region.
        config: Box<aws_types::SdkConfig>,
        /// The signing service.
        service: SigningService,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { username, .. } => f.debug_struct("Basic").field("username", username).finish_non_exhaustive(),
            #[cfg(feature = "aws-auth")]
            Auth::SigV4 { config, service } => f
                .debug_struct("SigV4")
                .field("region", &config.region().map(|r| r.as_ref().to_owned()))
                .field("service", service)
                .finish(),
        }
    }
}

/// The service name requests are signed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningService {
    /// Amazon OpenSearch Service domains (`es`).
    #[default]
    Domain,
    /// Amazon OpenSearch Serverless collections (`aoss`).
    Serverless,
}

impl SigningService {
    /// The SigV4 service name.
    pub fn name(self) -> &'static str {
        match self {
            SigningService::Domain => "es",
            SigningService::Serverless => "aoss",
        }
    }
}

impl std::str::FromStr for SigningService {
    type Err = OpenSearchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "es" => Ok(SigningService::Domain),
            "aoss" => Ok(SigningService::Serverless),
            other => Err(OpenSearchError::Config(format!(
                "signing service {other:?} is neither \"es\" (domains) nor \"aoss\" (serverless)"
            ))),
        }
    }
}

/// Bounds of one bulk request: it closes at whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLimits {
    /// Documents per request.
    pub max_docs: usize,
    /// Bytes of NDJSON per request (a single larger document still goes, alone).
    pub max_bytes: usize,
    /// Bulk requests in flight at once.
    pub concurrency: usize,
}

impl Default for BulkLimits {
    fn default() -> Self {
        // Under the ~5 MB OpenSearch recommends per bulk request, and well under the 10 MB
        // request limit of the smallest Amazon OpenSearch Service instance types.
        BulkLimits { max_docs: 2000, max_bytes: 4 * 1024 * 1024, concurrency: 4 }
    }
}

/// Exponential backoff for records that failed for a passing reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The pause after the first failure; doubled after each further one.
    pub initial_backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt` (2 = the first retry).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(16);
        self.initial_backoff.saturating_mul(1 << doublings).min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_become_basic_auth() {
        let c = OpenSearchConfig::from_url("https://admin:p%40ss@search.example.com:9200").unwrap();
        assert_eq!(c.url, "https://search.example.com:9200/");
        match &c.auth {
            Auth::Basic { username, password } => assert_eq!((username.as_str(), password.as_str()), ("admin", "p@ss")),
            other => panic!("expected basic auth, got {other:?}"),
        }
        assert!(!format!("{:?}", c.auth).contains("p@ss"), "the password never reaches logs");
        assert!(matches!(OpenSearchConfig::from_url("http://127.0.0.1:9200").unwrap().auth, Auth::None));
    }

    #[test]
    fn bad_settings_are_named() {
        let e = OpenSearchConfig::from_url("ftp://x").unwrap_err().to_string();
        assert!(e.contains("http://"), "{e}");
        assert!(OpenSearchConfig::from_url("not a url").is_err());
        let mut c = OpenSearchConfig::from_url("http://127.0.0.1:9200").unwrap();
        c.index_prefix = "Bad Prefix".into();
        assert!(c.validate().unwrap_err().to_string().contains("Bad Prefix"));
        c.index_prefix = "t1-".into();
        assert!(c.validate().is_ok());
        assert!("os".parse::<SigningService>().is_err());
        assert_eq!("aoss".parse::<SigningService>().unwrap().name(), "aoss");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(2), Duration::from_millis(100));
        assert_eq!(p.backoff(3), Duration::from_millis(200));
        assert_eq!(p.backoff(40), Duration::from_secs(5));
    }
}
