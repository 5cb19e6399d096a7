//! `tests/alerts/test_cloudtrail_logging_disabled.py` (being written).
