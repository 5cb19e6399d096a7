//! `tests/alerts/test_auth0_vertical_password_guessing.py` (being written).
