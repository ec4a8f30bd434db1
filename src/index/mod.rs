//! Stage: index and search. Analysed responses in, a tantivy index on disk out; queries in,
//! ranked [`Hit`]s out. The text is indexed with the tokens the analyzer already produced
//! (each response is analysed once; see [`replay`]), compound parts at the word's position,
//! and the same analyzer is registered as the field's tokenizer on every open, so queries
//! stem exactly alike: `kommune` finds `kommunene` and `kommuner`, `modell` finds
//! `lokalsamfunnsmodeller`.
//!
//! Fields: `body` (the response text, stored only), `text` (the words' stems) and `parts` (compound
//! parts and hyphen-joined words at the word's position, searched with half weight so a whole-word
//! match ranks first), `question` (Norwegian analyzer), `theme` (the theme label, analysed),
//! `label` (human labels, analysed), `kind`, `scope`, `source`, `collection`, `id` (exact,
//! case-insensitive), `theme_id` and `line` (numbers), and a field `meta.<column>` for every other
//! input column (exact, case-insensitive: `meta.kommune:bergen`). `id`, `line` and `theme_id` have
//! no terms of their own, and an identifier column's values are indexed by bucket (see [`single`]);
//! fields with one value per response record no lengths ([`Lengths::One`]). The metadata fields
//! were one JSON field until layout 7, whose objects took 4 % more of the index stage's
//! instructions to build and index; they share one length statistic for ranking, as that field had
//! ([`search`]), so scores stay as they were. The values counted with results are fast (columnar)
//! fields: `theme`, `scope`, `kind` and `source` keep theirs as written, and each metadata column
//! other than an identifier has a fast field `meta:<column>` of its own (see [`facets`]). Only what
//! results show is stored (`id`, `body`, `source`, `line`, `theme`, `scope`, `kind`), and the
//! identifier columns' values, which a search compares. `stemme-index.json` beside tantivy's files
//! lists the metadata columns.
//!
//! Searching lives in [`search`], the concordance view in [`kwic`].

mod facets;
pub mod kwic;
pub mod query;
mod replay;
pub mod search;
mod single;
mod top;

pub use facets::FacetCount;
pub use search::{Facets, Hit, SearchOptions, SearchResult, Searcher};

use crate::analysis::{meta_columns, Analysis, Row};
use crate::analyze::{Analyzer, FastSet, NorwegianTokenizer, Vocabulary, Words, TOKENIZER_NAME};
use crate::error::{Error, Result};
use crate::Progress;
use rayon::prelude::*;
use replay::{Memo, RowTokens, TermTable, Terms};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer, RAW_TOKENIZER_NAME};
use tantivy::{Index, TantivyDocument};

/// File beside the index that records what tantivy's schema does not; it is also the
/// marker by which stemme knows an index folder as its own (see [`crate::output`]).
pub const SIDECAR: &str = "stemme-index.json";

/// What `stemme-index.json` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexInfo {
    /// Always `stemme-index`.
    #[serde(default)]
    pub format: String,
    pub schema_version: u32,
    pub responses: usize,
    /// Metadata columns as searchable keys ([`meta_key`]), for facets and query checks.
    pub meta_columns: Vec<String>,
    /// Keys of the metadata columns with a value of their own for more than half of the
    /// responses (a respondent id, a timestamp): searchable, but not written as facets,
    /// since counting them would list the matches one by one.
    #[serde(default)]
    pub identifier_columns: Vec<String>,
}

/// Version of the index layout; an index of another version must be rebuilt.
pub const INDEX_SCHEMA_VERSION: u32 = 10;

/// Name of the exact, lowercased tokenizer for keyword fields.
const KEYWORD: &str = "stemme_keyword";

/// Names of the tokenizers of the `text` and `parts` fields: the rows' own tokens while
/// the index is built, the analyzer when it is searched.
const TEXT_TOKENS: &str = "stemme_nb_text";
const PART_TOKENS: &str = "stemme_nb_parts";

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    id: Field,
    /// The ids not found through their line ([`single`]).
    other_id: Field,
    body: Field,
    text: Field,
    parts: Field,
    question: Field,
    source: Field,
    collection: Field,
    line: Field,
    kind: Field,
    label: Field,
    theme: Field,
    theme_id: Field,
    scope: Field,
    /// Position of the response in the corpus (fast): breaks ties between equal scores.
    pub(crate) ord: Field,
}

