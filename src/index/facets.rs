//! Facet counts over all matches (by theme, scope, kind, source and every metadata
//! column), with work proportional to the matches and to what is shown, not to the number
//! of distinct values in the index.
//!
//! Each facet is a column of its own: the `theme`, `scope`, `kind` and `source` fields and
//! one `meta:<column>` field per counted metadata column keep their values as fast
//! (columnar) text, each segment with a small dictionary of its values and a column of
//! value ordinals per response. A match is counted by reading its ordinal in each facet's
//! column (the matches' values are read in batches, whose independent loads overlap, rather
//! than one response at a time between the scoring of the next) and adding one to that
//! ordinal's count; only the counted ordinals are decoded, in one sorted pass per facet and
//! segment. A metadata column with a value of its own for most responses (a respondent id)
//! has no facet column ([`FacetColumns::identifiers`]): counting it would list the matches
//! one by one.

use std::collections::HashMap;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, Dictionary};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

/// Most values kept per facet, most frequent first.
pub const FACET_VALUES: usize = 20;

/// Counts below this many responses are never called identifier columns.
const IDENTIFIER_MIN_DOCS: u64 = 20;

/// Facets with at most this many values in a segment are counted in an array indexed by
/// value ordinal; larger ones in a map, so no query clears megabytes of counters.
const DENSE_VALUES: usize = 1 << 16;

/// A facet to count: its name in results (`theme`, `meta.kommune`) and the fast field
/// that holds its values (`theme`, `meta:kommune`).
#[derive(Debug, Clone)]
pub struct FacetSpec {
    pub name: String,
    field: String,
}

impl FacetSpec {
    pub fn new(name: String, field: String) -> FacetSpec {
        FacetSpec { name, field }
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

/// One facet's column in one segment: the dictionary of its values and each response's
/// value ordinals.
type FacetColumn = (Arc<Dictionary>, Column<u64>);

/// The columns of a list of facets in every segment of a searcher.
pub struct FacetColumns {
    specs: Vec<FacetSpec>,
    /// By segment ordinal, then in the order of `specs`; `None` where the segment holds no
    /// value of the facet.
    segments: Vec<Vec<Option<FacetColumn>>>,
    /// Responses in the index.
    num_docs: u64,
}

impl FacetColumns {
    /// Opens the column of each facet in every segment.
    pub fn open(segments: &[SegmentReader], specs: Vec<FacetSpec>) -> tantivy::Result<FacetColumns> {
        let mut opened = Vec::with_capacity(segments.len());
        for segment in segments {
            let fast = segment.fast_fields();
            let mut columns = Vec::with_capacity(specs.len());
            for spec in &specs {
                columns.push(fast.str(&spec.field)?.map(|column| column.into_parts()));
            }
            opened.push(columns);
        }
        Ok(FacetColumns {
            specs,
            segments: opened,
            num_docs: segments.iter().map(|s| u64::from(s.num_docs())).sum(),
        })
    }

    /// Takes out the facets with a value of their own for more than half of the index's
    /// responses (a respondent id, a timestamp) and returns their names, in order: counting
    /// them would list the matches one by one.
    pub fn identifiers(&mut self) -> Vec<String> {
        let identifier: Vec<bool> = (0..self.specs.len())
            .map(|i| {
                let values: u64 = self
                    .segments
                    .iter()
                    .filter_map(|columns| columns.get(i)?.as_ref())
                    .map(|(dict, _)| dict.num_terms() as u64)
                    .sum();
                is_identifier_count(values, self.num_docs)
            })
            .collect();
        for columns in &mut self.segments {
            let mut flags = identifier.iter();
            columns.retain(|_| !flags.next().copied().unwrap_or(false));
        }
        let mut flags = identifier.iter();
        let (identifiers, counted): (Vec<FacetSpec>, Vec<FacetSpec>) = std::mem::take(&mut self.specs)
            .into_iter()
            .partition(|_| flags.next().copied().unwrap_or(false));
        self.specs = counted;
        identifiers.into_iter().map(|spec| spec.name).collect()
    }

    /// Names of the facets counted, in the order of the counts.
    pub fn names(&self) -> Vec<String> {
        self.specs.iter().map(|spec| spec.name.clone()).collect()
    }
}

/// Whether `values` distinct values over `docs` responses make a column of identifiers:
/// more values than half the responses (and not a handful of responses).
pub(crate) fn is_identifier_count(values: u64, docs: u64) -> bool {
    docs >= IDENTIFIER_MIN_DOCS && values * 2 > docs
}

/// Collects [`FacetCount`]s for the facets of a [`FacetColumns`], in its order.
pub struct FacetCounter<'a> {
    pub columns: &'a FacetColumns,
}

/// How often each value ordinal of one facet occurs among a segment's matches.
enum Counts {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl Counts {
    fn new(values: usize) -> Counts {
        if values <= DENSE_VALUES {
            Counts::Dense(vec![0; values])
        } else {
            Counts::Sparse(HashMap::new())
        }
    }

