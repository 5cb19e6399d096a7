use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::plugins::{ChainOutcome, PluginChain};
use crate::{PipelineError, plugins::Metadata};

fn doc(value: Value) -> Document {
    value.as_object().cloned().unwrap_or_default()
}

/// A plugin with these steps, registered for `test`.
fn plugin(steps: Value) -> UserPlugin {
    let text = json!({"registration": ["test"], "steps": steps}).to_string();
    match UserPlugin::parse("test.json", &text) {
        Ok(plugin) => plugin,
        Err(e) => panic!("{e}"),
    }
}

/// Runs a plugin of these steps on `event`: the event as left, and the verdict or error.
fn run(steps: Value, event: Value) -> (Value, Result<Verdict, String>) {
    let mut event = doc(event);
    let verdict = plugin(steps).on_message(&mut event, &mut Metadata::default()).map_err(|e| e.0);
    (Value::Object(event), verdict)
}

/// The event after a plugin of these steps kept it.
fn kept(steps: Value, event: Value) -> Value {
    let (event, verdict) = run(steps, event);
    assert_eq!(verdict, Ok(Verdict::Keep), "{event}");
    event
}

/// The error a plugin of these steps fails with.
fn failed(steps: Value, event: Value) -> String {
    run(steps, event).1.err().unwrap_or_default()
}

/// The error of parsing `text` as `dir/name.json`.
fn load_error(text: &str) -> String {
    match UserPlugin::parse("plugins/p.json", text) {
        Ok(p) => panic!("loaded: {p:?}"),
        Err(e) => e.to_string(),
    }
}

// ---- actions ----

#[test]
fn set_writes_values_creating_objects() {
    let out = kept(
        json!([{"set": {"category": "vpn", "details.a.b": 1, "details.list": [1, 2], "n": null}}]),
        json!({"category": "old", "details": {"x": 1}}),
    );
    assert_eq!(out, json!({"category": "vpn", "details": {"x": 1, "a": {"b": 1}, "list": [1, 2]}, "n": null}));
    // A literal dotted key is written where get_path reads it.
    let out = kept(json!([{"set": {"details.x": 2}}]), json!({"details.x": 1}));
    assert_eq!(out, json!({"details.x": 2}));
}

#[test]
fn set_through_a_non_object_fails_naming_plugin_step_and_field() {
    let err = failed(json!([{"tag": "t"}, {"set": {"details.user.name": "x"}}]), json!({"details": {"user": "bob"}}));
    assert_eq!(
        err,
        "user plugin test (test.json), step 2 (set): cannot write `details.user.name`: `details.user` is a string, \
         not an object"
    );
}

#[test]
fn copy_and_set_from_copy_values() {
    for key in ["copy", "set_from"] {
        let out = kept(
            json!([{key: {"details.user": "details.username", "b": "missing", "c": "details"}}]),
            json!({"details": {"username": "alice"}}),
        );
        // Pairs apply in order: `c` copies `details` as the first pair left it.
        assert_eq!(
            out,
            json!({"details": {"username": "alice", "user": "alice"}, "c": {"username": "alice", "user": "alice"}})
        );
    }
    let err = failed(json!([{"copy": {"summary.x": "a"}}]), json!({"a": 1, "summary": "s"}));
    assert!(err.contains("step 1 (copy): cannot write `summary.x`: `summary` is a string"), "{err}");
    let err = failed(json!([{"set_from": {"summary.x": "a"}}]), json!({"a": 1, "summary": "s"}));
    assert!(err.contains("step 1 (set_from): cannot write `summary.x`"), "{err}");
}

#[test]
fn rename_moves_values() {
    let out = kept(
        json!([{"rename": {"user": "details.username", "missing": "x", "a.b": "c"}}]),
        json!({"user": "alice", "a": {"b": 1, "d": 2}, "z": 0}),
    );
    assert_eq!(out, json!({"a": {"d": 2}, "z": 0, "details": {"username": "alice"}, "c": 1}));
    // A failed rename keeps the value in the quarantined event.
    let (event, verdict) = run(json!([{"rename": {"user": "summary.user"}}]), json!({"user": "alice", "summary": "s"}));
    assert_eq!(
        verdict,
        Err("user plugin test (test.json), step 1 (rename): cannot write `summary.user`: `summary` is a string, not \
             an object"
            .into())
    );
    assert_eq!(event, json!({"summary": "s", "user": "alice"}));
}

