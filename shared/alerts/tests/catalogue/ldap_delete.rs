//! `tests/alerts/test_ldap_delete.py` (being written).
