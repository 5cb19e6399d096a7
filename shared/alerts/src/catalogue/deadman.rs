//! `deadman.py` (being written).
