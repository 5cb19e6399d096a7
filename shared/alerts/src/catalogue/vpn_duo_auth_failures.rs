//! `vpn_duo_auth_failures.py` (being written).
