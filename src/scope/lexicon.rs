//! The scope tagger's word lists: the marker lexicon (`lexicon/scope_markers.txt`, format
//! documented in its header) and the place gazetteer (`lexicon/places_no.txt`), plus any
//! file an analyst adds with `--scope-lexicon`. Parsed once into indexes keyed by stem
//! and by written word, so tagging a response costs a few hash look-ups per word.

use crate::analyze::compound::FastMap;
use crate::analyze::{Analyzer, FastSet};
use crate::error::{Error, Result};
use std::path::Path;

/// What an entry is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Local,
    National,
    /// A national-level word any country has (staten, regjeringen): national unless the
    /// text names another country and has no `National` evidence.
    State,
    /// Another country: context for `State` words, not evidence itself.
    Foreign,
    /// A fixed expression or sense that blocks the markers inside it.
    None,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "local" => Level::Local,
            "national" => Level::National,
            "state" => Level::State,
            "foreign" => Level::Foreign,
            "none" => Level::None,
            _ => return None,
        })
    }
}

/// One written word of a `word` pattern.
#[derive(Debug, Clone)]
pub(crate) struct WordPat {
    pub text: String,
    /// A trailing `*`: any ending.
    pub prefix: bool,
}

impl WordPat {
    pub fn matches(&self, word: &str) -> bool {
        if self.prefix {
            word.starts_with(&self.text)
        } else {
            word == self.text
        }
    }
}

/// How an entry matches the analysed words.
#[derive(Debug, Clone)]
pub(crate) enum How {
    /// Stems of one or more words in sequence; the first matches a word's stem or one of
    /// its compound parts, later ones a word's stem or part.
    Stem(Vec<String>),
    /// A stem that matches only as a compound part.
    Part(String),
    /// Written words in sequence.
    Word(Vec<WordPat>),
}

/// One line of a marker lexicon.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub level: Level,
    /// The pattern as written, shown in the evidence.
    pub pattern: String,
    pub how: How,
}

/// A place name from the gazetteer.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// The lowercased words of the name (`sogn`, `og`, `fjordane`).
    pub words: Vec<String>,
    /// `kommune`, `fylke`, `region`, `sted` or `place` (added by an analyst).
    pub kind: String,
    /// Marked `common` in the gazetteer (Os, Vik, Time), or a stopword or under three
    /// letters: an everyday word that needs context to count as a place.
    pub ambiguous: bool,
}

/// The parsed word lists with their indexes.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    pub entries: Vec<Entry>,
    pub places: Vec<Place>,
    /// Entry numbers by the stem their first word matches (stem and part entries).
    pub by_stem: FastMap<String, Vec<usize>>,
    /// Entry numbers by their exact first written word.
    pub by_word: FastMap<String, Vec<usize>>,
    /// Entries whose first written word ends in `*`.
    pub prefixed: Vec<usize>,
    /// Place numbers by the first word of the name.
    pub places_by_first: FastMap<String, Vec<usize>>,
    /// First words of unambiguous single-word places (and regions without their `-et`),
    /// for compounds such as `Osloregionen` and `sørlandskysten`.
    pub place_stems: FastMap<String, usize>,
    /// Stems that are markers or place names, for leaving them out of theme features.
    pub marker_stems: FastSet<String>,
}

/// Splits a lexicon line into fields: TAB-separated, or separated by two or more spaces.
fn fields(line: &str) -> Vec<&str> {
    if line.contains('\t') {
        line.split('\t')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect()
    } else {
        line.split("  ")
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect()
    }
}

/// Content lines with their 1-based line numbers: comments and blank lines skipped.
fn content_lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

fn row_error(path: &Path, row: u64, message: String) -> Error {
    Error::Row {
        path: path.to_path_buf(),
        row,
        message,
    }
}