#[test]
fn delete_removes_fields() {
    let out =
        kept(json!([{"delete": ["a", "b.c", "missing"]}, {"delete": "d"}]), json!({"a": 1, "b": {"c": 2}, "d": 3}));
    assert_eq!(out, json!({"b": {}}));
}

#[test]
fn tag_appends_without_duplicates() {
    assert_eq!(kept(json!([{"tag": "vpn"}]), json!({})), json!({"tags": ["vpn"]}));
    assert_eq!(kept(json!([{"tag": ["a", "b", "a"]}]), json!({"tags": ["b", 1]})), json!({"tags": ["b", 1, "a"]}));
    assert_eq!(kept(json!([{"tag": "b"}]), json!({"tags": null})), json!({"tags": ["b"]}));
    assert_eq!(kept(json!([{"tag": "b"}]), json!({"tags": "a"})), json!({"tags": ["a", "b"]}));
    let err = failed(json!([{"tag": "b"}]), json!({"tags": {"a": 1}}));
    assert!(err.ends_with("step 1 (tag): `tags` is an object, not a list"), "{err}");
}

#[test]
fn extract_writes_named_groups() {
    let steps = json!([{"extract": {"field": "summary", "regex": "user=(?P<user>\\w+)(?: port=(?P<port>\\d+))?"}}]);
    let out = kept(steps.clone(), json!({"summary": "login user=bob ok", "details": {"a": 1}}));
    assert_eq!(out, json!({"summary": "login user=bob ok", "details": {"a": 1, "user": "bob"}}));
    let out = kept(steps.clone(), json!({"summary": "user=bob port=22"}));
    assert_eq!(out["details"], json!({"user": "bob", "port": "22"}));
    // No match, missing or null field: nothing happens.
    for event in [json!({"summary": "nothing"}), json!({}), json!({"summary": null})] {
        assert_eq!(kept(steps.clone(), event.clone()), event);
    }
    let err = failed(steps, json!({"summary": 5}));
    assert!(err.ends_with("step 1 (extract): `summary` is a number, not a string"), "{err}");
    // `into` elsewhere, or at the top level.
    let out = kept(
        json!([{"extract": {"field": "m", "regex": "(?P<a>\\d)", "into": "x.y"}},
               {"extract": {"field": "m", "regex": "(?<b>\\d)", "into": ""}}]),
        json!({"m": "7"}),
    );
    assert_eq!(out, json!({"m": "7", "x": {"y": {"a": "7"}}, "b": "7"}));
    let err = failed(json!([{"extract": {"field": "m", "regex": "(?P<a>\\d)"}}]), json!({"m": "7", "details": 3}));
    assert!(err.ends_with("cannot write `details.a`: `details` is a number, not an object"), "{err}");
}

#[test]
fn lowercase_and_uppercase() {
    let out = kept(
        json!([{"lowercase": ["a", "b.c", "missing", "n"]}, {"uppercase": "d"}]),
        json!({"a": "MiXed ÄÖ", "b": {"c": "X"}, "d": "up", "n": null}),
    );
    assert_eq!(out, json!({"a": "mixed äö", "b": {"c": "x"}, "d": "UP", "n": null}));
    let err = failed(json!([{"lowercase": "a"}]), json!({"a": ["X"]}));
    assert!(err.ends_with("step 1 (lowercase): `a` is an array, not a string"), "{err}");
    let err = failed(json!([{"uppercase": "a"}]), json!({"a": 1}));
    assert!(err.ends_with("step 1 (uppercase): `a` is a number, not a string"), "{err}");
}

#[test]
fn drop_drops_and_stops() {
    let (event, verdict) = run(json!([{"drop": true}, {"set": {"x": 1}}]), json!({"a": 1}));
    assert_eq!((event, verdict), (json!({"a": 1}), Ok(Verdict::Drop)));
}

// ---- conditions ----

/// Whether `condition` holds for `event`.
fn holds(condition: Value, event: Value) -> bool {
    let (event, verdict) = run(json!([{"when": condition, "set": {"hit": true}}]), event);
    assert_eq!(verdict, Ok(Verdict::Keep));
    event.get("hit") == Some(&json!(true))
}

