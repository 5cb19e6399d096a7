//! `tests/alerts/test_ldap_add.py` (being written).
