//! Stage: index and search. Analysed responses in, a tantivy index on disk out; queries in,
//! ranked [`Hit`]s out. The text is indexed pre-tokenized with the tokens the analyzer
//! already produced (each response is analysed once), compound parts at the word's position,
//! and the same analyzer is registered as the field's tokenizer on every open, so queries
//! stem exactly alike: `kommune` finds `kommunene` and `kommuner`, `modell` finds
//! `lokalsamfunnsmodeller`.
//!
//! Fields: `text` and `question` (Norwegian analyzer), `theme` (the theme label, analysed),
//! `label` (human labels, analysed), `kind`, `scope`, `source`, `collection`, `id`
//! (exact, case-insensitive), `theme_id` and `line` (numbers), and `meta` (a JSON object
//! of every other input column: `meta.kommune:bergen`).

use crate::analyze::{index_tokens, Analyzer, NorwegianTokenizer, Token, TOKENIZER_NAME};
use crate::error::{Error, Result};
use crate::model::Response;
use crate::scope::ScopeTag;
use crate::themes::ThemeModel;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::document::{CompactDocValue, Value};
use tantivy::schema::{
    Field, IndexRecordOption, JsonObjectOptions, OwnedValue, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, PreTokenizedString, RawTokenizer, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

/// Longest snippet fragment, in characters.
const SNIPPET_CHARS: usize = 160;

/// Name of the exact, lowercased tokenizer for keyword fields.
const KEYWORD: &str = "stemme_keyword";

/// The index's fields.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    text: Field,
    question: Field,
    source: Field,
    collection: Field,
    line: Field,
    kind: Field,
    label: Field,
    theme: Field,
    theme_id: Field,
    scope: Field,
    meta: Field,
}

fn text_options(tokenizer: &str, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::Basic
    };
    TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
        .set_stored()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = text_options(TOKENIZER_NAME, true);
    let keyword = text_options(KEYWORD, false);
    let meta = JsonObjectOptions::default()
        .set_stored()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(KEYWORD));
    let fields = Fields {
        id: b.add_text_field("id", keyword.clone()),
        text: b.add_text_field("text", analysed.clone()),
        question: b.add_text_field("question", analysed.clone()),
        source: b.add_text_field("source", keyword.clone()),
        collection: b.add_text_field("collection", keyword.clone()),
        line: b.add_u64_field("line", INDEXED | STORED | FAST),
        kind: b.add_text_field("kind", keyword.clone()),
        label: b.add_text_field("label", analysed.clone()),
        theme: b.add_text_field("theme", analysed),
        theme_id: b.add_u64_field("theme_id", INDEXED | STORED | FAST),
        scope: b.add_text_field("scope", keyword),
        meta: b.add_json_field("meta", meta),
    };
    (b.build(), fields)
}

fn fields_of(schema: &Schema) -> std::result::Result<Fields, tantivy::TantivyError> {
    let f = |name| schema.get_field(name);
    Ok(Fields {
        id: f("id")?,
        text: f("text")?,
        question: f("question")?,
        source: f("source")?,
        collection: f("collection")?,
        line: f("line")?,
        kind: f("kind")?,
        label: f("label")?,
        theme: f("theme")?,
        theme_id: f("theme_id")?,
        scope: f("scope")?,
        meta: f("meta")?,
    })
}

/// tantivy keeps no tokenizers on disk: register ours on every create and open.
fn register_tokenizers(index: &Index, analyzer: &Analyzer) {
    index.tokenizers().register(
        TOKENIZER_NAME,
        TextAnalyzer::from(NorwegianTokenizer::new(analyzer.clone())),
    );
    index.tokenizers().register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// Everything the index needs about the analysed corpus (all slices parallel).
pub struct IndexInput<'a> {
    pub responses: &'a [Response],
    pub tokens: &'a [Vec<Token>],
    pub scopes: &'a [ScopeTag],
    pub themes: &'a ThemeModel,
}

