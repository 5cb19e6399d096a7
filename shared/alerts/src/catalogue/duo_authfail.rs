//! `duo_authfail.py` (being written).
