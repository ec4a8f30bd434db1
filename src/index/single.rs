//! Fields with one value per response that have no terms of their own: `line` and
//! `theme_id` are columns, and `id` is stored and found through its line. A term per line
//! number and per id was two more distinct terms per response for the writer to hash,
//! sort and write into the term dictionary (with the identifier columns, most of an index's
//! terms). `line:30` and ranges read the column already; a number written where words go
//! (`line:(30)`, `line:"30"`) and `id:seed-0045` are matched by [`SingleQuery`] and scored
//! as the term query on an indexed field scored them, so hits and scores are those of
//! index layout 7.
//!
//! Ids are `collection-line` (`seed-0045`, `skjema-0012-03` for the third answer of a
//! wide row): the responses at the lines an id names are read, and those whose stored id
//! is the one asked for match. An id that names no line of its response (none that stemme
//! makes) is also indexed as a term of the field `other_id`.
//!
//! An identifier column (a value of its own for most responses: `meta.id`) keeps its
//! values stored, each indexed as one of 65,536 buckets of a hash of the lowercased value
//! ([`Bucket`]): a few thousand terms, each shared by many responses, instead of one per
//! response. `meta.id:17` reads the responses of its bucket and keeps those whose stored
//! value is `17`. Each value is still one term of the field, so the metadata length
//! statistic that BM25 reads ([`super::search`]) is what it was.

use crate::analyze::lowercases_to;
use tantivy::index::SegmentId;
use tantivy::query::{
    Bm25Weight, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::document::Value;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyDocument, TantivyError, Term, TERMINATED};

/// How [`SingleQuery`] finds a value's responses in a segment.
#[derive(Debug, Clone)]
pub(crate) enum Single {
    /// The number `value` in the column of `field`.
    Number { field: Field, value: u64 },
    /// The id `value` (lowercased): stored in `id`, read at the lines it names (the column
    /// `line`), or a term of `other_id`.
    Id {
        value: String,
        id: Field,
        line: Field,
        other_id: Field,
    },
    /// The value `value` (lowercased) of an identifier column, stored in `field` and
    /// indexed there as its bucket.
    Bucketed { value: String, field: Field },
}

/// Name of the tokenizer of an identifier column's field ([`Bucket`]).
pub(crate) const BUCKET: &str = "stemme_bucket";

/// The bucket term of a lowercased value: 4 hex digits of its FNV-1a hash.
fn bucket(lowercased: impl Iterator<Item = char>) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    let mut utf8 = [0u8; 4];
    for c in lowercased {
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    format!("{:04x}", (hash ^ (hash >> 16)) & 0xffff)
}

/// Tokenizer of an identifier column's field: a value is one term, the bucket of the value
/// lowercased as the keyword fields lowercase it.
#[derive(Clone, Default)]
pub(crate) struct Bucket {
    token: Token,
}

impl Tokenizer for Bucket {
    type TokenStream<'a> = BucketStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BucketStream<'a> {
        self.token = Token {
            text: bucket(text.chars().flat_map(char::to_lowercase)),
            position: 0,
            ..Token::default()
        };
        BucketStream {
            token: &mut self.token,
            given: false,
        }
    }
}

/// A value's one bucket term.
pub(crate) struct BucketStream<'a> {
    token: &'a mut Token,
    given: bool,
}

impl TokenStream for BucketStream<'_> {
    fn advance(&mut self) -> bool {
        !std::mem::replace(&mut self.given, true)
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The lines an id may name: every run of digits between a `-` and the next `-` or the
/// end (`seed-0045` → 45; `skjema-0012-03` → 12, 3).
pub(crate) fn id_lines(id: &str) -> impl Iterator<Item = u64> + '_ {
    id.split('-')
        .skip(1)
        .filter(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|run| run.parse().ok())
}

/// The responses of a segment whose number column `name` holds `value`, in order.
fn numbers(reader: &SegmentReader, name: &str, value: u64) -> tantivy::Result<Vec<DocId>> {
    let column = reader.fast_fields().u64(name)?;
    let mut docs = Vec::new();
    // Outside the segment's values, nothing: the column's own range search takes a value
    // below its least as that least (it subtracts the least, stopping at zero), so in a
    // segment whose responses all have line 7, `line:(3)` found them all.
    if (column.min_value()..=column.max_value()).contains(&value) {
        column.get_docids_for_value_range(value..=value, 0..reader.max_doc(), &mut docs);
    }
    Ok(docs)
}

