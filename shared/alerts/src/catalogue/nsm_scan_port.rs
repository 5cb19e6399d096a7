//! `nsm_scan_port.py` (being written).
