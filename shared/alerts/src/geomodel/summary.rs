//! The alert summary (MozDef's `alert.summary`).

use super::distance::distance_km;
use super::hops::{Hop, seconds_between};

/// `{user} seen in {cityA},{ccA} then {cityB},{ccB} ({d:.2f} KM in {t:.2f} minutes)`, one
/// such part per hop joined by `; `, where `d` is the haversine distance between the hop's
/// ends in kilometres and `t` the absolute time between them in minutes. No hop gives
/// `{user} seen in `.
pub fn summary(username: &str, hops: &[Hop]) -> String {
    let parts: Vec<String> = hops
        .iter()
        .map(|hop| {
            let (origin, destination) = (&hop.origin, &hop.destination);
            let km = distance_km(origin.coordinates(), destination.coordinates());
            let minutes = seconds_between(destination.observed, origin.observed).abs() / 60.0;
            format!(
                "{},{} then {},{} ({km:.2} KM in {minutes:.2} minutes)",
                origin.city, origin.country, destination.city, destination.country
            )
        })
        .collect();
    format!("{username} seen in {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geomodel::fixtures::{ago, loc, now, toronto};
    use crate::geomodel::hops::Origin;

    #[test]
    fn summary_of_one_hop_matches_mozdef() {
        // MozDef's TestSameCitiesFarAway.
        let maine = loc("5.6.7.8", "Portland", "US", ago(3), 43.6614, -70.2553);
        let oregon = loc("1.2.3.4", "Portland", "US", now(), 45.5234, -122.6762);
        let hop = Hop { origin: Origin::from_locality(&maine), destination: Origin::from_locality(&oregon) };
        assert_eq!(
            summary("tester1", &[hop]),
            "tester1 seen in Portland,US then Portland,US (4082.65 KM in 3.00 minutes)"
        );
    }

    #[test]
    fn summary_time_is_absolute_with_fractions() {
        // MozDef's TestEventOrdering shape: the destination later by 1 min 30 s.
        let a = toronto("1.2.3.4", now());
        let b = loc("4.3.2.1", "San Francisco", "US", now() + chrono::TimeDelta::seconds(90), 37.773972, -122.431297);
        let forward = Hop { origin: Origin::from_locality(&a), destination: Origin::from_locality(&b) };
        let backward = Hop { origin: Origin::from_locality(&b), destination: Origin::from_locality(&a) };
        assert_eq!(summary("u", &[forward]), "u seen in Toronto,CA then San Francisco,US (3645.78 KM in 1.50 minutes)");
        assert_eq!(
            summary("u", &[backward]),
            "u seen in San Francisco,US then Toronto,CA (3645.78 KM in 1.50 minutes)"
        );
    }

    #[test]
    fn summary_without_hops() {
        assert_eq!(summary("u", &[]), "u seen in ");
    }
}
