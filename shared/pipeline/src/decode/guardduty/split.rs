//! `esworker_guardduty.on_message`: one finding → one `details` per probe or API call.

use mozdef_model::Document;
use serde_json::Value;

/// The `details` of each event of one finding (see the module documentation of
/// [`super`]): PORT_PROBE findings split per `portProbeDetails` entry, AWS_API_CALL
/// findings per API call, others unchanged. Never empty.
pub(crate) fn split(details: Document) -> Vec<Document> {
    let action_type = finding(&details)
        .and_then(|f| f.get("action"))
        .and_then(|a| a.get("actionType"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    match action_type.as_deref() {
        Some("PORT_PROBE") => port_probes(details),
        Some("AWS_API_CALL") => api_calls(details),
        _ => vec![details],
    }
}

/// `details.finding` (the finding's `service`).
fn finding(details: &Document) -> Option<&Document> {
    details.get("finding").and_then(Value::as_object)
}

/// One copy of `details` per element of `entries`, each with `details.finding.<slot>` set
/// to that element; `details` itself when there are none.
fn one_per_entry(details: Document, slot: &str, entries: Vec<Value>) -> Vec<Document> {
    if entries.is_empty() {
        return vec![details];
    }
    entries
        .into_iter()
        .map(|entry| {
            let mut copy = details.clone();
            if let Some(Value::Object(finding)) = copy.get_mut("finding") {
                finding.insert(slot.to_owned(), entry);
            }
            copy
        })
        .collect()
}

/// PORT_PROBE: one event per `finding.action.portProbeAction.portProbeDetails` entry, in
/// `details.finding.probeevent`.
fn port_probes(details: Document) -> Vec<Document> {
    let probes = finding(&details)
        .and_then(|f| f.get("action"))
        .and_then(|a| a.get("portProbeAction"))
        .and_then(|p| p.get("portProbeDetails"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    one_per_entry(details, "probeevent", probes)
}

/// AWS_API_CALL: `additionalInfo.apiCalls` is set from `additionalInfo.recentApiCalls` when
/// present, else (when absent) from `action.awsApiCallAction`; a list of calls gives one
/// event per call in `details.finding.apicalls`, any other value one event with it there.
fn api_calls(mut details: Document) -> Vec<Document> {
    let Some(Value::Object(finding)) = details.get_mut("finding") else {
        return vec![details];
    };
    let action_call = finding.get("action").and_then(|a| a.get("awsApiCallAction")).cloned();
    let calls = match finding.get_mut("additionalInfo") {
        Some(Value::Object(info)) => {
            if let Some(recent) = info.get("recentApiCalls").cloned() {
                info.insert("apiCalls".to_owned(), recent);
            }
            if !info.contains_key("apiCalls")
                && let Some(call) = action_call
            {
                info.insert("apiCalls".to_owned(), call);
            }
            info.get("apiCalls").cloned()
        }
        _ => action_call,
    };
    match calls {
        Some(Value::Array(calls)) => one_per_entry(details, "apicalls", calls),
        Some(call) => one_per_entry(details, "apicalls", vec![call]),
        None => vec![details],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn probes_split_and_empty_lists_keep_one_event() {
        let d = doc(json!({"finding": {"action": {"actionType": "PORT_PROBE",
            "portProbeAction": {"portProbeDetails": [{"p": 1}, {"p": 2}]}}}}));
        let out = split(d);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["finding"]["probeevent"], json!({"p": 2}));
        let d = doc(json!({"finding": {"action": {"actionType": "PORT_PROBE", "portProbeAction": {}}}}));
        assert_eq!(split(d.clone()), vec![d]);
    }

    #[test]
    fn api_calls_come_from_recent_calls_then_the_action() {
        let d = doc(json!({"finding": {"action": {"actionType": "AWS_API_CALL", "awsApiCallAction": {"api": "A"}},
            "additionalInfo": {"recentApiCalls": [{"api": "B"}, {"api": "C"}]}}}));
        let out = split(d);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["finding"]["apicalls"], json!({"api": "B"}));
        assert_eq!(out[0]["finding"]["additionalInfo"]["apiCalls"], json!([{"api": "B"}, {"api": "C"}]));
        let d = doc(json!({"finding": {"action": {"actionType": "AWS_API_CALL", "awsApiCallAction": {"api": "A"}},
            "additionalInfo": {}}}));
        let out = split(d);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["finding"]["apicalls"], json!({"api": "A"}));
        assert_eq!(out[0]["finding"]["additionalInfo"]["apiCalls"], json!({"api": "A"}));
        let d = doc(json!({"finding": {"action": {"actionType": "AWS_API_CALL"}}}));
        assert_eq!(split(d.clone()), vec![d]);
    }
}
