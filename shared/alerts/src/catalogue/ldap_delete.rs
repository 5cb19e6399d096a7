//! `ldap_delete.py` (being written).
