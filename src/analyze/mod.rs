//! Stage 2, analyze: the one Norwegian analyzer that the index, the themes, the scope
//! tagger and the comparison all use, so that a word means the same thing everywhere.
//!
//! Text in, [`Token`]s out: NFC normalisation, a tokenizer that keeps æøå and splits on
//! everything that is not a letter or digit (so Mentimeter's `bra_start` and hyphenated
//! `tverr-kommunalt` become two words each; the joined `tverrkommunalt` is added as a part
//! so both spellings find it), lowercasing with `ä`/`ö` read as `æ`/`ø`, Bokmål and Nynorsk
//! stopwords (`stopwords/`; flagged, not dropped: the index keeps them for exact phrases,
//! themes and keyness skip them), Snowball Norwegian stems from `rust-stemmers` taken of the
//! word's lemma when the lexicon knows it (so `innbyggerne` meets `innbyggere`, which the
//! stemmer alone keeps apart), and compound parts from
//! a dictionary splitter ([`compound`]): `lokalsamfunnsmodeller` also yields `lokalsamfunn`,
//! `lokal`, `samfunn` and `modell`. The index puts the parts at the word's position (so
//! `modell` finds the compound while phrases still work) and the themes count them as
//! features; queries are not split. A [`Vocabulary`] gives every stem a display form: the
//! most frequent surface word behind it.

pub mod compound;
mod lexicon;
mod tokenizer;
mod vocabulary;
mod words;

pub use tokenizer::{
    index_tokens, part_tokens, to_tantivy, NorwegianTokenizer, VecTokenStream, TOKENIZER_NAME,
};
pub use vocabulary::Vocabulary;
pub use words::{Analysed, StemId, Token, WordCount, WordId, Words};

use compound::{CompoundSplitter, FastMap};
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// A hash set with the fast (non-cryptographic) hasher the lexicon uses.
pub(crate) type FastSet<T> = std::collections::HashSet<T, std::hash::BuildHasherDefault<lexicon::FxHasher>>;

static STOPWORDS_NB: &str = include_str!("../../stopwords/nb.txt");
static STOPWORDS_NN: &str = include_str!("../../stopwords/nn.txt");

/// What the analyzer makes of one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordInfo {
    /// The word as written, lowercased.
    pub word: String,
    /// Its Snowball Norwegian stem: the term that is indexed, clustered and compared.
    pub stem: String,
    /// Compound parts (down to two levels: `lokalsamfunn`, `lokal`, `samfunn`, `modell`),
    /// each different from the whole word's stem, and for the first word of a hyphenated
    /// pair the joined word; empty for simple words and stopwords.
    pub parts: Vec<Part>,
    /// A stopword: indexed, but not a theme or keyness feature.
    pub stop: bool,
}

/// A compound part → that part and its own parts, each with its term.
pub(crate) type PartMemo = FastMap<String, Vec<Part>>;

/// One part of a compound word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part as the splitter gives it (a lemma, or the inflected last part).
    pub word: String,
    pub stem: String,
}

/// The Norwegian analyzer. Cheap to clone (the stopword set is shared).
#[derive(Clone)]
pub struct Analyzer {
    stopwords: Arc<FastSet<String>>,
    /// Stopwords of four characters or more with their first character and length, for
    /// the misspelled-stopword test.
    long_stopwords: Arc<Vec<(char, usize, String)>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("stopwords", &self.stopwords.len())
            .finish()
    }
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Norwegian))
}

/// Words of a stopword file: one per line, `#` comments and blank lines skipped.
fn list_words(list: &str) -> impl Iterator<Item = &str> {
    list.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::norwegian()
    }
}

impl Analyzer {
    /// The analyzer with the bundled Bokmål and Nynorsk stopword lists.
    pub fn norwegian() -> Analyzer {
        let stopwords: FastSet<String> = list_words(STOPWORDS_NB)
            .chain(list_words(STOPWORDS_NN))
            .map(str::to_string)
            .collect();
        let mut long_stopwords: Vec<(char, usize, String)> = stopwords
            .iter()
            .filter_map(|s| Some((s.chars().next()?, s.chars().count(), s.clone())))
            .filter(|(_, n, _)| *n >= 4)
            .collect();
        long_stopwords.sort();
        Analyzer {
            stopwords: Arc::new(stopwords),
            long_stopwords: Arc::new(long_stopwords),
        }
    }

