//! Google Workspace's audit activities (the Admin SDK Reports API), pulled as MozDef's
//! `cron/google2mozdef.py` pulled the `login` application's.
//!
//! # The API
//!
//! * **Token**: a service account with domain-wide delegation, impersonating an administrator
//!   (`subject`). The provider signs a JWT (RS256 with the account's key, header `kid` = the
//!   key's `private_key_id`) with the claims `iss` = `client_email`, `sub` = `subject`, `scope`
//!   = `https://www.googleapis.com/auth/admin.reports.audit.readonly`, `aud` = the token URL,
//!   `iat` = the run's `now` and `exp` = `iat` + 1 hour, and trades it at the token URL (`POST`,
//!   form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>`) for
//!   `{"access_token", "expires_in"}`. The token is kept until 5 minutes before it expires; a
//!   cached token refused (401) is replaced once. A refused grant (`invalid_grant`,
//!   `unauthorized_client`: 400, 401 or 403) is [`CollectorError::Credentials`].
//! * **Activities**: `GET <base>/admin/reports/v1/activity/users/all/applications/<application>
//!   ?startTime=<RFC 3339>&maxResults=<page_size>[&customerId=<customer>][&pageToken=<token>]`,
//!   answered `{"items": [...], "nextPageToken"}`, newest first across all the pages of a
//!   listing; Google leaves `items` out when there is nothing. `customerId` is sent only for a
//!   customer other than `my_customer`, the alias of the impersonated administrator's own
//!   account, which is what Google reports on without it.
//!
//! # The cursor: the time, and the page token within a listing
//!
//! Because a listing runs newest first, the time to start the next listing from is only known
//! when it ends. So:
//!
//! * mid-listing (the page had a `nextPageToken`): `{"startTime": <the listing's start>,
//!   "pageToken": "<next>", "newest": <the newest activity time seen in this listing>}` and
//!   `more`. A run that stops (its page budget, or a crash before the cursor after a queued
//!   page is saved) continues the same listing from that page, re-reading at most a page,
//!   which the ids make harmless. Should Google refuse the saved page token (400), the listing
//!   starts again from `startTime`: everything is read again and replaced, nothing is lost.
//! * at the end of a listing: `{"startTime": <the newest activity time of the listing + 1 ms>}`
//!   (Google's `startTime` is inclusive), or the same `startTime` when the listing had
//!   nothing (the page's `next` is then `None` for a saved cursor: unchanged).
//! * the first run starts `lookback_minutes` before the run's `now`.
//!
//! Times are written `2024-05-01T11:00:00.000Z`. Google delivers some activities late (its
//! documented data lag); one older than the newest activity already read is not read again. This
//! was so in MozDef too (it restarted from the time of its last run).
//!
//! # The events
//!
//! One MozDef event per (activity, event) pair: an activity may carry several `events[]`, and
//! MozDef flattened each activity into one event whose keys the later events overwrote, which
//! lost all but the last. Each event has:
//!
//! * `category` `google`, `tags` `[google, authentication]` (for the `login` application;
//!   `[google, <application>]` for the others), `severity` `INFO`, `source` and `processname`
//!   `google`, `hostname` `admin.googleapis.com`, `utctimestamp`/`timestamp` = `id.time`;
//! * `details`: MozDef's flattened keys of the activity (the dotted path lower-cased, dots as
//!   underscores: `id_time`, `id_uniquequalifier`, `id_applicationname`, `id_customerid`,
//!   `actor_email`, `actor_profileid`, `actor_callertype`, `kind`, `etag`, `ownerdomain`...),
//!   `sourceipaddress` (`ipAddress`), the event's `events_type` and `events_name`, its
//!   parameters by name (`login_type`, `is_suspicious`, `login_challenge_method`,
//!   `login_failure_type`, `affected_email_address`...: each with its typed value, where MozDef
//!   kept only the last parameter's name and value and dropped booleans), and the normalised
//!   `username` (`actor.email`), `eventname` (`events[].name`) and, for the `login`
//!   application, `success`: `true` for `login_success`, `false` for `login_failure`, and for
//!   `login_challenge` / `login_verification` whether `login_challenge_status` is `Challenge
//!   Passed`; other events (`logout`, `suspicious_login`...) say nothing of success;
//! * `summary`: `google authentication: <events_name> <actor_email>` (MozDef's, without its
//!   trailing space).
//!
//! The id ([`Collected::id`]) is `<id.time>:<id.uniqueQualifier>` (the qualifier alone is not
//! documented as unique), with `:<n>` appended for the n-th (from 1) further event of an
//! activity.

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mozdef_model::Severity;
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::auth0::shared::{self, Bearer, BearerCache, EventHead, Redacted};
use crate::http::Http;
use crate::{Collected, CollectorError, Cursor, Page, Provider};

