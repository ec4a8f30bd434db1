//! The term space the theme methods work in: every response as sparse term counts over the
//! stems that at least two responses share, compound parts counted like words (so
//! `spillelista` also counts as `spill` and `liste`, in the vectors *and* in the document
//! frequencies), function words left out. Built in parallel; term ids follow the sorted
//! stems, so the space is the same for any thread count.
//!
//! The terms of each distinct word are found once per run ([`word_terms`]); a response is
//! then a list of integer ids. [`word_terms`] and [`word_count`] are the only places that
//! read token details.

use super::Unclassified;
use crate::analyze::compound::FastMap;
use crate::analyze::{Analyzer, StemId, Token, WordId, Words};
use crate::row::Row;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Term counts of one response: its term ids in ascending order, a term repeated as often
/// as the response has it, each written as its difference from the one before in one
/// `u16` (a repeat is a zero), or for a difference of [`WIDE`] or more, [`WIDE`] and then
/// the difference's high and low halves. A response's terms lie close together and nearly
/// every count is one, so a term takes two bytes where a `u32` took four: at a million
/// responses the counts of all responses are the stage's largest table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc<'a>(&'a [u16]);

/// Marks a difference written in three `u16`s (see [`Doc`]).
const WIDE: u16 = u16::MAX;

impl<'a> Doc<'a> {
    /// The document written by [`Doc::encode`] into `units`.
    pub fn new(units: &'a [u16]) -> Doc<'a> {
        Doc(units)
    }

    /// Appends the document of `terms` (term ids in ascending order, repeated by their
    /// counts) to `out`.
    pub fn encode(terms: &[u32], out: &mut Vec<u16>) {
        debug_assert!(terms.is_sorted());
        let mut last = 0;
        for &t in terms {
            let gap = t - last;
            match u16::try_from(gap) {
                Ok(g) if g != WIDE => out.push(g),
                _ => out.extend([WIDE, (gap >> 16) as u16, gap as u16]),
            }
            last = t;
        }
    }

    /// The term ids in ascending order, repeated by their counts.
    fn ids(self) -> Ids<'a> {
        Ids {
            rest: self.0,
            last: 0,
        }
    }

    /// (term id, count) pairs by term id.
    pub fn iter(self) -> impl Iterator<Item = (u32, u32)> + 'a {
        let mut ids = self.ids();
        std::iter::from_fn(move || {
            let t = ids.next()?;
            let mut count = 1;
            while let Some((&0, rest)) = ids.rest.split_first() {
                ids.rest = rest;
                count += 1;
            }
            Some((t, count))
        })
    }

    /// Number of terms counted with their repeats.
    pub fn len(self) -> usize {
        self.ids().count()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// True when the response has term `t`.
    pub fn contains(self, t: u32) -> bool {
        self.ids().take_while(|&x| x <= t).any(|x| x == t)
    }
}

/// The term ids of a [`Doc`], decoded.
struct Ids<'a> {
    rest: &'a [u16],
    last: u32,
}

impl Iterator for Ids<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let (&gap, rest) = self.rest.split_first()?;
        if gap != WIDE {
            self.rest = rest;
            self.last += u32::from(gap);
        } else {
            let (&[high, low], rest) = rest.split_first_chunk()?;
            self.rest = rest;
            self.last += u32::from(high) << 16 | u32::from(low);
        }
        Some(self.last)
    }
}

/// A sparse, L2-normalised weighted vector: (term id, weight), sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

static FUNCTION_WORDS: &str = include_str!("function_words.txt");
static LABEL_WORDS: &str = include_str!("label_words.txt");

/// The words of a bundled list (one a line, `#` comments) and their stems, analysed the
/// same way as the responses.
fn list_stems(list: &str) -> FastMap<String, ()> {
    let analyzer = Analyzer::norwegian();
    list.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .flat_map(|w| [(w.to_string(), ()), (analyzer.term(w), ())])
        .collect()
}

/// Stems of the bundled function-word list (dialect forms and light verbs that the
/// stopword lists miss).
fn function_stems() -> &'static FastMap<String, ()> {
    static STEMS: OnceLock<FastMap<String, ()>> = OnceLock::new();
    STEMS.get_or_init(|| list_stems(FUNCTION_WORDS))
}

