//! `http_errors.py` (being written).
