//! Alert actions (being written).
