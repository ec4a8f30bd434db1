//! Stage: scope. Each response is tagged local / national / both / unspecified, either
//! from a metadata column the analyst names (`--scope-column`) or from the analysed words:
//! a marker lexicon matched on stems and compound parts (`lexicon/scope_markers.txt`, so
//! one entry covers every inflection and compound), a gazetteer of Norwegian places
//! (`lexicon/places_no.txt`), and a few sense rules (fixed expressions, another country's
//! state, negation set against the other level). Every tag keeps its evidence, the words
//! and the rule that decided, so a reader can check it. Accuracy on real text is measured
//! by `tests/it/scope_eval.rs` against `tests/data/scope/`.

mod lexicon;

use crate::analyze::{lowercases_to, Analyzer, Part, Token, WordInfo, Words};
use crate::error::{Error, Result};
use crate::model::Response;
use lexicon::{How, Level, Lexicon};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

static MARKERS: &str = include_str!("../lexicon/scope_markers.txt");
static PLACES: &str = include_str!("../lexicon/places_no.txt");

/// The level a response speaks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Local,
    National,
    Both,
    Unspecified,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Local, Scope::National, Scope::Both, Scope::Unspecified];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Local => "local",
            Scope::National => "national",
            Scope::Both => "both",
            Scope::Unspecified => "unspecified",
        }
    }

    /// Reads a `--scope-column` value strictly: English or Norwegian (Bokmål and Nynorsk)
    /// names of the levels, any case and spacing. Anything else (`regional`, a single
    /// letter) is `None`: the caller reports it rather than guessing.
    pub fn parse(value: &str) -> Option<Scope> {
        let value = value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let value = value.trim_end_matches('.');
        let scope = match value {
            "local" | "municipal" | "municipality" | "lokal" | "lokalt" | "lokale" | "lokalnivå"
            | "lokalt nivå" | "kommune" | "kommunen" | "kommunal" | "kommunalt" | "kommunale"
            | "kommunenivå" | "kommunalt nivå" => Scope::Local,
            "national" | "state" | "nasjonal" | "nasjonalt" | "nasjonale" | "nasjonalnivå"
            | "nasjonalt nivå" | "stat" | "staten" | "statlig" | "statlige" | "statleg" | "statlege"
            | "statlig nivå" | "statleg nivå" => Scope::National,
            "both"
            | "local and national"
            | "begge"
            | "begge deler"
            | "begge nivå"
            | "begge nivåer"
            | "begge nivåa"
            | "både og"
            | "lokalt og nasjonalt"
            | "lokal og nasjonal"
            | "kommune og stat" => Scope::Both,
            "unspecified" | "neither" | "none" | "uspesifisert" | "ukjent" | "ingen" | "ingen av delene"
            | "ikke oppgitt" | "ikkje oppgitt" => Scope::Unspecified,
            _ => return None,
        };
        Some(scope)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What decided a response's scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeBasis {
    /// The `--scope-column` value (an unknown value gives `unspecified`).
    Column,
    /// The marker lexicon (no column, or an empty cell).
    #[default]
    Lexicon,
}

/// A response's scope with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeTag {
    pub scope: Scope,
    /// The words that decided and the rule that used them (`kommunen: local (kommune)`,
    /// `Bergen: local (place)`, `stedet: ignored (i stedet)`), in text order, or
    /// `column <name>=<value>` when a column decided.
    pub evidence: Box<[String]>,
    #[serde(default)]
    pub basis: ScopeBasis,
}

/// Prepositions that make an ambiguous place name (Os, Vik, Time) a place: `i Os`.
const PLACE_PREPOSITIONS: [&str; 13] = [
    "i", "på", "fra", "frå", "til", "ved", "rundt", "utenfor", "utanfor", "nær", "mot", "mellom", "over",
];
/// Words after a name that make it a place: `Os kommune`.
const PLACE_HEADS: [&str; 8] = [
    "kommune",
    "kommunes",
    "kommunestyre",
    "fylke",
    "fylkeskommune",
    "sentrum",
    "by",
    "bydel",
];
/// Negations that, set against the other level with `men`, cancel a marker.
const NEGATIONS: [&str; 5] = ["ikke", "ikkje", "verken", "aldri", "ingen"];

