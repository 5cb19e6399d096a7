//! `ssl_blacklist_hit.py` (being written).
