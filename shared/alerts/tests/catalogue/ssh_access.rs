//! `tests/alerts/test_ssh_access.py` (being written).
