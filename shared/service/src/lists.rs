//! MozDef's block lists and watch list, as pure rules: what `/blockip`, `/blockfqdn` and
//! `/watchitem` accept (MozDef's REST plugins `ipblocklist`, `fqdnblocklist`, `watchlist`),
//! and the text feeds its crons `createIPBlockList` and `createFQDNBlockList` wrote.
//!
//! * [`mozdef_body`]: the request body, MozDef's list of single-key objects or a plain object;
//! * [`parse_duration`]: `12hr`, `1d`, `2d`, `3d`, `1w`, `30d`, else one hour;
//! * [`check_block_address`]: a public IPv4/IPv6 address or network outside the
//!   [`NetworkWhitelist`]; [`check_public_address`] for the lookups;
//! * [`check_fqdn`] and [`FqdnWhitelist`]; [`check_watch_content`];
//! * [`ip_blocklist_feed`] and [`fqdn_blocklist_feed`]: the feeds, one entry per line.
//!
//! Every refusal is a [`ServiceError::Invalid`](crate::ServiceError::Invalid) naming the field
//! and the reason. Storing the entries is the caller's business.

mod address;
mod body;
mod duration;
mod feed;
mod fqdn;
mod list_file;
mod watch;
mod whitelist;

pub use address::{check_block_address, check_public_address, non_public_reason, parse_network};
pub use body::mozdef_body;
pub use duration::{DURATION_NAMES, parse_duration};
pub use feed::{fqdn_blocklist_feed, ip_blocklist_feed};
pub use fqdn::{FqdnWhitelist, check_fqdn, is_fqdn};
pub use watch::{MAX_WATCH_CONTENT_CHARS, MIN_WATCH_CONTENT_CHARS, check_watch_content};
pub use whitelist::NetworkWhitelist;
