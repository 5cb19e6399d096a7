//! Great-circle distance between two points (`locality.distance` in MozDef).

/// The Earth radius MozDef used for the haversine formula, in kilometres (approximate).
pub const EARTH_RADIUS_KM: f64 = 6373.0;

/// A point on the Earth, in decimal degrees (MozDef's `Coordinates`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
}

/// The haversine distance between `a` and `b` in kilometres, on a sphere of radius
/// [`EARTH_RADIUS_KM`], computed exactly as MozDef did (`2·atan2(√h, √(1−h))·R`).
pub fn distance_km(a: Coordinates, b: Coordinates) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let (lon1, lon2) = (a.longitude.to_radians(), b.longitude.to_radians());
    let (dlat, dlon) = (lat2 - lat1, lon2 - lon1);
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    let c = 2.0 * h.sqrt().atan2((1.0 - h).sqrt());
    c * EARTH_RADIUS_KM
}

#[cfg(test)]
mod tests {
    use super::*;

    const TORONTO: Coordinates = Coordinates { latitude: 43.6529, longitude: -79.3849 };
    const SAN_FRANCISCO: Coordinates = Coordinates { latitude: 37.773972, longitude: -122.431297 };

    #[test]
    fn same_point_is_zero() {
        assert!(distance_km(TORONTO, TORONTO).abs() < 1e-9);
    }

    #[test]
    fn toronto_san_francisco_matches_mozdef() {
        // MozDef's test_geomodel_location: "(3645.78 KM in ...)".
        let d = distance_km(SAN_FRANCISCO, TORONTO);
        assert_eq!(format!("{d:.2}"), "3645.78");
        assert!((d - distance_km(TORONTO, SAN_FRANCISCO)).abs() < 1e-9);
    }

    #[test]
    fn portland_maine_oregon_matches_mozdef() {
        let maine = Coordinates { latitude: 43.6614, longitude: -70.2553 };
        let oregon = Coordinates { latitude: 45.5234, longitude: -122.6762 };
        assert_eq!(format!("{:.2}", distance_km(maine, oregon)), "4082.65");
    }
}
