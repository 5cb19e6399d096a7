//! A user's localities and their upkeep (`alerts/geomodel/locality.py`): the per-user
//! state document, building a locality from an event, forgetting old localities and
//! merging new ones.

use chrono::{DateTime, TimeDelta, Utc};
use mozdef_model::{Document, get_path};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::distance::{Coordinates, distance_km};

/// The radius MozDef gave a locality when the configuration said nothing, in kilometres.
pub const DEFAULT_RADIUS_KM: f64 = 50.0;

/// The `type_` of a locality state document (`Locality.index_name()` in MozDef).
pub const STATE_TYPE: &str = "locality";

/// A place a user acted from: one entry of a state's `localities`, in MozDef's document
/// shape (`lastaction` as an ISO 8601 string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Locality {
    /// The IP address of the last action seen in this locality.
    pub sourceipaddress: String,
    /// City name from the GeoIP enrichment.
    pub city: String,
    /// Country code from the GeoIP enrichment (`country_code`).
    pub country: String,
    /// When the user last acted from here.
    #[serde(with = "super::timestamp")]
    pub lastaction: DateTime<Utc>,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Radius of the locality in kilometres.
    pub radius: f64,
}

/// The locality state of one user: `{type_: "locality", username, localities}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Always [`STATE_TYPE`]; MozDef searched the state by it.
    #[serde(default = "state_type")]
    pub type_: String,
    /// The user the localities belong to.
    pub username: String,
    /// The user's known localities, in insertion order.
    #[serde(default)]
    pub localities: Vec<Locality>,
}

/// The result of an operation on a [`State`]: the new state and whether it changed (so
/// the caller journals it only then).
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The state after the operation.
    pub state: State,
    /// True when the operation changed the state.
    pub did_update: bool,
}

fn state_type() -> String {
    STATE_TYPE.to_owned()
}

impl State {
    /// A state of type [`STATE_TYPE`] (MozDef's `State.new`).
    pub fn new(username: impl Into<String>, localities: Vec<Locality>) -> Self {
        Self { type_: state_type(), username: username.into(), localities }
    }
}

impl Locality {
    /// The locality's position.
    pub fn coordinates(&self) -> Coordinates {
        Coordinates { latitude: self.latitude, longitude: self.longitude }
    }

    /// The locality an event shows (MozDef's `from_event`): `event` is the event's
    /// `_source`, which needs a string `details.sourceipaddress` and a
    /// `details.sourceipgeolocation` with string `city` and `country_code` and numeric
    /// `latitude` and `longitude`; otherwise `None`. `lastaction` is the event's
    /// `utctimestamp` read with `toUTC`, or `now` when the event has none (`None` when it
    /// cannot be read, where MozDef raised).
    pub fn from_event(event: &Document, now: DateTime<Utc>, radius_km: f64) -> Option<Self> {
        let source = Value::Object(event.clone());
        let text = |path: &str| get_path(&source, path).and_then(Value::as_str).map(str::to_owned);
        let number = |path: &str| get_path(&source, path).and_then(Value::as_f64);
        let sourceipaddress = text("details.sourceipaddress")?;
        let city = text("details.sourceipgeolocation.city")?;
        let country = text("details.sourceipgeolocation.country_code")?;
        let latitude = number("details.sourceipgeolocation.latitude")?;
        let longitude = number("details.sourceipgeolocation.longitude")?;
        let lastaction = match event.get("utctimestamp") {
            None | Some(Value::Null) => now,
            Some(value) => mozdef_model::to_utc(value, now).ok()?,
        };
        Some(Self { sourceipaddress, city, country, lastaction, latitude, longitude, radius: radius_km })
    }
}

/// Drops the localities whose `lastaction` is more than `valid_duration_days` days before
/// `now` (MozDef's `remove_outdated`; a locality exactly at the limit is kept).
pub fn remove_outdated(state: State, now: DateTime<Utc>, valid_duration_days: i64) -> Update {
    let cutoff = TimeDelta::try_days(valid_duration_days).and_then(|valid| now.checked_sub_signed(valid));
    let before = state.localities.len();
    let localities: Vec<Locality> = match cutoff {
        Some(cutoff) => state.localities.into_iter().filter(|loc| loc.lastaction >= cutoff).collect(),
        None => state.localities,
    };
    let did_update = localities.len() != before;
    Update { state: State::new(state.username, localities), did_update }
}

