//! Searching an index: the query syntax researchers know (words, "phrases", AND/OR/NOT,
//! +/-, field:value, ranges), BM25 ranking, snippets that highlight the words as written
//! (inflected forms, compounds matched through a part), facet counts over all matches,
//! optional fuzzy matching for typos (`Howdan` finds `Hvordan`), and more-like-this.

use super::facets::{FacetColumns, FacetCount, FacetCounter, FacetSpec};
use super::query::{parse, FieldKind, Node, Target};
use super::single::{Single, SingleQuery, BUCKET};
use super::top::TopRanked;
use super::{fields_of, meta_facet_field, meta_field, read_info, register_tokenizers, Fields, IndexInfo};
use crate::analyze::{edit_distance, nfc, word_offsets, Analyzer, NorwegianTokenizer};
use crate::error::{Error, Result};
use serde::Serialize;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, Range};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Once;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, FuzzyTermQuery,
    Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::document::{CompactDocValue, Value};
use tantivy::schema::{Field, FieldType, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Weight of a match through a compound part relative to a whole-word match.
const PART_WEIGHT: f32 = 0.5;

/// Texts up to this many characters are shown whole; longer ones as the best fragment of
/// about this length, with `…` where text was cut.
const SNIPPET_CHARS: usize = 200;

/// How a query is run.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Number of hits returned.
    pub limit: usize,
    /// Several words match when any occurs (default: all must).
    pub any: bool,
    /// Edit distance for fuzzy matching of words (typos), `None` for exact stems.
    pub fuzzy: Option<u8>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            any: false,
            fuzzy: None,
        }
    }
}

/// Facet counts over all matches by facet name (`theme`, `scope`, `kind`, `source`,
/// `meta.<column>`).
pub type Facets = BTreeMap<String, FacetCount>;

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
    /// Byte ranges of the matched words in `text` (for concordances).
    #[serde(skip)]
    pub matches: Vec<Range<usize>>,
}

/// The outcome of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    pub query: String,
    /// All matching responses, of which `hits` are the best `limit`.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Metadata columns not counted because most responses have a value of their own
    /// (`meta.id`).
    pub unique_columns: Vec<String>,
}

/// An opened index, ready for queries.
pub struct Searcher {
    dir: PathBuf,
    analyzer: Analyzer,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    info: IndexInfo,
    /// The search fields of the metadata columns ([`meta_field`]).
    meta_fields: Vec<Field>,
}

/// `text` with the byte ranges `marks` (sorted, non-overlapping) wrapped in `**`.
fn mark(text: &str, marks: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + 4 * marks.len());
    let mut last = 0;
    for m in marks {
        let (Some(gap), Some(word)) = (text.get(last..m.start), text.get(m.clone())) else {
            continue;
        };
        out.push_str(gap);
        out.push_str("**");
        out.push_str(word);
        out.push_str("**");
        last = m.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

fn value_text(v: CompactDocValue<'_>) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn first_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(value_text).unwrap_or_default()
}

fn all_texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field).filter_map(value_text).collect()
}

thread_local! {
    /// Set while tantivy reads an index on this thread, so the panic hook keeps quiet about
    /// panics that [`read_index`] turns into errors.
    static READING: Cell<bool> = const { Cell::new(false) };
}

/// Makes panics caught while reading an index silent (they become an error that says the
/// index is damaged); other panics are reported by the hook in place before. For binaries,
/// once before searching.
pub fn quiet_index_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs tantivy work, its error or panic as a message.
fn catch<T>(work: impl FnOnce() -> tantivy::Result<T>) -> std::result::Result<T, String> {
    READING.with(|r| r.set(true));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(work));
    READING.with(|r| r.set(false));
    match outcome {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("tantivy stopped: {message}"))
        }
    }
}

/// Runs `read`, tantivy work on the index in `dir`, turning its errors and its panics
/// (tantivy asserts on some damaged files, a flipped byte in a `.term` file for one) into
/// an index error that names the files failing their checksums, when `index` is open.
fn read_index<T>(dir: &Path, index: Option<&Index>, read: impl FnOnce() -> tantivy::Result<T>) -> Result<T> {
    let cause = match catch(read) {
        Ok(value) => return Ok(value),
        Err(cause) => cause,
    };
    let damaged = index.and_then(|index| {
        let mut files: Vec<String> = catch(|| index.validate_checksum())
            .ok()?
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        files.sort();
        (!files.is_empty()).then(|| files.join(", "))
    });
    let message = match damaged {
        Some(files) => format!(
            "the index is damaged (checksum wrong in {files}): rebuild it with `stemme index` or `stemme run` ({cause})"
        ),
        None => format!(
            "the index cannot be read; if it was damaged, rebuild it with `stemme index` or `stemme run` ({cause})"
        ),
    };
    Err(Error::index(dir, message))
}