    /// True when `word` (lowercased) is a stopword.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// The Snowball Norwegian stem of a lowercased word (the stemming step alone).
    pub fn stem(&self, word: &str) -> String {
        stemmer().stem(word).into_owned()
    }

    /// The term a word is indexed and counted as: the stem of its lemma when the lexicon
    /// knows one (directly, or after reading a Nynorsk ending as its Bokmål counterpart:
    /// `innbyggjarane` as `innbyggerne`), else the stem of the word.
    pub fn term(&self, word: &str) -> String {
        self.term_given(word, CompoundSplitter::bundled().lemma(word))
    }

    /// [`Analyzer::term`], given the word's own lemma ([`CompoundSplitter::lemma`]).
    fn term_given(&self, word: &str, lemma: Option<&str>) -> String {
        if let Some(lemma) = lemma {
            return self.stem(lemma);
        }
        let lexicon = CompoundSplitter::bundled();
        if let Some(lemma) = nynorsk_as_bokmaal(word).and_then(|w| lexicon.lemma(&w)) {
            return self.stem(lemma);
        }
        self.stem(word)
    }

    /// What the analyzer makes of one word key ([`word_key`]): a lowercased word, an
    /// acronym as written, or the first word of a hyphenated pair joined to the second by
    /// `-` (the joined word becomes one of its parts, so `tverrkommunalt` finds
    /// `tverr-kommunalt` and `NAV-kontoret` is found as `navkontoret`).
    pub fn analyze_key(&self, key: &str) -> WordInfo {
        self.analyze_key_with(key, &mut PartMemo::default())
    }

    /// [`Analyzer::analyze_key`], remembering in `memo` what compound parts make of
    /// themselves (parts such as `kommune` or `skole` recur in thousands of compounds).
    pub(crate) fn analyze_key_with(&self, key: &str, memo: &mut PartMemo) -> WordInfo {
        let mut info = match key.split_once('-') {
            None => self.analyze_single(key, memo),
            Some((first, second)) => {
                let mut info = self.analyze_single(first, memo);
                let joined = format!("{}{}", info.word, second.to_lowercase());
                let stem = self.term(&joined);
                if info.stem != stem && !info.parts.iter().any(|p| p.stem == stem) {
                    info.parts.push(Part { word: joined, stem });
                }
                info
            }
        };
        // A run keeps hundreds of thousands of these: no spare room (a list of parts grown
        // by pushing has room for four, a stem from the stemmer may have more than its length).
        info.parts.shrink_to_fit();
        for part in &mut info.parts {
            part.stem.shrink_to_fit();
            part.word.shrink_to_fit();
        }
        info.stem.shrink_to_fit();
        info.word.shrink_to_fit();
        info
    }

    /// One word key without a hyphen: acronyms (`DN`, `FINA`, `NAV`) keep their letters as
    /// their term, so they are not stemmed into other words (`fin`, `d`); everything else
    /// goes through [`Analyzer::analyze_word`].
    fn analyze_single(&self, key: &str, memo: &mut PartMemo) -> WordInfo {
        if key.chars().any(char::is_uppercase) {
            let lower = key.to_lowercase();
            if self.is_stopword(&lower) {
                return self.analyze_word(&lower, memo);
            }
            return WordInfo {
                stem: lower.clone(),
                word: lower,
                parts: Vec::new(),
                stop: false,
            };
        }
        self.analyze_word(key, memo)
    }

