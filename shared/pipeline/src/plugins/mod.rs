//! MozDef's mq plugin chain (inventory §1.4), with every built-in plugin of §2 as a module.
//!
//! A plugin has a name (MozDef's module name, recorded in `mozdef.plugins`), registration
//! keywords and a priority (0 runs first, default 100). An event is offered to a plugin when
//! one of its registration keywords equals a token of the event as MozDef's `dict2List`
//! flattens it: every key whose value is not an object, and every string value, at any depth,
//! lower-cased. Plugins run in ascending priority (ties keep the order of [`builtin`]'s list),
//! and the match is re-evaluated on the event as modified so far. A plugin may change the
//! event, change its [`Metadata`] (target index, fixed document id), or drop it
//! ([`Verdict::Drop`], MozDef's `return (None, metadata)`). A plugin that fails returns an
//! error; the chain stops and the caller quarantines the event with the reason.
//!
//! The built-in plugins' site settings are a [`PluginConfig`], which [`PluginConfig::load`]
//! reads from MozDef's plugin directory (its sidecar files, kept as they are, with MozDef's
//! `OPTIONS_*` environment overrides).

mod config;
mod jmes;
mod matcher;
mod netaddr;
mod registry;

mod auditd_fixup;
mod bro_fixup;
mod cloudtrail;
mod complianceitems;
mod custom_doc_type;
mod drop_message;
mod filterlog;
mod geoip;
mod github_webhooks;
mod google_fixup;
mod guard_duty;
mod ip_fixup;
mod large_strings;
mod ldap_fixup;
mod lower_keys;
mod mozilla_location;
mod nagioshostname;
mod netflow_fixup;
mod observium;
mod parse_sshd;
mod parse_su;
mod remove_dots;
mod rt_flow;
mod snmptt;
mod squid_fixup;
mod sshd_find_ip;
mod stackdriver;
mod stackdriver_audit;
mod stackdriver_gceactivity;
mod stackdriver_syslog;
mod suricata_fixup;
mod triage_bot;
mod ttl_auditd;
mod vulnerability;
mod zoom_fixup;

use std::fmt;

use mozdef_model::Document;
use serde_json::{Value, json};

use crate::PipelineError;
pub use config::{IgnoredFile, IgnoredKind, LoadedPluginConfig, PluginConfigError, SettingSource};
pub use registry::{PluginConfig, builtin, by_name};

use matcher::Matcher;

/// Where an event is stored: MozDef's `metadata` (`{index: 'events', id: None}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The logical target index: `events` (the daily index of the receive time) unless a
    /// plugin redirects it (e.g. `vulnerabilities`).
    pub index: String,
    /// A fixed document id chosen by a plugin (an upsert), or `None` for the record's own
    /// deterministic id.
    pub id: Option<String>,
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata { index: "events".to_owned(), id: None }
    }
}

/// What a plugin decided about an event it was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep the event (possibly modified) and go on down the chain.
    Keep,
    /// Discard the event (MozDef's `None`): nothing is stored; the caller counts it.
    Drop,
}

/// What a plugin did with an event it was offered, as [`Plugin::handle`] says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// The plugin passed the event over: the event and its metadata are exactly as they
    /// were. It still counts as having run (MozDef lists it in `mozdef.plugins`).
    PassedOver,
    /// The plugin's verdict; the event or its metadata may have changed.
    Verdict(Verdict),
}

impl Handling {
    /// The verdict: [`Verdict::Keep`] for an event passed over.
    pub fn verdict(self) -> Verdict {
        match self {
            Handling::PassedOver => Verdict::Keep,
            Handling::Verdict(verdict) => verdict,
        }
    }
}

/// One mq plugin.
pub trait Plugin: Send + Sync + fmt::Debug {
    /// MozDef's module name (`parse_sshd`, `geoip`, ...), recorded in `mozdef.plugins`.
    fn name(&self) -> &'static str;

    /// The registration keywords, lower case, matched against the event's `dict2List` tokens.
    fn registration(&self) -> &[&str];

    /// The priority: lower runs first. MozDef's default is 100.
    fn priority(&self) -> u32 {
        100
    }