/// True for a stem (or lowercased word) of the bundled function-word list.
pub fn is_function_word(stem: &str) -> bool {
    function_stems().contains_key(stem)
}

/// True for a stem (or lowercased word) that may sort answers but never names a theme:
/// a function word, or one of the bundled list of light verbs and determiners
/// (`label_words.txt`).
pub fn never_labels(stem: &str) -> bool {
    static STEMS: OnceLock<FastMap<String, ()>> = OnceLock::new();
    is_function_word(stem) || STEMS.get_or_init(|| list_stems(LABEL_WORDS)).contains_key(stem)
}

/// Marks a prefix term (see [`word_terms`]); such terms never label a theme.
pub const PREFIX_MARK: char = '*';

/// A content term of a word: a stem, or the first letters of the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term<'a> {
    Stem(StemId),
    Prefix(&'a str),
}

/// The content terms of one distinct word: the stems of the word and of its compound
/// parts, without function words, and with `prefix > 0` also its first `prefix` letters
/// when it is longer: truncation meets dialect and spoken spellings that stemming keeps
/// apart (`påminnelsa`, `påminnelsan` and `påminnelse` share `påminn*`). Empty for
/// stopwords, function words and other non-features.
fn word_terms<'a>(table: &'a Words, id: WordId, prefix: usize, out: &mut Vec<Term<'a>>) {
    let stems = table.feature_stems(id);
    if stems.is_empty() {
        return;
    }
    let words = function_stems();
    let info = &table[id];
    if words.contains_key(info.word.as_str()) || words.contains_key(info.stem.as_str()) {
        return;
    }
    out.extend(
        stems
            .iter()
            .filter(|&&s| !words.contains_key(table.stem(s)))
            .map(|&s| Term::Stem(s)),
    );
    if prefix > 0 {
        if let Some((end, _)) = info.word.char_indices().nth(prefix) {
            let head = &info.word[..end];
            if head.chars().all(char::is_alphabetic) {
                out.push(Term::Prefix(head));
            }
        }
    }
}

/// Number of words in a response, function words included.
pub fn word_count(tokens: &[Token]) -> usize {
    tokens.len()
}

/// Term counts of every response: `docs.get(i)` is response `i`'s. Stored end to end in
/// blocks of [`ROWS_PER_JOB`] responses, as the parallel passes build them, so the counts
/// are never copied into one piece.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    blocks: Vec<Block>,
    len: usize,
}

/// The counts of consecutive responses, end to end.
#[derive(Debug, Clone, Default)]
struct Block {
    /// Where each response's [`Doc`] ends in `units`.
    ends: Vec<u32>,
    /// Each response's [`Doc`], end to end.
    units: Vec<u16>,
}

impl Docs {
    /// Number of responses.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no responses.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every response's counts, in order.
    pub fn iter(&self) -> impl Iterator<Item = Doc<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Response `i`'s counts.
    pub fn get(&self, i: usize) -> Doc<'_> {
        self.blocks[i / ROWS_PER_JOB].doc(i % ROWS_PER_JOB)
    }
}

impl Block {
    /// The counts of the block's response `j`.
    fn doc(&self, j: usize) -> Doc<'_> {
        let start = if j == 0 { 0 } else { self.ends[j - 1] as usize };
        Doc(&self.units[start..self.ends[j] as usize])
    }
}

/// The term space of a corpus.
#[derive(Debug, Clone)]
pub struct Space {
    /// Stems, sorted; a term id indexes this.
    pub terms: Vec<String>,
    /// Number of responses each term occurs in (as a word or as a compound part).
    pub df: Vec<u32>,
    /// Term counts per response (empty for unusable responses).
    pub docs: Docs,
    /// Why a response cannot be clustered (`None`: it can).
    pub status: Vec<Option<Unclassified>>,
    /// Words per response, function words included.
    pub words: Vec<u32>,
}

/// Rows per parallel job when the space is built.
const ROWS_PER_JOB: usize = 4_096;

