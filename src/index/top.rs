//! The best matches of a query by score, equal scores in corpus order, as a collector
//! that reads a match's position in the corpus only when the match can still enter the
//! list. Most matches of a frequent word score below the last one kept, and reading the
//! position of every match (tantivy's `TopDocs::tweak_score`) was the largest cost of
//! collecting after scoring itself.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Rank of a hit: higher score first, then earlier in the corpus, so equal scores come out
/// in the same order whatever the index's segment layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ranked {
    pub(crate) score: Score,
    pub(crate) ord: u64,
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then(other.ord.cmp(&self.ord))
    }
}

/// Collects the best `limit` matches (at least one), best first, with their rank.
pub(crate) struct TopRanked {
    limit: usize,
}

impl TopRanked {
    pub(crate) fn new(limit: usize) -> TopRanked {
        TopRanked { limit: limit.max(1) }
    }
}

/// A kept match: its rank, then its document (ranks are unique: each response has its
/// own position in the corpus).
type Kept = (Ranked, DocId);

pub(crate) struct SegmentTopRanked {
    limit: usize,
    segment: SegmentOrdinal,
    /// Position in the corpus by document; `None` in an index without it.
    ord: Option<Arc<dyn ColumnValues<u64>>>,
    /// The best matches so far, the worst on top.
    kept: BinaryHeap<Reverse<Kept>>,
}

impl Collector for TopRanked {
    type Fruit = Vec<(Ranked, DocAddress)>;
    type Child = SegmentTopRanked;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentTopRanked> {
        let ord = reader
            .fast_fields()
            .u64("ord")
            .ok()
            .map(|column| column.first_or_default_col(0));
        Ok(SegmentTopRanked {
            limit: self.limit,
            segment,
            ord,
            kept: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Ranked, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Ranked, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by_key(|&(rank, _)| Reverse(rank));
        all.truncate(self.limit);
        Ok(all)
    }
}

impl SegmentCollector for SegmentTopRanked {
    type Fruit = Vec<(Ranked, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let full = self.kept.len() >= self.limit;
        if full {
            // Below the worst kept score, the position cannot help.
            if let Some(Reverse((worst, _))) = self.kept.peek() {
                if score.total_cmp(&worst.score) == Ordering::Less {
                    return;
                }
            }
        }
        let ord = self.ord.as_ref().map_or(u64::MAX, |c| c.get_val(doc));
        let rank = Ranked { score, ord };
        if !full {
            self.kept.push(Reverse((rank, doc)));
        } else if let Some(mut worst) = self.kept.peek_mut() {
            if rank > worst.0 .0 {
                *worst = Reverse((rank, doc));
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.kept
            .into_iter()
            .map(|Reverse((rank, doc))| (rank, DocAddress::new(segment, doc)))
            .collect()
    }
}