/// The scope tagger: the marker lexicon, the gazetteer, and an optional overriding column.
/// Cheap to clone (the lexicon is shared).
#[derive(Debug, Clone)]
pub struct ScopeTagger {
    lexicon: Arc<Lexicon>,
    analyzer: Analyzer,
    column: Option<String>,
}

/// One analysed word as the rules see it. Built in one place ([`view`]) from the tokens
/// and the run's word table; what only a few rules ask (how the word is written, whether
/// it starts a sentence) is read from the text when asked.
struct View<'a> {
    /// The response's text, and where the word is in it.
    text: &'a str,
    at: (usize, usize),
    /// Lowercased.
    word: &'a str,
    stem: &'a str,
    /// The compound parts.
    parts: &'a [Part],
    /// The place a compound or adjective starts with (`Osloregionen`, `vestlandsk`).
    place_prefix: Option<usize>,
    /// Marker entries that may match from this word on.
    candidates: &'a [u32],
    /// Whether a place name may start at the word ([`ScopeTagger::may_start_place`]).
    place_start: bool,
}

impl<'a> View<'a> {
    /// As written: the word's bytes in the text, or the lowercased word when they do not
    /// lowercase to it.
    fn surface(&self) -> &'a str {
        self.text
            .get(self.at.0..self.at.1)
            .filter(|s| lowercases_to(s, self.word))
            .unwrap_or(self.word)
    }

    fn capital(&self) -> bool {
        self.surface().chars().next().is_some_and(char::is_uppercase)
    }

    /// First word of a sentence (nothing but space or quotes after `.`, `!`, `?`, `:`).
    fn sentence_start(&self) -> bool {
        self.text.get(..self.at.0).is_none_or(|before| {
            before
                .trim_end_matches(|c: char| c.is_whitespace() || "«»\"'-–(".contains(c))
                .chars()
                .next_back()
                .is_none_or(|c| ".!?:".contains(c))
        })
    }
}

/// The run's words with what the scope lexicon makes of each ([`ScopeTagger::words`]).
pub struct ScopeWords<'w> {
    words: &'w Words,
    /// Per word id.
    scopes: Vec<WordScope>,
}

/// What the scope lexicon makes of one distinct word.
struct WordScope {
    /// Whether a marker or place match can start at the word.
    starts: bool,
    /// [`View::place_prefix`].
    place_prefix: Option<usize>,
    /// [`View::candidates`].
    candidates: Box<[u32]>,
    /// [`View::place_start`].
    place_start: bool,
}

/// The word without a genitive `-s` (`Bergens` → `Bergen`), if at least three letters remain.
fn genitive(word: &str) -> Option<&str> {
    word.strip_suffix('s').filter(|s| s.chars().count() >= 3)
}

fn view<'a>(text: &'a str, tokens: &[Token], words: &'a ScopeWords) -> Vec<View<'a>> {
    tokens
        .iter()
        .zip(crate::analyze::word_offsets(text))
        .map(|(t, offset)| {
            let info = words.words.info(t);
            let scope = &words.scopes[t.word as usize];
            View {
                text,
                at: (offset.start, offset.end),
                word: &info.word,
                stem: &info.stem,
                parts: &info.parts,
                place_prefix: scope.place_prefix,
                candidates: &scope.candidates,
                place_start: scope.place_start,
            }
        })
        .collect()
}

/// A matched span of words.
struct Hit {
    start: usize,
    end: usize,
    level: Level,
    rule: String,
    /// Why it does not count, when it does not.
    ignored: Option<String>,
}

