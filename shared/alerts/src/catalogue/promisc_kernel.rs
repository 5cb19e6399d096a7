//! `promisc_kernel.py` (being written).
