//! The proxy alerts (`proxy_drop_executable`, `proxy_drop_ip`,
//! `proxy_drop_non_standard_port`, `proxy_exfil_domains`): `proxy` events of the last twenty
//! minutes, one `WARNING` alert per source address listing the destinations. Each alert's own
//! module holds its filter and summary; these are the parts they share.

use std::collections::BTreeSet;

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, SearchQuery};

use crate::alert::Alert;
use crate::task::{AggregationGroup, Mode};

/// `category: proxy` events of the last twenty minutes; only the denied ones
/// (`details.proxyaction: TCP_DENIED`) when `denied`.
pub(crate) fn query(denied: bool) -> SearchQuery {
    let mut query = SearchQuery::new(Some(Duration::minutes(20)));
    query.add_must(Match::term("category", "proxy"));
    if denied {
        query.add_must(Match::term("details.proxyaction", "TCP_DENIED"));
    }
    query
}

/// One alert per source address, with ten samples.
pub(crate) fn mode() -> Mode {
    Mode::Aggregated { field: "details.sourceipaddress".into(), samples: 10, threshold: 1 }
}

/// The alert of `group`, attaching `events`: `<head> from <source> to the following
/// <listed>: <destination>,<destination>…` (destinations sorted).
pub(crate) fn alert(
    head: &str,
    group: &AggregationGroup,
    listed: &str,
    destinations: BTreeSet<String>,
    events: Vec<Hit>,
) -> Alert {
    let destinations: Vec<String> = destinations.into_iter().collect();
    let summary = format!("{head} from {} to the following {listed}: {}", group.value_text(), destinations.join(","));
    Alert::new(summary, "squid", &["squid", "proxy"], events).severity(Severity::Warning)
}
