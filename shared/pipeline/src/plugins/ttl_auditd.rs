//! MozDef's `ttl_auditd` mq plugin (registration `auditd`, `command`; priority 1).
//!
//! Marks auditd events of known-noisy commands with `_ttl: "3d"`, so that they could expire
//! sooner than the index purge: ganglia's `gmond` running netstat, rabbitmq's `beam.smp`
//! running epmd/inet_gethost/unix:cmd, `sshd -R`, chkconfig's `/sbin/runlevel` and the nagios
//! plugins run by root as `nagios`. The same list makes `auditdFixup` drop such events; it is
//! [`is_noisy_command`], shared by both plugins.
//!
//! Deviation from MozDef: MozDef crashed (and lost the event) when `details` was not an object
//! or a rule's `command` was not a string; here such an event simply matches no rule and is
//! kept unchanged.

use mozdef_model::Document;
use serde_json::{Map, Value};

use super::{Handling, Metadata, Plugin, PluginError, Verdict};

/// MozDef's `ttl_auditd`.
#[derive(Debug, Default)]
pub struct TtlAuditd;

impl Plugin for TtlAuditd {
    fn name(&self) -> &'static str {
        "ttl_auditd"
    }

    fn registration(&self) -> &[&str] {
        &["auditd", "command"]
    }

    fn priority(&self) -> u32 {
        1
    }

    fn on_message(&self, event: &mut Document, metadata: &mut Metadata) -> Result<Verdict, PluginError> {
        self.handle(event, metadata).map(Handling::verdict)
    }

    fn handle(&self, event: &mut Document, _metadata: &mut Metadata) -> Result<Handling, PluginError> {
        if let Some(Value::Object(details)) = event.get("details")
            && is_noisy_command(details)
        {
            event.insert("_ttl".to_owned(), Value::from("3d"));
            return Ok(Handling::Verdict(Verdict::Keep));
        }
        Ok(Handling::PassedOver)
    }
}

/// Whether `details` describes one of the auditd commands MozDef vetted as prevalent and of no
/// security interest (the rules of `ttl_auditd` and `auditdFixup`). Fields compare as exact
/// strings; a field of another type matches no rule.
pub(super) fn is_noisy_command(details: &Map<String, Value>) -> bool {
    let field = |key: &str| details.get(key).and_then(Value::as_str);
    let Some(command) = field("command") else { return false };
    let parent = field("parentprocess");
    let duser = field("duser");
    let suser = field("suser");
    let starts_with_any = |prefixes: &[&str]| prefixes.iter().any(|p| command.starts_with(p));

    // ganglia monitor daemon
    (parent == Some("gmond") && duser == Some("nobody") && command == "/bin/sh -c netstat -t -a -n")
        // rabbitmq
        || (parent == Some("beam.smp")
            && duser == Some("rabbitmq")
            && (command == "/usr/lib64/erlang/erts-5.8.5/bin/epmd -daemon"
                || starts_with_any(&[
                    "inet_gethost 4",
                    "sh -c exec inet_gethost 4",
                    "/bin/sh -s unix:cmd",
                    "sh -c exec /bin/sh -s unix:cmd",
                ])))
        // sshd
        || (parent == Some("sshd") && duser == Some("root") && command == "/usr/sbin/sshd -R")
        // chkconfig
        || (parent == Some("chkconfig")
            && suser == Some("root")
            && starts_with_any(&["/sbin/runlevel", "sh -c /sbin/runlevel"]))
        // nagios
        || (duser == Some("nagios")
            && suser == Some("root")
            && starts_with_any(&["/usr/lib64/nagios/plugins", "sh -c /usr/lib64/nagios/plugins"]))
}
