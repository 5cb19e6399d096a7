//! `tests/alerts/test_get_watchlist.py` (being written).