#[test]
fn equals() {
    let event = json!({"s": "x", "n": 1, "f": 1.5, "z": null, "o": {"a": [1]}, "d": {"e": "y"}});
    assert!(holds(json!({"field": "s", "equals": "x"}), event.clone()));
    assert!(!holds(json!({"field": "s", "equals": "X"}), event.clone()));
    assert!(holds(json!({"field": "n", "equals": 1.0}), event.clone()));
    assert!(holds(json!({"field": "f", "equals": 1.5}), event.clone()));
    assert!(!holds(json!({"field": "n", "equals": "1"}), event.clone()));
    assert!(holds(json!({"field": "z", "equals": null}), event.clone()));
    assert!(holds(json!({"field": "o", "equals": {"a": [1]}}), event.clone()));
    assert!(holds(json!({"field": "d.e", "equals": "y"}), event.clone()));
    assert!(!holds(json!({"field": "missing", "equals": null}), event));
}

#[test]
fn in_list() {
    let event = json!({"s": "b", "n": 2});
    assert!(holds(json!({"field": "s", "in": ["a", "b"]}), event.clone()));
    assert!(holds(json!({"field": "n", "in": [1, 2.0]}), event.clone()));
    assert!(!holds(json!({"field": "s", "in": []}), event.clone()));
    assert!(!holds(json!({"field": "missing", "in": [null]}), event));
}

#[test]
fn matches() {
    let event = json!({"s": "Accepted publickey for bob", "n": 22});
    assert!(holds(json!({"field": "s", "matches": "publickey for \\w+$"}), event.clone()));
    assert!(!holds(json!({"field": "s", "matches": "^publickey"}), event.clone()));
    assert!(holds(json!({"field": "s", "matches": "(?i)^accepted"}), event.clone()));
    assert!(!holds(json!({"field": "n", "matches": "22"}), event.clone()), "only strings match");
    assert!(!holds(json!({"field": "missing", "matches": ""}), event));
}

#[test]
fn exists() {
    let event = json!({"s": "", "z": null, "d": {"e": 0}});
    assert!(holds(json!({"field": "s", "exists": true}), event.clone()));
    assert!(holds(json!({"field": "d.e", "exists": true}), event.clone()));
    assert!(!holds(json!({"field": "z", "exists": true}), event.clone()));
    assert!(holds(json!({"field": "z", "exists": false}), event.clone()));
    assert!(holds(json!({"field": "missing", "exists": false}), event.clone()));
    assert!(!holds(json!({"field": "s", "exists": false}), event));
}

#[test]
fn contains() {
    let event = json!({"s": "Peer Connection Initiated", "tags": ["vpn", 3], "n": 12});
    assert!(holds(json!({"field": "s", "contains": "Connection"}), event.clone()));
    assert!(!holds(json!({"field": "s", "contains": "connection"}), event.clone()));
    assert!(holds(json!({"field": "tags", "contains": "vpn"}), event.clone()));
    assert!(holds(json!({"field": "tags", "contains": 3}), event.clone()));
    assert!(!holds(json!({"field": "tags", "contains": "vp"}), event.clone()), "elements compare whole");
    assert!(!holds(json!({"field": "n", "contains": "1"}), event.clone()));
    assert!(!holds(json!({"field": "missing", "contains": ""}), event));
}

#[test]
fn combinators() {
    let event = json!({"a": 1, "b": 2});
    let a = json!({"field": "a", "equals": 1});
    let not_b = json!({"field": "b", "equals": 0});
    assert!(holds(json!({"all": [a, a]}), event.clone()));
    assert!(!holds(json!({"all": [a, not_b]}), event.clone()));
    assert!(holds(json!({"any": [not_b, a]}), event.clone()));
    assert!(!holds(json!({"any": [not_b]}), event.clone()));
    assert!(holds(json!({"not": not_b}), event.clone()));
    assert!(!holds(json!({"not": {"not": not_b}}), event.clone()));
    // A test on a missing field is false, so its negation holds.
    assert!(holds(json!({"not": {"field": "missing", "equals": 1}}), event.clone()));
    assert!(holds(json!({"all": [{"any": [a, not_b]}, {"not": {"all": [a, not_b]}}]}), event));
}

#[test]
fn conditions_see_earlier_steps() {
    let out = kept(
        json!([{"set": {"x": 1}}, {"when": {"field": "x", "equals": 1}, "tag": "a"},
               {"when": {"field": "y", "exists": true}, "tag": "b"}]),
        json!({}),
    );
    assert_eq!(out, json!({"x": 1, "tags": ["a"]}));
}

