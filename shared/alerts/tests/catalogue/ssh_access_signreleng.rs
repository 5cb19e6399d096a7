//! `tests/alerts/test_ssh_access_signreleng.py` (being written).
