//! `tests/alerts/test_session_opened_sensitive_user.py` (being written).
