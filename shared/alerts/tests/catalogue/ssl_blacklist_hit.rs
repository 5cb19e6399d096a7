//! `tests/alerts/test_ssl_blacklist_hit.py` (being written).
