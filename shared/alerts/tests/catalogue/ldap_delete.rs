//! `tests/alerts/test_ldap_delete.py`: the LDAP change cases (`shapes::ldap_change_cases`) for
//! `delete` changes.

use mozdef_alerts::catalogue::ldap_delete;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn ldap_delete() {
    check(Subject::defaults(ldap_delete::entry), ldap_change_cases("delete", "deleted", "add")).await;
}
