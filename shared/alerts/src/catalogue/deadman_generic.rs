//! `deadman_generic.py` (being written).
