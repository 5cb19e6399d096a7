//! `ldap_add.py` (being written).
