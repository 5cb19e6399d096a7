//! `tests/alerts/test_promisc_audit.py` (being written).
