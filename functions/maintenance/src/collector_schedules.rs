//! The custom resource `Custom::MozDefCollectorSchedules`: one EventBridge rule per enabled
//! pull collector source, invoking the `collectors` function every `every_minutes` with the
//! constant input `{"source":"<name>"}` (a plain template cannot make one rule per entry of a
//! JSON parameter).
//!
//! Properties (strings, as CloudFormation passes them): `Collectors` (the sources, JSON as
//! `collectors.json`, checked by [`CollectorsConfig::parse`]; empty: none), `FunctionArn` (the
//! `collectors` function), `RulePrefix` (`<stack>-collector-`: the rules are
//! `<RulePrefix><source>`, at most 64 characters). The physical id is the `RulePrefix`, so a new
//! prefix is a replacement and CloudFormation then deletes the old resource.
//!
//! * Create and Update: every enabled source's rule put (`rate(N minutes)`, enabled, one
//!   target `collectors`), then, on an Update with the same prefix, the rules of the sources
//!   the old `Collectors` named and the new one does not enable removed. The rules are never
//!   listed (the function's role may only touch rules by name).
//! * Delete: the rules of every source the properties name removed, rules already gone
//!   ignored; a `Collectors` that cannot be read names nothing to remove, and the Delete
//!   succeeds (a stack can always be deleted).

use std::collections::HashMap;

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::{RuleState, Target};
use mozdef_aws::cfn_response::{CustomResourceRequest, CustomResourceResponse, ResponseTarget};
use mozdef_collectors::config::CollectorsConfig;
use serde_json::{Value, json};

use crate::resource::{self, sdk_error};

/// The resource type.
pub const RESOURCE_TYPE: &str = "Custom::MozDefCollectorSchedules";

/// The id of each rule's one target, the `collectors` function.
pub const TARGET_ID: &str = "collectors";

/// The longest rule name EventBridge takes.
pub const MAX_RULE_NAME: usize = 64;

/// The rule of one enabled source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRule {
    /// The source's name.
    pub source: String,
    /// The rule's name: the prefix and the source's name.
    pub rule: String,
    /// Minutes between runs.
    pub every_minutes: u32,
}

impl SourceRule {
    /// The rule's `ScheduleExpression`.
    pub fn schedule_expression(&self) -> String {
        rate(self.every_minutes)
    }

    /// The rule's `Description`, naming the source.
    pub fn description(&self) -> String {
        format!("MozDef pull collector source {}: a run every {}", self.source, minutes(self.every_minutes))
    }

    /// The target's constant `Input`: `{"source":"<name>"}`, what the `collectors` function reads.
    pub fn input(&self) -> String {
        json!({"source": self.source}).to_string()
    }
}

/// EventBridge's rate expression for a run every `every_minutes` (singular for one).
pub fn rate(every_minutes: u32) -> String {
    format!("rate({})", minutes(every_minutes))
}

/// `1 minute`, `5 minutes`.
fn minutes(count: u32) -> String {
    if count == 1 { "1 minute".to_owned() } else { format!("{count} minutes") }
}

/// What a Create or Update puts: the rules of the enabled sources, and their target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedules {
    /// The prefix of the rules' names (the physical id).
    pub rule_prefix: String,
    /// The `collectors` function every rule invokes.
    pub function_arn: String,
    /// One rule per enabled source, in the configuration's order.
    pub rules: Vec<SourceRule>,
}

