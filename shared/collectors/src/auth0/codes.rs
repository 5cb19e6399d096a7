//! Auth0's log event type codes, as MozDef's `cron/auth02mozdef.py` named them (its `log_types`
//! table, 98 codes): the code Auth0 puts in a log's `type`, the name MozDef gave it (which
//! becomes `details.eventname`, and whose words choose the category and `details.success`), and
//! the level (0 debug, 1 info, 2 warning, 3 error, 4 critical) that chooses the severity.
//!
//! Auth0 has added codes since; a code missing here keeps its code as the event name (see
//! [`super`]). Names are MozDef's, quirks included (`sd` "Success Delegation" is level 3, `feccft`
//! a failure at level 1, `sede` "Successful ..."), because alerts and saved searches match them.

/// One log type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogType {
    /// Auth0's code (`fp`).
    pub code: &'static str,
    /// MozDef's name of it (`Failed Login (wrong password)`).
    pub event: &'static str,
    /// Its level: 0 debug, 1 info, 2 warning, 3 error, 4 critical.
    pub level: u8,
}

/// The log type of `code`, if MozDef named it.
pub fn log_type(code: &str) -> Option<&'static LogType> {
    LOG_TYPES.binary_search_by(|t| t.code.cmp(code)).ok().map(|i| &LOG_TYPES[i])
}

