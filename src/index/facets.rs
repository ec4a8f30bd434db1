//! Facet counts over all matches (by theme, scope, kind, source and every metadata
//! column), with work proportional to the matches and to what is shown, not to the number
//! of distinct values in the index.
//!
//! tantivy's own `FacetCollector` walks every value of every requested facet in each
//! segment's dictionary and looks each counted value up from the start of its block. A
//! column of respondent ids (one value per response) made every query pay for the whole
//! column and every summary list every id. Here each facet's values are one range of
//! term ordinals (facet terms sort by path), found with two dictionary lookups; matches
//! are counted by ordinal; only the counted ordinals are decoded, in one sorted pass; and
//! a metadata column with a value of its own for most responses
//! ([`FacetColumns::is_identifier`]) is not counted at all. Each segment's facet column is
//! opened once per query (opening one decodes its table of blocks); the counters cover
//! the values of the counted facets only, not the whole dictionary (with an identifier
//! column, a value per response: megabytes to clear on every query); and the values of
//! the matches are read in batches.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, Dictionary};
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

/// Most values kept per facet, most frequent first.
pub const FACET_VALUES: usize = 20;

/// Counts below this many responses are never called identifier columns.
const IDENTIFIER_MIN_DOCS: u64 = 20;

/// A facet to count: its name in results (`theme`, `meta.kommune`) and its path.
#[derive(Debug, Clone)]
pub struct FacetSpec {
    pub name: String,
    /// Encoded path of the facet's values: `theme\0`, `meta\0kommune\0`.
    prefix: Vec<u8>,
}

impl FacetSpec {
    pub fn new(name: String, path: &[&str]) -> FacetSpec {
        let mut prefix = Facet::from_path(path).encoded_str().as_bytes().to_vec();
        prefix.push(0);
        FacetSpec { name, prefix }
    }

    /// Term ordinals of this facet's values in `dict`.
    fn ords(&self, dict: &Dictionary) -> std::io::Result<(u64, u64)> {
        let mut end = self.prefix.clone();
        if let Some(last) = end.last_mut() {
            *last = 1;
        }
        let (lower, upper) = dict.term_bounds_to_ord(Bound::Included(&self.prefix), Bound::Excluded(&end))?;
        let num_terms = dict.num_terms() as u64;
        let lo = match lower {
            Bound::Included(o) => o,
            Bound::Excluded(o) => o + 1,
            Bound::Unbounded => 0,
        };
        let hi = match upper {
            Bound::Included(o) => o + 1,
            Bound::Excluded(o) => o,
            Bound::Unbounded => num_terms,
        };
        Ok((lo.min(num_terms), hi.min(num_terms).max(lo.min(num_terms))))
    }
}

/// Counts of one facet over the matches.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FacetCount {
    /// The most frequent values (at most [`FACET_VALUES`]), ties in value order.
    pub top: Vec<(String, u64)>,
    /// Number of different values among the matches.
    pub values: usize,
}

/// The facet column of each segment of a searcher, by segment ordinal: its dictionary,
/// each response's value ordinals, and the segment's number of responses.
pub struct FacetColumns(Vec<(Arc<Dictionary>, Column<u64>, u32)>);

impl FacetColumns {
    /// Opens the `facets` column of every segment.
    pub fn open(segments: &[SegmentReader]) -> tantivy::Result<FacetColumns> {
        let mut columns = Vec::with_capacity(segments.len());
        for segment in segments {
            let column = segment
                .fast_fields()
                .str("facets")?
                .ok_or_else(|| TantivyError::SchemaError("the index has no facet column".into()))?;
            let (dict, ords) = column.into_parts();
            columns.push((dict, ords, segment.num_docs()));
        }
        Ok(FacetColumns(columns))
    }

    /// Whether a facet has a value of its own for more than half of the index's responses
    /// (a respondent id, a timestamp): counting it would list the matches one by one.
    pub fn is_identifier(&self, spec: &FacetSpec) -> tantivy::Result<bool> {
        let (mut values, mut docs) = (0u64, 0u64);
        for (dict, _, num_docs) in &self.0 {
            let (lo, hi) = spec.ords(dict)?;
            values += hi - lo;
            docs += u64::from(*num_docs);
        }
        Ok(is_identifier_count(values, docs))
    }
}

/// Whether `values` distinct values over `docs` responses make a column of identifiers:
/// more values than half the responses (and not a handful of responses).
pub(crate) fn is_identifier_count(values: u64, docs: u64) -> bool {
    docs >= IDENTIFIER_MIN_DOCS && values * 2 > docs
}

/// Collects [`FacetCount`]s for a list of facets, in its order.
pub struct FacetCounter<'a> {
    pub specs: Vec<FacetSpec>,
    pub columns: &'a FacetColumns,
}

