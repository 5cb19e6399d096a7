//! Windows-protocol logs: `dce_rpc`, `kerberos`, `ntlm`, `smb_files`, `smb_mapping`.

use super::table::{Absent, Dest, Init, LogType, Seg, Step, Summary, default_str, reset};

pub(super) static LOG_TYPES: &[LogType] = &[
    LogType {
        name: "dce_rpc",
        steps: &[default_str("endpoint", "unknown"), default_str("operation", "unknown")],
        summary: Summary::Template(&[Seg::Lit("DCERPC: "), Seg::Flow]),
    },
    LogType {
        name: "kerberos",
        steps: &[
            default_str("request_type", "unknown"),
            default_str("client", "unknown"),
            default_str("service", "unknown"),
            default_str("error_msg", ""),
        ],
        summary: Summary::Template(&[
            Seg::Flow,
            Seg::Lit(" request "),
            Seg::Field("request_type"),
            Seg::Opt { key: "success", prefix: " success ", absent: " success unknown" },
        ]),
    },
    LogType {
        name: "ntlm",
        steps: &[
            reset("ntlm", Init::EmptyObject),
            Step::Move("domainname", Dest::In("ntlm", "domainname"), Absent::Set(Init::Str("unknown"))),
            Step::Move("hostname", Dest::In("ntlm", "hostname"), Absent::Set(Init::Str("unknown"))),
            Step::Move("username", Dest::In("ntlm", "username"), Absent::Set(Init::Str("unknown"))),
            default_str("status", "unknown"),
        ],
        summary: Summary::Template(&[
            Seg::Lit("NTLM: "),
            Seg::Flow,
            Seg::Lit(" "),
            Seg::Opt { key: "success", prefix: "success ", absent: "success unknown" },
            Seg::Lit(" status "),
            Seg::Field("status"),
        ]),
    },
    LogType {
        name: "smb_files",
        steps: &[
            reset("smbtimes", Init::EmptyObject),
            default_str("path", ""),
            default_str("name", ""),
            default_str("action", ""),
            Step::MoveTime("times.accessed", Dest::In("smbtimes", "accessed")),
            Step::MoveTime("times.changed", Dest::In("smbtimes", "changed")),
            Step::MoveTime("times.created", Dest::In("smbtimes", "created")),
            Step::MoveTime("times.modified", Dest::In("smbtimes", "modified")),
        ],
        summary: Summary::Template(&[Seg::Lit("SMB file: "), Seg::Flow, Seg::Lit(" "), Seg::Field("action")]),
    },
    LogType {
        name: "smb_mapping",
        steps: &[default_str("share_type", ""), default_str("path", "")],
        summary: Summary::Template(&[Seg::Lit("SMB mapping: "), Seg::Flow, Seg::Lit(" "), Seg::Field("share_type")]),
    },
];
