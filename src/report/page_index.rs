//! The search data that `report.html` carries, so that its search box matches exactly as
//! `stemme search` does without an analyzer in the page: every analysed token of the
//! listed responses as a small integer (an id into a table of distinct "what the token
//! stands for": its stem and its compound-part stems, hyphen joins included), and a table
//! from every word the corpus contains (as written, as a compound part, as a hyphen-joined
//! word, and every other form the lexicon gives those words' lemmas: `grense` for the
//! part `grensene` of `kommunegrensene`) to the term the query side gives it. Terms are
//! integers too; the page never sees a stem. Metadata columns travel beside them for the
//! page's filters.
//!
//! A typed word that neither holds is stemmed in the page by a port of the Snowball
//! Norwegian stemmer and looked up among the terms: exact for every word the lexicon does
//! not know (the CLI stems those alike). The one difference left: a word the lexicon
//! knows as a form of a lemma that no corpus word has, whose plain stem happens to be a
//! corpus term, matches in the page where the CLI, stemming its lemma, finds nothing.
//!
//! Why ids: a 20,000-row page would otherwise repeat the same stems hundreds of thousands
//! of times. Why no substring fallback: the CLI has none, and the page must agree with it.

use crate::analysis::Analysis;
use crate::analyze::compound::CompoundSplitter;
use crate::analyze::{Analyzer, WordInfo};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the page needs to search its responses (see the module doc).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageIndex {
    /// Lowercased word → term id of the query side (`kommunene` → the id of `kommun`),
    /// or -1 when no listed response holds its term.
    pub words: BTreeMap<String, i64>,
    /// Lowercased word → term id of the same word typed in capitals, where that differs
    /// (`KS` is an acronym, its term `ks`; `ks` typed small is stemmed).
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
}

/// Interns strings as dense ids in order of first appearance.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.to_string(), id);
        self.strings.push(s.to_string());
        id
    }
}

/// True when `part_word` of a word is that word joined with the next one across a hyphen
/// (the analyzer adds that part only to the first word of a hyphenated pair).
fn is_join(word: &WordInfo, next: Option<&WordInfo>, part_word: &str) -> bool {
    next.is_some_and(|n| {
        part_word.len() == word.word.len() + n.word.len() && part_word == format!("{}{}", word.word, n.word)
    })
}

/// The term the query side gives a word typed alone, if it gives exactly one.
fn query_term(analyzer: &Analyzer, typed: &str) -> Option<String> {
    let analysed = analyzer.analyze(typed);
    let [token] = analysed.tokens.first()?.as_slice() else {
        return None;
    };
    Some(analysed.words.info(token).stem.clone())
}

/// True when a word typed in capitals would be read as an acronym (`KS`, `NAV`, `H2O`):
/// two to five characters, at least two of them letters.
fn acronym_sized(word: &str) -> bool {
    (2..=5).contains(&word.chars().count()) && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

impl PageIndex {
    /// The search data for the first `max_rows` responses of the analysis.
    pub fn new(a: &Analysis, max_rows: usize) -> PageIndex {
        let listed = &a.rows[..a.rows.len().min(max_rows)];
        let mut terms = Interner::default();
        let mut kind_ids: HashMap<Vec<i64>, u32> = HashMap::new();
        let mut kinds: Vec<Vec<i64>> = Vec::new();
        let mut words: BTreeSet<&str> = BTreeSet::new();
        let mut tokens = Vec::with_capacity(listed.len());
        for row in listed {
            let infos: Vec<&WordInfo> = row.tokens.iter().map(|t| a.words.info(t)).collect();
            let mut ids = Vec::with_capacity(infos.len());
            for (i, info) in infos.iter().enumerate() {
                let mut kind = vec![i64::from(terms.id(&info.stem))];
                words.insert(&info.word);
                for p in &info.parts {
                    let id = i64::from(terms.id(&p.stem));
                    let join = is_join(info, infos.get(i + 1).copied(), &p.word);
                    kind.push(if join { -(id + 1) } else { id });
                    words.insert(&p.word);
                }
                let next = kinds.len() as u32;
                let id = *kind_ids.entry(kind.clone()).or_insert_with(|| {
                    kinds.push(kind);
                    next
                });
                ids.push(id);
            }
            tokens.push(ids);
        }
        // Words of the responses beyond the page can still name a term the page holds
        // (`kommunenes` only in row 30,000, `kommune` in row 3): every word of the run.
        for (_, info) in a.words.iter() {
            if terms.ids.contains_key(info.stem.as_str()) {
                words.insert(&info.word);
            }
            for p in info
                .parts
                .iter()
                .filter(|p| terms.ids.contains_key(p.stem.as_str()))
            {
                words.insert(&p.word);
            }
        }
        // Other forms of the corpus's words name the same terms (`grense` for the part
        // `grensene` of `kommunegrensene`): the lexicon's forms of each word's lemma.
        let lexicon = CompoundSplitter::bundled();
        let forms: BTreeSet<String> = words
            .iter()
            .flat_map(|w| lexicon.forms(lexicon.lemma(w).unwrap_or(w)))
            .filter(|f| !words.contains(f.as_str()))
            .collect();
        words.extend(forms.iter().map(String::as_str));
        // The query side analyses a typed word alone: its term is the stem of that word
        // as a token (a part such as `lokalsamfunn` is not always its own part's stem).
        // A word whose term no listed response holds maps to -1, so that the page does
        // not stem it afresh.
        let analyzer = Analyzer::norwegian();
        let term_id = |term: Option<String>| -> Option<i64> {
            term.map(|t| terms.ids.get(t.as_str()).map_or(-1, |&id| i64::from(id)))
        };
        let mut acronyms = BTreeMap::new();
        let mut table = BTreeMap::new();
        for w in words {
            let Some(id) = term_id(query_term(&analyzer, w)) else {
                continue;
            };
            table.insert(w.to_string(), id);
            // Typed in capitals, a short word is an acronym, analysed apart.
            if acronym_sized(w) {
                if let Some(upper) = term_id(query_term(&analyzer, &w.to_uppercase())).filter(|&u| u != id) {
                    acronyms.insert(w.to_string(), upper);
                }
            }
        }
        let columns: Vec<String> = listed
            .iter()
            .flat_map(|r| r.response.meta.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
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
            questions: listed.iter().map(|r| r.response.question.clone()).collect(),
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
}
