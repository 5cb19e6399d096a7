//! The outbound lookups behind `/ipwhois` and `/ipdshieldquery`: whois (as RDAP, the HTTP
//! successor of the whois protocol MozDef's `ipwhois.lookup_whois()` spoke) plus reverse DNS,
//! and DShield's record of an address.
//!
//! Only public addresses go out (see [`check_public_address`]): asking a third party about an
//! internal address tells it what the network looks like and answers nothing. MozDef answered
//! 500 to anything but an IPv4 address; here a bad address is a 400 naming `ipaddress`, and
//! IPv6 is looked up too.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::StatusCode;
use mozdef_service::lists::check_public_address;
use serde_json::Value;

use crate::ApiError;

/// ARIN's RDAP service for addresses; it redirects an address another registry holds to that
/// registry's service.
pub const DEFAULT_WHOIS_URL: &str = "https://rdap.arin.net/registry/ip/";
/// DShield's address API, as MozDef called it.
pub const DEFAULT_DSHIELD_URL: &str = "https://isc.sans.edu/api/ip/";
/// MozDef's default `user_agent` (`rest/index.py`).
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:10.0) Gecko/20100101 Firefox/58.0";
/// How long a lookup may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest upstream body read, in bytes.
const MAX_BODY_BYTES: usize = 4 << 20;

/// Where and how the lookups go out.
#[derive(Debug, Clone)]
pub struct LookupSettings {
    /// The RDAP base the address is appended to ([`DEFAULT_WHOIS_URL`]); redirects (RDAP
    /// bootstrap, registry referrals) are followed.
    pub whois_url: String,
    /// The DShield base the address is appended to, before `?json` ([`DEFAULT_DSHIELD_URL`]).
    pub dshield_url: String,
    /// The `User-Agent` of every lookup (MozDef's `user_agent`, [`DEFAULT_USER_AGENT`]).
    pub user_agent: String,
    /// How long one lookup may take, the reverse DNS query included ([`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Whether `/ipwhois` adds the address's reverse DNS name as `fqdn` (on by default; off,
    /// `fqdn` is null without a query).
    pub reverse_dns: bool,
}

impl Default for LookupSettings {
    fn default() -> Self {
        LookupSettings {
            whois_url: DEFAULT_WHOIS_URL.to_owned(),
            dshield_url: DEFAULT_DSHIELD_URL.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            reverse_dns: true,
        }
    }
}

/// The lookups, over one HTTP client built at the start.
#[derive(Debug, Clone)]
pub struct Lookups {
    whois_url: String,
    dshield_url: String,
    timeout: Duration,
    reverse_dns: bool,
    client: reqwest::Client,
}

impl Lookups {
    /// The lookups for `settings`: each base URL must be an `http` or `https` URL (a missing
    /// final `/` is added) and the user agent a valid header value; otherwise an error naming
    /// the setting.
    pub fn new(settings: LookupSettings) -> Result<Self, ApiError> {
        let whois_url = base_url("whois_url", &settings.whois_url)?;
        let dshield_url = base_url("dshield_url", &settings.dshield_url)?;
        // reqwest is built without a default crypto provider: install ring, once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(settings.user_agent.as_str())
            .build()
            .map_err(|e| {
                ApiError::Unavailable(format!(
                    "lookups: cannot build the HTTP client (user_agent {:?}?): {e}",
                    settings.user_agent
                ))
            })?;
        Ok(Lookups { whois_url, dshield_url, timeout: settings.timeout, reverse_dns: settings.reverse_dns, client })
    }

    /// The RDAP record of a public address, plus `"fqdn"`: its reverse DNS name, or null when
    /// it has none, the query fails or [`LookupSettings::reverse_dns`] is off (MozDef's
    /// `socket.getfqdn` gave the address back instead). A non-public address is a
    /// [`ApiError::BadRequest`] naming `ipaddress`; no answer in time, an error status or a body
    /// that is not a JSON object is [`ApiError::Unavailable`] naming the RDAP service.
    pub async fn ipwhois(&self, ip: IpAddr) -> Result<Value, ApiError> {
        refuse_non_public(ip)?;
        let url = format!("{}{ip}", self.whois_url);
        let request = self.client.get(&url).header(reqwest::header::ACCEPT, "application/rdap+json, application/json");
        let (answer, fqdn) = tokio::join!(self.fetch("ipwhois", &url, request), self.reverse_name(ip));
        let (status, body) = answer?;
        if !status.is_success() {
            return Err(ApiError::Unavailable(format!("ipwhois: {url} answered {status}")));
        }
        let Ok(Value::Object(mut record)) = serde_json::from_slice::<Value>(&body) else {
            return Err(ApiError::Unavailable(format!("ipwhois: {url} answered something other than a JSON object")));
        };
        record.insert("fqdn".to_owned(), fqdn.map_or(Value::Null, Value::String));
        Ok(Value::Object(record))
    }

