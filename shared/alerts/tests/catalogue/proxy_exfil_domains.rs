//! `tests/alerts/test_proxy_exfil_domains.py` (being written).