impl Single {
    /// The responses of a segment with this value, in order.
    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let schema = reader.schema();
        match self {
            Single::Number { field, value } => numbers(reader, schema.get_field_name(*field), *value),
            Single::Id {
                value,
                id,
                line,
                other_id,
            } => {
                let mut docs = Vec::new();
                let mut lines: Vec<u64> = id_lines(value).collect();
                lines.sort_unstable();
                lines.dedup();
                let store = reader.get_store_reader(1)?;
                for n in lines {
                    for doc in numbers(reader, schema.get_field_name(*line), n)? {
                        let stored: TantivyDocument = store.get(doc)?;
                        let text = stored.get_first(*id).and_then(|v| v.as_str());
                        if text.is_some_and(|t| lowercases_to(t, value)) {
                            docs.push(doc);
                        }
                    }
                }
                let term = Term::from_field_text(*other_id, value);
                if let Some(mut postings) = reader
                    .inverted_index(*other_id)?
                    .read_postings(&term, IndexRecordOption::Basic)?
                {
                    while postings.doc() != TERMINATED {
                        docs.push(postings.doc());
                        postings.advance();
                    }
                }
                docs.sort_unstable();
                docs.dedup();
                Ok(docs)
            }
            Single::Bucketed { value, field } => {
                let term = Term::from_field_text(*field, &bucket(value.chars()));
                let mut docs = Vec::new();
                let Some(mut postings) = reader
                    .inverted_index(*field)?
                    .read_postings(&term, IndexRecordOption::Basic)?
                else {
                    return Ok(docs);
                };
                let store = reader.get_store_reader(1)?;
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    let stored: TantivyDocument = store.get(doc)?;
                    let mut values = stored.get_all(*field).filter_map(|v| v.as_str());
                    if values.any(|t| lowercases_to(t, value)) {
                        docs.push(doc);
                    }
                    postings.advance();
                }
                Ok(docs)
            }
        }
    }
}

/// The responses with one value of a field of one value per response ([`Single`]).
#[derive(Debug, Clone)]
pub(crate) struct SingleQuery(pub(crate) Single);

impl Query for SingleQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The matches are found once per segment: for the scores' document frequency when
        // scoring, and kept for the scorers (an id's or a bucket's matches read the store).
        let mut found = Vec::new();
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                for reader in searcher.segment_readers() {
                    found.push((reader.segment_id(), self.0.matches(reader)?));
                }
                let doc_freq: u64 = found.iter().map(|(_, docs)| docs.len() as u64).sum();
                let docs = statistics_provider.total_num_docs()?;
                let average_length = match &self.0 {
                    // As the metadata fields' statistics have it.
                    Single::Bucketed { field, .. } => {
                        statistics_provider.total_num_tokens(*field)? as Score / docs as Score
                    }
                    // One value per response: the field held as many terms as responses,
                    // an average length of exactly one.
                    Single::Number { .. } | Single::Id { .. } => 1.0,
                };
                Some(Bm25Weight::for_one_term(doc_freq, docs, average_length))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(SingleWeight {
            single: self.0.clone(),
            bm25,
            found,
        }))
    }
}

/// A [`SingleQuery`] for the segments of one searcher: its BM25 weight when scored.
struct SingleWeight {
    single: Single,
    bm25: Option<Bm25Weight>,
    /// The matches of each segment, when they were found for the scores.
    found: Vec<(SegmentId, Vec<DocId>)>,
}

impl SingleWeight {
    /// The score of a match, as the term query gave it: a term of one value per response
    /// has a length of one (the length id 1) and a frequency of one in every match.
    fn score(&self, boost: Score) -> Score {
        self.bm25
            .as_ref()
            .map_or(boost, |w| w.boost_by(boost).score(1, 1))
    }
}

