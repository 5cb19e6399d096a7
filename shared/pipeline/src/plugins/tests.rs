//! The chain's mechanics: dict2List matching, priorities, re-matching, drop, failure, metadata.

use serde_json::json;

use super::*;

#[derive(Debug)]
struct Probe {
    name: &'static str,
    registration: &'static [&'static str],
    priority: u32,
    action: fn(&mut Document, &mut Metadata) -> Result<Verdict, PluginError>,
}

impl Plugin for Probe {
    fn name(&self) -> &'static str {
        self.name
    }
    fn registration(&self) -> &[&str] {
        self.registration
    }
    fn priority(&self) -> u32 {
        self.priority
    }
    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        (self.action)(event, metadata)
    }
}

fn probe(
    name: &'static str,
    registration: &'static [&'static str],
    priority: u32,
    action: fn(&mut Document, &mut Metadata) -> Result<Verdict, PluginError>,
) -> Box<dyn Plugin> {
    Box::new(Probe { name, registration, priority, action })
}

fn doc(v: serde_json::Value) -> Document {
    v.as_object().cloned().unwrap_or_default()
}

fn keep(_: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
    Ok(Verdict::Keep)
}

fn plugins_ran(outcome: &ChainOutcome) -> serde_json::Value {
    match outcome {
        ChainOutcome::Event { event, .. } => event["mozdef"]["plugins"].clone(),
        other => panic!("expected an event, got {other:?}"),
    }
}

#[test]
fn matching_follows_dict2list() {
    let chain = PluginChain::new(vec![
        probe("leaf_key", &["sourceipaddress"], 100, keep),
        probe("string_value", &["sshd"], 100, keep),
        probe("object_key", &["details"], 100, keep),
        probe("list_item", &["bro"], 100, keep),
        probe("list_key", &["tags"], 100, keep),
        probe("number_value", &["22"], 100, keep),
        probe("nested_list_object", &["inner"], 100, keep),
        probe("upper_case_value", &["auditd"], 100, keep),
    ]);
    let event = doc(json!({
        "processname": "sshd", "category": "AUDITD",
        "details": {"sourceipaddress": "10.0.0.1", "port": 22, "list": [{"inner": 1}]},
        "tags": ["nsm", "BRO"]
    }));
    let ran = plugins_ran(&chain.run(event, Metadata::default()));
    // `details` (a key whose value is an object) and numbers are no tokens in dict2List.
    assert_eq!(
        ran,
        json!(["leaf_key", "string_value", "list_item", "list_key", "nested_list_object", "upper_case_value"])
    );
}

#[test]
fn priority_order_and_rematching_after_changes() {
    fn tag_it(event: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        event.insert("category".into(), json!("second"));
        Ok(Verdict::Keep)
    }
    let chain = PluginChain::new(vec![
        probe("late", &["second"], 50, keep),
        probe("first", &["first"], 10, tag_it),
        probe("never", &["first"], 60, keep),
        probe("same_prio_a", &["second"], 50, keep),
    ]);
    let outcome = chain.run(doc(json!({"category": "first"})), Metadata::default());
    assert_eq!(plugins_ran(&outcome), json!(["first", "late", "same_prio_a"]), "the match is re-evaluated");
    assert_eq!(chain.names(), ["first", "late", "same_prio_a", "never"]);
}

#[test]
fn drop_metadata_and_failure() {
    fn drop_it(_: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        Ok(Verdict::Drop)
    }
    fn reroute(_: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        metadata.index = "vulnerabilities".into();
        metadata.id = Some("fixed".into());
        Ok(Verdict::Keep)
    }
    fn fail(_: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        Err(PluginError::new("details.x is not a number"))
    }
    let chain = PluginChain::new(vec![probe("dropper", &["drop"], 1, drop_it), probe("after", &["drop"], 2, keep)]);
    assert_eq!(chain.run(doc(json!({"a": "drop"})), Metadata::default()), ChainOutcome::Dropped { plugin: "dropper" });

    let chain = PluginChain::new(vec![probe("reroute", &["vuln"], 1, reroute)]);
    match chain.run(doc(json!({"a": "vuln"})), Metadata::default()) {
        ChainOutcome::Event { metadata, .. } => {
            assert_eq!(metadata, Metadata { index: "vulnerabilities".into(), id: Some("fixed".into()) })
        }
        other => panic!("{other:?}"),
    }

    let chain = PluginChain::new(vec![probe("broken", &["x"], 1, fail)]);
    match chain.run(doc(json!({"a": "x"})), Metadata::default()) {
        ChainOutcome::Failed { event, error } => {
            assert_eq!(event, doc(json!({"a": "x"})));
            assert_eq!(error.to_string(), "plugin broken failed: details.x is not a number");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn existing_mozdef_key_is_kept() {
    let chain = PluginChain::new(vec![probe("p", &["x"], 1, keep)]);
    match chain.run(doc(json!({"a": "x", "mozdef": {"plugins": ["earlier"]}})), Metadata::default()) {
        ChainOutcome::Event { event, .. } => assert_eq!(event["mozdef"], json!({"plugins": ["earlier"]})),
        other => panic!("{other:?}"),
    }
    match chain.run(doc(json!({"a": "y"})), Metadata::default()) {
        ChainOutcome::Event { event, .. } => assert_eq!(event["mozdef"], json!({"plugins": []})),
        other => panic!("{other:?}"),
    }
}

#[test]
fn long_and_non_ascii_tokens() {
    let chain = PluginChain::new(vec![probe("kelvin", &["kk"], 1, keep), probe("long", &["sshd"], 1, keep)]);
    // U+212A KELVIN SIGN lower-cases to an ASCII `k`: three bytes that match one.
    let ran = plugins_ran(&chain.run(doc(json!({"a": "\u{212A}\u{212A}"})), Metadata::default()));
    assert_eq!(ran, json!(["kelvin"]));
    let long = format!("sshd {}", "x".repeat(10_000));
    let ran = plugins_ran(&chain.run(doc(json!({"a": long, "b": "SSHD"})), Metadata::default()));
    assert_eq!(ran, json!(["long"]), "long values are skipped, short ones still match");
    let ran = plugins_ran(&chain.run(doc(json!({"a": format!("{}", "x".repeat(10_000))})), Metadata::default()));
    assert_eq!(ran, json!([]));
}

#[test]
fn explained_runs_say_what_each_offered_plugin_did() {
    fn tag_it(event: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        event.insert("tagged".into(), json!(true));
        Ok(Verdict::Keep)
    }
    fn reroute(_: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        metadata.index = "vulnerabilities".into();
        Ok(Verdict::Keep)
    }
    fn drop_it(_: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        Ok(Verdict::Drop)
    }
    let chain = PluginChain::new(vec![
        probe("looks", &["a"], 1, keep),
        probe("tags", &["a"], 2, tag_it),
        probe("reroutes", &["a"], 3, reroute),
        probe("not_offered", &["zzz"], 4, tag_it),
        probe("drops", &["a"], 5, drop_it),
    ]);
    let event = doc(json!({"k": "a"}));
    let (outcome, actions) = chain.run_explained(event.clone(), Metadata::default());
    assert_eq!(outcome, chain.run(event, Metadata::default()), "the same outcome as a plain run");
    let seen: Vec<(&str, Effect)> = actions.iter().map(|a| (a.plugin, a.effect)).collect();
    assert_eq!(
        seen,
        [
            ("looks", Effect::Unchanged),
            ("tags", Effect::Changed),
            ("reroutes", Effect::Changed),
            ("drops", Effect::Dropped)
        ]
    );
}
