//! Okta's System Log (`GET /api/v1/logs`), as MozDef's `cron/okta2mozdef.py` pulled Okta's
//! older Events API (`/api/v1/events`).
//!
//! # Requests
//!
//! Every request carries `Authorization: SSWS <api token>` and `Accept: application/json`.
//! The first run asks for a *polling* request (Okta's term: `since` without `until`, ascending)
//! starting `lookback_minutes` before now: `since=<ISO 8601, milliseconds, Z>&limit=<page_size>
//! &sortOrder=ASCENDING`. Okta answers a polling request with a `Link: <…>; rel="next"` header
//! on every page, even an empty one, and documents its `after` parameter as opaque ("rely on
//! the system-generated links"), so the next link is followed as Okta wrote it.
//!
//! # Cursor
//!
//! `{"next": "/api/v1/logs?…&after=…"}`: the path and query of the last page's next link. A
//! next link must point at the same origin and path as the configured base URL; any other
//! link is refused ([`CollectorError::Response`]) rather than followed with the API token.
//! Should Okta ever leave the next link out of a page with records, the cursor becomes a new
//! polling request from the last record's `published` time (records of that millisecond are
//! read again, and replace themselves by their `uuid`).
//!
//! `more` is whether the page was full (as many records as its `limit`); an empty page means
//! caught up: `more` is false and the cursor is the page's next link, so the next run goes on
//! from there. When a successful page says `X-Rate-Limit-Remaining: 0`, `more` is false too
//! (logged), leaving the rest to the next run instead of waiting for the reset.
//!
//! # Events
//!
//! MozDef wrote category `okta`, tags `["okta"]`, the Events API record as `details`, and
//! `details.sourceipaddress` / `username` / `source_uri` from the actors. For the System Log's
//! LogEvent this module writes:
//!
//! | event | LogEvent |
//! |---|---|
//! | `utctimestamp`, `timestamp` | `published` |
//! | `category` | `authentication` for `user.session.*`, `user.authentication.*`, `user.mfa.*` and `policy.evaluate_sign_on`; `administration` for `user.lifecycle.*`, `group.*`, `application.*`, `system.*`, `policy.lifecycle.*`; otherwise `okta` |
//! | `source`, `processname` | `okta` |
//! | `tags` | `["okta"]`, plus `"authentication"` for the authentication category |
//! | `severity` | `severity`: `DEBUG`, `INFO`, `WARN` → `WARNING`, `ERROR` (anything else `INFO`) |
//! | `hostname` | the Okta domain |
//! | `summary` | `displayMessage` (else `eventType`) + ` by <actor.alternateId>` + ` from <client.ipAddress>` + ` (<outcome.result>)`, each part only when present |
//! | `details.sourceipaddress` | `client.ipAddress` |
//! | `details.username`, `userid`, `displayname` | `actor.alternateId`, `actor.id`, `actor.displayName` |
//! | `details.eventtype` | `eventType` (e.g. `user.session.start`) |
//! | `details.outcome`, `reason` | `outcome.result`, `outcome.reason` |
//! | `details.success` | `outcome.result` is `SUCCESS` or `ALLOW` |
//! | `details.useragent` | `client.userAgent.rawUserAgent` |
//! | `details.severity` | `severity` as Okta wrote it |
//! | `details.geographicalcontext` | `client.geographicalContext` |
//! | `details.target`, `authenticationcontext`, `securitycontext`, `debugcontext` | `target`, `authenticationContext`, `securityContext`, `debugContext`, as given |
//! | `details.transactionid` | `transaction.id` |
//! | `details.source_uri` | `debugContext.debugData.requestUri` (MozDef's `source_uri`) |
//! | `details.uuid` | `uuid` |
//!
//! Absent and null values are left out. The id is the LogEvent's `uuid`. MozDef's GeoModel
//! reads `tags:auth0` by default; a GeoModel rule with `tags:okta` finds `details.username`
//! and `details.sourceipaddress` on these events.
//!
//! Differences from MozDef: the System Log replaces the Events API MozDef read (Okta
//! deprecated it); MozDef's cursor was a time (the run's start) compared with `published`, so
//! a record Okta stored late could be missed, and it read one page per run, so anything beyond
//! `recordlimit` was lost; the next link fixes both. A record without `uuid` or with an
//! unreadable `published` is skipped with a warning, as MozDef skipped one without
//! `published`.
//!
//! The settings checks at the end of this module (`bare_host`, `base_url`, `lookback`,
//! `page_size`, `secret_text`) are shared with the other providers of the crate.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use mozdef_model::{Document, get_path, isoformat, to_utc};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, LINK};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::http::Http;
use crate::{Collected, CollectorError, Cursor, Page, Provider};