impl Searcher {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path, analyzer: &Analyzer) -> Result<Searcher> {
        let info = read_info(dir)?;
        let index = read_index(dir, None, || Index::open_in_dir(dir))?;
        register_tokenizers(&index, analyzer);
        let fields =
            fields_of(&index.schema()).map_err(|e| Error::index(dir, format!("not a stemme index: {e}")))?;
        let reader = read_index(dir, Some(&index), || {
            index
                .reader_builder()
                .reload_policy(ReloadPolicy::Manual)
                .try_into()
        })?;
        let schema = index.schema();
        let meta_fields = info
            .meta_columns
            .iter()
            .filter_map(|key| schema.get_field(&meta_field(key)).ok())
            .collect();
        Ok(Searcher {
            dir: dir.to_path_buf(),
            analyzer: analyzer.clone(),
            index,
            reader,
            fields,
            info,
            meta_fields,
        })
    }

    /// The responses with the id `id` (exact, case-insensitive).
    fn id_query(&self, id: &str) -> SingleQuery {
        SingleQuery(Single::Id {
            value: id.to_lowercase(),
            id: self.fields.id,
            line: self.fields.line,
            other_id: self.fields.other_id,
        })
    }

    fn index_error(&self, e: impl std::fmt::Display) -> Error {
        Error::index(&self.dir, e)
    }

    /// Runs tantivy work on this index; see [`read_index`].
    fn read<T>(&self, read: impl FnOnce() -> tantivy::Result<T>) -> Result<T> {
        read_index(&self.dir, Some(&self.index), read)
    }

    /// Runs `query` (any text: see [`query`](super::query) for how it is read); the best
    /// `limit` hits by BM25, equal scores in corpus order.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<SearchResult> {
        let node = parse(query).map_err(|e| Error::Query {
            query: shown(query),
            message: e.to_string(),
        })?;
        let mut compiler = Compiler {
            searcher: self,
            query,
            options,
            near: BTreeSet::new(),
        };
        let compiled = compiler.node(&node)?.unwrap_or_else(|| Box::new(EmptyQuery));
        let fuzzy = options.fuzzy.map_or(0, usize::from);
        self.run(query, &*compiled, options.limit, &compiler.near, fuzzy)
    }

    /// The responses most like the one with `id`: its content words, ranked by BM25.
    pub fn similar(&self, id: &str, limit: usize) -> Result<SearchResult> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let found =
            self.read(|| searcher.search(&self.id_query(id), &TopDocs::with_limit(1).order_by_score()))?;
        let Some(&(_, address)) = found.first() else {
            return Err(Error::Query {
                query: id.to_string(),
                message: "no response has this id (ids look like seed-0045; see responses.csv)".into(),
            });
        };
        let doc: TantivyDocument = self.read(|| searcher.doc(address))?;
        let text = first_text(&doc, f.body);
        let stems: BTreeSet<String> = self
            .analyzer
            .analyze(&text)
            .iter()
            .filter(|(_, w)| crate::analyze::is_feature(w))
            .map(|(_, w)| w.stem.clone())
            .collect();
        // Each content word, as a whole word or (with less weight) as a compound part.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for s in &stems {
            let whole = TermQuery::new(Term::from_field_text(f.text, s), IndexRecordOption::WithFreqs);
            let part = TermQuery::new(Term::from_field_text(f.parts, s), IndexRecordOption::WithFreqs);
            clauses.push((Occur::Should, Box::new(whole)));
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(part), PART_WEIGHT)),
            ));
        }
        clauses.push((Occur::MustNot, Box::new(self.id_query(id))));
        self.run(
            &format!("similar to {id}"),
            &BooleanQuery::new(clauses),
            limit,
            &BTreeSet::new(),
            0,
        )
    }

    /// Runs a parsed query and builds hits, snippets and facets. Words whose stem is within
    /// `fuzzy` edits of a stem in `near` are highlighted too.
    fn run(
        &self,
        label: &str,
        query: &dyn Query,
        limit: usize,
        near: &BTreeSet<String>,
        fuzzy: usize,
    ) -> Result<SearchResult> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut specs: Vec<FacetSpec> = ["theme", "scope", "kind", "source"]
            .iter()
            .map(|name| FacetSpec::new(name.to_string(), name.to_string()))
            .collect();
        let mut unique_columns = Vec::new();
        for column in &self.info.meta_columns {
            let name = format!("meta.{column}");
            // Identifier columns are marked when the index is built (their values have no
            // facet column); an index may also hold one that a segment-wise count reveals.
            if self.info.identifier_columns.contains(column) {
                unique_columns.push(name);
            } else {
                specs.push(FacetSpec::new(name, meta_facet_field(column)));
            }
        }
        let mut columns = self.read(|| FacetColumns::open(searcher.segment_readers(), specs))?;
        unique_columns.extend(columns.identifiers());
        // In the order of the index's metadata columns.
        let order = |name: &String| {
            self.info
                .meta_columns
                .iter()
                .position(|c| name.strip_prefix("meta.") == Some(c.as_str()))
        };
        unique_columns.sort_by_key(order);
        let names = columns.names();
        let collector = (
            TopRanked::new(limit.min(searcher.num_docs() as usize)),
            Count,
            FacetCounter { columns: &columns },
        );
        let statistics = Statistics {
            searcher: &searcher,
            meta_fields: &self.meta_fields,
        };
        let (top, total, facet_counts) = self.read(|| collect(&searcher, &statistics, query, &collector))?;
        let mut terms = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == f.text || term.field() == f.parts {
                if let Some(text) = term.value().as_str() {
                    terms.insert(text.to_string());
                }
            }
        });
        let mut hits = Vec::with_capacity(top.len());
        // `top` is best first: by score, then by position in the corpus.
        for (rank, address) in top.into_iter().take(limit) {
            hits.push(self.hit(&searcher, rank.score, address, &terms, near, fuzzy)?);
        }

        let mut facets = Facets::new();
        for (name, count) in names.into_iter().zip(facet_counts) {
            if count.values > 0 {
                facets.insert(name, count);
            }
        }
        Ok(SearchResult {
            query: label.to_string(),
            total,
            hits,
            facets,
            unique_columns,
        })
    }

    /// One hit: stored fields, the matched words, and a snippet highlighting them.
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        score: f32,
        address: DocAddress,
        terms: &BTreeSet<String>,
        near: &BTreeSet<String>,
        fuzzy: usize,
    ) -> Result<Hit> {
        let f = self.fields;
        let doc: TantivyDocument = self.read(|| searcher.doc(address))?;
        let text = first_text(&doc, f.body);
        // A word matches when its stem or a part's stem is a query term (or, fuzzy, close to one).
        let close = |stem: &str| terms.contains(stem) || near.iter().any(|t| edit_distance(t, stem) <= fuzzy);
        let mut matched_stems = BTreeMap::new();
        let mut matches: Vec<Range<usize>> = Vec::new();
        let analysed = self.analyzer.analyze(&text);
        let tokens: Vec<(Range<usize>, &crate::analyze::WordInfo)> =
            word_offsets(&text).zip(analysed.iter().map(|(_, w)| w)).collect();
        for (i, (at, token)) in tokens.iter().enumerate() {
            let whole = close(&token.stem);
            let parts: Vec<&crate::analyze::Part> = token.parts.iter().filter(|p| close(&p.stem)).collect();
            if !whole && parts.is_empty() {
                continue;
            }
            // A match through the hyphen-joined word covers both halves (`tverr-kommunalt`).
            let next = tokens.get(i + 1);
            let joined = next.is_some_and(|n| {
                parts
                    .iter()
                    .any(|p| p.word == format!("{}{}", token.word, n.1.word))
            });
            let end = match next {
                Some(n) if joined => n.0.end,
                _ => at.end,
            };
            // A word already covered by a hyphen-joined match is not marked twice.
            if matches.last().is_none_or(|m| at.start >= m.end) {
                matches.push(at.start..end);
            }
            if whole {
                matched_stems.insert(token.stem.to_string(), 1.0);
            }
            for p in parts {
                matched_stems.insert(p.stem.clone(), 1.0);
            }
        }
        let snippet = if text.chars().count() <= SNIPPET_CHARS {
            mark(&text, &matches)
        } else {
            let tokenizer = TextAnalyzer::from(NorwegianTokenizer::with_parts(self.analyzer.clone()));
            let snippet =
                SnippetGenerator::new(matched_stems, tokenizer, f.text, SNIPPET_CHARS).snippet(&text);
            let range = snippet.fragment_range();
            // Highlights from our own matches (whole hyphenated words), shifted into the fragment.
            let inside: Vec<Range<usize>> = matches
                .iter()
                .filter(|m| m.start >= range.start && m.end <= range.end)
                .map(|m| m.start - range.start..m.end - range.start)
                .collect();
            let body = mark(snippet.fragment(), &inside);
            let before = if range.start > 0 { "… " } else { "" };
            let after = if range.end < text.len() { " …" } else { "" };
            format!("{before}{body}{after}")
        };
        let mut matched: Vec<String> = matches
            .iter()
            .filter_map(|r| text.get(r.clone()))
            .map(String::from)
            .collect();
        matched.sort();
        matched.dedup();
        Ok(Hit {
            id: first_text(&doc, f.id),
            score,
            source: first_text(&doc, f.source),
            line: doc.get_first(f.line).and_then(|v| v.as_u64()).unwrap_or(0),
            theme: first_text(&doc, f.theme),
            scope: first_text(&doc, f.scope),
            kinds: all_texts(&doc, f.kind),
            snippet,
            text,
            matched,
            matches,
        })
    }
}

