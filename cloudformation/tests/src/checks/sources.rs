//! The event sources' wiring, which neither cfn-lint nor checkov follows from one resource to
//! the next: EventBridge rules and S3 notifications allowed onto the events queue by its
//! policy (for exactly that rule or bucket, under the same conditions), the ingest function
//! able to read what the notifications announce, CloudWatch Logs allowed to invoke it with its
//! failed invocations kept in a dead-letter queue, and the collectors' schedules made by the
//! maintenance function under one rule prefix that the invoke permission and the maintenance
//! role agree on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::queues::dead_letter_targets;
use super::roles::is_get_att;
use super::web::renderings;
use super::wiring::depends_on;
use crate::expectations::{
    COLLECTOR_SCHEDULES, COLLECTOR_SCHEDULES_TYPE, COLLECTORS_CONDITION, COLLECTORS_FUNCTION, EVENTS_QUEUE,
    INGEST_FUNCTION, MAINTENANCE_FUNCTION,
};
use crate::policy::{GuardedStatement, guarded_statements, role_documents};
use crate::template::{Findings, Guard, Template, alternatives, named_resource, strings};

/// EventBridge's service principal.
const EVENTS: &str = "events.amazonaws.com";
/// S3's service principal (bucket notifications).
const S3: &str = "s3.amazonaws.com";
/// CloudWatch Logs' service principal (subscription filters).
const LOGS: &str = "logs.amazonaws.com";

/// The ARNs of this account's log groups, as the template writes them.
const ACCOUNT_LOG_GROUPS: &str = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:";
/// The ARNs of this account's EventBridge rules (default bus), as the template writes them.
const ACCOUNT_RULES: &str = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/";
/// The ARN of an S3 bucket, before its name.
const BUCKET_ARN: &str = "arn:${AWS::Partition}:s3:::";

/// A statement of a queue's policy letting a service send to the queue.
#[derive(Debug)]
struct Grant {
    /// The queue policy holding it.
    policy: String,
    /// When it is there: the policy's condition and the statement's `Fn::If` decisions.
    guard: Guard,
    /// Every text its `aws:SourceArn` condition may take.
    sources: Vec<String>,
}

/// EventBridge rules targeting a queue of the template: each is allowed by a statement of the
/// queue's policy for `events.amazonaws.com` whose `aws:SourceArn` is the rule's ARN, present
/// whenever the rule exists and only then; and no such statement lets some other rule send.
pub fn event_rules(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("source-rules");
    let mut rules_on: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (rule_id, rule) in template.of_type("AWS::Events::Rule") {
        let condition = Template::condition_of(rule);
        let arns = rule_arns(rule_id, rule);
        for queue in rule_queues(template, rule) {
            let grants: Vec<Grant> = queue_grants(template, queue, EVENTS)
                .into_iter()
                .filter(|g| g.sources.iter().any(|s| arns.contains(s)))
                .collect();
            if !present_whenever(template, condition, &grants) {
                findings.add(
                    rule_id,
                    format!(
                        "no policy of {queue} lets {EVENTS} send to it with aws:SourceArn = this rule's ARN{}: EventBridge would drop its events",
                        whenever(condition)
                    ),
                );
            }
            for grant in grants.iter().filter(|g| !template.implies(&g.guard, &Guard::of(condition))) {
                findings.add(
                    &grant.policy,
                    format!(
                        "lets {rule_id} send to {queue} when the rule does not exist (it exists only when {})",
                        condition.unwrap_or_default()
                    ),
                );
            }
            rules_on.entry(queue).or_default().extend(arns.iter().cloned());
        }
    }
    for (queue, _) in template.of_type("AWS::SQS::Queue") {
        let known = rules_on.get(queue);
        for grant in queue_grants(template, queue, EVENTS) {
            if !grant.sources.iter().any(|s| known.is_some_and(|k| k.contains(s))) {
                findings.add(
                    &grant.policy,
                    format!(
                        "lets {EVENTS} send to {queue} without an aws:SourceArn naming a rule of the template that targets it"
                    ),
                );
            }
        }
    }
    findings.into_vec()
}

