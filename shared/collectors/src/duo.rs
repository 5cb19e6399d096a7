//! Duo's Admin API logs, as MozDef's `cron/duo_logpull.py` pulled them: authentication logs
//! (v2), administrator logs and telephony logs (v1).
//!
//! # Requests
//!
//! Every request is signed as Duo's Admin API documents ("Authentication"): the `Date` header
//! (RFC 2822, `Mon, 07 Dec 2026 10:00:00 -0000`) and the canonical string
//! `date \n GET \n <api_host, lower case> \n <path> \n <params>`, where the params are sorted
//! by key and URL-encoded (RFC 3986 unreserved characters kept, everything else `%XX` in upper
//! case, so a space is `%20`), joined `key=value` by `&`. `Authorization` is
//! `Basic base64(<integration key>:<hex HMAC-SHA1(secret key, canonical string)>)`. The query
//! sent is that same encoded params string. The signature always names `api_host`, also when
//! `base_url` points elsewhere (a test stub). The date is the clock's at the request (Duo
//! refuses a stale one), while the windows below follow the run's `now`.
//!
//! * Authentication logs: `GET /admin/v2/logs/authentication?limit=<page_size>&maxtime=<ms>
//!   &mintime=<ms>&sort=ts:asc`, plus `next_offset=<ms>,<txid>` while paging (the response's
//!   `metadata.next_offset` pair). `maxtime` is two minutes before now: Duo holds
//!   authentications back that long so that a window it answers for is complete. A `mintime`
//!   older than Duo's 180 days is moved up to it (logged).
//! * Administrator and telephony logs: `GET /admin/v1/logs/administrator?mintime=<s>` and
//!   `/admin/v1/logs/telephony?mintime=<s>`: the 1000 earliest records from `mintime`.
//!
//! One [`Provider::fetch`] makes one request, for one log: a round visits each configured log
//! in turn (authentication, administrator, telephony by default), a log with more records
//! going back to the end of the round, until every log is caught up (`more` false). Duo allows
//! about one log request a minute per endpoint; a 429 is waited out by [`Http`].
//!
//! # Cursor
//!
//! ```json
//! {"authentication": {"mintime": 1796634000000, "next_offset": ["1796634100000", "<txid>"]},
//!  "administrator": {"mintime": 1796634000},
//!  "telephony": {"mintime": 1796634000},
//!  "pending": ["administrator", "telephony"]}
//! ```
//!
//! * `authentication.mintime` (milliseconds) is the start of the window being read and
//!   `next_offset` the position within it; when a page comes back without `next_offset` the
//!   window up to that request's `maxtime` is complete and the next one starts at `maxtime + 1`
//!   (also after an empty page: Duo answers for the whole window).
//! * `administrator.mintime` / `telephony.mintime` (seconds) is the next `mintime` to ask for:
//!   the last record's `timestamp + 1`; unchanged after an empty page.
//! * `pending` is the rest of the current round. A log missing from the cursor (the first run,
//!   or newly configured) starts `lookback_minutes` before now.
//!
//! # Events
//!
//! As MozDef: `category` per log (`authentication`, `administration`, `telephony`), tags
//! `["duosecurity"]` (plus `add_tag`, MozDef's `addtag`), `source` `DuoSecurityAPI`,
//! `hostname` the API host, `severity` `INFO`, the time from the record's `timestamp`, and
//! `details` the record's fields except `timestamp` (and `action` / `context`, which make the
//! administrator / telephony summaries), with fields holding a JSON object as a string (the
//! administrator log's `description`) merged in, then normalised:
//!
//! * `ip`, `ip_address`, `client_ip` → `sourceipaddress`, and `access_device.ip` (v2) →
//!   `sourceipaddress`; a null `access_device.hostname` is removed;
//! * `event_type` → `eventtype` (the v1 logs get their log name, as Duo's client added it);
//! * `result` is kept as Duo wrote it (v2: `success`, `denied`, `fraud`...) and
//!   `success` = `result` is `success` in any case;
//! * `user: {name, key, groups}` → `username`, `userkey`;
//! * `application.name` → `integration` (the v1 logs' name for it).
//!
//! Summaries: authentication `<eventtype> <result> for <username>[ due to <reason>]`,
//! administrator `<action>[ because of <error>] by <username>`, telephony `<context>`. The id
//! of an authentication record is its `txid`; administrator and telephony records have none,
//! so theirs is `<log>:<timestamp>:<hash>`, the hash being the first 16 bytes (hex) of the
//! SHA-256 of the record's canonical JSON (keys sorted): stable across re-reads, and two
//! identical records are one event.
//!
//! This feeds `duo_authfail` (category `authentication`, `details.result` `fraud`,
//! `details.sourceipaddress`, `details.username`). `vpn_duo_auth_failures` reads events of
//! category `event` with `details.result` `FAILURE`: those come from the Duo OpenVPN plugin's
//! logs, not from this collector (MozDef's collector never wrote category `event` either).
//!
//! Differences from MozDef, where it had a bug: the administrator summary looked for `error`
//! in the raw record, where Duo puts it inside the `description` string, so it never said
//! "because of"; here the merged details are read. MozDef crashed on a `description` that
//! starts with `{` but is not JSON (kept as text here), on a null `result` (no `success`
//! here) and on a null user name or reason in a summary (left empty / left out here).
//! MozDef's authentication `eventtype` was the constant its client library added; the record's
//! own `event_type` (`authentication` or `enrollment`) is kept instead. The `source` MozDef set
//! never reached the event (its client library dropped it). MozDef's next v2 `mintime` was the
//! last record's second, re-reading that second; its v1 cursor could skip records when a page
//! of 1000 ended within a second, a limit of Duo's v1 paging that remains.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use mozdef_model::{isoformat, to_utc};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, DATE, HeaderValue};
use ring::{digest, hmac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::http::Http;
use crate::okta::{bare_host, base_url, lookback, page_size, secret_text};
use crate::{Collected, CollectorError, Cursor, Page, Provider};

/// The provider's name (`kind`, `processname`).
const PROVIDER: &str = "duo";
/// The events' `source`, as MozDef named it.
const SOURCE: &str = "DuoSecurityAPI";
/// The events' first tag.
const TAG: &str = "duosecurity";
/// The most records of a v2 authentication logs page, and the default page size.
const MAX_PAGE_SIZE: u32 = 1000;
/// The records of a full v1 page.
const V1_PAGE: usize = 1000;
/// How long Duo holds authentications back before answering for them.
const AUTH_DELAY_MS: i64 = 2 * 60 * 1000;
/// The oldest authentication log Duo serves (180 days), less a margin.
const AUTH_MAX_AGE_MS: i64 = (180 * 24 * 60 - 5) * 60 * 1000;

/// A Duo log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DuoLog {
    /// Authentication logs (`/admin/v2/logs/authentication`).
    Authentication,
    /// Administrator logs (`/admin/v1/logs/administrator`).
    Administrator,
    /// Telephony logs (`/admin/v1/logs/telephony`).
    Telephony,
}