    /// DShield's record of a public address (`GET <dshield_url><ip>?json`): the upstream status
    /// and its JSON body, passed through as MozDef did, whatever the status (a body that is not
    /// JSON is null then). A non-public address is a [`ApiError::BadRequest`] naming `ipaddress`
    /// (MozDef asked DShield about any IPv4 address); no answer in time, or a success whose body
    /// is not JSON, is [`ApiError::Unavailable`] naming DShield's URL.
    pub async fn dshield(&self, ip: IpAddr) -> Result<(StatusCode, Value), ApiError> {
        refuse_non_public(ip)?;
        let url = format!("{}{ip}?json", self.dshield_url);
        let (status, body) = self.fetch("ipdshieldquery", &url, self.client.get(&url)).await?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(json) => Ok((status, json)),
            Err(_) if !status.is_success() => Ok((status, Value::Null)),
            Err(e) => Err(ApiError::Unavailable(format!(
                "ipdshieldquery: {url} answered {status} with a body that is not JSON: {e}"
            ))),
        }
    }

    /// Sends `request` for `endpoint` and reads the status and at most [`MAX_BODY_BYTES`] of
    /// the body; a failure or timeout is [`ApiError::Unavailable`] naming the endpoint and URL.
    async fn fetch(
        &self,
        endpoint: &str,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), ApiError> {
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                ApiError::Unavailable(format!("{endpoint}: {url} did not answer within {:?}", self.timeout))
            } else {
                ApiError::Unavailable(format!("{endpoint}: {url}: {}", mozdef_model::error_chain(&e)))
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ApiError::Unavailable(format!(
                    "{endpoint}: {url} answered more than {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    /// The reverse DNS name of `ip`, through the system resolver (`getnameinfo`, on a blocking
    /// thread) within the timeout; `None` when it has none, fails or is switched off.
    async fn reverse_name(&self, ip: IpAddr) -> Option<String> {
        if !self.reverse_dns {
            return None;
        }
        let query = tokio::task::spawn_blocking(move || dns_lookup::lookup_addr(&ip).ok());
        match tokio::time::timeout(self.timeout, query).await {
            Ok(Ok(Some(name))) if !name.is_empty() && name.parse::<IpAddr>().is_err() => Some(name),
            _ => None,
        }
    }
}

/// A 400 naming `ipaddress` for a non-public address.
fn refuse_non_public(ip: IpAddr) -> Result<(), ApiError> {
    check_public_address(ip).map_err(|e| ApiError::bad_request(format!("{e}: only public addresses are looked up")))
}

/// `url` as a base to append an address to: an `http` or `https` URL ending in `/`.
fn base_url(setting: &str, url: &str) -> Result<String, ApiError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::Unavailable(format!("lookups: {setting} {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
        return Err(ApiError::Unavailable(format!(
            "lookups: {setting} {url:?} must be an http or https URL without a query"
        )));
    }
    let mut base = parsed.to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(base_url("whois_url", "https://rdap.example/ip").unwrap(), "https://rdap.example/ip/");
        assert_eq!(base_url("whois_url", DEFAULT_WHOIS_URL).unwrap(), DEFAULT_WHOIS_URL);
        for bad in ["", "rdap.example/ip/", "ftp://rdap.example/", "https://rdap.example/?x=1"] {
            let e = base_url("whois_url", bad).unwrap_err().to_string();
            assert!(e.contains("whois_url"), "{e}");
        }
    }

    #[test]
    fn bad_user_agent_is_refused() {
        let settings = LookupSettings { user_agent: "bad\nagent".to_owned(), ..LookupSettings::default() };
        let e = Lookups::new(settings).unwrap_err().to_string();
        assert!(e.contains("user_agent"), "{e}");
    }
}