/// The provider's name, in errors and logs.
const PROVIDER: &str = "google";

/// The scope asked for: reading the audit reports.
pub const SCOPE: &str = "https://www.googleapis.com/auth/admin.reports.audit.readonly";

/// The OAuth grant of a signed JWT (RFC 7523).
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The Admin SDK's address.
pub const DEFAULT_BASE_URL: &str = "https://admin.googleapis.com";

/// Google's token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The most activities a page may hold (`maxResults`).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The applications whose activities may be pulled.
pub const APPLICATIONS: [&str; 4] = ["login", "admin", "token", "saml"];

/// A cached token is renewed when it has this little left.
const TOKEN_MARGIN: Duration = Duration::minutes(5);

/// How long a signed assertion is valid (Google's maximum).
const ASSERTION_LIFETIME: Duration = Duration::hours(1);

/// The customer alias meaning the impersonated administrator's account.
const MY_CUSTOMER: &str = "my_customer";

/// The `hostname` of the events: where they come from.
const HOSTNAME: &str = "admin.googleapis.com";

/// The non-secret settings of a Google Workspace source.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoogleSettings {
    /// The customer id (`C03az79cb`); default `my_customer`, the administrator's own account.
    #[serde(default = "default_customer")]
    pub customer: String,
    /// The administrator the service account acts as (domain-wide delegation).
    pub subject: String,
    /// The application whose activities are pulled: `login` (default, as MozDef), `admin`,
    /// `token` or `saml`.
    #[serde(default = "default_application")]
    pub application: String,
    /// Activities per page (`maxResults`): 1 to 1000, default 1000 (MozDef's `recordlimit`).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Where the Admin SDK is; default `https://admin.googleapis.com`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The token endpoint; default the key's `token_uri`, else
    /// `https://oauth2.googleapis.com/token`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// How far back the first run starts, in minutes; default 60.
    #[serde(default = "shared::default_lookback_minutes")]
    pub lookback_minutes: u32,
}

/// The default `customer`.
fn default_customer() -> String {
    MY_CUSTOMER.to_owned()
}

/// The default `application`.
fn default_application() -> String {
    "login".to_owned()
}

/// The default `page_size`.
const fn default_page_size() -> u32 {
    MAX_PAGE_SIZE
}

/// The parts of a service account's JSON key the provider reads.
#[derive(Deserialize)]
struct ServiceAccountKey {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    token_uri: Option<String>,
}

/// The claims of the signed assertion.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// Google Workspace's Reports API.
#[derive(Debug)]
pub struct Google {
    customer: Option<String>,
    subject: String,
    application: String,
    page_size: u32,
    lookback: Duration,
    activities_url: Url,
    token_url: Url,
    client_email: String,
    key_id: Option<String>,
    key: Redacted<EncodingKey>,
    bearer: BearerCache,
}

