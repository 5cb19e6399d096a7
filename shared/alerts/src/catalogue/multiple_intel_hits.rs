//! `multiple_intel_hits.py` (being written).
