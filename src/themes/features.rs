//! The term space the theme methods work in: every response as sparse term counts over the
//! stems that at least two responses share, compound parts counted like words (so
//! `spillelista` also counts as `spill` and `liste`, in the vectors *and* in the document
//! frequencies), function words left out. Built in parallel; term ids follow the sorted
//! stems, so the space is the same for any thread count.
//!
//! [`content_terms`] and [`word_count`] are the only places that read token details.

use super::Unclassified;
use crate::analyze::compound::FastMap;
use crate::analyze::{feature_stems, is_feature, Analyzer, Token, Words};
use crate::row::Row;
use rayon::prelude::*;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// Term counts of one response: (term id, count), sorted by term id.
pub type Doc = Vec<(u32, u32)>;

/// A sparse, L2-normalised weighted vector: (term id, weight), sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

static FUNCTION_WORDS: &str = include_str!("function_words.txt");

/// Stems of the bundled function-word list (dialect forms and light verbs that the
/// stopword lists miss), analysed the same way as the responses.
fn function_stems() -> &'static FastMap<String, ()> {
    static STEMS: OnceLock<FastMap<String, ()>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let analyzer = Analyzer::norwegian();
        FUNCTION_WORDS
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .flat_map(|w| [(w.to_string(), ()), (analyzer.term(w), ())])
            .collect()
    })
}

/// True for a stem (or lowercased word) of the bundled function-word list.
pub fn is_function_word(stem: &str) -> bool {
    function_stems().contains_key(stem)
}

/// Marks a prefix term (see [`content_terms`]); such terms never label a theme.
pub const PREFIX_MARK: char = '*';

/// A content term as read from the tokens: a stem, or the first letters of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term<'a> {
    Stem(&'a str),
    Prefix(&'a str),
}

impl Term<'_> {
    /// The term as stored in [`Space::terms`]: prefixes end in [`PREFIX_MARK`].
    fn name(self) -> String {
        match self {
            Term::Stem(s) => s.to_string(),
            Term::Prefix(p) => format!("{p}{PREFIX_MARK}"),
        }
    }
}

/// Appends the content terms of one response to `out`: the stems of its feature words and
/// of their compound parts, without function words, and with `prefix > 0` also the first
/// `prefix` letters of each longer word: truncation meets dialect and spoken spellings
/// that stemming keeps apart (`påminnelsa`, `påminnelsan` and `påminnelse` share
/// `påminn*`).
pub fn content_terms<'a>(tokens: &[Token], table: &'a Words, prefix: usize, out: &mut Vec<Term<'a>>) {
    let words = function_stems();
    for token in tokens.iter().map(|t| table.info(t)).filter(|w| is_feature(w)) {
        if words.contains_key(token.word.as_str()) || words.contains_key(&*token.stem) {
            continue;
        }
        out.extend(
            feature_stems(token)
                .filter(|s| !words.contains_key(*s))
                .map(Term::Stem),
        );
        if prefix > 0 {
            if let Some((end, _)) = token.word.char_indices().nth(prefix) {
                let head = &token.word[..end];
                if head.chars().all(char::is_alphabetic) {
                    out.push(Term::Prefix(head));
                }
            }
        }
    }
}

/// Number of words in a response, function words included.
pub fn word_count(tokens: &[Token]) -> usize {
    tokens.len()
}

/// The term space of a corpus.
#[derive(Debug, Clone)]
pub struct Space {
    /// Stems, sorted; a term id indexes this.
    pub terms: Vec<String>,
    /// Number of responses each term occurs in (as a word or as a compound part).
    pub df: Vec<u32>,
    /// Term counts per response (empty for unusable responses).
    pub docs: Vec<Doc>,
    /// Why a response cannot be clustered (`None`: it can).
    pub status: Vec<Option<Unclassified>>,
    /// Words per response, function words included.
    pub words: Vec<u32>,
}

