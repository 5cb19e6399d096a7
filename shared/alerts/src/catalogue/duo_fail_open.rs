//! `duo_fail_open.py` (being written).
