//! `ssh_access.py` (being written).
