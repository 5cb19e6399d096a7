//! `cloudtrail_logging_disabled.py` (being written).
