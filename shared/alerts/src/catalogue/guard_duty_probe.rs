//! `guard_duty_probe.py` (being written).
