//! `bugzilla_auth_bruteforce.py` (being written).
