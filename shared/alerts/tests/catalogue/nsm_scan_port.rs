//! `tests/alerts/test_nsm_scan_port.py` (being written).
