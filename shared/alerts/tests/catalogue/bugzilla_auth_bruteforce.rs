//! `tests/alerts/test_bugzilla_auth_bruteforce.py` (being written).
