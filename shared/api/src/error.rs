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
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error = %self, "request refused");
        }
        (status, Json(body)).into_response()
    }
}

impl From<mozdef_store::QueueError> for ApiError {
    fn from(e: mozdef_store::QueueError) -> Self {
        match e {
            mozdef_store::QueueError::TooLarge { limit, .. } => ApiError::TooLarge { limit, line: None },
            mozdef_store::QueueError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

impl From<mozdef_store::StoreError> for ApiError {
    fn from(e: mozdef_store::StoreError) -> Self {
        match e {
            mozdef_store::StoreError::Query(q) => ApiError::bad_request(q.to_string()),
            mozdef_store::StoreError::IndexName(n) => ApiError::bad_request(format!("invalid index name {n:?}")),
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
