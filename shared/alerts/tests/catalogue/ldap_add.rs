//! `tests/alerts/test_ldap_add.py`: the LDAP change cases (`shapes::ldap_change_cases`) for
//! `add` changes.

use mozdef_alerts::catalogue::ldap_add;

use super::common::*;
use super::shapes::*;

#[tokio::test]
async fn ldap_add() {
    check(Subject::defaults(ldap_add::entry), ldap_change_cases("add", "added", "delete")).await;
}
