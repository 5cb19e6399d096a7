//! `get_watchlist.py` (being written).