/// Whether a field records each response's length in it (its number of terms).
#[derive(Clone, Copy, PartialEq)]
enum Lengths {
    Recorded,
    /// Not recorded: the field has exactly one value per response, so its length is one in
    /// every response, which is also what BM25 reads for a field without lengths; scores
    /// are the same without a byte per response and field to write.
    One,
}

/// An indexed field with what its postings record; stored when its value is shown with
/// results.
fn text_options(tokenizer: &str, record: IndexRecordOption, lengths: Lengths, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record)
            .set_fieldnorms(lengths == Lengths::Recorded),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The field in which the values of the metadata column with key `key` (see [`meta_key`])
/// are searched.
pub(crate) fn meta_field(key: &str) -> String {
    format!("meta.{key}")
}

/// The fast field that holds the values of the metadata column with key `key` (see
/// [`meta_key`]) for facet counts.
pub(crate) fn meta_facet_field(key: &str) -> String {
    format!("meta:{key}")
}

/// A field for each metadata column key.
type MetaFields<'a> = HashMap<&'a str, Field>;

/// The schema, with a search field for each of `meta_keys` and a facet field for each of
/// `facet_keys` (metadata column keys); the search fields of `identifier_keys` index the
/// values' buckets ([`single::Bucket`]).
fn schema<'a>(
    meta_keys: impl IntoIterator<Item = &'a str>,
    facet_keys: impl IntoIterator<Item = &'a str>,
    identifier_keys: &BTreeSet<&str>,
) -> (Schema, Fields, MetaFields<'a>, MetaFields<'a>) {
    let mut b = Schema::builder();
    let analysed = text_options(
        TOKENIZER_NAME,
        IndexRecordOption::WithFreqsAndPositions,
        Lengths::Recorded,
        false,
    );
    // One value per response, shown with results; with `fast`, also counted as a facet
    // (the values as written, in a column per segment).
    let one_value = text_options(KEYWORD, IndexRecordOption::Basic, Lengths::One, true);
    let fast = |options: TextOptions| options.set_fast(RAW_TOKENIZER_NAME);
    // One number per response, searched in its column (see [`single`]).
    let number = NumericOptions::default().set_fast();
    let fields = Fields {
        id: b.add_text_field("id", STORED),
        other_id: b.add_text_field(
            "other_id",
            text_options(KEYWORD, IndexRecordOption::Basic, Lengths::One, false),
        ),
        body: b.add_text_field("body", STORED),
        text: b.add_text_field(
            "text",
            text_options(
                TEXT_TOKENS,
                IndexRecordOption::WithFreqsAndPositions,
                Lengths::Recorded,
                false,
            ),
        ),
        // Parts are only ever searched as single terms (a phrase matches whole words), so
        // they need no positions.
        parts: b.add_text_field(
            "parts",
            text_options(
                PART_TOKENS,
                IndexRecordOption::WithFreqs,
                Lengths::Recorded,
                false,
            ),
        ),
        question: b.add_text_field("question", analysed.clone()),
        source: b.add_text_field("source", fast(one_value.clone())),
        collection: b.add_text_field(
            "collection",
            text_options(KEYWORD, IndexRecordOption::Basic, Lengths::One, false),
        ),
        line: b.add_u64_field("line", number.clone().set_stored()),
        // Any number of kinds per response.
        kind: b.add_text_field(
            "kind",
            fast(text_options(
                KEYWORD,
                IndexRecordOption::Basic,
                Lengths::Recorded,
                true,
            )),
        ),
        label: b.add_text_field("label", analysed.clone()),
        theme: b.add_text_field("theme", fast(analysed.set_stored())),
        theme_id: b.add_u64_field("theme_id", number),
        scope: b.add_text_field("scope", fast(one_value)),
        ord: b.add_u64_field("ord", FAST),
    };
    // Without lengths of their own: a match's length is one value, as in the JSON field
    // these replace.
    let meta_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KEYWORD)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let bucketed = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(single::BUCKET)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        )
        .set_stored();
    let meta = meta_keys
        .into_iter()
        .map(|key| {
            let options = if identifier_keys.contains(key) {
                bucketed.clone()
            } else {
                meta_options.clone()
            };
            (key, b.add_text_field(&meta_field(key), options))
        })
        .collect();
    let facets = facet_keys
        .into_iter()
        .map(|key| {
            let options = TextOptions::default().set_fast(RAW_TOKENIZER_NAME);
            (key, b.add_text_field(&meta_facet_field(key), options))
        })
        .collect();
    (b.build(), fields, meta, facets)
}

