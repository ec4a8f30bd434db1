//! The search data that `report.html` carries, so that its search box matches exactly as
//! `stemme search` does without an analyzer in the page: every analysed token of the
//! listed responses as a small integer (an id into a table of distinct "what the token
//! stands for": its stem and its compound-part stems, hyphen joins included), and a table
//! from the words whose query term the page could not work out itself to that term.
//! Terms are integers too; the page never sees a stem. Metadata columns and the groups
//! of every `--compare` grouping travel beside them for the page's filters.
//!
//! A typed word the table lacks is stemmed in the page by a port of the Snowball
//! Norwegian stemmer and looked up among the terms. So the table holds only the words for
//! which that gives another answer than the CLI's analyzer: words the lexicon maps to a
//! lemma with another stem (`innbyggerne` → `innbygger`), and words whose term no listed
//! response holds though their plain stem is one (mapped to -1, so that the page does not
//! stem them afresh). The words looked at are every word of the run whose stem, or a
//! compound part's, is a term of the page (`kommunenes` only in row 30,000, `kommune` in
//! row 3), those parts, and the lexicon's other forms of the listed words' lemmas
//! (`grense` for the part `grensene` of `kommunegrensene`).
//!
//! Differences left: a word the lexicon knows as a form of a lemma that no corpus word
//! has, whose plain stem happens to be a page term, matches in the page where the CLI,
//! stemming its lemma, finds nothing; an irregular form of a lemma that only responses
//! beyond the page use is stemmed plainly by the page; and a lexicon form whose plain stem
//! is its lemma's is taken to have that lemma (true of every form of a listed word; a
//! form of an unlisted compound could have another).
//!
//! Cost: the tokens, kinds and lemma forms are proportional to the listed responses (at
//! most [`super::html::MAX_ROWS`]); the rest is one look-up per distinct word of the run,
//! and the stemming of the words looked at, in parallel. Why ids: a 20,000-row page would
//! otherwise repeat the same stems hundreds of thousands of times. Why no substring
//! fallback: the CLI has none, and the page must agree with it.

use crate::analysis::{meta_columns, Analysis};
use crate::analyze::compound::{CompoundSplitter, FastMap};
use crate::analyze::{Analyzer, WordId, WordInfo};
use crate::compare::{group_value, SCOPE_GROUPING};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the page needs to search its responses (see the module doc).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageIndex {
    /// Lowercased word → term id of the query side (`innbyggerne` → the id of
    /// `innbygg`), or -1 when no listed response holds its term; only where the page's
    /// own stemming would give another answer.
    pub words: BTreeMap<String, i64>,
    /// Lowercased word → term id of the same word typed in capitals, where the page's
    /// rule (an acronym is its own term: `KS` → `ks`) would give another answer (a
    /// stopword typed in capitals is stemmed as a stopword).
    pub acronyms: BTreeMap<String, i64>,
    /// Term id → the stem itself, for words the table lacks: the page stems them with
    /// its port of the Snowball Norwegian stemmer, as the CLI's analyzer does.
    pub terms: Vec<String>,
    /// Token kinds: `[stem, part, part, …]` as term ids; a part that joins the word with
    /// the next one across a hyphen (`tverr-kommunalt`) is written as `-(id + 1)`, so the
    /// page can highlight both halves as the CLI does.
    pub kinds: Vec<Vec<i64>>,
    /// Per listed response, its tokens in position order as ids into `kinds`.
    pub tokens: Vec<Vec<u32>>,
    /// Metadata column names, sorted.
    pub columns: Vec<String>,
    /// Per listed response, its value in each of `columns` ("" when it has none).
    pub meta: Vec<Vec<String>>,
    /// Per listed response, the question it answers.
    pub questions: Vec<String>,
    /// Each `--compare` grouping's name, with each listed response's group in it (""
    /// when it has none), for the page's group filters.
    pub groupings: Vec<(String, Vec<String>)>,
}

/// True when `part_word` of a word is that word joined with the next one across a hyphen
/// (the analyzer adds that part only to the first word of a hyphenated pair).
fn is_join(word: &WordInfo, next: Option<&WordInfo>, part_word: &str) -> bool {
    next.is_some_and(|n| {
        part_word
            .strip_prefix(word.word.as_str())
            .is_some_and(|rest| rest == n.word)
    })
}

/// The term the query side gives a word typed alone, if it gives exactly one (the
/// analyzer run on the word: exact, and the slow way).
fn query_term(analyzer: &Analyzer, typed: &str) -> Option<String> {
    let analysed = analyzer.analyze(typed);
    let [token] = analysed.tokens.first()?.as_slice() else {
        return None;
    };
    Some(analysed.words.info(token).stem.clone())
}

