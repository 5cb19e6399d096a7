//! The body of `/blockip`, `/blockfqdn` and `/watchitem`: MozDef's UI posts its form as a
//! list of single-key objects (`[{"ipaddress": "1.2.3.4"}, {"duration": "1d"}]`); a plain
//! object says the same thing more simply.

use serde_json::{Map, Value};

use crate::ServiceError;

/// The body as one map. A list of single-key objects is merged in order, a later key
/// replacing an earlier one (as MozDef's loop did); a plain object is taken as is. Anything
/// else, or a list item that is not an object with exactly one key, is an error naming the
/// body or the item's index (`body[2]`).
pub fn mozdef_body(value: &Value) -> Result<Map<String, Value>, ServiceError> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        Value::Array(items) => {
            let mut merged = Map::new();
            for (index, item) in items.iter().enumerate() {
                match item {
                    Value::Object(field) if field.len() == 1 => {
                        merged.extend(field.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    Value::Object(field) => {
                        return Err(ServiceError::invalid(
                            format!("body[{index}]"),
                            format!("must be an object with a single key, not {} keys", field.len()),
                        ));
                    }
                    other => {
                        return Err(ServiceError::invalid(
                            format!("body[{index}]"),
                            format!("must be an object with a single key, not {}", kind(other)),
                        ));
                    }
                }
            }
            Ok(merged)
        }
        other => Err(ServiceError::invalid(
            "body",
            format!("must be a JSON object or a list of single-key objects, not {}", kind(other)),
        )),
    }
}

/// The JSON type of `value`, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(result: Result<Map<String, Value>, ServiceError>) -> String {
        match result {
            Err(e) => e.to_string(),
            Ok(map) => panic!("accepted {map:?}"),
        }
    }

    #[test]
    fn list_of_single_key_objects() {
        let body = json!([{"IPBlockList": true}, {"ipaddress": "1.2.3.4"}, {"duration": "1d"}]);
        let map = mozdef_body(&body).unwrap();
        assert_eq!(Value::Object(map), json!({"IPBlockList": true, "ipaddress": "1.2.3.4", "duration": "1d"}));
    }

    #[test]
    fn later_key_wins() {
        let map = mozdef_body(&json!([{"duration": "1d"}, {"duration": "30d"}])).unwrap();
        assert_eq!(map.get("duration"), Some(&json!("30d")));
    }

    #[test]
    fn plain_object() {
        let body = json!({"ipaddress": "1.2.3.4", "duration": "1w"});
        assert_eq!(Value::Object(mozdef_body(&body).unwrap()), body);
    }

    #[test]
    fn empty_list_is_an_empty_map() {
        assert!(mozdef_body(&json!([])).unwrap().is_empty());
    }

    #[test]
    fn item_with_two_keys_names_its_index() {
        let text = message(mozdef_body(&json!([{"a": 1}, {"b": 2, "c": 3}])));
        assert_eq!(text, "body[1]: must be an object with a single key, not 2 keys");
    }

    #[test]
    fn empty_object_item_names_its_index() {
        let text = message(mozdef_body(&json!([{}])));
        assert_eq!(text, "body[0]: must be an object with a single key, not 0 keys");
    }

    #[test]
    fn non_object_item_names_its_index_and_type() {
        let text = message(mozdef_body(&json!([{"a": 1}, {"b": 1}, "ipaddress"])));
        assert_eq!(text, "body[2]: must be an object with a single key, not a string");
    }

    #[test]
    fn other_bodies_are_refused() {
        for (body, kind) in
            [(json!(null), "null"), (json!("x"), "a string"), (json!(3), "a number"), (json!(true), "a boolean")]
        {
            let text = message(mozdef_body(&body));
            assert_eq!(text, format!("body: must be a JSON object or a list of single-key objects, not {kind}"));
        }
    }
}
