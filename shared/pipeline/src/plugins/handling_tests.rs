//! Plugins that say when they pass an event over ([`Plugin::handle`]).

use serde_json::json;

use super::*;

/// Passes every event over, saying so.
#[derive(Debug)]
struct Bystander;

impl Plugin for Bystander {
    fn name(&self) -> &'static str {
        "bystander"
    }
    fn registration(&self) -> &[&str] {
        &["a"]
    }
    fn priority(&self) -> u32 {
        1
    }
    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }
    fn handle(&self, _: &mut Document, _: &mut Metadata) -> Result<Handling, PluginError> {
        Ok(Handling::PassedOver)
    }
}

/// Adds `b` to events, by `on_message` only.
#[derive(Debug)]
struct AddsB;

impl Plugin for AddsB {
    fn name(&self) -> &'static str {
        "adds_b"
    }
    fn registration(&self) -> &[&str] {
        &["a"]
    }
    fn priority(&self) -> u32 {
        2
    }
    fn on_message(&self, event: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        event.insert("added".into(), json!("b"));
        Ok(Verdict::Keep)
    }
}

/// Registered on `b`.
#[derive(Debug)]
struct WantsB;

impl Plugin for WantsB {
    fn name(&self) -> &'static str {
        "wants_b"
    }
    fn registration(&self) -> &[&str] {
        &["b"]
    }
    fn priority(&self) -> u32 {
        3
    }
    fn on_message(&self, _: &mut Document, _: &mut Metadata) -> Result<Verdict, PluginError> {
        Ok(Verdict::Keep)
    }
}

#[test]
fn a_plugin_that_passes_an_event_over_has_still_run() {
    let chain = PluginChain::new(vec![Box::new(Bystander), Box::new(AddsB), Box::new(WantsB)]);
    let event = json!({"k": "a"}).as_object().cloned().unwrap_or_default();
    let (outcome, actions) = chain.run_explained(event.clone(), Metadata::default());
    assert_eq!(outcome, chain.run(event, Metadata::default()));
    let ChainOutcome::Event { event, .. } = outcome else { panic!("kept") };
    // `wants_b` is offered the event `adds_b` changed, as MozDef re-matches after each plugin.
    assert_eq!(event["mozdef"], json!({"plugins": ["bystander", "adds_b", "wants_b"]}));
    let effects: Vec<Effect> = actions.iter().map(|a| a.effect).collect();
    assert_eq!(effects, [Effect::Unchanged, Effect::Changed, Effect::Unchanged]);
}

#[test]
fn on_message_gives_the_verdict_of_handle() {
    let mut event = Document::new();
    assert_eq!(Bystander.on_message(&mut event, &mut Metadata::default()), Ok(Verdict::Keep));
    assert_eq!(AddsB.handle(&mut event, &mut Metadata::default()), Ok(Handling::Verdict(Verdict::Keep)));
    assert_eq!(Handling::Verdict(Verdict::Drop).verdict(), Verdict::Drop);
}
