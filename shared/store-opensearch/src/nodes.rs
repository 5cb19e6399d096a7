//! Per-node figures of the cluster (MozDef's `healthToMongo` → `healthesnodes`), from
//! `GET /_nodes/stats/os,jvm,fs,process`.

use opensearch::http::Method;
use serde_json::{Map, Value, json};

use crate::{Client, OpenSearchError};

/// The request the figures come from.
const PATH: &str = "/_nodes/stats/os,jvm,fs,process";

/// Bytes in a GB as MozDef counts them (GiB: 1024³).
const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// One JSON object per node of the cluster, sorted by `name` (see [`figures_of`]).
pub async fn node_stats(client: &Client) -> Result<Vec<Value>, OpenSearchError> {
    let answer = client.json(Method::Get, PATH, &[], None).await?;
    figures_of(&answer)
}

/// The figures of a `_nodes/stats` answer, one object per node, sorted by `name` (then `id`):
///
/// * `id`: the node id; `name`: the node name (the id when absent); `hostname`: its `host`
///   (the id when absent, as in MozDef);
/// * `cpu`: `os.cpu.percent`; `load`: `os.cpu.load_average."1m"`;
/// * `heap_percent`: `jvm.mem.heap_used_percent`;
/// * `gc_old_seconds`: `jvm.gc.collectors.old.collection_time_in_millis` / 1000;
/// * `disk_free_gb`, `disk_total_gb`: `fs.total.available_in_bytes` and `total_in_bytes` in
///   GB (1024³ bytes), rounded to 2 decimals.
///
/// A figure the node does not report (load average on Windows, say) is `null`. An answer
/// without a `nodes` object is an error.
pub fn figures_of(answer: &Value) -> Result<Vec<Value>, OpenSearchError> {
    let nodes = answer["nodes"]
        .as_object()
        .ok_or_else(|| OpenSearchError::Response { what: format!("GET {PATH}"), message: "no nodes object".into() })?;
    let mut out: Vec<Value> = nodes.iter().map(|(id, node)| node_figures(id, node)).collect();
    out.sort_by(|a, b| {
        let key = |v: &Value| {
            (v["name"].as_str().unwrap_or_default().to_owned(), v["id"].as_str().unwrap_or_default().to_owned())
        };
        key(a).cmp(&key(b))
    });
    Ok(out)
}

fn node_figures(id: &str, node: &Value) -> Value {
    let text = |v: &Value| v.as_str().unwrap_or(id).to_owned();
    let gb = |v: &Value| v.as_f64().map(|bytes| round2(bytes / GB));
    let mut figures = Map::new();
    figures.insert("id".into(), json!(id));
    figures.insert("name".into(), json!(text(&node["name"])));
    figures.insert("hostname".into(), json!(text(&node["host"])));
    figures.insert("cpu".into(), number(&node["os"]["cpu"]["percent"]));
    figures.insert("load".into(), number(&node["os"]["cpu"]["load_average"]["1m"]));
    figures.insert("heap_percent".into(), number(&node["jvm"]["mem"]["heap_used_percent"]));
    let gc_millis = node["jvm"]["gc"]["collectors"]["old"]["collection_time_in_millis"].as_f64();
    figures.insert("gc_old_seconds".into(), json!(gc_millis.map(|ms| ms / 1000.0)));
    figures.insert("disk_free_gb".into(), json!(gb(&node["fs"]["total"]["available_in_bytes"])));
    figures.insert("disk_total_gb".into(), json!(gb(&node["fs"]["total"]["total_in_bytes"])));
    Value::Object(figures)
}

/// The value if it is a number, else `null`.
fn number(v: &Value) -> Value {
    if v.is_number() { v.clone() } else { Value::Null }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn figures_per_node_sorted_by_name() {
        let answer = json!({"nodes": {
            "id-b": {"name": "node-b", "host": "10.0.0.2",
                "os": {"cpu": {"percent": 7, "load_average": {"1m": 0.5, "5m": 0.4}}},
                "jvm": {"mem": {"heap_used_percent": 42}, "gc": {"collectors": {"old": {"collection_time_in_millis": 1500}}}},
                "fs": {"total": {"available_in_bytes": 5_368_709_120_u64, "total_in_bytes": 10_737_418_240_u64}}},
            "id-a": {"name": "node-a", "os": {"cpu": {"percent": 3}}, "jvm": {"mem": {"heap_used_percent": 10}},
                "fs": {"total": {"available_in_bytes": 1_000_000_000_u64, "total_in_bytes": 2_000_000_000_u64}}},
        }});
        let got = figures_of(&answer).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["name"], "node-a");
        assert_eq!(got[0]["hostname"], "id-a");
        assert_eq!(got[0]["load"], Value::Null);
        assert_eq!(got[0]["gc_old_seconds"], Value::Null);
        assert_eq!(got[0]["disk_free_gb"], json!(0.93));
        assert_eq!(got[0]["disk_total_gb"], json!(1.86));
        assert_eq!(
            got[1],
            json!({"id": "id-b", "name": "node-b", "hostname": "10.0.0.2", "cpu": 7, "load": 0.5,
                "heap_percent": 42, "gc_old_seconds": 1.5, "disk_free_gb": 5.0, "disk_total_gb": 10.0})
        );
    }

    #[test]
    fn an_answer_without_nodes_is_named() {
        let err = figures_of(&json!({"_nodes": {"total": 0}})).unwrap_err();
        assert!(err.to_string().contains("no nodes object"), "{err}");
    }
}
