//! The built-in plugins, in one list, and their configuration.

use super::{Plugin, *};

/// Settings of the built-in plugins that depend on the site (MozDef's sidecar files), with
/// neutral defaults; [`PluginConfig::load`] reads them from MozDef's plugin directory.
#[derive(Debug, Clone, Default)]
pub struct PluginConfig {
    /// `mozilla_location`: the `details.sitetype` of each site code (lower case). MozDef's
    /// `mozilla_location.conf` lists `dc_code_list` (→ `datacenter`; e.g. `abc1,abc2,abc3`) and
    /// `offices_code_list` (→ `office`; e.g. `chicago1,ny1,sfo1`), a code in both being a
    /// datacenter. Sites not listed are `unknown`. Empty by default.
    pub mozilla_location_sitetypes: std::collections::HashMap<String, String>,
    /// `triage_bot`: MozDef's REST API base URL (`triage_bot.json`'s `rest_api_url`). When set,
    /// Slack triage replies get `details.alertstatus_update` (the `/alertstatus` request body)
    /// and are rewritten; `None` (the default): replies are left unchanged.
    pub triage_bot_rest_api_url: Option<String>,
    /// `geoip`: the opened GeoIP database; `None` leaves the `geoip` plugin out of the chain.
    pub geoip: Option<std::sync::Arc<crate::geoip::GeoIp>>,
}

/// Every built-in plugin, configured, in a fixed order chosen for this port: the order of the
/// plugin table of the specification (inventory §2), which lists the plugins by ascending
/// priority, except `geoip`, which is added last, and only with a database. [`PluginChain::new`]
/// sorts by priority, keeping this order between plugins of equal priority, which is all it
/// decides.
///
/// MozDef had no such order: it registered its plugins in the order its plugin directory was
/// listed (`pynsive.list_modules`, i.e. `os.listdir()`), which the file system decides and
/// which is not defined, so ties between equal priorities could be broken differently from
/// one installation to another. A fixed order makes the output deterministic: the same event
/// gives the same document on every worker and on every replay. A site's output may therefore
/// differ from what its MozDef produced only where two plugins of equal priority both act on
/// one event (e.g. `parse_sshd` and `sshdFindIP`, both of priority 5, on an sshd login), and
/// there at least the order of the names in `mozdef.plugins` can differ.
pub fn builtin(config: &PluginConfig) -> Vec<Box<dyn Plugin>> {
    let mut plugins: Vec<Box<dyn Plugin>> = vec![
        Box::new(ttl_auditd::TtlAuditd),
        Box::new(drop_message::DropMessage),
        Box::new(auditd_fixup::AuditdFixup),
        Box::new(custom_doc_type::CustomDocType),
        Box::new(zoom_fixup::ZoomFixup),
        Box::new(guard_duty::GuardDuty),
        Box::new(lower_keys::LowerKeys),
        Box::new(bro_fixup::BroFixup),
        Box::new(suricata_fixup::SuricataFixup),
        Box::new(squid_fixup::SquidFixup),
        Box::new(parse_sshd::ParseSshd),
        Box::new(parse_su::ParseSu),
        Box::new(sshd_find_ip::SshdFindIp),
        Box::new(ldap_fixup::LdapFixup),
        Box::new(google_fixup::GoogleFixup),
        Box::new(netflow_fixup::NetflowFixup),
        Box::new(mozilla_location::MozillaLocation::new(config.mozilla_location_sitetypes.clone())),
        Box::new(nagioshostname::Nagioshostname),
        Box::new(observium::Observium),
        Box::new(snmptt::Snmptt),
        Box::new(rt_flow::RtFlow),
        Box::new(remove_dots::RemoveDots),
        Box::new(stackdriver::Stackdriver),
        Box::new(triage_bot::TriageBot::new(config.triage_bot_rest_api_url.clone())),
        Box::new(cloudtrail::Cloudtrail),
        Box::new(filterlog::Filterlog),
        Box::new(github_webhooks::GithubWebhooks),
        Box::new(ip_fixup::IpFixup),
        Box::new(stackdriver_audit::StackdriverAudit),
        Box::new(stackdriver_syslog::StackdriverSyslog),
        Box::new(stackdriver_gceactivity::StackdriverGceactivity),
        Box::new(large_strings::LargeStrings),
        Box::new(vulnerability::Vulnerability),
        Box::new(complianceitems::Complianceitems),
    ];
    if let Some(db) = &config.geoip {
        plugins.push(Box::new(geoip::Geoip::new(db.clone())));
    }
    plugins
}

/// The built-in plugin called `name` (MozDef's module name), configured.
pub fn by_name(name: &str, config: &PluginConfig) -> Option<Box<dyn Plugin>> {
    builtin(config).into_iter().find(|p| p.name() == name)
}
