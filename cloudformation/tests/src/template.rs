//! A parsed CloudFormation template (JSON) and what every check needs from it: its resources
//! by type, the references a value makes (`Ref`, `Fn::GetAtt`, `Fn::Sub`), the branches of
//! `Fn::If`, and what a condition implies about others.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

/// Why a template cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{path} is not JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The JSON is not a template (no `Resources` object).
    #[error("{0} has no Resources object: not a CloudFormation template")]
    NotATemplate(String),
}

/// One problem a check found: which check, where (a logical id, an output, a parameter) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check that found it.
    pub check: &'static str,
    /// The resource, output, parameter or condition concerned.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.check, self.at, self.message)
    }
}

/// Collects the findings of one check.
#[derive(Debug)]
pub struct Findings {
    check: &'static str,
    found: Vec<Finding>,
}

impl Findings {
    /// Findings of `check`.
    pub fn new(check: &'static str) -> Self {
        Findings { check, found: Vec::new() }
    }

    /// Records a problem at `at`.
    pub fn add(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.found.push(Finding { check: self.check, at: at.into(), message: message.into() });
    }

    /// What was found.
    pub fn into_vec(self) -> Vec<Finding> {
        self.found
    }
}

/// A reference a value makes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reference {
    /// `Ref` or `${Name}`: a parameter, a resource or a pseudo parameter.
    Ref(String),
    /// `Fn::GetAtt` or `${Name.Attribute}`: a resource's attribute.
    GetAtt(String, String),
}

impl Reference {
    /// The parameter or resource referred to.
    pub fn target(&self) -> &str {
        match self {
            Reference::Ref(name) | Reference::GetAtt(name, _) => name,
        }
    }
}

/// A reference found inside a value, with the conditions known to hold where it stands (the
/// `Fn::If` branches around it).
#[derive(Debug, Clone)]
pub struct Guarded {
    /// The reference.
    pub reference: Reference,
    /// Conditions true at that place (it is in their `Fn::If` true branch).
    pub when_true: BTreeSet<String>,
    /// Conditions false at that place (it is in their `Fn::If` false branch).
    pub when_false: BTreeSet<String>,
}

/// A template.
#[derive(Debug, Clone)]
pub struct Template {
    /// The whole document.
    pub root: Value,
}

/// An empty JSON object, for absent sections.
fn empty() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl Template {
    /// Reads and parses the template at `path`.
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| TemplateError::Read { path: shown.clone(), source })?;
        let root: Value =
            serde_json::from_str(&text).map_err(|source| TemplateError::Json { path: shown.clone(), source })?;
        Template::from_value(root).map_err(|_| TemplateError::NotATemplate(shown))
    }

    /// A template from parsed JSON.
    pub fn from_value(root: Value) -> Result<Template, TemplateError> {
        if !root.get("Resources").is_some_and(Value::is_object) {
            return Err(TemplateError::NotATemplate("the document".into()));
        }
        Ok(Template { root })
    }

    /// A top-level section as an object (empty when absent).
    pub fn section(&self, name: &str) -> &Map<String, Value> {
        self.root.get(name).and_then(Value::as_object).unwrap_or_else(|| empty())
    }

    /// The resources.
    pub fn resources(&self) -> &Map<String, Value> {
        self.section("Resources")
    }

    /// A resource by logical id.
    pub fn resource(&self, id: &str) -> Option<&Value> {
        self.resources().get(id)
    }

    /// The type of a resource.
    pub fn type_of(&self, id: &str) -> Option<&str> {
        self.resource(id).and_then(|r| r.get("Type")).and_then(Value::as_str)
    }

    /// The resources of one type, as (logical id, resource).
    pub fn of_type<'a>(&'a self, resource_type: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.resources()
            .iter()
            .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(resource_type))
            .map(|(id, r)| (id.as_str(), r))
    }

    /// A property of a resource (`Properties.<name>`).
    pub fn property<'a>(resource: &'a Value, name: &str) -> Option<&'a Value> {
        resource.get("Properties").and_then(|p| p.get(name))
    }

    /// The condition a resource or output is created under.
    pub fn condition_of(item: &Value) -> Option<&str> {
        item.get("Condition").and_then(Value::as_str)
    }

    /// Whether `condition` holds wherever every condition of `when_true` holds and every one
    /// of `when_false` does not: it is one of them, an `Fn::And` of which one part follows,
    /// an `Fn::Or` of which some part follows, or an `Fn::Not` of a known-false condition.
    pub fn follows(&self, condition: &str, when_true: &BTreeSet<String>, when_false: &BTreeSet<String>) -> bool {
        self.follows_depth(condition, when_true, when_false, 0)
    }

    fn follows_depth(
        &self,
        condition: &str,
        when_true: &BTreeSet<String>,
        when_false: &BTreeSet<String>,
        depth: usize,
    ) -> bool {
        if when_true.contains(condition) {
            return true;
        }
        if depth > 16 {
            return false;
        }
        // A known-true condition that is an And containing `condition`.
        let implied_by_known = when_true.iter().any(|known| {
            self.section("Conditions").get(known).and_then(|d| d.get("Fn::And")).and_then(Value::as_array).is_some_and(
                |parts| parts.iter().any(|p| p.get("Condition").and_then(Value::as_str) == Some(condition)),
            )
        });
        if implied_by_known {
            return true;
        }
        let Some(definition) = self.section("Conditions").get(condition) else { return false };
        let named = |part: &Value| part.get("Condition").and_then(Value::as_str).map(str::to_owned);
        if let Some(parts) = definition.get("Fn::Or").and_then(Value::as_array) {
            return parts.iter().filter_map(named).any(|c| self.follows_depth(&c, when_true, when_false, depth + 1));
        }
        if let Some(parts) = definition.get("Fn::Not").and_then(Value::as_array) {
            return parts.iter().filter_map(named).any(|c| when_false.contains(&c));
        }
        false
    }
}