/// Every log type MozDef named, sorted by code (for [`log_type`]'s binary search).
pub static LOG_TYPES: &[LogType] = &[
    LogType { code: "admin_update_launch", event: "Auth0 Update Launched", level: 1 },
    LogType { code: "api_limit", event: "Rate Limit On API", level: 4 },
    LogType { code: "cls", event: "Code/Link Sent", level: 0 },
    LogType { code: "coff", event: "Connector Offline", level: 3 },
    LogType { code: "con", event: "Connector Online", level: 1 },
    LogType { code: "cs", event: "Code Sent", level: 0 },
    LogType { code: "depnote", event: "Deprecation Note", level: 1 },
    LogType { code: "du", event: "Deleted User", level: 1 },
    LogType { code: "f", event: "Failed Login", level: 3 },
    LogType { code: "fapi", event: "Failed API Operation", level: 3 },
    LogType { code: "fc", event: "Failed by Connector", level: 3 },
    LogType { code: "fce", event: "Failed Change Email", level: 3 },
    LogType { code: "fco", event: "Failed by CORS", level: 3 },
    LogType { code: "fcoa", event: "Failed Cross Origin Authentication", level: 3 },
    LogType { code: "fcp", event: "Failed Change Password", level: 3 },
    LogType { code: "fcph", event: "Failed Post Change Password Hook", level: 3 },
    LogType { code: "fcpn", event: "Failed Change Phone Number", level: 3 },
    LogType { code: "fcpr", event: "Failed Change Password Request", level: 3 },
    LogType { code: "fcpro", event: "Failed Connector Provisioning", level: 4 },
    LogType { code: "fcu", event: "Failed Change Username", level: 3 },
    LogType { code: "fd", event: "Failed Delegation", level: 3 },
    LogType { code: "fdeac", event: "Failed Device Activation", level: 3 },
    LogType { code: "fdeaz", event: "Failed Device Authorization Request", level: 3 },
    LogType { code: "fdecc", event: "User Canceled Device Confirmation", level: 2 },
    LogType { code: "fdu", event: "Failed User Deletion", level: 3 },
    LogType { code: "feacft", event: "Failed Exchange (Authorization Code for Access Token)", level: 3 },
    LogType { code: "feccft", event: "Failed Exchange (Client Credentials for Access Token)", level: 1 },
    LogType { code: "fede", event: "Failed Exchange (Device Code for Access Token)", level: 3 },
    LogType { code: "fens", event: "Failed Exchange (Native Social Login)", level: 3 },
    LogType { code: "feoobft", event: "Failed Exchange (Password and OOB Challenge for Access Token)", level: 3 },
    LogType { code: "feotpft", event: "Failed Exchange (Password and OTP Challenge for Access Token)", level: 3 },
    LogType { code: "fepft", event: "Failed Exchange (Password for Access Token)", level: 3 },
    LogType { code: "fercft", event: "Failed Exchange (Password and MFA Recovery code for Access Token)", level: 3 },
    LogType { code: "fertft", event: "Failed Exchange (Refresh Token for Access Token)", level: 3 },
    LogType { code: "flo", event: "Failed Logout", level: 3 },
    LogType { code: "fn", event: "Failed Sending Notification", level: 3 },
    LogType { code: "fp", event: "Failed Login (wrong password)", level: 3 },
    LogType { code: "fs", event: "Failed Signup", level: 3 },
    LogType { code: "fsa", event: "Failed Silent Auth", level: 3 },
    LogType { code: "fu", event: "Failed Login (invalid email/username)", level: 3 },
    LogType { code: "fui", event: "Failed users import", level: 4 },
    LogType { code: "fv", event: "Failed Verification Email", level: 0 },
    LogType { code: "fvr", event: "Failed Verification Email Request", level: 3 },
    LogType { code: "gd_auth_failed", event: "OTP Auth failed", level: 3 },
    LogType { code: "gd_auth_rejected", event: "OTP Auth rejected", level: 3 },
    LogType { code: "gd_auth_succeed", event: "OTP Auth success", level: 1 },
    LogType { code: "gd_enrollment_complete", event: "MFA Enrollment Complete", level: 1 },
    LogType { code: "gd_module_switch", event: "Module switch", level: 1 },
    LogType { code: "gd_otp_rate_limit_exceed", event: "Too many OTP failures", level: 4 },
    LogType { code: "gd_recovery_failed", event: "Failed Authentication using Recovery code.", level: 3 },
    LogType {
        code: "gd_recovery_rate_limit_exceed",
        event: "Failed Authentication using Recovery code too many times",
        level: 4,
    },
    LogType { code: "gd_recovery_succeed", event: "Success Authentication using Recovery code", level: 1 },
    LogType { code: "gd_send_pn", event: "Success Push notification for MFA sent", level: 1 },
    LogType { code: "gd_send_sms", event: "Success SMS for MFA sent", level: 1 },
    LogType { code: "gd_send_sms_failure", event: "Failed sending SMS for MFA", level: 3 },
    LogType { code: "gd_start_auth", event: "Second factor authentication event started for MFA", level: 1 },
    LogType { code: "gd_start_enroll", event: "Multi-factor authentication enroll has started", level: 1 },
    LogType { code: "gd_tenant_update", event: "Guardian tenant update", level: 3 },
    LogType {
        code: "gd_unenroll",
        event: "Device used for second factor authentication has been unenrolled",
        level: 2,
    },
    LogType {
        code: "gd_update_device_account",
        event: "Device used for second factor authentication has been updated",
        level: 2,
    },
    LogType { code: "gd_user_delete", event: "Deleted multi-factor user account", level: 1 },
    LogType { code: "limit_delegation", event: "Rate limit exceeded to /delegation endpoint", level: 4 },
    LogType { code: "limit_mu", event: "Blocked IP Address", level: 3 },
    LogType { code: "limit_ui", event: "Too Many Calls to /userinfo", level: 4 },
    LogType { code: "limit_wc", event: "Blocked Account", level: 4 },
    LogType { code: "pwd_leak", event: "User attempted to login with a leaked password", level: 4 },
    LogType { code: "s", event: "Success Login", level: 1 },
    LogType { code: "sapi", event: "Success API Operation", level: 1 },
    LogType { code: "sce", event: "Success Change Email", level: 1 },
    LogType { code: "scoa", event: "Success cross-origin authentication", level: 1 },
    LogType { code: "scp", event: "Success Change Password", level: 1 },
    LogType { code: "scph", event: "Success Post Change Password Hook", level: 1 },
    LogType { code: "scpn", event: "Success Change Phone Number", level: 1 },
    LogType { code: "scpr", event: "Success Change Password Request", level: 0 },
    LogType { code: "scu", event: "Success Change Username", level: 1 },
    LogType { code: "sd", event: "Success Delegation", level: 3 },
    LogType { code: "sdu", event: "Success User Deletion", level: 1 },
    LogType { code: "seacft", event: "Success Exchange (Authorization Code for Access Token)", level: 1 },
    LogType { code: "seccft", event: "Success Exchange (Client Credentials for Access Token)", level: 1 },
    LogType { code: "sede", event: "Successful Exchange (Device Code for Access Token)", level: 1 },
    LogType { code: "sens", event: "Success Exchange (Native Social Login)", level: 1 },
    LogType { code: "seoobft", event: "Success Exchange (Password and OOB Challenge for Access Token)", level: 1 },
    LogType { code: "seotpft", event: "Success Exchange (Password and OTP Challenge for Access Token)", level: 1 },
    LogType { code: "sepft", event: "Success Exchange (Password for Access Token)", level: 1 },
    LogType { code: "sercft", event: "Success Exchange (Password and MFA Recovery code for Access Token)", level: 1 },
    LogType { code: "sertft", event: "Success Exchange (Refresh Token for Access Token)", level: 1 },
    LogType { code: "slo", event: "Success Logout", level: 1 },
    LogType { code: "ss", event: "Success Signup", level: 1 },
    LogType { code: "ssa", event: "Success Silent Auth", level: 1 },
    LogType { code: "sui", event: "Success User Import", level: 1 },
    LogType { code: "sv", event: "Success Verification Email", level: 0 },
    LogType { code: "svr", event: "Success Verification Email Request", level: 0 },
    LogType { code: "sys_os_update_end", event: "Auth0 OS Update Ended", level: 1 },
    LogType { code: "sys_os_update_start", event: "Auth0 OS Update Started", level: 1 },
    LogType { code: "sys_update_end", event: "Auth0 Update Ended", level: 1 },
    LogType { code: "sys_update_start", event: "Auth0 Update Started", level: 1 },
    LogType { code: "ublkdu", event: "User block setup by anomaly detection has been released", level: 3 },
    LogType { code: "w", event: "Warnings During Login", level: 2 },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_mozdefs_98_codes_sorted_and_unique() {
        assert_eq!(LOG_TYPES.len(), 98);
        assert!(LOG_TYPES.windows(2).all(|w| w[0].code < w[1].code), "codes must be sorted and unique");
    }

    #[test]
    fn lookups_find_mozdefs_names_and_levels() {
        assert_eq!(log_type("fp").map(|t| (t.event, t.level)), Some(("Failed Login (wrong password)", 3)));
        assert_eq!(log_type("s").map(|t| (t.event, t.level)), Some(("Success Login", 1)));
        assert_eq!(log_type("limit_wc").map(|t| (t.event, t.level)), Some(("Blocked Account", 4)));
        assert_eq!(log_type("w").map(|t| (t.event, t.level)), Some(("Warnings During Login", 2)));
        assert_eq!(log_type("admin_update_launch").map(|t| t.event), Some("Auth0 Update Launched"));
        assert_eq!(log_type("mgmt_api_read"), None);
        assert_eq!(log_type(""), None);
    }
}