    /// Counts `n` more responses with value `ord`.
    fn add(&mut self, ord: u64, n: u32) {
        match self {
            Counts::Dense(counts) => {
                if let Some(count) = usize::try_from(ord).ok().and_then(|i| counts.get_mut(i)) {
                    *count += n;
                }
            }
            Counts::Sparse(counts) => *counts.entry(ord).or_default() += n,
        }
    }

    /// The counted ordinals in order, with their counts.
    fn counted(&self) -> Vec<(u64, u32)> {
        match self {
            Counts::Dense(counts) => (0u64..)
                .zip(counts)
                .filter(|&(_, &n)| n > 0)
                .map(|(ord, &n)| (ord, n))
                .collect(),
            Counts::Sparse(counts) => {
                let mut counted: Vec<(u64, u32)> = counts.iter().map(|(&o, &n)| (o, n)).collect();
                counted.sort_unstable();
                counted
            }
        }
    }
}

/// One facet of a segment being counted: its column and the counts so far.
type Counting = (Arc<Dictionary>, Column<u64>, Counts);

pub struct SegmentFacetCounter {
    /// Per facet, in the order of the specs; `None` where the segment has no column.
    facets: Vec<Option<Counting>>,
    /// Matches not yet counted, and room for their values.
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
        let columns = self.columns.segments.get(segment_ord as usize).ok_or_else(|| {
            TantivyError::InternalError(format!("no facet columns for segment {segment_ord}"))
        })?;
        let facets = columns
            .iter()
            .map(|column| {
                column
                    .as_ref()
                    .map(|(dict, ords)| (Arc::clone(dict), ords.clone(), Counts::new(dict.num_terms())))
            })
            .collect();
        Ok(SegmentFacetCounter {
            facets,
            docs: Vec::with_capacity(BATCH),
            value_docs: Vec::with_capacity(BATCH),
            rows: Vec::with_capacity(BATCH),
            values: Vec::with_capacity(BATCH),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<std::io::Result<Tally>>) -> tantivy::Result<Vec<FacetCount>> {
        let mut merged: Tally = vec![HashMap::new(); self.columns.specs.len()];
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
        let SegmentFacetCounter {
            facets,
            docs,
            value_docs,
            rows,
            values,
        } = self;
        if docs.is_empty() {
            return;
        }
        for (dict, ords, counts) in facets.iter_mut().flatten() {
            if dict.num_terms() == 1 && ords.get_cardinality() == Cardinality::Full {
                // Every response has the one value (the source of a single input file):
                // nothing to read.
                counts.add(0, docs.len() as u32);
                continue;
            }
            value_docs.clear();
            rows.clear();
            ords.index.docids_to_rowids(docs, value_docs, rows);
            values.clear();
            values.resize(rows.len(), 0);
            ords.values.get_vals(rows, values);
            if ords.get_cardinality() != Cardinality::Multivalued {
                // At most one value per response (so for theme, scope and source).
                for &ord in values.iter() {
                    counts.add(ord, 1);
                }
                continue;
            }
            // A response's values are side by side.
            let mut start = 0;
            while start < value_docs.len() {
                let doc = value_docs[start];
                let end = start + value_docs[start..].iter().take_while(|&&d| d == doc).count();
                let doc_values = &mut values[start..end];
                doc_values.sort_unstable();
                let mut previous = None;
                for &ord in doc_values.iter() {
                    if previous != Some(ord) {
                        counts.add(ord, 1);
                        previous = Some(ord);
                    }
                }
                start = end;
            }
        }
        docs.clear();
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
        let mut tally = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let mut values = HashMap::new();
            if let Some((dict, _, counts)) = facet {
                let counted = counts.counted();
                let ords: Vec<u64> = counted.iter().map(|(o, _)| *o).collect();
                let mut counts = counted.iter().map(|(_, n)| u64::from(*n));
                dict.sorted_ords_to_term_cb(&ords, |term| {
                    let n = counts.next().unwrap_or(0);
                    *values
                        .entry(String::from_utf8_lossy(term).into_owned())
                        .or_default() += n;
                })?;
            }
            tally.push(values);
        }
        Ok(tally)
    }
}
