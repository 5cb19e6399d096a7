//! `tests/alerts/test_old_events.py` (being written).
