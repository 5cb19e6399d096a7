//! `tests/alerts/test_ldap_group.py` (being written).