/// The statistics BM25 ranks by: the index's own, except that the metadata fields share one
/// length, the number of metadata values of all columns. A match in a metadata column is
/// thus weighed against the metadata as a whole, as when the columns were one JSON field
/// (index layout 6), and scores are the same as then.
struct Statistics<'a> {
    searcher: &'a tantivy::Searcher,
    meta_fields: &'a [Field],
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if !self.meta_fields.contains(&field) {
            return self.searcher.total_num_tokens(field);
        }
        let mut total = 0;
        for &field in self.meta_fields {
            total += self.searcher.total_num_tokens(field)?;
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// Indexes of at least this many responses are searched on two threads, which take their
/// segments in turn: below it, starting the second thread takes longer than it saves (a
/// query on a 100k-response index of two segments took 0.5 ms longer on two threads, one
/// on a 1M-response index of four segments 0.9 ms less).
const PARALLEL_DOCS: u64 = 200_000;

/// What a collector finds in one segment.
type SegmentFruit<C> = <<C as Collector>::Child as SegmentCollector>::Fruit;

/// Runs `query` on every segment of `searcher` and merges what `collector` found there:
/// on a large index of several segments, on two threads (this one and one more) when the
/// machine has two cores or more.
fn collect<C: Collector>(
    searcher: &tantivy::Searcher,
    statistics: &dyn Bm25StatisticsProvider,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_statistics_provider(statistics, searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    let segments = searcher.segment_readers();
    let run = |ords: &mut dyn Iterator<Item = usize>| -> tantivy::Result<Vec<(usize, SegmentFruit<C>)>> {
        ords.filter_map(|ord| Some((ord, segments.get(ord)?)))
            .map(|(ord, segment)| {
                Ok((
                    ord,
                    collector.collect_segment(weight.as_ref(), ord as u32, segment)?,
                ))
            })
            .collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut fruits = if segments.len() > 1 && cores > 1 && searcher.num_docs() >= PARALLEL_DOCS {
        std::thread::scope(|scope| {
            let other = scope.spawn(|| {
                READING.with(|r| r.set(true));
                run(&mut (1..segments.len()).step_by(2))
            });
            let mut fruits = run(&mut (0..segments.len()).step_by(2))?;
            // A panic there (a damaged index) goes on here, to the caller's `catch`.
            let others = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            fruits.extend(others);
            Ok::<_, tantivy::TantivyError>(fruits)
        })?
    } else {
        run(&mut (0..segments.len()))?
    };
    // In segment order, as tantivy merges them.
    fruits.sort_by_key(|&(ord, _)| ord);
    collector.merge_fruits(fruits.into_iter().map(|(_, fruit)| fruit).collect())
}

/// A query as error messages show it: up to 100 characters, then `…`.
fn shown(query: &str) -> String {
    match query.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &query[..cut]),
        None => query.to_string(),
    }
}

/// A query part; `None` where nothing is left to search for (punctuation, an empty group).
type Compiled = Option<Box<dyn Query>>;

/// What the query side needs of one analysed word.
struct QueryWord {
    /// The word as written, lowercased.
    word: String,
    stem: String,
    stop: bool,
    position: usize,
    /// Byte range in the NFC form of the text.
    offset: Range<usize>,
}

/// The words of `text` as the analyzer reads them, and the NFC text their offsets refer to.
fn query_words(analyzer: &Analyzer, text: &str) -> (String, Vec<QueryWord>) {
    let text = nfc(text);
    let words = analyzer
        .analyze(&text)
        .iter()
        .zip(word_offsets(&text))
        .enumerate()
        .map(|(position, ((_, w), offset))| QueryWord {
            word: w.word.clone(),
            stem: w.stem.clone(),
            stop: w.stop,
            position,
            offset,
        })
        .collect();
    (text, words)
}

/// `clauses` as one query: a lone required or optional clause as itself, only exclusions
/// as exclusions from every response.
fn combine(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Compiled {
    if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        if clauses.is_empty() {
            return None;
        }
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if clauses.len() == 1 {
        return clauses.pop().map(|(_, q)| q);
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// Turns a parsed query into a tantivy query over this index.
struct Compiler<'a> {
    searcher: &'a Searcher,
    query: &'a str,
    options: &'a SearchOptions,
    /// Stems searched fuzzily, to highlight what they matched.
    near: BTreeSet<String>,
}

impl Compiler<'_> {
    fn error(&self, message: String) -> Error {
        Error::Query {
            query: shown(self.query),
            message,
        }
    }

    fn node(&mut self, node: &Node) -> Result<Compiled> {
        match node {
            Node::Words(target, text) => self.words(target, text, false),
            Node::Phrase(target, text) => self.words(target, text, true),
            Node::Range(name, lower, upper) => {
                let field = self.field(name)?;
                let term = |b: &Bound<u64>| b.map(|n| Term::from_field_u64(field, n));
                Ok(Some(Box::new(RangeQuery::new(term(lower), term(upper)))))
            }
            Node::All => Ok(Some(Box::new(AllQuery))),
            Node::Seq(items) => self.seq(items),
            Node::And(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    let (occur, inner) = match item {
                        Node::Not(inner) => (Occur::MustNot, &**inner),
                        other => (Occur::Must, other),
                    };
                    clauses.extend(self.node(inner)?.map(|q| (occur, q)));
                }
                Ok(combine(clauses))
            }
            Node::Or(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    clauses.extend(self.node(item)?.map(|q| (Occur::Should, q)));
                }
                Ok(combine(clauses))
            }
            Node::Not(inner) => Ok(self.node(inner)?.and_then(|q| combine(vec![(Occur::MustNot, q)]))),
            Node::Must(inner) => self.node(inner),
        }
    }

    /// Items side by side: each required (with `--any`: optional), unless marked `+` or `-`.
    /// With `--any`, a lone stopword does not count when other words are there.
    fn seq(&mut self, items: &[Node]) -> Result<Compiled> {
        let default = if self.options.any {
            Occur::Should
        } else {
            Occur::Must
        };
        let stopword = |node: &Node| match node {
            Node::Words(Target::Text, text) => {
                let (_, words) = query_words(&self.searcher.analyzer, text);
                words.len() == 1 && words[0].stop
            }
            _ => false,
        };
        let drop_stopwords =
            self.options.any && items.iter().any(|n| !matches!(n, Node::Not(_)) && !stopword(n));
        let mut clauses = Vec::new();
        for item in items {
            let (occur, inner) = match item {
                Node::Not(inner) => (Occur::MustNot, &**inner),
                Node::Must(inner) => (Occur::Must, &**inner),
                other if drop_stopwords && stopword(other) => continue,
                other => (default, other),
            };
            clauses.extend(self.node(inner)?.map(|q| (occur, q)));
        }
        Ok(combine(clauses))
    }

    fn field(&self, name: &str) -> Result<Field> {
        self.searcher
            .index
            .schema()
            .get_field(name)
            .map_err(|e| self.searcher.index_error(e))
    }

    /// Words or a phrase in a field.
    fn words(&mut self, target: &Target, text: &str, phrase: bool) -> Result<Compiled> {
        match target {
            Target::Text => Ok(self.text(text, phrase)),
            Target::Field("id", FieldKind::Keyword) => Ok(Some(Box::new(self.searcher.id_query(text)))),
            Target::Field(name, FieldKind::Keyword) => {
                let term = Term::from_field_text(self.field(name)?, &text.to_lowercase());
                Ok(Some(Box::new(TermQuery::new(term, IndexRecordOption::Basic))))
            }
            Target::Field(name, FieldKind::Analysed) => {
                let field = self.field(name)?;
                let (_, words) = query_words(&self.searcher.analyzer, text);
                let terms: Vec<(usize, Term)> = words
                    .iter()
                    .map(|w| (w.position, Term::from_field_text(field, &w.stem)))
                    .collect();
                Ok(phrase_or_term(terms))
            }
            Target::Field(name, FieldKind::Number) => {
                let field = self.field(name)?;
                Ok(text
                    .trim()
                    .parse()
                    .ok()
                    .map(|value| Box::new(SingleQuery(Single::Number { field, value })) as Box<dyn Query>))
            }
            Target::Meta(key) => {
                let columns = &self.searcher.info.meta_columns;
                if !columns.iter().any(|c| c == key) {
                    let known: Vec<String> = columns.iter().map(|c| format!("meta.{c}")).collect();
                    let known = if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    };
                    return Err(self.error(format!("no metadata column meta.{key}; the index has: {known}")));
                }
                let field = self.field(&meta_field(key))?;
                let value = text.to_lowercase();
                let schema = self.searcher.index.schema();
                let indexing = match schema.get_field_entry(field).field_type() {
                    FieldType::Str(options) => options.get_indexing_options(),
                    _ => None,
                };
                if indexing.is_some_and(|i| i.tokenizer() == BUCKET) {
                    return Ok(Some(Box::new(SingleQuery(Single::Bucketed { value, field }))));
                }
                let term = Term::from_field_text(field, &value);
                Ok(Some(Box::new(TermQuery::new(term, IndexRecordOption::Basic))))
            }
        }
    }

    /// Words in the response text. One word matches its stem as a whole word or (with less
    /// weight) as a compound part; several words typed as one (`O'Rourke`) or quoted are a
    /// phrase; a hyphenated word (`tverr-kommunalt`) also matches written without the
    /// hyphen (`tverrkommunalt`, also as a compound part).
    fn text(&mut self, text: &str, phrase: bool) -> Compiled {
        let f = self.searcher.fields;
        let (normalized, words) = query_words(&self.searcher.analyzer, text);
        if let [word] = words.as_slice() {
            return Some(self.word(&word.stem));
        }
        let terms = words
            .iter()
            .map(|w| (w.position, Term::from_field_text(f.text, &w.stem)))
            .collect();
        let exact = phrase_or_term(terms)?;
        let hyphenated = !phrase
            && words
                .windows(2)
                .all(|p| normalized.get(p[0].offset.end..p[1].offset.start) == Some("-"));
        if !hyphenated {
            return Some(exact);
        }
        let joined: String = words.iter().map(|w| w.word.as_str()).collect();
        let joined = self.word(&self.searcher.analyzer.term(&joined));
        combine(vec![(Occur::Should, exact), (Occur::Should, joined)])
    }

    /// One stem in the text field (fuzzy if asked) or, with less weight, in the parts field.
    fn word(&mut self, stem: &str) -> Box<dyn Query> {
        let f = self.searcher.fields;
        let whole: Box<dyn Query> = match self.options.fuzzy {
            Some(distance) => {
                self.near.insert(stem.to_string());
                Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(f.text, stem),
                    distance.min(2),
                    true,
                ))
            }
            None => Box::new(TermQuery::new(
                Term::from_field_text(f.text, stem),
                IndexRecordOption::WithFreqs,
            )),
        };
        let part = TermQuery::new(Term::from_field_text(f.parts, stem), IndexRecordOption::WithFreqs);
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, whole),
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(part), PART_WEIGHT)),
            ),
        ]))
    }
}

/// One term, or a phrase of several at their positions; `None` for none.
fn phrase_or_term(mut terms: Vec<(usize, Term)>) -> Compiled {
    match terms.len() {
        0 => None,
        1 => terms
            .pop()
            .map(|(_, t)| Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>),
        _ => Some(Box::new(PhraseQuery::new_with_offset(terms))),
    }
}
