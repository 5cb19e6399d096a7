//! `tests/alerts/test_auditd_sftp.py` (being written).
