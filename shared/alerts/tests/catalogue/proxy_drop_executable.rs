//! `tests/alerts/test_proxy_drop_executable.py` (being written).
