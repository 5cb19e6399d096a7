//! `tests/alerts/test_ssh_lateral.py` (being written).
