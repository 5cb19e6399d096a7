//! `nsm_scan_port.py` → `NSMScanPort`: Bro port scans (`Scan::Port_Scan`) from internal
//! sources, except those that touched excluded destinations, one alert per scanning address,
//! named by reverse DNS (the task is `nsm_scan::NsmScan`).

use chrono::Duration;
use mozdef_model::Severity;
use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueEntry;
use crate::catalogue::nsm_scan::{NsmScan, configured};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "nsm_scan_port";

/// MozDef's class name.
const NAME: &str = "NSMScanPort";

/// `nsm_scan_port.json`: Lucene query-string values tested on `details.sourceipaddress` and
/// `details.msg`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The sources to report (`details.sourceipaddress: <this>`).
    pub sourcemustmatch: String,
    /// The sources never reported (`details.sourceipaddress: <this>`).
    pub sourcemustnotmatch: String,
    /// Scans never reported when their message matches (`details.msg: <this>`).
    pub destinationmustnotmatch: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sourcemustmatch: "[10.0.0.0 TO 10.255.255.255]".into(),
            sourcemustnotmatch: "10.33.44.54 OR 10.88.77.54 OR 10.76.54.54 OR 10.251.30.138 OR 10.54.65.234".into(),
            destinationmustnotmatch: "*192.168*".into(),
        }
    }
}

/// The catalogue entry: a two-minute window, `WARNING`; a configured query string that does
/// not parse is refused here.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = NsmScan {
        name: NAME,
        note: "Scan::Port_Scan",
        window: Duration::minutes(2),
        source_must_match: configured(NAME, "details.sourceipaddress", &config.sourcemustmatch)?,
        must_not: vec![
            configured(NAME, "details.sourceipaddress", &config.sourcemustnotmatch)?,
            configured(NAME, "details.msg", &config.destinationmustnotmatch)?,
        ],
        scan: "Port scan",
        tag: "portscan",
        severity: Severity::Warning,
        reverse_dns: true,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
