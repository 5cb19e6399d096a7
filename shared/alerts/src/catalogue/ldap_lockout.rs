//! `ldap_lockout.py` (being written).
