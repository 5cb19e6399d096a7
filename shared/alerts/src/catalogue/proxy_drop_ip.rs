//! `proxy_drop_ip.py` (being written).
