//! Alert plugins (MozDef `alerts/plugins/`, inventory §3.4): each enabled plugin whose
//! registration matches an alert may enrich it before it is saved.

use std::sync::Arc;

use async_trait::async_trait;
use mozdef_model::Document;
use serde_json::Value;

use crate::backend::AlertBackend;
use crate::context::AlertContext;

/// One alert plugin.
#[async_trait]
pub trait AlertPlugin: Send + Sync {
    /// The plugin's name (MozDef's module name: `ipaddr`, `vpn_assignment`...).
    fn name(&self) -> &str;

    /// Registration keywords, matched lower-cased against the alert's `dict2List` tokens
    /// (every key and string value at any depth); `*` matches every alert.
    fn registration(&self) -> Vec<String>;

    /// Lower runs first (MozDef's default is 100).
    fn priority(&self) -> i64 {
        100
    }

    /// `onMessage(alert)`: the alert document, enriched. An error leaves the alert as it was
    /// (the alert is still saved; the failure is logged).
    async fn on_message(
        &self,
        alert: Document,
        backend: &dyn AlertBackend,
        ctx: &AlertContext,
    ) -> Result<Document, String>;
}

/// Whether `plugin` is offered `alert`.
pub fn registration_matches(registration: &[String], alert: &Document) -> bool {
    if registration.iter().any(|r| r == "*") {
        return true;
    }
    let keywords: Vec<String> = registration.iter().map(|r| r.to_lowercase()).collect();
    let mut found = false;
    walk_tokens(alert, &mut |token| {
        if !found && keywords.iter().any(|k| *k == token.to_lowercase()) {
            found = true;
        }
    });
    found
}

/// MozDef's `dict2List`: keys and string values at any depth (a key whose value is an object
/// is not a token; the pipeline's plugin matcher walks events the same way, faster).
fn walk_tokens(map: &Document, visit: &mut dyn FnMut(&str)) {
    for (key, value) in map {
        if !value.is_object() {
            visit(key);
        }
        walk_value(value, visit);
    }
}

fn walk_value(value: &Value, visit: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => visit(s),
        Value::Array(items) => items.iter().for_each(|item| walk_value(item, visit)),
        Value::Object(inner) => walk_tokens(inner, visit),
        _ => {}
    }
}

/// Runs the plugins that match, in ascending priority (ties in list order), each seeing the
/// alert as the previous ones left it.
pub async fn run_plugins(
    plugins: &[Arc<dyn AlertPlugin>],
    mut alert: Document,
    backend: &dyn AlertBackend,
    ctx: &AlertContext,
) -> Document {
    let mut ordered: Vec<&Arc<dyn AlertPlugin>> = plugins.iter().collect();
    ordered.sort_by_key(|p| p.priority());
    for plugin in ordered {
        if !registration_matches(&plugin.registration(), &alert) {
            continue;
        }
        match plugin.on_message(alert.clone(), backend, ctx).await {
            Ok(enriched) => alert = enriched,
            Err(error) => tracing::warn!(plugin = plugin.name(), error, "alert plugin failed; alert kept as it was"),
        }
    }
    alert
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn registration_is_matched_on_dict2list_tokens() {
        let alert = doc(json!({"category": "PortScan", "tags": ["nsm", "bro"], "details": {"x": "y"}}));
        assert!(registration_matches(&["portscan".into()], &alert), "values, lower-cased");
        assert!(registration_matches(&["bro".into()], &alert), "list items");
        assert!(registration_matches(&["x".into()], &alert), "nested keys");
        assert!(!registration_matches(&["details".into()], &alert), "a key holding an object is no token");
        assert!(!registration_matches(&["geomodel".into()], &alert));
        assert!(registration_matches(&["*".into()], &alert));
    }
}