impl DuoLog {
    /// Every log, in the default order.
    pub const ALL: [DuoLog; 3] = [DuoLog::Authentication, DuoLog::Administrator, DuoLog::Telephony];

    /// The log's name (settings, cursor, derived ids).
    pub fn as_str(self) -> &'static str {
        match self {
            DuoLog::Authentication => "authentication",
            DuoLog::Administrator => "administrator",
            DuoLog::Telephony => "telephony",
        }
    }

    /// The API path.
    fn path(self) -> &'static str {
        match self {
            DuoLog::Authentication => "admin/v2/logs/authentication",
            DuoLog::Administrator => "admin/v1/logs/administrator",
            DuoLog::Telephony => "admin/v1/logs/telephony",
        }
    }

    /// MozDef's category for the log's events.
    fn category(self) -> &'static str {
        match self {
            DuoLog::Authentication => "authentication",
            DuoLog::Administrator => "administration",
            DuoLog::Telephony => "telephony",
        }
    }

    /// The record fields left out of `details` (MozDef's `noconsume`, less the authentication
    /// log's `event_type`, kept as `eventtype`).
    fn not_consumed(self) -> &'static [&'static str] {
        match self {
            DuoLog::Authentication => &["timestamp", "host"],
            DuoLog::Administrator => &["timestamp", "host", "action"],
            DuoLog::Telephony => &["timestamp", "host", "context"],
        }
    }
}

fn all_logs() -> Vec<DuoLog> {
    DuoLog::ALL.to_vec()
}

/// The non-secret settings of a Duo collector (the site's collector configuration).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuoSettings {
    /// The Admin API host name (`api-XXXXXXXX.duosecurity.com`), also the events' `hostname`.
    pub api_host: String,
    /// The Admin API application's integration key (`DI…`).
    pub integration_key: String,
    /// The logs to pull (default all three, in the order authentication, administrator,
    /// telephony).
    #[serde(default = "all_logs")]
    pub logs: Vec<DuoLog>,
    /// Where the API is, instead of `https://<api_host>/` (a test stub).
    #[serde(default)]
    pub base_url: Option<String>,
    /// How long before now the first run starts (default 60).
    #[serde(default)]
    pub lookback_minutes: Option<u32>,
    /// Records per authentication logs page, Duo's `limit` (1 to 1000, default 1000).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// A tag added to every event after `duosecurity` (MozDef's `addtag`).
    #[serde(default)]
    pub add_tag: Option<String>,
}

/// The Duo Admin API logs collector.
pub struct Duo {
    /// The host the signatures name, the events' `hostname`.
    api_host: String,
    /// Where requests go.
    base: Url,
    /// The integration key.
    integration_key: String,
    /// The secret key, as an HMAC-SHA1 key.
    secret_key: hmac::Key,
    /// The logs pulled, in order.
    logs: Vec<DuoLog>,
    /// The authentication logs `limit`.
    page_size: u32,
    /// How far back a log's first request reaches.
    lookback: Duration,
    /// The events' tags.
    tags: Vec<String>,
}

