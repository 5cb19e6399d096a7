//! `trace_audit.py` (being written).
