//! `nsm_scan_address.py` → `NSMScanAddress`: Bro address scans (`Scan::Address_Scan`) from
//! internal sources, one alert per scanning address, named by reverse DNS (the task is
//! `nsm_scan::NsmScan`).

use chrono::Duration;
use mozdef_model::Severity;
use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueEntry;
use crate::catalogue::nsm_scan::{NsmScan, configured};
use crate::config::ConfigSource;
use crate::error::AlertError;

/// The configuration module (and file) name.
const MODULE: &str = "nsm_scan_address";

/// MozDef's class name.
const NAME: &str = "NSMScanAddress";

/// `nsm_scan_address.json`: Lucene query-string values tested on `details.sourceipaddress`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// The sources to report (`details.sourceipaddress: <this>`).
    pub sourcemustmatch: String,
    /// The sources never reported (`details.sourceipaddress: <this>`).
    pub sourcemustnotmatch: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sourcemustmatch: "[10.0.0.0 TO 10.255.255.255]".into(),
            sourcemustnotmatch: "10.33.44.54 OR 10.88.77.54 OR 10.76.54.54 OR 10.251.30.138 OR 10.54.65.234".into(),
        }
    }
}

/// The catalogue entry: a one-minute window, `NOTICE`; a configured query string that does
/// not parse is refused here.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load(MODULE)?;
    let task = NsmScan {
        name: NAME,
        note: "Scan::Address_Scan",
        window: Duration::minutes(1),
        source_must_match: configured(NAME, "details.sourceipaddress", &config.sourcemustmatch)?,
        must_not: vec![configured(NAME, "details.sourceipaddress", &config.sourcemustnotmatch)?],
        scan: "Address scan",
        tag: "addressscan",
        severity: Severity::Notice,
        reverse_dns: true,
    };
    Ok(CatalogueEntry::single(MODULE, task))
}
