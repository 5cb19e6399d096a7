//! Connection-level logs: `conn`, `dns`, `dhcp`, `tunnel`, `snmp`, `socks`.

use serde_json::Value;

use super::table::{Absent, Dest, Details, Init, LogType, Seg, Step, Summary, default, default_str};
use crate::plugins::PluginError;
use crate::python::{py_float_repr, py_str};

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "conn",
        steps: &[
            Step::Move("orig_ip_bytes", Dest::Top("originipbytes"), Absent::Fail),
            Step::Move("resp_ip_bytes", Dest::Top("responseipbytes"), Absent::Fail),
            default_str("history", ""),
        ],
        summary: Summary::Template(&[
            Seg::Field("sourceipaddress"),
            Seg::Lit(":"),
            Seg::Field("sourceport"),
            Seg::Lit(" -> "),
            Seg::Field("destinationipaddress"),
            Seg::Lit(":"),
            Seg::Field("destinationport"),
            Seg::Lit(" "),
            Seg::Field("history"),
            Seg::Lit(" "),
            Seg::Field("originipbytes"),
            Seg::Lit(" bytes / "),
            Seg::Field("responseipbytes"),
            Seg::Lit(" bytes"),
        ]),
    },
    LogType {
        name: "dns",
        steps: &[default_str("qtype_name", "unknown"), default_str("query", ""), default_str("rcode_name", "")],
        summary: Summary::Template(&[Seg::Lit("DNS "), Seg::Field("qtype_name"), Seg::Lit(" type query "), Seg::Flow]),
    },
    LogType {
        name: "dhcp",
        steps: &[
            default_str("assigned_addr", "0.0.0.0"),
            default_str("mac", "000000000000"),
            Step::Custom(mac_without_colons),
        ],
        summary: Summary::Template(&[Seg::Field("assigned_addr"), Seg::Lit(" assigned to "), Seg::Field("mac")]),
    },
    LogType {
        name: "tunnel",
        steps: &[default_str("tunnel_type", ""), default_str("action", "")],
        summary: Summary::Template(&[
            Seg::Flow,
            Seg::Lit(" "),
            Seg::Field("tunnel_type"),
            Seg::Lit(" "),
            Seg::Field("action"),
        ]),
    },
    LogType {
        name: "snmp",
        steps: &[
            default_str("version", "Unknown"),
            default("get_bulk_requests", Init::Int(0)),
            default("get_requests", Init::Int(0)),
            default("set_requests", Init::Int(0)),
            default("get_responses", Init::Int(0)),
            Step::Custom(get_requests_sum),
        ],
        summary: Summary::Template(&[
            Seg::Lit("SNMPv"),
            Seg::Field("version"),
            Seg::Lit(": "),
            Seg::Flow,
            Seg::Lit(" ("),
            Seg::Field("getreqestssum"),
            Seg::Lit(" get / "),
            Seg::Field("set_requests"),
            Seg::Lit(" set requests "),
            Seg::Field("get_responses"),
            Seg::Lit(" get responses)"),
        ]),
    },
    LogType {
        name: "socks",
        steps: &[default_str("version", "0"), default_str("status", "unknown")],
        summary: Summary::Template(&[
            Seg::Lit("SOCKSv"),
            Seg::Field("version"),
            Seg::Lit(": "),
            Seg::Flow,
            Seg::Lit(" status "),
            Seg::Field("status"),
        ]),
    },
];

/// `mac.replace(':', '')`; a MAC that is not a string is left as it is (MozDef raised an
/// `AttributeError`).
fn mac_without_colons(details: &mut Details) -> Result<(), PluginError> {
    if let Some(Value::String(mac)) = details.get_mut("mac")
        && mac.contains(':')
    {
        mac.retain(|c| c != ':');
    }
    Ok(())
}

/// `getreqestssum` (sic) = `'{0}'.format(get_bulk_requests + get_requests)` with Python's
/// `+`: numbers (and booleans) add up, two strings concatenate; other pairs fail.
fn get_requests_sum(details: &mut Details) -> Result<(), PluginError> {
    let (Some(bulk), Some(get)) = (details.get("get_bulk_requests"), details.get("get_requests")) else {
        return Err(PluginError::new("bro snmp log: details.get_requests is missing"));
    };
    let sum = match (bulk, get) {
        (Value::String(a), Value::String(b)) => format!("{a}{b}"),
        (a, b) => match (py_integer(a), py_integer(b)) {
            (Some(a), Some(b)) => (a + b).to_string(),
            _ => match (py_number(a), py_number(b)) {
                (Some(a), Some(b)) => py_float_repr(a + b),
                _ => {
                    return Err(PluginError::new(format!(
                        "bro snmp log: details.get_bulk_requests ({}) and details.get_requests ({}) cannot be added",
                        py_str(bulk),
                        py_str(get)
                    )));
                }
            },
        },
    };
    details.insert("getreqestssum".to_owned(), Value::String(sum));
    Ok(())
}

/// A Python `int` (or `bool`) operand.
fn py_integer(value: &Value) -> Option<i128> {
    match value {
        Value::Bool(b) => Some(i128::from(*b)),
        Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
        _ => None,
    }
}

/// A Python `int`, `bool` or `float` operand, as a float.
fn py_number(value: &Value) -> Option<f64> {
    match value {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}
