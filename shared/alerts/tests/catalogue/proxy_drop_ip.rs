//! `tests/alerts/test_proxy_drop_ip.py` (being written).