/// True when a word is typed as it is analysed: one word of small letters (no `ä`/`ö`,
/// which the analyzer reads as `æ`/`ø`) and digits.
fn plain(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || (c.is_alphabetic() && c.is_lowercase() && !matches!(c, 'ä' | 'ö')))
}

/// The term the query side gives a lowercased word typed alone, on the analyzer's rules
/// without analysing it: a stopword is stemmed as written, a word the lexicon knows as a
/// form of one lemma is stemmed by that lemma ([`Analyzer::term`]), and so is one read
/// by its Bokmål spelling (`innbyggjarane`) if the lexicon knows it; a word stemmed as
/// written either way needs no more. A word these rules do not settle (one that might
/// be read as a misspelled stopword) is analysed ([`query_term`]).
fn query_stem(analyzer: &Analyzer, lexicon: &CompoundSplitter, word: &str) -> Option<String> {
    if !plain(word) {
        return query_term(analyzer, word);
    }
    if analyzer.is_stopword(word) {
        return Some(analyzer.stem(word));
    }
    if let Some(lemma) = lexicon.lemma(word) {
        return Some(analyzer.stem(lemma));
    }
    // No lemma of its own: stemmed as written, or by the lemma of its Bokmål spelling.
    let (stem, term) = (analyzer.stem(word), analyzer.term(word));
    if term == stem || lexicon.knows(word) {
        return Some(term);
    }
    query_term(analyzer, word)
}

/// True when a word typed in capitals would be read as an acronym (`KS`, `NAV`, `H2O`):
/// two to five characters, at least two of them letters.
fn acronym_sized(word: &str) -> bool {
    (2..=5).contains(&word.chars().count()) && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// A word looked at: its table entry and its entry typed in capitals, if it needs them.
type Entry = (String, Option<i64>, Option<i64>);

/// Interns the stems of the listed responses as term ids, in order of first appearance.
#[derive(Default)]
struct Terms<'a> {
    ids: FastMap<&'a str, i64>,
    strings: Vec<String>,
}

impl<'a> Terms<'a> {
    fn id(&mut self, stem: &'a str) -> i64 {
        let next = self.strings.len() as i64;
        *self.ids.entry(stem).or_insert_with(|| {
            self.strings.push(stem.to_string());
            next
        })
    }

    /// The term id of a stem, -1 when no listed response holds it.
    fn get(&self, stem: &str) -> i64 {
        self.ids.get(stem).copied().unwrap_or(-1)
    }
}

/// The tokens of the listed responses as kind ids, with the kinds and their terms.
struct Tokens<'a> {
    terms: Terms<'a>,
    kinds: Vec<Vec<i64>>,
    tokens: Vec<Vec<u32>>,
    /// The distinct words of the listed responses, in order of first appearance.
    words: Vec<WordId>,
}

fn page_tokens<'a>(a: &'a Analysis, listed: &'a [crate::row::Row]) -> Tokens<'a> {
    let words = &a.words;
    let mut terms = Terms::default();
    // A word's kind depends on the word and on which of its parts join it to the next
    // word: computed once per such pair, and kinds that come out alike share an id.
    let mut by_word: FastMap<(WordId, u64), u32> = FastMap::default();
    let mut by_kind: FastMap<Vec<i64>, u32> = FastMap::default();
    let mut kinds: Vec<Vec<i64>> = Vec::new();
    let mut seen = vec![false; words.len()];
    let mut page_words = Vec::new();
    let mut tokens = Vec::with_capacity(listed.len());
    for row in listed {
        let mut ids = Vec::with_capacity(row.tokens.len());
        for (i, t) in row.tokens.iter().enumerate() {
            let info = words.info(t);
            if !std::mem::replace(&mut seen[t.word as usize], true) {
                page_words.push(t.word);
            }
            let next = row.tokens.get(i + 1).map(|n| words.info(n));
            let joins = info
                .parts
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, p)| is_join(info, next, &p.word))
                .fold(0u64, |m, (k, _)| m | 1 << k);
            let id = *by_word.entry((t.word, joins)).or_insert_with(|| {
                let mut kind = vec![terms.id(&info.stem)];
                for (k, p) in info.parts.iter().enumerate() {
                    let id = terms.id(&p.stem);
                    kind.push(if k < 64 && joins >> k & 1 == 1 {
                        -(id + 1)
                    } else {
                        id
                    });
                }
                let next = kinds.len() as u32;
                *by_kind.entry(kind.clone()).or_insert_with(|| {
                    kinds.push(kind);
                    next
                })
            });
            ids.push(id);
        }
        tokens.push(ids);
    }
    Tokens {
        terms,
        kinds,
        tokens,
        words: page_words,
    }
}