pub(crate) fn fields_of(schema: &Schema) -> std::result::Result<Fields, tantivy::TantivyError> {
    let f = |name| schema.get_field(name);
    Ok(Fields {
        id: f("id")?,
        other_id: f("other_id")?,
        body: f("body")?,
        text: f("text")?,
        parts: f("parts")?,
        question: f("question")?,
        source: f("source")?,
        collection: f("collection")?,
        line: f("line")?,
        kind: f("kind")?,
        label: f("label")?,
        theme: f("theme")?,
        theme_id: f("theme_id")?,
        scope: f("scope")?,
        ord: f("ord")?,
    })
}

/// tantivy keeps no tokenizers on disk: register ours on every open for search.
pub(crate) fn register_tokenizers(index: &Index, analyzer: &Analyzer) {
    for name in [TOKENIZER_NAME, TEXT_TOKENS, PART_TOKENS] {
        index.tokenizers().register(
            name,
            TextAnalyzer::from(NorwegianTokenizer::new(analyzer.clone())),
        );
    }
    register_keyword(index);
}

/// The tokenizers of the keyword and identifier fields, alike when built and searched.
fn register_keyword(index: &Index) {
    index.tokenizers().register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    index
        .tokenizers()
        .register(single::BUCKET, single::Bucket::default());
}

/// The tokenizers while `analysis` is indexed: the rows' own tokens for `text` and
/// `parts`, the analyzer (once per distinct value) for the other analysed fields.
fn register_build_tokenizers(index: &Index, analysis: &Arc<Analysis>, table: TermTable) {
    let tokenizers = index.tokenizers();
    let table = Arc::new(table);
    tokenizers.register(
        TEXT_TOKENS,
        RowTokens::new(Arc::clone(analysis), Arc::clone(&table), Terms::Stems),
    );
    tokenizers.register(
        PART_TOKENS,
        RowTokens::new(Arc::clone(analysis), table, Terms::Parts),
    );
    tokenizers.register(
        TOKENIZER_NAME,
        Memo::new(NorwegianTokenizer::new(Analyzer::norwegian())),
    );
    register_keyword(index);
}

/// Writer memory per indexing thread (tantivy needs at least 15 MB a thread). Each thread
/// writes a segment whenever its memory is full, and every segment costs each search its
/// own files to open and map, dictionaries and columns: at 1M responses 128 MB a thread
/// made 4 segments where 64 MB made 10, and a query took about a sixth less time (most of
/// it in the kernel, mapping and unmapping files). Since ids, line numbers and identifier
/// columns take no term per response (layout 10), 128 MB a thread makes 2.
const WRITER_MEMORY_PER_THREAD: usize = 128_000_000;

/// Most indexing threads: with [`WRITER_MEMORY_PER_THREAD`], at most 512 MB of writer
/// memory on any machine.
const WRITER_THREADS: usize = 4;