impl Hit {
    fn counts(&self, level: Level) -> bool {
        self.ignored.is_none() && self.level == level
    }
}

impl ScopeTagger {
    /// The tagger with the bundled marker lexicon and gazetteer.
    pub fn bundled(column: Option<String>) -> ScopeTagger {
        // The bundled lists are part of the program; a unit test parses them.
        ScopeTagger::new(column, None).expect("the bundled scope lexicon parses")
    }

    /// The tagger with the bundled lists and, when given, an analyst's lexicon file in the
    /// format of `lexicon/scope_markers.txt`, read after them.
    pub fn new(column: Option<String>, extra: Option<&Path>) -> Result<ScopeTagger> {
        let analyzer = Analyzer::norwegian();
        let mut lexicon = Lexicon::default();
        lexicon.add_markers(MARKERS, Path::new("lexicon/scope_markers.txt"), &analyzer)?;
        lexicon.add_places(PLACES, Path::new("lexicon/places_no.txt"), &analyzer)?;
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            lexicon.add_markers(&text, path, &analyzer)?;
        }
        Ok(ScopeTagger {
            lexicon: Arc::new(lexicon),
            analyzer,
            column,
        })
    }

    /// The metadata column that overrides the lexicon, if any.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// True when a stem (as the analyzer gives it) is a scope marker or a place name, so
    /// theme and keyness features can leave it out: otherwise themes × scope would be
    /// associated by construction.
    pub fn is_marker_stem(&self, stem: &str) -> bool {
        self.lexicon.marker_stems.contains(stem)
    }

    /// What the lexicon can make of each distinct word of `words`, worked out once (in
    /// parallel) rather than at every occurrence; [`ScopeTagger::tag`] reads it.
    pub fn words<'w>(&self, words: &'w Words) -> ScopeWords<'w> {
        let infos: Vec<&WordInfo> = words.iter().map(|(_, w)| w).collect();
        let scopes = infos
            .par_iter()
            .map(|info| {
                let place_prefix = self.place_prefix(&info.word);
                let candidates = self.candidates(info);
                let place_start = self.may_start_place(info);
                WordScope {
                    starts: place_prefix.is_some() || !candidates.is_empty() || place_start,
                    place_prefix,
                    candidates,
                    place_start,
                }
            })
            .collect();
        ScopeWords { words, scopes }
    }

    /// The marker entries whose first word may be `info`: by its stem or a part's, by the
    /// word as written, or by a written prefix. Sorted; each is then matched in full.
    fn candidates(&self, info: &WordInfo) -> Box<[u32]> {
        let lex = &self.lexicon;
        let mut found: Vec<u32> = Vec::new();
        for key in std::iter::once(info.stem.as_str()).chain(info.parts.iter().map(|p| p.stem.as_str())) {
            found.extend(lex.by_stem.get(key).into_iter().flatten().map(|&n| n as u32));
        }
        found.extend(
            lex.by_word
                .get(&info.word)
                .into_iter()
                .flatten()
                .map(|&n| n as u32),
        );
        found.extend(
            lex.prefixed
                .iter()
                .filter(|&&n| match &lex.entries[n].how {
                    How::Word(pats) => pats[0].matches(&info.word),
                    How::Stem(_) | How::Part(_) => true,
                })
                .map(|&n| n as u32),
        );
        found.sort_unstable();
        found.dedup();
        found.into_boxed_slice()
    }

    /// Whether a place name (or its genitive) may start at `info`.
    fn may_start_place(&self, info: &WordInfo) -> bool {
        let lex = &self.lexicon;
        lex.places_by_first.contains_key(&info.word)
            || genitive(&info.word).is_some_and(|g| lex.places_by_first.contains_key(g))
    }

    /// Tags one response from its analysed tokens and the run's words. A named column
    /// with a readable value wins over the lexicon; an empty or unreadable cell leaves the
    /// decision to it.
    pub fn tag(&self, response: &Response, tokens: &[Token], words: &ScopeWords) -> ScopeTag {
        if let Some(column) = &self.column {
            let value = response.meta.get(column).map_or("", |v| v.trim());
            if !value.is_empty() {
                let (scope, note) = match Scope::parse(value) {
                    Some(scope) => (scope, ""),
                    None => (Scope::Unspecified, " (not a scope value)"),
                };
                return ScopeTag {
                    scope,
                    evidence: Box::new([format!("column {column}={value}{note}")]),
                    basis: ScopeBasis::Column,
                };
            }
        }
        self.tag_words(&response.text, tokens, words)
    }

    /// Analyses and tags a text by the lexicon alone (`stemme analyze`, tests).
    pub fn tag_text(&self, text: &str) -> ScopeTag {
        let text = crate::analyze::nfc(text);
        let analysed = self.analyzer.analyze(&text);
        let tokens = analysed.tokens.first().map(Vec::as_slice).unwrap_or_default();
        self.tag_words(&text, tokens, &self.words(&analysed.words))
    }

    fn tag_words(&self, text: &str, tokens: &[Token], table: &ScopeWords) -> ScopeTag {
        if !tokens.iter().any(|t| table.scopes[t.word as usize].starts) {
            return ScopeTag {
                scope: Scope::Unspecified,
                evidence: Box::default(),
                basis: ScopeBasis::Lexicon,
            };
        }
        let words = view(text, tokens, table);
        let mut hits = self.marker_hits(&words);
        hits.extend(self.place_hits(&words, &hits));
        self.apply_blocks(&mut hits);
        apply_negation(&words, &mut hits);
        apply_foreign(&words, &mut hits);
        hits.sort_by_key(|h| (h.start, h.end));
        hits.dedup_by(|b, a| a.start == b.start && a.end == b.end && a.level == b.level);
        let local = hits.iter().any(|h| h.counts(Level::Local));
        let national = hits
            .iter()
            .any(|h| h.counts(Level::National) || h.counts(Level::State));
        let scope = match (local, national) {
            (true, true) => Scope::Both,
            (true, false) => Scope::Local,
            (false, true) => Scope::National,
            (false, false) => Scope::Unspecified,
        };
        let mut evidence: Vec<String> = Vec::new();
        for h in hits
            .iter()
            .filter(|h| !matches!(h.level, Level::None | Level::Foreign))
        {
            let surface = span(&words, h.start, h.end);
            let line = match &h.ignored {
                Some(why) => format!("{surface}: ignored ({why})"),
                None if h.level == Level::Local => format!("{surface}: local ({})", h.rule),
                None => format!("{surface}: national ({})", h.rule),
            };
            if !evidence.contains(&line) {
                evidence.push(line);
            }
        }
        ScopeTag {
            scope,
            evidence: evidence.into(),
            basis: ScopeBasis::Lexicon,
        }
    }

    /// Every marker-lexicon match, blocking (`none`) and context (`foreign`) entries too.
    fn marker_hits(&self, words: &[View]) -> Vec<Hit> {
        let lex = &self.lexicon;
        let mut hits = Vec::new();
        for i in 0..words.len() {
            for &n in words[i].candidates {
                let entry = &lex.entries[n as usize];
                if let Some(end) = match_entry(&entry.how, words, i) {
                    hits.push(Hit {
                        start: i,
                        end,
                        level: entry.level,
                        rule: entry.pattern.clone(),
                        ignored: None,
                    });
                }
            }
        }
        hits
    }

    /// Gazetteer matches: place names (with genitive -s), multi-word names, and names as
    /// the first part of a compound (`Osloregionen`). Ambiguous names need context.
    fn place_hits(&self, words: &[View], marker_hits: &[Hit]) -> Vec<Hit> {
        let lex = &self.lexicon;
        let mut hits = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let mut found: Option<(usize, &str)> = None;
            let keys = w
                .place_start
                .then(|| std::iter::once((w.word, false)).chain(genitive(w.word).map(|g| (g, true))));
            for (key, single_only) in keys.into_iter().flatten() {
                for &p in lex.places_by_first.get(key).into_iter().flatten() {
                    let place = &lex.places[p];
                    if single_only && place.words.len() > 1 {
                        continue;
                    }
                    let end = i + place.words.len();
                    let fits = end <= words.len()
                        && place.words[1..]
                            .iter()
                            .zip(&words[i + 1..end])
                            .all(|(pw, v)| pw == v.word);
                    let prev = i.checked_sub(1).map(|p| &words[p]);
                    let context_ok = !place.ambiguous
                        || (w.capital()
                            && (prev.is_some_and(|v| PLACE_PREPOSITIONS.contains(&v.word))
                                || words.get(end).is_some_and(|v| PLACE_HEADS.contains(&v.word))
                                || (!w.sentence_start() && prev.is_some_and(|v| !v.capital()))));
                    if fits && context_ok && found.is_none_or(|(e, _)| end > e) {
                        found = Some((end, place.kind.as_str()));
                    }
                }
            }
            if found.is_none() && !marker_hits.iter().any(|h| h.start == i) {
                if let Some(p) = w.place_prefix {
                    found = Some((i + 1, lex.places[p].kind.as_str()));
                }
            }
            match found {
                Some((end, kind)) => {
                    hits.push(Hit {
                        start: i,
                        end,
                        level: Level::Local,
                        rule: format!("place: {kind}"),
                        ignored: None,
                    });
                    i = end;
                }
                None => i += 1,
            }
        }
        hits
    }

    /// A compound whose first part is an unambiguous place name and whose rest is a known
    /// word (`osloregionen`, `sørlandskysten`, `bergensbanen`).
    fn place_prefix(&self, word: &str) -> Option<usize> {
        if word.chars().count() < 7 {
            return None;
        }
        // An adjective of the place: `sørlandske`, `vestlandsk`, `bergensk`.
        let adjective = ["ske", "sk"]
            .iter()
            .find_map(|end| word.strip_suffix(end))
            .and_then(|h| self.lexicon.place_stems.get(h.strip_suffix('s').unwrap_or(h)));
        if let Some(&p) = adjective {
            return Some(p);
        }
        let splitter = crate::analyze::compound::CompoundSplitter::bundled();
        for (k, _) in word.char_indices().skip(4) {
            let (head, rest) = word.split_at(k);
            if rest.chars().count() < 3 {
                break;
            }
            let place = self.lexicon.place_stems.get(head).or_else(|| {
                head.strip_suffix('s')
                    .and_then(|h| self.lexicon.place_stems.get(h))
            });
            if let Some(&p) = place {
                let rest = rest.trim_start_matches('-');
                if splitter.knows(rest) || splitter.knows(rest.trim_start_matches('s')) {
                    return Some(p);
                }
            }
        }
        None
    }

    /// Markers inside a `none` span (a fixed expression or another sense) do not count.
    fn apply_blocks(&self, hits: &mut [Hit]) {
        let blocks: Vec<(usize, usize, String)> = hits
            .iter()
            .filter(|h| h.level == Level::None)
            .map(|h| (h.start, h.end, h.rule.clone()))
            .collect();
        for h in hits.iter_mut().filter(|h| h.level != Level::None) {
            if let Some((_, _, rule)) = blocks.iter().find(|(s, e, _)| h.start < *e && *s < h.end) {
                h.ignored = Some(rule.clone());
            }
        }
    }
}

