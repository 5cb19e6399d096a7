//! Streaming the `Records` of a CloudTrail log file (`{"Records": [{...}, ...]}`) one at a
//! time, so the file's text and its parsed records are never both held in memory.

use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Calls `on_record` with each element of the top-level `Records` list of the JSON object
/// read from `reader`, in order; other top-level keys are skipped unparsed. Reads to the
/// end, so trailing garbage is an error. `on_record` refuses a record by returning a
/// message, which becomes the error.
///
/// # Errors
///
/// The JSON error: syntax, a missing `Records` list, a refused record, or the reader's I/O
/// error (`serde_json::Error::is_io`).
pub(crate) fn for_each_record<R, F>(reader: R, mut on_record: F) -> Result<(), serde_json::Error>
where
    R: Read,
    F: FnMut(Value) -> Result<(), String>,
{
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, reader));
    LogFile(&mut on_record).deserialize(&mut de)?;
    de.end()
}

/// The top-level object.
struct LogFile<'f, F>(&'f mut F);

impl<'de, F: FnMut(Value) -> Result<(), String>> DeserializeSeed<'de> for LogFile<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Value) -> Result<(), String>> Visitor<'de> for LogFile<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object with a Records list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let on_record = self.0;
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "Records" {
                map.next_value_seed(Records(&mut *on_record))?;
                seen = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if seen { Ok(()) } else { Err(de::Error::missing_field("Records")) }
    }
}

/// The `Records` list.
struct Records<'f, F>(&'f mut F);

impl<'de, F: FnMut(Value) -> Result<(), String>> DeserializeSeed<'de> for Records<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Value) -> Result<(), String>> Visitor<'de> for Records<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            (self.0)(record).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records(text: &str) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        for_each_record(text.as_bytes(), |r| {
            out.push(r);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn records_stream_in_order_and_other_keys_are_skipped() {
        let text = r#"{"Other": {"deep": [1, 2]}, "Records": [{"a": 1}, {"b": 2}], "More": null}"#;
        assert_eq!(records(text), Ok(vec![json!({"a": 1}), json!({"b": 2})]));
        assert_eq!(records(r#"{"Records": []}"#), Ok(vec![]));
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(records(r#"{"NoRecords": []}"#).is_err_and(|e| e.contains("missing field `Records`")));
        assert!(records(r#"{"Records": {}}"#).is_err_and(|e| e.contains("a list of CloudTrail records")));
        assert!(records(r#"[1]"#).is_err_and(|e| e.contains("a JSON object with a Records list")));
        assert!(records(r#"{"Records": [{"a": 1}"#).is_err_and(|e| e.contains("EOF")));
        assert!(records(r#"{"Records": []} trailing"#).is_err_and(|e| e.contains("trailing characters")));
        let refused = for_each_record(&br#"{"Records": [1]}"#[..], |_| Err("no numbers".to_owned()));
        assert!(refused.is_err_and(|e| e.to_string().starts_with("no numbers")));
    }
}