impl Lexicon {
    /// Adds the entries of a marker lexicon in the documented format. `path` names the
    /// source in error messages.
    pub fn add_markers(&mut self, text: &str, path: &Path, analyzer: &Analyzer) -> Result<()> {
        for (row, line) in content_lines(text) {
            let f = fields(line);
            let (level, pattern) = match f.as_slice() {
                [level, pattern, ..] => (*level, pattern.to_lowercase()),
                _ => {
                    return Err(row_error(
                        path,
                        row,
                        format!("expected `<scope><TAB><pattern>[<TAB><how>]`, found {line:?}"),
                    ))
                }
            };
            if level == "place" {
                self.add_place(&pattern, "place", false, analyzer);
                continue;
            }
            let level = Level::parse(level).ok_or_else(|| {
                row_error(
                    path,
                    row,
                    format!("unknown scope {level:?}: use local, national, state, foreign, none or place"),
                )
            })?;
            let words: Vec<&str> = pattern.split_whitespace().collect();
            if words.is_empty() {
                return Err(row_error(path, row, "empty pattern".into()));
            }
            let how = match f.get(2).copied().unwrap_or("stem") {
                "stem" => How::Stem(words.iter().map(|w| analyzer.term(w)).collect()),
                "part" if words.len() == 1 => How::Part(analyzer.term(words[0])),
                "word" => How::Word(
                    words
                        .iter()
                        .map(|w| WordPat {
                            text: w.trim_end_matches('*').to_string(),
                            prefix: w.ends_with('*'),
                        })
                        .collect(),
                ),
                "part" => return Err(row_error(path, row, "a `part` pattern is one word".into())),
                other => {
                    return Err(row_error(
                        path,
                        row,
                        format!("unknown match {other:?}: use stem, part or word"),
                    ))
                }
            };
            self.push(Entry { level, pattern, how }, analyzer);
        }
        Ok(())
    }

    fn push(&mut self, entry: Entry, analyzer: &Analyzer) {
        let n = self.entries.len();
        let counts = matches!(entry.level, Level::Local | Level::National | Level::State);
        match &entry.how {
            How::Stem(stems) => {
                self.by_stem.entry(stems[0].clone()).or_default().push(n);
                if counts && stems.len() == 1 {
                    self.marker_stems.insert(stems[0].clone());
                }
            }
            How::Part(stem) => {
                self.by_stem.entry(stem.clone()).or_default().push(n);
                if counts {
                    self.marker_stems.insert(stem.clone());
                }
            }
            How::Word(words) => {
                if words[0].prefix {
                    self.prefixed.push(n);
                } else {
                    self.by_word.entry(words[0].text.clone()).or_default().push(n);
                }
                if counts && words.len() == 1 && !words[0].prefix {
                    self.marker_stems.insert(analyzer.term(&words[0].text));
                }
            }
        }
        self.entries.push(entry);
    }

    /// Adds the places of a gazetteer: `<name><TAB><kind>[<TAB><status>]` per line.
    pub fn add_places(&mut self, text: &str, path: &Path, analyzer: &Analyzer) -> Result<()> {
        for (row, line) in content_lines(text) {
            match fields(line).as_slice() {
                [name, kind, rest @ ..] => {
                    let common = rest.contains(&"common");
                    self.add_place(name, kind, common, analyzer)
                }
                _ => {
                    return Err(row_error(
                        path,
                        row,
                        format!("expected `<name><TAB><kind>[<TAB><status>]`, found {line:?}"),
                    ))
                }
            }
        }
        Ok(())
    }

    fn add_place(&mut self, name: &str, kind: &str, common: bool, analyzer: &Analyzer) {
        let words: Vec<String> = crate::analyze::words(&crate::analyze::nfc(name))
            .map(|(_, w)| w.to_lowercase())
            .collect();
        let Some(first) = words.first().cloned() else {
            return;
        };
        let ambiguous =
            words.len() == 1 && (common || first.chars().count() <= 2 || analyzer.is_stopword(&first));
        let n = self.places.len();
        if words.len() == 1 {
            self.marker_stems.insert(analyzer.term(&first));
            if !ambiguous && first.chars().count() >= 4 {
                self.place_stems.entry(first.clone()).or_insert(n);
                if let Some(stem) = first.strip_suffix("et").filter(|s| s.chars().count() >= 5) {
                    self.place_stems.entry(stem.to_string()).or_insert(n);
                }
            }
        }
        self.places_by_first.entry(first).or_default().push(n);
        self.places.push(Place {
            words,
            kind: kind.to_string(),
            ambiguous,
        });
    }
}
