//! Detection logs: `intel` and `notice`.

use std::borrow::Cow;

use serde_json::Value;

use super::table::{Absent, Dest, Details, Init, LogType, Seg, Step, Summary, default_str, rename, reset};
use crate::plugins::PluginError;
use crate::plugins::netaddr::{find_ipv4, is_ipv4, is_ipv6};
use crate::python::py_str;

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "intel",
        steps: &[
            // MozDef's quirk, kept: without `seen.indicator`, `seenindicator` becomes '' even
            // when the log already had one.
            Step::Move("seen.indicator", Dest::Top("seenindicator"), Absent::Set(Init::Str(""))),
            rename("seen.node", "seennode"),
            rename("seen.where", "seenwhere"),
            rename("seen.indicator_type", "seenindicatortype"),
        ],
        summary: Summary::Template(&[
            Seg::Lit("Bro intel match of "),
            Seg::Field("seenindicatortype"),
            Seg::Lit(" in "),
            Seg::Field("seenwhere"),
        ]),
    },
    LogType {
        name: "notice",
        steps: &[
            reset("indicators", Init::EmptyArray),
            default_str("sub", ""),
            default_str("msg", ""),
            default_str("note", ""),
        ],
        summary: Summary::Custom(notice),
    },
];

/// The notice's indicators and source/destination addresses, and its summary
/// `{note} source {src} destination {dst} port {p}`.
///
/// * Only when `actions` is the string `Notice::ACTION_LOG` are the IPv4 addresses of the
///   `sub` text the first indicators (Zeek writes `actions` as a list, so in practice never;
///   a `sub` that is not a string gives none).
/// * An IPv4 `src` is an indicator and the source IP (v4) address; an IPv6 `src` is an
///   indicator and the source IPv6 address; `src` itself is removed.
/// * `dst` is removed; an IPv4 `dst` becomes the destination IP (v4) address, an IPv6 one the
///   destination IPv6 address.
fn notice(details: &mut Details) -> Result<String, PluginError> {
    let mut indicators: Vec<Value> = Vec::new();
    if let (Some(Value::String(actions)), Some(Value::String(sub))) = (details.get("actions"), details.get("sub"))
        && actions == "Notice::ACTION_LOG"
    {
        indicators.extend(find_ipv4(sub).map(|ip| Value::String(ip.to_owned())));
    }
    if let Some(src) = details.shift_remove("src")
        && let Value::String(ip) = &src
    {
        if is_ipv4(ip) {
            indicators.push(src.clone());
            details.insert("sourceipaddress".to_owned(), src.clone());
            details.insert("sourceipv4address".to_owned(), src.clone());
        }
        if is_ipv6(ip) {
            indicators.push(src.clone());
            details.insert("sourceipv6address".to_owned(), src);
        }
    }
    details.insert("indicators".to_owned(), Value::Array(indicators));

    let dst = details.shift_remove("dst");
    if let Some(Value::String(ip)) = &dst {
        if is_ipv4(ip) {
            details.insert("destinationipaddress".to_owned(), Value::String(ip.clone()));
            details.insert("destinationipv4address".to_owned(), Value::String(ip.clone()));
        }
        if is_ipv6(ip) {
            details.insert("destinationipv6address".to_owned(), Value::String(ip.clone()));
        }
    }

    let text = |value: Option<&Value>| value.map_or(Cow::Borrowed("unknown"), py_str).into_owned();
    let note = text(details.get("note"));
    let src = text(details.get("sourceipv6address").or_else(|| details.get("sourceipv4address")));
    let dst = text(dst.as_ref());
    let port = text(details.get("p"));
    Ok(format!("{note} source {src} destination {dst} port {port}"))
}