/// The provider's name (`kind`, `source`, `processname`).
const PROVIDER: &str = "okta";
/// The System Log's path, relative to the base URL.
const LOGS_PATH: &str = "api/v1/logs";
/// Okta's largest `limit`, and ours by default.
const MAX_PAGE_SIZE: u32 = 1000;
/// The first run starts this long before now unless configured.
pub(crate) const DEFAULT_LOOKBACK_MINUTES: u32 = 60;
/// Event types (prefixes) of the `authentication` category.
const AUTHENTICATION_TYPES: [&str; 3] = ["user.session.", "user.authentication.", "user.mfa."];
/// Event types (prefixes) of the `administration` category.
const ADMINISTRATION_TYPES: [&str; 5] = ["user.lifecycle.", "group.", "application.", "system.", "policy.lifecycle."];
/// Outcomes that count as a success.
const SUCCESSES: [&str; 2] = ["SUCCESS", "ALLOW"];

/// The non-secret settings of an Okta collector (the site's collector configuration).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OktaSettings {
    /// The Okta organisation's domain, a bare host name (`example.okta.com`); also the events'
    /// `hostname`.
    pub domain: String,
    /// Where the API is, instead of `https://<domain>/` (a test stub, a proxy).
    #[serde(default)]
    pub base_url: Option<String>,
    /// How long before now the first run starts (default 60).
    #[serde(default)]
    pub lookback_minutes: Option<u32>,
    /// Records per page, Okta's `limit` (1 to 1000, default 1000).
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// The Okta System Log collector.
pub struct Okta {
    /// The domain, the events' `hostname`.
    domain: String,
    /// The System Log endpoint.
    logs_url: Url,
    /// `SSWS <token>`, marked sensitive.
    authorization: HeaderValue,
    /// The `limit` of first requests.
    page_size: u32,
    /// How far back the first run reaches.
    lookback: Duration,
}

impl fmt::Debug for Okta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Okta")
            .field("domain", &self.domain)
            .field("logs_url", &self.logs_url.as_str())
            .field("page_size", &self.page_size)
            .field("lookback_minutes", &self.lookback.num_minutes())
            .finish_non_exhaustive()
    }
}

impl Okta {
    /// A collector for `settings`; `secret` is the text of the Okta API token as stored (Secrets
    /// Manager or a file): the token alone, surrounding whitespace ignored.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Config`] naming the setting that is wrong (a domain with a scheme,
    /// path or port, a base URL that is not http(s), a page size outside 1–1000, a lookback of
    /// 0); [`CollectorError::Secret`] when the token is empty or holds whitespace or control
    /// characters.
    pub fn new(settings: OktaSettings, secret: &str) -> Result<Self, CollectorError> {
        let domain = bare_host("okta", "domain", &settings.domain)?;
        let base = base_url("okta", settings.base_url.as_deref(), &domain)?;
        let logs_url = base
            .join(LOGS_PATH)
            .map_err(|e| CollectorError::Config(format!("okta settings: base_url: cannot hold {LOGS_PATH}: {e}")))?;
        let token = secret_text("okta API token", secret)?;
        let mut authorization =
            HeaderValue::from_str(&format!("SSWS {token}")).map_err(|_| CollectorError::Secret {
                name: "okta API token".to_owned(),
                reason: "not usable in an HTTP header".to_owned(),
            })?;
        authorization.set_sensitive(true);
        Ok(Okta {
            domain,
            logs_url,
            authorization,
            page_size: page_size("okta", settings.page_size, MAX_PAGE_SIZE)?,
            lookback: lookback("okta", settings.lookback_minutes)?,
        })
    }

    /// The first run's request: a polling request from `now − lookback`.
    fn first_url(&self, now: DateTime<Utc>) -> Url {
        polling_url(&self.logs_url, now - self.lookback, self.page_size)
    }

