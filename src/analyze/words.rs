//! The run's table of distinct words. Analysing a word (lemma lookup, stemming, compound
//! splitting) is the analyzer's costly step, and a corpus has far fewer distinct words than
//! tokens: so texts are first split into words, each distinct word is given a [`WordId`],
//! and each is analysed once, in parallel, for the whole run. A [`Token`] is then 16 bytes:
//! the word's id, where it stands, and its position.
//!
//! Ids are given in order of first occurrence over the texts, whatever the number of
//! threads, so every later stage sees the same ids for the same input. Stems get ids the same
//! way ([`StemId`]), so the themes and the comparison count integers, not strings.

use super::{Analyzer, PartMemo, WordInfo};
use crate::analyze::compound::FastMap;
use rayon::prelude::*;
use std::ops::Range;

/// Index of a distinct word in the run's [`Words`].
pub type WordId = u32;
/// Index of a distinct stem (of a word or of a compound part) in the run's [`Words`].
pub type StemId = u32;

/// One occurrence of a word in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The word, as an id into the run's [`Words`].
    pub word: WordId,
    /// Byte range of the word in the (NFC-normalised) text.
    pub start: u32,
    pub end: u32,
    /// Word position, counting stopwords too, so phrase queries keep their gaps.
    pub position: u32,
}

impl Token {
    /// Byte range of the word in its text.
    pub fn offset(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// How often a word was seen, and how often in capitals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordCount {
    pub count: u64,
    /// Times the word was written in capitals (`KS`, `FKJ`): shown that way if always.
    pub upper: u64,
}

/// The distinct words of a run, analysed once each, with their stems and counts.
#[derive(Debug, Clone, Default)]
pub struct Words {
    infos: Vec<WordInfo>,
    counts: Vec<WordCount>,
    /// Stem id of each word.
    stem_of: Vec<StemId>,
    /// Stem text per stem id.
    stems: Vec<String>,
    stem_index: FastMap<String, StemId>,
    /// Feature stems of each word (its stem, then its parts' stems), as ranges into
    /// `feature_ids`; empty for stopwords and non-features.
    feature_ranges: Vec<Range<u32>>,
    feature_ids: Vec<StemId>,
}

impl std::ops::Index<WordId> for Words {
    type Output = WordInfo;

    fn index(&self, id: WordId) -> &WordInfo {
        &self.infos[id as usize]
    }
}

impl Words {
    /// What the analyzer made of a token's word.
    pub fn info(&self, token: &Token) -> &WordInfo {
        &self[token.word]
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.infos.len()
    }

    /// True when no word was seen.
    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    /// Every word with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (WordId, &WordInfo)> {
        self.infos.iter().enumerate().map(|(i, w)| (i as WordId, w))
    }

    /// How often word `id` occurred in the texts.
    pub fn count(&self, id: WordId) -> WordCount {
        self.counts[id as usize]
    }

    /// The stem id of word `id`.
    pub fn stem_id(&self, id: WordId) -> StemId {
        self.stem_of[id as usize]
    }

    /// The id of a stem, if any word or part of the run has it.
    pub fn find_stem(&self, stem: &str) -> Option<StemId> {
        self.stem_index.get(stem).copied()
    }

    /// The text of stem `id`.
    pub fn stem(&self, id: StemId) -> &str {
        &self.stems[id as usize]
    }

    /// Number of distinct stems (of words and compound parts).
    pub fn stem_count(&self) -> usize {
        self.stems.len()
    }

    /// The theme and keyness features of word `id`: its stem and its compound parts'
    /// stems, or nothing when the word is not a feature ([`super::is_feature`]).
    pub fn feature_stems(&self, id: WordId) -> &[StemId] {
        let r = &self.feature_ranges[id as usize];
        &self.feature_ids[r.start as usize..r.end as usize]
    }

    /// The feature stem of word `id` alone (no parts), if it is a feature.
    pub fn feature_stem(&self, id: WordId) -> Option<StemId> {
        self.feature_stems(id).first().copied()
    }

    fn intern_stem(&mut self, stem: &str) -> StemId {
        if let Some(&id) = self.stem_index.get(stem) {
            return id;
        }
        let id = self.stems.len() as StemId;
        self.stems.push(stem.to_string());
        self.stem_index.insert(stem.to_string(), id);
        id
    }

    /// Builds the table from analysed words (in id order) and their counts.
    fn build(infos: Vec<WordInfo>, counts: Vec<WordCount>) -> Words {
        let mut words = Words {
            counts,
            ..Words::default()
        };
        for info in &infos {
            let stem = words.intern_stem(&info.stem);
            words.stem_of.push(stem);
            let start = words.feature_ids.len() as u32;
            if super::is_feature(info) {
                words.feature_ids.push(stem);
                for part in &info.parts {
                    let id = words.intern_stem(&part.stem);
                    words.feature_ids.push(id);
                }
            } else {
                for part in &info.parts {
                    words.intern_stem(&part.stem);
                }
            }
            words.feature_ranges.push(start..words.feature_ids.len() as u32);
        }
        words.infos = infos;
        words
    }
}

/// Texts analysed together: the shared word table and each text's tokens.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    pub words: Words,
    /// Tokens per text, in the order of the texts given.
    pub tokens: Vec<Vec<Token>>,
}

