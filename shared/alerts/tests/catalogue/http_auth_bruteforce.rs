//! `tests/alerts/test_http_auth_bruteforce.py` (being written).