/// S3 buckets whose notifications go to a queue of the template: the queue's policy lets
/// `s3.amazonaws.com` send with the bucket's ARN as `aws:SourceArn` whenever the bucket exists,
/// the bucket `DependsOn` that policy (S3 checks the destination when the notification is
/// created), and on the events queue the ingest role may `s3:GetObject` the objects the
/// notification's prefix names.
pub fn bucket_notifications(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("source-buckets");
    for (bucket_id, bucket) in template.of_type("AWS::S3::Bucket") {
        let condition = Template::condition_of(bucket);
        let arns = bucket_arns(bucket_id, bucket);
        for (queue, prefix) in queue_notifications(template, bucket) {
            let grants: Vec<Grant> = queue_grants(template, queue, S3)
                .into_iter()
                .filter(|g| g.sources.iter().any(|s| arns.contains(s)))
                .filter(|g| template.implies(&Guard::of(condition), &g.guard))
                .collect();
            let depended = grants.iter().any(|g| depends_on(bucket).contains(&g.policy));
            match grants.first() {
                None => findings.add(
                    bucket_id,
                    format!(
                        "no policy of {queue} lets {S3} send to it with aws:SourceArn = this bucket's ARN{}: S3 refuses the notification",
                        whenever(condition)
                    ),
                ),
                Some(grant) if !depended => findings.add(
                    bucket_id,
                    format!(
                        "does not DependsOn {}: S3 checks it may send to {queue} when the notification is created",
                        grant.policy
                    ),
                ),
                Some(_) => {}
            }
            if queue == EVENTS_QUEUE {
                check_ingest_reads(template, &mut findings, bucket_id, condition, &arns, &prefix);
            }
        }
    }
    findings.into_vec()
}

/// The ingest function as a CloudWatch Logs subscription destination: a permission for
/// `logs.amazonaws.com` from this account's log groups, and its failed asynchronous
/// invocations sent to a dead-letter queue its role may write to.
pub fn cloudwatch_logs(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("source-cloudwatch-logs");
    let Some(function) = template.resource(INGEST_FUNCTION) else { return findings.into_vec() };
    let condition = Template::condition_of(function);
    let permissions: Vec<(&str, &Value)> = function_permissions(template, INGEST_FUNCTION, LOGS).collect();
    if !permissions.iter().any(|(_, p)| template.implies(&Guard::of(condition), &Guard::of(Template::condition_of(p))))
    {
        findings.add(
            INGEST_FUNCTION,
            format!(
                "no AWS::Lambda::Permission lets {LOGS} invoke it{}: subscription filters could not deliver to it",
                whenever(condition)
            ),
        );
    }
    for (id, permission) in permissions {
        let account = Template::property(permission, "SourceAccount").and_then(|a| a.get("Ref"));
        if account.and_then(Value::as_str) != Some("AWS::AccountId") {
            findings.add(
                id,
                "SourceAccount is not {\"Ref\": \"AWS::AccountId\"}: other accounts' log groups could invoke it",
            );
        }
        let sources = Template::property(permission, "SourceArn").map(renderings).unwrap_or_default();
        if sources.is_empty() || !sources.iter().all(|s| s.starts_with(ACCOUNT_LOG_GROUPS)) {
            findings
                .add(id, format!("SourceArn is not limited to this account's log groups ({ACCOUNT_LOG_GROUPS}...)"));
        }
    }
    check_failure_destination(template, &mut findings, condition);
    findings.into_vec()
}

