//! `auth0_bruteforce_user.py` (being written).
