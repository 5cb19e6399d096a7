//! `ipaddr.py`: copies the IP facts of the alert's first event into the alert's `details`,
//! so that actions such as `block_ip` and plugins such as `vpn_assignment` find them there.

use std::net::{Ipv4Addr, Ipv6Addr};

use async_trait::async_trait;
use mozdef_model::Document;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::backend::AlertBackend;
use crate::context::AlertContext;
use crate::plugin::AlertPlugin;
use crate::plugins::{details_mut, first_event_source};

/// The plugin's name.
pub const NAME: &str = "ipaddr";

/// `ipaddr.conf`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Registration keywords, space separated (`*`: every alert).
    pub keywords: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { keywords: "*".into() }
    }
}

/// The plugin.
#[derive(Debug, Clone)]
pub struct Ipaddr {
    config: Config,
}

impl Ipaddr {
    /// The plugin with `config`.
    pub fn new(config: Config) -> Self {
        Ipaddr { config }
    }
}

fn ipv4(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.parse::<Ipv4Addr>().is_ok())
}

fn ipv6(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.parse::<Ipv6Addr>().is_ok())
}

/// MozDef's `addError`: appends to the alert's `errors` list (created when missing).
fn add_error(alert: &mut Document, error: &str) {
    let errors = alert.entry("errors").or_insert_with(|| json!([]));
    if let Value::Array(list) = errors {
        list.push(json!(error));
    }
}

/// Copies one address field (`source` / `destination`): IPv6 moves to `*ipv6address` with
/// `0.0.0.0` left in the field and an error noted; IPv4 is copied to both fields; anything
/// else (a hostname, `-`) moves to `details.<side>` and the field becomes null.
fn copy_address(alert: &mut Document, event: &Map<String, Value>, side: &str) {
    let field = format!("{side}ipaddress");
    let Some(value) = event.get(&field).cloned() else { return };
    if ipv6(&value) {
        let details = details_mut(alert);
        details.insert(format!("{side}ipv6address"), value);
        details.insert(field.clone(), json!("0.0.0.0"));
        add_error(alert, &format!("plugin: ipFixUp.py error: {field} is ipv6, moved"));
    } else if ipv4(&value) {
        let details = details_mut(alert);
        details.insert(format!("{side}ipv4address"), value.clone());
        details.insert(field, value);
    } else {
        let details = details_mut(alert);
        details.insert(side.to_owned(), value);
        details.insert(field, Value::Null);
    }
}

/// The enrichment.
pub fn enrich(mut alert: Document) -> Document {
    let Some(event) = first_event_source(&alert).and_then(|s| s.get("details")).and_then(Value::as_object).cloned()
    else {
        return alert;
    };
    details_mut(&mut alert);
    // The forwarded-for header can be spoofed: it goes first, better fields override it.
    if let Some(forwarded) = event.get("http_x_forwarded_for").and_then(Value::as_str) {
        let first = json!(forwarded.split(',').next().unwrap_or_default().trim());
        let details = details_mut(&mut alert);
        if ipv4(&first) && !event.contains_key("sourceipaddress") {
            details.insert("sourceipaddress".into(), first.clone());
        }
        if ipv4(&first) && !event.contains_key("sourceipv4address") {
            details.insert("sourceipv4address".into(), first.clone());
        }
        if ipv6(&first) && !event.contains_key("sourceipv6address") {
            details.insert("sourceipv6address".into(), first);
        }
    }
    copy_address(&mut alert, &event, "source");
    copy_address(&mut alert, &event, "destination");
    if let Some(client) = event.get("cluster_client_ip").filter(|v| ipv4(v)) {
        details_mut(&mut alert).insert("sourceipaddress".into(), client.clone());
    }
    alert
}

#[async_trait]
impl AlertPlugin for Ipaddr {
    fn name(&self) -> &str {
        NAME
    }

    fn registration(&self) -> Vec<String> {
        self.config.keywords.split_whitespace().map(str::to_owned).collect()
    }

    fn priority(&self) -> i64 {
        1
    }

    async fn on_message(
        &self,
        alert: Document,
        _backend: &dyn AlertBackend,
        _ctx: &AlertContext,
    ) -> Result<Document, String> {
        Ok(enrich(alert))
    }
}
