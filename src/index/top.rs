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

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTopRanked> {
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

#[cfg(test)]
mod tests {
    use super::{Ranked, TopRanked};
    use tantivy::collector::TopDocs;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::{AllQuery, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, FAST, TEXT};
    use tantivy::{doc, DocId, Index, Score, SegmentReader, Term};

    /// The same hits, in the same order, as tantivy's `TopDocs` ranking every match by
    /// score and position, over several segments with many equal scores.
    #[test]
    fn keeps_the_same_best_hits_as_ranking_every_match() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let ord = builder.add_u64_field("ord", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // Positions out of order within and across segments; few distinct scores.
        let words = [
            "kommune",
            "kommune skole",
            "skole",
            "kommune kommune",
            "buss kommune skole",
        ];
        for segment in 0..4u64 {
            for i in 0..50u64 {
                let position = (i * 37 + segment * 11) % 200 + segment * 1000;
                let words = words[((i + segment) % 5) as usize];
                writer
                    .add_document(doc!(text => words, ord => position))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let term = |w: &str| TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::WithFreqs);
        let queries: Vec<Box<dyn Query>> = vec![
            Box::new(AllQuery),
            Box::new(term("kommune")),
            Box::new(term("skole")),
        ];
        for query in &queries {
            for limit in [1, 3, 10, 49, 200, 500] {
                let ours = searcher
                    .search(query.as_ref(), &TopRanked::new(limit))
                    .expect("ours");
                let all = TopDocs::with_limit(limit).tweak_score(|segment: &SegmentReader| {
                    let ord = segment
                        .fast_fields()
                        .u64("ord")
                        .expect("ord")
                        .first_or_default_col(0);
                    move |doc: DocId, score: Score| Ranked {
                        score,
                        ord: ord.get_val(doc),
                    }
                });
                let expected = searcher.search(query.as_ref(), &all).expect("expected");
                assert_eq!(ours, expected, "limit {limit}");
                assert!(ours.windows(2).all(|w| w[0].0 > w[1].0));
            }
        }
    }
}
