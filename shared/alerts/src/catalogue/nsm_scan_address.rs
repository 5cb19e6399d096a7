//! `nsm_scan_address.py` → `NSMScanAddress`: Bro address scans (`Scan::Address_Scan`) from
//! internal sources, one alert per scanning address, named by reverse DNS.

use chrono::Duration;
use mozdef_model::get_path;
use mozdef_query::{Match, QueryError, SearchQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::Alert;
use crate::catalogue::CatalogueEntry;
use crate::config::ConfigSource;
use crate::context::AlertContext;
use crate::error::AlertError;
use crate::task::{AggregationGroup, AlertTask, Mode};

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

/// The alert, with its configured query strings parsed.
#[derive(Debug, Clone)]
pub struct NSMScanAddress {
    source_must_match: Match,
    source_must_not_match: Match,
}

/// The catalogue entry; a configured query string that does not parse is refused here.
pub fn entry(config: &ConfigSource) -> Result<CatalogueEntry, AlertError> {
    let config: Config = config.load("nsm_scan_address")?;
    let invalid = |source| AlertError::Query { alert: "NSMScanAddress".into(), source };
    let source_query = |value: &str| Match::query_string(&format!("details.sourceipaddress: {value}"));
    let task = NSMScanAddress {
        source_must_match: source_query(&config.sourcemustmatch).map_err(invalid)?,
        source_must_not_match: source_query(&config.sourcemustnotmatch).map_err(invalid)?,
    };
    Ok(CatalogueEntry::single("nsm_scan_address", task))
}

impl AlertTask for NSMScanAddress {
    fn name(&self) -> &str {
        "NSMScanAddress"
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(1)));
        query.add_must(Match::term("category", "bro"));
        query.add_must(Match::term("source", "notice"));
        query.add_must(Match::phrase("details.note", "Scan::Address_Scan"));
        query.add_must(self.source_must_match.clone());
        query.add_must_not(self.source_must_not_match.clone());
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
    }

    fn on_aggregation(&self, group: &AggregationGroup, ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("Address scan from {}", scanner(group, ctx));
        Some(Alert::new(summary, "nsm", &["nsm", "bro", "addressscan"], group.events.clone()))
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