/// Builds an index of the analysed rows in the empty folder `dir` (a staged folder, see
/// [`crate::output`]: the caller switches it in for the old index once it is complete).
/// Documents are made on every worker thread and indexed by as many tantivy writer
/// threads (at most [`WRITER_THREADS`]), which replay the rows' tokens (no text is
/// analysed again).
///
/// The index reads the rows and, of the word table, only the words' terms, which it packs
/// into a [`TermTable`]: the word table and the vocabulary are released before the writers
/// start (at 1M responses about 140 MB that would otherwise sit beside the writers'
/// memory, the largest moment of a run). Returns the analysis without them, for what is
/// said about the run afterwards.
pub fn build(dir: &Path, mut analysis: Analysis, progress: &dyn Progress) -> Result<Arc<Analysis>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let table = TermTable::new(&analysis.words)
        .ok_or_else(|| Error::index(dir, "the words' stems take more than 4 GB"))?;
    analysis.words = Words::default();
    analysis.vocabulary = Vocabulary::default();
    let analysis = Arc::new(analysis);
    let columns = meta_columns(&analysis.rows);
    let identifiers = identifier_columns(&analysis.rows, &columns);
    // Each column's search key, worked out once rather than for every row.
    let keys: HashMap<&str, String> = columns.iter().map(|&c| (c, meta_key(c))).collect();
    let facet_keys: BTreeSet<&str> = columns
        .iter()
        .filter(|c| !identifiers.contains(*c))
        .map(|c| keys[c].as_str())
        .collect();
    let meta_keys: BTreeSet<&str> = keys.values().map(String::as_str).collect();
    // Keys of identifier columns only (a key may be that of two columns).
    let identifier_keys: BTreeSet<&str> = identifiers
        .iter()
        .map(|c| keys[c].as_str())
        .filter(|key| !facet_keys.contains(key))
        .collect();
    let (schema, f, meta_fields, facet_fields) = schema(meta_keys, facet_keys, &identifier_keys);
    let meta = columns
        .iter()
        .map(|&c| (c, meta_fields[keys[c].as_str()]))
        .collect();
    let facets = columns
        .iter()
        .filter(|c| !identifiers.contains(*c))
        .map(|&c| (c, facet_fields[keys[c].as_str()]))
        .collect();
    let columns = Columns {
        keys,
        identifiers,
        meta,
        facets,
    };
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    register_build_tokenizers(&index, &analysis, table);
    let threads = rayon::current_num_threads().clamp(1, WRITER_THREADS);
    let writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, threads * WRITER_MEMORY_PER_THREAD)
        .map_err(|e| Error::index(dir, e))?;
    // The index is written once: merging its segments afterwards would read the whole
    // index back (memory and time that grow with the corpus) for no gain in what it finds.
    writer.set_merge_policy(Box::new(NoMergePolicy));
    analysis
        .rows
        .par_iter()
        .enumerate()
        .try_for_each(|(i, row)| {
            let doc = document(&f, i, row, &analysis, &columns);
            progress.advance(1);
            writer.add_document(doc).map(|_| ())
        })
        .map_err(|e| Error::index(dir, e))?;
    let mut writer = writer;
    writer.commit().map_err(|e| Error::index(dir, e))?;
    writer.wait_merging_threads().map_err(|e| Error::index(dir, e))?;
    let meta_columns: BTreeSet<&String> = columns.keys.values().collect();
    let identifier_columns: BTreeSet<&String> =
        columns.identifiers.iter().map(|c| &columns.keys[c]).collect();
    let info = IndexInfo {
        format: crate::output::Kind::Index.format().to_string(),
        schema_version: INDEX_SCHEMA_VERSION,
        responses: analysis.rows.len(),
        meta_columns: meta_columns.into_iter().cloned().collect(),
        identifier_columns: identifier_columns.into_iter().cloned().collect(),
    };
    let json = serde_json::to_vec_pretty(&info).map_err(|e| Error::index(dir, e))?;
    std::fs::write(dir.join(SIDECAR), json).map_err(|e| Error::io(dir.join(SIDECAR), e))?;
    Ok(analysis)
}

/// The metadata columns of the rows being indexed.
struct Columns<'a> {
    /// Each column's [`meta_key`], worked out once rather than for every row.
    keys: HashMap<&'a str, String>,
    /// The columns not written as facets ([`identifier_columns`]).
    identifiers: BTreeSet<&'a str>,
    /// The search field of each column ([`meta_field`]).
    meta: HashMap<&'a str, Field>,
    /// The facet field of each other column.
    facets: HashMap<&'a str, Field>,
}

