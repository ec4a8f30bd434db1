//! Dictionary-based splitter for Norwegian (Bokmål) compound words.
//!
//! Input: one lowercased, NFC-normalised word (`lokalsamfunnsmodeller`). Output: its parts
//! (`["lokalsamfunn", "modeller"]`), or `None` when the word is not a compound.
//!
//! Why: Norwegian writes compounds as one word, so a search for `grense` or `modell` would
//! miss `kommunegrensene` and `lokalsamfunnsmodeller`. Splitting lets the analyser index
//! and count the parts too.
//!
//! How it decides:
//! * Parts come from the bundled lexicon `lexicon/compound_words.txt`, a compact derivative
//!   of Norsk ordbank (Bokmål), Språkbanken / Nasjonalbiblioteket, CC BY 4.0 (rebuilt by
//!   `lexicon/make_compound_words.py`), compiled into a hash table by `build.rs`
//!   ([`super::lexicon`]) so that no run parses it.
//! * Only the last part inflects: first parts are noun, adjective or verb lemmas (verbs in
//!   the infinitive: `lese`+`sal`), optionally followed by a linking `s` or `e`
//!   (`lokalsamfunn`+s+`modeller`, `barn`+e+`hage`). The last part is any form of a noun or
//!   adjective lemma and is returned as written. Prepositions, particles and prefixes
//!   (`inn`, `ut`, `med`, `sam`, `for`, `be`) are not parts, so particle words such as
//!   `innkjøp` or `medvirkning` stay whole.
//! * Triple consonants are restored: `fotballag` is `fotball` + `lag`.
//! * Part lengths: parts of one to three letters must be on a short hand-checked list
//!   (`mål`, `tid`, `by`, ...), parts of four or five letters must be productive in the
//!   lexicon (the M/H flags: the first/last part of at least five listed lemmas), longer
//!   parts need only be lemmas. A small block list removes words that cut far more words
//!   than they build (`skap`, `ende`, `isme`, ...).
//! * Known words of up to six letters (`verden`, `heller`) and adverbs of any length
//!   (`nettopp`, `allerede`) stay whole. A word that is a known form must split
//!   consistently with its lemma (`modellene` is not `modell`+`lene`), and a word that is
//!   a regular `-ing`/`-else`/`-ende` derivation of a known verb may only split when its
//!   last part is such a derivation too (`kvalitetssikring` splits, `levering` is not
//!   `leve`+`ring`).
//! * Linking letters: a first part ending in a single `s` is read as lemma + `s` when both
//!   readings exist (`tids` is `tid`+s, `saks` is `sak`+s), one ending in `e` keeps the
//!   `e` (`bygge`, the verb, not `bygg`+e).
//! * Among the remaining analyses: fewest parts, then fewest first parts read without the
//!   linking `s` that the lemma usually takes (the S flag: `idrett`+s+`lag`, not
//!   `idrett`+`slag`), then the longest shortest part, then the fewest linking letters,
//!   then the first found. Parts may themselves be compound lemmas (`lokalsamfunn`); a
//!   caller who wants the finest parts splits non-final parts again
//!   (`split("lokalsamfunn")` gives `lokal`, `samfunn`).
//!
//! Verb stems without the infinitive `-e` are not accepted as first parts: the productive
//! ones (`bygg`, `kjøp`, `bruk`) are noun lemmas anyway, and the others cut ordinary words
//! (`fors`+`lag`, `komm`+`misjon`).

use super::lexicon::{each_form, parse_inflection, regular_ending, Entry, WordTable};
use super::lexicon::{ADJ, ADV, LINKS_WITH_S, NOUN, PRODUCTIVE_FIRST, PRODUCTIVE_LAST, VERB};
use std::borrow::Cow;
use std::sync::OnceLock;

pub(crate) use super::lexicon::FastMap;

/// The lemmas of the vendored word list (see its header and
/// `lexicon/make_compound_words.py`), as the hash table `build.rs` makes of it.
static WORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compound_words.table"));
/// The lemmas themselves, concatenated, which the table points into.
static WORD_BLOB: &str = include_str!(concat!(env!("OUT_DIR"), "/compound_words.blob"));
/// The word list's inflection rules (`@r`) and paradigms (`@p`), as `build.rs` copies them.
const RULES: &str = include_str!(concat!(env!("OUT_DIR"), "/compound_rules.txt"));

