//! Asset-inventory logs: `known_certs`, `known_devices`, `known_hosts`, `known_services`,
//! `software`.

use serde_json::json;

use super::table::{Details, Init, LogType, Seg, Step, Summary, default, default_str, nest, reset};
use crate::plugins::PluginError;
use crate::python::py_truthy;

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "known_certs",
        steps: &[default_str("serial", "0")],
        summary: Summary::Template(&[
            Seg::Lit("Certificate X509 seen from: "),
            Seg::Field("host"),
            Seg::Lit(":"),
            Seg::Field("port_num"),
        ]),
    },
    LogType {
        name: "known_devices",
        steps: &[default_str("mac", ""), default_str("dhcp_host_name", "")],
        summary: Summary::Template(&[Seg::Lit("New host: "), Seg::Field("mac")]),
    },
    LogType {
        name: "known_hosts",
        steps: &[default_str("host", "")],
        summary: Summary::Template(&[Seg::Lit("New host: "), Seg::Field("host")]),
    },
    LogType {
        name: "known_services",
        steps: &[
            default("service", Init::EmptyArray),
            Step::Custom(unknown_service_when_empty),
            default_str("host", "unknown"),
            default_str("port_num", "0"),
            default_str("port_proto", ""),
        ],
        summary: Summary::Template(&[
            Seg::Lit("New service: "),
            Seg::First("service"),
            Seg::Lit(" on host "),
            Seg::Field("host"),
            Seg::Lit(":"),
            Seg::Field("port_num"),
            Seg::Lit(" / "),
            Seg::Field("port_proto"),
        ]),
    },
    LogType {
        name: "software",
        steps: &[
            reset("parsed_version", Init::EmptyObject),
            default_str("name", "unparsed"),
            default_str("software_type", "unknown"),
            // MozDef replaced the whole of `details` with '' here and then crashed.
            default_str("host", ""),
            nest("version.addl", "parsed_version", "addl"),
            nest("version.major", "parsed_version", "major"),
            nest("version.minor", "parsed_version", "minor"),
            nest("version.minor2", "parsed_version", "minor2"),
            nest("version.minor3", "parsed_version", "minor3"),
        ],
        summary: Summary::Template(&[
            Seg::Lit("Found "),
            Seg::Field("software_type"),
            Seg::Lit(" software on "),
            Seg::Field("host"),
        ]),
    },
];

/// An empty (Python-falsy) `service` becomes `['Unknown']`.
fn unknown_service_when_empty(details: &mut Details) -> Result<(), PluginError> {
    if !details.get("service").is_some_and(py_truthy) {
        details.insert("service".to_owned(), json!(["Unknown"]));
    }
    Ok(())
}
