//! `http_auth_bruteforce.py` (being written).
