//! MozDef's `ldap_fixup` mq plugin (registration `LDAP-Humanizer`, `ldap`; priority 5).
//!
//! For LDAP events:
//! * when `category` is `ldap`, `details.tls` is renamed `details.tls_encrypted` (it moves to
//!   the end of `details`);
//! * `source` defaults to `ldap`;
//! * `details.email` and `details.username` are set from the `mail=` attribute of
//!   `details.actor` (a DN-like string such as `o=com,mail=tester@mozilla.com,dc=mozilla`,
//!   possibly several separated by spaces): the email is the value of the last `mail=<value>`
//!   item (items are split on spaces and commas; an item with more or fewer than one `=` is
//!   ignored), and the username is the part of the email before its first `@`. Without such an
//!   item (or without an actor) both are `null`. A missing `details` is created for them.
//!
//! Registration keywords are matched case-insensitively by this pipeline, so `LDAP-Humanizer`
//! matches a value `ldap-humanizer`; MozDef compared its capitalised keyword with lower-cased
//! tokens and never matched it (only `ldap` did).
//!
//! Deviations from MozDef, where it crashed and lost the event: a `details` that is not an
//! object is left alone (no rename, no email/username), and an actor that is not a string
//! counts as an actor without `mail=` (email and username `null`).

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ldap_fixup`.
#[derive(Debug, Default)]
pub struct LdapFixup;

impl Plugin for LdapFixup {
    fn name(&self) -> &'static str {
        "ldap_fixup"
    }

    fn registration(&self) -> &[&str] {
        &["LDAP-Humanizer", "ldap"]
    }

    fn priority(&self) -> u32 {
        5
    }

    fn on_message(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        let is_ldap = event.get("category").and_then(Value::as_str) == Some("ldap");
        if is_ldap
            && let Some(Value::Object(details)) = event.get_mut("details")
            && let Some(tls) = details.shift_remove("tls")
        {
            details.insert("tls_encrypted".to_owned(), tls);
        }

        if !event.contains_key("source") {
            event.insert("source".to_owned(), Value::from("ldap"));
        }

        let details = match event.entry("details").or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(details) => details,
            _ => return Ok(Verdict::Keep),
        };
        let email = details.get("actor").and_then(Value::as_str).and_then(email_from_actor).map(str::to_owned);
        let username = email.as_deref().map(|email| email.split('@').next().unwrap_or_default().to_owned());
        details.insert("email".to_owned(), email.map_or(Value::Null, Value::String));
        details.insert("username".to_owned(), username.map_or(Value::Null, Value::String));
        Ok(Verdict::Keep)
    }
}

/// MozDef's `_parse_email_from_actor`: the value of the last `mail=<value>` item of `actor`,
/// items being separated by spaces and commas, and items without exactly one `=` ignored.
fn email_from_actor(actor: &str) -> Option<&str> {
    actor
        .split(' ')
        .flat_map(|section| section.split(','))
        .filter_map(|item| {
            let (name, value) = item.split_once('=')?;
            (!value.contains('=')).then_some((name, value))
        })
        .rfind(|(name, _)| *name == "mail")
        .map(|(_, value)| value)
}
