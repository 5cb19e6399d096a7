//! Least privilege: each function has a role of its own that allows only the actions of its
//! allow-list, and no policy of the template allows a wildcard action, every resource, or
//! everyone.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::expectations;
use crate::policy::{documents, role_documents, statements};
use crate::template::{Findings, Template, named_resource, strings};

/// One role per function, trusted by Lambda alone, allowing only the function's allow-list
/// (`expectations::FUNCTIONS`); no Lambda role without its function.
pub fn function_roles(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("function-roles");
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, function) in template.of_type("AWS::Lambda::Function") {
        let Some(spec) = expectations::function(id) else {
            findings.add(id, "a function without an allow-list: add it to expectations::FUNCTIONS");
            continue;
        };
        let role = Template::property(function, "Role")
            .filter(|r| r.get("Fn::GetAtt").is_some())
            .and_then(named_resource)
            .filter(|r| template.type_of(r) == Some("AWS::IAM::Role"));
        let Some(role) = role else {
            findings.add(id, "Role is not Fn::GetAtt [<role of this template>, Arn]");
            continue;
        };
        users.entry(role).or_default().push(id);
        let (documents, unreadable) = role_documents(template, role);
        for attachment in unreadable {
            findings.add(
                role,
                format!("attaches {attachment}, a policy outside the template whose actions cannot be checked"),
            );
        }
        for (at, document) in documents {
            for statement in statements(document).into_iter().filter(|s| s.allows()) {
                for action in statement.actions() {
                    if !spec.allows(action) {
                        findings.add(&at, format!("allows {action}, which {id} does not need (not in its allow-list)"));
                    }
                }
            }
        }
    }
    for (id, role) in template.of_type("AWS::IAM::Role") {
        let trust = Template::property(role, "AssumeRolePolicyDocument").map(statements).unwrap_or_default();
        let services: Vec<&str> =
            trust.iter().filter_map(|s| s.value.get("Principal")?.get("Service")).flat_map(strings).collect();
        if !services.contains(&"lambda.amazonaws.com") {
            continue;
        }
        match users.get(id) {
            None => findings.add(id, "a Lambda role no function of the template uses"),
            Some(functions) if functions.len() > 1 => {
                findings.add(id, format!("is the role of {}: each function needs its own", functions.join(" and ")));
            }
            Some(_) => {}
        }
        let other_principals = trust.iter().any(|s| {
            let principal = s.value.get("Principal");
            principal.and_then(|p| p.as_object()).is_none_or(|p| p.len() != 1 || !p.contains_key("Service"))
        });
        if services.len() != 1 || other_principals {
            findings.add(id, "a function's role must be assumable by lambda.amazonaws.com alone");
        }
    }
    findings.into_vec()
}

/// No `Allow` statement anywhere with a wildcard in an action, `NotAction`, `NotResource`, the
/// resource `*`, or the principal `*` (a resource policy open to everyone).
pub fn wildcards(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("no-wildcards");
    for document in documents(template) {
        for statement in statements(&document.value).into_iter().filter(|s| s.allows()) {
            for key in ["NotAction", "NotResource", "NotPrincipal"] {
                if statement.has(key) {
                    findings.add(&document.at, format!("an Allow statement with {key}"));
                }
            }
            for action in statement.actions() {
                if action.contains('*') {
                    findings.add(&document.at, format!("allows the wildcard action {action}"));
                }
            }
            if !document.trust && statement.resources().iter().any(|r| r.as_str() == Some("*")) {
                findings.add(&document.at, "allows on every resource (\"*\")");
            }
            if let Some(principal) = statement.value.get("Principal") {
                let everyone = principal.as_str() == Some("*")
                    || principal.get("AWS").map(strings).unwrap_or_default().contains(&"*");
                if everyone {
                    findings.add(&document.at, "allows everyone (Principal *)");
                }
            }
        }
    }
    findings.into_vec()
}

/// Whether `value` is an `Fn::GetAtt` of `resource`'s `attribute`.
pub fn is_get_att(value: &Value, resource: &str, attribute: &str) -> bool {
    value.get("Fn::GetAtt").and_then(Value::as_array).is_some_and(|parts| {
        parts.first().and_then(Value::as_str) == Some(resource)
            && parts.get(1).and_then(Value::as_str) == Some(attribute)
    })
}
