//! IAM policy documents in a template: every statement a document may hold (both branches of
//! an `Fn::If`), and every document of the template with where it stands — role policies,
//! policies attached to roles, resource policies of buckets, queues and the OpenSearch domain.

use serde_json::Value;

use crate::template::{Guard, Template, alternatives, branches, named_resource, strings};

/// One statement of a policy document.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    /// `Allow` or `Deny`.
    pub effect: &'a str,
    /// The statement itself.
    pub value: &'a Value,
}

impl<'a> Statement<'a> {
    /// Whether it allows.
    pub fn allows(&self) -> bool {
        self.effect == "Allow"
    }

    /// Its `Action` list (each alternative of an `Fn::If` included).
    pub fn actions(&self) -> Vec<&'a str> {
        self.value.get("Action").map(|a| alternatives(a).into_iter().flat_map(strings).collect()).unwrap_or_default()
    }

    /// Its `Resource` values (each alternative of an `Fn::If` included; lists flattened).
    pub fn resources(&self) -> Vec<&'a Value> {
        let Some(resource) = self.value.get("Resource") else { return Vec::new() };
        alternatives(resource)
            .into_iter()
            .flat_map(|r| match r {
                Value::Array(items) => items.iter().flat_map(alternatives).collect(),
                other => vec![other],
            })
            .collect()
    }

    /// Whether it has a key (`NotAction`, `NotResource`, `Principal`, ...).
    pub fn has(&self, key: &str) -> bool {
        self.value.get(key).is_some()
    }
}

/// Every statement a policy document may hold. A document given as an `Fn::Sub` string (a
/// JSON policy in a string, as `AWS::Logs::ResourcePolicy` takes it) is parsed as JSON.
pub fn statements(document: &Value) -> Vec<Statement<'_>> {
    let Some(list) = document.get("Statement") else { return Vec::new() };
    let list: Vec<&Value> = match list {
        Value::Array(items) => items.iter().flat_map(alternatives).collect(),
        other => alternatives(other),
    };
    list.into_iter()
        .flat_map(alternatives)
        .map(|value| Statement { effect: value.get("Effect").and_then(Value::as_str).unwrap_or("Allow"), value })
        .collect()
}

/// One statement a policy document may hold, with the conditions under which it holds it.
#[derive(Debug, Clone)]
pub struct GuardedStatement {
    /// The `Fn::If` decisions that put it there.
    pub guard: Guard,
    /// The statement, every `Fn::If` in it decided.
    pub value: Value,
}

impl GuardedStatement {
    /// The statement, to read its effect, actions and resources.
    pub fn statement(&self) -> Statement<'_> {
        Statement { effect: self.value.get("Effect").and_then(Value::as_str).unwrap_or("Allow"), value: &self.value }
    }
}

/// Every statement a policy document may hold, each under the decisions of its own `Fn::If`s
/// (those of the statement list's other items play no part).
pub fn guarded_statements(document: &Value) -> Vec<GuardedStatement> {
    let Some(list) = document.get("Statement") else { return Vec::new() };
    let decided = match list {
        Value::Array(items) => items.iter().flat_map(branches).collect(),
        whole => branches(whole),
    };
    decided
        .into_iter()
        .flat_map(|branch| {
            let items = match branch.value {
                Value::Array(items) => items,
                one => vec![one],
            };
            items.into_iter().map(move |value| GuardedStatement { guard: branch.guard.clone(), value })
        })
        .collect()
}

/// A policy document of the template and where it stands.
#[derive(Debug, Clone)]
pub struct Document {
    /// `<logical id>` or `<logical id>.<policy name>`.
    pub at: String,
    /// The document (parsed, when the template gives it as a string).
    pub value: Value,
    /// Whether it is a role's trust policy (statements name principals, not resources).
    pub trust: bool,
}

/// Every policy document of the template: roles' trust and inline policies, `AWS::IAM::Policy`
/// and `ManagedPolicy`, bucket, queue and topic policies, the OpenSearch domain's access
/// policy and CloudWatch Logs resource policies.
pub fn documents(template: &Template) -> Vec<Document> {
    let mut found = Vec::new();
    for (id, resource) in template.resources() {
        let push = |found: &mut Vec<Document>, at: String, value: &Value, trust: bool| {
            found.push(Document { at, value: parsed(value), trust });
        };
        let property = |name: &str| Template::property(resource, name);
        match resource.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "AWS::IAM::Role" => {
                if let Some(trust) = property("AssumeRolePolicyDocument") {
                    push(&mut found, format!("{id}.AssumeRolePolicyDocument"), trust, true);
                }
                for policy in property("Policies").and_then(Value::as_array).into_iter().flatten() {
                    let name = policy.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
                    if let Some(document) = policy.get("PolicyDocument") {
                        push(&mut found, format!("{id}.{name}"), document, false);
                    }
                }
            }
            "AWS::IAM::Policy"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy"
            | "AWS::Logs::ResourcePolicy" => {
                if let Some(document) = property("PolicyDocument") {
                    push(&mut found, id.clone(), document, false);
                }
            }
            "AWS::OpenSearchService::Domain" => {
                if let Some(document) = property("AccessPolicies") {
                    push(&mut found, format!("{id}.AccessPolicies"), document, false);
                }
            }
            _ => {}
        }
    }
    found
}

/// A policy document as JSON: as it is, or parsed from the string of an `Fn::Sub` (its
/// `${...}` variables stand inside JSON strings, so the text parses as it is).
fn parsed(value: &Value) -> Value {
    let text = match value {
        Value::String(text) => Some(text.as_str()),
        other => other.get("Fn::Sub").and_then(|s| s.as_str().or_else(|| s.get(0).and_then(Value::as_str))),
    };
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_else(|| value.clone())
}

/// The policy documents that apply to role `role`: its inline policies, the `AWS::IAM::Policy`
/// and `ManagedPolicy` resources that list it in `Roles`, and those of its `ManagedPolicyArns`
/// that are resources of the template. The `Err` values name attachments the check cannot
/// read (a managed policy outside the template).
pub fn role_documents<'a>(template: &'a Template, role: &str) -> (Vec<(String, &'a Value)>, Vec<String>) {
    let mut documents = Vec::new();
    let mut unreadable = Vec::new();
    let Some(resource) = template.resource(role) else { return (documents, unreadable) };
    for policy in Template::property(resource, "Policies").and_then(Value::as_array).into_iter().flatten() {
        if let Some(document) = policy.get("PolicyDocument") {
            let name = policy.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
            documents.push((format!("{role}.{name}"), document));
        }
    }
    for attached in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
        for (id, policy) in template.of_type(attached) {
            let roles = Template::property(policy, "Roles").and_then(Value::as_array);
            if roles.into_iter().flatten().any(|r| named_resource(r) == Some(role))
                && let Some(document) = Template::property(policy, "PolicyDocument")
            {
                documents.push((id.to_owned(), document));
            }
        }
    }
    for arn in Template::property(resource, "ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
        let local = named_resource(arn).filter(|id| template.type_of(id) == Some("AWS::IAM::ManagedPolicy"));
        let document = local.and_then(|id| template.resource(id)).and_then(|p| Template::property(p, "PolicyDocument"));
        match (local, document) {
            (Some(id), Some(document)) => {
                if !documents.iter().any(|(at, _)| at == id) {
                    documents.push((id.to_owned(), document));
                }
            }
            _ => unreadable.push(arn.to_string()),
        }
    }
    (documents, unreadable)
}