impl Analysed {
    /// Every token of every text, in order, with what the analyzer made of its word.
    pub fn iter(&self) -> impl Iterator<Item = (&Token, &WordInfo)> {
        self.tokens.iter().flatten().map(|t| (t, self.words.info(t)))
    }
}

/// One chunk of texts split into words, with chunk-local word ids.
struct Chunk {
    keys: Vec<Box<str>>,
    counts: Vec<WordCount>,
    tokens: Vec<Vec<Token>>,
}

/// Texts per chunk: large enough that the per-chunk word maps stay few, small enough
/// that the progress bar moves and both cores stay busy.
const CHUNK: usize = 8_192;

impl Analyzer {
    /// Analyses many texts: splits them into words in parallel, analyses every distinct
    /// word once, and returns the shared table with each text's tokens. `progress` is
    /// called with the number of texts done, as chunks finish.
    pub fn analyze_all(&self, texts: &[&str], progress: &(dyn Fn(u64) + Sync)) -> Analysed {
        let chunks: Vec<Chunk> = texts
            .par_chunks(CHUNK)
            .map(|part| {
                let chunk = self.split_chunk(part);
                progress(part.len() as u64);
                chunk
            })
            .collect();

        // Merge in chunk order: ids follow first occurrence over all texts.
        let mut index: FastMap<Box<str>, WordId> = FastMap::default();
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut counts: Vec<WordCount> = Vec::new();
        let mut remaps: Vec<Vec<WordId>> = Vec::with_capacity(chunks.len());
        let mut chunk_tokens = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let mut remap = Vec::with_capacity(chunk.keys.len());
            for (key, c) in chunk.keys.into_iter().zip(chunk.counts) {
                let id = match index.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = keys.len() as WordId;
                        keys.push(key.clone());
                        index.insert(key, id);
                        counts.push(WordCount::default());
                        id
                    }
                };
                let total = &mut counts[id as usize];
                total.count += c.count;
                total.upper += c.upper;
                remap.push(id);
            }
            remaps.push(remap);
            chunk_tokens.push(chunk.tokens);
        }
        drop(index);

        let infos: Vec<WordInfo> = keys
            .par_iter()
            .map_init(PartMemo::default, |memo, k| self.analyze_key_with(k, memo))
            .collect();
        drop(keys);
        let tokens: Vec<Vec<Token>> = chunk_tokens
            .into_par_iter()
            .zip(remaps)
            .flat_map_iter(|(docs, remap)| {
                docs.into_iter().map(move |mut doc| {
                    for t in &mut doc {
                        t.word = remap[t.word as usize];
                    }
                    doc
                })
            })
            .collect();
        Analysed {
            words: Words::build(infos, counts),
            tokens,
        }
    }

    /// Analyses one text (a query, a snippet, a field of an index document) on the
    /// calling thread. It never waits for the rayon pool: tantivy's indexing threads call
    /// it while the pool is busy feeding them documents.
    pub fn analyze(&self, text: &str) -> Analysed {
        let chunk = self.split_chunk(&[text]);
        let mut memo = PartMemo::default();
        let infos = chunk
            .keys
            .iter()
            .map(|k| self.analyze_key_with(k, &mut memo))
            .collect();
        Analysed {
            words: Words::build(infos, chunk.counts),
            tokens: chunk.tokens,
        }
    }

    /// Splits the texts of one chunk into words with chunk-local ids.
    fn split_chunk(&self, texts: &[&str]) -> Chunk {
        let mut index: FastMap<Box<str>, WordId> = FastMap::default();
        let mut chunk = Chunk {
            keys: Vec::new(),
            counts: Vec::new(),
            tokens: Vec::with_capacity(texts.len()),
        };
        let mut key = String::new();
        let mut next = String::new();
        for text in texts {
            let normalized;
            let text = if super::is_nfc(text) {
                *text
            } else {
                normalized = super::nfc(text);
                normalized.as_str()
            };
            let spans: Vec<(usize, &str)> = super::words(text).collect();
            let mut doc = Vec::with_capacity(spans.len());
            for (position, &(start, raw)) in spans.iter().enumerate() {
                super::word_key(raw, &mut key);
                // The first word of a hyphenated pair (`tverr-kommunalt`) is its own entry:
                // it also carries the joined word as a part.
                if let Some(&(next_start, next_raw)) = spans.get(position + 1) {
                    if text.get(start + raw.len()..next_start) == Some("-") {
                        super::word_key(next_raw, &mut next);
                        key.push('-');
                        key.push_str(&next);
                    }
                }
                let id = match index.get(key.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = chunk.keys.len() as WordId;
                        chunk.keys.push(key.as_str().into());
                        index.insert(key.as_str().into(), id);
                        chunk.counts.push(WordCount::default());
                        id
                    }
                };
                let c = &mut chunk.counts[id as usize];
                c.count += 1;
                c.upper += u64::from(super::is_upper(raw));
                doc.push(Token {
                    word: id,
                    start: start as u32,
                    end: (start + raw.len()) as u32,
                    position: position as u32,
                });
            }
            chunk.tokens.push(doc);
        }
        chunk
    }
}
