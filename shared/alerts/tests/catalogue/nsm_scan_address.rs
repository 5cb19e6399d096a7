//! `tests/alerts/test_nsm_scan_address.py` (being written).
