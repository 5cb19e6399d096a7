//! `tests/alerts/test_ldap_lockout.py` (being written).