/// Longer words are not split (they are not words, and the search would be slow).
const MAX_WORD_CHARS: usize = 60;
/// Shorter words are never split (the shortest useful compound is `elbil`-sized).
const MIN_WORD_CHARS: usize = 5;
/// Known words up to this length stay whole (`verden`, `heller`, `bydel`).
const KNOWN_WHOLE_MAX_CHARS: usize = 6;
/// Most parts in one analysis.
const MAX_PARTS: usize = 4;
/// Parts of up to this many letters must be on the short lists below.
const SHORT_PART_CHARS: usize = 3;
/// Parts of up to this many letters must be productive (M/H flag in the lexicon).
const PRODUCTIVE_PART_CHARS: usize = 5;

/// Short first parts (one to three letters) that are common, unambiguous compound parts.
const SHORT_FIRST: &[&str] = &[
    "arv", "bil", "bok", "by", "båt", "dag", "del", "dyr", "egg", "fag", "fly", "fot", "hav", "hus", "høy",
    "jul", "lag", "liv", "lov", "lys", "lyd", "lån", "mat", "mål", "nær", "ord", "råd", "sak", "ski", "sjø",
    "små", "snø", "sol", "syk", "syn", "sør", "tak", "tid", "tog", "tre", "tur", "vei", "veg", "vin", "år",
    "øst", "øy",
];

/// Short last parts (one to three letters) that are common, unambiguous compound heads.
const SHORT_LAST: &[&str] = &[
    "arm", "bad", "ben", "bil", "bok", "by", "båt", "dag", "del", "dyr", "dør", "egg", "fag", "fly", "fot",
    "hav", "hus", "hår", "kor", "lag", "liv", "lov", "lys", "lyd", "lån", "løp", "mat", "mål", "ord", "ost",
    "rom", "råd", "sak", "sal", "ski", "sko", "sjø", "syn", "tak", "tap", "tid", "tog", "tur", "vei", "veg",
    "vin", "år", "øre", "øy", "øye",
];

/// Lemmas that are never first parts: particles and rare words that mostly cut ordinary
/// words (`under`+`søkelse`, `fore`+`stilling`, `bass`+`seng`).
const BLOCKED_FIRST: &[&str] = &["bass", "fore", "fort", "kont", "under"];

/// Lemmas that are never last parts: homographs of derivational suffixes and rare words
/// that mostly end ordinary words (`vennskap`, `spennende`, `realisme`, `fotograf`,
/// `romantikk`, `dramatisk`).
const BLOCKED_LAST: &[&str] = &[
    "ande", "ende", "graf", "heit", "isme", "ring", "skap", "tikk", "tisk",
];

/// Bound first parts that are not lemmas of their own (`hovedårsak`).
const BOUND_FIRST: &[&str] = &["hoved"];

/// Regular verb endings, used only to recognise a whole word as known.
const VERB_ENDINGS: &[&str] = &["", "de", "dd", "er", "es", "et", "r", "s", "t", "te", "tt"];
/// Suffixes of derivations from verbs (`levering` from `levere`).
const DEVERBAL_SUFFIXES: &[&str] = &["ning", "ing", "else", "ende"];

/// An acceptable first part: the lexicon's own `'static` string of its lemma.
#[derive(Clone, Copy)]
struct FirstLemma {
    lemma: &'static str,
    /// The lemma usually takes a linking `s` (the S flag).
    links_with_s: bool,
}

/// One way to read a stretch of the word as a first part.
#[derive(Clone, Copy)]
struct FirstPart {
    /// The lemma (linking letter removed).
    lemma: &'static str,
    /// The lemma usually takes a linking `s` but has none here (`idrett`+`slag`).
    missing_s: bool,
    /// Char position where the next part starts.
    next: usize,
    /// Whether a linking `s`/`e` was removed.
    linked: bool,
}

/// Splits Norwegian compounds using the bundled Norsk ordbank derivative.
pub struct CompoundSplitter {
    words: WordTable,
    /// Inflection rules: (lemma tail to cut, ending to append).
    rules: Vec<(&'static str, &'static str)>,
    /// Sorted rule numbers of each paradigm.
    paradigms: Vec<Vec<u32>>,
}

