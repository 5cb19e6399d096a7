//! [`PluginConfig::load`] on MozDef's shipped files (`tests/fixtures/mozdef_plugins/`, verbatim)
//! and on written directories, through the real plugin chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;
use crate::plugins::{ChainOutcome, Metadata, PluginChain, builtin};

/// MozDef's `mq/plugins/mozilla_location.conf` and `triage_bot.json`, as shipped.
fn shipped() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mozdef_plugins"))
}

/// An environment holding only `vars`.
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |key| vars.get(key).cloned()
}

/// A directory holding `files`.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// The `details.sitetype` the built-in chain configured with `config` gives `event`, and the
/// plugins that ran.
fn sitetype(config: &PluginConfig, event: Value) -> (Value, Value) {
    let chain = PluginChain::new(builtin(config));
    match chain.run(event.as_object().cloned().unwrap(), Metadata::default()) {
        ChainOutcome::Event { event, .. } => (event["details"]["sitetype"].clone(), event["mozdef"]["plugins"].clone()),
        other => panic!("expected an event, got {other:?}"),
    }
}

fn network_event(hostname: &str) -> Value {
    json!({"category": "network", "hostname": hostname, "summary": "connection"})
}

fn load_error(dir: Option<&Path>, vars: &[(&str, &str)]) -> String {
    PluginConfig::load(dir, env(vars)).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn mozdef_shipped_files_give_datacenter_office_and_unknown_through_the_chain() {
    let loaded = PluginConfig::load(Some(shipped()), env(&[])).unwrap();
    assert_eq!(loaded.sidecars, vec![shipped().join("mozilla_location.conf"), shipped().join("triage_bot.json")]);
    assert_eq!(loaded.ignored, Vec::new());
    assert_eq!(loaded.ignored_warning(), None);
    // The shipped placeholder URL means no REST API (MozDef's every update failed with it).
    assert_eq!(loaded.config.triage_bot_rest_api_url, None);
    assert!(loaded.config.geoip.is_none());

    // `category: network` is a dict2List token matching the plugin's registration.
    let config = &loaded.config;
    assert_eq!(sitetype(config, network_event("fw1.private.abc2.mozilla.com")).0, "datacenter");
    assert_eq!(sitetype(config, network_event("sw1.corp.SFO1.mozilla.net")).0, "office");
    let (unknown, plugins) = sitetype(config, network_event("fw1.private.mdc1.mozilla.com"));
    assert_eq!(unknown, "unknown");
    assert_eq!(plugins, json!(["mozilla_location"]));
    // `netflow` too, with the host in `details` (netflowFixup runs as well).
    let netflow = json!({"category": "netflow", "details": {"hostname": "r1.mgmt.abc3.mozilla.com"}});
    assert_eq!(sitetype(config, netflow), (json!("datacenter"), json!(["netflowFixup", "mozilla_location"])));
    // Without the file's lists (the default configuration), every site is unknown.
    assert_eq!(sitetype(&PluginConfig::default(), network_event("fw1.private.abc2.mozilla.com")).0, "unknown");
}

#[test]
fn a_misspelt_key_names_file_line_key_and_value() {
    let dir = dir_with(&[("mozilla_location.conf", "[options]\ndc_code_lst=abc1,abc2,abc3\n")]);
    let path = dir.path().join("mozilla_location.conf");
    assert_eq!(
        load_error(Some(dir.path()), &[]),
        format!(
            "{}:2: unknown key \"dc_code_lst\" in [options] (known: dc_code_list, offices_code_list), \
             with value \"abc1,abc2,abc3\"",
            path.display()
        )
    );
}

#[test]
fn a_bad_value_names_file_line_key_and_value() {
    let dir =
        dir_with(&[("mozilla_location.conf", "[options]\ndc_code_list=abc1,abc2\noffices_code_list=ny1, sfo1\n")]);
    let path = dir.path().join("mozilla_location.conf");
    assert_eq!(
        load_error(Some(dir.path()), &[]),
        format!(
            "{}:3: offices_code_list = \"ny1, sfo1\": site code \" sfo1\" is not a lower-case host name label \
             (a-z, 0-9, '-', '_'), so it could never equal the lower-cased site label of a host name (codes \
             are separated by commas only)",
            path.display()
        )
    );
    let dir = dir_with(&[("triage_bot.json", r#"{"rest_api_url": ["https://mozdef.example.com"]}"#)]);
    assert_eq!(
        load_error(Some(dir.path()), &[]),
        format!(
            "{}: rest_api_url = [\"https://mozdef.example.com\"]: must be a string (the REST API's base URL) or null",
            dir.path().join("triage_bot.json").display()
        )
    );
    let dir = dir_with(&[("triage_bot.json", "\"https://mozdef.example.com\"")]);
    assert_eq!(
        load_error(Some(dir.path()), &[]),
        format!("{}: expected a JSON object, found string", dir.path().join("triage_bot.json").display())
    );
}

#[test]
fn options_variables_override_the_file() {
    let loaded = PluginConfig::load(Some(shipped()), env(&[("OPTIONS_DC_CODE_LIST", "mdc1,mdc2")])).unwrap();
    let config = &loaded.config;
    assert_eq!(sitetype(config, network_event("fw1.private.mdc2.mozilla.com")).0, "datacenter");
    // The variable replaces the file's list; the offices still come from the file.
    assert_eq!(sitetype(config, network_event("fw1.private.abc2.mozilla.com")).0, "unknown");
    assert_eq!(sitetype(config, network_event("sw1.corp.sfo1.mozilla.com")).0, "office");
    // Set to the empty string, it still wins (everett: the variable is set).
    let loaded = PluginConfig::load(Some(shipped()), env(&[("OPTIONS_OFFICES_CODE_LIST", "")])).unwrap();
    assert_eq!(sitetype(&loaded.config, network_event("sw1.corp.sfo1.mozilla.com")).0, "unknown");
    // A Python list, as getConfig evaluated it.
    let loaded = PluginConfig::load(Some(shipped()), env(&[("OPTIONS_DC_CODE_LIST", "['mdc1', 'mdc2']")])).unwrap();
    assert_eq!(sitetype(&loaded.config, network_event("fw1.private.mdc1.mozilla.com")).0, "datacenter");
}

#[test]
fn options_variables_apply_without_a_file_or_a_directory() {
    let vars = [("OPTIONS_DC_CODE_LIST", "abc1"), ("OPTIONS_OFFICES_CODE_LIST", "ny1,abc1")];
    let empty = tempfile::tempdir().unwrap();
    for dir in [None, Some(empty.path())] {
        let loaded = PluginConfig::load(dir, env(&vars)).unwrap();
        let expected: HashMap<String, String> =
            [("abc1", "datacenter"), ("ny1", "office")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        assert_eq!(loaded.config.mozilla_location_sitetypes, expected, "{dir:?}");
        assert_eq!(loaded.config.triage_bot_rest_api_url, None);
        assert!(loaded.sidecars.is_empty() && loaded.ignored.is_empty());
    }
    // Nothing at all: the neutral defaults.
    let loaded = PluginConfig::load(None, env(&[])).unwrap();
    assert!(loaded.config.mozilla_location_sitetypes.is_empty());
}

#[test]
fn a_bad_options_variable_names_the_variable() {
    assert_eq!(
        load_error(Some(shipped()), &[("OPTIONS_DC_CODE_LIST", "['abc1'")]),
        "environment variable OPTIONS_DC_CODE_LIST: dc_code_list = \"['abc1'\": a value starting with '[' is read \
         as a Python list of strings (['abc1', 'abc2']), as MozDef's getConfig evaluated it: it does not end with ']'"
    );
    assert!(
        load_error(None, &[("OPTIONS_OFFICES_CODE_LIST", "ny1\n")])
            .starts_with("environment variable OPTIONS_OFFICES_CODE_LIST: offices_code_list = \"ny1\\n\": site code")
    );
}

#[test]
fn comments_blanks_and_case_are_read_like_mozdef() {
    let text = "# MozDef's sites\n; datacenters first\n\n  [ Options ]  \r\n  DC_CODE_LIST =  abc1,abc2,  \r\n\
                # offices\nOffices_Code_List=sfo1\n";
    let dir = dir_with(&[("mozilla_location.conf", text)]);
    let config = PluginConfig::load(Some(dir.path()), env(&[])).unwrap().config;
    assert_eq!(sitetype(&config, network_event("fw1.private.abc2.mozilla.com")).0, "datacenter");
    assert_eq!(sitetype(&config, network_event("sw1.corp.sfo1.mozilla.com")).0, "office");
    // The trailing comma adds no empty site: `a.b..mozilla.com` stays unknown (the plugin's
    // documented deviation from MozDef's `''.split(',')`).
    assert_eq!(config.mozilla_location_sitetypes.len(), 3);
    assert_eq!(sitetype(&config, network_event("a.b..mozilla.com")).0, "unknown");
}

#[test]
fn a_code_in_both_lists_is_a_datacenter() {
    let dir = dir_with(&[("mozilla_location.conf", "[options]\noffices_code_list=abc1,ny1\ndc_code_list=abc1\n")]);
    let config = PluginConfig::load(Some(dir.path()), env(&[])).unwrap().config;
    assert_eq!(config.mozilla_location_sitetypes.get("abc1").map(String::as_str), Some("datacenter"));
    assert_eq!(config.mozilla_location_sitetypes.get("ny1").map(String::as_str), Some("office"));
}

#[test]
fn a_configured_rest_api_enables_triage_updates() {
    let dir = dir_with(&[(
        "triage_bot.json",
        r#"{"rest_api_url": "https://mozdef.example.com/api", "rest_api_token": "secret"}"#,
    )]);
    let loaded = PluginConfig::load(Some(dir.path()), env(&[("OPTIONS_REST_API_URL", "https://other")])).unwrap();
    // No environment override for JSON files, as in MozDef.
    assert_eq!(loaded.config.triage_bot_rest_api_url.as_deref(), Some("https://mozdef.example.com/api"));
    assert!(!format!("{loaded:?}").contains("secret"));
    // A Slack triage reply now gets the update recorded for the alert-status consumer.
    let reply = json!({
        "category": "triagebot",
        "details": {"identifier": "a1", "user": {"email": "u@example.com", "slack": "u"}, "response": "no"},
    });
    let chain = PluginChain::new(builtin(&loaded.config));
    let ChainOutcome::Event { event, .. } = chain.run(reply.as_object().cloned().unwrap(), Metadata::default()) else {
        panic!("the reply was not kept");
    };
    assert_eq!(event["details"]["alertstatus_update"]["status"], "escalated");
    // With MozDef's shipped placeholder URL, replies are left unchanged.
    let shipped = PluginConfig::load(Some(shipped()), env(&[])).unwrap().config;
    let chain = PluginChain::new(builtin(&shipped));
    let ChainOutcome::Event { event, .. } = chain.run(reply.as_object().cloned().unwrap(), Metadata::default()) else {
        panic!("the reply was not kept");
    };
    assert_eq!(event["details"], reply["details"]);
}

#[test]
fn other_files_are_ignored_and_reported() {
    let dir = dir_with(&[
        ("mozilla_location.conf", "[options]\ndc_code_list=abc1\n"),
        ("guardduty_mapping.yml", "---\n"),
        ("zoom_mapping.yml", "---\n"),
        ("geoip.py", ""),
        ("__init__.py", ""),
        ("ttl.json", "{}"),
        ("stackdriver_mapping.yml", "---\n"),
    ]);
    fs::create_dir(dir.path().join("__pycache__")).unwrap();
    let loaded = PluginConfig::load(Some(dir.path()), env(&[])).unwrap();
    assert_eq!(loaded.sidecars, vec![dir.path().join("mozilla_location.conf")]);
    let ignored: Vec<(String, IgnoredKind)> = loaded
        .ignored
        .iter()
        .map(|f| (f.path.strip_prefix(dir.path()).unwrap().display().to_string(), f.kind))
        .collect();
    let mapping = |plugin| IgnoredKind::BuiltInMapping { plugin };
    assert_eq!(
        ignored,
        vec![
            ("__init__.py".to_owned(), IgnoredKind::PluginCode),
            ("geoip.py".to_owned(), IgnoredKind::PluginCode),
            ("guardduty_mapping.yml".to_owned(), mapping("guardDuty")),
            ("stackdriver_mapping.yml".to_owned(), IgnoredKind::Other),
            ("ttl.json".to_owned(), IgnoredKind::Other),
            ("zoom_mapping.yml".to_owned(), mapping("zoom_fixup")),
        ]
    );
    assert_eq!(
        loaded.ignored_warning(),
        Some(format!(
            "plugin directory {}: 6 files ignored: mapping files (the built-in mapping is used): \
             guardduty_mapping.yml (guardDuty), zoom_mapping.yml (zoom_fixup); MozDef plugin code (not run: the \
             built-in plugins are compiled in): __init__.py, geoip.py; not settings of a built-in plugin: \
             stackdriver_mapping.yml, ttl.json",
            dir.path().display()
        ))
    );
}

#[test]
fn a_missing_directory_given_explicitly_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("plugins");
    let message = load_error(Some(&missing), &[]);
    assert!(message.starts_with(&format!("plugin directory {}: ", missing.display())), "{message}");
    // A file is not a directory either.
    fs::write(&missing, "").unwrap();
    assert!(load_error(Some(&missing), &[]).starts_with("plugin directory "));
}

#[test]
fn an_unreadable_sidecar_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("triage_bot.json")).unwrap();
    let message = load_error(Some(dir.path()), &[]);
    assert!(message.starts_with(&format!("{}: cannot be read: ", dir.path().join("triage_bot.json").display())));
    fs::remove_dir(dir.path().join("triage_bot.json")).unwrap();
    fs::write(dir.path().join("mozilla_location.conf"), b"[options]\ndc_code_list=\xff\n").unwrap();
    assert!(load_error(Some(dir.path()), &[]).contains("mozilla_location.conf: cannot be read: "));
}
