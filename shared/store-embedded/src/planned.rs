//! Index plans on tantivy: [`IndexQuery`] as a tantivy query, the newest matches of an exact
//! plan ranked inside the index, and every candidate streamed segment by segment.

use std::collections::BTreeMap;
use std::ops::Bound;

use mozdef_query::plan::{
    IndexPlan, IndexQuery, SUSPECT, TermField, TermFilter, aggregation_terms, date_from_hex, prefix_end,
};
use mozdef_query::{Aggregation, TermsAggregator};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BitSetDocSet, BooleanQuery, ConstScorer, EmptyQuery, EnableScoring, Explanation, Occur, Query,
    RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use crate::EmbeddedError;
use crate::index::{MozdefIndex, PlanFields, StoredDoc};

/// Blocks of the document store cached per segment while candidates are read in order.
const STORE_CACHE_BLOCKS: usize = 16;

impl MozdefIndex {
    /// The plan fields, when this index has them (indices made before plans do not).
    pub(crate) fn plan_fields(&self) -> Option<PlanFields> {
        self.fields.planned
    }

    /// `query` as a tantivy query on this index (which must have plan fields).
    fn translate(&self, query: &IndexQuery, planned: PlanFields) -> Box<dyn Query> {
        let field = |f: TermField| match f {
            TermField::Terms => self.fields.terms,
            TermField::Typed => planned.typed,
            TermField::Any => planned.any,
            TermField::Exists => planned.exists,
        };
        match query {
            IndexQuery::All => Box::new(AllQuery),
            IndexQuery::Nothing => Box::new(EmptyQuery),
            IndexQuery::Term(f, term) => {
                Box::new(TermQuery::new(Term::from_field_text(field(*f), term), IndexRecordOption::Basic))
            }
            IndexQuery::Range { field: f, lower, upper, filter } => Box::new(TermRangeQuery {
                field: field(*f),
                lower: lower.clone(),
                upper: upper.clone(),
                filter: filter.clone(),
            }),
            IndexQuery::Dates { field: which, lo, hi } => {
                let date_field = if *which == 0 { self.fields.utctimestamp } else { self.fields.receivedtimestamp };
                // tantivy dates hold nanoseconds in an i64: keep the bounds within them.
                let limit = i64::MAX / 1_000_000;
                let at = |ms: i64| {
                    Term::from_field_date(date_field, tantivy::DateTime::from_timestamp_millis(ms.clamp(-limit, limit)))
                };
                Box::new(RangeQuery::new(Bound::Included(at(*lo)), Bound::Included(at(*hi))))
            }
            IndexQuery::And(parts) => {
                Box::new(BooleanQuery::new(parts.iter().map(|p| (Occur::Must, self.translate(p, planned))).collect()))
            }
            IndexQuery::Or(parts) => {
                Box::new(BooleanQuery::new(parts.iter().map(|p| (Occur::Should, self.translate(p, planned))).collect()))
            }
            IndexQuery::Not(part) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, self.translate(part, planned)),
            ])),
        }
    }

    /// The plan without its patterns ([`IndexQuery::without_scans`]) when it has some and
    /// admits at most `cutoff` documents here.
    pub(crate) fn few_without_scans(
        &self,
        plan: &IndexPlan,
        planned: PlanFields,
        cutoff: u64,
    ) -> Result<Option<IndexQuery>, EmbeddedError> {
        let Some(reduced) = plan.query.without_scans() else { return Ok(None) };
        let searcher = self.reader.searcher();
        let count = searcher
            .search(&self.translate(&reduced, planned), &tantivy::collector::Count)
            .map_err(EmbeddedError::index(&self.name))?;
        Ok((count as u64 <= cutoff).then_some(reduced))
    }

    /// For an exact plan: counts the bucket keys of `aggregations` over the documents that
    /// are not suspect and match, from the postings of the keys' terms, reading no document.
    pub(crate) fn exact_aggregate(
        &self,
        plan: &IndexPlan,
        planned: PlanFields,
        aggregations: &[Aggregation],
        aggregator: &mut TermsAggregator,
    ) -> Result<(), EmbeddedError> {
        let query = self.translate(&clean(plan), planned);
        let searcher = self.reader.searcher();
        let weight =
            query.weight(EnableScoring::disabled_from_searcher(&searcher)).map_err(EmbeddedError::index(&self.name))?;
        let failed = |e: tantivy::TantivyError| EmbeddedError::Index { index: self.name.clone(), source: e };
        for segment in searcher.segment_readers() {
            let mut matching = BitSet::with_max_value(segment.max_doc());
            let alive = segment.alive_bitset();
            weight
                .for_each_no_score(segment, &mut |block| {
                    for d in block.iter().filter(|d| alive.is_none_or(|a| a.is_alive(**d))) {
                        matching.insert(*d);
                    }
                })
                .map_err(failed)?;
            if matching.len() == 0 {
                continue;
            }
            for (position, aggregation) in aggregations.iter().enumerate() {
                let Some((term_field, head, dated)) = aggregation_terms(&aggregation.field) else { continue };
                let field = match term_field {
                    TermField::Terms => self.fields.terms,
                    _ => planned.typed,
                };
                let inverted = segment.inverted_index(field).map_err(failed)?;
                let mut range = inverted.terms().range().ge(head.as_bytes());
                if let Bound::Excluded(end) = prefix_end(head.as_bytes()) {
                    range = range.lt(end);
                }
                let mut terms = range.into_stream().map_err(|e| failed(e.into()))?;
                while terms.advance() {
                    let Some(value) = terms.key().get(head.len()..).and_then(|v| std::str::from_utf8(v).ok()) else {
                        continue;
                    };
                    let key = if dated {
                        match date_from_hex(value) {
                            Some(ms) => ms.to_string(),
                            None => continue,
                        }
                    } else {
                        value.to_owned()
                    };
                    let mut postings = inverted
                        .read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                        .map_err(|e| failed(e.into()))?;
                    let mut n = 0_u64;
                    loop {
                        let block = postings.docs();
                        if block.is_empty() {
                            break;
                        }
                        n += block.iter().filter(|d| matching.contains(**d)).count() as u64;
                        postings.advance();
                    }
                    if n > 0 {
                        aggregator.count(position, key, n);
                    }
                }
            }
        }
        Ok(())
    }

    /// For an exact plan: how many documents that are not suspect match, and the newest
    /// `size` of them (all those tied with the last one by `utctimestamp` included, so that
    /// the caller can rank ties by index and id), loaded.
    pub(crate) fn exact_newest(
        &self,
        plan: &IndexPlan,
        planned: PlanFields,
        size: usize,
    ) -> Result<(u64, Vec<StoredDoc>), EmbeddedError> {
        let query = self.translate(&clean(plan), planned);
        let searcher = self.reader.searcher();
        let collector = NewestByTime { size };
        let (count, newest) = searcher.search(&query, &collector).map_err(EmbeddedError::index(&self.name))?;
        let mut docs = Vec::with_capacity(newest.len());
        for address in newest.into_values().flatten() {
            let doc: TantivyDocument = searcher.doc(address).map_err(EmbeddedError::index(&self.name))?;
            docs.extend(self.stored(doc)?);
        }
        Ok((count, docs))
    }

    /// Every document `query` admits, in index order, read segment by segment (only one
    /// segment's candidates are held at a time, as document numbers).
    pub(crate) fn visit_planned(
        &self,
        query: &IndexQuery,
        planned: PlanFields,
        mut visit: impl FnMut(StoredDoc),
    ) -> Result<(), EmbeddedError> {
        let query = self.translate(query, planned);
        let searcher = self.reader.searcher();
        let weight =
            query.weight(EnableScoring::disabled_from_searcher(&searcher)).map_err(EmbeddedError::index(&self.name))?;
        for segment in searcher.segment_readers() {
            let mut docs: Vec<DocId> = Vec::new();
            weight
                .for_each_no_score(segment, &mut |block| docs.extend_from_slice(block))
                .map_err(EmbeddedError::index(&self.name))?;
            if let Some(alive) = segment.alive_bitset() {
                docs.retain(|d| alive.is_alive(*d));
            }
            if docs.is_empty() {
                continue;
            }
            docs.sort_unstable();
            let store = segment.get_store_reader(STORE_CACHE_BLOCKS).map_err(|e| EmbeddedError::Index {
                index: self.name.clone(),
                source: tantivy::TantivyError::from(e),
            })?;
            for doc in docs {
                let doc: TantivyDocument = store.get(doc).map_err(EmbeddedError::index(&self.name))?;
                if let Some(stored) = self.stored(doc)? {
                    visit(stored);
                }
            }
        }
        Ok(())
    }
}