/// The collectors: the schedules' custom resource is answered by the maintenance function and
/// names the collectors function, its `RulePrefix` is the one the collectors' invoke
/// permission and the maintenance role's `events:` rights are limited to, and every
/// collectors resource is created under the same condition.
pub fn collectors(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("source-collectors");
    let schedules: Vec<(&str, &Value)> = template.of_type(COLLECTOR_SCHEDULES_TYPE).collect();
    if template.resource(COLLECTORS_FUNCTION).is_some() && schedules.is_empty() {
        findings.add(COLLECTORS_FUNCTION, format!("no {COLLECTOR_SCHEDULES_TYPE} resource: nothing would schedule it"));
    }
    for (id, resource) in &schedules {
        let property = |name| Template::property(resource, name);
        if !property("ServiceToken").is_some_and(|t| is_get_att(t, MAINTENANCE_FUNCTION, "Arn")) {
            findings.add(
                *id,
                format!("ServiceToken is not {MAINTENANCE_FUNCTION}'s ARN, the function answering {COLLECTOR_SCHEDULES_TYPE}"),
            );
        }
        if !property("FunctionArn").is_some_and(|f| is_get_att(f, COLLECTORS_FUNCTION, "Arn")) {
            findings.add(
                *id,
                format!("FunctionArn is not {COLLECTORS_FUNCTION}'s ARN: the schedules would invoke another function"),
            );
        }
        let rules: BTreeSet<String> = property("RulePrefix")
            .map(renderings)
            .unwrap_or_default()
            .into_iter()
            .map(|prefix| format!("{ACCOUNT_RULES}{prefix}*"))
            .collect();
        check_collectors_permission(template, &mut findings, &rules);
        check_maintenance_rights(template, &mut findings, &rules);
    }
    for (id, resource) in collectors_resources(template, &schedules) {
        if Template::condition_of(resource) != Some(COLLECTORS_CONDITION) {
            findings
                .add(id, format!("is not under the condition {COLLECTORS_CONDITION}, as every collectors resource is"));
        }
    }
    findings.into_vec()
}

/// Some grant is there whenever `condition` holds.
fn present_whenever(template: &Template, condition: Option<&str>, grants: &[Grant]) -> bool {
    grants.iter().any(|g| template.implies(&Guard::of(condition), &g.guard))
}

/// " whenever <condition> holds", or nothing for an unconditional resource.
fn whenever(condition: Option<&str>) -> String {
    condition.map(|c| format!(" whenever {c} holds")).unwrap_or_default()
}

/// ARNs for a finding: one, or the choices joined with "or".
fn shown(arns: &BTreeSet<String>) -> String {
    arns.iter().map(String::as_str).collect::<Vec<_>>().join(" or ")
}

/// A list, each item and the list itself possibly an `Fn::If`, as its possible items.
fn listed(value: &Value) -> Vec<&Value> {
    alternatives(value)
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().flat_map(alternatives).collect(),
            one => vec![one],
        })
        .collect()
}

/// The statements of `queue`'s policies that let `service` send to it, each with when it holds.
fn queue_grants(template: &Template, queue: &str, service: &str) -> Vec<Grant> {
    let mut grants = Vec::new();
    for (id, policy) in template.of_type("AWS::SQS::QueuePolicy") {
        let queues = Template::property(policy, "Queues").map(listed).unwrap_or_default();
        if !queues.iter().any(|q| named_resource(q) == Some(queue)) {
            continue;
        }
        let policy_guard = Guard::of(Template::condition_of(policy));
        let document = Template::property(policy, "PolicyDocument").unwrap_or(&Value::Null);
        for guarded in guarded_statements(document) {
            let statement = guarded.statement();
            let sends = statement.allows()
                && services(&guarded.value).contains(&service)
                && statement.actions().contains(&"sqs:SendMessage")
                && statement.resources().iter().any(|r| is_get_att(r, queue, "Arn"));
            if let Some(guard) = policy_guard.and(&guarded.guard).filter(|_| sends) {
                grants.push(Grant { policy: id.to_owned(), guard, sources: source_arns(&guarded.value) });
            }
        }
    }
    grants
}

/// The service principals of a statement.
fn services(statement: &Value) -> Vec<&str> {
    statement.get("Principal").and_then(|p| p.get("Service")).map(strings).unwrap_or_default()
}

/// Every text the `aws:SourceArn` condition of a statement may take, whatever its operator.
fn source_arns(statement: &Value) -> Vec<String> {
    let operators = statement.get("Condition").and_then(Value::as_object).into_iter().flatten();
    operators
        .filter_map(|(_, keys)| keys.as_object())
        .flatten()
        .filter(|(key, _)| key.eq_ignore_ascii_case("aws:SourceArn"))
        .flat_map(|(_, value)| listed(value))
        .flat_map(renderings)
        .collect()
}

