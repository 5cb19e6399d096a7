//! `tests/alerts/test_trace_audit.py` (being written).
