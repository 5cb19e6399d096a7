//! `tests/alerts/test_ldap_bruteforce_user.py` (being written).
