//! `ssh_access_signreleng.py` (being written).
