//! `tests/alerts/test_triagebot_escalation.py` (being written).
