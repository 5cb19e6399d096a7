//! Evaluation of the query model against JSON documents with MozDef's mapping semantics.
//!
//! This answers "does this document match?": a [`CompiledQuery`] is built once from a
//! [`SearchQuery`](crate::SearchQuery) (the compiled form, `compiled`: wildcards, regexes,
//! CIDR blocks, analysed tokens and fixed dates are prepared then) and tests documents with
//! an injected `now`. Per field type ([`crate::mapping`]):
//!
//! | matcher | `text` (`summary`) | `keyword` (everything else) | `ip` | `date` | `boolean` |
//! |---|---|---|---|---|---|
//! | `Term` | any analysed token | whole value | address or CIDR | the instant (missing fields round up) | `true`/`"true"` |
//! | `Terms` | token equals a value | whole value | any | any | any |
//! | `Phrase` | consecutive tokens | whole value | as `Term` | as `Term` | as `Term` |
//! | `Wildcard` | each token, as written | whole value, case-sensitive | never | never | never |
//! | `Range`/`LessThan` | tokens | lexicographic | addresses | instants, date math | `false` < `true` |
//!
//! Values at a path come from [`mozdef_model::field_values`] (arrays flattened, literal
//! dotted keys); a field with several values matches if any value does. Stored values that
//! do not fit their field's type (a non-IP in an `ip` field, a date that is not
//! `date_optional_time||epoch_millis`) never match and do not exist, as OpenSearch's
//! `ignore_malformed` leaves them out of the index; query values that
//! do not fit are errors, as OpenSearch rejects them (query strings on the default field `*`
//! are lenient instead). `geo_point` fields only answer `Exists`/`Missing`.

mod leaf;

pub(crate) use leaf::indexed_date_millis;

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::WINDOW_FIELDS;
use crate::compiled::Node;
use crate::mapping::{FieldType, analyze, field_type, keyword_value};

pub use crate::aggregate::TermsAggregator;
pub use crate::compiled::{CompiledMatch, CompiledQuery};

impl CompiledQuery {
    /// Whether `doc` is in the window and matches the bool query, at `now`.
    pub fn matches(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.in_window(doc, now) && self.filter.matches(doc, now)
    }

    /// Whether `doc` is in the window (always, without one).
    pub fn in_window(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.window.is_none_or(|w| in_window(doc, w, now))
    }

    /// Whether `doc` matches the bool query, ignoring the window.
    pub fn matches_filter(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.filter.matches(doc, now)
    }
}

impl CompiledMatch {
    /// Whether `doc` matches, with `now` for date math and time-relative values.
    pub fn matches(&self, doc: &Value, now: DateTime<Utc>) -> bool {
        self.node.matches(&Ctx::new(doc, now))
    }
}

/// MozDef's time window: `utctimestamp` in [now − W, now] OR `receivedtimestamp` in
/// [now − W, now], both ends inclusive, at millisecond resolution.
pub fn in_window(doc: &Value, window: Duration, now: DateTime<Utc>) -> bool {
    let hi = now.timestamp_millis();
    let lo = now.checked_sub_signed(window).map_or(i64::MIN, |t| t.timestamp_millis());
    WINDOW_FIELDS.iter().any(|field| {
        mozdef_model::field_values(doc, field)
            .into_iter()
            .filter_map(leaf::indexed_date_millis)
            .any(|ms| lo <= ms && ms <= hi)
    })
}

/// The instant a `date` field indexes for a stored value (`date_optional_time||epoch_millis`,
/// millisecond resolution), or `None` when the value is malformed and left out of the index.
pub fn indexed_date(value: &Value) -> Option<DateTime<Utc>> {
    leaf::indexed_date_millis(value).and_then(DateTime::<Utc>::from_timestamp_millis)
}

// ---------------------------------------------------------------------------------------
// Evaluation context
// ---------------------------------------------------------------------------------------

/// A leaf of a document with its dotted path.
struct Leaf<'a> {
    path: String,
    ty: FieldType,
    value: &'a Value,
}

/// One document under evaluation, with lazily computed views of it.
pub(crate) struct Ctx<'a> {
    doc: &'a Value,
    now: DateTime<Utc>,
    leaves: OnceCell<Vec<Leaf<'a>>>,
    tokens: TokenCache<'a>,
}

/// Analysed tokens by text value (compared by address).
type TokenCache<'a> = RefCell<Vec<(&'a Value, Rc<[String]>)>>;

