//! `tests/alerts/test_deadman_generic.py` (being written).