    /// The request a saved cursor names.
    fn cursor_url(&self, cursor: &Cursor) -> Result<Url, CollectorError> {
        let next =
            cursor.get("next").and_then(Value::as_str).filter(|next| next.starts_with('/')).ok_or_else(|| {
                CollectorError::Config(format!(
                    "okta cursor: expected {{\"next\": \"/api/v1/logs?…\"}}, found {cursor}"
                ))
            })?;
        self.same_endpoint(next).map_err(|reason| CollectorError::Config(format!("okta cursor: {reason}")))
    }

    /// `link` resolved against the base URL, if it is the System Log endpoint of the same
    /// origin.
    fn same_endpoint(&self, link: &str) -> Result<Url, String> {
        let url = self.logs_url.join(link).map_err(|e| format!("{link:?} is not a URL: {e}"))?;
        let same_origin = url.scheme() == self.logs_url.scheme()
            && url.host_str() == self.logs_url.host_str()
            && url.port_or_known_default() == self.logs_url.port_or_known_default();
        if !same_origin || url.path() != self.logs_url.path() {
            return Err(format!("{link:?} is not {}", self.logs_url));
        }
        Ok(url)
    }

    /// The cursor after a page: its next link, else a polling request from the last record.
    fn next_cursor(
        &self,
        headers: &HeaderMap,
        records: &[Value],
        now: DateTime<Utc>,
    ) -> Result<Option<Cursor>, CollectorError> {
        if let Some(link) = next_link(headers) {
            let url =
                self.same_endpoint(&link).map_err(|reason| response(format!("refusing the next link: {reason}")))?;
            return Ok(Some(link_cursor(&url)));
        }
        let last = records.iter().rev().find_map(|record| record.get("published").and_then(|p| to_utc(p, now).ok()));
        let Some(last) = last else { return Ok(None) };
        tracing::warn!(
            provider = PROVIDER,
            "no next link on a polling request; continuing from the last record's time"
        );
        Ok(Some(link_cursor(&polling_url(&self.logs_url, last, self.page_size))))
    }
}

#[async_trait]
impl Provider for Okta {
    fn kind(&self) -> &'static str {
        PROVIDER
    }

    async fn fetch(&self, http: &Http, cursor: Option<&Cursor>, now: DateTime<Utc>) -> Result<Page, CollectorError> {
        let url = match cursor {
            None => self.first_url(now),
            Some(cursor) => self.cursor_url(cursor)?,
        };
        let limit = query_limit(&url).unwrap_or(self.page_size);
        let (body, headers) = http
            .json(PROVIDER, |client| {
                client
                    .get(url.clone())
                    .header(AUTHORIZATION, self.authorization.clone())
                    .header(ACCEPT, "application/json")
            })
            .await?;
        let Value::Array(records) = body else {
            return Err(response("the body is not a JSON array of LogEvent objects".to_owned()));
        };
        let events = records.iter().filter_map(|record| collect(record, &self.domain, now)).collect();
        let next = self.next_cursor(&headers, &records, now)?;
        let full = records.len() >= limit as usize;
        let exhausted = header(&headers, "x-rate-limit-remaining") == Some("0");
        if full && exhausted {
            tracing::info!(
                provider = PROVIDER,
                reset = header(&headers, "x-rate-limit-reset").unwrap_or("unknown"),
                "rate limit used up; the next run goes on"
            );
        }
        Ok(Page { events, next, more: full && !exhausted })
    }
}

/// A polling request from `since`.
fn polling_url(logs_url: &Url, since: DateTime<Utc>, limit: u32) -> Url {
    let mut url = logs_url.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("since", &since.to_rfc3339_opts(SecondsFormat::Millis, true))
        .append_pair("limit", &limit.to_string())
        .append_pair("sortOrder", "ASCENDING");
    url
}

/// The cursor naming `url`: its path and query.
fn link_cursor(url: &Url) -> Cursor {
    let next = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    json!({ "next": next })
}

/// The `limit` a request asks for.
fn query_limit(url: &Url) -> Option<u32> {
    url.query_pairs().find(|(key, _)| key == "limit").and_then(|(_, value)| value.parse().ok())
}

/// A header's text.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim)
}