// ---- the file ----

#[test]
fn defaults_and_metadata() {
    let p = UserPlugin::parse("dir/my-plugin.json", r#"{"registration": ["OpenVPN", "X"], "steps": [{"tag": "t"}]}"#);
    let p = p.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name(), "my-plugin");
    assert_eq!(p.registration(), ["openvpn", "x"]);
    assert_eq!(p.priority(), 100);
    assert_eq!(p.description(), "");
    assert_eq!(p.file(), "dir/my-plugin.json");
    let text = r#"{"name": "n", "description": "d", "priority": 0, "registration": ["x"], "steps": [{"tag": "t"}]}"#;
    let p = UserPlugin::parse("dir/other.json", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((p.name(), p.priority(), p.description()), ("n", 0, "d"));
}

#[test]
fn comments_are_allowed_and_keep_line_numbers() {
    let text = "// header\n{\n  \"registration\": [\"x\"], // trailing\n  \"steps\": [\n    {\"tag\": \"a//b\"},\n    {\"tag\": 1}\n  ]\n}\n";
    assert_eq!(
        load_error(text),
        "plugins/p.json:6:13: step 2: invalid type: integer `1`, expected a string or a list of strings"
    );
    let text = text.replace("{\"tag\": 1}", "{\"tag\": \"c\"}");
    let mut event = doc(json!({}));
    let p = UserPlugin::parse("p.json", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.on_message(&mut event, &mut Metadata::default()), Ok(Verdict::Keep));
    assert_eq!(Value::Object(event), json!({"tags": ["a//b", "c"]}));
}

#[test]
fn json_syntax_errors_name_file_line_and_column() {
    let text = "{\n  \"registration\": [\"x\"],\n  \"steps\": [\n    {\"tag\": \"a\"},\n  ]\n}\n";
    assert_eq!(load_error(text), "plugins/p.json:5:3: trailing comma");
    assert_eq!(load_error(""), "plugins/p.json:1:1: EOF while parsing a value");
    assert_eq!(
        load_error("\n  [{}]"),
        "plugins/p.json:2:3: a plugin file holds one JSON object, `{\"registration\": [...], \"steps\": [...]}`"
    );
}

#[test]
fn format_errors_name_file_line_and_column() {
    // Unknown keys, at the top, in a step, in a condition, in extract.
    let text = "{\"registration\": [\"x\"],\n \"prio\": 1, \"steps\": [{\"tag\": \"a\"}]}";
    let err = load_error(text);
    assert!(err.starts_with("plugins/p.json:2:7: unknown field `prio`, expected one of `name`,"), "{err}");
    let text = "{\"registration\": [\"x\"], \"steps\": [\n  {\"tag\": \"a\"},\n  {\"tags\": \"a\"}\n]}";
    let err = load_error(text);
    assert!(err.starts_with("plugins/p.json:3:9: step 2: unknown field `tags`, expected one of `when`,"), "{err}");
    let text =
        "{\"registration\": [\"x\"], \"steps\": [\n  {\"when\": {\"field\": \"a\", \"equal\": 1}, \"tag\": \"a\"}\n]}";
    let err = load_error(text);
    assert!(err.starts_with("plugins/p.json:2:33: step 1: unknown field `equal`, expected one of `field`,"), "{err}");
    let text = "{\"registration\": [\"x\"], \"steps\": [\n  {\"extract\": {\"field\": \"a\", \"regexp\": \"x\"}}\n]}";
    let err = load_error(text);
    assert!(err.starts_with("plugins/p.json:2:37: step 1: unknown field `regexp`, expected one of"), "{err}");
    // Wrong types, missing required keys.
    let text = "{\"registration\": \"x\", \"steps\": []}";
    assert_eq!(load_error(text), "plugins/p.json:1:20: invalid type: string \"x\", expected a sequence");
    let text = "{\"registration\": [\"x\"], \"priority\": -1, \"steps\": [{\"tag\": \"a\"}]}";
    assert_eq!(load_error(text), "plugins/p.json:1:38: invalid value: integer `-1`, expected u32");
    let text = "{\"registration\": [\"x\"], \"steps\": [{\"drop\": \"yes\"}]}";
    assert_eq!(load_error(text), "plugins/p.json:1:48: step 1: invalid type: string \"yes\", expected a boolean");
    let text = "{\"registration\": [\"x\"], \"steps\": [{\"rename\": {\"a\": 1}}]}";
    assert_eq!(load_error(text), "plugins/p.json:1:52: step 1: invalid type: integer `1`, expected a string");
    assert_eq!(load_error("{\"steps\": []}"), "plugins/p.json:1:13: missing field `registration`");
    assert_eq!(load_error("{\"registration\": [\"x\"]}"), "plugins/p.json:1:23: missing field `steps`");
}

#[test]
fn semantic_errors_point_at_the_value() {
    let cases: &[(&str, &str)] = &[
        ("{\"registration\": [],\n \"steps\": [{\"tag\": \"a\"}]}", "1:18: registration: lists no keyword"),
        ("{\"registration\": [\"x\", \" \"], \"steps\": [{\"tag\": \"a\"}]}", "1:24: registration: empty keyword"),
        ("{\"registration\": [\"x\"],\n \"steps\": []}", "2:11: steps: lists no step"),
        (
            "{\"name\": \"a b\", \"registration\": [\"x\"], \"steps\": [{\"tag\": \"a\"}]}",
            "1:10: name: use letters, digits, `_`, `-` and `.` only",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [\n  {\"tag\": \"a\"},\n  {\"when\": {\"field\": \"a\", \"exists\": true}}\n]}",
            "3:3: step 2: no action; a step needs one of set, set_from, copy, rename, delete, tag, extract, lowercase, \
             uppercase, drop",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [\n  {\"tag\": \"a\",\n   \"drop\": true}\n]}",
            "3:12: step 1: more than one action (tag, drop); give each its own step",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [\n  {\"extract\": {\"field\": \"s\",\n     \"regex\": \"(?P<u>\"}}\n]}",
            "3:15: step 1: extract: invalid regex: error: unclosed group",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"extract\": {\"field\": \"s\", \"regex\": \"(\\\\w+)\"}}]}",
            "1:71: step 1: extract: the regex has no named group, e.g. (?P<user>\\S+)",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"extract\": {\"field\": \"s.\", \"regex\": \"(?P<u>x)\"}}]}",
            "1:57: step 1: extract: invalid field path `s.`",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"extract\": {\"field\": \"s\", \"regex\": \"(?P<u>x)\", \"into\": \"..\"}}]}",
            "1:91: step 1: extract: invalid path `..` in into",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"tag\": \"a\"}, {\"when\": {\"any\": [\n  {\"field\": \"a\", \"equals\": 1},\n  \
             {\"not\": {\"field\": \"b\", \"matches\": \"[\"}}\n]}, \"drop\": true}]}",
            "3:37: step 2: condition: invalid regex: error: unclosed character class",
        ),
        ("{\"registration\": [\"x\"], \"steps\": [{\"delete\": []}]}", "1:46: step 1: delete: lists no field"),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"set\": {\"a..b\": 1}}]}",
            "1:43: step 1: set: invalid field path `a..b`",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"tag\": [\"a\", \"\"]}]}",
            "1:49: step 1: tag: a tag must not be empty",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"drop\": false}]}",
            "1:44: step 1: drop: must be true (leave the step out to keep events)",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {}, \"drop\": true}]}",
            "1:44: step 1: empty condition; a condition is {\"field\": ..., <equals|in|matches|exists|contains>: ...} or \
             one of {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"equals\": 1}, \"drop\": true}]}",
            "1:55: step 1: condition: `equals` needs a `field`",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"field\": \"a\"}, \"drop\": true}]}",
            "1:44: step 1: condition on `a` has no test; a condition is",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"field\": \"a\", \"equals\": 1, \"in\": []}, \"drop\": true}]}",
            "1:78: step 1: condition on `a` has more than one test (equals, in)",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"field\": \"a\", \"all\": []}, \"drop\": true}]}",
            "1:66: step 1: condition: `field` cannot go with `all`",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"all\": [], \"not\": {}}, \"drop\": true}]}",
            "1:63: step 1: condition has more than one of all, not; nest them",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"all\": []}, \"drop\": true}]}",
            "1:52: step 1: condition: `all` lists no condition",
        ),
        (
            "{\"registration\": [\"x\"], \"steps\": [{\"when\": {\"field\": \"\", \"exists\": true}, \"drop\": true}]}",
            "1:54: step 1: condition: invalid field path ``",
        ),
    ];
    let mismatches: Vec<String> = cases
        .iter()
        .map(|(text, expected)| (load_error(text), format!("plugins/p.json:{expected}")))
        .filter(|(err, expected)| !err.starts_with(expected))
        .map(|(err, expected)| format!("\n got: {err}\nwant: {expected}"))
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.concat());
    // A file name that is no plugin name, without `name`.
    let err = UserPlugin::parse("dir/my plugin.json", "{\"registration\": [\"x\"], \"steps\": [{\"tag\": \"a\"}]}");
    assert!(err.is_err_and(|e| e.to_string().starts_with("dir/my plugin.json:1:1: the file name is not a valid")));
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
}

const MINIMAL: &str = r#"{"registration": ["x"], "steps": [{"tag": "a"}]}"#;

#[test]
fn load_dir_reads_json_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "b.json", MINIMAL);
    write(dir.path(), "a.json", MINIMAL);
    write(dir.path(), "c.json", &MINIMAL.replacen('{', "{\"name\": \"zz\", ", 1));
    write(dir.path(), "notes.txt", "not a plugin");
    write(dir.path(), ".hidden.json", "{");
    std::fs::create_dir(dir.path().join("sub.json")).unwrap_or_else(|e| panic!("{e}"));
    let plugins = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plugins.iter().map(|p| p.name()).collect::<Vec<_>>(), ["a", "b", "zz"]);
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert!(load_dir(empty.path()).is_ok_and(|p| p.is_empty()));
}

#[test]
fn load_dir_errors() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let shown = |name: &str| dir.path().join(name).display().to_string();

    write(dir.path(), "a.json", MINIMAL);
    write(dir.path(), "b.json", &MINIMAL.replacen('{', "{\"name\": \"a\", ", 1));
    let err = load_dir(dir.path()).err().map(|e| e.to_string());
    assert_eq!(err, Some(format!("{}: plugin name `a` is already used by {}", shown("b.json"), shown("a.json"))));

    for builtin in ["geoip", "parse_sshd"] {
        write(dir.path(), "b.json", &MINIMAL.replacen('{', &format!("{{\"name\": \"{builtin}\", "), 1));
        let err = load_dir(dir.path()).err().map(|e| e.to_string());
        let expected =
            format!("{}: plugin name `{builtin}` is the name of a built-in plugin; choose another", shown("b.json"));
        assert_eq!(err, Some(expected));
    }

    // The first broken file (in name order) fails the load.
    write(
        dir.path(),
        "b.json",
        "{\n  \"registration\": [\"x\"],\n  \"steps\": [{\"set\": {\"a\": 1}, \"copy\": {}}]\n}",
    );
    let err = load_dir(dir.path()).err().map(|e| e.to_string());
    let expected =
        format!("{}:3:39: step 1: more than one action (set, copy); give each its own step", shown("b.json"));
    assert_eq!(err, Some(expected));

    let missing = dir.path().join("missing");
    let err = load_dir(&missing).err();
    assert!(matches!(&err, Some(UserPluginError::Io { path, .. }) if *path == missing));
    assert!(err.is_some_and(|e| e.to_string().starts_with(&format!("{}: cannot read: ", missing.display()))));
}

// ---- in a chain ----

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/user_plugins"))
}