/// The columns with a value of their own for more than half of the rows, by the rule a
/// search uses to leave a facet uncounted ([`facets::is_identifier_count`]). Their values
/// are not written as facets: they would only widen every segment's facet column and
/// dictionary, which every match and every facet count reads. A column's rows are read
/// until the rest could not change the answer (about half of them).
fn identifier_columns<'a>(rows: &'a [Row], columns: &BTreeSet<&'a str>) -> BTreeSet<&'a str> {
    let docs = rows.len() as u64;
    columns
        .par_iter()
        .filter(|&&column| {
            let mut values: FastSet<&str> = FastSet::default();
            for (read, row) in (1..).zip(rows) {
                if let Some(value) = row.response.meta.get(column).filter(|v| !v.is_empty()) {
                    values.insert(value);
                }
                let found = values.len() as u64;
                if facets::is_identifier_count(found, docs) {
                    return true;
                }
                // Even with a new value in every row left.
                if !facets::is_identifier_count(found + (docs - read), docs) {
                    return false;
                }
            }
            false
        })
        .copied()
        .collect()
}

/// The index document of row `ord`.
fn document(f: &Fields, ord: usize, row: &Row, analysis: &Analysis, columns: &Columns) -> TantivyDocument {
    let r = &row.response;
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &r.id);
    if !single::id_lines(&r.id).any(|n| n == r.line) {
        doc.add_text(f.other_id, &r.id);
    }
    doc.add_text(f.body, &r.text);
    let ord_value = replay::row_value(ord);
    doc.add_text(f.text, &ord_value);
    doc.add_text(f.parts, &ord_value);
    doc.add_text(f.question, &r.question);
    doc.add_text(f.source, &r.source);
    doc.add_text(f.collection, &r.collection);
    doc.add_u64(f.line, r.line);
    doc.add_u64(f.ord, ord as u64);
    for kind in &r.kinds {
        doc.add_text(f.kind, kind);
    }
    for label in &r.labels {
        doc.add_text(f.label, label);
    }
    let theme = analysis.theme_label(row);
    doc.add_text(f.theme, theme);
    doc.add_u64(f.theme_id, row.theme.unwrap_or(0) as u64);
    doc.add_text(f.scope, row.scope.scope.as_str());
    // Each metadata value is searched in its column's field (empty ones too, as before)
    // and, unless the column is an identifier, counted in its facet field.
    for (column, value) in r.meta.iter() {
        if let Some(&field) = columns.meta.get(column) {
            doc.add_text(field, value);
        }
        if let Some(&field) = columns.facets.get(column).filter(|_| !value.is_empty()) {
            doc.add_text(field, value);
        }
    }
    doc
}

/// The key under which a metadata column is searched: lowercase, every character other
/// than a letter or digit replaced by `_` (`Alder gruppe` → `meta.alder_gruppe:`), so no
/// escaping is needed in queries.
pub fn meta_key(column: &str) -> String {
    column
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads `stemme-index.json` (an index without it is not a stemme index of this version).
pub(crate) fn read_info(dir: &Path) -> Result<IndexInfo> {
    let path = dir.join(SIDECAR);
    let bytes = std::fs::read(&path).map_err(|_| {
        Error::index(
            dir,
            "no stemme index here; build one with `stemme run` (or `stemme index`), or point --index at it",
        )
    })?;
    let info: IndexInfo = serde_json::from_slice(&bytes)
        .map_err(|e| Error::index(dir, format!("{SIDECAR} is unreadable: {e}")))?;
    if info.schema_version != INDEX_SCHEMA_VERSION {
        return Err(Error::index(
            dir,
            format!(
                "index layout version {} but this stemme reads version {INDEX_SCHEMA_VERSION}; rebuild it with `stemme run`",
                info.schema_version
            ),
        ));
    }
    Ok(info)
}
