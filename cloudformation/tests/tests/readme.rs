//! The README's "Deploy" section lists every parameter of the parent template with its
//! default, and no parameter the template does not have.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use mozdef_cloudformation_tests::{parent, templates_dir};
use serde_json::Value;

/// The parameter rows of a markdown section: `| `Name` | `default` or *(empty)* | meaning |`.
fn documented(section: &str) -> BTreeMap<String, String> {
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let default = cells.get(2)?;
            let default = if *default == "*(empty)*" { "" } else { default.strip_prefix('`')?.strip_suffix('`')? };
            Some((name.to_owned(), default.to_owned()))
        })
        .collect()
}

fn default_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn the_deploy_section_documents_every_parameter_with_its_default() {
    let readme = std::fs::read_to_string(templates_dir().join("../README.md")).unwrap();
    let start = readme.find("\n## Deploy\n").expect("README has a Deploy section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    let rows = documented(section);
    let template = parent().unwrap();
    let parameters = template.section("Parameters");
    let mut problems = Vec::new();
    for (name, parameter) in parameters {
        let default = parameter.get("Default").map(default_text).unwrap_or_default();
        match rows.get(name) {
            None => problems.push(format!("{name} is not in the README's parameter tables")),
            Some(documented) if *documented != default => {
                problems
                    .push(format!("{name}: the README says the default is {documented:?}, the template {default:?}"));
            }
            Some(_) => {}
        }
    }
    for name in rows.keys().filter(|name| !parameters.contains_key(*name)) {
        problems.push(format!("the README documents {name}, which the template does not have"));
    }
    assert!(rows.len() > 40, "the parameter tables were not found ({} rows)", rows.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_wrong_default_in_a_table_is_caught() {
    let rows = documented("| `LogLevel` | `debug` | x |\n| `AlarmEmail` | *(empty)* | y |\n| not a row |");
    assert_eq!(rows.get("LogLevel").map(String::as_str), Some("debug"));
    assert_eq!(rows.get("AlarmEmail").map(String::as_str), Some(""));
    assert_eq!(rows.len(), 2);
}
