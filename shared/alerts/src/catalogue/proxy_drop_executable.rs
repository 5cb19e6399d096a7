//! `proxy_drop_executable.py` (being written).