/// Builds a fresh index in `dir` (replacing any index there).
pub fn build(dir: &Path, input: &IndexInput, analyzer: &Analyzer, threads: usize) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (schema, f) = schema();
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    register_tokenizers(&index, analyzer);
    let threads = threads.clamp(1, 8);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, 64_000_000 * threads)
        .map_err(|e| Error::index(dir, e))?;
    for (i, r) in input.responses.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &r.id);
        doc.add_pre_tokenized_text(
            f.text,
            PreTokenizedString {
                text: r.text.clone(),
                tokens: input.tokens[i].iter().flat_map(index_tokens).collect(),
            },
        );
        doc.add_text(f.question, &r.question);
        doc.add_text(f.source, &r.source);
        doc.add_text(f.collection, &r.collection);
        doc.add_u64(f.line, r.line);
        for kind in &r.kinds {
            doc.add_text(f.kind, kind);
        }
        for label in &r.labels {
            doc.add_text(f.label, label);
        }
        let theme = input.themes.theme_of(i);
        doc.add_text(f.theme, theme.map_or("unclassified", |t| t.label.as_str()));
        doc.add_u64(f.theme_id, theme.map_or(0, |t| t.id as u64));
        doc.add_text(f.scope, input.scopes[i].scope.as_str());
        let meta: Vec<(String, OwnedValue)> = r
            .meta
            .iter()
            .map(|(k, v)| (k.clone(), OwnedValue::Str(v.clone())))
            .collect();
        doc.add_field_value(f.meta, &OwnedValue::Object(meta));
        writer.add_document(doc).map_err(|e| Error::index(dir, e))?;
    }
    writer.commit().map_err(|e| Error::index(dir, e))?;
    writer.wait_merging_threads().map_err(|e| Error::index(dir, e))?;
    Ok(())
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub text: String,
    pub source: String,
    pub line: u64,
    pub theme: String,
    pub scope: String,
    pub kinds: Vec<String>,
    /// The best fragment of the text, matched words wrapped in `**`.
    pub snippet: String,
    /// The matched words as written in the text (inflected or compound forms).
    pub matched: Vec<String>,
}

/// The outcome of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    pub query: String,
    /// All matching responses, of which `hits` are the best `limit`.
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// An opened index, ready for queries.
pub struct Searcher {
    dir: std::path::PathBuf,
    analyzer: Analyzer,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl Searcher {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path, analyzer: &Analyzer) -> Result<Searcher> {
        if !dir.join("meta.json").exists() {
            return Err(Error::index(
                dir,
                "no index here; build one with `stemme run` (or `stemme index`), or point --index at it",
            ));
        }
        let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
        register_tokenizers(&index, analyzer);
        let fields =
            fields_of(&index.schema()).map_err(|e| Error::index(dir, format!("not a stemme index: {e}")))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index(dir, e))?;
        Ok(Searcher {
            dir: dir.to_path_buf(),
            analyzer: analyzer.clone(),
            index,
            reader,
            fields,
        })
    }

    /// Runs `query` (words, "phrases", AND/OR/NOT, +/-, field:value), best `limit` hits
    /// by BM25; equal scores are ordered by id.
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResult> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.text]);
        parser.set_conjunction_by_default();
        let parsed = parser.parse_query(query).map_err(|e| Error::Query {
            query: query.to_string(),
            message: e.to_string(),
        })?;
        let searcher = self.reader.searcher();
        let (top, total) = searcher
            .search(
                &parsed,
                &(TopDocs::with_limit(limit.max(1)).order_by_score(), Count),
            )
            .map_err(|e| Error::index(&self.dir, e))?;
        let mut terms = BTreeMap::new();
        parsed.query_terms(&mut |term, _| {
            if term.field() == f.text {
                if let Some(text) = term.value().as_str() {
                    terms.insert(text.to_string(), 1.0);
                }
            }
        });
        // The index-side tokenizer, so words matched through a compound part are highlighted.
        let tokenizer = TextAnalyzer::from(NorwegianTokenizer::with_parts(self.analyzer.clone()));
        let snippets = SnippetGenerator::new(terms, tokenizer, f.text, SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| Error::index(&self.dir, e))?;
            let text = first_text(&doc, f.text);
            let snippet = snippets.snippet(&text);
            let fragment = snippet.fragment();
            let mut marked = String::new();
            let mut last = 0;
            let mut matched = Vec::new();
            for range in snippet.highlighted() {
                marked.push_str(&fragment[last..range.start]);
                marked.push_str("**");
                marked.push_str(&fragment[range.clone()]);
                marked.push_str("**");
                last = range.end;
                matched.push(fragment[range.clone()].to_string());
            }
            marked.push_str(&fragment[last..]);
            matched.sort();
            matched.dedup();
            hits.push(Hit {
                id: first_text(&doc, f.id),
                score,
                source: first_text(&doc, f.source),
                line: doc.get_first(f.line).and_then(|v| v.as_u64()).unwrap_or(0),
                theme: first_text(&doc, f.theme),
                scope: first_text(&doc, f.scope),
                kinds: all_texts(&doc, f.kind),
                snippet: if marked.is_empty() { text.clone() } else { marked },
                text,
                matched,
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(SearchResult {
            query: query.to_string(),
            total,
            hits,
        })
    }
}

fn value_text(v: CompactDocValue<'_>) -> Option<String> {
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.as_pre_tokenized_text().map(|p| p.text))
}

fn first_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(value_text).unwrap_or_default()
}

fn all_texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field).filter_map(value_text).collect()
}
