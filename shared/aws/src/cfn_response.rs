//! Answers to CloudFormation custom resource requests: the request read from a Lambda
//! payload (or, when it is malformed, what is needed to answer it anyway), and the answer
//! PUT to the request's pre-signed `ResponseURL` as CloudFormation's `cfn-response` module
//! does it (a JSON body with no content type, retried while the URL may still take it).
//! A custom resource that never answers leaves its stack waiting for an hour: every path
//! of a handler ends in [`CfnResponder::send`].

use std::collections::HashMap;
use std::time::Duration;

pub use aws_lambda_events::event::cloudformation::{
    CloudFormationCustomResourceRequest as CustomResourceRequest,
    CloudFormationCustomResourceResponse as CustomResourceResponse,
    CloudFormationCustomResourceResponseStatus as ResponseStatus,
};
use serde_json::Value;

/// The largest `Reason` sent: CloudFormation takes answers of up to 4 KiB in all.
const MAX_REASON_CHARS: usize = 1500;

/// How often an answer is tried.
const ATTEMPTS: u32 = 3;

/// Why an answer did not reach CloudFormation.
#[derive(Debug, thiserror::Error)]
#[error("answering CloudFormation at {url}: {message}")]
pub struct CfnResponseError {
    /// The response URL without its query (the pre-signed signature stays out of logs).
    pub url: String,
    /// What went wrong.
    pub message: String,
}

/// What an answer goes to and carries over from its request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseTarget {
    /// The pre-signed URL the answer is PUT to.
    pub response_url: String,
    /// The stack.
    pub stack_id: String,
    /// The request.
    pub request_id: String,
    /// The resource in the template.
    pub logical_resource_id: String,
    /// The resource's physical id, for Update and Delete requests.
    pub physical_resource_id: Option<String>,
}

impl ResponseTarget {
    /// The target of a request payload, well-formed or not, from whatever fields it has
    /// (read before the request is, so that a malformed request is answered too); `None`
    /// when it has no `ResponseURL` (nothing can be answered).
    pub fn of(payload: &Value) -> Option<Self> {
        let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(ResponseTarget {
            response_url: text("ResponseURL").filter(|u| !u.is_empty())?,
            stack_id: text("StackId").unwrap_or_default(),
            request_id: text("RequestId").unwrap_or_default(),
            logical_resource_id: text("LogicalResourceId").unwrap_or_default(),
            physical_resource_id: text("PhysicalResourceId"),
        })
    }

    /// A `SUCCESS` answer for the resource `physical_resource_id` with `data` (readable
    /// with `Fn::GetAtt`).
    pub fn success(&self, physical_resource_id: &str, data: HashMap<String, String>) -> CustomResourceResponse {
        let mut response = self.response(ResponseStatus::Success, "done".to_owned());
        response.physical_resource_id = physical_resource_id.to_owned();
        response.data = data;
        response
    }

    /// A `FAILED` answer giving `reason` (shown in the stack's events; cut to fit).
    pub fn failure(&self, reason: &str) -> CustomResourceResponse {
        let mut reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
        if reason.is_empty() {
            reason = "failed".to_owned();
        }
        self.response(ResponseStatus::Failed, reason)
    }

    fn response(&self, status: ResponseStatus, reason: String) -> CustomResourceResponse {
        let mut response = CustomResourceResponse::default();
        response.status = status;
        response.reason = Some(reason);
        // A failed Create has no resource yet: CloudFormation still wants an id (it sends a
        // Delete for it when it rolls back), and the request id is unique.
        response.physical_resource_id = self
            .physical_resource_id
            .clone()
            .unwrap_or_else(|| if self.request_id.is_empty() { "unknown".to_owned() } else { self.request_id.clone() });
        response.stack_id = self.stack_id.clone();
        response.request_id = self.request_id.clone();
        response.logical_resource_id = self.logical_resource_id.clone();
        response
    }
}

/// Sends answers to response URLs.
#[derive(Debug, Clone)]
pub struct CfnResponder {
    http: reqwest::Client,
    backoff: Duration,
}

