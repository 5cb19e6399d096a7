//! `tests/alerts/test_promisc_kernel.py` (being written).
