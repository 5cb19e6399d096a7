//! The HTTP side: one `opensearch` transport (rustls with ring; basic or SigV4 auth), raw
//! requests with JSON or NDJSON bodies, and the mapping between MozDef's index names and the
//! cluster's (the configured prefix).

use bytes::Bytes;
use opensearch::http::headers::{CONTENT_TYPE, HeaderMap, HeaderValue};
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use opensearch::http::{Method, Url};
use serde_json::Value;

use crate::OpenSearchError;
use crate::config::{Auth, OpenSearchConfig};

/// A connected client: the transport plus the index prefix.
#[derive(Debug, Clone)]
pub struct Client {
    os: opensearch::OpenSearch,
    prefix: String,
}

/// A raw answer: status and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

/// A request body.
#[derive(Debug)]
pub enum Body {
    /// A JSON document.
    Json(Value),
    /// Newline-delimited JSON (`_bulk`).
    NdJson(Bytes),
}

impl Client {
    /// Builds the transport for `config` (validated here). No request is made.
    pub fn connect(config: &OpenSearchConfig) -> Result<Self, OpenSearchError> {
        config.validate()?;
        // reqwest is built without a default crypto provider: install ring, once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = Url::parse(&config.url)
            .map_err(|e| OpenSearchError::Config(format!("OpenSearch URL {:?} does not parse: {e}", config.url)))?;
        let mut builder =
            TransportBuilder::new(SingleNodeConnectionPool::new(url)).timeout(config.request_timeout).disable_proxy();
        match &config.auth {
            Auth::None => {}
            Auth::Basic { username, password } => {
                builder = builder.auth(opensearch::auth::Credentials::Basic(username.clone(), password.clone()));
            }
            #[cfg(feature = "aws-auth")]
            Auth::SigV4 { config: sdk, service } => {
                let credentials = opensearch::auth::Credentials::try_from(sdk.as_ref())
                    .map_err(|e| OpenSearchError::Config(format!("SigV4 needs AWS credentials and a region: {e}")))?;
                builder = builder.auth(credentials).service_name(service.name());
            }
        }
        let transport =
            builder.build().map_err(|e| OpenSearchError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { os: opensearch::OpenSearch::new(transport), prefix: config.index_prefix.clone() })
    }

    /// The cluster's name for a MozDef index or alias name.
    pub fn physical(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The MozDef name of a cluster index, if it carries this client's prefix.
    pub fn logical<'a>(&self, physical: &'a str) -> Option<&'a str> {
        physical.strip_prefix(self.prefix.as_str())
    }

    /// The configured prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Sends one request and returns whatever status came back; only a failure to get an
    /// answer at all is an error ([`OpenSearchError::Unreachable`]).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Body>,
    ) -> Result<Answer, OpenSearchError> {
        let mut headers = HeaderMap::new();
        let bytes = match body {
            None => None,
            Some(Body::Json(value)) => Some(Bytes::from(
                serde_json::to_vec(&value).map_err(|e| OpenSearchError::Config(format!("unserializable body: {e}")))?,
            )),
            Some(Body::NdJson(bytes)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
                Some(bytes)
            }
        };
        let query = if query.is_empty() { None } else { Some(query) };
        let response = self
            .os
            .transport()
            .send(method, path, headers, query, bytes, None)
            .await
            .map_err(|e| OpenSearchError::Unreachable(format!("{} {path}: {e}", method_name(method))))?;
        let status = response.status_code().as_u16();
        let body = response.bytes().await.map_err(|e| {
            OpenSearchError::Unreachable(format!("{} {path}: reading the answer: {e}", method_name(method)))
        })?;
        Ok(Answer { status, body })
    }

    /// Sends one request and parses a 2xx JSON answer; other statuses become
    /// [`OpenSearchError::Status`] with OpenSearch's reason.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Value, OpenSearchError> {
        let answer = self.send(method, path, query, body.map(Body::Json)).await?;
        let what = format!("{} {path}", method_name(method));
        if !(200..300).contains(&answer.status) {
            return Err(OpenSearchError::Status { status: answer.status, what, reason: error_reason(&answer.body) });
        }
        if answer.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| OpenSearchError::Response { what, message: format!("not JSON: {e}") })
    }
}

/// The HTTP method's name.
pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Put => "PUT",
        Method::Post => "POST",
        Method::Delete => "DELETE",
        Method::Head => "HEAD",
    }
}

/// OpenSearch's `error.type: error.reason` (or the start of the body) of an error answer.
pub fn error_reason(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => reason_of(&v["error"]).unwrap_or_else(|| truncate(&v.to_string())),
        Err(_) => truncate(&String::from_utf8_lossy(body)),
    }
}

/// `type: reason` of an OpenSearch error object (a bulk item's `error` too), with the
/// `caused_by` reason when there is one.
pub fn reason_of(error: &Value) -> Option<String> {
    match error {
        Value::Object(e) => {
            let kind = e.get("type").and_then(Value::as_str).unwrap_or("error");
            let reason = e.get("reason").and_then(Value::as_str).unwrap_or("");
            let mut text = format!("{kind}: {reason}");
            if let Some(cause) = e.get("caused_by").and_then(reason_of) {
                text.push_str(" (caused by ");
                text.push_str(&cause);
                text.push(')');
            }
            Some(text)
        }
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn truncate(s: &str) -> String {
    let mut end = s.len().min(300);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reasons_name_type_and_cause() {
        let body = json!({"error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [details.success]",
            "caused_by": {"type": "illegal_argument_exception", "reason": "Failed to parse value [maybe]"}}, "status": 400});
        let text = error_reason(body.to_string().as_bytes());
        assert_eq!(
            text,
            "mapper_parsing_exception: failed to parse field [details.success] (caused by illegal_argument_exception: Failed to parse value [maybe])"
        );
        assert_eq!(error_reason(b"<html>bad gateway</html>"), "<html>bad gateway</html>");
    }
}
