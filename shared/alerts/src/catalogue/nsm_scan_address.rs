//! `nsm_scan_address.py` (being written).