impl Google {
    /// The provider for `settings`; `secret` is the service account's JSON key as Google
    /// issues it (`{"type": "service_account", "client_email", "private_key"` (PEM, PKCS#8 or
    /// PKCS#1 RSA)`, "private_key_id", "token_uri", ...}`).
    ///
    /// # Errors
    ///
    /// [`CollectorError::Config`] naming the setting that is wrong (an empty `subject` or
    /// `customer`, an unknown `application`, a `page_size` outside 1–1000, a URL that is not
    /// http(s), a `lookback_minutes` of 0) or the part of the key (not JSON, not a service
    /// account, no `client_email`, a `private_key` that is not an RSA key in PEM).
    pub fn new(settings: GoogleSettings, secret: &str) -> Result<Self, CollectorError> {
        let subject = settings.subject.trim();
        if !subject.contains('@') {
            return Err(shared::config_error(
                PROVIDER,
                "subject",
                format!("{subject:?} is not an administrator's email"),
            ));
        }
        let customer = match settings.customer.trim() {
            "" => return Err(shared::config_error(PROVIDER, "customer", "is empty")),
            MY_CUSTOMER => None,
            customer => Some(customer.to_owned()),
        };
        let application = settings.application.trim();
        if !APPLICATIONS.contains(&application) {
            let problem = format!("{application:?} is not one of {}", APPLICATIONS.join(", "));
            return Err(shared::config_error(PROVIDER, "application", problem));
        }
        let key = service_account_key(secret)?;
        let token_url = match (&settings.token_url, &key.token_uri) {
            (Some(url), _) => shared::base_url(PROVIDER, "token_url", url)?,
            (None, Some(uri)) => shared::base_url(PROVIDER, "token_uri (of the key)", uri)?,
            (None, None) => shared::base_url(PROVIDER, "token_url", DEFAULT_TOKEN_URL)?,
        };
        let base = shared::base_url(PROVIDER, "base_url", settings.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let path = format!("admin/reports/v1/activity/users/all/applications/{application}");
        Ok(Google {
            customer,
            subject: subject.to_owned(),
            application: application.to_owned(),
            page_size: shared::page_size(PROVIDER, settings.page_size, MAX_PAGE_SIZE)?,
            lookback: shared::lookback(PROVIDER, settings.lookback_minutes)?,
            activities_url: shared::join_path(&base, &path),
            token_url,
            client_email: key.client_email,
            key_id: key.key_id,
            key: Redacted(key.signing_key),
            bearer: BearerCache::new(PROVIDER, TOKEN_MARGIN),
        })
    }

    /// The signed assertion of the JWT bearer grant, issued at `now`.
    fn assertion(&self, now: DateTime<Utc>) -> Result<String, CollectorError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid.clone_from(&self.key_id);
        let claims = Claims {
            iss: &self.client_email,
            sub: &self.subject,
            scope: SCOPE,
            aud: self.token_url.as_str(),
            iat: now.timestamp(),
            exp: (now + ASSERTION_LIFETIME).timestamp(),
        };
        jsonwebtoken::encode(&header, &claims, &self.key.0)
            .map_err(|e| shared::secret_error(PROVIDER, "private_key", format!("cannot sign the token request: {e}")))
    }

    /// A new token for a signed assertion.
    async fn new_token(&self, http: &Http, now: DateTime<Utc>) -> Result<Bearer, CollectorError> {
        let assertion = self.assertion(now)?;
        let body = shared::form_body(&self.token_url, &[("grant_type", JWT_BEARER_GRANT), ("assertion", &assertion)]);
        let (answer, _) = http
            .json(PROVIDER, |client| {
                client
                    .post(self.token_url.clone())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(ACCEPT, "application/json")
                    .body(body.clone())
            })
            .await
            .map_err(shared::token_refusal)?;
        Bearer::from_token_response(PROVIDER, &answer, now)
    }

    /// The activities request at `position`.
    fn activities_request(&self, position: &Position) -> Url {
        let start = rfc3339(position.start);
        let size = self.page_size.to_string();
        let mut pairs = vec![("startTime", start.as_str()), ("maxResults", size.as_str())];
        if let Some(customer) = &self.customer {
            pairs.push(("customerId", customer));
        }
        if let Some(token) = &position.page_token {
            pairs.push(("pageToken", token));
        }
        shared::with_query(&self.activities_url, &pairs)
    }

    /// One page of activities at `position`, with a bearer token.
    async fn list(&self, http: &Http, position: &Position, now: DateTime<Utc>) -> Result<Value, CollectorError> {
        let url = &self.activities_request(position);
        self.bearer
            .with_bearer(
                now,
                move || self.new_token(http, now),
                move |token| shared::get_json(PROVIDER, http, url, token),
            )
            .await
    }

    /// [`Google::list`], starting the listing again when Google refuses a saved page token.
    async fn list_or_restart(
        &self,
        http: &Http,
        position: &mut Position,
        now: DateTime<Utc>,
    ) -> Result<Value, CollectorError> {
        match self.list(http, position, now).await {
            Err(CollectorError::Http { reason, .. })
                if position.page_token.is_some() && reason.starts_with("HTTP 400") =>
            {
                tracing::warn!(
                    provider = PROVIDER,
                    reason,
                    "google refused the saved page token: listing again from startTime"
                );
                position.page_token = None;
                self.list(http, position, now).await
            }
            other => other,
        }
    }
}

