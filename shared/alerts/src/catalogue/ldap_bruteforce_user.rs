//! `ldap_bruteforce_user.py` (being written).
