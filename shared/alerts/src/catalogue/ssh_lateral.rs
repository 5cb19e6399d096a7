//! `ssh_lateral.py` (being written).
