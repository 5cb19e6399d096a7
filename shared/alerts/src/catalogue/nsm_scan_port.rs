//! `nsm_scan_port.py` → `NSMScanPort`: Bro port scans (`Scan::Port_Scan`) from internal
//! sources, except those that touched excluded destinations, one alert per scanning address,
//! named by reverse DNS.

use chrono::Duration;
use mozdef_model::{Severity, get_path};
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

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

/// The alert, with its configured query strings parsed.
#[derive(Debug, Clone)]
pub struct NSMScanPort {
    source_must_match: Match,
    source_must_not_match: Match,
    destination_must_not_match: Match,
}

/// The catalogue entry; a configured query string that does not parse is refused here.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("nsm_scan_port")?;
    let invalid = |source| AlertError::Query { alert: "NSMScanPort".into(), source };
    let source_query = |value: &str| Match::query_string(&format!("details.sourceipaddress: {value}"));
    let task = NSMScanPort {
        source_must_match: source_query(&config.sourcemustmatch).map_err(invalid)?,
        source_must_not_match: source_query(&config.sourcemustnotmatch).map_err(invalid)?,
        destination_must_not_match: Match::query_string(&format!("details.msg: {}", config.destinationmustnotmatch))
            .map_err(invalid)?,
    };
    Ok(CatalogueEntry::single("nsm_scan_port", task))
}

impl AlertTask for NSMScanPort {
    fn name(&self) -> &str {
        "NSMScanPort"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(2)));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        query.add_must(Match::phrase("details.note", "Scan::Port_Scan"));
        query.add_must(self.source_must_match.clone());
        query.add_must_not(self.source_must_not_match.clone());
        query.add_must_not(self.destination_must_not_match.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("Port scan from {}", scanner(group, ctx));
        Some(Alert::new(summary, "nsm", &["nsm", "bro", "portscan"], group.events.clone()).severity(Severity::Warning))
    }
}

/// The scanning address of the first sample with its reverse name (`10.1.2.3 (name)`, the
/// bare address without one), when the sample has `details.indicators`; `unknown`
/// otherwise (MozDef meant that fallback but failed the run with a NameError instead).
fn scanner(group: &AggregationGroup, ctx: &AlertContext) -> String {
    let Some(first) = group.events.first() else { return "unknown".to_owned() };
    let details = first.source.get("details");
    if details.and_then(|d| d.get("indicators")).is_none() {
        return "unknown".to_owned();
    }
    let address = match details.and_then(|d| get_path(d, "sourceipaddress")) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => return "unknown".to_owned(),
    };
    match ctx.reverse(&address) {
        Some(name) => format!("{address} ({name})"),
        None => address,
    }
}