#[async_trait]
impl Provider for Google {
    fn kind(&self) -> &'static str {
        PROVIDER
    }

    async fn fetch(&self, http: &Http, cursor: Option<&Cursor>, now: DateTime<Utc>) -> Result<Page, CollectorError> {
        let mut position = match cursor {
            Some(cursor) => Position::read(cursor)?,
            None => Position { start: now - self.lookback, page_token: None, newest: None },
        };
        let body = self.list_or_restart(http, &mut position, now).await?;
        let Listing { activities, page_token } = listing(body)?;
        let mut newest = position.newest;
        let mut events = Vec::new();
        // Google answers newest first; a page is handed on oldest first.
        for activity in activities.iter().rev() {
            let (time, _) = activity_id(activity)?;
            newest = newest.max(Some(time));
            events.extend(activity_events(activity, &self.application)?);
        }
        let more = page_token.is_some();
        let next = match page_token {
            Some(token) => Position { start: position.start, page_token: Some(token), newest },
            None => Position {
                start: newest.map_or(position.start, |t| t + Duration::milliseconds(1)),
                page_token: None,
                newest: None,
            },
        }
        .to_cursor();
        tracing::debug!(provider = PROVIDER, events = events.len(), more, "google activities page");
        Ok(Page { events, next: (cursor != Some(&next)).then_some(next), more })
    }
}

/// Where a listing is: its start, the page token within it, the newest time it has shown.
#[derive(Debug, Clone, PartialEq)]
struct Position {
    start: DateTime<Utc>,
    page_token: Option<String>,
    newest: Option<DateTime<Utc>>,
}

impl Position {
    /// A saved cursor (see the module documentation).
    fn read(cursor: &Cursor) -> Result<Self, CollectorError> {
        let bad = |problem: &str| shared::cursor_error(PROVIDER, cursor, problem);
        let time = |key: &str| -> Result<Option<DateTime<Utc>>, CollectorError> {
            match cursor.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                    .map(|t| Some(t.with_timezone(&Utc)))
                    .map_err(|_| bad(&format!("{key} is not an RFC 3339 time"))),
                Some(_) => Err(bad(&format!("{key} is not a string"))),
            }
        };
        let start = time("startTime")?.ok_or_else(|| bad("has no startTime"))?;
        let page_token = match cursor.get("pageToken") {
            None => None,
            Some(Value::String(token)) if !token.is_empty() => Some(token.clone()),
            Some(_) => return Err(bad("pageToken is not a non-empty string")),
        };
        Ok(Position { start, page_token, newest: time("newest")? })
    }

    /// The cursor saying this.
    fn to_cursor(&self) -> Cursor {
        let mut cursor = Map::new();
        cursor.insert("startTime".into(), json!(rfc3339(self.start)));
        if let Some(token) = &self.page_token {
            cursor.insert("pageToken".into(), json!(token));
        }
        if let Some(newest) = self.newest {
            cursor.insert("newest".into(), json!(rfc3339(newest)));
        }
        Value::Object(cursor)
    }
}

/// `time` as the Reports API writes it: `2024-05-01T11:00:00.000Z`.
fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The service account key in `secret`, checked.
struct CheckedKey {
    client_email: String,
    key_id: Option<String>,
    signing_key: EncodingKey,
    token_uri: Option<String>,
}

/// Reads and checks the service account's JSON key.
fn service_account_key(secret: &str) -> Result<CheckedKey, CollectorError> {
    let bad = |part: &str, problem: String| shared::secret_error(PROVIDER, part, problem);
    let key: ServiceAccountKey = serde_json::from_str(secret)
        .map_err(|e| bad("service account key", format!("not a JSON service account key ({e})")))?;
    if key.kind.as_deref() != Some("service_account") {
        return Err(bad("type", format!("{:?} is not \"service_account\"", key.kind.unwrap_or_default())));
    }
    let client_email =
        key.client_email.filter(|e| e.contains('@')).ok_or_else(|| bad("client_email", "is missing".into()))?;
    let pem = key.private_key.ok_or_else(|| bad("private_key", "is missing".into()))?;
    let signing_key = signing_key(&pem).map_err(|problem| bad("private_key", problem))?;
    Ok(CheckedKey {
        client_email,
        key_id: key.private_key_id.filter(|id| !id.is_empty()),
        signing_key,
        token_uri: key.token_uri.filter(|uri| !uri.is_empty()),
    })
}

/// An RSA private key in PEM (PKCS#8, as Google issues them, or PKCS#1) as a signing key.
fn signing_key(pem: &str) -> Result<EncodingKey, String> {
    let key = RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|pkcs8| RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| pkcs8))
        .map_err(|e| format!("not an RSA private key in PEM ({e})"))?;
    let der = key.to_pkcs1_der().map_err(|e| format!("cannot encode the RSA key ({e})"))?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

/// One page of a listing.
#[derive(Debug)]
struct Listing {
    /// Its activities (none when Google left `items` out).
    activities: Vec<Map<String, Value>>,
    /// Its `nextPageToken`.
    page_token: Option<String>,
}