    /// Acts on an event. An `Err` stops the chain and quarantines the event with the reason.
    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError>;

    /// [`Plugin::on_message`], also saying when the plugin passed the event over
    /// ([`Handling::PassedOver`]: nothing touched), which spares the chain matching the event
    /// against the later plugins again. The chain calls this method. By default it calls
    /// `on_message` and never says so; a plugin that often passes events over implements
    /// this method, and `on_message` through it.
    fn handle(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Handling, PluginError> {
        self.on_message(event, metadata).map(Handling::Verdict)
    }
}

/// A plugin's failure on one event; it sends the event to quarantine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PluginError(pub String);

impl PluginError {
    /// An error with a message that names the field and the problem.
    pub fn new(message: impl Into<String>) -> Self {
        PluginError(message.into())
    }
}

/// What the chain made of one event.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainOutcome {
    /// Store `event` as `metadata` says.
    Event {
        /// The event.
        event: Document,
        /// Its target index and id.
        metadata: Metadata,
    },
    /// A plugin dropped the event on purpose.
    Dropped {
        /// The plugin that dropped it.
        plugin: &'static str,
    },
    /// A plugin failed: quarantine the event (as far as the chain had got with it).
    Failed {
        /// The event.
        event: Document,
        /// Why.
        error: PipelineError,
    },
}

/// What one plugin did with an event it was offered ([`PluginChain::run_explained`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginAction {
    /// The plugin.
    pub plugin: &'static str,
    /// What it did.
    pub effect: Effect,
}

/// The effect of one plugin on one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// It changed the event or its target index or id.
    Changed,
    /// It kept the event as it was.
    Unchanged,
    /// It dropped the event.
    Dropped,
    /// It failed (the event goes to the quarantine).
    Failed,
}

impl Effect {
    /// The effect as a word (`changed`, `unchanged`, `dropped`, `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Changed => "changed",
            Effect::Unchanged => "unchanged",
            Effect::Dropped => "dropped",
            Effect::Failed => "failed",
        }
    }
}

/// An ordered chain of plugins.
#[derive(Debug)]
pub struct PluginChain {
    plugins: Vec<Box<dyn Plugin>>,
    /// `matchers[k]`: the keywords of plugins `k..` only. After plugin `k - 1` has run, only
    /// the later plugins' matches are still needed, so `matchers[k]` re-evaluates them (and
    /// no walk at all is made when no later plugin has a keyword).
    matchers: Vec<Matcher>,
}

impl PluginChain {
    /// A chain of `plugins`, sorted by priority (stable: ties keep the given order).
    pub fn new(mut plugins: Vec<Box<dyn Plugin>>) -> Self {
        plugins.sort_by_key(|p| p.priority());
        let registrations: Vec<&[&str]> = plugins.iter().map(|p| p.registration()).collect();
        let matchers = (0..=plugins.len()).map(|from| Matcher::for_plugins_from(&registrations, from)).collect();
        PluginChain { plugins, matchers }
    }

    /// A chain with no plugins (key mapping and defaults only).
    pub fn empty() -> Self {
        PluginChain::new(Vec::new())
    }

