use axum::Json;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client, as `{"error": "<message>", ...}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request body or parameters are invalid (400).
    #[error("{message}")]
    BadRequest {
        /// What is wrong, naming the field, line or position.
        message: String,
        /// The 1-based line of an NDJSON body the problem is on.
        line: Option<usize>,
    },
    /// The body is larger than the limit (413).
    #[error("request body exceeds the limit of {limit} bytes{}", .line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The NDJSON line that exceeds the per-event limit, if that is the problem.
        line: Option<usize>,
    },
    /// Nothing there (404).
    #[error("{0}")]
    NotFound(String),
    /// A backend is unavailable; the client should retry (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A backend refuses work for now and says when to come back (503 with `Retry-After`).
    #[error("{message}")]
    RetryLater {
        /// Why, with the figures (e.g. the free disk space and the minimum).
        message: String,
        /// How long the client should wait (`Retry-After`, in whole seconds, at least 1).
        retry_after: std::time::Duration,
    },
    /// No valid credentials (401, with `WWW-Authenticate: Bearer`): what is wrong with them.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Valid credentials without the role the route needs (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The record changed since the client read it (409); the body carries the current one.
    #[error("{message}")]
    Conflict {
        /// What conflicted.
        message: String,
        /// The current record, as the API renders it.
        current: Box<serde_json::Value>,
    },
}

impl ApiError {
    /// A 400 naming the problem.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest { message: message.into(), line: None }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unavailable(_) | ApiError::RetryLater { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = json!({"error": self.to_string()});
        if let ApiError::BadRequest { line: Some(line), .. } | ApiError::TooLarge { line: Some(line), .. } = &self {
            body["line"] = json!(line);
        }
        if let ApiError::Conflict { current, .. } = &self {
            body["current"] = (**current).clone();
        }
        // A refusal for want of room is logged where it starts and stops, not per request.
        if status.is_server_error() && !matches!(self, ApiError::RetryLater { .. }) {
            tracing::warn!(status = status.as_u16(), error = %self, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error = %self, "request refused");
        }
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RetryLater { retry_after, .. } = &self {
            let seconds = retry_after.as_secs().max(1);
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

impl From<mozdef_store::QueueError> for ApiError {
    fn from(e: mozdef_store::QueueError) -> Self {
        match e {
            mozdef_store::QueueError::TooLarge { limit, .. } => ApiError::TooLarge { limit, line: None },
            mozdef_store::QueueError::Unavailable(m) => ApiError::Unavailable(m),
            mozdef_store::QueueError::Refused { reason, retry_after } => {
                ApiError::RetryLater { message: reason, retry_after }
            }
        }
    }
}

impl From<mozdef_store::StoreError> for ApiError {
    fn from(e: mozdef_store::StoreError) -> Self {
        match e {
            mozdef_store::StoreError::Query(q) => ApiError::bad_request(q.to_string()),
            mozdef_store::StoreError::IndexName(n) => ApiError::bad_request(format!("invalid index name {n:?}")),
            mozdef_store::StoreError::NotFound(m) => ApiError::NotFound(m),
            mozdef_store::StoreError::TooLarge(m) => ApiError::bad_request(m),
            mozdef_store::StoreError::Conflict(current) => ApiError::Conflict {
                message: format!(
                    "{} {:?} changed since it was read: it is at version {} (merge and send that version)",
                    current.collection, current.id, current.version
                ),
                current: Box::new(mozdef_service::records::render(&current)),
            },
            other => ApiError::Unavailable(other.to_string()),
        }
    }
}

impl From<mozdef_service::ServiceError> for ApiError {
    fn from(e: mozdef_service::ServiceError) -> Self {
        use mozdef_service::ServiceError;
        match e {
            ServiceError::Invalid { .. } | ServiceError::UnknownAlert(_) => ApiError::bad_request(e.to_string()),
            ServiceError::NotAllowed(m) => ApiError::Forbidden(m),
            ServiceError::Records(e) => e.into(),
            other => ApiError::Unavailable(other.to_string()),
        }
    }
}

impl From<mozdef_alerts::BackendError> for ApiError {
    fn from(e: mozdef_alerts::BackendError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

/// The fallback: a JSON 404 naming the path.
pub(crate) async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {}", uri.path()))
}
