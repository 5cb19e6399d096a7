//! `ldap_group.py` (being written).
