//! The keys of the record table (see the parent module's "tables and keys").
//!
//! Partition keys join a fixed tag and the collection and id with `#`; inside a collection
//! name or an id, `%` is written `%25` and `#` is written `%23`, so no two (collection, id)
//! pairs share a key. The same escaping joins a presence entry's user and activity.
//!
//! A listing item's range key must order as `(sort, id)` does, byte by byte, because DynamoDB
//! compares strings by their UTF-8 bytes. It is the sort key with U+0000 written as
//! U+0001 U+0002 and U+0001 as U+0001 U+0003, then the terminator U+0001 U+0001, then the id
//! as it is. The terminator is below everything an escaped sort key can continue with, so a
//! sort key sorts before every longer one it is a prefix of, as it does in the pair.

/// The range key of a record's id item.
pub(super) const RECORD_SK: &str = "record";
/// The partition key of the change feed.
pub(super) const FEED_PK: &str = "feed";
/// The partition key of the feed's sequence counter.
pub(super) const COUNTER_PK: &str = "counter";
/// The range key of the feed's sequence counter.
pub(super) const COUNTER_SK: &str = "feed";

/// Ends the escaped sort key in a listing item's range key.
const TERMINATOR: &str = "\u{1}\u{1}";
/// Just above every range key of a sort key's records (the escaped U+0000 continuation).
const ABOVE_TERMINATOR: &str = "\u{1}\u{2}";

/// A collection name, id, user or activity as part of a `#`-joined key.
fn part(text: &str) -> String {
    text.replace('%', "%25").replace('#', "%23")
}

/// The partition key of a record's id item: `id#<collection>#<id>`.
pub(super) fn id_pk(collection: &str, id: &str) -> String {
    format!("id#{}#{}", part(collection), part(id))
}

/// The partition key of a collection's listing items: `rec#<collection>`.
pub(super) fn list_pk(collection: &str) -> String {
    format!("rec#{}", part(collection))
}

/// The partition key of a record's history: `hist#<collection>#<id>`.
pub(super) fn history_pk(collection: &str, id: &str) -> String {
    format!("hist#{}#{}", part(collection), part(id))
}

/// The partition key of a record's presence entries: `presence#<collection>#<id>`.
pub(super) fn presence_pk(collection: &str, id: &str) -> String {
    format!("presence#{}#{}", part(collection), part(id))
}

/// The range key of a presence entry: `<user>#<activity>`.
pub(super) fn presence_sk(user: &str, activity: &str) -> String {
    format!("{}#{}", part(user), part(activity))
}

/// The range key of a feed or history item: the sequence number in 20 digits.
pub(super) fn seq_sk(seq: u64) -> String {
    format!("{seq:020}")
}

/// The sort key escaped so that the terminator stays below any continuation.
fn escaped(sort: &str) -> String {
    let mut out = String::with_capacity(sort.len() + 2);
    for c in sort.chars() {
        match c {
            '\u{0}' => out.push_str("\u{1}\u{2}"),
            '\u{1}' => out.push_str("\u{1}\u{3}"),
            c => out.push(c),
        }
    }
    out
}

/// The range key of a record's listing item.
pub(super) fn list_sk(sort: &str, id: &str) -> String {
    let mut key = escaped(sort);
    key.push_str(TERMINATOR);
    key.push_str(id);
    key
}

/// The least listing range key of a record whose sort key is at least `sort`.
pub(super) fn sort_floor(sort: &str) -> String {
    let mut key = escaped(sort);
    key.push_str(TERMINATOR);
    key
}

/// An inclusive upper bound for the listing range keys of records whose sort key is at most
/// `sort`; no record's range key equals it.
pub(super) fn sort_ceiling(sort: &str) -> String {
    let mut key = escaped(sort);
    key.push_str(ABOVE_TERMINATOR);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWKWARD: [&str; 12] =
        ["", "a", "a#", "a#b", "a\u{0}", "a\u{0}b", "a\u{1}", "a\u{1}\u{1}", "a\u{2}", "ab", "é", "\u{10FFFF}"];

    #[test]
    fn listing_keys_order_as_the_pairs_do() {
        let mut pairs = Vec::new();
        for sort in AWKWARD {
            for id in AWKWARD {
                pairs.push((sort, id));
            }
        }
        let mut by_pair = pairs.clone();
        by_pair.sort();
        let mut by_key = pairs;
        by_key.sort_by_key(|(sort, id)| list_sk(sort, id));
        assert_eq!(by_key, by_pair);
    }

    #[test]
    fn sort_bounds_select_exactly_the_sort_range() {
        for bound in AWKWARD {
            for sort in AWKWARD {
                for id in AWKWARD {
                    let key = list_sk(sort, id);
                    assert_eq!(key >= sort_floor(bound), sort >= bound, "floor {bound:?} sort {sort:?} id {id:?}");
                    assert_eq!(key <= sort_ceiling(bound), sort <= bound, "ceiling {bound:?} sort {sort:?} id {id:?}");
                    assert_ne!(key, sort_ceiling(bound));
                }
            }
        }
    }

    #[test]
    fn partition_keys_keep_collections_and_ids_apart() {
        assert_ne!(id_pk("a#b", "c"), id_pk("a", "b#c"));
        assert_ne!(id_pk("a%23", "c"), id_pk("a#", "c"));
        assert_ne!(presence_sk("a#b", "c"), presence_sk("a", "b#c"));
        assert_eq!(id_pk("incidents", "a1"), "id#incidents#a1");
        assert_eq!(seq_sk(42), "00000000000000000042");
        assert_eq!(seq_sk(u64::MAX).len(), 20);
    }
}
