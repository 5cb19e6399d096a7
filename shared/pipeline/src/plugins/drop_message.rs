//! MozDef's `dropMessage` mq plugin (registration `elb-healthchecker/1.0`; priority 1).
//!
//! Drops AWS ELB health checks: events whose `details.http_user_agent` is exactly
//! `ELB-HealthChecker/1.0`. Every other event is kept unchanged.
//!
//! This implements the plugin's intent; MozDef's code never achieved it (inventory §10):
//! * it registered `ELB-HealthChecker/1.0` in capitals, and MozDef compared registrations
//!   with the lower-cased `dict2List` tokens as they were, so no event was ever offered to it.
//!   The keyword is registered here in lower case, so an event carrying the user agent (as
//!   `details.http_user_agent` or any other string value) is offered;
//! * it left every event whose `type` was not `auditd` alone (a leftover of a long-gone
//!   `_type: auditd` registration; ELB access logs are no auditd events, and key mapping
//!   gives every event a `type`), which is not done here;
//! * it "dropped" by returning a bare `None` instead of `(None, metadata)`, which made the
//!   worker fail on the event; here the event is dropped cleanly ([`Verdict::Drop`]).

use mozdef_model::Document;

use super::{Metadata, Plugin, PluginError, Verdict, detail_str};

/// The user agent of the AWS Elastic Load Balancer health checks.
const ELB_HEALTH_CHECKER: &str = "ELB-HealthChecker/1.0";

/// MozDef's `dropMessage`.
#[derive(Debug, Default)]
pub struct DropMessage;

impl Plugin for DropMessage {
    fn name(&self) -> &'static str {
        "dropMessage"
    }

    fn registration(&self) -> &[&str] {
        &["elb-healthchecker/1.0"]
    }

    fn priority(&self) -> u32 {
        1
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        if detail_str(event, "http_user_agent") == Some(ELB_HEALTH_CHECKER) {
            return Ok(Verdict::Drop);
        }
        Ok(Verdict::Keep)
    }
}