    /// A word the lexicon does not know, of four letters or more, close to a stopword that
    /// starts with the same letter: within two edits when both have six letters or more
    /// (`howdan` for `hvordan`), else within one (`noem` for `noen`). A typo of a function
    /// word, so not a theme or keyness feature; it stays searchable. Two edits between
    /// short words would take names and other languages' words for typos (`norge` is two
    /// edits from `nokre`, `disney` from `disse`).
    fn is_misspelled_stopword(&self, word: &str, lexicon: &CompoundSplitter) -> bool {
        let Some(first) = word.chars().next() else {
            return false;
        };
        let len = word.chars().count();
        if len < 4 || !word.chars().all(char::is_alphabetic) {
            return false;
        }
        // Cheapest tests first: the stopwords with the same first letter (the list is
        // sorted), then the length window, then the edits.
        let from = self.long_stopwords.partition_point(|(c, ..)| *c < first);
        let near = self.long_stopwords[from..]
            .iter()
            .take_while(|(c, ..)| *c == first)
            .any(|(_, n, s)| {
                let most = if len.min(*n) >= 6 { 2 } else { 1 };
                n.abs_diff(len) <= most && edit_distance_within(s, word, most) <= most
            });
        near && !lexicon.knows(word) && lexicon.split(word).is_none()
    }

    /// Stopword flag, stem and compound parts of one lowercased word (uncached).
    fn analyze_word(&self, word: &str, memo: &mut PartMemo) -> WordInfo {
        if self.is_stopword(word) {
            return WordInfo {
                word: word.into(),
                stem: self.stem(word),
                parts: Vec::new(),
                stop: true,
            };
        }
        let splitter = CompoundSplitter::bundled();
        if self.is_misspelled_stopword(word, splitter) {
            return WordInfo {
                word: word.into(),
                stem: self.stem(word),
                parts: Vec::new(),
                stop: true,
            };
        }
        // The word's lemmas serve both its term and its split.
        let lemmas = splitter.lemmas(word);
        let stem = self.term_given(word, CompoundSplitter::only_lemma(word, &lemmas));
        let mut parts: Vec<Part> = Vec::new();
        // (`lemmas` skips words over 60 bytes, which the split still reads.)
        let known = (word.len() <= 60).then_some(lemmas.as_slice());
        for part in splitter.split_given(word, known).unwrap_or_default() {
            let analysed = memo.entry(part).or_insert_with_key(|part| {
                let sub = splitter.split(part).unwrap_or_default();
                std::iter::once(part.clone())
                    .chain(sub)
                    .map(|p| Part {
                        stem: self.term(&p),
                        word: p,
                    })
                    .collect()
            });
            for p in analysed.iter() {
                if p.stem != stem && !parts.iter().any(|q| q.stem == p.stem) {
                    parts.push(p.clone());
                }
            }
        }
        WordInfo {
            word: word.into(),
            stem,
            parts,
            stop: false,
        }
    }
}

/// Nynorsk endings with a regular Bokmål counterpart: agent nouns in `-jar`
/// (`innbyggjar`, `-ane`) and adjectives in `-leg` (`naturleg`, `-lege`). The result is only
/// used when the Bokmål lexicon knows it.
const NYNORSK_ENDINGS: [(&str, &str); 7] = [
    ("jarane", "erne"),
    ("jarar", "ere"),
    ("jaren", "eren"),
    ("jar", "er"),
    ("lege", "lige"),
    ("legt", "lig"),
    ("leg", "lig"),
];

fn nynorsk_as_bokmaal(word: &str) -> Option<String> {
    NYNORSK_ENDINGS.iter().find_map(|(nn, nb)| {
        word.strip_suffix(nn)
            .filter(|s| s.chars().count() >= 3)
            .map(|s| format!("{s}{nb}"))
    })
}

/// True when a word is written as an acronym: two to five characters, at least two of
/// them capital letters and none lowercase (`KS`, `DN`, `FINA`, `NAV`, `H2O`).
fn is_acronym(raw: &str) -> bool {
    // Most words start with a lowercase letter: no need to count their chars.
    if raw.starts_with(|c: char| c.is_ascii_lowercase()) {
        return false;
    }
    let n = raw.chars().count();
    (2..=5).contains(&n)
        && raw.chars().filter(|c| c.is_uppercase()).count() >= 2
        && !raw.chars().any(char::is_lowercase)
}

/// True when a word of more than one character is written in capitals.
fn is_upper(raw: &str) -> bool {
    raw.chars().nth(1).is_some() && !raw.chars().any(char::is_lowercase)
}

