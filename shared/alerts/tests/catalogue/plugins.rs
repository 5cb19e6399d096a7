//! Alert plugins (being written).
