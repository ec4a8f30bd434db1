//! Number fields (`line`, `theme_id`) are columns only, not terms: every response has one
//! of each, and a term per line number was one more distinct term per response for the
//! indexer to store, sort and write. `line:30` and ranges read the column already; a
//! number written where words go (`line:(30)`, `line:"30"`) is matched on the column too
//! ([`NumberQuery`]) and scored as the term query on the indexed field scored it, so its
//! results and scores are those of index layout 7.

use tantivy::query::{
    Bm25Weight, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// The responses whose number field `field` holds `value`.
#[derive(Debug, Clone)]
pub(crate) struct NumberQuery {
    field: Field,
    value: u64,
}

impl NumberQuery {
    pub(crate) fn new(field: Field, value: u64) -> NumberQuery {
        NumberQuery { field, value }
    }
}

/// The responses of a segment whose column `name` holds `value`, in order.
fn matches(reader: &SegmentReader, name: &str, value: u64) -> tantivy::Result<Vec<DocId>> {
    let column = reader.fast_fields().u64(name)?;
    let mut docs = Vec::new();
    column.get_docids_for_value_range(value..=value, 0..reader.max_doc(), &mut docs);
    Ok(docs)
}

impl Query for NumberQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let name = enable_scoring.schema().get_field_name(self.field).to_string();
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                let mut doc_freq = 0;
                for reader in searcher.segment_readers() {
                    doc_freq += matches(reader, &name, self.value)?.len() as u64;
                }
                let docs = statistics_provider.total_num_docs()?;
                // One value per response: the field held as many terms as responses, an
                // average length of exactly one.
                Some(Bm25Weight::for_one_term(doc_freq, docs, 1.0))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(NumberWeight {
            name,
            value: self.value,
            bm25,
        }))
    }
}

/// A [`NumberQuery`] for the segments of one searcher: its BM25 weight when scored.
struct NumberWeight {
    name: String,
    value: u64,
    bm25: Option<Bm25Weight>,
}

impl NumberWeight {
    /// The score of a match, as the term query gave it: a term of one value per response
    /// has a length of one (the length id 1) and a frequency of one in every match.
    fn score(&self, boost: Score) -> Score {
        self.bm25
            .as_ref()
            .map_or(boost, |w| w.boost_by(boost).score(1, 1))
    }
}

impl Weight for NumberWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = matches(reader, &self.name, self.value)?;
        if docs.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        // A scorer of the term's cost (its number of matches), as the term's was, so it
        // takes the same place among the clauses of a query.
        Ok(Box::new(ConstScorer::new(
            Docs { docs, at: 0 },
            self.score(boost),
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if matches(reader, &self.name, self.value)?
            .binary_search(&doc)
            .is_err()
        {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no {} {}",
                self.name, self.value
            )));
        }
        Ok(match &self.bm25 {
            Some(w) => w.explain(1, 1),
            None => Explanation::new("no scores", self.score(1.0)),
        })
    }
}

/// A segment's matches, in order.
struct Docs {
    docs: Vec<DocId>,
    /// Index of the current one.
    at: usize,
}

impl DocSet for Docs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        self.docs.len() as u32
    }
}
