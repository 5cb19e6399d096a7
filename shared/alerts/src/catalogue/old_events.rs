//! `old_events.py` (being written).