/// Every reference in `value`, with the `Fn::If` conditions around it.
pub fn references(value: &Value) -> Vec<Guarded> {
    let mut found = Vec::new();
    walk(value, &BTreeSet::new(), &BTreeSet::new(), &mut found);
    found
}

fn walk(value: &Value, when_true: &BTreeSet<String>, when_false: &BTreeSet<String>, found: &mut Vec<Guarded>) {
    let push = |reference: Reference, found: &mut Vec<Guarded>| {
        found.push(Guarded { reference, when_true: when_true.clone(), when_false: when_false.clone() });
    };
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, when_true, when_false, found)),
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("Ref") {
                push(Reference::Ref(name.clone()), found);
            } else if let Some(target) = map.get("Fn::GetAtt") {
                match target {
                    Value::Array(parts) => {
                        let part = |i: usize| parts.get(i).and_then(Value::as_str).unwrap_or_default().to_owned();
                        push(Reference::GetAtt(part(0), part(1)), found);
                    }
                    Value::String(dotted) => {
                        let (name, attribute) = dotted.split_once('.').unwrap_or((dotted, ""));
                        push(Reference::GetAtt(name.to_owned(), attribute.to_owned()), found);
                    }
                    _ => {}
                }
            } else if let Some(sub) = map.get("Fn::Sub") {
                let (text, locals) = match sub {
                    Value::String(text) => (text.as_str(), None),
                    Value::Array(parts) => (parts.first().and_then(Value::as_str).unwrap_or_default(), parts.get(1)),
                    _ => ("", None),
                };
                let local_names: BTreeSet<String> =
                    locals.and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
                for variable in sub_variables(text) {
                    let (name, attribute) =
                        variable.split_once('.').map_or((variable.as_str(), None), |(n, a)| (n, Some(a)));
                    if local_names.contains(name) {
                        continue;
                    }
                    match attribute {
                        Some(attribute) => push(Reference::GetAtt(name.to_owned(), attribute.to_owned()), found),
                        None => push(Reference::Ref(name.to_owned()), found),
                    }
                }
                if let Some(locals) = locals {
                    walk(locals, when_true, when_false, found);
                }
            } else if let Some(Value::Array(branches)) = map.get("Fn::If") {
                let condition = branches.first().and_then(Value::as_str).unwrap_or_default().to_owned();
                let mut yes = when_true.clone();
                yes.insert(condition.clone());
                let mut no = when_false.clone();
                no.insert(condition);
                if let Some(v) = branches.get(1) {
                    walk(v, &yes, when_false, found);
                }
                if let Some(v) = branches.get(2) {
                    walk(v, when_true, &no, found);
                }
            } else {
                map.values().for_each(|v| walk(v, when_true, when_false, found));
            }
        }
        _ => {}
    }
}

