//! `tests/alerts/test_http_errors.py` (being written).
