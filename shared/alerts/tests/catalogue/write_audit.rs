//! `tests/alerts/test_write_audit.py` (being written).