/// The queues of the template a rule targets.
fn rule_queues<'a>(template: &Template, rule: &'a Value) -> Vec<&'a str> {
    let targets = Template::property(rule, "Targets").map(listed).unwrap_or_default();
    targets
        .into_iter()
        .filter_map(|t| t.get("Arn").and_then(named_resource))
        .filter(|q| template.type_of(q) == Some("AWS::SQS::Queue"))
        .collect()
}

/// A rule's ARN as the template may write it: `${Rule.Arn}`, or built from its `Name`.
fn rule_arns(id: &str, rule: &Value) -> BTreeSet<String> {
    let named = Template::property(rule, "Name").map(renderings).unwrap_or_default();
    named.into_iter().map(|name| format!("{ACCOUNT_RULES}{name}")).chain([format!("${{{id}.Arn}}")]).collect()
}

/// A bucket's ARN as the template may write it: `${Bucket.Arn}`, or built from the bucket or
/// its `BucketName` (a queue policy the bucket depends on cannot refer to the bucket itself).
fn bucket_arns(id: &str, bucket: &Value) -> Vec<String> {
    let named = Template::property(bucket, "BucketName").map(renderings).unwrap_or_default();
    named
        .into_iter()
        .map(|name| format!("{BUCKET_ARN}{name}"))
        .chain([format!("${{{id}.Arn}}"), format!("{BUCKET_ARN}${{{id}}}")])
        .collect()
}

/// The queues of the template a bucket notifies, each with the key prefix of its filter
/// (empty: every key).
fn queue_notifications<'a>(template: &Template, bucket: &'a Value) -> Vec<(&'a str, String)> {
    let configurations = Template::property(bucket, "NotificationConfiguration")
        .and_then(|n| n.get("QueueConfigurations"))
        .map(listed)
        .unwrap_or_default();
    configurations
        .into_iter()
        .filter_map(|c| {
            let queue =
                c.get("Queue").and_then(named_resource).filter(|q| template.type_of(q) == Some("AWS::SQS::Queue"))?;
            let rules = c.get("Filter").and_then(|f| f.get("S3Key")).and_then(|k| k.get("Rules")).map(listed);
            let prefix = rules
                .unwrap_or_default()
                .into_iter()
                .find(|r| r.get("Name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("prefix")))
                .and_then(|r| r.get("Value"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some((queue, prefix.to_owned()))
        })
        .collect()
}

/// The role of a function of the template.
fn role_of<'a>(template: &'a Template, function: &str) -> Option<&'a str> {
    template.resource(function).and_then(|f| Template::property(f, "Role")).and_then(named_resource)
}

/// Every statement of a role's policies (inline and attached), each with where it stands and
/// when it holds: its `Fn::If` decisions, the attached policy's and the role's conditions.
fn role_statements(template: &Template, role: &str) -> Vec<(String, GuardedStatement)> {
    let role_guard = Guard::of(template.resource(role).and_then(Template::condition_of));
    let (documents, _) = role_documents(template, role);
    let mut found = Vec::new();
    for (at, document) in documents {
        let own = Guard::of(template.resource(&at).and_then(Template::condition_of));
        for mut statement in guarded_statements(document) {
            if let Some(guard) = statement.guard.and(&own).and_then(|g| g.and(&role_guard)) {
                statement.guard = guard;
                found.push((at.clone(), statement));
            }
        }
    }
    found
}

/// Whether a resource of an IAM statement covers the objects under `prefix` of a bucket whose
/// ARN is one of `bucket_arns`: `<bucket ARN>/<head>*` with `prefix` starting with `<head>`.
fn covers_objects(resource: &str, bucket_arns: &[String], prefix: &str) -> bool {
    bucket_arns.iter().any(|arn| {
        resource
            .strip_prefix(arn.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix('*'))
            .is_some_and(|head| prefix.starts_with(head))
    })
}

/// The ingest role may `s3:GetObject` the objects under `prefix` of the bucket whenever the
/// bucket exists.
fn check_ingest_reads(
    template: &Template,
    findings: &mut Findings,
    bucket: &str,
    condition: Option<&str>,
    arns: &[String],
    prefix: &str,
) {
    let Some(role) = role_of(template, INGEST_FUNCTION) else { return };
    let reads = role_statements(template, role).iter().any(|(_, guarded)| {
        let statement = guarded.statement();
        statement.allows()
            && statement.actions().contains(&"s3:GetObject")
            && template.implies(&Guard::of(condition), &guarded.guard)
            && statement.resources().into_iter().flat_map(renderings).any(|r| covers_objects(&r, arns, prefix))
    });
    if !reads {
        findings.add(
            role,
            format!(
                "may not s3:GetObject {bucket}'s objects under {prefix:?}{}: ingest could not read what the bucket's notifications announce",
                whenever(condition)
            ),
        );
    }
}

/// The `AWS::Lambda::Permission`s letting `principal` invoke `function`.
fn function_permissions<'a>(
    template: &'a Template,
    function: &'a str,
    principal: &'a str,
) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
    template.of_type("AWS::Lambda::Permission").filter(move |(_, p)| {
        Template::property(p, "FunctionName").and_then(named_resource) == Some(function)
            && Template::property(p, "Principal").and_then(Value::as_str) == Some(principal)
    })
}

