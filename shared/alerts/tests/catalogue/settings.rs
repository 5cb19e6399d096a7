//! Alert settings as a site sets them in its environment (`MOZDEF_ALERT_<MODULE>__<KEY>`),
//! for the cases of configured alerts.

use mozdef_alerts::ConfigSource;

/// The configuration of the variables `vars` (name, value) over MozDef's defaults.
pub fn from_env(vars: &[(&str, &str)]) -> ConfigSource {
    ConfigSource { dir: None, env: vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
}