/// The `${...}` variables of an `Fn::Sub` string (`${!Literal}` is no variable).
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut variables = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        if !inner.starts_with('!') {
            variables.push(inner.trim().to_owned());
        }
        rest = &after[end + 1..];
    }
    variables
}

/// The condition names a value uses (`Fn::If` and `{"Condition": name}`).
pub fn conditions_used(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| conditions_used(v, into)),
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get("Fn::If")
                && let Some(name) = branches.first().and_then(Value::as_str)
            {
                into.insert(name.to_owned());
            }
            if map.len() == 1
                && let Some(Value::String(name)) = map.get("Condition")
            {
                into.insert(name.clone());
            }
            map.values().for_each(|v| conditions_used(v, into));
        }
        _ => {}
    }
}

/// Every value `value` may take: both branches of each `Fn::If` (a `Ref` to `AWS::NoValue`
/// is left out), everything else as it is.
pub fn alternatives(value: &Value) -> Vec<&Value> {
    match value.get("Fn::If").and_then(Value::as_array) {
        Some(branches) => branches.iter().skip(1).flat_map(alternatives).collect(),
        None if is_no_value(value) => Vec::new(),
        None => vec![value],
    }
}

/// Whether `value` is `{"Ref": "AWS::NoValue"}`.
pub fn is_no_value(value: &Value) -> bool {
    value.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue")
}

/// A string or a list of strings as a list (other shapes: empty).
pub fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The logical id a `{"Fn::GetAtt": [id, attribute]}` or `{"Ref": id}` names.
pub fn named_resource(value: &Value) -> Option<&str> {
    if let Some(name) = value.get("Ref").and_then(Value::as_str) {
        return Some(name);
    }
    match value.get("Fn::GetAtt")? {
        Value::Array(parts) => parts.first().and_then(Value::as_str),
        Value::String(dotted) => dotted.split('.').next(),
        _ => None,
    }
}

/// An integer, or the largest value a `Ref` to a `Number` parameter may take (its `MaxValue`,
/// else the largest of its `AllowedValues`).
pub fn largest_number(template: &Template, value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let name = value.get("Ref").and_then(Value::as_str)?;
    let parameter = template.section("Parameters").get(name)?;
    let as_number = |v: &Value| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    parameter
        .get("MaxValue")
        .and_then(as_number)
        .or_else(|| parameter.get("AllowedValues")?.as_array()?.iter().filter_map(as_number).max())
}

/// The most branches of one value looked at (two-way `Fn::If`s multiply).
const MAX_BRANCHES: usize = 1024;

/// The conditions a place of the template stands under: those that must hold and those that
/// must not (the `Fn::If` branches around it, a resource's `Condition`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Conditions that hold there.
    pub when_true: BTreeSet<String>,
    /// Conditions that do not hold there.
    pub when_false: BTreeSet<String>,
}

impl Guard {
    /// The guard of something created under `condition` (none: always).
    pub fn of(condition: Option<&str>) -> Guard {
        Guard { when_true: condition.map(str::to_owned).into_iter().collect(), when_false: BTreeSet::new() }
    }

    /// Both guards at once, or `None` when one asks a condition to hold that the other asks not to.
    pub fn and(&self, other: &Guard) -> Option<Guard> {
        let mut both = self.clone();
        both.when_true.extend(other.when_true.iter().cloned());
        both.when_false.extend(other.when_false.iter().cloned());
        both.when_true.is_disjoint(&both.when_false).then_some(both)
    }
}

/// One way a value comes out once every `Fn::If` in it is decided.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The decisions taken on the way.
    pub guard: Guard,
    /// The value without any `Fn::If`.
    pub value: Value,
}

/// Every way `value` can come out with each `Fn::If` in it decided (at any depth, inside
/// `Fn::Sub` variables too), each with the decisions it takes; decisions that contradict each
/// other make no branch. A `{"Ref": "AWS::NoValue"}` drops the key or item it stands for, and
/// a value that is one has no branch at all.
pub fn branches(value: &Value) -> Vec<Branch> {
    decide(value).into_iter().filter_map(|(guard, value)| value.map(|value| Branch { guard, value })).collect()
}