/// Merges `new_localities` into `state` (MozDef's `update`): each new locality takes the
/// place of the first known one within `min(radius)` kilometres of it when it is more
/// recent or comes from another IP address (otherwise that known one stays), and is
/// appended when no known locality is that close. Appended localities count as known for
/// the following new ones.
pub fn update(mut state: State, new_localities: &[Locality]) -> Update {
    let mut did_update = false;
    for new in new_localities {
        let near = state
            .localities
            .iter()
            .position(|known| distance_km(new.coordinates(), known.coordinates()) <= new.radius.min(known.radius));
        match near.and_then(|index| state.localities.get_mut(index)) {
            Some(known) => {
                if new.lastaction > known.lastaction || new.sourceipaddress != known.sourceipaddress {
                    *known = new.clone();
                    did_update = true;
                }
            }
            None => {
                state.localities.push(new.clone());
                did_update = true;
            }
        }
    }
    Update { state, did_update }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::json;

    use super::*;
    use crate::geomodel::fixtures::{ago, berlin, loc, now, toronto};

    fn event(value: Value) -> Document {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    fn geo_event() -> Value {
        json!({
            "utctimestamp": "2019-07-31T17:56:38.908000+00:00",
            "details": {
                "sourceipaddress": "1.2.3.4",
                "username": "tester1",
                "sourceipgeolocation": {"city": "Toronto", "country_code": "CA", "latitude": 43.6529, "longitude": -79.3849}
            }
        })
    }

    #[test]
    fn from_event_reads_a_complete_event() {
        let got = Locality::from_event(&event(geo_event()), now(), DEFAULT_RADIUS_KM).expect("a locality");
        let at = mozdef_model::to_utc(&json!("2019-07-31T17:56:38.908000+00:00"), now()).expect("time");
        assert_eq!(got, Locality { radius: 50.0, ..toronto("1.2.3.4", at) });
    }

    #[test]
    fn from_event_defaults_the_time_to_now() {
        let mut doc = event(geo_event());
        doc.remove("utctimestamp");
        let got = Locality::from_event(&doc, now(), 25.0).expect("a locality");
        assert_eq!(got.lastaction, now());
        assert_eq!(got.radius, 25.0);
    }

    #[test]
    fn from_event_with_missing_data_is_none() {
        let bad = [
            json!({"nottheipaddress": "somethingelse"}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "notthegeolocation": "uhoh"}}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": "uhoh"}}),
            json!({"details": {"sourceipgeolocation": {"city": "Toronto", "country_code": "CA", "latitude": 1.0, "longitude": 2.0}}}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": {"country_code": "CA", "latitude": 1.0, "longitude": 2.0}}}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": {"city": "Toronto", "latitude": 1.0, "longitude": 2.0}}}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": {"city": "Toronto", "country_code": "CA", "longitude": 2.0}}}),
            json!({"details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": {"city": "Toronto", "country_code": "CA", "latitude": null, "longitude": 2.0}}}),
            json!({"utctimestamp": "not a time", "details": {"sourceipaddress": "1.2.3.4", "sourceipgeolocation": {"city": "Toronto", "country_code": "CA", "latitude": 1.0, "longitude": 2.0}}}),
        ];
        for value in bad {
            assert_eq!(Locality::from_event(&event(value.clone()), now(), 50.0), None, "{value}");
        }
    }

    #[test]
    fn state_document_shape_round_trips() {
        let state = State::new("tester1", vec![toronto("1.2.3.4", ago(16))]);
        let doc = serde_json::to_value(&state).expect("serialize");
        assert_eq!(
            doc,
            json!({
                "type_": "locality",
                "username": "tester1",
                "localities": [{
                    "sourceipaddress": "1.2.3.4", "city": "Toronto", "country": "CA",
                    "lastaction": "2017-01-01T00:44:00+00:00",
                    "latitude": 43.6529, "longitude": -79.3849, "radius": 50.0
                }]
            })
        );
        let back: State = serde_json::from_value(doc).expect("deserialize");
        assert_eq!(back, state);
        // MozDef stored integer radii and Python-style timestamps; both read back.
        let stored = json!({"type_": "locality", "username": "u", "localities": [{
            "sourceipaddress": "1.2.3.4", "city": "Toronto", "country": "CA",
            "lastaction": "2017-01-01T00:44:00.500000+00:00", "latitude": 43.6529, "longitude": -79.3849, "radius": 50
        }]});
        let read: State = serde_json::from_value(stored).expect("deserialize");
        assert_eq!(read.localities[0].lastaction, ago(16) + TimeDelta::milliseconds(500));
        assert_eq!(read.localities[0].radius, 50.0);
    }

    #[test]
    fn remove_outdated_removes_old_localities() {
        // MozDef's test_remove_outdated_removes_old_localities.
        let state = State::new(
            "tester1",
            vec![berlin("32.64.128.255", now() - TimeDelta::days(10)), toronto("1.2.3.4", now() - TimeDelta::days(3))],
        );
        let got = remove_outdated(state, now(), 5);
        assert!(got.did_update);
        assert_eq!(got.state.localities.len(), 1);
        assert_eq!(got.state.localities[0].city, "Toronto");
        assert_eq!(got.state.type_, STATE_TYPE);
    }

    #[test]
    fn remove_outdated_keeps_the_limit_and_reports_no_change() {
        let state = State::new("u", vec![toronto("1.2.3.4", now() - TimeDelta::days(1))]);
        let got = remove_outdated(state.clone(), now(), 1);
        assert!(!got.did_update);
        assert_eq!(got.state, state);
        let gone = remove_outdated(state, now() + TimeDelta::seconds(1), 1);
        assert!(gone.did_update);
        assert!(gone.state.localities.is_empty());
    }

    #[test]
    fn update_replaces_a_nearby_locality_with_a_newer_one() {
        // MozDef's test_update_localities.
        let state = State::new("user1", vec![toronto("1.2.3.4", now() - TimeDelta::days(3))]);
        let got = update(state, &[toronto("1.2.3.4", ago(30))]);
        assert!(got.did_update);
        assert_eq!(got.state.username, "user1");
        assert_eq!(got.state.localities, vec![toronto("1.2.3.4", ago(30))]);
    }

    #[test]
    fn update_appends_a_new_locality() {
        // MozDef's test_update_records_new_localities.
        let state = State::new("user1", vec![toronto("1.2.3.4", now() - TimeDelta::days(3))]);
        let got = update(state, &[berlin("32.64.128.255", ago(30))]);
        assert!(got.did_update);
        let mut cities: Vec<&str> = got.state.localities.iter().map(|l| l.city.as_str()).collect();
        cities.sort_unstable();
        assert_eq!(cities, ["Berlin", "Toronto"]);
    }

    #[test]
    fn update_replaces_an_older_sighting_from_another_ip() {
        let state = State::new("u", vec![toronto("1.2.3.4", ago(5))]);
        let got = update(state, &[toronto("5.6.7.8", ago(60))]);
        assert!(got.did_update);
        assert_eq!(got.state.localities, vec![toronto("5.6.7.8", ago(60))]);
    }

    #[test]
    fn update_keeps_a_newer_sighting_from_the_same_ip() {
        let state = State::new("u", vec![toronto("1.2.3.4", ago(5))]);
        let got = update(state.clone(), &[toronto("1.2.3.4", ago(60))]);
        assert!(!got.did_update);
        assert_eq!(got.state, state);
    }

    #[test]
    fn update_matches_by_distance_not_by_city_name() {
        // Two Sherbrookes 10 km apart are one locality; two Portlands are not.
        let a = loc("1.2.3.4", "Sherbrooke", "CA", ago(10), 45.3397, -72.013);
        let b = loc("5.6.7.8", "Sherbrooke", "CA", ago(5), 45.3879, -71.8988);
        let got = update(State::new("u", vec![a]), std::slice::from_ref(&b));
        assert_eq!(got.state.localities, vec![b]);

        let maine = loc("5.6.7.8", "Portland", "US", ago(10), 43.6614, -70.2553);
        let oregon = loc("1.2.3.4", "Portland", "US", ago(5), 45.5234, -122.6762);
        let got = update(State::new("u", vec![maine.clone()]), std::slice::from_ref(&oregon));
        assert_eq!(got.state.localities, vec![maine, oregon]);
    }

    #[test]
    fn update_uses_the_smaller_radius() {
        // Sherbrooke points are ~10 km apart: within 50 km, not within 5 km.
        let a = loc("1.2.3.4", "Sherbrooke", "CA", ago(10), 45.3397, -72.013);
        let b = Locality { radius: 5.0, ..loc("5.6.7.8", "Sherbrooke", "CA", ago(5), 45.3879, -71.8988) };
        let got = update(State::new("u", vec![a.clone()]), std::slice::from_ref(&b));
        assert_eq!(got.state.localities, vec![a, b]);
    }

    #[test]
    fn update_sees_localities_appended_earlier_in_the_same_batch() {
        let got = update(State::new("u", vec![]), &[toronto("1.2.3.4", ago(1)), toronto("1.2.3.4", ago(2))]);
        assert!(got.did_update);
        assert_eq!(got.state.localities, vec![toronto("1.2.3.4", ago(1))]);
    }
}
