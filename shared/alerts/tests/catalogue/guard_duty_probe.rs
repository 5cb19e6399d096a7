//! `tests/alerts/test_guard_duty_probe.py` (being written).
