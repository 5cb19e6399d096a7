//! `ssh_bruteforce_bro.py` (being written).
