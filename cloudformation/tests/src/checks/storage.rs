//! S3 buckets (encryption, public access blocked, TLS only, lifecycle) and DynamoDB tables
//! (the keys the code uses, on demand, point-in-time recovery, TTL where items expire,
//! deletion protection).

use serde_json::Value;

use crate::expectations::TABLES;
use crate::policy::statements;
use crate::template::{Findings, Template, alternatives, named_resource};

/// Every bucket: default encryption, all four public access blocks, a bucket policy denying
/// requests without TLS (created under the bucket's condition), and an enabled lifecycle rule.
pub fn buckets(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("buckets");
    for (id, bucket) in template.of_type("AWS::S3::Bucket") {
        let property = |name| Template::property(bucket, name);
        let encrypted = property("BucketEncryption")
            .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
            .and_then(Value::as_array)
            .is_some_and(|rules| {
                rules
                    .iter()
                    .any(|r| r.get("ServerSideEncryptionByDefault").and_then(|d| d.get("SSEAlgorithm")).is_some())
            });
        if !encrypted {
            findings.add(id, "no default encryption (BucketEncryption)");
        }
        let block = property("PublicAccessBlockConfiguration");
        for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            if block.and_then(|b| b.get(setting)).and_then(Value::as_bool) != Some(true) {
                findings.add(id, format!("PublicAccessBlockConfiguration.{setting} is not true"));
            }
        }
        let lifecycle = property("LifecycleConfiguration")
            .and_then(|l| l.get("Rules"))
            .and_then(Value::as_array)
            .is_some_and(|rules| rules.iter().any(|r| r.get("Status").and_then(Value::as_str) == Some("Enabled")));
        if !lifecycle {
            findings.add(id, "no enabled lifecycle rule");
        }
        let tls_only = template.of_type("AWS::S3::BucketPolicy").any(|(_, policy)| {
            Template::property(policy, "Bucket").and_then(named_resource) == Some(id)
                && Template::condition_of(policy) == Template::condition_of(bucket)
                && Template::property(policy, "PolicyDocument")
                    .is_some_and(|d| statements(d).iter().any(denies_plain_http))
        });
        if !tls_only {
            findings.add(id, "no bucket policy denying requests without TLS (aws:SecureTransport false)");
        }
    }
    findings.into_vec()
}

/// A `Deny` of everything when `aws:SecureTransport` is false.
fn denies_plain_http(statement: &crate::policy::Statement<'_>) -> bool {
    let insecure = statement
        .value
        .get("Condition")
        .and_then(|c| c.get("Bool"))
        .and_then(|b| b.get("aws:SecureTransport"))
        .is_some_and(|v| v.as_str() == Some("false") || v.as_bool() == Some(false));
    !statement.allows() && insecure && statement.actions().contains(&"s3:*")
}

/// Every table is one of `expectations::TABLES` with exactly its keys, pay-per-request,
/// point-in-time recovery on, TTL on its expiry attribute (and only where items expire), and
/// deletion protection set.
pub fn tables(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("tables");
    for (id, table) in template.of_type("AWS::DynamoDB::Table") {
        let property = |name| Template::property(table, name);
        let Some(spec) = TABLES.iter().find(|t| t.logical_id == id) else {
            findings.add(id, "a table the checks do not know: add it to expectations::TABLES with its keys");
            continue;
        };
        let key = |kind: &str| {
            property("KeySchema")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|k| k.get("KeyType").and_then(Value::as_str) == Some(kind))
                .and_then(|k| k.get("AttributeName"))
                .and_then(Value::as_str)
        };
        if key("HASH") != Some(spec.partition_key) || key("RANGE") != spec.sort_key {
            findings.add(
                id,
                format!(
                    "keys {:?}/{:?}, the code uses {:?}/{:?}",
                    key("HASH"),
                    key("RANGE"),
                    spec.partition_key,
                    spec.sort_key
                ),
            );
        }
        if property("BillingMode").and_then(Value::as_str) != Some("PAY_PER_REQUEST") {
            findings.add(id, "BillingMode is not PAY_PER_REQUEST (on demand)");
        }
        let recovery = property("PointInTimeRecoverySpecification")
            .and_then(|p| p.get("PointInTimeRecoveryEnabled"))
            .and_then(Value::as_bool);
        if recovery != Some(true) {
            findings.add(id, "point-in-time recovery is not enabled");
        }
        let ttl = property("TimeToLiveSpecification")
            .filter(|t| t.get("Enabled").and_then(Value::as_bool) == Some(true))
            .and_then(|t| t.get("AttributeName"))
            .and_then(Value::as_str);
        if ttl != spec.ttl {
            findings.add(id, format!("TTL on {ttl:?}, expected {:?}", spec.ttl));
        }
        let protection = property("DeletionProtectionEnabled");
        let can_protect = protection.is_some_and(|p| alternatives(p).iter().any(|v| v.as_bool() == Some(true)));
        if !can_protect {
            findings.add(id, "DeletionProtectionEnabled is neither true nor a choice that can be true");
        }
    }
    findings.into_vec()
}
