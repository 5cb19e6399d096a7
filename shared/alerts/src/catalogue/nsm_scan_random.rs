//! `nsm_scan_random.py` (being written).