/// The target of the `rel="next"` link among the `Link` headers (RFC 8288).
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers.get_all(LINK).iter().filter_map(|value| value.to_str().ok()).find_map(|value| {
        links(value).into_iter().find(|(_, params)| is_next(params)).map(|(target, _)| target.to_owned())
    })
}

/// The `<target>; params` entries of one `Link` header value.
fn links(value: &str) -> Vec<(&str, &str)> {
    let mut entries = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|close| open + close) else { break };
        let target = &rest[open + 1..close];
        let after = &rest[close + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        entries.push((target, &after[..params_end]));
        rest = &after[params_end..];
    }
    entries
}

/// Whether a link's parameters say `rel="next"` (among other relations, perhaps).
fn is_next(params: &str) -> bool {
    params
        .split([';', ','])
        .filter_map(|param| param.trim().strip_prefix("rel="))
        .any(|rel| rel.trim_matches('"').split_whitespace().any(|relation| relation.eq_ignore_ascii_case("next")))
}

/// An unexpected response.
fn response(reason: String) -> CollectorError {
    CollectorError::Response { provider: PROVIDER.to_owned(), reason }
}

/// A record as an event, or `None` (logged) when it cannot be one.
fn collect(record: &Value, hostname: &str, now: DateTime<Utc>) -> Option<Collected> {
    match to_event(record, hostname, now) {
        Ok(collected) => Some(collected),
        Err(reason) => {
            tracing::warn!(provider = PROVIDER, reason, "skipping a System Log record");
            None
        }
    }
}

/// A LogEvent as a MozDef event (the mapping in the module documentation).
fn to_event(record: &Value, hostname: &str, now: DateTime<Utc>) -> Result<Collected, String> {
    let id = text(record, "uuid").ok_or("no uuid")?;
    let published = record.get("published").ok_or_else(|| format!("{id}: no published time"))?;
    let at = to_utc(published, now).map_err(|e| format!("{id}: published: {e}"))?;
    let time = isoformat(&at);
    let category = category(text(record, "eventType").unwrap_or_default());
    let mut tags = vec![PROVIDER];
    if category == "authentication" {
        tags.push("authentication");
    }
    let event = json!({
        "utctimestamp": time,
        "timestamp": time,
        "category": category,
        "source": PROVIDER,
        "tags": tags,
        "severity": severity(text(record, "severity")),
        "hostname": hostname,
        "processname": PROVIDER,
        "summary": summary(record),
        "details": details(record),
    });
    let Value::Object(event) = event else { return Err("the event is not an object".to_owned()) };
    Ok(Collected { id: id.to_owned(), event })
}

/// The value at a dotted path, null counting as absent.
fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    get_path(record, path).filter(|value| !value.is_null())
}

/// The string at a dotted path.
fn text<'a>(record: &'a Value, path: &str) -> Option<&'a str> {
    field(record, path).and_then(Value::as_str)
}

/// MozDef's category for an Okta event type.
fn category(event_type: &str) -> &'static str {
    if event_type == "policy.evaluate_sign_on" || AUTHENTICATION_TYPES.iter().any(|p| event_type.starts_with(p)) {
        "authentication"
    } else if ADMINISTRATION_TYPES.iter().any(|p| event_type.starts_with(p)) {
        "administration"
    } else {
        PROVIDER
    }
}

/// MozDef's severity for Okta's.
fn severity(okta: Option<&str>) -> &'static str {
    match okta {
        Some("DEBUG") => "DEBUG",
        Some("WARN") => "WARNING",
        Some("ERROR") => "ERROR",
        _ => "INFO",
    }
}

/// `<displayMessage> by <user> from <ip> (<result>)`.
fn summary(record: &Value) -> String {
    let mut summary =
        text(record, "displayMessage").or_else(|| text(record, "eventType")).unwrap_or("Okta event").to_owned();
    if let Some(user) = text(record, "actor.alternateId") {
        summary.push_str(&format!(" by {user}"));
    }
    if let Some(ip) = text(record, "client.ipAddress") {
        summary.push_str(&format!(" from {ip}"));
    }
    if let Some(result) = text(record, "outcome.result") {
        summary.push_str(&format!(" ({result})"));
    }
    summary
}

