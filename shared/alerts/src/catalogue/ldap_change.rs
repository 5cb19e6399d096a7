//! The LDAP change alerts (`ldap_add`, `ldap_delete`): one `INFO` alert for every
//! `ldapChange` event of a given change type made by someone other than a bind (service)
//! account. Each alert's own module holds its change type and verb; this is the task they
//! share.

use chrono::Duration;
use mozdef_model::Severity;
use mozdef_query::{Hit, Match, QueryError, SearchQuery};

use crate::alert::Alert;
use crate::catalogue::fields;
use crate::context::AlertContext;
use crate::task::{AlertTask, Mode};

/// One LDAP change alert.
#[derive(Debug, Clone)]
pub(crate) struct LdapChange {
    /// MozDef's class name.
    pub(crate) name: &'static str,
    /// The `details.changetype` reported (`add`).
    pub(crate) changetype: &'static str,
    /// The summary's verb (`<actor> added <dn>`).
    pub(crate) verb: &'static str,
}

impl AlertTask for LdapChange {
    fn name(&self) -> &str {
        self.name
    }

    fn query(&self, _ctx: &AlertContext) -> Result<SearchQuery, QueryError> {
        let mut query = SearchQuery::new(Some(Duration::minutes(15)));
        query.add_must(Match::term("category", "ldapChange"));
        query.add_must(Match::term("details.changetype", self.changetype));
        query.add_must_not(Match::wildcard("details.actor", "*bind*"));
        Ok(query)
    }

    fn mode(&self) -> Mode {
        Mode::Events
    }

    fn on_event(&self, event: &Hit, _ctx: &AlertContext) -> Option<Alert> {
        let summary = format!("{} {} {}", detail(event, "actor"), self.verb, detail(event, "dn"));
        Some(Alert::new(summary, "ldap", &["ldap"], vec![event.clone()]).severity(Severity::Info))
    }
}

/// `details.<key>` as text; `unknown` when missing (MozDef failed the whole run instead).
pub(crate) fn detail(event: &Hit, key: &str) -> String {
    fields::detail(event, key).unwrap_or_else(|| "unknown".to_owned())
}