/// The end of an entry's match starting at word `i`, if it matches there.
fn match_entry(how: &How, words: &[View], i: usize) -> Option<usize> {
    let ok = match how {
        How::Stem(stems) => {
            let has = |v: &View, stem: &str| v.stem == stem || v.parts.iter().any(|p| p.stem == stem);
            i + stems.len() <= words.len() && stems.iter().zip(&words[i..]).all(|(s, v)| has(v, s))
        }
        How::Part(stem) => words[i].parts.iter().any(|p| &p.stem == stem),
        How::Word(pats) => {
            i + pats.len() <= words.len() && pats.iter().zip(&words[i..]).all(|(p, v)| p.matches(v.word))
        }
    };
    let len = match how {
        How::Stem(s) => s.len(),
        How::Part(_) => 1,
        How::Word(p) => p.len(),
    };
    ok.then_some(i + len)
}

/// The written words of a span, joined by spaces.
fn span(words: &[View], start: usize, end: usize) -> String {
    words[start..end.min(words.len())]
        .iter()
        .map(View::surface)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `ikke lokalt, men nasjonalt`: a marker negated shortly before, with a marker of the other
/// level after a later `men`, does not count.
fn apply_negation(words: &[View], hits: &mut [Hit]) {
    let side = |l: Level| match l {
        Level::Local => Some(true),
        Level::National | Level::State => Some(false),
        _ => None,
    };
    let counted: Vec<(usize, bool)> = hits
        .iter()
        .filter(|h| h.ignored.is_none())
        .filter_map(|h| side(h.level).map(|s| (h.start, s)))
        .collect();
    for h in hits.iter_mut().filter(|h| h.ignored.is_none()) {
        let Some(local) = side(h.level) else { continue };
        let negated = words[h.start.saturating_sub(3)..h.start]
            .iter()
            .any(|v| NEGATIONS.contains(&v.word));
        let contrast = words
            .iter()
            .enumerate()
            .skip(h.end)
            .find(|(_, v)| v.word == "men")
            .is_some_and(|(m, _)| counted.iter().any(|&(s, l)| s > m && l != local));
        if negated && contrast {
            h.ignored = Some("negated, set against the other level".into());
        }
    }
}

/// State words (staten, regjeringen, nasjonal) about another country are not national:
/// when the text names another country and has no Norway-only evidence, they do not count.
fn apply_foreign(words: &[View], hits: &mut [Hit]) {
    if hits.iter().any(|h| h.counts(Level::National)) {
        return;
    }
    let Some(country) = hits
        .iter()
        .find(|h| h.counts(Level::Foreign))
        .map(|h| span(words, h.start, h.end))
    else {
        return;
    };
    for h in hits.iter_mut().filter(|h| h.counts(Level::State)) {
        h.ignored = Some(format!("another country: {country}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> ScopeTag {
        ScopeTagger::bundled(None).tag_text(text)
    }

    fn scope(text: &str) -> Scope {
        tag(text).scope
    }

    #[test]
    fn the_bundled_lists_parse_and_hold_places() {
        let t = ScopeTagger::bundled(None);
        assert!(t.lexicon.entries.len() > 100);
        assert!(t.lexicon.places.len() > 600, "{}", t.lexicon.places.len());
    }

    #[test]
    fn one_entry_covers_inflections_genitives_and_compounds() {
        for text in [
            "kommunens lærere",
            "Kommunenes økonomi",
            "Kommuneøkonomien er stram",
            "kommunestyret vedtok det",
            "kommunane må samarbeide",
            "fylkeskommunen har ansvaret",
            "Og bygda har teke vare på kunsten",
        ] {
            assert_eq!(scope(text), Scope::Local, "{text}");
        }
        for text in [
            "statsbudsjettet for neste år",
            "statlige tilskudd",
            "Stortinget vedtok loven",
            "Regjeringa la fram meldinga",
            "Noreg treng fleire lærarar",
            "over hele landet",
        ] {
            assert_eq!(scope(text), Scope::National, "{text}");
        }
    }

    #[test]
    fn places_count_as_local_and_common_words_need_context() {
        assert_eq!(scope("Vi har et kontor i Bergen"), Scope::Local);
        assert_eq!(scope("Vestland har mange små kommuner"), Scope::Local);
        assert_eq!(scope("Bergens beste skole"), Scope::Local);
        assert_eq!(scope("trafikken i Osloregionen"), Scope::Local);
        assert_eq!(scope("Samferdsleutvala i Sogn og Fjordane"), Scope::Local);
        assert_eq!(scope("Guovdageaidnu har mange reinsdyr"), Scope::Local);
        assert_eq!(scope("Os kommune bygger ny skole"), Scope::Local);
        assert_eq!(scope("Han bor i Os"), Scope::Local);
        // Common words that are also municipalities: no context, no place.
        assert_eq!(scope("det tar en time"), Scope::Unspecified);
        assert_eq!(scope("vi gikk til en vik ved sjøen"), Scope::Unspecified);
        assert_eq!(scope("Geirmund Viken meiner noko anna"), Scope::Unspecified);
        assert_eq!(
            scope("I stedet for kyllingfilet fikk vi Stangekylling"),
            Scope::Unspecified
        );
    }

    #[test]
    fn senses_and_fixed_expressions_are_not_evidence() {
        for text in [
            "i stedet for religionsfrihet",
            "et sted å være",
            "Han bor på landet",
            "støy rett ved lokalene",
            "Det norske språket er rikt",
            "et representativt utvalg",
            "et bredere grunnlag",
            "strukturen i organisasjonen",
            "tverrfaglig samarbeid",
            "USA preges av en polarisert debatt",
        ] {
            let tag = tag(text);
            assert_eq!(tag.scope, Scope::Unspecified, "{text}: {:?}", tag.evidence);
        }
        let tag = tag("rett ved lokalene");
        assert!(
            tag.evidence.iter().any(|e| e.contains("ignored (lokalene)")),
            "{tag:?}"
        );
    }

    #[test]
    fn state_words_about_another_country_do_not_count() {
        assert_eq!(
            scope("den nasjonale debatten om amerikanske muslimer"),
            Scope::Unspecified
        );
        assert_eq!(scope("den nasjonale debatten om skolen"), Scope::National);
        // Norway named: the state words count again.
        assert_eq!(
            scope("Regjeringen vil importere mindre kraft fra Danmark til Norge"),
            Scope::National
        );
    }

    #[test]
    fn negation_set_against_the_other_level_flips() {
        assert_eq!(
            scope("Dette er ikke et lokalt ansvar, men et nasjonalt ansvar"),
            Scope::National
        );
        assert_eq!(scope("ikkje staten, men kommunen må ta ansvaret"), Scope::Local);
        // A negated statement about a level still refers to it.
        assert_eq!(
            scope("Dette er ikkje ein sjukeheim som er driven av kommunen"),
            Scope::Local
        );
    }

    #[test]
    fn evidence_names_the_words_and_the_rule() {
        let tag = tag("En kommune på Østlandet er ikke representativ for resten av landet.");
        assert_eq!(tag.scope, Scope::Both);
        assert_eq!(
            *tag.evidence,
            [
                "kommune: local (kommune)",
                "Østlandet: local (place: region)",
                "landet: national (landet)"
            ]
        );
        assert_eq!(scope("Lokalsamfunnet får testet løsninger"), Scope::Local);
        assert_eq!(scope("Spennende"), Scope::Unspecified);
    }

    #[test]
    fn marker_stems_cover_markers_and_places() {
        let t = ScopeTagger::bundled(None);
        let a = Analyzer::norwegian();
        for word in ["kommunen", "staten", "lokal", "bergen", "stortinget"] {
            assert!(t.is_marker_stem(&a.term(word)), "{word}");
        }
        assert!(!t.is_marker_stem(&a.term("skole")));
    }

    #[test]
    fn an_analyst_lexicon_is_merged_and_bad_lines_name_file_and_row() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("mine.txt");
        std::fs::write(
            &path,
            "# mine\nlocal\tvelforening\nplace\tMyrkdalen\nnone  i byen  word\n",
        )
        .expect("write");
        let t = ScopeTagger::new(None, Some(&path)).expect("parses");
        assert_eq!(t.tag_text("Velforeningen møtes").scope, Scope::Local);
        assert_eq!(t.tag_text("hytta i Myrkdalen").scope, Scope::Local);
        assert_eq!(t.tag_text("han bor i byen").scope, Scope::Unspecified);
        std::fs::write(&path, "local\tkommune\nregional\tfylke\n").expect("write");
        let err = ScopeTagger::new(None, Some(&path))
            .expect_err("bad scope")
            .to_string();
        assert!(
            err.contains("mine.txt, row 2") && err.contains("regional"),
            "{err}"
        );
        std::fs::write(&path, "local\tbygd\tsomehow\n").expect("write");
        let err = ScopeTagger::new(None, Some(&path))
            .expect_err("bad how")
            .to_string();
        assert!(err.contains("row 1") && err.contains("somehow"), "{err}");
        let missing = ScopeTagger::new(None, Some(&dir.path().join("nope.txt")));
        assert!(missing.expect_err("missing").to_string().contains("nope.txt"));
    }

    #[test]
    fn a_scope_column_overrides_the_lexicon() {
        let t = ScopeTagger::bundled(Some("nivå".into()));
        let mut r = crate::ingest::Normalizer::default().response("c", "f", 2, "q", "i hele landet");
        r.meta = r.meta.with("nivå", "Lokalt");
        let a = Analyzer::norwegian().analyze(&r.text);
        assert_eq!(t.tag(&r, &a.tokens[0], &t.words(&a.words)).scope, Scope::Local);
        assert_eq!(
            *t.tag(&r, &a.tokens[0], &t.words(&a.words)).evidence,
            ["column nivå=Lokalt"]
        );
        assert_eq!(
            t.tag(&r, &a.tokens[0], &t.words(&a.words)).basis,
            ScopeBasis::Column
        );
        // An unknown value is unspecified, never re-read from the text.
        r.meta = r.meta.with("nivå", "regional");
        let tag = t.tag(&r, &a.tokens[0], &t.words(&a.words));
        assert_eq!((tag.scope, tag.basis), (Scope::Unspecified, ScopeBasis::Column));
        assert_eq!(*tag.evidence, ["column nivå=regional (not a scope value)"]);
        // An empty cell leaves it to the lexicon.
        r.meta = r.meta.with("nivå", "");
        let tag = t.tag(&r, &a.tokens[0], &t.words(&a.words));
        assert_eq!((tag.scope, tag.basis), (Scope::National, ScopeBasis::Lexicon));
    }

    #[test]
    fn scope_values_are_read_strictly() {
        for (value, scope) in [
            ("Lokalt", Scope::Local),
            ("  kommunalt   nivå ", Scope::Local),
            ("Kommune", Scope::Local),
            ("NASJONAL", Scope::National),
            ("statleg", Scope::National),
            ("Staten", Scope::National),
            ("begge deler", Scope::Both),
            ("Both", Scope::Both),
            ("ukjent", Scope::Unspecified),
        ] {
            assert_eq!(Scope::parse(value), Some(scope), "{value}");
        }
        for value in ["B", "N", "L", "regional", "fylke", "x", "", "-", "lokalsamfunn"] {
            assert_eq!(Scope::parse(value), None, "{value}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let t = ScopeTagger::bundled(None);
        for text in [
            "",
            " ",
            "ikke",
            "men",
            "i",
            "Os",
            "i Os",
            "s",
            "\u{0}",
            "ikke men ikke men",
            "kommune-",
            "-stat",
        ] {
            let _ = t.tag_text(text);
        }
    }
}