impl fmt::Debug for Duo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Duo")
            .field("api_host", &self.api_host)
            .field("base", &self.base.as_str())
            .field("integration_key", &self.integration_key)
            .field("logs", &self.logs)
            .field("page_size", &self.page_size)
            .field("lookback_minutes", &self.lookback.num_minutes())
            .finish_non_exhaustive()
    }
}

/// Where the collector is in each log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DuoCursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authentication: Option<AuthPosition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    administrator: Option<V1Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    telephony: Option<V1Position>,
    #[serde(default)]
    pending: Vec<DuoLog>,
}

/// The authentication logs position: a window's start and the offset within it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthPosition {
    /// Milliseconds.
    mintime: i64,
    #[serde(default)]
    next_offset: Option<Vec<String>>,
}

/// A v1 log's position: the next `mintime`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct V1Position {
    /// Seconds.
    mintime: i64,
}

impl Duo {
    /// A collector for `settings`; `secret` is the text of the Admin API application's secret
    /// key (`skey`) as stored (Secrets Manager or a file): the key alone, surrounding whitespace
    /// ignored.
    ///
    /// # Errors
    ///
    /// [`CollectorError::Config`] naming the setting that is wrong (an `api_host` with a
    /// scheme or path, an integration key that is not letters and digits, no or repeated
    /// `logs`, a page size outside 1–1000, a lookback of 0, an empty `add_tag`);
    /// [`CollectorError::Secret`] when the secret key is empty or holds whitespace.
    pub fn new(settings: DuoSettings, secret: &str) -> Result<Self, CollectorError> {
        let api_host = bare_host("duo", "api_host", &settings.api_host)?;
        let base = base_url("duo", settings.base_url.as_deref(), &api_host)?;
        let integration_key = settings.integration_key.trim().to_owned();
        if integration_key.is_empty() || !integration_key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CollectorError::Config(format!(
                "duo settings: integration_key: must be letters and digits (DI…), found {:?}",
                settings.integration_key
            )));
        }
        let secret = secret_text("duo secret key", secret)?;
        let mut tags = vec![TAG.to_owned()];
        if let Some(tag) = settings.add_tag {
            if tag.trim().is_empty() {
                return Err(CollectorError::Config("duo settings: add_tag: must not be empty".to_owned()));
            }
            tags.push(tag.trim().to_owned());
        }
        Ok(Duo {
            api_host,
            base,
            integration_key,
            secret_key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes()),
            logs: check_logs(settings.logs)?,
            page_size: page_size("duo", settings.page_size, MAX_PAGE_SIZE)?,
            lookback: lookback("duo", settings.lookback_minutes)?,
            tags,
        })
    }

    /// The `Authorization` header of a request (see the module documentation).
    fn authorization(&self, date: &str, method: &str, path: &str, params: &str) -> String {
        let canonical = canonical_request(date, method, &self.api_host, path, params);
        let signature = hex(hmac::sign(&self.secret_key, canonical.as_bytes()).as_ref());
        let credentials = format!("{}:{signature}", self.integration_key);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials))
    }

    /// A signed GET of `log`'s path with `params`; the `response` member of Duo's
    /// `{"stat": "OK", "response": …}`. The `Date` is the clock's, not the run's time: Duo
    /// refuses a request whose date is too far from its own.
    async fn get(&self, http: &Http, log: DuoLog, params: &[(&str, String)]) -> Result<Value, CollectorError> {
        let query = canonical_params(params);
        let mut url = self.base.join(log.path()).map_err(|e| response(format!("{}: {e}", log.path())))?;
        url.set_query(Some(query.as_str()).filter(|query| !query.is_empty()));
        let date = http_date(Utc::now());
        let mut authorization = HeaderValue::from_str(&self.authorization(&date, "GET", url.path(), &query))
            .map_err(|e| CollectorError::Config(format!("duo settings: integration_key: {e}")))?;
        authorization.set_sensitive(true);
        let (body, _) = http
            .json(PROVIDER, |client| {
                client
                    .get(url.clone())
                    .header(DATE, date.as_str())
                    .header(AUTHORIZATION, authorization.clone())
                    .header(ACCEPT, "application/json")
            })
            .await?;
        match body.get("stat").and_then(Value::as_str) {
            Some("OK") => {
                body.get("response").cloned().ok_or_else(|| response(format!("{}: no response member", log.path())))
            }
            _ => Err(response(format!("{}: stat is not OK: {}", log.path(), excerpt(&body)))),
        }
    }

    /// One page of the authentication logs; whether the log has more.
    async fn pull_authentication(
        &self,
        http: &Http,
        position: &mut Option<AuthPosition>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Collected>, bool), CollectorError> {
        let now_ms = now.timestamp_millis();
        let maxtime = now_ms - AUTH_DELAY_MS;
        let oldest = now_ms - AUTH_MAX_AGE_MS;
        let start = position.get_or_insert_with(|| AuthPosition {
            mintime: now_ms - self.lookback.num_milliseconds(),
            next_offset: None,
        });
        if start.mintime < oldest {
            tracing::warn!(
                provider = PROVIDER,
                mintime = start.mintime,
                "authentication logs older than Duo keeps are skipped"
            );
            *start = AuthPosition { mintime: oldest, next_offset: None };
        }
        if start.mintime >= maxtime {
            return Ok((Vec::new(), false));
        }
        let mut params = vec![
            ("limit", self.page_size.to_string()),
            ("maxtime", maxtime.to_string()),
            ("mintime", start.mintime.to_string()),
            ("sort", "ts:asc".to_owned()),
        ];
        if let Some(offset) = &start.next_offset {
            params.push(("next_offset", offset.join(",")));
        }
        let body = self.get(http, DuoLog::Authentication, &params).await?;
        let records = body
            .get("authlogs")
            .and_then(Value::as_array)
            .ok_or_else(|| response("authentication logs: no authlogs list".to_owned()))?;
        let next_offset = next_offset(body.get("metadata").and_then(|metadata| metadata.get("next_offset")))?;
        let events = self.collect(DuoLog::Authentication, records, now);
        match next_offset {
            Some(offset) if !records.is_empty() => {
                start.next_offset = Some(offset);
                Ok((events, true))
            }
            _ => {
                *start = AuthPosition { mintime: maxtime + 1, next_offset: None };
                Ok((events, false))
            }
        }
    }

    /// One page of a v1 log; whether the log has more.
    async fn pull_v1(
        &self,
        http: &Http,
        log: DuoLog,
        position: &mut Option<V1Position>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Collected>, bool), CollectorError> {
        let start = position.get_or_insert_with(|| V1Position { mintime: (now - self.lookback).timestamp() });
        let body = self.get(http, log, &[("mintime", start.mintime.to_string())]).await?;
        let records =
            body.as_array().ok_or_else(|| response(format!("{} logs: the response is not a list", log.as_str())))?;
        let events = self.collect(log, records, now);
        let latest = records.iter().filter_map(|record| record.get("timestamp").and_then(Value::as_i64)).max();
        if let Some(latest) = latest {
            start.mintime = start.mintime.max(latest + 1);
        }
        Ok((events, records.len() >= V1_PAGE && latest.is_some()))
    }

    /// A page's records as events; those that cannot be are skipped (logged).
    fn collect(&self, log: DuoLog, records: &[Value], now: DateTime<Utc>) -> Vec<Collected> {
        records
            .iter()
            .filter_map(|record| match to_event(log, record, &self.api_host, &self.tags, now) {
                Ok(collected) => Some(collected),
                Err(reason) => {
                    tracing::warn!(provider = PROVIDER, log = log.as_str(), reason, "skipping a Duo log record");
                    None
                }
            })
            .collect()
    }
}

