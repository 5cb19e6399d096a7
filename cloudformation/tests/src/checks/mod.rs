//! The checks, one function each, every one returning its findings (none: the template passes).

pub mod api;
pub mod functions;
pub mod queues;
pub mod roles;
pub mod sources;
pub mod storage;
pub mod web;
pub mod wiring;

use crate::template::{Finding, Template};

/// A check: its findings on a template.
pub type Check = fn(&Template) -> Vec<Finding>;

/// Every check, by name.
pub const ALL: [(&str, Check); 21] = [
    ("function-roles", roles::function_roles),
    ("no-wildcards", roles::wildcards),
    ("dead-letter-queues", queues::dead_letter_queues),
    ("visibility-timeouts", queues::visibility_timeouts),
    ("batch-item-failures", queues::batch_item_failures),
    ("queue-alarms", queues::queue_alarms),
    ("buckets", storage::buckets),
    ("tables", storage::tables),
    ("api-routes", api::api_routes),
    ("api-cors", web::cors),
    ("web-bucket", web::bucket),
    ("web-distribution", web::distribution),
    ("web-headers", web::headers),
    ("web-sign-in", web::sign_in),
    ("web-config", web::config),
    ("functions", functions::functions),
    ("wiring", wiring::wiring),
    ("source-rules", sources::event_rules),
    ("source-buckets", sources::bucket_notifications),
    ("source-cloudwatch-logs", sources::cloudwatch_logs),
    ("source-collectors", sources::collectors),
];

/// The findings of every check.
pub fn all(template: &Template) -> Vec<Finding> {
    ALL.iter().flat_map(|(_, check)| check(template)).collect()
}