/// The key under which a word is analysed and counted: acronyms as written, every other
/// word lowercased.
fn word_key(raw: &str, out: &mut String) {
    if is_acronym(raw) {
        out.clear();
        out.push_str(raw);
        // ä/ö typed for æ/ø, as in lowercasing.
        if raw.contains(['Ä', 'Ö']) {
            *out = out.replace('Ä', "Æ").replace('Ö', "Ø");
        }
    } else {
        lowercase_into(raw, out);
    }
}

/// Lowercases a word into `out`, reading `ä`/`ö` (Swedish/German keyboards) as `æ`/`ø`.
fn lowercase_into(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        out.push_str(raw);
        out.make_ascii_lowercase();
        return;
    }
    for c in raw.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'ä' | 'Ä' => out.push('æ'),
            'ö' | 'Ö' => out.push('ø'),
            'æ' | 'ø' | 'å' => out.push(c),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Levenshtein distance between two words, by chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX)
}

/// [`edit_distance`] when it is at most `most`; otherwise some number above `most`.
fn edit_distance_within(a: &str, b: &str, most: usize) -> usize {
    // Words are short: their chars and the row stay on the stack.
    const SHORT: usize = 32;
    let n = b.chars().count();
    if n < SHORT {
        let mut chars = ['\0'; SHORT];
        for (slot, c) in chars.iter_mut().zip(b.chars()) {
            *slot = c;
        }
        levenshtein(a, &chars[..n], &mut [0; SHORT + 1][..=n], most)
    } else {
        let chars: Vec<char> = b.chars().collect();
        levenshtein(a, &chars, &mut vec![0; n + 1], most)
    }
}

/// [`edit_distance_within`] of `a` and the chars `b`, in `row` (one longer than `b`). A
/// row's smallest cell never exceeds the next row's, so the count stops at the first row
/// whose every cell is above `most`.
fn levenshtein(a: &str, b: &[char], row: &mut [usize], most: usize) -> usize {
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        let mut least = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            least = least.min(row[j + 1]);
            prev = cur;
        }
        if least > most {
            return least;
        }
    }
    row[b.len()]
}

/// True when `text` is already in Unicode NFC form (all corpus text is). Text without a
/// char from U+0300 on (no UTF-8 byte from `0xCC`) is: every char below it is a starter
/// that NFC keeps, which spares the char-by-char check for nearly every response.
fn is_nfc(text: &str) -> bool {
    let highest = text.bytes().fold(0, u8::max);
    highest < 0xCC || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Whether `surface` lowercased char by char (as the analyzer and the keyword fields
/// lowercase) is `word`, without making the lowercased string: the same bytes (most words
/// are written in lowercase), ASCII letters that differ only in case, or else the full
/// Unicode rule.
pub(crate) fn lowercases_to(surface: &str, word: &str) -> bool {
    if surface == word {
        return true;
    }
    if surface.is_ascii() {
        return surface.len() == word.len()
            && surface
                .bytes()
                .zip(word.bytes())
                .all(|(s, w)| s.to_ascii_lowercase() == w);
    }
    surface.chars().flat_map(char::to_lowercase).eq(word.chars())
}

/// Unicode NFC form of `text`.
pub fn nfc(text: &str) -> String {
    if is_nfc(text) {
        text.to_string()
    } else {
        text.nfc().collect()
    }
}

/// The words of `text` with their byte offsets: maximal runs of letters, digits and
/// combining marks. Everything else (space, punctuation, `_`, `-`, `/`) separates words.
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || next_word(text, &mut at).map(|r| (r.start, &text[r])))
}

/// The byte range of each word of `text`, in order: the `i`-th is where the text's `i`-th
/// [`Token`] stands. Tokens do not store it (a million texts hold twenty million tokens);
/// it is found again by splitting the text, which costs far less than analysing it. A
/// text that is not NFC is normalised first, as for analysis, and the ranges refer to its
/// NFC form.
pub fn word_offsets(text: &str) -> WordOffsets<'_> {
    let text = if is_nfc(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    WordOffsets { text, at: 0 }
}

/// The iterator of [`word_offsets`].
#[derive(Debug, Clone)]
pub struct WordOffsets<'a> {
    text: Cow<'a, str>,
    at: usize,
}

impl Iterator for WordOffsets<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        next_word(&self.text, &mut self.at)
    }
}

