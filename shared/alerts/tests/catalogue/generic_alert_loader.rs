//! `tests/alerts/test_generic_alert_loader.py` (being written).