/// The ingest function's failed asynchronous invocations go to a dead-letter queue of the
/// template (whenever the function exists) that its role may send to.
fn check_failure_destination(template: &Template, findings: &mut Findings, condition: Option<&str>) {
    let dead_letter_queues = dead_letter_targets(template);
    let configs = template
        .of_type("AWS::Lambda::EventInvokeConfig")
        .filter(|(_, c)| Template::property(c, "FunctionName").and_then(named_resource) == Some(INGEST_FUNCTION));
    let mut kept = false;
    for (id, config) in configs {
        let destination = Template::property(config, "DestinationConfig")
            .and_then(|d| d.get("OnFailure"))
            .and_then(|f| f.get("Destination"))
            .filter(|d| d.get("Fn::GetAtt").is_some())
            .and_then(named_resource)
            .filter(|q| dead_letter_queues.contains(q));
        let Some(queue) = destination else {
            findings.add(
                id,
                "DestinationConfig.OnFailure.Destination is not Fn::GetAtt [<dead-letter queue of this template>, Arn]: failed invocations would be lost",
            );
            continue;
        };
        kept |= template.implies(&Guard::of(condition), &Guard::of(Template::condition_of(config)));
        let Some(role) = role_of(template, INGEST_FUNCTION) else { continue };
        let sends = role_statements(template, role).iter().any(|(_, guarded)| {
            let statement = guarded.statement();
            statement.allows()
                && statement.actions().contains(&"sqs:SendMessage")
                && statement.resources().iter().any(|r| is_get_att(r, queue, "Arn"))
                && template.implies(&Guard::of(condition), &guarded.guard)
        });
        if !sends {
            findings.add(
                role,
                format!("may not sqs:SendMessage to {queue}, where {id} sends {INGEST_FUNCTION}'s failed invocations"),
            );
        }
    }
    if !kept {
        findings.add(
            INGEST_FUNCTION,
            format!(
                "no AWS::Lambda::EventInvokeConfig sends its failed asynchronous invocations to a dead-letter queue{}",
                whenever(condition)
            ),
        );
    }
}

/// EventBridge may invoke the collectors function from the schedules' rules, and from no other.
fn check_collectors_permission(template: &Template, findings: &mut Findings, rules: &BTreeSet<String>) {
    let permissions: Vec<(&str, &Value)> = function_permissions(template, COLLECTORS_FUNCTION, EVENTS).collect();
    if permissions.is_empty() {
        findings.add(
            COLLECTORS_FUNCTION,
            format!("no AWS::Lambda::Permission lets {EVENTS} invoke it: its schedules' rules could not"),
        );
    }
    for (id, permission) in permissions {
        let sources = Template::property(permission, "SourceArn").map(renderings).unwrap_or_default();
        if sources.is_empty() || !sources.iter().all(|s| rules.contains(s)) {
            findings.add(
                id,
                format!("SourceArn {} is not the rules RulePrefix names, {}", sources.join(", "), shown(rules)),
            );
        }
    }
}