impl Schedules {
    /// The rules a request's `ResourceProperties` ask for; the error names the property (and,
    /// for the configuration, the source and its field).
    pub fn from_properties(properties: &Value) -> Result<Schedules, String> {
        let rule_prefix = rule_prefix(properties)?;
        let function_arn = resource::text(properties, "FunctionArn")?;
        if function_arn.is_empty() {
            return Err("FunctionArn is missing".to_owned());
        }
        if !lambda_function_arn(&function_arn) {
            return Err(format!("FunctionArn {function_arn:?} is not a Lambda function's ARN"));
        }
        let text = resource::text(properties, "Collectors")?;
        let config = if text.is_empty() {
            CollectorsConfig::default()
        } else {
            CollectorsConfig::parse(&text, "Collectors").map_err(|e| e.to_string())?
        };
        let rules = config
            .enabled()
            .map(|source| {
                let rule = format!("{rule_prefix}{}", source.name);
                if rule.chars().count() > MAX_RULE_NAME {
                    return Err(format!(
                        "source {:?}: its rule name {rule:?} is {} characters, EventBridge takes at most {MAX_RULE_NAME} (shorten RulePrefix or the source's name)",
                        source.name,
                        rule.chars().count()
                    ));
                }
                Ok(SourceRule { source: source.name.clone(), rule, every_minutes: source.every_minutes })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Schedules { rule_prefix, function_arn, rules })
    }

    /// The resource's physical id: the rules' prefix.
    pub fn physical_id(&self) -> String {
        self.rule_prefix.clone()
    }

    /// The custom resource's `Data` (readable with `Fn::GetAtt`): `Rules`, the rules' names
    /// (comma-separated, empty without sources).
    pub fn data(&self) -> HashMap<String, String> {
        let names: Vec<&str> = self.rules.iter().map(|r| r.rule.as_str()).collect();
        HashMap::from([("Rules".to_owned(), names.join(","))])
    }

    /// The rules an Update from the properties `old` leaves behind: those `old` names under
    /// the same prefix that these schedules do not put (none when the prefix changed: the
    /// replaced resource's Delete removes them).
    pub fn removed_since(&self, old: &Value) -> Vec<String> {
        let same_prefix = rule_prefix(old).is_ok_and(|prefix| prefix == self.rule_prefix);
        if !same_prefix {
            return Vec::new();
        }
        named_rules(old).into_iter().filter(|name| !self.rules.iter().any(|r| &r.rule == name)).collect()
    }
}

/// The rules the properties name, for removal: `<RulePrefix><name>` for every source of
/// `Collectors` with a name, enabled or not, however wrong the rest of the configuration is
/// (what a failed Create or Update may have put); nothing when `RulePrefix` or `Collectors`
/// cannot be read, and no name EventBridge could not have taken.
pub fn named_rules(properties: &Value) -> Vec<String> {
    let Ok(prefix) = rule_prefix(properties) else {
        return Vec::new();
    };
    let text = resource::text(properties, "Collectors").unwrap_or_default();
    let document: Value = serde_json::from_str(&text).unwrap_or_default();
    let sources = document.get("sources").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut rules: Vec<String> = Vec::new();
    for name in sources.iter().filter_map(|s| s.get("name").and_then(Value::as_str)) {
        let rule = format!("{prefix}{name}");
        if rule_name(&rule) && !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    rules
}

/// The `RulePrefix` property, checked: EventBridge's rule name characters, room for a
/// source's name.
fn rule_prefix(properties: &Value) -> Result<String, String> {
    let prefix = resource::text(properties, "RulePrefix")?;
    if prefix.is_empty() {
        return Err("RulePrefix is missing".to_owned());
    }
    if !rule_name(&prefix) || prefix.len() >= MAX_RULE_NAME {
        return Err(format!("RulePrefix {prefix:?} must be 1–{} letters, digits, `.`, `-` or `_`", MAX_RULE_NAME - 1));
    }
    Ok(prefix)
}

/// Whether `name` can be an EventBridge rule's name (1 to 64 of `A-Za-z0-9._-`).
fn rule_name(name: &str) -> bool {
    (1..=MAX_RULE_NAME).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Whether `arn` is a Lambda function's ARN (`arn:<partition>:lambda:<region>:<account>:function:<name>`,
/// optionally with a version or alias).
fn lambda_function_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    (7..=8).contains(&parts.len())
        && parts[0] == "arn"
        && parts[2] == "lambda"
        && parts[5] == "function"
        && parts.iter().all(|p| !p.is_empty() && !p.chars().any(char::is_whitespace))
}

/// The account's EventBridge rules, on the default event bus.
#[derive(Debug, Clone)]
pub struct EventRules {
    events: Client,
}

impl EventRules {
    /// Rules put and deleted with `events`.
    pub fn new(events: Client) -> Self {
        EventRules { events }
    }

    /// Answers a request for the resource.
    pub async fn answer(&self, request: &CustomResourceRequest, target: &ResponseTarget) -> CustomResourceResponse {
        match request {
            CustomResourceRequest::Create(r) => self.install(&r.resource_properties, None, target).await,
            CustomResourceRequest::Update(r) => {
                self.install(&r.resource_properties, Some(&r.old_resource_properties), target).await
            }
            CustomResourceRequest::Delete(r) => match self.remove(&named_rules(&r.resource_properties)).await {
                Ok(()) => target.success(&r.physical_resource_id, HashMap::new()),
                Err(reason) => target.failure(&reason),
            },
            _ => target.failure("unsupported custom resource request type"),
        }
    }

    /// Create and Update: the rules of `properties` put, then those of `old` it no longer has
    /// removed.
    async fn install(
        &self,
        properties: &Value,
        old: Option<&Value>,
        target: &ResponseTarget,
    ) -> CustomResourceResponse {
        let schedules = match Schedules::from_properties(properties) {
            Ok(schedules) => schedules,
            Err(reason) => return target.failure(&format!("{RESOURCE_TYPE}: {reason}")),
        };
        let stale = old.map(|old| schedules.removed_since(old)).unwrap_or_default();
        let done = match self.put(&schedules).await {
            Ok(()) => self.remove(&stale).await,
            Err(reason) => Err(reason),
        };
        match done {
            Ok(()) => target.success(&schedules.physical_id(), schedules.data()),
            Err(reason) => target.failure(&reason),
        }
    }

    /// Puts every rule of `schedules` and its target.
    pub async fn put(&self, schedules: &Schedules) -> Result<(), String> {
        for rule in &schedules.rules {
            self.put_rule(rule, &schedules.function_arn).await?;
        }
        Ok(())
    }

    /// Removes the rules `names` (their target first), those already gone included.
    pub async fn remove(&self, names: &[String]) -> Result<(), String> {
        for name in names {
            self.remove_rule(name).await?;
        }
        Ok(())
    }

    async fn put_rule(&self, rule: &SourceRule, function_arn: &str) -> Result<(), String> {
        self.events
            .put_rule()
            .name(&rule.rule)
            .schedule_expression(rule.schedule_expression())
            .state(RuleState::Enabled)
            .description(rule.description())
            .send()
            .await
            .map_err(|e| format!("putting the EventBridge rule {:?} failed: {}", rule.rule, sdk_error(&e)))?;
        let function = Target::builder()
            .id(TARGET_ID)
            .arn(function_arn)
            .input(rule.input())
            .build()
            .map_err(|e| format!("the target of the EventBridge rule {:?}: {e}", rule.rule))?;
        let put = self.events.put_targets().rule(&rule.rule).targets(function).send().await.map_err(|e| {
            format!("putting the target of the EventBridge rule {:?} failed: {}", rule.rule, sdk_error(&e))
        })?;
        if let Some(failed) = put.failed_entries().first() {
            return Err(format!(
                "putting the target of the EventBridge rule {:?} failed: {}: {}",
                rule.rule,
                failed.error_code().unwrap_or("error"),
                failed.error_message().unwrap_or_default()
            ));
        }
        tracing::info!(rule = %rule.rule, source = %rule.source, schedule = %rule.schedule_expression(), "collector schedule put");
        Ok(())
    }

    async fn remove_rule(&self, name: &str) -> Result<(), String> {
        match self.events.remove_targets().rule(name).ids(TARGET_ID).send().await {
            Ok(removed) => {
                if let Some(failed) = removed.failed_entries().first() {
                    return Err(format!(
                        "removing the target of the EventBridge rule {name:?} failed: {}: {}",
                        failed.error_code().unwrap_or("error"),
                        failed.error_message().unwrap_or_default()
                    ));
                }
            }
            Err(e) if not_found(&e) => {}
            Err(e) => {
                return Err(format!("removing the target of the EventBridge rule {name:?} failed: {}", sdk_error(&e)));
            }
        }
        match self.events.delete_rule().name(name).send().await {
            Ok(_) => tracing::info!(rule = name, "collector schedule deleted"),
            Err(e) if not_found(&e) => tracing::info!(rule = name, "collector schedule already gone"),
            Err(e) => return Err(format!("deleting the EventBridge rule {name:?} failed: {}", sdk_error(&e))),
        }
        Ok(())
    }
}

/// Whether EventBridge answered that the rule does not exist.
fn not_found<E: ProvideErrorMetadata>(error: &E) -> bool {
    error.code() == Some("ResourceNotFoundException")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:mozdef-collectors";

    const OKTA: &str = r#"{"name": "okta", "provider": "okta", "secret": "okta-api-token", "settings": {"domain": "example.okta.com"}, "every_minutes": 5}"#;
    const DUO: &str = r#"{"name": "duo", "provider": "duo", "secret": "duo-secret-key", "settings": {"api_host": "api-1a2b3c4d.duosecurity.com", "integration_key": "DIXXXXXXXXXXXXXXXXXX"}, "every_minutes": 1}"#;
    const AUTH0_OFF: &str = r#"{"name": "auth0", "provider": "auth0", "secret": "auth0-client-secret", "settings": {"domain": "example.auth0.com", "client_id": "abc"}, "enabled": false}"#;
    const GOOGLE: &str = r#"{"name": "google", "provider": "google", "secret": "google-service-account", "settings": {"subject": "admin@example.com"}, "every_minutes": 15, "silence_minutes": 90}"#;

    fn collectors(sources: &[&str]) -> String {
        format!(r#"{{"sources": [{}]}}"#, sources.join(","))
    }

    fn properties(collectors: &str) -> Value {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:mozdef-maintenance",
            "Collectors": collectors,
            "FunctionArn": FUNCTION,
            "RulePrefix": "mozdef-collector-"
        })
    }

    fn schedules(value: &Value) -> Schedules {
        Schedules::from_properties(value).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn enabled_sources_become_rules() {
        let schedules = schedules(&properties(&collectors(&[OKTA, DUO, AUTH0_OFF, GOOGLE])));
        assert_eq!(schedules.physical_id(), "mozdef-collector-");
        assert_eq!(schedules.function_arn, FUNCTION);
        let rules: Vec<(&str, &str, String, String)> = schedules
            .rules
            .iter()
            .map(|r| (r.source.as_str(), r.rule.as_str(), r.schedule_expression(), r.input()))
            .collect();
        assert_eq!(
            rules,
            [
                ("okta", "mozdef-collector-okta", "rate(5 minutes)".to_owned(), r#"{"source":"okta"}"#.to_owned()),
                ("duo", "mozdef-collector-duo", "rate(1 minute)".to_owned(), r#"{"source":"duo"}"#.to_owned()),
                (
                    "google",
                    "mozdef-collector-google",
                    "rate(15 minutes)".to_owned(),
                    r#"{"source":"google"}"#.to_owned()
                ),
            ]
        );
        assert_eq!(schedules.rules[1].description(), "MozDef pull collector source duo: a run every 1 minute");
        assert_eq!(
            schedules.data(),
            HashMap::from([(
                "Rules".to_owned(),
                "mozdef-collector-okta,mozdef-collector-duo,mozdef-collector-google".to_owned()
            )])
        );
    }

    #[test]
    fn no_collectors_means_no_rules() {
        for text in ["", "  ", r#"{"sources": []}"#] {
            assert_eq!(schedules(&properties(text)).rules, [], "{text:?}");
        }
        let mut absent = properties("");
        absent.as_object_mut().map(|o| o.remove("Collectors"));
        assert_eq!(schedules(&absent).rules, []);
        assert_eq!(schedules(&properties("")).data()["Rules"], "");
    }

    #[test]
    fn rates_are_singular_for_one_minute() {
        assert_eq!(rate(1), "rate(1 minute)");
        assert_eq!(rate(2), "rate(2 minutes)");
        assert_eq!(rate(1440), "rate(1440 minutes)");
    }

    #[test]
    fn bad_properties_are_named() {
        let good = collectors(&[OKTA]);
        for (change, expected) in [
            (json!({"RulePrefix": ""}), "RulePrefix is missing".to_owned()),
            (json!({"RulePrefix": "my stack/"}), "RulePrefix \"my stack/\" must be 1–63 letters, digits".to_owned()),
            (json!({"RulePrefix": "a".repeat(64)}), "RulePrefix \"aaaa".to_owned()),
            (json!({"RulePrefix": 7}), "RulePrefix must be a string".to_owned()),
            (json!({"FunctionArn": ""}), "FunctionArn is missing".to_owned()),
            (
                json!({"FunctionArn": "arn:aws:sqs:us-east-1:123456789012:queue"}),
                "FunctionArn \"arn:aws:sqs:us-east-1:123456789012:queue\" is not a Lambda function's ARN".to_owned(),
            ),
            (json!({"FunctionArn": "mozdef-collectors"}), "FunctionArn \"mozdef-collectors\" is not".to_owned()),
            (json!({"Collectors": {"sources": []}}), "Collectors must be a string".to_owned()),
        ] {
            let mut value = properties(&good);
            for (key, v) in change.as_object().into_iter().flatten() {
                value[key] = v.clone();
            }
            let error = Schedules::from_properties(&value).err().unwrap_or_default();
            assert!(error.starts_with(&expected), "{change}: {error}");
        }
    }

    #[test]
    fn a_rule_name_longer_than_64_characters_is_refused_naming_the_source() {
        // 61 + "okta" = 65 characters.
        let prefix = "p".repeat(61);
        let mut value = properties(&collectors(&[DUO, OKTA]));
        value["RulePrefix"] = json!(prefix);
        let error = Schedules::from_properties(&value).err().unwrap_or_default();
        assert_eq!(
            error,
            format!(
                "source \"okta\": its rule name \"{prefix}okta\" is 65 characters, EventBridge takes at most 64 (shorten RulePrefix or the source's name)"
            )
        );
        // 60 + "okta" = 64: taken.
        value["RulePrefix"] = json!("p".repeat(60));
        assert_eq!(schedules(&value).rules[1].rule.len(), 64);
    }

    #[test]
    fn a_bad_configuration_is_refused_with_the_parsers_message() {
        let bad = OKTA.replace(r#""every_minutes": 5"#, r#""every_minutes": 0"#);
        let error = Schedules::from_properties(&properties(&collectors(&[DUO, &bad]))).err().unwrap_or_default();
        assert_eq!(error, "collector configuration: Collectors: sources[1] (\"okta\"): `every_minutes` must be 1–1440");
        let error = Schedules::from_properties(&properties("{not json")).err().unwrap_or_default();
        assert!(error.starts_with("collector configuration: Collectors: key must be a string"), "{error}");
        let unknown = OKTA.replace(r#""provider": "okta""#, r#""provider": "slack""#);
        let error = Schedules::from_properties(&properties(&collectors(&[&unknown]))).err().unwrap_or_default();
        assert!(error.contains("sources[0] (\"okta\"): `provider` must be one of"), "{error}");
    }

    #[test]
    fn an_update_removes_the_rules_of_sources_no_longer_enabled() {
        let old = properties(&collectors(&[OKTA, DUO, GOOGLE]));
        // duo disabled, google removed, auth0 added enabled.
        let auth0_on = AUTH0_OFF.replace(r#""enabled": false"#, r#""enabled": true"#);
        let duo_off = DUO.replace(r#""every_minutes": 1"#, r#""every_minutes": 1, "enabled": false"#);
        let new = schedules(&properties(&collectors(&[OKTA, &duo_off, &auth0_on])));
        let put: Vec<&str> = new.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(put, ["mozdef-collector-okta", "mozdef-collector-auth0"]);
        assert_eq!(new.removed_since(&old), ["mozdef-collector-duo", "mozdef-collector-google"]);

        // Nothing left behind when the old properties are the same.
        assert_eq!(new.removed_since(&properties(&collectors(&[OKTA, &auth0_on]))), Vec::<String>::new());

        // Another prefix: a replacement, whose Delete removes the old rules.
        let mut other = old.clone();
        other["RulePrefix"] = json!("old-stack-collector-");
        assert_eq!(new.removed_since(&other), Vec::<String>::new());

        // A rollback from a failed update: the old properties were refused, their names still
        // count (the failed update may have put some rules before it failed).
        let refused = OKTA
            .replace(r#""name": "okta""#, r#""name": "okta2""#)
            .replace(r#""every_minutes": 5"#, r#""every_minutes": 0"#);
        let failed = properties(&collectors(&[OKTA, &refused]));
        assert_eq!(new.removed_since(&failed), ["mozdef-collector-okta2"]);
        assert_eq!(new.removed_since(&properties("{not json")), Vec::<String>::new());
        assert_eq!(new.removed_since(&json!({})), Vec::<String>::new());
    }

    #[test]
    fn a_delete_names_the_rules_of_every_source() {
        assert_eq!(
            named_rules(&properties(&collectors(&[OKTA, DUO, AUTH0_OFF]))),
            ["mozdef-collector-okta", "mozdef-collector-duo", "mozdef-collector-auth0"]
        );
        // Unreadable properties name nothing (and the Delete succeeds).
        assert_eq!(named_rules(&properties("{not json")), Vec::<String>::new());
        assert_eq!(named_rules(&properties("")), Vec::<String>::new());
        let mut no_prefix = properties(&collectors(&[OKTA]));
        no_prefix["RulePrefix"] = json!("");
        assert_eq!(named_rules(&no_prefix), Vec::<String>::new());
        // Names no rule could have had are skipped; repeated names counted once.
        let text = r#"{"sources": [{"name": "okta"}, {"name": "bad name"}, {"name": 5}, {"name": "okta"}, {}]}"#;
        assert_eq!(named_rules(&properties(text)), ["mozdef-collector-okta"]);
        let mut long = properties(&collectors(&[OKTA, DUO]));
        long["RulePrefix"] = json!("p".repeat(61));
        assert_eq!(named_rules(&long), [format!("{}duo", "p".repeat(61))]);
    }
}
