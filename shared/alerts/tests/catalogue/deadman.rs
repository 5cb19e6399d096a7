//! `tests/alerts/test_deadman.py` (being written).