impl Space {
    /// Builds the space. Responses with fewer than `min_words` words, or without any
    /// content term shared with another response, are marked unusable with the reason.
    pub fn build(rows: &[Row], table: &Words, min_words: usize, prefix: usize) -> Space {
        let n = rows.len();
        let hasher = FastMap::<(), ()>::default().hasher().clone();
        let df: FastMap<Term, u32> = rows
            .par_iter()
            .fold(FastMap::default, |mut df, row| {
                let mut terms = Vec::new();
                content_terms(&row.tokens, table, prefix, &mut terms);
                // Sorted by hash first, so deduplication rarely compares strings.
                let mut hashed: Vec<(u64, Term)> =
                    terms.into_iter().map(|t| (hasher.hash_one(t), t)).collect();
                hashed.sort_unstable();
                hashed.dedup();
                for (_, t) in hashed {
                    *df.entry(t).or_default() += 1;
                }
                df
            })
            .reduce(FastMap::default, |a, b| {
                if a.len() < b.len() {
                    return merge(b, a);
                }
                merge(a, b)
            });
        let mut kept: Vec<(String, u32, Term)> = df
            .into_iter()
            .filter(|(_, d)| *d >= 2)
            .map(|(t, d)| (t.name(), d, t))
            .collect();
        kept.sort_unstable();
        let index: FastMap<Term, u32> = kept
            .iter()
            .enumerate()
            .map(|(i, &(_, _, t))| (t, i as u32))
            .collect();
        let (docs, status): (Vec<Doc>, Vec<Option<Unclassified>>) = rows
            .par_iter()
            .map(|row| {
                let doc = &row.tokens;
                let mut terms = Vec::new();
                content_terms(doc, table, prefix, &mut terms);
                if word_count(doc) == 0 {
                    return (Doc::new(), Some(Unclassified::Empty));
                }
                if terms.is_empty() {
                    return (Doc::new(), Some(Unclassified::NoContent));
                }
                if word_count(doc) < min_words {
                    return (Doc::new(), Some(Unclassified::TooShort));
                }
                let mut ids: Vec<u32> = terms.iter().filter_map(|t| index.get(t).copied()).collect();
                if ids.is_empty() {
                    return (Doc::new(), Some(Unclassified::NoSharedWords));
                }
                ids.sort_unstable();
                let mut counts: Doc = Vec::with_capacity(ids.len());
                for id in ids {
                    match counts.last_mut() {
                        Some((last, c)) if *last == id => *c += 1,
                        _ => counts.push((id, 1)),
                    }
                }
                (counts, None)
            })
            .unzip();
        debug_assert_eq!(docs.len(), n);
        let words = rows.iter().map(|r| word_count(&r.tokens) as u32).collect();
        Space {
            words,
            df: kept.iter().map(|&(_, d, _)| d).collect(),
            terms: kept.into_iter().map(|(t, _, _)| t).collect(),
            docs,
            status,
        }
    }

    /// Mean number of words of the responses at `indices`.
    pub fn mean_words(&self, indices: &[usize]) -> f64 {
        indices.iter().map(|&i| f64::from(self.words[i])).sum::<f64>() / indices.len().max(1) as f64
    }

    /// Indices of the usable responses.
    pub fn usable(&self) -> Vec<usize> {
        (0..self.docs.len())
            .filter(|&i| self.status[i].is_none())
            .collect()
    }

    /// Inverse document frequency of each term over `n` responses (smoothed, as
    /// scikit-learn's).
    pub fn idf(&self) -> Vec<f32> {
        let n = self.docs.len() as f32;
        self.df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect()
    }

    /// The L2-normalised TF-IDF vector of a document (sublinear term frequency).
    pub fn tfidf(doc: &Doc, idf: &[f32]) -> SparseVec {
        let mut v: SparseVec = doc
            .iter()
            .map(|&(t, c)| (t, (1.0 + (c as f32).ln()) * idf[t as usize]))
            .collect();
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| x.1 /= norm.max(f32::MIN_POSITIVE));
        v
    }
}

fn merge<'a>(mut into: FastMap<Term<'a>, u32>, from: FastMap<Term<'a>, u32>) -> FastMap<Term<'a>, u32> {
    for (t, d) in from {
        *into.entry(t).or_default() += d;
    }
    into
}

/// At most `n` evenly spaced indices of `items` (all of them when there are no more).
pub fn spread<T: Copy>(items: &[T], n: usize) -> Vec<T> {
    if items.len() <= n {
        return items.to_vec();
    }
    (0..n).map(|i| items[i * items.len() / n]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(texts: &[&str]) -> Space {
        let responses = texts
            .iter()
            .map(|text| crate::ingest::Normalizer::default().response("t", "t.csv", 2, "", text))
            .collect();
        let (rows, words) = Row::analyse_all(responses);
        Space::build(&rows, &words, 2, 0)
    }

    #[test]
    fn compound_parts_count_in_document_frequency() {
        // `liste` never stands alone, yet both compounds share it.
        let s = space(&["Legg sangen i spillelista", "Vis handlelista mi nå"]);
        let liste = s.terms.iter().position(|t| t == "list").expect("part kept");
        assert_eq!(s.df[liste], 2);
        assert!(s.docs.iter().all(|d| d.iter().any(|&(t, _)| t as usize == liste)));
    }

    #[test]
    fn short_and_empty_answers_get_a_reason() {
        let s = space(&[
            "Spennende",
            "og det",
            "",
            "Bedre kollektivtilbud i distriktene",
            "kollektivtilbud",
        ]);
        assert_eq!(s.status[0], Some(Unclassified::TooShort));
        assert_eq!(s.status[1], Some(Unclassified::NoContent));
        assert_eq!(s.status[2], Some(Unclassified::Empty));
        assert_eq!(s.status[3], None);
        assert_eq!(s.status[4], Some(Unclassified::TooShort));
    }

    #[test]
    fn dialect_function_words_are_not_terms() {
        let s = space(&["ka ska vi sei te kommunen", "ka ska dem gjøre te kommunen"]);
        for w in ["ka", "ska", "te", "sei"] {
            assert!(!s.terms.iter().any(|t| t == w), "{w} in {:?}", s.terms);
        }
        assert!(s.terms.iter().any(|t| t == "kommun"));
    }
}