impl PageIndex {
    /// The search data for the first `max_rows` responses of the analysis.
    pub fn new(a: &Analysis, max_rows: usize) -> PageIndex {
        let listed = &a.rows[..a.rows.len().min(max_rows)];
        let Tokens {
            terms,
            kinds,
            tokens,
            words: page_words,
        } = page_tokens(a, listed);

        // The words looked at, each with its query term when already known: a word of
        // the run analysed as typed in small letters has it (one written only in capitals
        // may be an acronym, analysed apart, so it is worked out again).
        let mut looked_at: FastMap<&str, Option<&str>> = FastMap::default();
        for (id, info) in a.words.iter() {
            if terms.get(&info.stem) >= 0 {
                let c = a.words.count(id);
                let known = (c.upper < c.count).then_some(info.stem.as_str());
                let entry = looked_at.entry(info.word.as_str()).or_insert(known);
                if entry.is_none() {
                    *entry = known;
                }
            }
            for p in info.parts.iter().filter(|p| terms.get(&p.stem) >= 0) {
                looked_at.entry(p.word.as_str()).or_insert(None);
            }
        }
        // Other forms of the listed words' lemmas name the same terms.
        let lexicon = CompoundSplitter::bundled();
        let page_strings: BTreeSet<&str> = page_words
            .iter()
            .flat_map(|&w| {
                let info = &a.words[w];
                std::iter::once(info.word.as_str()).chain(info.parts.iter().map(|p| p.word.as_str()))
            })
            .collect();
        let lemmas: BTreeSet<&str> = page_strings
            .par_iter()
            .map(|w| lexicon.lemma(w).unwrap_or(w))
            .collect::<Vec<&str>>()
            .into_iter()
            .collect();

        // Keep a word where the page's own stemming would answer otherwise: `typed` is
        // the term id the CLI gives the word, if it gives one.
        let analyzer = &Analyzer::norwegian();
        let terms_ref = &terms;
        let judge = &|word: &str, typed: Option<i64>| -> Entry {
            let own = terms_ref.get(&analyzer.stem(word));
            // Typed in capitals, a short stopword is analysed as a stopword, not kept as
            // an acronym: the page would take the word as its own term.
            let upper = (acronym_sized(word) && analyzer.is_stopword(word))
                .then(|| query_term(analyzer, &word.to_uppercase()))
                .flatten()
                .map(|t| terms_ref.get(&t))
                .filter(|&id| id != terms_ref.get(word));
            (word.to_string(), typed.filter(|&id| id != own), upper)
        };
        let mut entries: Vec<Entry> = looked_at
            .par_iter()
            .map(|(&word, &known)| {
                let typed = match known {
                    Some(stem) => Some(terms.get(stem)),
                    None => query_stem(analyzer, lexicon, word).map(|t| terms_ref.get(&t)),
                };
                judge(word, typed)
            })
            .collect();
        // A form whose own stem is its lemma's needs no entry: the lexicon gives it that
        // lemma (or, when it gives several, the CLI stems it as written). The others are
        // worked out one by one.
        entries.par_extend(lemmas.par_iter().flat_map_iter(|&lemma| {
            let stem = analyzer.stem(lemma);
            lexicon
                .forms(lemma)
                .into_iter()
                .filter(|f| !looked_at.contains_key(f.as_str()))
                .filter(move |f| analyzer.stem(f) != stem || (acronym_sized(f) && analyzer.is_stopword(f)))
                .map(|f| judge(&f, query_stem(analyzer, lexicon, &f).map(|t| terms_ref.get(&t))))
                .collect::<Vec<_>>()
        }));
        let mut table = BTreeMap::new();
        let mut acronyms = BTreeMap::new();
        for (word, entry, upper) in entries {
            if let Some(id) = upper {
                acronyms.insert(word.clone(), id);
            }
            if let Some(id) = entry {
                table.insert(word, id);
            }
        }

        let columns: Vec<String> = meta_columns(listed).into_iter().map(str::to_string).collect();
        let meta = listed
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| r.response.meta.get(c).unwrap_or_default().to_string())
                    .collect()
            })
            .collect();
        PageIndex {
            words: table,
            acronyms,
            terms: terms.strings,
            kinds,
            tokens,
            columns,
            meta,
            questions: listed.iter().map(|r| r.response.question.to_string()).collect(),
            groupings: a
                .comparison
                .groupings
                .iter()
                .filter(|g| g.name != SCOPE_GROUPING)
                .map(|g| {
                    let groups = listed
                        .iter()
                        .map(|r| group_value(&r.response, &g.name).unwrap_or_default().to_string())
                        .collect();
                    (g.name.clone(), groups)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphen_joins_are_marked_as_joins_and_acronyms_keep_their_letters() {
        let a = Analyzer::norwegian();
        let analysed = a.analyze("tverr-kommunalt samarbeid");
        let infos: Vec<&WordInfo> = analysed.tokens[0]
            .iter()
            .map(|t| analysed.words.info(t))
            .collect();
        let joined = infos[0]
            .parts
            .iter()
            .find(|p| p.word == "tverrkommunalt")
            .expect("joined part");
        assert!(is_join(infos[0], Some(infos[1]), &joined.word));
        assert!(!is_join(infos[1], infos.get(2).copied(), "samarbeid"));
        assert_eq!(query_term(&a, "KS").as_deref(), Some("ks"));
        assert_eq!(query_term(&a, "kommunene"), query_term(&a, "kommune"));
        assert!(acronym_sized("ks") && acronym_sized("h2o") && !acronym_sized("kommune"));
    }

    /// The seed corpus analysed, as a run does.
    fn seed() -> Analysis {
        let file = crate::ingest::ingest_bytes(
            crate::corpus::SEED_BYTES.to_vec(),
            crate::corpus::SEED_SOURCE,
            std::path::Path::new(crate::corpus::SEED_SOURCE),
            &crate::ingest::IngestOptions::default(),
        )
        .expect("seed ingests");
        crate::pipeline::analyse(
            vec![file],
            &crate::scope::ScopeTagger::bundled(None),
            &crate::themes::ThemeOptions {
                k: Some(4),
                ..Default::default()
            },
            &Default::default(),
            &crate::Silent,
        )
        .expect("seed analyses")
    }

    /// What page.js makes of a typed word: the table, else its own stem among the terms.
    fn page_term(p: &PageIndex, raw: &str) -> i64 {
        let w = raw.to_lowercase();
        let term = |s: &str| p.terms.iter().position(|t| t == s).map_or(-1, |i| i as i64);
        let acronym = (2..=5).contains(&raw.chars().count())
            && raw.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !raw.chars().any(char::is_lowercase);
        if acronym {
            return p.acronyms.get(&w).copied().unwrap_or_else(|| term(&w));
        }
        p.words
            .get(&w)
            .copied()
            .unwrap_or_else(|| term(&Analyzer::norwegian().stem(&w)))
    }

    #[test]
    fn the_page_finds_the_terms_the_cli_finds_for_every_word_of_the_run_and_its_forms() {
        let a = seed();
        // Half the responses on the page: words beyond it must still find its terms.
        let p = PageIndex::new(&a, 44);
        let analyzer = Analyzer::norwegian();
        let lexicon = CompoundSplitter::bundled();
        let with_parts = |info: &WordInfo| -> Vec<String> {
            std::iter::once(info.word.clone())
                .chain(info.parts.iter().map(|p| p.word.clone()))
                .collect()
        };
        let mut typed: BTreeSet<String> = a.words.iter().flat_map(|(_, info)| with_parts(info)).collect();
        // The lexicon's forms of the listed words' lemmas (those of words beyond the
        // page are the documented difference).
        let forms: Vec<String> = a.rows[..44]
            .iter()
            .flat_map(|r| r.tokens.iter().flat_map(|t| with_parts(a.words.info(t))))
            .flat_map(|w| lexicon.forms(lexicon.lemma(&w).unwrap_or(&w)))
            .collect();
        typed.extend(forms);
        let mut checked = 0;
        for w in &typed {
            for raw in [w.clone(), w.to_uppercase()] {
                let Some(cli) = query_term(&analyzer, &raw) else {
                    continue;
                };
                let cli = p.terms.iter().position(|t| *t == cli).map_or(-1, |i| i as i64);
                assert_eq!(page_term(&p, &raw), cli, "{raw:?}");
                checked += 1;
            }
        }
        assert!(checked > 4_000, "{checked}");
        // The table holds only what the page's own stemming gets wrong.
        assert!(
            p.words.len() * 2 < typed.len(),
            "{} of {}",
            p.words.len(),
            typed.len()
        );
    }
}