/// The branches of `value`, `None` standing for `AWS::NoValue`.
fn decide(value: &Value) -> Vec<(Guard, Option<Value>)> {
    if is_no_value(value) {
        return vec![(Guard::default(), None)];
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get("Fn::If") {
                let condition = parts.first().and_then(Value::as_str).unwrap_or_default();
                let yes = Guard { when_true: BTreeSet::from([condition.to_owned()]), ..Guard::default() };
                let no = Guard { when_false: BTreeSet::from([condition.to_owned()]), ..Guard::default() };
                let mut found = Vec::new();
                for (decision, branch) in [(yes, parts.get(1)), (no, parts.get(2))] {
                    let decided = branch.map(decide).unwrap_or_default();
                    found.extend(decided.into_iter().filter_map(|(g, v)| Some((g.and(&decision)?, v))));
                }
                return found;
            }
            combine(map.iter(), |parts| {
                Value::Object(parts.into_iter().filter_map(|(key, v)| Some((key.clone(), v?))).collect())
            })
        }
        Value::Array(items) => combine(items.iter().map(|v| ((), v)), |parts| {
            Value::Array(parts.into_iter().filter_map(|(_, v)| v).collect())
        }),
        other => vec![(Guard::default(), Some(other.clone()))],
    }
}

/// The decided parts of an object (keyed by name) or list (keyed by nothing).
type Parts<K> = Vec<(K, Option<Value>)>;

/// Every consistent combination of the branches of `parts`, each put together by `build`.
fn combine<'a, K: Clone>(
    parts: impl Iterator<Item = (K, &'a Value)>,
    build: impl Fn(Parts<K>) -> Value,
) -> Vec<(Guard, Option<Value>)> {
    let mut combinations: Vec<(Guard, Parts<K>)> = vec![(Guard::default(), Vec::new())];
    for (key, part) in parts {
        let choices = decide(part);
        combinations = combinations
            .iter()
            .flat_map(|(guard, done)| {
                choices.iter().filter_map(|(g, v)| {
                    let mut next = done.clone();
                    next.push((key.clone(), v.clone()));
                    Some((guard.and(g)?, next))
                })
            })
            .take(MAX_BRANCHES)
            .collect();
    }
    combinations.into_iter().map(|(guard, parts)| (guard, Some(build(parts)))).collect()
}

