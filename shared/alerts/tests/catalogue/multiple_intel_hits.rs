//! `tests/alerts/test_multiple_intel_hits.py` (being written).