/// The documents an exact plan admits that are not suspect: exactly its matches among them.
fn clean(plan: &IndexPlan) -> IndexQuery {
    IndexQuery::And(vec![
        plan.query.clone(),
        IndexQuery::Not(Box::new(IndexQuery::Term(TermField::Exists, SUSPECT.to_owned()))),
    ])
}

/// The documents an exact plan admits that are suspect: the evaluator judges them.
pub(crate) fn suspect(plan: &IndexPlan) -> IndexQuery {
    IndexQuery::And(vec![plan.query.clone(), IndexQuery::Term(TermField::Exists, SUSPECT.to_owned())])
}

/// A range of terms of one field, each tested by an optional filter: the union of their
/// postings. Reads the term dictionary between the bounds, so a pattern with a literal
/// prefix reads only the terms starting with it.
#[derive(Debug, Clone)]
struct TermRangeQuery {
    field: Field,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    filter: Option<TermFilter>,
}

impl Query for TermRangeQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for TermRangeQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = BitSet::with_max_value(reader.max_doc());
        let inverted = reader.inverted_index(self.field)?;
        let mut range = inverted.terms().range();
        range = match &self.lower {
            Bound::Included(b) => range.ge(b),
            Bound::Excluded(b) => range.gt(b),
            Bound::Unbounded => range,
        };
        range = match &self.upper {
            Bound::Included(b) => range.le(b),
            Bound::Excluded(b) => range.lt(b),
            Bound::Unbounded => range,
        };
        let mut terms = range.into_stream()?;
        while terms.advance() {
            if self.filter.as_ref().is_some_and(|f| !f.accepts(terms.key())) {
                continue;
            }
            let mut postings = inverted.read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            loop {
                let block = postings.docs();
                if block.is_empty() {
                    break;
                }
                for d in block {
                    docs.insert(*d);
                }
                postings.advance();
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("TermRangeQuery", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match")))
        }
    }
}