#[test]
fn fixture_plugins_in_a_chain() {
    let plugins = load_dir(fixtures_dir()).unwrap_or_else(|e| panic!("{e}"));
    let chain = PluginChain::new(plugins);
    assert_eq!(chain.names(), ["drop_health_checks", "openvpn_logins", "payroll_app"]);
    let run = |event: Value| chain.run(doc(event), Metadata::default());

    // An OpenVPN login is tagged, its user and address extracted.
    let summary = "203.0.113.7:51234 [JDoe@example.com] Peer Connection Initiated with [AF_INET]203.0.113.7:51234";
    let outcome = run(json!({"processname": "openvpn", "hostname": "vpn1", "summary": summary, "details": {}}));
    let ChainOutcome::Event { event, metadata } = outcome else { panic!("{outcome:?}") };
    assert_eq!(metadata, Metadata::default());
    assert_eq!(
        Value::Object(event),
        json!({
            "processname": "openvpn", "hostname": "vpn1", "summary": summary,
            "details": {"sourceipaddress": "203.0.113.7", "sourceport": "51234", "username": "jdoe@example.com",
                        "authstatus": "success"},
            "tags": ["vpn", "login"], "category": "authentication",
            "mozdef": {"plugins": ["openvpn_logins"]},
        })
    );
    // Another OpenVPN line: offered, left alone.
    let outcome = run(json!({"processname": "openvpn", "summary": "TLS: soft reset"}));
    let ChainOutcome::Event { event, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(
        Value::Object(event),
        json!({"processname": "openvpn", "summary": "TLS: soft reset",
                                            "mozdef": {"plugins": ["openvpn_logins"]}})
    );

    // Health checks are dropped; other requests kept.
    let outcome = run(json!({"processname": "nginx", "details": {"useragent": "ELB-HealthChecker/2.0"}}));
    assert_eq!(outcome, ChainOutcome::Dropped { plugin: "drop_health_checks" });
    let outcome = run(json!({"processname": "nginx", "details": {"request": "/healthz", "status": 200}}));
    assert_eq!(outcome, ChainOutcome::Dropped { plugin: "drop_health_checks" });
    let outcome = run(json!({"processname": "nginx", "details": {"request": "/healthz", "status": 503}}));
    assert!(matches!(outcome, ChainOutcome::Event { .. }), "{outcome:?}");

    // The custom payroll application.
    let outcome = run(json!({
        "customendpoint": true, "endpoint": "payroll", "summary": "payroll: user=alice action=export rows=120",
        "rows": 120, "debug": {"trace": "x"}, "details": {"session_cookie": "secret"},
    }));
    let ChainOutcome::Event { event, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(
        Value::Object(event),
        json!({
            "customendpoint": true, "endpoint": "payroll", "summary": "payroll: user=alice action=export rows=120",
            "details": {"username": "alice", "action": "EXPORT", "rowcount": 120},
            "category": "payroll", "source": "payroll", "tags": ["sensitive"],
            "mozdef": {"plugins": ["payroll_app"]},
        })
    );
    // An event the payroll plugin cannot handle goes to quarantine with the reason...
    let outcome = run(json!({"endpoint": "payroll", "summary": "user=bob action=view", "details": "oops"}));
    let ChainOutcome::Failed { event, error } = outcome else { panic!("{outcome:?}") };
    assert_eq!(event.get("details"), Some(&json!("oops")));
    let PipelineError::Plugin { plugin, reason } = error else { panic!("{error:?}") };
    assert_eq!(plugin, "payroll_app");
    assert!(
        reason.starts_with("user plugin payroll_app (")
            && reason.ends_with(
                "payroll_app.json), step 1 (extract): cannot write `details.username`: `details` is \
                                 a string, not an object"
            ),
        "{reason}"
    );
    // ... and the next event goes through.
    let outcome = run(json!({"endpoint": "payroll", "summary": "user=bob action=view"}));
    let ChainOutcome::Event { event, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(event["details"], json!({"username": "bob", "action": "view"}));
    assert_eq!(event.get("tags"), None);

    // Unregistered events are not offered.
    let outcome = run(json!({"processname": "sshd", "summary": "user=x action=delete"}));
    let ChainOutcome::Event { event, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(event["mozdef"], json!({"plugins": []}));
}

#[test]
fn user_plugins_run_with_builtins_by_priority() {
    let mut plugins = crate::plugins::builtin(&PluginConfig::default());
    let builtins = plugins.len();
    plugins.extend(load_dir(fixtures_dir()).unwrap_or_else(|e| panic!("{e}")));
    let chain = PluginChain::new(plugins);
    let names = chain.names();
    assert_eq!(names.len(), builtins + 3);
    let position = |name: &str| names.iter().position(|n| *n == name);
    // Priority 10 runs after the built-ins of priority 5; ties keep the given order, so the
    // user plugins of default priority 100 come after the built-ins of priority 100.
    assert!(position("drop_health_checks") > position("parse_sshd"));
    assert!(position("drop_health_checks") < position("openvpn_logins"));
    assert_eq!(names.last(), Some(&"payroll_app"));
}

// ---- robustness ----

use mozdef_model::rng::SplitMix64 as Rng;

const KEYS: &[&str] = &["a", "b", "details", "a.b", "tags", "summary", "details.user", "x"];
const PATHS: &[&str] = &["a", "b", "a.b", "a.b.c", "details.user", "tags", "summary", "x.y", "details", "b.a"];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.index(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.index(3) == 0),
        2 => json!(rng.index(100)),
        3 | 4 => json!(*rng.pick(&["", "user=bob x", "Peer", "ÄÖ", "a.b", "vpn", "22"])),
        5 => Value::Array((0..rng.index(3)).map(|_| random_value(rng, depth - 1)).collect()),
        _ => Value::Object(
            (0..rng.index(4)).map(|_| (rng.pick(KEYS).to_string(), random_value(rng, depth - 1))).collect(),
        ),
    }
}

fn random_condition(rng: &mut Rng, depth: usize) -> Value {
    let field = *rng.pick(PATHS);
    match rng.index(if depth == 0 { 5 } else { 8 }) {
        0 => json!({"field": field, "equals": random_value(rng, 1)}),
        1 => json!({"field": field, "in": [random_value(rng, 0), random_value(rng, 0)]}),
        2 => json!({"field": field, "matches": rng.pick(&["^a", "b", "Pe+r", ""])}),
        3 => json!({"field": field, "exists": rng.index(2) == 0}),
        4 => json!({"field": field, "contains": random_value(rng, 0)}),
        5 => json!({"all": [random_condition(rng, depth - 1), random_condition(rng, depth - 1)]}),
        6 => json!({"any": [random_condition(rng, depth - 1)]}),
        _ => json!({"not": random_condition(rng, depth - 1)}),
    }
}

fn random_step(rng: &mut Rng) -> Value {
    let (a, b) = (*rng.pick(PATHS), *rng.pick(PATHS));
    let mut step = match rng.index(10) {
        0 => json!({"set": {a: random_value(rng, 2)}}),
        1 => json!({"copy": {a: b}}),
        2 => json!({"rename": {a: b}}),
        3 => json!({"delete": [a, b]}),
        4 => json!({"tag": ["t", "u"]}),
        5 => {
            json!({"extract": {"field": a, "regex": "(?P<user>[a-z]+)=(?P<v>[a-z]*)", "into": rng.pick(&["", "details", b])}})
        }
        6 => json!({"lowercase": a}),
        7 => json!({"uppercase": [a, b]}),
        8 => json!({"drop": true}),
        _ => json!({"set_from": {a: b}}),
    };
    if rng.index(2) == 0 {
        step["when"] = random_condition(rng, 2);
    }
    step
}

#[test]
fn random_plugins_and_events_never_panic() {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let (mut kept, mut dropped, mut failed) = (0, 0, 0);
    for _ in 0..200 {
        let steps: Vec<Value> = (0..1 + rng.index(5)).map(|_| random_step(&mut rng)).collect();
        let p = plugin(Value::Array(steps));
        for _ in 0..30 {
            let mut event = match random_value(&mut rng, 3) {
                Value::Object(map) => map,
                other => doc(json!({"summary": other})),
            };
            match p.on_message(&mut event, &mut Metadata::default()) {
                Ok(Verdict::Keep) => kept += 1,
                Ok(Verdict::Drop) => dropped += 1,
                Err(e) => {
                    assert!(e.0.starts_with("user plugin test (test.json), step "), "{e}");
                    failed += 1;
                }
            }
        }
    }
    assert!(kept > 0 && dropped > 0 && failed > 0, "{kept} {dropped} {failed}");
}

#[test]
fn mangled_files_never_panic() {
    let mut rng = Rng::new(42);
    let texts: Vec<String> = ["openvpn_logins.json", "payroll_app.json", "drop_health_checks.json"]
        .iter()
        .map(|f| std::fs::read_to_string(fixtures_dir().join(f)).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let alphabet = b"{}[]\":,/\\ \n0aZ.?()<>-*";
    let mut loaded = 0;
    for _ in 0..600 {
        let mut bytes = rng.pick(&texts).clone().into_bytes();
        for _ in 0..1 + rng.index(3) {
            let at = rng.index(bytes.len());
            match rng.index(3) {
                0 => bytes[at] = *rng.pick(alphabet),
                1 => bytes.insert(at, *rng.pick(alphabet)),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        match UserPlugin::parse("m.json", &text) {
            Ok(_) => loaded += 1,
            Err(e) => assert!(e.to_string().starts_with("m.json:"), "{e}"),
        }
    }
    assert!(loaded > 0);
}