impl CompoundSplitter {
    /// The splitter over the bundled lexicon, built once.
    pub fn bundled() -> &'static CompoundSplitter {
        static SPLITTER: OnceLock<CompoundSplitter> = OnceLock::new();
        SPLITTER.get_or_init(|| {
            let words = WordTable::new(WORDS, WORD_BLOB).expect("build.rs writes a valid word table");
            CompoundSplitter::new(words, RULES)
        })
    }

    /// The splitter over `words` with the inflection rules and paradigms in `rules` (the
    /// `@r` and `@p` lines of the `compound_words.txt` format; other lines are skipped).
    fn new(words: WordTable, rules: &'static str) -> CompoundSplitter {
        let (rules, paradigms) = parse_inflection(rules);
        CompoundSplitter {
            words,
            rules,
            paradigms,
        }
    }

    /// True when the lexicon knows `word` as a lemma or an inflected form of one.
    pub fn knows(&self, word: &str) -> bool {
        if word.len() > 60 {
            return false;
        }
        let mut buf = String::new();
        let lemmas = self.last_lemmas(word);
        self.is_known(word, &lemmas, &mut buf)
    }

    /// The noun or adjective lemma of an inflected form (`innbyggerne` → `innbygger`,
    /// `kommunegrensene` → `kommunegrense`) when the lexicon knows exactly one. Suppletive forms (`bedre` of
    /// `god`) are not mapped: for search they are different words.
    pub fn lemma(&self, form: &str) -> Option<&'static str> {
        Self::only_lemma(form, &self.lemmas(form))
    }

    /// The noun and adjective lemmas of which `form` is a form (none for words over 60
    /// bytes): what [`CompoundSplitter::lemma`] and [`CompoundSplitter::split_given`] start
    /// from, so that a caller who needs both looks them up once.
    pub fn lemmas(&self, form: &str) -> Vec<&'static str> {
        if form.len() > 60 {
            return Vec::new();
        }
        self.last_lemmas(form)
    }

    /// [`CompoundSplitter::lemma`] from the form's [`CompoundSplitter::lemmas`].
    pub fn only_lemma(form: &str, lemmas: &[&'static str]) -> Option<&'static str> {
        match lemmas {
            [lemma] if lemma.chars().next() == form.chars().next() => Some(lemma),
            _ => None,
        }
    }

    /// The noun and adjective forms of `lemma` that the lexicon knows (`grense` →
    /// `grense`, `grensen`, `grensa`, `grenser`, `grensene`), sorted. A compound the
    /// lexicon does not list inflects as its longest listed last part
    /// (`kommunegrense` → `kommunegrensene`, …). Empty when no part of it is listed.
    pub fn forms(&self, lemma: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let found = lemma
            .char_indices()
            .map(|(at, _)| lemma.split_at(at))
            .filter(|(head, last)| head.is_empty() || last.chars().count() >= 3)
            .find_map(|(head, last)| self.words.get(last).map(|(_, e)| (head, last, e)));
        let Some((head, last, entry)) = found else {
            return out;
        };
        each_form(last, entry, &self.rules, &self.paradigms, |base, ending, _| {
            out.push(format!("{head}{base}{ending}"));
        });
        out.sort();
        out.dedup();
        out
    }

    /// Splits a lowercased, NFC-normalised word into its parts (linking letters removed,
    /// triple consonants restored), or None when it is not a compound.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        self.split_given(word, None)
    }

    /// [`CompoundSplitter::split`], given the word's [`CompoundSplitter::lemmas`] when the
    /// caller has them.
    pub fn split_given(&self, word: &str, whole_lemmas: Option<&[&'static str]>) -> Option<Vec<String>> {
        // Byte offset of every char, plus the end.
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n = bounds.len() - 1;
        if !(MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&n)
            || !word.chars().all(|c| c.is_alphabetic() && !c.is_uppercase())
        {
            return None;
        }
        let mut buf = String::with_capacity(word.len() + 8);
        let whole_lemmas: Cow<[&'static str]> = match whole_lemmas {
            Some(lemmas) => Cow::Borrowed(lemmas),
            None => Cow::Owned(self.last_lemmas(word)),
        };
        if n <= KNOWN_WHOLE_MAX_CHARS && self.is_known(word, &whole_lemmas, &mut buf) {
            return None;
        }
        // Adverbs (`nettopp`, `allerede`) stay whole, whatever their length.
        let adverb_only = |e: &Entry| e.flags & ADV != 0 && e.flags & (NOUN | ADJ) == 0;
        if whole_lemmas.is_empty() && self.words.entry(word).is_some_and(|e| adverb_only(&e)) {
            return None;
        }

        // Left to right: firsts[i] are the first parts starting at char i, for each i
        // that the first parts before it reach; heads[p] says whether the rest of the
        // word from such a char p is an acceptable last part.
        let mut firsts: Vec<Vec<FirstPart>> = vec![Vec::new(); n + 1];
        let mut reached = vec![false; n + 1];
        let mut heads = vec![false; n + 1];
        // starting[j]: chars i..j read as a first part, for the i at hand. Each stretch is
        // looked up once, though `first_parts` reads it both as itself and as the stretch
        // one char longer without its linking letter.
        let mut starting: Vec<Option<FirstLemma>> = vec![None; n + 1];
        reached[0] = true;
        for i in 0..n - 1 {
            if !reached[i] {
                continue;
            }
            if i > 0 {
                heads[i] = self.head_ok(word, bounds[i], &whole_lemmas, &mut buf);
            }
            for j in i + 2..n - 1 {
                starting[j] = self.first_lemma(&word[bounds[i]..bounds[j]]);
            }
            let mut found = Vec::new();
            for j in i + 2..n - 1 {
                self.first_parts((word, &bounds), (i, j), &starting, &mut found);
            }
            for first in &found {
                reached[first.next] = true;
            }
            firsts[i] = found;
        }
        if !heads.iter().any(|&h| h) {
            return None;
        }

        let mut best: Option<(Score, Vec<&str>)> = None;
        let mut path = Vec::with_capacity(MAX_PARTS);
        self.search(word, &bounds, 0, &firsts, &heads, &mut path, &mut best);
        best.map(|(_, parts)| parts.into_iter().map(str::to_owned).collect())
    }

    /// Depth-first search over the analyses, keeping the best-scored one.
    #[allow(clippy::too_many_arguments)]
    fn search<'w>(
        &self,
        word: &'w str,
        bounds: &[usize],
        start: usize,
        firsts: &[Vec<FirstPart>],
        heads: &[bool],
        path: &mut Vec<FirstPart>,
        best: &mut Option<(Score, Vec<&'w str>)>,
    ) {
        if !path.is_empty() && heads[start] {
            let last = &word[bounds[start]..];
            let mut parts: Vec<&'w str> = path.iter().map(|f| f.lemma).collect();
            parts.push(last);
            let score = Score {
                parts: parts.len(),
                missing_s: path.iter().filter(|f| f.missing_s).count(),
                shortest: parts.iter().map(|p| p.chars().count()).min().unwrap_or(0),
                links: path.iter().filter(|f| f.linked).count(),
            };
            if best.as_ref().is_none_or(|(b, _)| score.better_than(b)) {
                *best = Some((score, parts));
            }
        }
        if path.len() + 1 >= MAX_PARTS {
            return;
        }
        for first in &firsts[start] {
            path.push(*first);
            self.search(word, bounds, first.next, firsts, heads, path, best);
            path.pop();
        }
    }

    /// The readings of chars `i..j` as a first part, given the first-part readings of
    /// chars `i..` up to each end (`starting`, see [`CompoundSplitter::split_given`]).
    fn first_parts(
        &self,
        (word, bounds): (&str, &[usize]),
        (i, j): (usize, usize),
        starting: &[Option<FirstLemma>],
        found: &mut Vec<FirstPart>,
    ) {
        let seg = &word[bounds[i]..bounds[j]];
        // A linking s or e: `tids` is read as tid+s, but `bygge` stays the verb bygge
        // rather than bygg+e, and nothing links with s after an s (`buss`).
        let linked = if j - i > 2 && !seg.ends_with("ss") && seg.ends_with(['s', 'e']) {
            starting[j - 1].map(|first| first.lemma)
        } else {
            None
        };
        let plain = starting[j].filter(|_| linked.is_none() || seg.ends_with('e'));
        if let Some(FirstLemma {
            lemma,
            links_with_s: missing_s,
        }) = plain
        {
            found.push(FirstPart {
                lemma,
                missing_s,
                next: j,
                linked: false,
            });
            // Triple consonant: fotball + lag is written fotballag.
            let mut tail = seg.chars().rev();
            if let (Some(a), Some(b)) = (tail.next(), tail.next()) {
                if a == b && !is_vowel(a) && j - 1 > i + 1 {
                    found.push(FirstPart {
                        lemma,
                        missing_s,
                        next: j - 1,
                        linked: false,
                    });
                }
            }
        }
        if let Some(lemma) = linked.filter(|_| plain.is_none()) {
            found.push(FirstPart {
                lemma,
                missing_s: false,
                next: j,
                linked: true,
            });
        }
    }

    /// `part` as an acceptable first part.
    fn first_lemma(&self, part: &str) -> Option<FirstLemma> {
        if let Some(bound) = BOUND_FIRST.iter().find(|b| **b == part) {
            return Some(FirstLemma {
                lemma: bound,
                links_with_s: self
                    .words
                    .entry(bound)
                    .is_some_and(|e| e.flags & LINKS_WITH_S != 0),
            });
        }
        // The table first: its filter turns away most stretches before any list is read.
        let (lemma, entry) = self.words.get(part)?;
        if BLOCKED_FIRST.contains(&part) || entry.flags & (NOUN | ADJ | VERB) == 0 {
            return None;
        }
        let len = part.chars().count();
        let ok = if len <= SHORT_PART_CHARS {
            SHORT_FIRST.contains(&part)
        } else if len <= PRODUCTIVE_PART_CHARS {
            entry.flags & PRODUCTIVE_FIRST != 0
        } else {
            true
        };
        ok.then_some(FirstLemma {
            lemma,
            links_with_s: entry.flags & LINKS_WITH_S != 0,
        })
    }

    /// Whether `lemma` may be the lemma of a last part.
    fn last_lemma_ok(&self, lemma: &str, entry: Entry) -> bool {
        if BLOCKED_LAST.contains(&lemma) {
            return false;
        }
        let len = lemma.chars().count();
        if len <= SHORT_PART_CHARS {
            SHORT_LAST.contains(&lemma)
        } else if len <= PRODUCTIVE_PART_CHARS {
            entry.flags & PRODUCTIVE_LAST != 0
        } else {
            true
        }
    }

    /// Whether the word from byte `at` on is an acceptable last part after `word[..at]`.
    fn head_ok(&self, word: &str, at: usize, whole_lemmas: &[&'static str], buf: &mut String) -> bool {
        let (prefix, last) = word.split_at(at);
        self.last_lemmas(last).into_iter().any(|lemma| {
            let Some(entry) = self.words.entry(lemma) else {
                return false;
            };
            if !self.last_lemma_ok(lemma, entry) {
                return false;
            }
            buf.clear();
            buf.push_str(prefix);
            buf.push_str(lemma);
            // A known form must split like its lemma (not modell + lene for modellene).
            if !whole_lemmas.is_empty() && !whole_lemmas.contains(&buf.as_str()) {
                return false;
            }
            // A derivation of a verb splits only where its last part is one too.
            for suffix in DEVERBAL_SUFFIXES {
                if let Some(base) = buf.strip_suffix(suffix) {
                    if self.is_verb_base(base) {
                        return lemma
                            .strip_suffix(suffix)
                            .is_some_and(|b| b.chars().count() >= 2 && self.is_verb_base(b));
                    }
                }
            }
            true
        })
    }

    /// Whether `base` (+ infinitive `e`) is a verb lemma.
    fn is_verb_base(&self, base: &str) -> bool {
        let is_verb = |w: &str| self.words.entry(w).is_some_and(|e| e.flags & VERB != 0);
        is_verb(base) || is_verb(&[base, "e"].concat())
    }

    /// The noun and adjective lemmas of which `form` is a form: those the forms index
    /// lists for it whose rule makes `form` of them.
    fn last_lemmas(&self, form: &str) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for (lemma, code) in self.words.form_lemmas(form) {
            let (cut, ending) = match regular_ending(code) {
                Some(ending) => ("", ending),
                None => self.rules.get(usize::from(code)).copied().unwrap_or_default(),
            };
            let makes = form
                .strip_suffix(ending)
                .is_some_and(|base| lemma.strip_suffix(cut) == Some(base));
            if makes && !out.contains(&lemma) {
                out.push(lemma);
            }
        }
        out
    }

    /// Whether `word` is a known word of any kind (a whole word, not a compound candidate).
    fn is_known(&self, word: &str, lemmas: &[&'static str], buf: &mut String) -> bool {
        if !lemmas.is_empty() || self.words.entry(word).is_some() {
            return true;
        }
        VERB_ENDINGS.iter().any(|ending| {
            word.strip_suffix(ending).is_some_and(|stem| {
                buf.clear();
                buf.push_str(stem);
                self.is_verb_base(buf)
            })
        })
    }
}

/// How good an analysis is; see `better_than`.
#[derive(Clone, Copy)]
struct Score {
    parts: usize,
    missing_s: usize,
    shortest: usize,
    links: usize,
}

impl Score {
    /// Fewer parts, then fewer first parts without their usual linking s, then a longer
    /// shortest part, then fewer linking letters.
    fn better_than(&self, other: &Score) -> bool {
        (self.parts, self.missing_s, other.shortest, self.links)
            < (other.parts, other.missing_s, self.shortest, other.links)
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'æ' | 'ø' | 'å' | 'é')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::lexicon::{parse_line, Line, ADJ_ENDINGS, NOUN_ENDINGS};

    const EVAL: &str = include_str!("../../tests/data/compounds.tsv");

    fn split(word: &str) -> Option<Vec<String>> {
        CompoundSplitter::bundled().split(word)
    }

    fn parts(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn eval_set_precision_and_recall() {
        let (mut tp, mut split_count, mut compounds, mut words) = (0, 0, 0, 0);
        let mut misses = Vec::new();
        for line in EVAL.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let (word, expected) = line.split_once('\t').unwrap_or((line, ""));
            let expected: Vec<&str> = expected.split_whitespace().collect();
            let got = split(word);
            words += 1;
            if !expected.is_empty() {
                compounds += 1;
            }
            if got.is_some() {
                split_count += 1;
            }
            let right = match &got {
                Some(p) => *p == expected,
                None => expected.is_empty(),
            };
            if got.is_some() && right {
                tp += 1;
            }
            if !right {
                misses.push(format!("{word}: expected {expected:?}, got {got:?}"));
            }
        }
        let precision = tp as f64 / split_count.max(1) as f64;
        let recall = tp as f64 / compounds.max(1) as f64;
        println!("{words} words, {compounds} compounds: precision {precision:.3}, recall {recall:.3}");
        for miss in &misses {
            println!("  {miss}");
        }
        assert!(words >= 300, "eval set has {words} words");
        assert!(precision >= 0.95, "precision {precision:.3}");
        assert!(recall >= 0.90, "recall {recall:.3}");
    }

    #[test]
    fn the_compiled_table_holds_every_lemma_of_the_word_list() {
        const TEXT: &str = include_str!("../../lexicon/compound_words.txt");
        assert!(
            super::super::lexicon::build_table(TEXT) == (WORDS.to_vec(), WORD_BLOB.to_string()),
            "the table is up to date"
        );
        let table = &CompoundSplitter::bundled().words;
        let mut lemmas = 0;
        for line in TEXT.lines() {
            if let Line::Word(lemma, entry) = parse_line(line) {
                lemmas += 1;
                assert_eq!(table.get(lemma), Some((lemma, entry)), "{lemma}");
            }
        }
        assert!(lemmas > 100_000, "{lemmas}");
        for missing in ["", "kommunex", "xyzzy", "æøåæøå", &"a".repeat(300)] {
            assert_eq!(table.get(missing), None, "{missing}");
        }
    }

    /// The lemmas of `form` found by trying every inflection rule whose ending it has and
    /// every regular ending (what the forms index answers in one probe).
    fn lemmas_by_rules(splitter: &CompoundSplitter, form: &str) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        let mut push = |lemma: &'static str| {
            if !out.contains(&lemma) {
                out.push(lemma);
            }
        };
        for (number, &(cut, ending)) in splitter.rules.iter().enumerate() {
            let Some(stem) = form.strip_suffix(ending) else {
                continue;
            };
            let Some((lemma, entry)) = splitter.words.get(&[stem, cut].concat()) else {
                continue;
            };
            let in_paradigm = entry
                .paradigm
                .and_then(|p| splitter.paradigms.get(p as usize))
                .is_some_and(|rules| rules.binary_search(&(number as u32)).is_ok());
            if in_paradigm {
                push(lemma);
            }
        }
        for (endings, flag) in [(NOUN_ENDINGS, NOUN), (ADJ_ENDINGS, ADJ)] {
            for ending in endings {
                if let Some((lemma, entry)) = form.strip_suffix(ending).and_then(|s| splitter.words.get(s)) {
                    if entry.flags & flag != 0 {
                        push(lemma);
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn the_forms_index_gives_the_lemmas_the_rules_give() {
        const TEXT: &str = include_str!("../../lexicon/compound_words.txt");
        let splitter = CompoundSplitter::bundled();
        let same = |form: &str| {
            let mut got = splitter.last_lemmas(form);
            got.sort_unstable();
            assert_eq!(got, lemmas_by_rules(splitter, form), "{form}");
            !got.is_empty()
        };
        let mut forms = 0;
        for line in TEXT.lines().step_by(7) {
            if let Line::Word(lemma, _) = parse_line(line) {
                for form in splitter.forms(lemma) {
                    forms += 1;
                    assert!(same(&form), "{lemma}: {form}");
                }
            }
        }
        assert!(forms > 50_000, "{forms}");
        // Every stretch of real words, forms and not, and strings that are none.
        let mut found = 0;
        for word in [
            "kommunestyremøtene",
            "lokalsamfunnsmodeller",
            "barnehageplassene",
            "innbyggjarane",
        ] {
            for (i, _) in word.char_indices() {
                for (j, _) in word[i..].char_indices().skip(1) {
                    found += usize::from(same(&word[i..i + j]));
                }
                found += usize::from(same(&word[i..]));
                same(&format!("{}q", &word[i..]));
            }
        }
        assert!(found > 20, "{found}");
        for odd in ["", "xqzv", "æøåq", "e\u{301}", &"a".repeat(300)] {
            assert!(!same(odd), "{odd}");
        }
    }

    #[test]
    fn named_traps_stay_whole() {
        for word in [
            "verden",
            "heller",
            "standard",
            "medvirkning",
            "spennende",
            "sentralitet",
            "kommunikasjon",
        ] {
            assert_eq!(split(word), None, "{word}");
        }
    }

    #[test]
    fn linking_letters_are_removed() {
        assert_eq!(
            split("lokalsamfunnsmodeller"),
            parts(&["lokalsamfunn", "modeller"])
        );
        assert_eq!(split("barnehage"), parts(&["barn", "hage"]));
        assert_eq!(split("kommunegrensene"), parts(&["kommune", "grensene"]));
    }

    #[test]
    fn compound_lemmas_still_split() {
        assert_eq!(split("lokalsamfunn"), parts(&["lokal", "samfunn"]));
    }

    #[test]
    fn triple_consonant_is_restored() {
        assert_eq!(split("fotballag"), parts(&["fotball", "lag"]));
        assert_eq!(split("fotballaget"), parts(&["fotball", "laget"]));
    }

    #[test]
    fn lemmas_of_regular_forms_but_not_suppletive_ones() {
        let s = CompoundSplitter::bundled();
        assert_eq!(s.lemma("innbyggerne"), Some("innbygger"));
        assert_eq!(s.lemma("kommunegrensene"), Some("kommunegrense"));
        assert_eq!(s.lemma("deltakerne"), Some("deltaker"));
        assert_eq!(s.lemma("bedre"), None);
        assert_eq!(s.lemma("xyzzy"), None);
    }

    #[test]
    fn odd_input_never_panics() {
        let long = "a".repeat(200);
        for word in [
            "",
            "a",
            "æ",
            "123",
            "kommune-grense",
            "Kommunegrense",
            "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
            "ååååååååå",
            "日本語の文章です",
            long.as_str(),
        ] {
            assert_eq!(split(word), None, "{word}");
        }
    }

    #[test]
    fn forms_of_a_lemma_and_of_an_unlisted_compound() {
        let s = CompoundSplitter::bundled();
        let forms = s.forms("grense");
        for f in ["grense", "grensen", "grenser", "grensene"] {
            assert!(forms.iter().any(|x| x == f), "{f} in {forms:?}");
        }
        assert!(s.forms("kommunegrense").iter().any(|x| x == "kommunegrensene"));
        assert!(s.forms("xqzv").is_empty());
    }
}
