//! `write_audit.py` (being written).
