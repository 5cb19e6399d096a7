//! DynamoDB tables of MozDef in Rust on AWS. [`DynamoLocalities`] holds GeoModel's state;
//! [`DynamoSchedules`] holds the alert schedules
//! (MozDef's Mongo `alertschedules`) and passes the same
//! [`check_schedule_store`](mozdef_alerts::testing::check_schedule_store) as the SQLite
//! store of `mozdef dev`; [`DynamoShipperTokens`] holds loginput's shipper tokens (key `hash`).

mod error;
mod localities;
mod records;
mod schedules;
mod shipper_tokens;
mod table;

pub use localities::DynamoLocalities;
pub use records::DynamoRecords;
pub use schedules::DynamoSchedules;
pub use shipper_tokens::DynamoShipperTokens;