/// Documents by `utctimestamp` (newest first; none last), all of the last instant kept.
type Newest = BTreeMap<Option<i64>, Vec<DocAddress>>;

/// Counts the matches and keeps the newest `size` by the `utctimestamp` fast field, with
/// every document tied with the last one.
struct NewestByTime {
    size: usize,
}

/// Adds a document to `newest`, then drops the oldest instants while the others hold `size`
/// documents or more.
fn keep_newest(newest: &mut Newest, held: &mut usize, size: usize, at: Option<i64>, address: DocAddress) {
    if size == 0 {
        return;
    }
    if *held >= size && newest.first_key_value().is_some_and(|(oldest, _)| at < *oldest) {
        return;
    }
    newest.entry(at).or_default().push(address);
    *held += 1;
    while let Some(entry) = newest.first_entry() {
        if *held - entry.get().len() < size {
            break;
        }
        *held -= entry.remove().len();
    }
}

struct NewestInSegment {
    segment: SegmentOrdinal,
    times: Option<Column<tantivy::DateTime>>,
    size: usize,
    count: u64,
    held: usize,
    newest: Newest,
}

impl Collector for NewestByTime {
    type Fruit = (u64, Newest);
    type Child = NewestInSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<NewestInSegment> {
        let times = reader.fast_fields().column_opt::<tantivy::DateTime>("utctimestamp")?;
        Ok(NewestInSegment { segment, times, size: self.size, count: 0, held: 0, newest: BTreeMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u64, Newest)>) -> tantivy::Result<(u64, Newest)> {
        let mut count = 0;
        let (mut newest, mut held) = (Newest::new(), 0);
        for (n, segment) in fruits {
            count += n;
            for (at, addresses) in segment {
                for address in addresses {
                    keep_newest(&mut newest, &mut held, self.size, at, address);
                }
            }
        }
        Ok((count, newest))
    }
}

impl SegmentCollector for NewestInSegment {
    type Fruit = (u64, Newest);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.count += 1;
        let at = self.times.as_ref().and_then(|c| c.first(doc)).map(|t| t.into_timestamp_millis());
        keep_newest(&mut self.newest, &mut self.held, self.size, at, DocAddress::new(self.segment, doc));
    }

    fn harvest(self) -> (u64, Newest) {
        (self.count, self.newest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_newest_keeps_ties_with_the_last() {
        let (mut newest, mut held) = (Newest::new(), 0);
        let address = |d| DocAddress::new(0, d);
        for (d, at) in [(0, Some(5)), (1, Some(3)), (2, None), (3, Some(3)), (4, Some(7)), (5, Some(3))] {
            keep_newest(&mut newest, &mut held, 2, at, address(d));
        }
        // 7 and 5 are the newest two; nothing else is needed.
        assert_eq!(newest.keys().copied().collect::<Vec<_>>(), [Some(5), Some(7)]);
        let (mut newest, mut held) = (Newest::new(), 0);
        for (d, at) in [(0, Some(5)), (1, Some(3)), (2, Some(3)), (3, None)] {
            keep_newest(&mut newest, &mut held, 2, at, address(d));
        }
        // 5 and one of the two 3s: both 3s are kept for the caller to rank.
        assert_eq!(newest.get(&Some(3)).map(Vec::len), Some(2));
        assert_eq!(held, 3);
        let (mut none, mut held) = (Newest::new(), 0);
        keep_newest(&mut none, &mut held, 0, Some(1), address(0));
        assert!(none.is_empty());
    }
}
