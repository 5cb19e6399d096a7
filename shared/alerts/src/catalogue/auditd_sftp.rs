//! `auditd_sftp.py` (being written).
