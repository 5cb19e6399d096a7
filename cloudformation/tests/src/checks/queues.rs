//! SQS and its consumers: a dead-letter queue behind every queue, encryption, visibility
//! timeouts long enough for the consumer's retries, partial batch responses, and alarms on
//! dead letters and backlog.

use std::collections::BTreeSet;

use serde_json::Value;

use super::roles::is_get_att;
use crate::template::{Findings, Template, largest_number, named_resource};

/// SQS's default retention (4 days), for a queue that does not set one.
const DEFAULT_RETENTION: i64 = 345_600;

/// The queues some redrive policy names as its dead-letter queue.
pub(super) fn dead_letter_targets(template: &Template) -> BTreeSet<&str> {
    template
        .of_type("AWS::SQS::Queue")
        .filter_map(|(_, q)| Template::property(q, "RedrivePolicy")?.get("deadLetterTargetArn"))
        .filter_map(named_resource)
        .collect()
}

fn retention(queue: &Value) -> i64 {
    Template::property(queue, "MessageRetentionPeriod").and_then(Value::as_i64).unwrap_or(DEFAULT_RETENTION)
}

/// Every queue is encrypted; every queue that is not itself a dead-letter queue redrives to
/// one of the template's queues after a bounded number of receives, and that dead-letter queue
/// keeps messages at least as long as its source.
pub fn dead_letter_queues(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("dead-letter-queues");
    let targets = dead_letter_targets(template);
    for (id, queue) in template.of_type("AWS::SQS::Queue") {
        let sse = Template::property(queue, "SqsManagedSseEnabled").and_then(Value::as_bool) == Some(true)
            || Template::property(queue, "KmsMasterKeyId").is_some();
        if !sse {
            findings.add(id, "not encrypted (SqsManagedSseEnabled or KmsMasterKeyId)");
        }
        if targets.contains(id) {
            continue;
        }
        let Some(redrive) = Template::property(queue, "RedrivePolicy") else {
            findings.add(id, "no RedrivePolicy: poison messages would come back forever");
            continue;
        };
        let target = redrive
            .get("deadLetterTargetArn")
            .filter(|t| t.get("Fn::GetAtt").is_some())
            .and_then(named_resource)
            .filter(|t| template.type_of(t) == Some("AWS::SQS::Queue"));
        match target {
            None => findings.add(id, "deadLetterTargetArn is not Fn::GetAtt [<queue of this template>, Arn]"),
            Some(dlq) => {
                if let Some(dead_letters) = template.resource(dlq)
                    && retention(dead_letters) < retention(queue)
                {
                    findings.add(id, format!("its dead-letter queue {dlq} keeps messages for less time than it does"));
                }
            }
        }
        let receives = redrive.get("maxReceiveCount").and_then(Value::as_i64);
        if !receives.is_some_and(|n| (1..=1000).contains(&n)) {
            findings.add(id, "maxReceiveCount must be a number from 1 to 1000");
        }
    }
    findings.into_vec()
}

/// For every SQS event source mapping: the queue's visibility timeout is at least six times
/// the function's timeout plus the longest batching window (AWS's guidance, so a message is
/// not delivered again while a retried invocation still holds it).
pub fn visibility_timeouts(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("visibility-timeouts");
    for (id, mapping) in template.of_type("AWS::Lambda::EventSourceMapping") {
        let queue_id = Template::property(mapping, "EventSourceArn")
            .and_then(named_resource)
            .filter(|q| template.type_of(q) == Some("AWS::SQS::Queue"));
        let Some(queue_id) = queue_id else { continue };
        let function_id = Template::property(mapping, "FunctionName").and_then(named_resource);
        let Some(function) = function_id.and_then(|f| template.resource(f)) else {
            findings.add(id, "FunctionName is not a function of this template");
            continue;
        };
        let timeout = Template::property(function, "Timeout").map_or(Some(3), |t| largest_number(template, t));
        let window = Template::property(mapping, "MaximumBatchingWindowInSeconds")
            .map_or(Some(0), |w| largest_number(template, w));
        let visibility = template
            .resource(queue_id)
            .map(|q| Template::property(q, "VisibilityTimeout").map_or(Some(30), |v| largest_number(template, v)));
        match (timeout, window, visibility.flatten()) {
            (Some(timeout), Some(window), Some(visibility)) => {
                let needed = 6 * timeout + window;
                if visibility < needed {
                    findings.add(
                        queue_id,
                        format!(
                            "VisibilityTimeout {visibility} s is less than 6 × {timeout} s (its consumer's timeout) + {window} s (batching window) = {needed} s"
                        ),
                    );
                }
            }
            _ => findings.add(
                id,
                "the timeout, batching window or visibility timeout is not a number or a bounded Number parameter",
            ),
        }
    }
    findings.into_vec()
}

/// Every event source mapping reports partial batch failures and sets a batching window.
pub fn batch_item_failures(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("batch-item-failures");
    for (id, mapping) in template.of_type("AWS::Lambda::EventSourceMapping") {
        let reports = Template::property(mapping, "FunctionResponseTypes")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("ReportBatchItemFailures")));
        if !reports {
            findings.add(
                id,
                "FunctionResponseTypes lacks ReportBatchItemFailures: one bad record would fail its whole batch",
            );
        }
        if Template::property(mapping, "MaximumBatchingWindowInSeconds").is_none() {
            findings.add(id, "no MaximumBatchingWindowInSeconds");
        }
    }
    findings.into_vec()
}

/// Every dead-letter queue has an alarm on its visible messages, every other queue one on the
/// age of its oldest message, each telling someone (`AlarmActions`).
pub fn queue_alarms(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("queue-alarms");
    let targets = dead_letter_targets(template);
    for (id, _) in template.of_type("AWS::SQS::Queue") {
        let metric =
            if targets.contains(id) { "ApproximateNumberOfMessagesVisible" } else { "ApproximateAgeOfOldestMessage" };
        let watched = template.of_type("AWS::CloudWatch::Alarm").any(|(_, alarm)| {
            let property = |name| Template::property(alarm, name);
            let on_queue = property("Dimensions").and_then(Value::as_array).is_some_and(|dimensions| {
                dimensions.iter().any(|d| {
                    d.get("Name").and_then(Value::as_str) == Some("QueueName")
                        && d.get("Value").is_some_and(|v| is_get_att(v, id, "QueueName"))
                })
            });
            let acts = property("AlarmActions").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            on_queue && acts && property("MetricName").and_then(Value::as_str) == Some(metric)
        });
        if !watched {
            findings.add(id, format!("no alarm with actions on {metric}"));
        }
    }
    findings.into_vec()
}
