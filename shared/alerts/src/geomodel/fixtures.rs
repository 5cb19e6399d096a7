//! Localities used by the tests, with MozDef's test coordinates.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::locality::Locality;

/// MozDef's frozen test time, 2017-01-01T01:00:00Z.
pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, 1, 0, 0).single().expect("valid date")
}

/// `now()` minus `minutes`.
pub(crate) fn ago(minutes: i64) -> DateTime<Utc> {
    now() - TimeDelta::minutes(minutes)
}

/// A locality of radius 50 km.
pub(crate) fn loc(ip: &str, city: &str, country: &str, at: DateTime<Utc>, lat: f64, lon: f64) -> Locality {
    Locality {
        sourceipaddress: ip.to_owned(),
        city: city.to_owned(),
        country: country.to_owned(),
        lastaction: at,
        latitude: lat,
        longitude: lon,
        radius: 50.0,
    }
}

pub(crate) fn toronto(ip: &str, at: DateTime<Utc>) -> Locality {
    loc(ip, "Toronto", "CA", at, 43.6529, -79.3849)
}

pub(crate) fn san_francisco(ip: &str, at: DateTime<Utc>) -> Locality {
    loc(ip, "San Francisco", "US", at, 37.773972, -122.431297)
}

pub(crate) fn saint_petersburg(ip: &str, at: DateTime<Utc>) -> Locality {
    loc(ip, "Saint Petersburg", "RU", at, 59.9343, 30.3351)
}

pub(crate) fn berlin(ip: &str, at: DateTime<Utc>) -> Locality {
    loc(ip, "Berlin", "DE", at, 52.520008, 13.404954)
}