/// The page in `body`.
fn listing(body: Value) -> Result<Listing, CollectorError> {
    let bad = |reason: String| shared::response_error(PROVIDER, reason);
    let Value::Object(mut page) = body else {
        return Err(bad(format!("expected an object with items, got {body}")));
    };
    let page_token = match page.remove("nextPageToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) if token.is_empty() => None,
        Some(Value::String(token)) => Some(token),
        Some(other) => return Err(bad(format!("nextPageToken is not a string: {other}"))),
    };
    let items = match page.remove("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(bad(format!("items is not an array: {other}"))),
    };
    let activities = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(activity) => Ok(activity),
            other => Err(bad(format!("items[{i}] is not an object: {other}"))),
        })
        .collect::<Result<_, _>>()?;
    Ok(Listing { activities, page_token })
}

/// An activity's `id.time` (read) and `id.uniqueQualifier`.
fn activity_id(activity: &Map<String, Value>) -> Result<(DateTime<Utc>, &str), CollectorError> {
    let bad = |reason: String| shared::response_error(PROVIDER, reason);
    let id = activity.get("id").and_then(Value::as_object);
    let field = |key: &str| id.and_then(|id| id.get(key)).and_then(Value::as_str).filter(|s| !s.is_empty());
    let qualifier = field("uniqueQualifier").ok_or_else(|| bad("an activity has no id.uniqueQualifier".to_owned()))?;
    let time = field("time").ok_or_else(|| bad(format!("activity {qualifier} has no id.time")))?;
    let time = DateTime::parse_from_rfc3339(time)
        .map_err(|e| bad(format!("activity {qualifier}: id.time {time:?} is not an RFC 3339 time ({e})")))?;
    Ok((time.with_timezone(&Utc), qualifier))
}

/// An activity of `application` as MozDef events, one per event of the activity (see the
/// module documentation).
///
/// # Errors
///
/// [`CollectorError::Response`] when the activity has no `id.uniqueQualifier` or no readable
/// `id.time`.
pub fn activity_events(activity: &Map<String, Value>, application: &str) -> Result<Vec<Collected>, CollectorError> {
    let (time, qualifier) = activity_id(activity)?;
    let raw_time = activity.get("id").and_then(|id| id.get("time")).and_then(Value::as_str).unwrap_or_default();
    let base_id = format!("{raw_time}:{qualifier}");
    let events: Vec<Option<&Map<String, Value>>> = match activity.get("events").and_then(Value::as_array) {
        Some(events) if !events.is_empty() => events.iter().map(Value::as_object).collect(),
        _ => vec![None],
    };
    let tag = if application == "login" { "authentication" } else { application };
    let tags = ["google", tag];
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(n, event)| {
            let details = details(activity, event, application);
            let head = EventHead {
                category: "google",
                source: PROVIDER,
                tags: &tags,
                severity: Severity::Info,
                hostname: HOSTNAME,
                summary: summary(tag, &details),
            };
            let id = if n == 0 { base_id.clone() } else { format!("{base_id}:{n}") };
            Collected { id, event: head.event(time, details) }
        })
        .collect())
}

/// The details of one event of an activity.
fn details(activity: &Map<String, Value>, event: Option<&Map<String, Value>>, application: &str) -> Map<String, Value> {
    let mut details = Map::new();
    for (key, value) in activity {
        if key != "events" && key != "ipAddress" {
            flatten(&mut details, &key.to_lowercase(), value);
        }
    }
    if let Some(ip) = activity.get("ipAddress").filter(|ip| !ip.is_null()) {
        details.insert("sourceipaddress".into(), ip.clone());
    }
    let name = event.and_then(|e| e.get("name")).and_then(Value::as_str);
    if let Some(event) = event {
        for (to, from) in [("events_type", "type"), ("events_name", "name")] {
            if let Some(value) = event.get(from).filter(|v| !v.is_null()) {
                details.insert(to.into(), value.clone());
            }
        }
        let parameters = event.get("parameters").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        details.extend(parameters_object(parameters));
    }
    if let Some(email) = activity.get("actor").and_then(|a| a.get("email")).filter(|e| !e.is_null()) {
        details.insert("username".into(), email.clone());
    }
    if let Some(name) = name {
        details.insert("eventname".into(), json!(name));
        if application == "login"
            && let Some(success) = login_success(name, &details)
        {
            details.insert("success".into(), json!(success));
        }
    }
    details
}

/// `value` under `key`, objects flattened into `key_subkey` (lower case), nulls left out.
fn flatten(details: &mut Map<String, Value>, key: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(object) => {
            for (sub, value) in object {
                flatten(details, &format!("{key}_{}", sub.to_lowercase()), value);
            }
        }
        other => {
            details.insert(key.to_owned(), other.clone());
        }
    }
}