impl Space {
    /// Builds the space. Responses with fewer than `min_words` words, or without any
    /// content term shared with another response, are marked unusable with the reason.
    ///
    /// The terms of each distinct word are found once; a response is then a list of
    /// integer ids, counted and mapped in parallel.
    pub fn build(rows: &[Row], table: &Words, min_words: usize, prefix: usize) -> Space {
        // Terms of every distinct word, as raw ids: stem ids, then prefixes numbered
        // after the stems in order of first word.
        let per_word: Vec<Vec<Term>> = (0..table.len() as WordId)
            .into_par_iter()
            .map(|id| {
                let mut out = Vec::new();
                word_terms(table, id, prefix, &mut out);
                out
            })
            .collect();
        let stems = table.stem_count();
        let mut prefixes: FastMap<&str, u32> = FastMap::default();
        let mut names: Vec<Term> = (0..stems as StemId).map(Term::Stem).collect();
        let mut word_ends = Vec::with_capacity(per_word.len());
        let mut word_raw: Vec<u32> = Vec::new();
        for terms in &per_word {
            for t in terms {
                word_raw.push(match *t {
                    Term::Stem(s) => s,
                    Term::Prefix(p) => *prefixes.entry(p).or_insert_with(|| {
                        names.push(Term::Prefix(p));
                        (names.len() - 1) as u32
                    }),
                });
            }
            word_ends.push(word_raw.len());
        }
        drop(per_word);
        let raw_terms = |tokens: &[Token], out: &mut Vec<u32>| {
            out.clear();
            for t in tokens {
                let w = t.word as usize;
                let start = if w == 0 { 0 } else { word_ends[w - 1] };
                out.extend_from_slice(&word_raw[start..word_ends[w]]);
            }
        };
        // Every response's raw term counts, with its reason when it cannot be clustered,
        // then the document frequency of every raw term (each response counted once).
        // Each job's counts grow in a scratch buffer kept by its thread and are then copied
        // out at their exact size: a buffer left to grow by doubling holds up to twice them.
        let mut parts: Vec<(Block, Vec<Option<Unclassified>>)> = rows
            .par_chunks(ROWS_PER_JOB)
            .map_init(Vec::new, |scratch, chunk| {
                let mut part = Block {
                    ends: Vec::with_capacity(chunk.len()),
                    units: std::mem::take(scratch),
                };
                part.units.clear();
                let mut status = Vec::with_capacity(chunk.len());
                let mut terms = Vec::new();
                for row in chunk {
                    let words = word_count(&row.tokens);
                    raw_terms(&row.tokens, &mut terms);
                    status.push(if words == 0 {
                        Some(Unclassified::Empty)
                    } else if terms.is_empty() {
                        Some(Unclassified::NoContent)
                    } else if words < min_words {
                        Some(Unclassified::TooShort)
                    } else {
                        None
                    });
                    terms.sort_unstable();
                    Doc::encode(&terms, &mut part.units);
                    part.ends.push(part.units.len() as u32);
                }
                let exact = part.units.to_vec();
                *scratch = std::mem::replace(&mut part.units, exact);
                (part, status)
            })
            .collect();
        let df: Vec<AtomicU32> = (0..names.len()).map(|_| AtomicU32::new(0)).collect();
        parts.par_iter().for_each(|(part, _)| {
            for j in 0..part.ends.len() {
                for (t, _) in part.doc(j).iter() {
                    df[t as usize].fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let df: Vec<u32> = df.into_iter().map(AtomicU32::into_inner).collect();
        // Terms shared by two responses or more, in the order of their names.
        let mut kept: Vec<(String, u32)> = (0..names.len())
            .filter(|&t| df[t] >= 2)
            .map(|t| {
                let name = match names[t] {
                    Term::Stem(s) => table.stem(s).to_string(),
                    Term::Prefix(p) => format!("{p}{PREFIX_MARK}"),
                };
                (name, t as u32)
            })
            .collect();
        kept.par_sort_unstable();
        let mut id_of = vec![u32::MAX; names.len()];
        for (i, &(_, raw)) in kept.iter().enumerate() {
            id_of[raw as usize] = i as u32;
        }
        // Raw ids become term ids, a block at a time (its raw counts are freed as it is
        // done); unusable responses keep no counts.
        parts
            .par_iter_mut()
            .for_each_init(Vec::new, |terms, (part, status)| {
                let mut units = Vec::new();
                let mut start = 0;
                for (end, reason) in part.ends.iter_mut().zip(status.iter_mut()) {
                    if reason.is_none() {
                        let doc = Doc(&part.units[start..*end as usize]);
                        terms.clear();
                        terms.extend(
                            doc.ids()
                                .map(|raw| id_of[raw as usize])
                                .filter(|&id| id != u32::MAX),
                        );
                        terms.sort_unstable();
                        Doc::encode(terms, &mut units);
                        if terms.is_empty() {
                            *reason = Some(Unclassified::NoSharedWords);
                        }
                    }
                    start = *end as usize;
                    *end = units.len() as u32;
                }
                units.shrink_to_fit();
                part.units = units;
            });
        let mut docs = Docs {
            blocks: Vec::with_capacity(parts.len()),
            len: rows.len(),
        };
        let mut status = Vec::with_capacity(rows.len());
        for (part, reasons) in parts {
            docs.blocks.push(part);
            status.extend(reasons);
        }
        debug_assert_eq!(docs.len(), rows.len());
        let words = rows.iter().map(|r| word_count(&r.tokens) as u32).collect();
        Space {
            words,
            df: kept.iter().map(|&(_, raw)| df[raw as usize]).collect(),
            terms: kept.into_iter().map(|(t, _)| t).collect(),
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
    pub fn tfidf(doc: Doc, idf: &[f32]) -> SparseVec {
        let mut v: SparseVec = doc
            .iter()
            .map(|(t, c)| (t, (1.0 + (c as f32).ln()) * idf[t as usize]))
            .collect();
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| x.1 /= norm.max(f32::MIN_POSITIVE));
        v
    }
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
    fn a_document_reads_back_its_counts() {
        // Gaps of one unit and of three, repeats, and a term at zero.
        let terms = [
            0,
            0,
            5,
            127,
            128,
            128,
            128,
            16_384,
            81_919,
            81_920,
            3_000_000,
            u32::MAX,
        ];
        let mut units = Vec::new();
        Doc::encode(&terms, &mut units);
        let doc = Doc::new(&units);
        let counts: Vec<(u32, u32)> = doc.iter().collect();
        assert_eq!(
            counts,
            [
                (0, 2),
                (5, 1),
                (127, 1),
                (128, 3),
                (16_384, 1),
                (81_919, 1),
                (81_920, 1),
                (3_000_000, 1),
                (u32::MAX, 1)
            ]
        );
        assert_eq!(doc.len(), terms.len());
        for t in [0, 5, 128, 81_919, 81_920, 3_000_000, u32::MAX] {
            assert!(doc.contains(t), "{t}");
        }
        for t in [1, 126, 129, 16_383, 81_918, 3_000_001] {
            assert!(!doc.contains(t), "{t}");
        }
        let mut empty = Vec::new();
        Doc::encode(&[], &mut empty);
        assert!(Doc::new(&empty).is_empty());
        assert_eq!(Doc::new(&empty).iter().count(), 0);
    }

    #[test]
    fn compound_parts_count_in_document_frequency() {
        // `liste` never stands alone, yet both compounds share it.
        let s = space(&["Legg sangen i spillelista", "Vis handlelista mi nå"]);
        let liste = s.terms.iter().position(|t| t == "list").expect("part kept");
        assert_eq!(s.df[liste], 2);
        assert!(s.docs.iter().all(|d| d.iter().any(|(t, _)| t as usize == liste)));
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

    #[test]
    fn light_verbs_sort_answers_but_never_label_them() {
        let s = space(&["legg sangen til spillelista", "legg låta til spillelista"]);
        assert!(s.terms.iter().any(|t| t == "legg"), "{:?}", s.terms);
        assert!(!is_function_word("legg"));
        for w in ["legg", "legger", "sett", "satt", "andre", "annet", "ka"] {
            assert!(never_labels(w), "{w}");
        }
        // Stems a determiner's would share are left alone.
        for w in ["helhet", "ulik", "egn", "spillelist"] {
            assert!(!never_labels(w), "{w}");
        }
    }

    #[test]
    fn content_words_sharing_a_stem_with_a_foreign_function_word_are_terms() {
        // English `by` and `is` must not take Norwegian `byen` (the town) and `isen` (the ice).
        let s = space(&["Byen trenger isen fjernet", "Mer liv i byen og isen"]);
        for w in ["by", "is"] {
            assert!(s.terms.iter().any(|t| t == w), "{w} not in {:?}", s.terms);
        }
    }
}
