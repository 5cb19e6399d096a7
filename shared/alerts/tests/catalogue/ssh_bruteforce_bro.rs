//! `tests/alerts/test_ssh_bruteforce_bro.py` (being written).