impl Weight for SingleWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = match self.found.iter().find(|(id, _)| *id == reader.segment_id()) {
            Some((_, docs)) => docs.clone(),
            None => self.single.matches(reader)?,
        };
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
        if self.single.matches(reader)?.binary_search(&doc).is_err() {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match {:?}",
                self.single
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING};
    use tantivy::{Index, IndexWriter};

    #[test]
    fn an_id_is_found_through_its_line_or_as_a_term_with_the_score_of_a_term() {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STORED);
        let line = b.add_u64_field("line", FAST);
        let other_id = b.add_text_field("other_id", STRING);
        let index = Index::create_in_ram(b.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        // Two responses at line 2 (of two collections), one whose id names no line.
        for (text, n, other) in [
            ("Skjema-0002", 2, None),
            ("svar-0002", 2, None),
            ("Egen", 3, Some("egen")),
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(id, text);
            doc.add_u64(line, n);
            if let Some(other) = other {
                doc.add_text(other_id, other);
            }
            writer.add_document(doc).expect("added");
        }
        writer.commit().expect("committed");
        let searcher = index.reader().expect("reader").searcher();
        let find = |value: &str| {
            let query = SingleQuery(Single::Id {
                value: value.to_string(),
                id,
                line,
                other_id,
            });
            let found = searcher
                .search(&query, &TopDocs::with_limit(5).order_by_score())
                .expect("searched");
            found
                .iter()
                .map(|&(score, address)| {
                    let doc: TantivyDocument = searcher.doc(address).expect("stored");
                    let text = doc
                        .get_first(id)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string();
                    (text, score)
                })
                .collect::<Vec<_>>()
        };
        // BM25 of a term held by 1 of 3 responses, of length one as the average: the idf.
        let idf = (1.0f32 + (3.0 - 1.0 + 0.5) / (1.0 + 0.5)).ln();
        for (value, text) in [
            ("skjema-0002", "Skjema-0002"),
            ("svar-0002", "svar-0002"),
            ("egen", "Egen"),
        ] {
            let found = find(value);
            assert_eq!(found.len(), 1, "{value}: {found:?}");
            assert_eq!(found[0].0, text);
            assert!((found[0].1 - idf).abs() < 1e-6, "{value}: {found:?} vs {idf}");
        }
        assert!(find("skjema-0003").is_empty());
        assert!(find("skjema").is_empty());
    }

    #[test]
    fn an_identifier_value_is_found_in_its_bucket_with_the_score_of_a_term() {
        let mut b = Schema::builder();
        let options = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(BUCKET)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            )
            .set_stored();
        let field = b.add_text_field("meta.id", options);
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register(BUCKET, Bucket::default());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for value in ["A-17", "a-17", "b-18", "Ø-19"] {
            let mut doc = TantivyDocument::default();
            doc.add_text(field, value);
            writer.add_document(doc).expect("added");
        }
        writer.commit().expect("committed");
        let searcher = index.reader().expect("reader").searcher();
        let find = |value: &str| {
            let query = SingleQuery(Single::Bucketed {
                value: value.to_string(),
                field,
            });
            searcher
                .search(&query, &TopDocs::with_limit(5).order_by_score())
                .expect("searched")
        };
        // 2 of 4 responses, each with one value (an average of one).
        let idf = (1.0f32 + (4.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln();
        let found = find("a-17");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|(score, _)| (score - idf).abs() < 1e-6),
            "{found:?} vs {idf}"
        );
        assert_eq!(find("ø-19").len(), 1);
        assert!(find("a-18").is_empty());
        // The bucket is that of the value lowercased.
        assert_eq!(
            bucket("ø-19".chars()),
            bucket("Ø-19".chars().flat_map(char::to_lowercase))
        );
    }

    #[test]
    fn a_number_outside_a_segments_values_finds_nothing_there() {
        let mut b = Schema::builder();
        let line = b.add_u64_field("line", FAST);
        let index = Index::create_in_ram(b.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        // One segment of one value (7, twice), one of several (2, 9, 30).
        for segment in [&[7, 7][..], &[2, 9, 30]] {
            for &n in segment {
                let mut doc = TantivyDocument::default();
                doc.add_u64(line, n);
                writer.add_document(doc).expect("added");
            }
            writer.commit().expect("committed");
        }
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let lines = |value: u64| -> Vec<u64> {
            let query = SingleQuery(Single::Number { field: line, value });
            let found = searcher
                .search(&query, &TopDocs::with_limit(10).order_by_score())
                .expect("searched");
            let mut lines: Vec<u64> = found
                .iter()
                .map(|&(_, address)| {
                    let reader = searcher.segment_reader(address.segment_ord);
                    let column = reader.fast_fields().u64("line").expect("column");
                    column.first(address.doc_id).expect("a line")
                })
                .collect();
            lines.sort_unstable();
            lines
        };
        assert_eq!(lines(7), [7, 7]);
        assert_eq!(lines(9), [9]);
        for absent in [0, 1, 3, 6, 8, 31, u64::MAX] {
            assert!(lines(absent).is_empty(), "{absent}: {:?}", lines(absent));
        }
    }

    #[test]
    fn an_id_names_the_lines_of_its_digit_runs() {
        assert_eq!(id_lines("seed-0045").collect::<Vec<_>>(), [45]);
        assert_eq!(id_lines("skjema-0012-03").collect::<Vec<_>>(), [12, 3]);
        assert_eq!(id_lines("a-b-7").collect::<Vec<_>>(), [7]);
        assert_eq!(id_lines("x-+5-1a-").count(), 0);
        assert_eq!(id_lines("0045").count(), 0);
    }
}