impl Template {
    /// Whether `conclusion` holds wherever `premise` does: each of its true conditions
    /// [`follows`](Template::follows) from the premise, and each of its false ones is false
    /// there (false in the premise, the `Fn::Not` of a condition that follows, or negated by a
    /// condition of the premise).
    pub fn implies(&self, premise: &Guard, conclusion: &Guard) -> bool {
        let follows = |c: &str| self.follows(c, &premise.when_true, &premise.when_false);
        let negated = |c: &str| {
            self.section("Conditions")
                .get(c)
                .and_then(|d| d.get("Fn::Not"))
                .and_then(Value::as_array)
                .and_then(|parts| parts.first())
                .and_then(|p| p.get("Condition"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let refuted = |c: &str| {
            premise.when_false.contains(c)
                || negated(c).is_some_and(|inner| follows(&inner))
                || premise.when_true.iter().any(|known| negated(known).as_deref() == Some(c))
        };
        conclusion.when_true.iter().all(|c| follows(c)) && conclusion.when_false.iter().all(|c| refuted(c))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sub_variables_skip_literals_and_keep_attributes() {
        assert_eq!(sub_variables("a${X}b${!Literal}c${Y.Arn}${ AWS::Region }"), ["X", "Y.Arn", "AWS::Region"]);
        assert!(sub_variables("${unterminated").is_empty());
    }

    #[test]
    fn references_carry_the_conditions_around_them() {
        let value = json!({"Fn::If": ["C", {"Ref": "A"}, {"Fn::Sub": ["${B.Arn}/${L}", {"L": {"Ref": "D"}}]}]});
        let found = references(&value);
        let a = found.iter().find(|g| g.reference.target() == "A").unwrap();
        assert!(a.when_true.contains("C") && a.when_false.is_empty());
        let b = found.iter().find(|g| g.reference.target() == "B").unwrap();
        assert!(b.when_false.contains("C"));
        assert_eq!(b.reference, Reference::GetAtt("B".into(), "Arn".into()));
        assert!(found.iter().any(|g| g.reference.target() == "D"));
        assert!(!found.iter().any(|g| g.reference.target() == "L"), "a local Fn::Sub variable is no reference");
    }

    #[test]
    fn conditions_follow_through_and_or_not() {
        let template = Template::from_value(json!({
            "Conditions": {
                "A": {"Fn::Equals": [1, 1]}, "B": {"Fn::Equals": [1, 1]},
                "AandB": {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]},
                "AorB": {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]},
                "NotA": {"Fn::Not": [{"Condition": "A"}]}
            },
            "Resources": {}
        }))
        .unwrap();
        let set = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
        assert!(template.follows("A", &set(&["AandB"]), &set(&[])));
        assert!(template.follows("AorB", &set(&["B"]), &set(&[])));
        assert!(template.follows("NotA", &set(&[]), &set(&["A"])));
        assert!(!template.follows("AandB", &set(&["A"]), &set(&[])));
        assert!(!template.follows("B", &set(&["AorB"]), &set(&[])));
    }

    fn guard(when_true: &[&str], when_false: &[&str]) -> Guard {
        let set = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
        Guard { when_true: set(when_true), when_false: set(when_false) }
    }

    #[test]
    fn branches_decide_every_if_and_drop_contradictions_and_no_values() {
        let value = json!({
            "Sid": "S",
            "Resource": {"Fn::Sub": ["arn:${N}", {"N": {"Fn::If": ["A", "one", {"Ref": "P"}]}}]},
            "Extra": {"Fn::If": ["B", "x", {"Ref": "AWS::NoValue"}]},
            "Again": {"Fn::If": ["A", "yes", "no"]}
        });
        let found = branches(&value);
        // A decided twice the same way, B either way: four branches, none mixing A and not A.
        assert_eq!(found.len(), 4);
        let a_b = found.iter().find(|b| b.guard == guard(&["A", "B"], &[])).unwrap();
        assert_eq!(
            a_b.value,
            json!({"Sid": "S", "Resource": {"Fn::Sub": ["arn:${N}", {"N": "one"}]}, "Extra": "x", "Again": "yes"})
        );
        let not_a_not_b = found.iter().find(|b| b.guard == guard(&[], &["A", "B"])).unwrap();
        assert_eq!(
            not_a_not_b.value,
            json!({"Sid": "S", "Resource": {"Fn::Sub": ["arn:${N}", {"N": {"Ref": "P"}}]}, "Again": "no"})
        );
        assert!(branches(&json!({"Fn::If": ["A", {"Ref": "AWS::NoValue"}, {"Ref": "AWS::NoValue"}]})).is_empty());
        let list = branches(&json!(["a", {"Fn::If": ["A", "b", {"Ref": "AWS::NoValue"}]}]));
        let values: Vec<&Value> = list.iter().map(|b| &b.value).collect();
        assert_eq!(values, [&json!(["a", "b"]), &json!(["a"])]);
    }

    #[test]
    fn guards_imply_through_or_and_not() {
        let template = Template::from_value(json!({
            "Conditions": {
                "A": {"Fn::Equals": [1, 1]}, "B": {"Fn::Equals": [1, 1]},
                "AorB": {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]},
                "NotA": {"Fn::Not": [{"Condition": "A"}]}
            },
            "Resources": {}
        }))
        .unwrap();
        assert!(template.implies(&guard(&["A"], &[]), &guard(&["AorB", "A"], &[])));
        assert!(template.implies(&guard(&["A"], &[]), &guard(&[], &["NotA"])));
        assert!(template.implies(&guard(&["NotA"], &[]), &guard(&[], &["A"])));
        assert!(template.implies(&guard(&["B"], &[]), &Guard::default()));
        assert!(!template.implies(&Guard::default(), &guard(&["A"], &[])));
        assert!(!template.implies(&guard(&["AorB"], &[]), &guard(&["A"], &[])));
        assert!(!template.implies(&guard(&["B"], &[]), &guard(&[], &["A"])));
        assert_eq!(guard(&["A"], &[]).and(&guard(&[], &["A"])), None);
    }
}
