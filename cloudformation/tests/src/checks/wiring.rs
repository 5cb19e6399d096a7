//! The template's wiring: every parameter is used, every condition is defined and used, every
//! reference names a parameter, a resource or a pseudo parameter, and nothing — resource or
//! output — refers to a resource that its conditions may leave uncreated.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::template::{Findings, Reference, Template, conditions_used, references};

/// The checks of the wiring.
pub fn wiring(template: &Template) -> Vec<crate::Finding> {
    let mut findings = Findings::new("wiring");
    let parameters = template.section("Parameters");
    let resources = template.resources();
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    let mut conditions: BTreeSet<String> = BTreeSet::new();

    // References from resources and outputs, each with the conditions it is created under.
    let items = resources
        .iter()
        .map(|(id, r)| (id.clone(), r))
        .chain(template.section("Outputs").iter().map(|(name, o)| (format!("output {name}"), o)));
    for (at, item) in items {
        if let Some(condition) = Template::condition_of(item) {
            conditions.insert(condition.to_owned());
        }
        conditions_used(item, &mut conditions);
        let own: BTreeSet<String> = Template::condition_of(item).map(str::to_owned).into_iter().collect();
        let mut found = references(item);
        for dependency in depends_on(item) {
            found.push(crate::template::Guarded {
                reference: Reference::Ref(dependency),
                when_true: BTreeSet::new(),
                when_false: BTreeSet::new(),
            });
        }
        for guarded in found {
            let target = guarded.reference.target().to_owned();
            referenced.insert(target.clone());
            if target.starts_with("AWS::") {
                continue;
            }
            let Some(resource) = resources.get(&target) else {
                if !parameters.contains_key(&target) || matches!(guarded.reference, Reference::GetAtt(..)) {
                    findings.add(&at, format!("refers to {target}, which is no parameter or resource of the template"));
                }
                continue;
            };
            if let Some(needed) = Template::condition_of(resource) {
                let mut when_true = guarded.when_true.clone();
                when_true.extend(own.iter().cloned());
                if !template.follows(needed, &when_true, &guarded.when_false) {
                    findings.add(
                        &at,
                        format!(
                            "refers to {target}, which exists only when {needed}, without being under that condition"
                        ),
                    );
                }
            }
        }
    }

    // Parameters and conditions used in the conditions and rules themselves.
    for definition in template.section("Conditions").values().chain(template.section("Rules").values()) {
        conditions_used(definition, &mut conditions);
        referenced.extend(references(definition).into_iter().map(|g| g.reference.target().to_owned()));
    }
    for name in parameters.keys() {
        if !referenced.contains(name) {
            findings.add(format!("parameter {name}"), "is not used by any resource, output, condition or rule");
        }
    }
    let defined = template.section("Conditions");
    for name in &conditions {
        if !defined.contains_key(name) {
            findings.add(format!("condition {name}"), "is used but not defined");
        }
    }
    for name in defined.keys() {
        if !conditions.contains(name) {
            findings.add(format!("condition {name}"), "is defined but not used");
        }
    }
    if template.section("Outputs").is_empty() {
        findings.add("Outputs", "the template has no outputs");
    }
    findings.into_vec()
}

/// The logical ids in a resource's `DependsOn`.
pub(super) fn depends_on(item: &Value) -> Vec<String> {
    match item.get("DependsOn") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}
