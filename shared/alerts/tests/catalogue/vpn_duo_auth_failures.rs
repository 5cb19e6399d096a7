//! `tests/alerts/test_vpn_duo_auth_failures.py` (being written).