/// Reports API parameters (`[{"name", "value" | "intValue" | "boolValue" | "multiValue" |
/// "multiIntValue" | "messageValue" | "multiMessageValue"}]`) as an object of typed values,
/// named in lower case.
fn parameters_object(parameters: &[Value]) -> Map<String, Value> {
    parameters
        .iter()
        .filter_map(|parameter| {
            let name = parameter.get("name")?.as_str()?;
            Some((name.to_lowercase(), parameter_value(parameter.as_object()?)?))
        })
        .collect()
}

/// One parameter's value, typed.
fn parameter_value(parameter: &Map<String, Value>) -> Option<Value> {
    if let Some(value) =
        parameter.get("value").or_else(|| parameter.get("boolValue")).or_else(|| parameter.get("multiValue"))
    {
        return Some(value.clone());
    }
    if let Some(value) = parameter.get("intValue") {
        return Some(integer(value));
    }
    if let Some(values) = parameter.get("multiIntValue").and_then(Value::as_array) {
        return Some(Value::Array(values.iter().map(integer).collect()));
    }
    let message = |value: &Value| {
        let parameters = value.get("parameter").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        Value::Object(parameters_object(parameters))
    };
    if let Some(value) = parameter.get("messageValue") {
        return Some(message(value));
    }
    let messages = parameter.get("multiMessageValue")?.as_array()?;
    Some(Value::Array(messages.iter().map(message).collect()))
}

/// An int64 the API writes as a string, as a number when it is one.
fn integer(value: &Value) -> Value {
    match value.as_str().and_then(|s| s.parse::<i64>().ok()) {
        Some(n) => json!(n),
        None => value.clone(),
    }
}

