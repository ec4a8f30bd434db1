//! Searching an index: the query syntax researchers know (words, "phrases", AND/OR/NOT,
//! +/-, field:value, ranges), BM25 ranking, snippets that highlight the words as written
//! (inflected forms, compounds matched through a part), facet counts over all matches,
//! optional fuzzy matching for typos (`Howdan` finds `Hvordan`), and more-like-this.

use super::{fields_of, read_info, register_tokenizers, Fields, IndexInfo};
use crate::analyze::{edit_distance, Analyzer, NorwegianTokenizer};
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::document::{CompactDocValue, Value};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term,
};

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

/// Facet counts over all matches: facet name (`theme`, `scope`, `kind`, `source`,
/// `meta.<column>`) → (value, count), most frequent first.
pub type Facets = BTreeMap<String, Vec<(String, u64)>>;

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
}

/// An opened index, ready for queries.
pub struct Searcher {
    dir: PathBuf,
    analyzer: Analyzer,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    info: IndexInfo,
}

/// Rank of a hit: higher score first, then earlier in the corpus, so equal scores come out
/// in the same order whatever the index's segment layout.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked {
    score: Score,
    ord: u64,
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.score.total_cmp(&other.score).then(other.ord.cmp(&self.ord)))
    }
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

/// `a AND NOT b` as `a -b`: tantivy reads `AND NOT b` as a clause that only excludes and
/// so matches nothing, while researchers mean "a without b". Quoted phrases are left alone.
fn and_not_as_minus(query: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"\bAND\s+NOT\s+").expect("static regex"));
    query
        .split('"')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                re.replace_all(part, "-").into_owned()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\"")
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

impl Searcher {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path, analyzer: &Analyzer) -> Result<Searcher> {
        let info = read_info(dir)?;
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
            info,
        })
    }

    fn index_error(&self, e: impl std::fmt::Display) -> Error {
        Error::index(&self.dir, e)
    }

    /// Runs `query`; the best `limit` hits by BM25, equal scores in corpus order.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<SearchResult> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.text, f.parts]);
        parser.set_field_boost(f.parts, PART_WEIGHT);
        if !options.any {
            parser.set_conjunction_by_default();
        }
        if let Some(distance) = options.fuzzy {
            parser.set_field_fuzzy(f.text, false, distance.min(2), true);
        }
        self.check_meta_columns(query)?;
        let parsed = parser
            .parse_query(&and_not_as_minus(query))
            .map_err(|e| Error::Query {
                query: query.to_string(),
                message: e.to_string(),
            })?;
        // Fuzzy term queries report no terms, so the words to highlight come from the query.
        let near: BTreeSet<String> = match options.fuzzy {
            Some(_) => self
                .analyzer
                .analyze(query)
                .iter()
                .map(|(_, w)| w.stem.clone())
                .collect(),
            None => BTreeSet::new(),
        };
        let fuzzy = options.fuzzy.map_or(0, usize::from);
        self.run(query, &*parsed, options.limit, &near, fuzzy)
    }

    /// A `meta.<key>:` filter on a column no input had would silently match nothing: say so.
    fn check_meta_columns(&self, query: &str) -> Result<()> {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = RE.get_or_init(|| regex::Regex::new(r"\bmeta\.([^\s:()]+)\s*:").expect("static regex"));
        for (i, part) in query.split('"').enumerate() {
            if i % 2 == 1 {
                continue;
            }
            for cap in re.captures_iter(part) {
                let key = &cap[1];
                if !self.info.meta_columns.iter().any(|c| c == key) {
                    let known: Vec<String> = self
                        .info
                        .meta_columns
                        .iter()
                        .map(|c| format!("meta.{c}"))
                        .collect();
                    return Err(Error::Query {
                        query: query.to_string(),
                        message: format!(
                            "no metadata column meta.{key}; the index has: {}",
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The responses most like the one with `id`: its content words, ranked by BM25.
    pub fn similar(&self, id: &str, limit: usize) -> Result<SearchResult> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let id_term = Term::from_field_text(f.id, &id.to_lowercase());
        let found = searcher
            .search(
                &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(|e| self.index_error(e))?;
        let Some(&(_, address)) = found.first() else {
            return Err(Error::Query {
                query: id.to_string(),
                message: "no response has this id (ids look like seed-0045; see responses.csv)".into(),
            });
        };
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.index_error(e))?;
        let text = first_text(&doc, f.text);
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
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(id_term, IndexRecordOption::Basic)),
        ));
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
        let mut facet_collector = FacetCollector::for_field("facets");
        for name in ["theme", "scope", "kind", "source"] {
            facet_collector.add_facet(Facet::from_path([name]));
        }
        for column in &self.info.meta_columns {
            facet_collector.add_facet(Facet::from_path(["meta", column.as_str()]));
        }
        let (top, total, facet_counts) = searcher
            .search(
                query,
                &(
                    TopDocs::with_limit(limit.clamp(1, searcher.num_docs().max(1) as usize)).tweak_score(
                        move |segment: &SegmentReader| {
                            let ord = segment
                                .fast_fields()
                                .u64("ord")
                                .ok()
                                .map(|c| c.first_or_default_col(0));
                            move |doc: DocId, score: Score| Ranked {
                                score,
                                ord: ord.as_ref().map_or(u64::MAX, |c| c.get_val(doc)),
                            }
                        },
                    ),
                    Count,
                    facet_collector,
                ),
            )
            .map_err(|e| self.index_error(e))?;
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
        let mut add = |name: String, facet: Facet| {
            let mut values: Vec<(String, u64)> = facet_counts
                .get(facet)
                .map(|(child, count)| {
                    let value = child.to_path().last().map_or_else(String::new, |s| s.to_string());
                    (value, count)
                })
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            if !values.is_empty() {
                facets.insert(name, values);
            }
        };
        for name in ["theme", "scope", "kind", "source"] {
            add(name.to_string(), Facet::from_path([name]));
        }
        for column in &self.info.meta_columns {
            add(
                format!("meta.{column}"),
                Facet::from_path(["meta", column.as_str()]),
            );
        }
        Ok(SearchResult {
            query: label.to_string(),
            total,
            hits,
            facets,
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
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.index_error(e))?;
        let text = first_text(&doc, f.text);
        // A word matches when its stem or a part's stem is a query term (or, fuzzy, close to one).
        let close = |stem: &str| terms.contains(stem) || near.iter().any(|t| edit_distance(t, stem) <= fuzzy);
        let mut matched_stems = BTreeMap::new();
        let mut matches: Vec<Range<usize>> = Vec::new();
        let analysed = self.analyzer.analyze(&text);
        let tokens: Vec<(&crate::analyze::Token, &crate::analyze::WordInfo)> = analysed.iter().collect();
        for (i, &(at, token)) in tokens.iter().enumerate() {
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
                Some(n) if joined => n.0.offset().end,
                _ => at.offset().end,
            };
            matches.push(at.offset().start..end);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_not_becomes_an_exclusion_outside_phrases() {
        assert_eq!(and_not_as_minus("kommune AND NOT metode"), "kommune -metode");
        assert_eq!(and_not_as_minus("a AND  NOT (b OR c)"), "a -(b OR c)");
        assert_eq!(
            and_not_as_minus("\"x AND NOT y\" AND NOT z"),
            "\"x AND NOT y\" -z"
        );
        assert_eq!(and_not_as_minus("kommune NOT metode"), "kommune NOT metode");
    }
}
