//! MozDef's `tagEventsAlert` rule on an event's source, shared by every store that tags
//! events (the embedded store applies it directly, OpenSearch runs its painless twin, the
//! alert domain's in-memory test backend applies it too).

use serde_json::{Value, json};

use crate::{Document, EventRef};

/// Applies MozDef's `tagEventsAlert` to an event's source: `alert_name` joins `alert_names`
/// unless it is there already, `{"index", "id"}` of the alert joins `alerts`. A scalar found
/// in either field is kept as the first element of the list.
pub fn tag_alert_source(source: &mut Document, alert_name: &str, alert: &EventRef) {
    push_to_list(source, "alert_names", Value::String(alert_name.to_owned()), true);
    push_to_list(source, "alerts", json!({"index": alert.index, "id": alert.id}), false);
}

fn push_to_list(source: &mut Document, field: &str, value: Value, unique: bool) {
    let mut list = match source.get_mut(field).map(std::mem::take) {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => Vec::new(),
        Some(other) => vec![other],
    };
    if !(unique && list.contains(&value)) {
        list.push(value);
    }
    source.insert(field.to_owned(), Value::Array(list));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(value: Value) -> Document {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn tags_once_and_keeps_the_rest() {
        let alert = EventRef { index: "alerts-201701".into(), id: "a1".into() };
        let mut source = doc(json!({"summary": "x"}));
        tag_alert_source(&mut source, "AlertOne", &alert);
        tag_alert_source(&mut source, "AlertOne", &alert);
        assert_eq!(
            Value::Object(source),
            json!({
                "summary": "x",
                "alert_names": ["AlertOne"],
                "alerts": [{"index": "alerts-201701", "id": "a1"}, {"index": "alerts-201701", "id": "a1"}]
            })
        );
    }

    #[test]
    fn scalars_and_nulls_become_lists() {
        let alert = EventRef { index: "alerts-201701".into(), id: "a2".into() };
        let mut source = doc(json!({"alert_names": "Earlier", "alerts": null}));
        tag_alert_source(&mut source, "AlertTwo", &alert);
        assert_eq!(source["alert_names"], json!(["Earlier", "AlertTwo"]));
        assert_eq!(source["alerts"], json!([{"index": "alerts-201701", "id": "a2"}]));
    }
}
