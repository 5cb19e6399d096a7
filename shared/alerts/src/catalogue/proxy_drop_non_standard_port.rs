//! `proxy_drop_non_standard_port.py` (being written).
