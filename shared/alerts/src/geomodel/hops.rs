//! The alert decision (`alerts/geomodel/alert.py`): which moves between localities were
//! too fast to be travel.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::distance::{Coordinates, distance_km};
use super::locality::Locality;
use super::pyfloat::python_float;

/// The speed of an airliner MozDef allowed for, in metres per second (1000 km/h).
pub const AIR_TRAVEL_SPEED_M_S: f64 = 277.778;

/// One end of a [`Hop`] (MozDef's `Origin`): where and when the user acted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The source IP address.
    pub ip: String,
    /// City name.
    pub city: String,
    /// Country code.
    pub country: String,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// When the user acted from here (`isoformat()` in the document).
    #[serde(with = "super::timestamp")]
    pub observed: DateTime<Utc>,
    /// `"lat,lon"` with Python's float formatting, for an Elasticsearch `geo_point`.
    pub geopoint: String,
}

/// A move from one locality to another that could not have been travelled in the time
/// between the two actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    /// Where the user was before.
    pub origin: Origin,
    /// Where the user was seen next.
    pub destination: Origin,
}

impl Origin {
    /// The origin describing `locality` (MozDef's `_to_origin`).
    pub fn from_locality(locality: &Locality) -> Self {
        Self {
            ip: locality.sourceipaddress.clone(),
            city: locality.city.clone(),
            country: locality.country.clone(),
            latitude: locality.latitude,
            longitude: locality.longitude,
            observed: locality.lastaction,
            geopoint: format!("{},{}", python_float(locality.latitude), python_float(locality.longitude)),
        }
    }

    /// The origin's position.
    pub fn coordinates(&self) -> Coordinates {
        Coordinates { latitude: self.latitude, longitude: self.longitude }
    }
}

/// Seconds between two instants, with microseconds (Python's `total_seconds()`).
pub(crate) fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    let delta = b.signed_duration_since(a);
    match delta.num_microseconds() {
        Some(micros) => micros as f64 / 1e6,
        None => delta.num_seconds() as f64,
    }
}

/// Whether a user could have travelled from `a` to `b` in the time between their actions
/// (MozDef's `_travel_possible`): the flight time at [`AIR_TRAVEL_SPEED_M_S`] for the
/// haversine distance, less `ceil(min radius / speed)` seconds of slack, is at most the
/// absolute time between the two `lastaction`s.
pub fn travel_possible(a: &Locality, b: &Locality) -> bool {
    let metres = 1000.0 * distance_km(a.coordinates(), b.coordinates());
    let seconds = seconds_between(a.lastaction, b.lastaction).abs();
    let time_to_travel = metres / AIR_TRAVEL_SPEED_M_S;
    let pad = ((1000.0 * a.radius.min(b.radius)) / AIR_TRAVEL_SPEED_M_S).ceil();
    time_to_travel - pad <= seconds
}

/// The most recent of the stored localities, the first one on a tie (what MozDef took as
/// the starting point of the user's journey).
pub fn most_recent(stored: &[Locality]) -> Option<&Locality> {
    stored.iter().fold(None, |best: Option<&Locality>, loc| match best {
        Some(best) if best.lastaction >= loc.lastaction => Some(best),
        _ => Some(loc),
    })
}

/// The impossible hops of a journey: `last_stored` (the most recent stored locality, if
/// any) followed by `new_sorted` (the localities from the new events, oldest first); each
/// consecutive pair where [`travel_possible`] is false is a hop. Fewer than two
/// localities give no hop, so a first sighting raises nothing.
pub fn alert_hops(last_stored: Option<&Locality>, new_sorted: &[Locality]) -> Vec<Hop> {
    let journey: Vec<&Locality> = last_stored.into_iter().chain(new_sorted).collect();
    journey
        .windows(2)
        .filter_map(|pair| match pair {
            [origin, destination] if !travel_possible(origin, destination) => {
                Some(Hop { origin: Origin::from_locality(origin), destination: Origin::from_locality(destination) })
            }
            _ => None,
        })
        .collect()
}

