//! `generic_alert_loader.py` (being written).
