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
//! a metadata column with a value of its own for most responses ([`is_identifier`]) is
//! not counted at all.

use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Dictionary;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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

/// Whether a facet has a value of its own for more than half of the index's responses
/// (a respondent id, a timestamp): counting it would list the matches one by one.
pub fn is_identifier(spec: &FacetSpec, segments: &[SegmentReader]) -> tantivy::Result<bool> {
    let (mut values, mut docs) = (0u64, 0u64);
    for segment in segments {
        let reader = segment.facet_reader("facets")?;
        let (lo, hi) = spec.ords(reader.facet_dict())?;
        values += hi - lo;
        docs += u64::from(segment.num_docs());
    }
    Ok(docs >= IDENTIFIER_MIN_DOCS && values * 2 > docs)
}

/// Collects [`FacetCount`]s for a list of facets, in its order.
pub struct FacetCounter {
    pub specs: Vec<FacetSpec>,
}

pub struct SegmentFacetCounter {
    reader: tantivy::fastfield::FacetReader,
    ranges: Vec<(u64, u64)>,
    counts: Vec<u32>,
}

/// Per facet: value → count, from one segment (or merged).
type Tally = Vec<HashMap<String, u64>>;

impl Collector for FacetCounter {
    type Fruit = Vec<FacetCount>;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let reader = segment.facet_reader("facets")?;
        let dict = reader.facet_dict();
        let ranges = self
            .specs
            .iter()
            .map(|s| s.ords(dict))
            .collect::<std::io::Result<Vec<_>>>()?;
        let counts = vec![0u32; dict.num_terms()];
        Ok(SegmentFacetCounter {
            reader,
            ranges,
            counts,
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

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = std::io::Result<Tally>;

    /// Counts each value once per response (a response may list a kind twice).
    fn collect(&mut self, doc: DocId, _: Score) {
        let mut previous = None;
        for ord in self.reader.facet_ords(doc) {
            if previous == Some(ord) {
                continue;
            }
            previous = Some(ord);
            if let Some(n) = self.counts.get_mut(ord as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> std::io::Result<Tally> {
        let dict = self.reader.facet_dict();
        let mut tally = Vec::with_capacity(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            let counted: Vec<(u64, u32)> = (lo..hi)
                .filter_map(|ord| {
                    let n = *self.counts.get(ord as usize)?;
                    (n > 0).then_some((ord, n))
                })
                .collect();
            let ords: Vec<u64> = counted.iter().map(|(o, _)| *o).collect();
            let mut values = HashMap::with_capacity(ords.len());
            let mut counts = counted.iter().map(|(_, n)| u64::from(*n));
            dict.sorted_ords_to_term_cb(&ords, |term| {
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