impl CfnResponder {
    /// A responder whose requests time out after `timeout` each (three tries, a second
    /// apart and then two).
    pub fn new(timeout: Duration) -> Result<Self, CfnResponseError> {
        // reqwest is built without a default crypto provider: install ring, once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| CfnResponseError { url: String::new(), message: format!("HTTP client: {e}") })?;
        Ok(CfnResponder { http, backoff: Duration::from_secs(1) })
    }

    /// PUTs `response` to `url`. A 2xx answer is delivered; a 4xx (an expired or altered
    /// URL) is final; no answer or a 5xx is tried again, three times in all.
    pub async fn send(&self, url: &str, response: &CustomResourceResponse) -> Result<(), CfnResponseError> {
        let shown = url.split('?').next().unwrap_or_default().to_owned();
        let error = |message: String| CfnResponseError { url: shown.clone(), message };
        let body = serde_json::to_vec(response).map_err(|e| error(format!("unserializable answer: {e}")))?;
        let mut attempt = 1;
        loop {
            // No content type: the URL is pre-signed for a PUT without one (cfn-response
            // sends an empty one).
            let outcome = self.http.put(url).body(body.clone()).send().await;
            let retry = match outcome {
                Ok(answer) if answer.status().is_success() => {
                    tracing::info!(url = %shown, status = ?response.status, attempt, "answered CloudFormation");
                    return Ok(());
                }
                Ok(answer) => {
                    let status = answer.status();
                    let text: String = answer.text().await.unwrap_or_default().chars().take(300).collect();
                    let message = format!("HTTP {status}: {text}");
                    if status.is_client_error() {
                        return Err(error(message));
                    }
                    message
                }
                // reqwest names the URL in its errors: the signature would go with it.
                Err(e) => format!("no answer: {}", mozdef_model::error_chain(&e.without_url())),
            };
            if attempt >= ATTEMPTS {
                return Err(error(format!("{retry} (after {attempt} attempts)")));
            }
            tracing::warn!(url = %shown, attempt, error = %retry, "answering CloudFormation failed; trying again");
            tokio::time::sleep(self.backoff * attempt).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create() -> Value {
        json!({
            "RequestType": "Create", "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:maintenance",
            "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=abc",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/mozdef/1", "RequestId": "r-1",
            "ResourceType": "Custom::MozDefIndices", "LogicalResourceId": "Indices", "ResourceProperties": {}
        })
    }

    #[test]
    fn answers_carry_the_request_ids_and_the_outcome() {
        let target = ResponseTarget::of(&create()).unwrap_or_default();
        let data = HashMap::from([("IndexPatterns".to_owned(), "events*,alerts*".to_owned())]);
        let ok = serde_json::to_value(target.success("mozdef-indices", data)).unwrap_or_default();
        assert_eq!(ok["Status"], "SUCCESS");
        assert_eq!(ok["PhysicalResourceId"], "mozdef-indices");
        assert_eq!(ok["StackId"], "arn:aws:cloudformation:us-east-1:123456789012:stack/mozdef/1");
        assert_eq!(ok["RequestId"], "r-1");
        assert_eq!(ok["LogicalResourceId"], "Indices");
        assert_eq!(ok["Data"], json!({"IndexPatterns": "events*,alerts*"}));

        let failed = serde_json::to_value(target.failure(&"x".repeat(5000))).unwrap_or_default();
        assert_eq!(failed["Status"], "FAILED");
        assert_eq!(failed["Reason"].as_str().map(str::len), Some(MAX_REASON_CHARS));
        assert_eq!(failed["PhysicalResourceId"], "r-1", "a failed Create still names a resource");
    }

    #[test]
    fn a_malformed_request_is_answered_when_it_has_a_response_url() {
        let mut payload = create();
        payload["RequestType"] = json!("Destroy");
        assert!(serde_json::from_value::<CustomResourceRequest>(payload.clone()).is_err());
        let target = ResponseTarget::of(&payload).unwrap_or_default();
        assert_eq!(target.request_id, "r-1");
        assert!(target.response_url.starts_with("https://cloudformation-custom-resource-response"));
        payload.as_object_mut().map(|o| o.remove("ResponseURL"));
        assert_eq!(ResponseTarget::of(&payload), None);
    }
}