    /// The plugins' names, in running order.
    pub fn names(&self) -> Vec<&'static str> {
        self.plugins.iter().map(|p| p.name()).collect()
    }

    /// Runs `event` down the chain.
    pub fn run(&self, event: Document, metadata: Metadata) -> ChainOutcome {
        self.run_observed(event, metadata, None)
    }

    /// [`run`](Self::run), also saying what each plugin the event was offered to did with it
    /// (`mozdef normalize --explain`). Slower: the event is compared before and after each
    /// plugin.
    pub fn run_explained(&self, event: Document, metadata: Metadata) -> (ChainOutcome, Vec<PluginAction>) {
        let mut actions = Vec::new();
        let outcome = self.run_observed(event, metadata, Some(&mut actions));
        (outcome, actions)
    }

    fn run_observed(
        &self,
        mut event: Document,
        mut metadata: Metadata,
        mut explain: Option<&mut Vec<PluginAction>>,
    ) -> ChainOutcome {
        if self.plugins.is_empty() {
            return ChainOutcome::Event { event, metadata };
        }
        let had_mozdef = event.contains_key("mozdef");
        let mut offered = vec![false; self.plugins.len()];
        self.rematch(&event, 0, &mut offered);
        let mut ran: Vec<&'static str> = Vec::new();
        for (i, plugin) in self.plugins.iter().enumerate() {
            if !offered[i] {
                continue;
            }
            // Debug builds check every "passed over" claim against a copy of the event.
            let check_passed_over = cfg!(debug_assertions).then(|| (event.clone(), metadata.clone()));
            let before = explain.is_some().then(|| (event.clone(), metadata.clone()));
            let handled = plugin.handle(&mut event, &mut metadata);
            if let (Some(copy), Ok(Handling::PassedOver)) = (check_passed_over, &handled) {
                debug_assert!(
                    copy.0 == event && copy.1 == metadata,
                    "{} changed an event it passed over",
                    plugin.name()
                );
            }
            if let Some(actions) = explain.as_deref_mut() {
                let effect = match (handled.as_ref().map(|h| h.verdict()), before) {
                    (Ok(Verdict::Keep), Some((e, m))) if e == event && m == metadata => Effect::Unchanged,
                    (Ok(Verdict::Keep), _) => Effect::Changed,
                    (Ok(Verdict::Drop), _) => Effect::Dropped,
                    (Err(_), _) => Effect::Failed,
                };
                actions.push(PluginAction { plugin: plugin.name(), effect });
            }
            match handled {
                // Nothing changed: the later plugins' matches stand.
                Ok(Handling::PassedOver) => ran.push(plugin.name()),
                Ok(Handling::Verdict(Verdict::Keep)) => {
                    ran.push(plugin.name());
                    // MozDef re-evaluates the match on the event as modified; only the
                    // plugins after this one can still be offered it.
                    self.rematch(&event, i + 1, &mut offered);
                }
                Ok(Handling::Verdict(Verdict::Drop)) => return ChainOutcome::Dropped { plugin: plugin.name() },
                Err(e) => {
                    let error = PipelineError::Plugin { plugin: plugin.name(), reason: e.0 };
                    return ChainOutcome::Failed { event, error };
                }
            }
        }
        if !had_mozdef {
            let plugins = ran.into_iter().map(|name| Value::String(name.to_owned())).collect();
            let mut mozdef = Document::with_capacity(1);
            mozdef.insert("plugins".to_owned(), Value::Array(plugins));
            event.insert("mozdef".to_owned(), Value::Object(mozdef));
        }
        ChainOutcome::Event { event, metadata }
    }

    /// Re-evaluates `offered[from..]` (whether each plugin from `from` on is offered `event`).
    fn rematch(&self, event: &Document, from: usize, offered: &mut [bool]) {
        let (Some(rest), Some(matcher)) = (offered.get_mut(from..), self.matchers.get(from)) else { return };
        rest.fill(false);
        matcher.mark_matches(event, offered);
    }
}

/// Sets `details.<key>` (creating `details` when missing or not an object).
pub(crate) fn set_detail(event: &mut Document, key: &str, value: Value) {
    let details = event.entry("details").or_insert_with(|| json!({}));
    if !details.is_object() {
        *details = json!({});
    }
    if let Value::Object(map) = details {
        map.insert(key.to_owned(), value);
    }
}

/// `hashlib.md5(data).hexdigest()`: the fixed document ids some plugins choose.
pub(crate) fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    crate::lower_hex(&Md5::digest(data))
}

/// `details.<key>`, if present.
pub(crate) fn detail<'a>(event: &'a Document, key: &str) -> Option<&'a Value> {
    event.get("details").and_then(|d| d.get(key))
}

/// `details.<key>` as a string, if it is one.
pub(crate) fn detail_str<'a>(event: &'a Document, key: &str) -> Option<&'a str> {
    detail(event, key).and_then(Value::as_str)
}

#[cfg(test)]
mod handling_tests;
#[cfg(test)]
mod tests;