/// MozDef's whole `alert()` decision on the user's stored localities (after
/// `remove_outdated`, before `update`) and the localities from the new events, in any
/// order: the [`most_recent`] stored one, then the new ones sorted by `lastaction` (stable,
/// so ties keep their order), through [`alert_hops`].
pub fn hops_for(stored: &[Locality], new: &[Locality]) -> Vec<Hop> {
    let mut sorted = new.to_vec();
    sorted.sort_by_key(|loc| loc.lastaction);
    alert_hops(most_recent(stored), &sorted)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::json;

    use super::*;
    use crate::geomodel::fixtures::{ago, loc, now, saint_petersburg, san_francisco, toronto};
    use crate::geomodel::locality::remove_outdated;
    use crate::geomodel::{State, summary};

    fn cities(hops: &[Hop]) -> Vec<(&str, &str)> {
        hops.iter().map(|h| (h.origin.city.as_str(), h.destination.city.as_str())).collect()
    }

    #[test]
    fn do_not_alert_when_travel_possible() {
        // MozDef's test_do_not_alert_when_travel_possible (10 h for 3646 km).
        let new = [toronto("1.2.3.123", ago(5)), san_francisco("123.3.2.1", ago(600))];
        assert!(hops_for(&[], &new).is_empty());
    }

    #[test]
    fn do_alert_when_travel_impossible() {
        // MozDef's test_do_alert_when_travel_impossible: the events are sorted by time.
        let new = [toronto("1.2.3.123", ago(5)), san_francisco("123.3.2.1", ago(60))];
        let hops = hops_for(&[], &new);
        assert_eq!(cities(&hops), [("San Francisco", "Toronto")]);
    }

    #[test]
    fn alerts_include_all_impossible_hops() {
        // MozDef's test_alerts_include_all_impossible_hops.
        let new = [
            toronto("1.2.3.123", ago(5)),
            saint_petersburg("52.32.127.3", ago(15)),
            san_francisco("123.3.2.1", ago(60)),
        ];
        let hops = hops_for(&[], &new);
        assert_eq!(cities(&hops), [("San Francisco", "Saint Petersburg"), ("Saint Petersburg", "Toronto")]);
    }

    #[test]
    fn only_the_impossible_pairs_are_hops() {
        // SF -> (10 h) Toronto is fine, Toronto -> (5 min) Saint Petersburg is not.
        let new = [san_francisco("1.1.1.1", ago(605)), toronto("2.2.2.2", ago(5)), saint_petersburg("3.3.3.3", now())];
        assert_eq!(cities(&hops_for(&[], &new)), [("Toronto", "Saint Petersburg")]);
    }

    #[test]
    fn first_sighting_raises_nothing() {
        assert!(hops_for(&[], &[toronto("1.2.3.4", now())]).is_empty());
        assert!(hops_for(&[toronto("1.2.3.4", ago(1))], &[]).is_empty());
        assert!(alert_hops(None, &[]).is_empty());
    }

    #[test]
    fn compromise_detected_against_the_stored_locality() {
        // User story "Potential Compromises Detected"; MozDef's TestAlertGeoModel.
        let stored = [san_francisco("4.3.2.1", ago(16))];
        let hops = hops_for(&stored, &[toronto("1.2.3.4", now())]);
        assert_eq!(hops.len(), 1);
        assert_eq!(
            serde_json::to_value(&hops[0]).expect("serialize"),
            json!({
                "origin": {
                    "ip": "4.3.2.1", "city": "San Francisco", "country": "US",
                    "latitude": 37.773972, "longitude": -122.431297,
                    "observed": "2017-01-01T00:44:00+00:00", "geopoint": "37.773972,-122.431297"
                },
                "destination": {
                    "ip": "1.2.3.4", "city": "Toronto", "country": "CA",
                    "latitude": 43.6529, "longitude": -79.3849,
                    "observed": "2017-01-01T01:00:00+00:00", "geopoint": "43.6529,-79.3849"
                }
            })
        );
        assert_eq!(
            summary("tester1", &hops),
            "tester1 seen in San Francisco,US then Toronto,CA (3645.78 KM in 16.00 minutes)"
        );
    }

    #[test]
    fn realistic_travel_excluded() {
        // User story "Realistic Travel Excluded": a flight of ~3.6 h, seen again after 4 h.
        let stored = [toronto("1.2.3.4", ago(240))];
        assert!(hops_for(&stored, &[san_francisco("4.3.2.1", now())]).is_empty());
        // The same trip in 3 h is impossible.
        let stored = [toronto("1.2.3.4", ago(180))];
        assert_eq!(hops_for(&stored, &[san_francisco("4.3.2.1", now())]).len(), 1);
    }

    #[test]
    fn old_data_removed_raises_nothing() {
        // User story "Old Data Removed Automatically"; MozDef's TestExpiredState.
        let state = State::new("tester1", vec![san_francisco("1.2.3.4", now() - TimeDelta::days(2))]);
        let cleaned = remove_outdated(state.clone(), now(), 1);
        assert!(cleaned.did_update && cleaned.state.localities.is_empty());
        assert!(hops_for(&cleaned.state.localities, &[toronto("5.6.7.8", now())]).is_empty());
        // Without the cleaning, 2 days is still enough for the trip: the removal is what
        // matters when the stored locality is recent.
        let recent = State::new("tester1", vec![san_francisco("1.2.3.4", ago(10))]);
        assert_eq!(
            hops_for(&remove_outdated(recent, now(), 1).state.localities, &[toronto("5.6.7.8", now())]).len(),
            1
        );
        assert_eq!(hops_for(&state.localities, &[toronto("5.6.7.8", now())]).len(), 0);
    }

    #[test]
    fn only_the_most_recent_stored_locality_counts() {
        // MozDef's TestUpdateOrdering (no alert) and TestInitialLocalityPositiveAlert.
        let stored = [san_francisco("1.2.3.4", ago(3)), toronto("9.8.7.6", ago(5))];
        assert!(hops_for(&stored, &[san_francisco("1.2.3.4", now())]).is_empty());
        let hops = hops_for(&stored, &[toronto("5.6.7.8", now())]);
        assert_eq!(
            summary("tester1", &hops),
            "tester1 seen in San Francisco,US then Toronto,CA (3645.78 KM in 3.00 minutes)"
        );
        assert_eq!(most_recent(&stored), stored.first());
    }

    #[test]
    fn most_recent_keeps_the_first_on_a_tie() {
        let stored = [toronto("1.1.1.1", ago(1)), san_francisco("2.2.2.2", ago(1))];
        assert_eq!(most_recent(&stored).map(|l| l.sourceipaddress.as_str()), Some("1.1.1.1"));
        assert_eq!(most_recent(&[]), None);
    }

    #[test]
    fn several_hops_summary_matches_mozdef() {
        // MozDef's TestMultipleImpossibleJourneys (Toronto at -79.3843 there).
        let portland = loc("1.2.3.4", "Portland", "US", ago(5), 45.5234, -122.6762);
        let toronto = loc("5.4.3.2", "Toronto", "CA", ago(2), 43.6529, -79.3843);
        let new = [saint_petersburg("12.34.45.56", now()), toronto, portland];
        let hops = hops_for(&[], &new);
        assert_eq!(hops.len(), 2);
        assert_eq!(hops[1].destination.ip, "12.34.45.56");
        assert_eq!(
            summary("tester1", &hops),
            "tester1 seen in Portland,US then Toronto,CA (3393.90 KM in 3.00 minutes); \
             Toronto,CA then Saint Petersburg,RU (6855.53 KM in 2.00 minutes)"
        );
    }

    #[test]
    fn travel_possible_allows_the_radius_slack() {
        // The pad is ceil(50 000 m / 277.778 m/s) = 180 s, i.e. 50 km of flight.
        let here = toronto("1.1.1.1", now());
        let within = Locality { latitude: 43.6529 + 0.4, ..toronto("2.2.2.2", now()) }; // ~44.5 km
        let beyond = Locality { latitude: 43.6529 + 0.6, ..toronto("2.2.2.2", now()) }; // ~66.7 km
        assert!(travel_possible(&here, &within));
        assert!(!travel_possible(&here, &beyond));
        // 66.7 km takes 240 s; minus the 180 s pad, 60 s between the actions is enough,
        // in either order.
        assert!(travel_possible(&here, &Locality { lastaction: now() + TimeDelta::seconds(61), ..beyond.clone() }));
        assert!(travel_possible(&Locality { lastaction: now() + TimeDelta::seconds(61), ..beyond.clone() }, &here));
        assert!(!travel_possible(&here, &Locality { lastaction: now() + TimeDelta::seconds(59), ..beyond.clone() }));
        // A smaller radius means less slack.
        let small = Locality { radius: 1.0, ..within };
        assert!(!travel_possible(&here, &small));
    }

    #[test]
    fn geopoint_uses_python_float_formatting() {
        let origin = Origin::from_locality(&loc("1.1.1.1", "X", "YY", now(), 43.0, -0.00001));
        assert_eq!(origin.geopoint, "43.0,-1e-05");
    }
}
