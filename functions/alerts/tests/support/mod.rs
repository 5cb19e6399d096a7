//! What the handler tests share: events that raise MozDef's ssh bruteforce alert.
#![allow(clippy::unwrap_used)]

use mozdef_store::{EventStore, IndexRequest};
use mozdef_store_embedded::EmbeddedStore;
use serde_json::json;

/// Ten failed ssh logins from `source_ip` at `at` on `bastion1`, stored and searchable.
pub async fn bruteforce(store: &EmbeddedStore, source_ip: &str, at: &str) {
    let docs: Vec<IndexRequest> = (0..10)
        .map(|n| {
            let source = json!({
                "utctimestamp": at, "receivedtimestamp": at, "category": "syslog", "hostname": "bastion1",
                "summary": format!("Failed password for invalid user root from {source_ip}"),
                "details": {"program": "sshd", "sourceipaddress": source_ip}
            });
            let id = format!("{source_ip}-{n}");
            IndexRequest { index: "events-20261123".into(), id, source: source.as_object().unwrap().clone() }
        })
        .collect();
    store.index(&docs).await.unwrap();
    store.refresh().await.unwrap();
}