/// `details`: the LogEvent fields MozDef's alerts and plugins read, under MozDef's names.
fn details(record: &Value) -> Document {
    const FIELDS: [(&str, &str); 17] = [
        ("sourceipaddress", "client.ipAddress"),
        ("username", "actor.alternateId"),
        ("userid", "actor.id"),
        ("displayname", "actor.displayName"),
        ("eventtype", "eventType"),
        ("outcome", "outcome.result"),
        ("reason", "outcome.reason"),
        ("useragent", "client.userAgent.rawUserAgent"),
        ("severity", "severity"),
        ("geographicalcontext", "client.geographicalContext"),
        ("target", "target"),
        ("authenticationcontext", "authenticationContext"),
        ("securitycontext", "securityContext"),
        ("debugcontext", "debugContext"),
        ("transactionid", "transaction.id"),
        ("source_uri", "debugContext.debugData.requestUri"),
        ("uuid", "uuid"),
    ];
    let mut details = Map::new();
    for (name, path) in FIELDS {
        if let Some(value) = field(record, path) {
            details.insert(name.to_owned(), value.clone());
        }
    }
    if let Some(result) = text(record, "outcome.result") {
        details.insert("success".to_owned(), Value::Bool(SUCCESSES.contains(&result)));
    }
    details
}

/// A host name setting: a bare, lower-cased host (`example.okta.com`), no scheme, port, path or
/// credentials.
///
/// # Errors
///
/// [`CollectorError::Config`] naming `provider` and `name`.
pub(crate) fn bare_host(provider: &str, name: &str, value: &str) -> Result<String, CollectorError> {
    let host = value.trim().to_ascii_lowercase();
    let problem = |why: &str| CollectorError::Config(format!("{provider} settings: {name}: {why}, found {value:?}"));
    if host.is_empty() {
        return Err(problem("must not be empty"));
    }
    if host.contains(|c: char| matches!(c, '/' | ':' | '@' | '?' | '#') || c.is_whitespace()) {
        return Err(problem("must be a bare host name (no scheme, port or path)"));
    }
    let parsed = Url::parse(&format!("https://{host}/")).map_err(|e| problem(&format!("not a host name ({e})")))?;
    if parsed.host_str() != Some(host.as_str()) {
        return Err(problem("not a host name"));
    }
    Ok(host)
}