/// The byte range of the first word of `text` at or after byte `at`, which moves past it.
#[inline]
fn next_word(text: &str, at: &mut usize) -> Option<Range<usize>> {
    let start = loop {
        let (word, len) = word_char_at(text, *at)?;
        *at += len;
        if word {
            break *at - len;
        }
    };
    while let Some((true, len)) = word_char_at(text, *at) {
        *at += len;
    }
    Some(start..*at)
}

/// Whether the char at byte `at` of `text` belongs to a word, and its length in bytes;
/// `None` at the end. ASCII, most of any text, is read without decoding.
#[inline]
fn word_char_at(text: &str, at: usize) -> Option<(bool, usize)> {
    let byte = *text.as_bytes().get(at)?;
    if byte.is_ascii() {
        return Some((byte.is_ascii_alphanumeric(), 1));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((is_word_char(c), c.len_utf8()))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{300}'..='\u{36f}')
}

/// True when a word is worth using as a theme or keyness feature: not a stopword, with a
/// letter and at least two characters (drops `2`, `800`, stray letters).
pub fn is_feature(word: &WordInfo) -> bool {
    !word.stop && word.word.chars().count() >= 2 && word.word.chars().any(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surface_lowercases_to_its_word_by_the_unicode_rule() {
        for (surface, word) in [
            ("kommune", "kommune"),
            ("Bergen", "bergen"),
            ("ÆRLIG", "ærlig"),
            ("Ørsta", "ørsta"),
        ] {
            assert!(lowercases_to(surface, word), "{surface}");
        }
        for (surface, word) in [
            ("Bergen", "berge"),
            ("Bergen", "bergen "),
            ("Ørsta", "orsta"),
            ("Ab", "aB"),
        ] {
            assert!(!lowercases_to(surface, word), "{surface} {word}");
        }
    }

    /// What the analyzer made of each word of `text`, in order.
    fn infos(text: &str) -> Vec<WordInfo> {
        let a = Analyzer::norwegian().analyze(text);
        a.tokens[0].iter().map(|t| a.words.info(t).clone()).collect()
    }

    fn stems(text: &str) -> Vec<String> {
        infos(text)
            .into_iter()
            .filter(|t| !t.stop)
            .map(|t| t.stem)
            .collect()
    }

    #[test]
    fn inflections_share_a_stem() {
        let a = Analyzer::norwegian();
        assert_eq!(a.stem("kommune"), a.stem("kommunene"));
        assert_eq!(a.stem("kommune"), a.stem("kommuner"));
        assert_eq!(a.stem("metode"), a.stem("metodene"));
        assert_eq!(a.stem("spennende"), "spenn");
    }

    #[test]
    fn splits_underscores_hyphens_and_punctuation_keeps_aeoeaa() {
        let words: Vec<&str> = words("bra_start tverr-kommunalt (FKJ), Østlandet? 2b")
            .map(|w| w.1)
            .collect();
        assert_eq!(
            words,
            ["bra", "start", "tverr", "kommunalt", "FKJ", "Østlandet", "2b"]
        );
    }

    #[test]
    fn words_are_the_runs_of_word_chars() {
        let text = "«Sånn» e\u{301}n-to_tre 日本語, ½ ٣x a\u{30a}\u{30a} — 🙂Ärlig\u{a0}2B.";
        let mut runs: Vec<(usize, &str)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push((s, &text[s..i]));
                    start = None;
                }
                _ => {}
            }
        }
        assert_eq!(words(text).collect::<Vec<_>>(), runs);
        assert_eq!(runs.len(), 10, "{runs:?}");
    }

    #[test]
    fn flags_bokmaal_and_nynorsk_stopwords_and_keeps_positions() {
        let a = Analyzer::norwegian().analyze("Har dere tenkt på de stille stemmene");
        let content: Vec<(&str, usize)> = a.tokens[0]
            .iter()
            .enumerate()
            .filter(|(_, t)| !a.words.info(t).stop)
            .map(|(position, t)| (a.words.info(t).word.as_str(), position))
            .collect();
        assert_eq!(content, [("tenkt", 2), ("stille", 5), ("stemmene", 6)]);
        assert_eq!(a.tokens[0].len(), 7);
        assert!(stems("eg ikkje korleis").is_empty());
    }

    #[test]
    fn lemmas_join_what_the_stemmer_keeps_apart() {
        let s = stems("innbyggerne innbyggere innbygger deltakerne deltaker");
        assert!(s[0] == s[1] && s[1] == s[2] && s[3] == s[4], "{s:?}");
        assert_ne!(
            Analyzer::norwegian().stem("innbyggerne"),
            Analyzer::norwegian().stem("innbygger")
        );
    }

    #[test]
    fn nynorsk_forms_meet_their_bokmaal_counterparts() {
        let s = stems("kommunane kommunene innbyggjarane innbyggerne naturlege naturlige");
        assert_eq!(s[0], s[1]);
        assert_eq!(s[2], s[3]);
        assert_eq!(s[4], s[5]);
        let stop: Vec<bool> = infos("ikkje kva eg").iter().map(|t| t.stop).collect();
        assert_eq!(stop, [true, true, true]);
    }

    #[test]
    fn reads_ae_oe_typed_as_a_umlaut_o_umlaut() {
        assert_eq!(stems("Tröndelag mälgrupper"), stems("trøndelag mælgrupper"));
    }

    #[test]
    fn hyphenated_words_are_also_found_joined() {
        let a = Analyzer::norwegian();
        let tokens = infos("tverr-kommunalt samarbeid og e-post");
        assert!(tokens[0].parts.iter().any(|p| p.stem == a.term("tverrkommunalt")));
        let e = tokens.iter().find(|t| t.word == "e").expect("e");
        assert!(e.parts.iter().any(|p| p.word == "epost"));
        // The same first word without a hyphen has no joined part.
        assert!(infos("tverr")[0].parts.is_empty());
    }

    #[test]
    fn abbreviations_and_codes_leave_no_junk_features() {
        let tokens = infos("f.eks. bl.a. trinn 2b og 2B, osv.");
        let features: Vec<&str> = tokens
            .iter()
            .filter(|t| is_feature(t))
            .map(|t| t.word.as_str())
            .collect();
        assert_eq!(features, ["trinn", "2b", "2b"]);
    }

    #[test]
    fn offsets_point_at_the_surface_word() {
        let text = "Hvordan sikrer vi mangfold";
        let a = Analyzer::norwegian().analyze(text);
        let offsets: Vec<Range<usize>> = word_offsets(text).collect();
        assert_eq!(offsets.len(), a.tokens[0].len());
        assert_eq!(&text[offsets[1].clone()], "sikrer");
    }

    #[test]
    fn normalizes_decomposed_input_to_nfc() {
        let decomposed = "sa\u{30a}nn ma\u{30a}lgruppe";
        assert_eq!(stems(decomposed), stems("sånn målgruppe"));
    }

    #[test]
    fn stems_match_the_official_snowball_norwegian_vectors() {
        const VECTORS: &str = include_str!("../../tests/data/snowball_norwegian.tsv");
        let a = Analyzer::norwegian();
        let mut total = 0;
        let wrong: Vec<&str> = VECTORS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .inspect(|_| total += 1)
            .filter(|(word, stem)| a.stem(word) != *stem)
            .map(|(word, _)| word)
            .collect();
        assert_eq!(total, 20_628);
        assert!(
            wrong.is_empty(),
            "{} of {total} differ, e.g. {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(10)]
        );
    }

    #[test]
    fn text_without_chars_from_u0300_is_nfc() {
        let below: String = ('\0'..'\u{300}').collect();
        assert_eq!(is_nfc_quick(below.chars()), IsNormalized::Yes);
        assert!(is_nfc(&below) && is_nfc("sånn målgruppe"));
        assert!(!is_nfc("sa\u{30a}nn"));
        assert_eq!(nfc("sa\u{30a}nn"), "sånn");
    }

    #[test]
    fn edit_distance_counts_insertions_and_substitutions() {
        assert_eq!(edit_distance("howdan", "hvordan"), 2);
        assert_eq!(edit_distance("kommune", "kommune"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("æøå", "aøå"), 1);
        let long = "a".repeat(40);
        assert_eq!(edit_distance(&long, &format!("{long}bc")), 2);
        assert_eq!(edit_distance(&format!("b{long}"), &long), 1);
        // Bounded: exact up to the bound, above it past the bound.
        assert_eq!(edit_distance_within("howdan", "hvordan", 2), 2);
        assert!(edit_distance_within("kommunen", "kanskje", 2) > 2);
        assert_eq!(
            edit_distance_within("kommunen", "kanskje", 9),
            edit_distance("kommunen", "kanskje")
        );
    }

    #[test]
    fn misspelled_function_words_are_not_features() {
        let a = Analyzer::norwegian();
        let tokens = infos("Howdan kan kommunen hjelpe");
        assert!(tokens[0].stop, "howdan reads as hvordan");
        assert!(!tokens[2].stop && !tokens[3].stop);
        assert!(infos("noen")[0].stop && infos("nokon")[0].stop);
        assert!(infos("noem")[0].stop, "noem reads as noen");
        // Known words and names that are not near a stopword stay content words, and so do
        // short words two edits from one (`norge`/`nokre`, `spel`/`selv`, `disney`/`disse`).
        assert!(!infos("Hamar")[0].stop);
        for word in ["norge", "spel", "spela", "south", "saint", "disney", "dirty"] {
            assert!(!infos(word)[0].stop, "{word}");
        }
        assert!(!a.analyze_key("hjelpe").stop);
    }

    #[test]
    fn compounds_carry_their_parts() {
        let tokens = infos("lokalsamfunnsmodeller kommunegrensene spennende");
        let parts: Vec<&str> = tokens[0].parts.iter().map(|p| p.stem.as_str()).collect();
        assert_eq!(parts, ["lokalsamfunn", "lokal", "samfunn", "modell"]);
        assert!(tokens[1]
            .parts
            .iter()
            .any(|p| p.stem == Analyzer::norwegian().stem("grense")));
        assert!(tokens[2].parts.is_empty());
    }

    #[test]
    fn never_panics_on_odd_input() {
        let a = Analyzer::norwegian();
        for text in [
            "",
            " ",
            "___",
            "\u{0}\u{30a}",
            "🙂🙂",
            "a\u{30a}\u{30a}\u{30a}",
            "ÆØÅ-æøå_123",
        ] {
            let _ = a.analyze(text);
        }
    }

    #[test]
    fn acronyms_keep_their_letters() {
        let t = infos("DN og FINA mener NAV-kontoret og KS");
        let stems: Vec<&str> = t.iter().map(|w| w.stem.as_str()).collect();
        assert_eq!(stems[0], "dn");
        assert_eq!(stems[2], "fina");
        assert_eq!(stems[4], "nav");
        assert!(t[4].parts.iter().any(|p| p.word == "navkontoret"));
        assert_eq!(stems[7], "ks");
        // Shouted function words stay stopwords; lowercase words are stemmed as before.
        assert!(infos("OG")[0].stop);
        assert_eq!(infos("fina")[0].stem, Analyzer::norwegian().term("fina"));
    }

    #[test]
    fn word_ids_follow_first_occurrence_whatever_the_chunking() {
        let a = Analyzer::norwegian();
        let texts: Vec<String> = (0..20_000)
            .map(|i| format!("ord{} kommune ord{}", i % 977, i % 13))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let all = a.analyze_all(&refs, &|_| {});
        assert_eq!(all.words[0].word, "ord0");
        assert_eq!(all.words[1].word, "kommune");
        let kommune = all.words.count(1);
        assert_eq!(kommune.count, 20_000);
        // Ids number the words in order of first occurrence over all texts.
        let mut seen = FastSet::default();
        let first: Vec<&str> = refs
            .iter()
            .flat_map(|t| t.split(' '))
            .filter(|w| seen.insert(*w))
            .collect();
        let ids: Vec<&str> = all.words.iter().map(|(_, w)| w.word.as_str()).collect();
        assert_eq!(ids, first);
        // Every text's tokens point at its own words.
        for (text, doc) in refs.iter().zip(&all.tokens).take(3000) {
            let back: Vec<&str> = word_offsets(text).map(|r| &text[r]).collect();
            assert_eq!(back.len(), doc.len());
            let words: Vec<&str> = doc.iter().map(|t| all.words.info(t).word.as_str()).collect();
            assert_eq!(back, words);
        }
    }
}
