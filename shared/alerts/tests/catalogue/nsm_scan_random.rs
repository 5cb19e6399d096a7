//! `tests/alerts/test_nsm_scan_random.py` (being written).
