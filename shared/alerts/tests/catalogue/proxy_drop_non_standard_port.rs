//! `tests/alerts/test_proxy_drop_non_standard_port.py` (being written).
