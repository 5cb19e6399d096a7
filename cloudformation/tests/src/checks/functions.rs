//! Each function as `mozdef deploy` and the code expect it: `provided.al2023` on x86_64 with
//! the `bootstrap` handler, code from the artefacts bucket under its own `<Function>CodeKey`,
//! exactly the agreed environment variables, its own log group with a retention that its role
//! alone may write, and reserved concurrency where it protects OpenSearch.

use serde_json::Value;

use super::roles::is_get_att;
use crate::expectations;
use crate::policy::{role_documents, statements};
use crate::template::{Findings, Template, alternatives, named_resource, references};

/// The checks of each function.
pub fn functions(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("functions");
    for spec in &expectations::FUNCTIONS {
        if template.type_of(spec.logical_id) != Some("AWS::Lambda::Function") {
            findings.add(spec.logical_id, "missing: the deployment needs this function");
        }
    }
    for (id, function) in template.of_type("AWS::Lambda::Function") {
        let Some(spec) = expectations::function(id) else { continue };
        let property = |name| Template::property(function, name);
        let text = |name| property(name).and_then(Value::as_str);
        if text("Runtime") != Some("provided.al2023") || text("Handler") != Some("bootstrap") {
            findings.add(id, "Runtime must be provided.al2023 and Handler bootstrap");
        }
        let architectures = property("Architectures").and_then(Value::as_array);
        if architectures.is_none_or(|a| a.len() != 1 || a[0].as_str() != Some("x86_64")) {
            findings.add(id, "Architectures must be [x86_64] (what scripts/build-lambdas builds)");
        }
        let code = property("Code");
        let bucket_from_parameter = code
            .and_then(|c| c.get("S3Bucket"))
            .is_some_and(|b| references(b).iter().any(|r| r.reference.target() == "ArtifactsBucket"));
        let key = code.and_then(|c| c.get("S3Key")).and_then(|k| k.get("Ref")).and_then(Value::as_str);
        if !bucket_from_parameter || key != Some(spec.code_key) {
            findings.add(id, format!("Code must come from ArtifactsBucket under the key {}", spec.code_key));
        }
        check_environment(&mut findings, id, spec, property("Environment"));
        check_logs(&mut findings, template, id, function);
        if spec.reserved_concurrency && property("ReservedConcurrentExecutions").is_none() {
            findings.add(id, "no ReservedConcurrentExecutions: it protects OpenSearch");
        }
    }
    findings.into_vec()
}

fn check_environment(
    findings: &mut Findings,
    id: &str,
    spec: &expectations::FunctionSpec,
    environment: Option<&Value>,
) {
    let variables = environment.and_then(|e| e.get("Variables")).and_then(Value::as_object);
    let names: Vec<&str> = variables.map(|v| v.keys().map(String::as_str).collect()).unwrap_or_default();
    for required in spec.required() {
        let always = variables.and_then(|v| v.get(required)).is_some_and(|value| {
            // Set on every branch: no Fn::If that can leave it out.
            let branches = alternatives(value);
            !branches.is_empty() && count_branches(value) == branches.len()
        });
        if !always {
            findings.add(id, format!("{required} is not always set: the function needs it"));
        }
    }
    for name in names {
        if !spec.accepts(name) {
            findings.add(id, format!("{name} is not a variable the function reads"));
        }
    }
}

/// How many leaves the `Fn::If` tree of `value` has (a `Ref` to `AWS::NoValue` included).
fn count_branches(value: &Value) -> usize {
    match value.get("Fn::If").and_then(Value::as_array) {
        Some(branches) => branches.iter().skip(1).map(count_branches).sum(),
        None => 1,
    }
}

fn check_logs(findings: &mut Findings, template: &Template, id: &str, function: &Value) {
    let group = Template::property(function, "LoggingConfig")
        .and_then(|l| l.get("LogGroup"))
        .and_then(named_resource)
        .filter(|g| template.type_of(g) == Some("AWS::Logs::LogGroup"));
    let Some(group) = group else {
        findings.add(id, "LoggingConfig.LogGroup is not a log group of the template");
        return;
    };
    let retention = template.resource(group).and_then(|g| Template::property(g, "RetentionInDays"));
    if retention.is_none() {
        findings.add(group, "no RetentionInDays: logs would be kept forever");
    }
    let Some(role) = Template::property(function, "Role").and_then(named_resource) else { return };
    let (documents, _) = role_documents(template, role);
    for (at, document) in documents {
        for statement in statements(document) {
            let writes_logs = statement.actions().iter().any(|a| a.starts_with("logs:"));
            if writes_logs && !statement.resources().iter().all(|r| is_get_att(r, group, "Arn")) {
                findings.add(at.clone(), format!("may write logs elsewhere than {group}"));
            }
        }
    }
}
