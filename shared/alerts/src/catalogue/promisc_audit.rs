//! `promisc_audit.py` (being written).
