//! Static checks of MozDef's CloudFormation templates (`cloudformation/*.json`): what
//! cfn-lint and checkov (run by `scripts/check-templates`) and the AWS emulator cannot see.
//! The emulator skips API Gateway, OpenSearch, Cognito, alarms and resource policies and
//! ignores bucket lifecycles, public access blocks and DynamoDB recovery settings, so these
//! checks read the parsed template instead: one least-privilege role per function with
//! actions from its allow-list (`expectations`), no wildcard actions or open policies,
//! visibility timeouts at least six times their consumer's timeout, a dead-letter queue behind
//! every queue, partial batch responses, encryption, public access blocks, TLS-only bucket
//! policies, point-in-time recovery and TTL, the JWT authorizer on every `/api` route, the
//! functions' runtime, code and environment, the web UI (a private bucket read through
//! CloudFront's origin access control, security headers and a strict content security policy,
//! the shared sign-in client, CORS for the UI's origin, `/config.json` written with no more
//! rights than that), the wiring of parameters, conditions and outputs, and the event
//! sources' wiring (EventBridge rules and S3 notifications let into the events queue by its
//! policy under the same conditions, the ingest role reading the notified objects, CloudWatch
//! Logs allowed to invoke ingest with a dead-letter queue for failed invocations, the
//! collectors' schedules, invoke permission and maintenance rights under one rule prefix).
//! Each check returns [`Finding`]s; the tests run them on the real templates and on
//! deliberately broken copies.

pub mod checks;
pub mod expectations;
pub mod policy;
pub mod template;

pub use template::{Finding, Template, TemplateError};

/// The directory of the templates (`cloudformation/`).
pub fn templates_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The parent template, `cloudformation/mozdef.json` (the file `mozdef deploy` launches).
pub fn parent() -> Result<Template, TemplateError> {
    Template::load(&templates_dir().join("mozdef.json"))
}