pub struct SegmentFacetCounter {
    dict: Arc<Dictionary>,
    ords: Column<u64>,
    /// Per facet, in the order of the specs: its ordinals `lo..hi` and where their counts
    /// start in `counts`.
    ranges: Vec<(u64, u64, usize)>,
    /// The same, sorted by ordinal, to find the count of an ordinal.
    sorted: Vec<(u64, u64, usize)>,
    counts: Vec<u32>,
    /// Matches not yet counted, and room for their values: values are read in batches,
    /// whose independent loads overlap, rather than one response at a time between the
    /// scoring of the next.
    docs: Vec<DocId>,
    value_docs: Vec<DocId>,
    rows: Vec<u32>,
    values: Vec<u64>,
}

/// Matches whose values are read in one batch.
const BATCH: usize = 512;

/// Per facet: value → count, from one segment (or merged).
type Tally = Vec<HashMap<String, u64>>;

impl Collector for FacetCounter<'_> {
    type Fruit = Vec<FacetCount>;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let (dict, ords, _) = self.columns.0.get(segment_ord as usize).ok_or_else(|| {
            TantivyError::InternalError(format!("no facet column for segment {segment_ord}"))
        })?;
        let mut ranges = Vec::with_capacity(self.specs.len());
        let mut slots = 0;
        for spec in &self.specs {
            let (lo, hi) = spec.ords(dict)?;
            ranges.push((lo, hi, slots));
            slots += (hi - lo) as usize;
        }
        let mut sorted = ranges.clone();
        sorted.sort_unstable();
        Ok(SegmentFacetCounter {
            dict: Arc::clone(dict),
            ords: ords.clone(),
            ranges,
            sorted,
            counts: vec![0; slots],
            docs: Vec::with_capacity(BATCH),
            value_docs: Vec::new(),
            rows: Vec::new(),
            values: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<std::io::Result<Tally>>) -> tantivy::Result<Vec<FacetCount>> {
        let mut merged: Tally = vec![HashMap::new(); self.specs.len()];
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit?) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|counts| {
                let values = counts.len();
                let mut top: Vec<(String, u64)> = counts.into_iter().collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                top.truncate(FACET_VALUES);
                FacetCount { top, values }
            })
            .collect())
    }
}

impl SegmentFacetCounter {
    /// Counts the values of the matches in `docs`, each value once per response (a
    /// response may list a kind twice).
    fn count(&mut self) {
        self.value_docs.clear();
        self.rows.clear();
        self.ords
            .index
            .docids_to_rowids(&self.docs, &mut self.value_docs, &mut self.rows);
        self.docs.clear();
        self.values.clear();
        self.values.resize(self.rows.len(), 0);
        self.ords.values.get_vals(&self.rows, &mut self.values);
        let mut previous = None;
        for (&doc, &ord) in self.value_docs.iter().zip(&self.values) {
            if previous == Some((doc, ord)) {
                continue;
            }
            previous = Some((doc, ord));
            // The last range starting at or before `ord`, if `ord` is inside it.
            let at = self.sorted.partition_point(|&(lo, _, _)| lo <= ord);
            if let Some(&(lo, hi, start)) = at.checked_sub(1).and_then(|i| self.sorted.get(i)) {
                if ord < hi {
                    if let Some(n) = self.counts.get_mut(start + (ord - lo) as usize) {
                        *n += 1;
                    }
                }
            }
        }
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = std::io::Result<Tally>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.docs.push(doc);
        if self.docs.len() == BATCH {
            self.count();
        }
    }

    fn harvest(mut self) -> std::io::Result<Tally> {
        self.count();
        let mut tally = Vec::with_capacity(self.ranges.len());
        for &(lo, hi, start) in &self.ranges {
            let counted: Vec<(u64, u32)> = (lo..hi)
                .zip(self.counts.get(start..).unwrap_or_default())
                .filter(|&(_, &n)| n > 0)
                .map(|(ord, &n)| (ord, n))
                .collect();
            let ords: Vec<u64> = counted.iter().map(|(o, _)| *o).collect();
            let mut values = HashMap::with_capacity(ords.len());
            let mut counts = counted.iter().map(|(_, n)| u64::from(*n));
            self.dict.sorted_ords_to_term_cb(&ords, |term| {
                // The value is the last path component.
                let value = term.rsplit(|b| *b == 0).next().unwrap_or_default();
                let n = counts.next().unwrap_or(0);
                *values
                    .entry(String::from_utf8_lossy(value).into_owned())
                    .or_default() += n;
            })?;
            tally.push(values);
        }
        Ok(tally)
    }
}
