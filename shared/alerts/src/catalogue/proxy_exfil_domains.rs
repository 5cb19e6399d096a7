//! `proxy_exfil_domains.py` (being written).
