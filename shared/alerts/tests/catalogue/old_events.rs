//! `tests/alerts/test_old_events.py`.

use mozdef_alerts::catalogue::old_events;
use serde_json::{Value, json};

use super::common::*;

/// The base event stamped `hours` ago but received now.
fn stamped_hours_ago(hours: i64) -> Value {
    event(json!({"utctimestamp": ago(hours * 60)}))
}

fn alert(count: usize) -> Value {
    json!({
        "category": "maintenance",
        "severity": "ERROR",
        "tags": ["pipeline"],
        "summary": format!("Events have an outdated utctimestamp ({count})"),
    })
}

#[tokio::test]
async fn old_events() {
    let mut two_hosts = vec![stamped_hours_ago(25); 3];
    two_hosts[0] = merge(&two_hosts[0], &json!({"mozdefhostname": "otherhost"}));
    let received_seven_hours_ago = event(json!({"utctimestamp": ago(31 * 60), "receivedtimestamp": ago(7 * 60)}));
    let received_five_hours_ago = event(json!({"utctimestamp": ago(31 * 60), "receivedtimestamp": ago(5 * 60)}));
    let cases = vec![
        positive("good events", vec![stamped_hours_ago(25); 100], alert(100)),
        positive("good event", vec![stamped_hours_ago(25)], alert(1)),
        positive("received five hours ago", vec![received_five_hours_ago], alert(1)),
        positive("a day and a minute old", vec![event(json!({"utctimestamp": ago(24 * 60 + 1)}))], alert(1)),
        positive_attaching("per mozdef host: the larger group first", two_hosts, alert(2), 2),
        negative("recent utctimestamp", vec![event(json!({}))]),
        negative("recent utctimestamps", events(json!({}), 100)),
        negative("23 hours old", vec![stamped_hours_ago(23)]),
        negative("exactly a day old", vec![stamped_hours_ago(24)]),
        negative("old utctimestamp and receivedtimestamp", vec![aged(&event(json!({})), 25 * 60)]),
        negative("received seven hours ago", vec![received_seven_hours_ago]),
        negative(
            "no mozdefhostname (aggregation key)",
            vec![merge(&stamped_hours_ago(25), &json!({"mozdefhostname": null}))],
        ),
    ];
    check(Subject::defaults(old_events::entry), cases).await;
}