#[async_trait]
impl Provider for Duo {
    fn kind(&self) -> &'static str {
        PROVIDER
    }

    async fn fetch(&self, http: &Http, cursor: Option<&Cursor>, now: DateTime<Utc>) -> Result<Page, CollectorError> {
        let mut state = match cursor {
            None => DuoCursor::default(),
            Some(cursor) => serde_json::from_value::<DuoCursor>(cursor.clone())
                .map_err(|e| CollectorError::Config(format!("duo cursor: {e}: {cursor}")))?,
        };
        state.pending.retain(|log| self.logs.contains(log));
        if state.pending.is_empty() {
            state.pending = self.logs.clone();
        }
        let log = state.pending.remove(0);
        let (events, has_more) = match log {
            DuoLog::Authentication => self.pull_authentication(http, &mut state.authentication, now).await?,
            DuoLog::Administrator => self.pull_v1(http, log, &mut state.administrator, now).await?,
            DuoLog::Telephony => self.pull_v1(http, log, &mut state.telephony, now).await?,
        };
        if has_more {
            state.pending.push(log);
        }
        let more = !state.pending.is_empty();
        let next = serde_json::to_value(&state).map_err(|e| CollectorError::Storage(format!("duo cursor: {e}")))?;
        Ok(Page { events, next: Some(next), more })
    }
}

/// The configured logs: at least one, none twice.
fn check_logs(logs: Vec<DuoLog>) -> Result<Vec<DuoLog>, CollectorError> {
    if logs.is_empty() {
        return Err(CollectorError::Config(
            "duo settings: logs: name at least one of authentication, administrator, telephony".to_owned(),
        ));
    }
    if let Some((i, log)) = logs.iter().enumerate().find(|(i, log)| logs[..*i].contains(log)) {
        return Err(CollectorError::Config(format!("duo settings: logs: {} is listed twice (at {i})", log.as_str())));
    }
    Ok(logs)
}

