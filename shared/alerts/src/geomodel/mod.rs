//! GeoModel's analysis core (inventory §3.3, `alerts/geomodel/` in MozDef): impossible
//! travel between the places a user acts from.
//!
//! Pure functions and types only; the alert task and the locality store build on them.
//! Per user, MozDef:
//!
//! 1. builds a [`Locality`] from each new event ([`Locality::from_event`]);
//! 2. loads the stored [`State`] and drops old localities ([`remove_outdated`]);
//! 3. decides on the alert *before* updating the state: the most recent stored locality
//!    then the new ones by time, each impossible consecutive move being a [`Hop`]
//!    ([`hops_for`], [`alert_hops`], [`travel_possible`]);
//! 4. merges the new localities into the state ([`update`]) and journals it when it
//!    changed;
//! 5. raises an alert when there is a hop, with [`summary`] as its summary.
//!
//! [`AlertGeoModel`] runs these steps as a [`crate::StatefulAlert`] over a
//! [`crate::localities::LocalityStore`], configured by [`GeoModelConfig`].

mod alert;
mod asn;
mod config;
mod distance;
mod hops;
mod locality;
mod pyfloat;
mod search;
mod summary;
mod timestamp;

pub use alert::{AlertGeoModel, MAX_ATTEMPTS, NAME, entry};
pub use asn::{AsnDatabase, ORGANIZATION};
pub use config::{
    AsnMovement, EventSource, EventsConfig, Factors, GeoModelConfig, LocalitiesConfig, MODULE, SearchWindow, Settings,
    Whitelist,
};
pub use distance::{Coordinates, EARTH_RADIUS_KM, distance_km};
pub use hops::{AIR_TRAVEL_SPEED_M_S, Hop, Origin, alert_hops, hops_for, most_recent, travel_possible};
pub use locality::{DEFAULT_RADIUS_KM, Locality, STATE_TYPE, State, Update, remove_outdated, update};
pub use pyfloat::python_float;
pub use search::{SEARCH_SIZE, UserEvents, events_by_user, source_query};
pub use summary::summary;

#[cfg(test)]
mod fixtures;
