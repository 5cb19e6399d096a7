//! `tests/alerts/test_duo_fail_open.py` (being written).