/// `metadata.next_offset`: `[ms, txid]` (strings or numbers) or null.
fn next_offset(value: Option<&Value>) -> Result<Option<Vec<String>>, CollectorError> {
    let Some(Value::Array(parts)) = value else {
        return match value {
            None | Some(Value::Null) => Ok(None),
            Some(other) => Err(response(format!("authentication logs: next_offset is not a list: {other}"))),
        };
    };
    parts
        .iter()
        .map(|part| match part {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            other => Err(response(format!("authentication logs: next_offset holds {other}"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// An unexpected response.
fn response(reason: String) -> CollectorError {
    CollectorError::Response { provider: PROVIDER.to_owned(), reason }
}

/// The start of a body, for messages.
fn excerpt(body: &Value) -> String {
    body.to_string().chars().take(300).collect()
}

/// The `Date` header: RFC 2822 with `-0000`, as Duo's clients write it.
fn http_date(now: DateTime<Utc>) -> String {
    now.format("%a, %d %b %Y %H:%M:%S -0000").to_string()
}

/// Duo's canonical request string.
fn canonical_request(date: &str, method: &str, host: &str, path: &str, params: &str) -> String {
    [date, &method.to_ascii_uppercase(), &host.to_ascii_lowercase(), path, params].join("\n")
}

/// Duo's canonical params: `key=value` URL-encoded, sorted by key (then value), joined by `&`.
fn canonical_params(params: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = params.iter().map(|(key, value)| (encode(key), encode(value))).collect();
    pairs.sort();
    pairs.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join("&")
}

/// RFC 3986 percent-encoding: unreserved characters kept, other bytes `%XX` (upper case).
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A record as a MozDef event (the mapping in the module documentation).
fn to_event(
    log: DuoLog,
    record: &Value,
    api_host: &str,
    tags: &[String],
    now: DateTime<Utc>,
) -> Result<Collected, String> {
    let Value::Object(fields) = record else { return Err(format!("not a JSON object: {record}")) };
    let time = fields
        .get("timestamp")
        .or_else(|| fields.get("isotimestamp"))
        .filter(|time| !time.is_null())
        .ok_or("no timestamp")?;
    let at = to_utc(time, now).map_err(|e| format!("timestamp: {e}"))?;
    let mut details = normalize(merge(fields, log.not_consumed()));
    details.entry("eventtype").or_insert_with(|| Value::String(log.as_str().to_owned()));
    let summary = summary(log, fields, &details);
    let time = isoformat(&at);
    let event = json!({
        "utctimestamp": time,
        "timestamp": time,
        "category": log.category(),
        "source": SOURCE,
        "tags": tags,
        "severity": "INFO",
        "hostname": api_host,
        "processname": PROVIDER,
        "summary": summary,
        "details": details,
    });
    let Value::Object(event) = event else { return Err("the event is not an object".to_owned()) };
    Ok(Collected { id: record_id(log, fields), event })
}

/// The record's fields but `skip`, with string fields holding a JSON object merged in (Duo
/// writes the administrator log's `description` so), in the record's order.
fn merge(fields: &Map<String, Value>, skip: &[&str]) -> Map<String, Value> {
    let mut details = Map::new();
    for (key, value) in fields {
        if skip.contains(&key.as_str()) {
            continue;
        }
        if let Some(Value::Object(inner)) =
            value.as_str().filter(|text| text.starts_with('{')).and_then(|text| serde_json::from_str(text).ok())
        {
            details.extend(inner);
            continue;
        }
        details.insert(key.clone(), value.clone());
    }
    details
}

/// MozDef's `normalize`, and the v2 fields it read (see the module documentation).
fn normalize(details: Map<String, Value>) -> Map<String, Value> {
    let mut normalized = Map::new();
    for (key, value) in details {
        match key.as_str() {
            "ip" | "ip_address" | "client_ip" => {
                if !value.is_null() {
                    normalized.insert("sourceipaddress".to_owned(), value);
                }
            }
            "eventtype" | "event_type" => {
                normalized.insert("eventtype".to_owned(), value);
            }
            "host" | "hostname" => {
                normalized.insert("hostname".to_owned(), value);
            }
            "result" => {
                if let Some(result) = value.as_str() {
                    normalized.insert("success".to_owned(), Value::Bool(result.eq_ignore_ascii_case("success")));
                }
                normalized.insert(key, value);
            }
            _ => {
                normalized.insert(key, value);
            }
        }
    }
    if let Some(Value::Object(user)) = normalized.get("user").cloned() {
        normalized.remove("user");
        for (from, to) in [("name", "username"), ("key", "userkey")] {
            if let Some(value) = user.get(from) {
                normalized.insert(to.to_owned(), value.clone());
            }
        }
    }
    let mut device_ip = None;
    if let Some(Value::Object(device)) = normalized.get_mut("access_device") {
        if device.get("hostname").is_some_and(Value::is_null) {
            device.remove("hostname");
        }
        device_ip = device.get("ip").filter(|ip| !ip.is_null()).cloned();
    }
    if let Some(ip) = device_ip {
        normalized.insert("sourceipaddress".to_owned(), ip);
    }
    if let Some(name) = normalized.get("application").and_then(|application| application.get("name")).cloned() {
        normalized.insert("integration".to_owned(), name);
    }
    normalized
}

/// A value as a summary shows it: strings as they are, null as nothing, others as JSON.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// MozDef's summary per log.
fn summary(log: DuoLog, fields: &Map<String, Value>, details: &Map<String, Value>) -> String {
    let detail = |key: &str| shown(details.get(key));
    match log {
        DuoLog::Administrator => {
            let action = shown(fields.get("action"));
            match details.get("error").filter(|error| !error.is_null()) {
                Some(error) => format!("{action} because of {} by {}", shown(Some(error)), detail("username")),
                None => format!("{action} by {}", detail("username")),
            }
        }
        DuoLog::Telephony => shown(fields.get("context")),
        DuoLog::Authentication => {
            let mut summary = format!("{} {} for {}", detail("eventtype"), detail("result"), detail("username"));
            if let Some(reason) = details.get("reason").filter(|reason| !reason.is_null()) {
                summary.push_str(&format!(" due to {}", shown(Some(reason))));
            }
            summary
        }
    }
}

/// The record's id: the authentication log's `txid`, else derived (see the module
/// documentation).
fn record_id(log: DuoLog, fields: &Map<String, Value>) -> String {
    if let Some(txid) = fields.get("txid").and_then(Value::as_str).filter(|txid| !txid.is_empty()) {
        return txid.to_owned();
    }
    let canonical = sorted(&Value::Object(fields.clone())).to_string();
    let hash = digest::digest(&digest::SHA256, canonical.as_bytes());
    let hash = hex(&hash.as_ref()[..16]);
    format!("{}:{}:{hash}", log.as_str(), shown(fields.get("timestamp")))
}

/// `value` with every object's keys in order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> = map.iter().map(|(key, value)| (key, sorted(value))).collect();
            Value::Object(ordered.into_iter().map(|(key, value)| (key.clone(), value)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn tags() -> Vec<String> {
        vec!["duosecurity".to_owned()]
    }

    fn settings() -> DuoSettings {
        serde_json::from_value(
            json!({"api_host": "api-xxxxxxxx.duosecurity.com", "integration_key": "DIWJ8X6AEYOR5OMC6TQ1"}),
        )
        .unwrap()
    }

    /// Duo's documented example key pair (Admin API, "Authentication").
    const SKEY: &str = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";

    #[test]
    fn duo_documented_signature_example() {
        // Duo's example request: POST /accounts/v1/account/list with realname and username,
        // whose documented header is this.
        let duo = Duo::new(settings(), SKEY).unwrap();
        let params = canonical_params(&[("username", "root".to_owned()), ("realname", "First Last".to_owned())]);
        assert_eq!(params, "realname=First%20Last&username=root");
        let header = duo.authorization("Tue, 21 Aug 2012 17:29:18 -0000", "post", "/accounts/v1/account/list", &params);
        assert_eq!(
            header,
            "Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6MmQ5N2Q2MTY2MzE5NzgxYjVhM2EwN2FmMzlkMzY2ZjQ5MTIzNGVkYw=="
        );
    }

    #[test]
    fn an_authentication_logs_request_is_signed_like_python_hmac_signs_it() {
        // Expected hex computed once with Python's hmac/hashlib/urllib.parse.quote(safe='~').
        let duo = Duo::new(settings(), SKEY).unwrap();
        let params = canonical_params(&[
            ("mintime", "1765090800000".to_owned()),
            ("maxtime", "1765094280000".to_owned()),
            ("limit", "1000".to_owned()),
            ("sort", "ts:asc".to_owned()),
            ("next_offset", "1547486297000,5bea5c1e-682c-4f1d-b3f0-75fd31385bd5".to_owned()),
        ]);
        assert_eq!(
            params,
            "limit=1000&maxtime=1765094280000&mintime=1765090800000\
             &next_offset=1547486297000%2C5bea5c1e-682c-4f1d-b3f0-75fd31385bd5&sort=ts%3Aasc"
        );
        let header =
            duo.authorization("Sun, 07 Dec 2026 10:00:00 -0000", "GET", "/admin/v2/logs/authentication", &params);
        let expected = base64::engine::general_purpose::STANDARD
            .encode("DIWJ8X6AEYOR5OMC6TQ1:512506d54380a618185182290e0a0af6c8c2271d");
        assert_eq!(header, format!("Basic {expected}"));
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode("a-b.c_d~e f/g+h=é"), "a-b.c_d~e%20f%2Fg%2Bh%3D%C3%A9");
        assert_eq!(http_date(now()), "Mon, 07 Dec 2026 10:00:00 -0000");
    }

    /// Duo's documented authentication log (v2) record, with a fraud result.
    fn fraud() -> Value {
        json!({
            "access_device": {
                "browser": "Chrome", "browser_version": "67.0.3396.99", "flash_version": "uninstalled",
                "hostname": null, "ip": "169.232.89.219", "is_encryption_enabled": true,
                "is_firewall_enabled": true, "is_password_set": true, "java_version": "uninstalled",
                "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
                "os": "Mac OS X", "os_version": "10.14.1", "security_agents": []
            },
            "alias": "",
            "application": {"key": "DIY231J8BR23QK4UKBY8", "name": "Microsoft Azure Active Directory"},
            "auth_device": {
                "ip": "192.168.225.254",
                "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
                "name": "My iPhone X (734-555-2342)"
            },
            "email": "narroway@example.com",
            "event_type": "authentication",
            "factor": "duo_push",
            "isotimestamp": "2020-02-13T18:56:20.351346+00:00",
            "ood_software": null,
            "reason": "user_marked_fraud",
            "result": "fraud",
            "timestamp": 1581620180,
            "trusted_endpoint_status": "not trusted",
            "txid": "340a23e3-23f3-23c1-87dc-1491a23dfdbb",
            "user": {"groups": ["Duo Users", "CorpHQ Users"], "key": "DU3KC77WJ06Y5HIV7XKQ", "name": "narroway@example.com"}
        })
    }

    #[test]
    fn a_fraud_authentication_has_what_duo_authfail_reads() {
        let collected =
            to_event(DuoLog::Authentication, &fraud(), "api-xxxxxxxx.duosecurity.com", &tags(), now()).unwrap();
        assert_eq!(collected.id, "340a23e3-23f3-23c1-87dc-1491a23dfdbb");
        let expected = json!({
            "utctimestamp": "2020-02-13T18:56:20+00:00",
            "timestamp": "2020-02-13T18:56:20+00:00",
            "category": "authentication",
            "source": "DuoSecurityAPI",
            "tags": ["duosecurity"],
            "severity": "INFO",
            "hostname": "api-xxxxxxxx.duosecurity.com",
            "processname": "duo",
            "summary": "authentication fraud for narroway@example.com due to user_marked_fraud",
            "details": {
                "access_device": {
                    "browser": "Chrome", "browser_version": "67.0.3396.99", "flash_version": "uninstalled",
                    "ip": "169.232.89.219", "is_encryption_enabled": true,
                    "is_firewall_enabled": true, "is_password_set": true, "java_version": "uninstalled",
                    "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
                    "os": "Mac OS X", "os_version": "10.14.1", "security_agents": []
                },
                "alias": "",
                "application": {"key": "DIY231J8BR23QK4UKBY8", "name": "Microsoft Azure Active Directory"},
                "auth_device": {
                    "ip": "192.168.225.254",
                    "location": {"city": "Ann Arbor", "country": "United States", "state": "Michigan"},
                    "name": "My iPhone X (734-555-2342)"
                },
                "email": "narroway@example.com",
                "eventtype": "authentication",
                "factor": "duo_push",
                "isotimestamp": "2020-02-13T18:56:20.351346+00:00",
                "ood_software": null,
                "reason": "user_marked_fraud",
                "success": false,
                "result": "fraud",
                "trusted_endpoint_status": "not trusted",
                "txid": "340a23e3-23f3-23c1-87dc-1491a23dfdbb",
                "username": "narroway@example.com",
                "userkey": "DU3KC77WJ06Y5HIV7XKQ",
                "sourceipaddress": "169.232.89.219",
                "integration": "Microsoft Azure Active Directory"
            }
        });
        assert_eq!(Value::Object(collected.event), expected);
    }

    #[test]
    fn a_successful_authentication_without_reason_or_device_ip() {
        let mut record = fraud();
        record["result"] = json!("success");
        record["reason"] = json!(null);
        record["access_device"]["ip"] = json!(null);
        let event = to_event(DuoLog::Authentication, &record, "h", &tags(), now()).unwrap().event;
        assert_eq!(event["summary"], "authentication success for narroway@example.com");
        assert_eq!(event["details"]["success"], true);
        assert!(event["details"].get("sourceipaddress").is_none());
    }

    #[test]
    fn an_administrator_login_error_reads_its_description() {
        // Duo's documented administrator log records.
        let error = json!({
            "action": "admin_login_error",
            "description": "{\"ip_address\": \"10.1.23.116\", \"error\": \"SAML login is disabled\", \"email\": \"narroway@example.com\"}",
            "isotimestamp": "2015-10-30T02:40:20+00:00",
            "object": null,
            "timestamp": 1446172820,
            "username": ""
        });
        let tags = vec!["duosecurity".to_owned(), "mozilla".to_owned()];
        let collected = to_event(DuoLog::Administrator, &error, "api-xxxxxxxx.duosecurity.com", &tags, now()).unwrap();
        let expected = json!({
            "utctimestamp": "2015-10-30T02:40:20+00:00",
            "timestamp": "2015-10-30T02:40:20+00:00",
            "category": "administration",
            "source": "DuoSecurityAPI",
            "tags": ["duosecurity", "mozilla"],
            "severity": "INFO",
            "hostname": "api-xxxxxxxx.duosecurity.com",
            "processname": "duo",
            "summary": "admin_login_error because of SAML login is disabled by ",
            "details": {
                "sourceipaddress": "10.1.23.116",
                "error": "SAML login is disabled",
                "email": "narroway@example.com",
                "isotimestamp": "2015-10-30T02:40:20+00:00",
                "object": null,
                "username": "",
                "eventtype": "administrator"
            }
        });
        assert_eq!(Value::Object(collected.event), expected);
        assert!(collected.id.starts_with("administrator:1446172820:"), "{}", collected.id);
        assert_eq!(collected.id.len(), "administrator:1446172820:".len() + 32);

        let update = json!({
            "action": "user_update",
            "description": "{\"notes\": \"Joe asked for their nickname to be displayed instead of Joseph.\", \"realname\": \"Joe Smith\"}",
            "isotimestamp": "2020-01-24T15:09:42+00:00",
            "object": "jsmith",
            "timestamp": 1579878582,
            "username": "admin"
        });
        let event = to_event(DuoLog::Administrator, &update, "h", &tags, now()).unwrap().event;
        assert_eq!(event["summary"], "user_update by admin");
        assert_eq!(event["details"]["realname"], "Joe Smith");
        assert_eq!(event["details"]["object"], "jsmith");
    }

    #[test]
    fn a_telephony_record_is_summarised_by_its_context() {
        // Duo's documented telephony log record.
        let record = json!({
            "context": "authentication",
            "credits": 1,
            "isotimestamp": "2020-03-20T15:38:12+00:00",
            "phone": "+15035550100",
            "timestamp": 1584718692,
            "type": "sms"
        });
        let event = to_event(DuoLog::Telephony, &record, "h", &tags(), now()).unwrap().event;
        assert_eq!(event["category"], "telephony");
        assert_eq!(event["summary"], "authentication");
        assert_eq!(event["utctimestamp"], "2020-03-20T15:38:12+00:00");
        assert_eq!(
            Value::Object(event["details"].as_object().unwrap().clone()),
            json!({"credits": 1, "isotimestamp": "2020-03-20T15:38:12+00:00", "phone": "+15035550100", "type": "sms", "eventtype": "telephony"})
        );
    }

    #[test]
    fn derived_ids_are_stable_and_follow_the_content() {
        let a = json!({"context": "authentication", "credits": 1, "timestamp": 1584718692, "type": "sms"});
        let same = json!({"type": "sms", "timestamp": 1584718692, "credits": 1, "context": "authentication"});
        let other = json!({"context": "authentication", "credits": 2, "timestamp": 1584718692, "type": "sms"});
        let id = |record: &Value| to_event(DuoLog::Telephony, record, "h", &tags(), now()).unwrap().id;
        assert_eq!(id(&a), id(&same), "key order does not matter");
        assert_ne!(id(&a), id(&other));
        assert!(id(&a).starts_with("telephony:1584718692:"));
    }

    #[test]
    fn a_description_that_is_not_json_is_kept_and_records_without_time_are_refused() {
        let record = json!({"action": "x", "description": "{not json", "timestamp": 1446172820, "username": "a"});
        let event = to_event(DuoLog::Administrator, &record, "h", &tags(), now()).unwrap().event;
        assert_eq!(event["details"]["description"], "{not json");
        assert!(to_event(DuoLog::Telephony, &json!({"context": "x"}), "h", &tags(), now()).is_err());
        assert!(to_event(DuoLog::Telephony, &json!(["x"]), "h", &tags(), now()).is_err());
    }

    #[test]
    fn next_offsets_are_pairs_or_null() {
        assert_eq!(next_offset(None).unwrap(), None);
        assert_eq!(next_offset(Some(&json!(null))).unwrap(), None);
        assert_eq!(
            next_offset(Some(&json!(["1547486297000", "5bea"]))).unwrap(),
            Some(vec!["1547486297000".to_owned(), "5bea".to_owned()])
        );
        assert_eq!(next_offset(Some(&json!([1547486297000_u64, "5bea"]))).unwrap().unwrap()[0], "1547486297000");
        assert!(next_offset(Some(&json!("1547486297000,5bea"))).is_err());
    }

    #[test]
    fn settings_and_secrets_are_checked_naming_the_field() {
        let error = |settings: Value, secret: &str| match serde_json::from_value::<DuoSettings>(settings) {
            Ok(settings) => Duo::new(settings, secret).unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        let base = json!({"api_host": "api-xxxxxxxx.duosecurity.com", "integration_key": "DIWJ8X6AEYOR5OMC6TQ1"});
        let with = |key: &str, value: Value| {
            let mut settings = base.clone();
            settings[key] = value;
            settings
        };
        assert!(error(with("api_host", json!("https://api-x.duosecurity.com")), SKEY).contains("api_host"));
        assert!(error(with("integration_key", json!("DI:X")), SKEY).contains("integration_key"));
        assert!(error(with("logs", json!([])), SKEY).contains("logs"));
        assert!(error(with("logs", json!(["telephony", "telephony"])), SKEY).contains("telephony is listed twice"));
        assert!(error(with("logs", json!(["authentication", "trust_monitor"])), SKEY).contains("trust_monitor"));
        assert!(error(with("page_size", json!(5000)), SKEY).contains("page_size"));
        assert!(error(with("add_tag", json!(" ")), SKEY).contains("add_tag"));
        assert!(error(with("skey", json!("x")), SKEY).contains("skey"));
        assert!(error(base.clone(), "").contains("duo secret key"));
        let duo = Duo::new(serde_json::from_value(base).unwrap(), SKEY).unwrap();
        assert_eq!(duo.logs, DuoLog::ALL.to_vec());
        assert!(!format!("{duo:?}").contains(SKEY));
    }
}
