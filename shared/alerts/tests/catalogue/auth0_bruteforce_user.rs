//! `tests/alerts/test_auth0_bruteforce_user.py` (being written).
