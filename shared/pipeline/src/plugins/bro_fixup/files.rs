//! File-analysis logs: `files`, `pe`, `x509`.

use serde_json::Value;

use super::table::{Absent, Dest, Details, Init, LogType, Seg, Step, Summary, default_str, first_item, nest, reset};
use crate::plugins::PluginError;

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "files",
        steps: &[
            Step::Custom(host_addresses),
            default_str("mime_type", "unknown"),
            default_str("filename", "unknown"),
            default_str("total_bytes", "0"),
            default_str("md5", "None"),
            default_str("filesource", "None"),
        ],
        summary: Summary::Template(&[
            Seg::First("rx_hosts"),
            Seg::Lit(" downloaded (MD5) "),
            Seg::Field("md5"),
            Seg::Lit(" MIME "),
            Seg::Field("mime_type"),
            Seg::Lit(" ("),
            Seg::Field("total_bytes"),
            Seg::Lit(" bytes) from "),
            Seg::First("tx_hosts"),
            Seg::Lit(" via "),
            Seg::Field("filesource"),
        ]),
    },
    LogType {
        name: "pe",
        steps: &[default_str("os", ""), default_str("subsystem", "")],
        summary: Summary::Template(&[Seg::Lit("PE file: "), Seg::Field("os"), Seg::Lit(" "), Seg::Field("subsystem")]),
    },
    LogType {
        name: "x509",
        steps: &[
            reset("certificate", Init::EmptyObject),
            nest("basic_constraints.ca", "certificate", "basic_constraints_ca"),
            nest("basic_constraints.path_len", "certificate", "basic_constraints_path_len"),
            nest("certificate.exponent", "certificate", "exponent"),
            nest("certificate.issuer", "certificate", "issuer"),
            nest("certificate.key_alg", "certificate", "key_alg"),
            nest("certificate.key_length", "certificate", "key_length"),
            nest("certificate.key_type", "certificate", "key_type"),
            Step::MoveTime("certificate.not_valid_after", Dest::In("certificate", "not_valid_after")),
            Step::MoveTime("certificate.not_valid_before", Dest::In("certificate", "not_valid_before")),
            nest("certificate.sig_alg", "certificate", "sig_alg"),
            nest("certificate.subject", "certificate", "subject"),
            nest("certificate.version", "certificate", "version"),
            Step::Move("certificate.serial", Dest::In("certificate", "serial"), Absent::Set(Init::Str("0"))),
        ],
        summary: Summary::Template(&[Seg::Lit("X509 certificate seen")]),
    },
];

/// The receiving and sending hosts' first addresses become the source and destination IP
/// addresses.
fn host_addresses(details: &mut Details) -> Result<(), PluginError> {
    for (hosts, address) in [("rx_hosts", "sourceipaddress"), ("tx_hosts", "destinationipaddress")] {
        if details.contains_key(hosts) {
            let first = first_item("files", details, hosts)?.into_owned();
            details.insert(address.to_owned(), Value::String(first));
        }
    }
    Ok(())
}