/// The maintenance role may manage the schedules' rules, and no other rule.
fn check_maintenance_rights(template: &Template, findings: &mut Findings, rules: &BTreeSet<String>) {
    let Some(role) = role_of(template, MAINTENANCE_FUNCTION) else { return };
    let mut granted: BTreeSet<&str> = BTreeSet::new();
    let statements = role_statements(template, role);
    for (at, guarded) in &statements {
        let statement = guarded.statement();
        let actions: Vec<&str> = statement.actions().into_iter().filter(|a| a.starts_with("events:")).collect();
        if !statement.allows() || actions.is_empty() {
            continue;
        }
        let resources: Vec<String> = statement.resources().into_iter().flat_map(renderings).collect();
        if resources.iter().all(|r| rules.contains(r)) {
            granted.extend(actions);
        } else {
            findings.add(
                at,
                format!(
                    "allows {} on {}, beyond the collectors' rules {}",
                    actions.join(", "),
                    resources.join(", "),
                    shown(rules)
                ),
            );
        }
    }
    let missing: Vec<&str> = COLLECTOR_SCHEDULES.iter().copied().filter(|a| !granted.contains(a)).collect();
    if !missing.is_empty() {
        findings.add(
            role,
            format!(
                "may not {} on the collectors' rules {}: {COLLECTOR_SCHEDULES_TYPE} would fail",
                missing.join(", "),
                shown(rules)
            ),
        );
    }
}

/// The collectors' resources: the function, its role and log group, the permissions to invoke
/// it, and the schedules' custom resources.
fn collectors_resources<'a>(template: &'a Template, schedules: &[(&'a str, &'a Value)]) -> Vec<(&'a str, &'a Value)> {
    let Some(function) = template.resource(COLLECTORS_FUNCTION) else { return schedules.to_vec() };
    let role = role_of(template, COLLECTORS_FUNCTION);
    let log_group =
        Template::property(function, "LoggingConfig").and_then(|l| l.get("LogGroup")).and_then(named_resource);
    let mut found: Vec<(&str, &Value)> = [role, log_group]
        .into_iter()
        .flatten()
        .filter_map(|id| template.resources().get_key_value(id).map(|(id, r)| (id.as_str(), r)))
        .collect();
    found.push((COLLECTORS_FUNCTION, function));
    found.extend(
        template.of_type("AWS::Lambda::Permission").filter(|(_, p)| {
            Template::property(p, "FunctionName").and_then(named_resource) == Some(COLLECTORS_FUNCTION)
        }),
    );
    found.extend(schedules.iter().copied());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_resources_cover_a_prefix_only_from_above() {
        let arns = ["arn:${AWS::Partition}:s3:::logs".to_owned(), "${Logs.Arn}".to_owned()];
        assert!(covers_objects("arn:${AWS::Partition}:s3:::logs/AWSLogs/*", &arns, "AWSLogs/"));
        assert!(covers_objects("${Logs.Arn}/*", &arns, "AWSLogs/"));
        assert!(covers_objects("${Logs.Arn}/AWS*", &arns, "AWSLogs/"));
        // Narrower than the prefix, another bucket, no wildcard, or the bucket itself.
        assert!(!covers_objects("${Logs.Arn}/AWSLogs/123/*", &arns, "AWSLogs/"));
        assert!(!covers_objects("arn:${AWS::Partition}:s3:::logs2/*", &arns, "AWSLogs/"));
        assert!(!covers_objects("${Logs.Arn}/AWSLogs/", &arns, "AWSLogs/"));
        assert!(!covers_objects("${Logs.Arn}", &arns, ""));
        assert!(covers_objects("${Logs.Arn}/*", &arns, ""));
    }

    #[test]
    fn source_arns_are_read_whatever_the_operator_and_case() {
        let statement = serde_json::json!({"Condition": {
            "ArnLike": {"AWS:SourceArn": [{"Fn::GetAtt": ["Rule", "Arn"]}, "arn:aws:events:x"]},
            "StringEquals": {"aws:SourceAccount": "1"}
        }});
        assert_eq!(source_arns(&statement), ["${Rule.Arn}", "arn:aws:events:x"]);
    }
}