/// Whether a login event says the login succeeded (see the module documentation).
fn login_success(name: &str, details: &Map<String, Value>) -> Option<bool> {
    match name {
        "login_success" => Some(true),
        "login_failure" => Some(false),
        "login_challenge" | "login_verification" => {
            match details.get("login_challenge_status").and_then(Value::as_str) {
                Some("Challenge Passed") => Some(true),
                Some("Challenge Failed") => Some(false),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `google <tag>: <events_name> <actor_email>`.
fn summary(tag: &str, details: &Map<String, Value>) -> String {
    let parts: Vec<&str> = ["events_name", "actor_email"]
        .iter()
        .filter_map(|key| details.get(*key).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .collect();
    format!("google {tag}: {}", parts.join(" ")).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn mapped(activity: Value, application: &str) -> Vec<(String, Value)> {
        activity_events(&object(activity), application)
            .unwrap()
            .into_iter()
            .map(|c| (c.id, Value::Object(c.event)))
            .collect()
    }

    // Activities below follow the Reports API's documented activity resource and the login
    // application's documented events and parameters ("Login Audit Activity Events").

    #[test]
    fn a_login_success_is_a_successful_authentication() {
        let activity = json!({
            "kind": "admin#reports#activity",
            "id": {"time": "2024-05-01T10:00:00.123Z", "uniqueQualifier": "-1234567890123456789", "applicationName": "login", "customerId": "C03az79cb"},
            "etag": "\"JDMC8884sebSctZ17CIssbQ/A5oJOXxQ2fZ3Xkf5XIKEG0ZnGns\"",
            "actor": {"callerType": "USER", "email": "liz@example.com", "profileId": "100230688039070881323"},
            "ipAddress": "203.0.113.10",
            "events": [{
                "type": "login",
                "name": "login_success",
                "parameters": [
                    {"name": "login_type", "value": "google_password"},
                    {"name": "login_challenge_method", "multiValue": ["password", "google_authenticator"]},
                    {"name": "is_suspicious", "boolValue": false},
                    {"name": "is_second_factor", "boolValue": false}
                ]
            }]
        });
        assert_eq!(
            mapped(activity, "login"),
            vec![(
                "2024-05-01T10:00:00.123Z:-1234567890123456789".to_owned(),
                json!({
                    "utctimestamp": "2024-05-01T10:00:00.123000+00:00",
                    "timestamp": "2024-05-01T10:00:00.123000+00:00",
                    "category": "google",
                    "source": "google",
                    "tags": ["google", "authentication"],
                    "severity": "INFO",
                    "hostname": "admin.googleapis.com",
                    "processname": "google",
                    "summary": "google authentication: login_success liz@example.com",
                    "details": {
                        "kind": "admin#reports#activity",
                        "id_time": "2024-05-01T10:00:00.123Z",
                        "id_uniquequalifier": "-1234567890123456789",
                        "id_applicationname": "login",
                        "id_customerid": "C03az79cb",
                        "etag": "\"JDMC8884sebSctZ17CIssbQ/A5oJOXxQ2fZ3Xkf5XIKEG0ZnGns\"",
                        "actor_callertype": "USER",
                        "actor_email": "liz@example.com",
                        "actor_profileid": "100230688039070881323",
                        "sourceipaddress": "203.0.113.10",
                        "events_type": "login",
                        "events_name": "login_success",
                        "login_type": "google_password",
                        "login_challenge_method": ["password", "google_authenticator"],
                        "is_suspicious": false,
                        "is_second_factor": false,
                        "username": "liz@example.com",
                        "eventname": "login_success",
                        "success": true
                    }
                })
            )]
        );
    }

    #[test]
    fn a_login_failure_keeps_its_challenge_methods_and_failure_type() {
        let activity = json!({
            "kind": "admin#reports#activity",
            "id": {"time": "2024-05-01T10:05:00Z", "uniqueQualifier": "5526793068617678141", "applicationName": "login", "customerId": "C03az79cb"},
            "actor": {"email": "bob@example.com", "profileId": "100000000000000000002"},
            "ipAddress": "198.51.100.23",
            "events": [{
                "type": "login",
                "name": "login_failure",
                "parameters": [
                    {"name": "login_type", "value": "google_password"},
                    {"name": "login_challenge_method", "multiValue": ["password"]},
                    {"name": "login_failure_type", "value": "login_failure_invalid_password"},
                    {"name": "is_suspicious", "boolValue": false}
                ]
            }]
        });
        let events = mapped(activity, "login");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].0, "2024-05-01T10:05:00Z:5526793068617678141");
        let event = &events[0].1;
        assert_eq!(event["utctimestamp"], "2024-05-01T10:05:00+00:00");
        assert_eq!(event["summary"], "google authentication: login_failure bob@example.com");
        assert_eq!(
            event["details"],
            json!({
                "kind": "admin#reports#activity",
                "id_time": "2024-05-01T10:05:00Z",
                "id_uniquequalifier": "5526793068617678141",
                "id_applicationname": "login",
                "id_customerid": "C03az79cb",
                "actor_email": "bob@example.com",
                "actor_profileid": "100000000000000000002",
                "sourceipaddress": "198.51.100.23",
                "events_type": "login",
                "events_name": "login_failure",
                "login_type": "google_password",
                "login_challenge_method": ["password"],
                "login_failure_type": "login_failure_invalid_password",
                "is_suspicious": false,
                "username": "bob@example.com",
                "eventname": "login_failure",
                "success": false
            })
        );
    }

    #[test]
    fn a_suspicious_login_warning_says_nothing_of_success() {
        let activity = json!({
            "kind": "admin#reports#activity",
            "id": {"time": "2024-05-01T10:10:00.000Z", "uniqueQualifier": "-42", "applicationName": "login", "customerId": "C03az79cb"},
            "actor": {"email": "carol@example.com", "profileId": "100000000000000000003"},
            "ipAddress": "192.0.2.200",
            "events": [{
                "type": "account_warning",
                "name": "suspicious_login",
                "parameters": [{"name": "affected_email_address", "value": "carol@example.com"}]
            }]
        });
        let events = mapped(activity, "login");
        let details = &events[0].1["details"];
        assert_eq!(details["eventname"], "suspicious_login");
        assert_eq!(details["events_type"], "account_warning");
        assert_eq!(details["affected_email_address"], "carol@example.com");
        assert_eq!(details["username"], "carol@example.com");
        assert_eq!(details["sourceipaddress"], "192.0.2.200");
        assert_eq!(details.get("success"), None);
        assert_eq!(events[0].1["summary"], "google authentication: suspicious_login carol@example.com");
        assert_eq!(events[0].1["tags"], json!(["google", "authentication"]));
    }

    #[test]
    fn every_event_of_an_activity_is_an_event_with_its_own_id() {
        let activity = json!({
            "id": {"time": "2024-05-01T10:15:00.000Z", "uniqueQualifier": "77", "applicationName": "login"},
            "actor": {"email": "dan@example.com"},
            "ipAddress": "203.0.113.99",
            "events": [
                {"type": "login", "name": "login_challenge", "parameters": [
                    {"name": "login_challenge_method", "value": "idv_preregistered_phone"},
                    {"name": "login_challenge_status", "value": "Challenge Failed"}
                ]},
                {"type": "login", "name": "login_challenge", "parameters": [
                    {"name": "login_challenge_method", "value": "backup_code"},
                    {"name": "login_challenge_status", "value": "Challenge Passed"}
                ]},
                {"type": "login", "name": "logout"}
            ]
        });
        let events = mapped(activity, "login");
        let ids: Vec<&str> = events.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            ["2024-05-01T10:15:00.000Z:77", "2024-05-01T10:15:00.000Z:77:1", "2024-05-01T10:15:00.000Z:77:2"]
        );
        let success: Vec<Option<bool>> =
            events.iter().map(|(_, e)| e["details"].get("success").and_then(Value::as_bool)).collect();
        assert_eq!(success, [Some(false), Some(true), None]);
        assert_eq!(events[1].1["details"]["login_challenge_method"], "backup_code");
        assert_eq!(events[2].1["details"].get("login_challenge_method"), None, "parameters stay with their event");
    }

    #[test]
    fn other_applications_are_tagged_with_their_name_and_have_no_success() {
        let activity = json!({
            "id": {"time": "2024-05-01T10:20:00.000Z", "uniqueQualifier": "88", "applicationName": "admin"},
            "actor": {"email": "admin@example.com"},
            "events": [{"type": "USER_SETTINGS", "name": "CHANGE_PASSWORD", "parameters": [{"name": "USER_EMAIL", "value": "eve@example.com"}]}]
        });
        let events = mapped(activity, "admin");
        let event = &events[0].1;
        assert_eq!(event["tags"], json!(["google", "admin"]));
        assert_eq!(event["summary"], "google admin: CHANGE_PASSWORD admin@example.com");
        assert_eq!(event["details"]["user_email"], "eve@example.com");
        assert_eq!(event["details"].get("success"), None);
        assert_eq!(event["details"].get("sourceipaddress"), None);
    }

    #[test]
    fn parameters_keep_their_types() {
        let parameters = json!([
            {"name": "count", "intValue": "42"},
            {"name": "ids", "multiIntValue": ["1", "2"]},
            {"name": "flag", "boolValue": true},
            {"name": "resource", "messageValue": {"parameter": [{"name": "title", "value": "Doc"}, {"name": "size", "intValue": "7"}]}},
            {"name": "grants", "multiMessageValue": [{"parameter": [{"name": "role", "value": "owner"}]}]},
            {"name": "empty"}
        ]);
        assert_eq!(
            Value::Object(parameters_object(parameters.as_array().unwrap())),
            json!({
                "count": 42,
                "ids": [1, 2],
                "flag": true,
                "resource": {"title": "Doc", "size": 7},
                "grants": [{"role": "owner"}]
            })
        );
    }

    #[test]
    fn an_activity_without_its_id_is_refused() {
        for activity in [
            json!({"id": {"time": "2024-05-01T10:00:00Z"}}),
            json!({"id": {"uniqueQualifier": "1"}}),
            json!({"id": {"uniqueQualifier": "1", "time": "yesterday"}}),
        ] {
            let err = activity_events(&object(activity.clone()), "login").unwrap_err();
            assert!(matches!(err, CollectorError::Response { .. }), "{activity}: {err}");
        }
    }

    #[test]
    fn cursors_are_read_and_written_as_documented() {
        let cursor =
            json!({"startTime": "2024-05-01T11:00:00.000Z", "pageToken": "A1", "newest": "2024-05-01T11:59:00.250Z"});
        let position = Position::read(&cursor).unwrap();
        assert_eq!(position.page_token.as_deref(), Some("A1"));
        assert_eq!(position.to_cursor(), cursor);
        for bad in [
            json!({}),
            json!({"startTime": 5}),
            json!({"startTime": "noon"}),
            json!({"startTime": "2024-05-01T11:00:00Z", "pageToken": ""}),
        ] {
            let err = Position::read(&bad).unwrap_err();
            assert!(err.to_string().contains("google saved cursor"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_page_without_items_has_no_activities() {
        let page = listing(json!({"kind": "admin#reports#activities", "etag": "\"x\""})).unwrap();
        assert!(page.activities.is_empty());
        assert_eq!(page.page_token, None);
        assert!(matches!(listing(json!([1, 2])), Err(CollectorError::Response { .. })));
        assert!(matches!(listing(json!({"items": {}})), Err(CollectorError::Response { .. })));
        assert!(matches!(listing(json!({"items": [1]})), Err(CollectorError::Response { .. })));
    }
}