/// The base URL: the `base_url` setting (http or https, no query, fragment or credentials;
/// a path is kept as a prefix) or `https://<host>/`; always ending in `/`.
///
/// # Errors
///
/// [`CollectorError::Config`] naming `provider` and `base_url`.
pub(crate) fn base_url(provider: &str, setting: Option<&str>, host: &str) -> Result<Url, CollectorError> {
    let text = setting.map_or_else(|| format!("https://{host}/"), str::to_owned);
    let problem = |why: String| CollectorError::Config(format!("{provider} settings: base_url: {why}, found {text:?}"));
    let mut url = Url::parse(&text).map_err(|e| problem(format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(problem("must be an http or https URL with a host".to_owned()));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(problem("must have no query, fragment or credentials".to_owned()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The `lookback_minutes` setting (default 60, at least 1).
///
/// # Errors
///
/// [`CollectorError::Config`] for 0.
pub(crate) fn lookback(provider: &str, minutes: Option<u32>) -> Result<Duration, CollectorError> {
    match minutes.unwrap_or(DEFAULT_LOOKBACK_MINUTES) {
        0 => Err(CollectorError::Config(format!("{provider} settings: lookback_minutes: must be at least 1"))),
        minutes => Ok(Duration::minutes(i64::from(minutes))),
    }
}

/// The `page_size` setting (default and most: `max`; at least 1).
///
/// # Errors
///
/// [`CollectorError::Config`] outside 1..=`max`.
pub(crate) fn page_size(provider: &str, size: Option<u32>, max: u32) -> Result<u32, CollectorError> {
    match size.unwrap_or(max) {
        size if (1..=max).contains(&size) => Ok(size),
        size => {
            Err(CollectorError::Config(format!("{provider} settings: page_size: must be 1 to {max}, found {size}")))
        }
    }
}

/// A secret's text as stored: trimmed; empty, or holding whitespace or control characters,
/// is refused.
///
/// # Errors
///
/// [`CollectorError::Secret`] naming `name`.
pub(crate) fn secret_text<'a>(name: &str, secret: &'a str) -> Result<&'a str, CollectorError> {
    let secret = secret.trim();
    let reason = if secret.is_empty() {
        "is empty"
    } else if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "holds whitespace or control characters (expected the key alone)"
    } else {
        return Ok(secret);
    };
    Err(CollectorError::Secret { name: name.to_owned(), reason: reason.to_owned() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn settings() -> OktaSettings {
        OktaSettings { domain: "example.okta.com".into(), base_url: None, lookback_minutes: None, page_size: None }
    }

    /// The "Example LogEvent object" of Okta's System Log API reference, with the
    /// geographical context, target and security context its annotated example describes (its
    /// `published`, `2017-09-31`, is not a date: September has 30 days; the 30th is used).
    fn session_start() -> Value {
        json!({
            "version": "0",
            "severity": "INFO",
            "client": {
                "zone": "OFF_NETWORK",
                "device": "Unknown",
                "userAgent": {"os": "Unknown", "browser": "UNKNOWN", "rawUserAgent": "UNKNOWN-DOWNLOAD"},
                "ipAddress": "12.97.85.90",
                "geographicalContext": {
                    "city": "New York", "state": "New York", "country": "United States", "postalCode": "10013",
                    "geolocation": {"lat": 40.3157, "lon": -74.01}
                }
            },
            "actor": {"id": "00u1qw1mqitPHM8AJ0g7", "type": "User", "alternateId": "admin@example.com", "displayName": "John Doe"},
            "outcome": {"result": "SUCCESS"},
            "uuid": "f790999f-fe87-467a-9880-6982a583986c",
            "published": "2017-09-30T22:23:07.777Z",
            "eventType": "user.session.start",
            "displayMessage": "User login to Okta",
            "transaction": {"type": "WEB", "id": "V04Oy4ubUOc5UuG6s9DyNQAABtc"},
            "debugContext": {"debugData": {"requestUri": "/login/do-login"}},
            "legacyEventType": "core.user_auth.login_success",
            "authenticationContext": {"authenticationStep": 0, "externalSessionId": "1013FfF-DKQSvCI4RVXChzX-w"},
            "securityContext": {"asNumber": 394089, "asOrg": "ASN 0000", "isp": "google", "domain": null, "isProxy": false}
        })
    }

    #[test]
    fn okta_documented_session_start_becomes_an_authentication_event() {
        let collected = to_event(&session_start(), "example.okta.com", now()).unwrap();
        assert_eq!(collected.id, "f790999f-fe87-467a-9880-6982a583986c");
        let expected = json!({
            "utctimestamp": "2017-09-30T22:23:07.777000+00:00",
            "timestamp": "2017-09-30T22:23:07.777000+00:00",
            "category": "authentication",
            "source": "okta",
            "tags": ["okta", "authentication"],
            "severity": "INFO",
            "hostname": "example.okta.com",
            "processname": "okta",
            "summary": "User login to Okta by admin@example.com from 12.97.85.90 (SUCCESS)",
            "details": {
                "sourceipaddress": "12.97.85.90",
                "username": "admin@example.com",
                "userid": "00u1qw1mqitPHM8AJ0g7",
                "displayname": "John Doe",
                "eventtype": "user.session.start",
                "outcome": "SUCCESS",
                "useragent": "UNKNOWN-DOWNLOAD",
                "severity": "INFO",
                "geographicalcontext": {
                    "city": "New York", "state": "New York", "country": "United States", "postalCode": "10013",
                    "geolocation": {"lat": 40.3157, "lon": -74.01}
                },
                "authenticationcontext": {"authenticationStep": 0, "externalSessionId": "1013FfF-DKQSvCI4RVXChzX-w"},
                "securitycontext": {"asNumber": 394089, "asOrg": "ASN 0000", "isp": "google", "domain": null, "isProxy": false},
                "debugcontext": {"debugData": {"requestUri": "/login/do-login"}},
                "transactionid": "V04Oy4ubUOc5UuG6s9DyNQAABtc",
                "source_uri": "/login/do-login",
                "uuid": "f790999f-fe87-467a-9880-6982a583986c",
                "success": true
            }
        });
        assert_eq!(Value::Object(collected.event), expected);
    }

    #[test]
    fn an_mfa_failure_is_an_unsuccessful_authentication_with_its_reason_and_severity() {
        let record = json!({
            "uuid": "9a1e3b2c-5d4f-11ef-8f1a-0242ac120002",
            "published": "2024-08-13T16:02:11.120Z",
            "eventType": "user.authentication.auth_via_mfa",
            "legacyEventType": "core.user.factor.attempt_fail",
            "displayMessage": "Authentication of user via MFA",
            "severity": "WARN",
            "actor": {"id": "00uttidj01jqL21aM1d6", "type": "User", "alternateId": "john.doe@example.com", "displayName": "John Doe"},
            "client": {"ipAddress": "198.51.100.23", "userAgent": null},
            "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
            "target": [{"id": "pfdfdhyjf0HMbkP2e1d7", "type": "AuthenticatorEnrollment", "alternateId": "unknown", "displayName": "Okta Verify"}]
        });
        let event = Value::Object(to_event(&record, "example.okta.com", now()).unwrap().event);
        assert_eq!(event["category"], "authentication");
        assert_eq!(event["tags"], json!(["okta", "authentication"]));
        assert_eq!(event["severity"], "WARNING");
        assert_eq!(
            event["summary"],
            "Authentication of user via MFA by john.doe@example.com from 198.51.100.23 (FAILURE)"
        );
        assert_eq!(event["details"]["success"], false);
        assert_eq!(event["details"]["outcome"], "FAILURE");
        assert_eq!(event["details"]["reason"], "INVALID_CREDENTIALS");
        assert_eq!(event["details"]["username"], "john.doe@example.com");
        assert_eq!(event["details"]["sourceipaddress"], "198.51.100.23");
        assert_eq!(event["details"]["target"][0]["displayName"], "Okta Verify");
        assert!(event["details"].get("useragent").is_none(), "a null userAgent is left out");
    }

    #[test]
    fn an_admin_creating_a_user_is_administration_without_the_authentication_tag() {
        let record = json!({
            "uuid": "b5a188b9-5ece-4636-b041-482ffda96311",
            "published": "2024-08-13T17:00:00.000Z",
            "eventType": "user.lifecycle.create",
            "displayMessage": "Create Okta user",
            "severity": "INFO",
            "actor": {"id": "00u1qw1mqitPHM8AJ0g7", "type": "User", "alternateId": "admin@example.com", "displayName": "John Doe"},
            "client": {"ipAddress": "12.97.85.90"},
            "outcome": {"result": "SUCCESS"},
            "target": [{"id": "00u3gjksoiRGRAZHLSYV", "type": "User", "alternateId": "jon@example.com", "displayName": "Jon Stewart"}],
            "transaction": {"type": "WEB", "id": "YjSlblAAqnKY7CdyCkXNBgAAAIU", "detail": {"requestApiTokenId": "00T94e3cn9kSEO3c51s5"}}
        });
        let event = Value::Object(to_event(&record, "example.okta.com", now()).unwrap().event);
        assert_eq!(event["category"], "administration");
        assert_eq!(event["tags"], json!(["okta"]));
        assert_eq!(event["summary"], "Create Okta user by admin@example.com from 12.97.85.90 (SUCCESS)");
        assert_eq!(event["details"]["target"][0]["alternateId"], "jon@example.com");
        assert_eq!(event["details"]["transactionid"], "YjSlblAAqnKY7CdyCkXNBgAAAIU");
    }

    #[test]
    fn records_without_uuid_or_with_an_impossible_date_are_skipped() {
        let mut no_uuid = session_start();
        no_uuid.as_object_mut().unwrap().remove("uuid");
        assert!(collect(&no_uuid, "example.okta.com", now()).is_none());
        // Okta's own documented example, as written.
        let mut impossible = session_start();
        impossible["published"] = json!("2017-09-31T22:23:07.777Z");
        assert!(collect(&impossible, "example.okta.com", now()).is_none());
    }

    #[test]
    fn categories_and_severities_follow_the_documented_table() {
        assert_eq!(category("policy.evaluate_sign_on"), "authentication");
        assert_eq!(category("user.mfa.factor.deactivate"), "authentication");
        assert_eq!(category("group.user_membership.add"), "administration");
        assert_eq!(category("application.lifecycle.update"), "administration");
        assert_eq!(category("system.agent.ad.start"), "administration");
        assert_eq!(category("policy.lifecycle.create"), "administration");
        assert_eq!(category("policy.rule.update"), "okta");
        assert_eq!(category("app.oauth2.as.authorize"), "okta");
        assert_eq!(severity(Some("DEBUG")), "DEBUG");
        assert_eq!(severity(Some("ERROR")), "ERROR");
        assert_eq!(severity(None), "INFO");
    }

    #[test]
    fn the_next_link_is_found_among_several_link_headers() {
        let mut headers = HeaderMap::new();
        headers.append(LINK, HeaderValue::from_static("<https://example.okta.com/api/v1/logs?limit=20>; rel=\"self\""));
        headers.append(
            LINK,
            HeaderValue::from_static("<https://example.okta.com/api/v1/logs?limit=20&after=1a2b>; rel=\"next\""),
        );
        assert_eq!(next_link(&headers).as_deref(), Some("https://example.okta.com/api/v1/logs?limit=20&after=1a2b"));
        let mut joined = HeaderMap::new();
        joined.insert(
            LINK,
            HeaderValue::from_static("<https://a/x?after=1,2>; rel=self, <https://a/y?after=3>; rel=next"),
        );
        assert_eq!(next_link(&joined).as_deref(), Some("https://a/y?after=3"));
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn the_first_request_polls_from_the_lookback() {
        let okta = Okta::new(OktaSettings { page_size: Some(200), ..settings() }, "00abc").unwrap();
        assert_eq!(
            okta.first_url(now()).as_str(),
            "https://example.okta.com/api/v1/logs?since=2026-12-07T09%3A00%3A00.000Z&limit=200&sortOrder=ASCENDING"
        );
    }

    #[test]
    fn cursors_must_name_the_same_endpoint() {
        let okta = Okta::new(settings(), "00abc").unwrap();
        let url = okta.cursor_url(&json!({"next": "/api/v1/logs?after=x&limit=5"})).unwrap();
        assert_eq!(url.as_str(), "https://example.okta.com/api/v1/logs?after=x&limit=5");
        assert!(okta.cursor_url(&json!({"next": "//evil.example/api/v1/logs"})).is_err());
        assert!(okta.cursor_url(&json!({"next": "/api/v1/users"})).is_err());
        assert!(okta.cursor_url(&json!({"after": "x"})).is_err());
        assert!(okta.same_endpoint("https://evil.example/api/v1/logs?after=x").is_err());
        assert!(okta.same_endpoint("http://example.okta.com/api/v1/logs?after=x").is_err());
    }

    #[test]
    fn settings_and_secrets_are_checked_naming_the_field() {
        let error = |settings: OktaSettings, secret: &str| Okta::new(settings, secret).unwrap_err().to_string();
        assert!(
            error(OktaSettings { domain: "https://example.okta.com".into(), ..settings() }, "t").contains("domain")
        );
        assert!(error(OktaSettings { domain: "example.okta.com/x".into(), ..settings() }, "t").contains("domain"));
        assert!(error(OktaSettings { domain: "".into(), ..settings() }, "t").contains("domain"));
        assert!(error(OktaSettings { page_size: Some(1001), ..settings() }, "t").contains("page_size"));
        assert!(error(OktaSettings { page_size: Some(0), ..settings() }, "t").contains("page_size"));
        assert!(error(OktaSettings { lookback_minutes: Some(0), ..settings() }, "t").contains("lookback_minutes"));
        assert!(error(OktaSettings { base_url: Some("ftp://x/".into()), ..settings() }, "t").contains("base_url"));
        assert!(error(OktaSettings { base_url: Some("http://x/?a=b".into()), ..settings() }, "t").contains("base_url"));
        assert!(error(settings(), "  ").contains("okta API token"));
        assert!(error(settings(), "two words").contains("okta API token"));
        let okta = Okta::new(OktaSettings { domain: " Example.OKTA.com ".into(), ..settings() }, " 00abc\n").unwrap();
        assert_eq!(okta.domain, "example.okta.com");
        assert!(!format!("{okta:?}").contains("00abc"), "the token stays out of Debug");
        let unknown = serde_json::from_value::<OktaSettings>(json!({"domain": "a.okta.com", "token": "x"}));
        assert!(unknown.unwrap_err().to_string().contains("token"));
    }
}