impl<'a> Ctx<'a> {
    fn new(doc: &'a Value, now: DateTime<Utc>) -> Self {
        Ctx { doc, now, leaves: OnceCell::new(), tokens: RefCell::new(Vec::new()) }
    }

    /// Every leaf of the document (geo points whole).
    fn leaves(&self) -> &[Leaf<'a>] {
        self.leaves.get_or_init(|| {
            let mut out = Vec::new();
            collect_leaves(self.doc, &mut String::new(), &mut out);
            out
        })
    }

    /// The analysed tokens of a text value, computed once per value.
    fn tokens(&self, v: &'a Value) -> Rc<[String]> {
        if let Some((_, t)) = self.tokens.borrow().iter().find(|(k, _)| std::ptr::eq(*k, v)) {
            return Rc::clone(t);
        }
        let tokens: Rc<[String]> = keyword_value(v).map(|s| analyze(&s)).unwrap_or_default().into();
        self.tokens.borrow_mut().push((v, Rc::clone(&tokens)));
        tokens
    }
}

fn collect_leaves<'a>(value: &'a Value, path: &mut String, out: &mut Vec<Leaf<'a>>) {
    visit_leaves(value, path, &mut |path, ty, value| out.push(Leaf { path: path.to_owned(), ty, value }));
}

/// Calls `f` with every leaf of `value` below `path` as the evaluator sees them: its dotted
/// path, its field type and its value (geo points whole).
pub(crate) fn visit_leaves<'a>(value: &'a Value, path: &mut String, f: &mut impl FnMut(&str, FieldType, &'a Value)) {
    match value {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|v| visit_leaves(v, path, f)),
        Value::Object(map) => visit_map_leaves(map, path, f),
        scalar => f(path, field_type(path), scalar),
    }
}

/// [`visit_leaves`] of the members of an object.
pub(crate) fn visit_map_leaves<'a>(
    map: &'a crate::Document,
    path: &mut String,
    f: &mut impl FnMut(&str, FieldType, &'a Value),
) {
    for (key, child) in map {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        if field_type(path) == FieldType::GeoPoint {
            if has_leaf(child) {
                f(path, FieldType::GeoPoint, child);
            }
        } else {
            visit_leaves(child, path, f);
        }
        path.truncate(len);
    }
}

/// Whether the value at `path` puts at least one value into the index: a leaf that fits
/// its field's type (malformed ip and date values are left out, as `ignore_malformed` leaves
/// them out on OpenSearch), or an object with such a leaf below it.
fn is_indexed(v: &Value, path: &str) -> bool {
    let ty = field_type(path);
    match v {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|item| is_indexed(item, path)),
        _ if ty == FieldType::GeoPoint => has_leaf(v),
        Value::Object(map) => map.iter().any(|(key, child)| is_indexed(child, &format!("{path}.{key}"))),
        scalar => leaf::indexes(ty, scalar),
    }
}

/// Whether a value holds at least one non-null leaf.
pub(crate) fn has_leaf(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(items) => items.iter().any(has_leaf),
        Value::Object(map) => map.values().any(has_leaf),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------
// Matching the compiled tree
// ---------------------------------------------------------------------------------------

impl Node {
    /// Whether the document under evaluation matches.
    fn matches(&self, ctx: &Ctx<'_>) -> bool {
        match self {
            Node::All => true,
            Node::Nothing => false,
            Node::Field { path, test } => {
                mozdef_model::field_values(ctx.doc, path).into_iter().any(|v| test.matches(v, ctx))
            }
            Node::AnyField { fields, tests } => {
                ctx.leaves().iter().any(|l| fields.includes(&l.path) && tests.get(l.ty).matches(l.value, ctx))
            }
            Node::Exists(path) => mozdef_model::field_values(ctx.doc, path).into_iter().any(|v| is_indexed(v, path)),
            Node::AnyExists(fields) => {
                ctx.leaves().iter().any(|l| fields.includes(&l.path) && leaf::indexes(l.ty, l.value))
            }
            Node::Not(inner) => !inner.matches(ctx),
            Node::Bool(b) => {
                b.must.iter().all(|n| n.matches(ctx))
                    && !b.must_not.iter().any(|n| n.matches(ctx))
                    && (!b.should_required || b.should.iter().any(|n| n.matches(ctx)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
