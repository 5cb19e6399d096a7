//! `triagebot_escalation.py` (being written).
