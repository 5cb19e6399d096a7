//! `tests/alerts/test_duo_authfail.py` (being written).
