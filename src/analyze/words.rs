//! The run's table of distinct words. Analysing a word (lemma lookup, stemming, compound
//! splitting) is the analyzer's costly step, and a corpus has far fewer distinct words than
//! tokens: so texts are first split into words, each distinct word is given a [`WordId`],
//! and each is analysed once, in parallel, for the whole run. A [`Token`] is then 4 bytes,
//! the word's id: its position is its index in the text's tokens, and its place in the
//! text is found again when needed ([`super::word_offsets`]), as the text's words come
//! in the same order.
//!
//! Ids are given in order of first occurrence over the texts, whatever the number of
//! threads, so every later stage sees the same ids for the same input. Stems get ids the same
//! way ([`StemId`]), so the themes and the comparison count integers, not strings.

use super::{Analyzer, PartMemo, WordInfo};
use crate::analyze::compound::FastMap;
use crate::analyze::lexicon::FxHasher;
use rayon::prelude::*;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

/// Index of a distinct word in the run's [`Words`].
pub type WordId = u32;
/// Index of a distinct stem (of a word or of a compound part) in the run's [`Words`].
pub type StemId = u32;

/// One occurrence of a word in a text. Its word position (counting stopwords too, so phrase
/// queries keep their gaps) is its index in the text's list of tokens, which holds every
/// word of the text; the `i`-th token's byte range in the text is the `i`-th item of
/// [`super::word_offsets`] of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The word, as an id into the run's [`Words`].
    pub word: WordId,
}

// Tokens are the run's largest table (one per word of every text, twenty million at a
// million responses): keep them at 4 bytes, the offsets not stored.
const _: () = assert!(std::mem::size_of::<Token>() == 4);

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
        // A run has about as many stems as words (106,509 for 176,989 words at 100k
        // responses): the stem table is sized for that up front rather than grown.
        let mut words = Words {
            counts,
            stem_of: Vec::with_capacity(infos.len()),
            stems: Vec::with_capacity(infos.len()),
            stem_index: FastMap::with_capacity_and_hasher(infos.len(), Default::default()),
            feature_ranges: Vec::with_capacity(infos.len()),
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
    counts: Vec<ChunkCount>,
    tokens: Vec<Vec<Token>>,
    /// The chunk-local ids of the chunk's words, by the merge shard of their key (filled
    /// for [`Analyzer::analyze_all`] only).
    shards: Vec<Vec<WordId>>,
}

/// [`WordCount`] within one chunk, in half the room: the chunks together hold several
/// times as many entries as the run has words. (A count that would pass `u32::MAX` in one
/// chunk of texts stays there.)
#[derive(Debug, Clone, Copy, Default)]
struct ChunkCount {
    count: u32,
    upper: u32,
}

impl From<ChunkCount> for WordCount {
    fn from(c: ChunkCount) -> WordCount {
        WordCount {
            count: c.count.into(),
            upper: c.upper.into(),
        }
    }
}

/// Texts per chunk: large enough that the per-chunk word maps stay few, small enough
/// that the progress bar moves and both cores stay busy.
const CHUNK: usize = 8_192;

/// A chunk's word table is made this much larger than its number of texts, so that it
/// seldom grows: on the generated corpus a chunk's texts bring 3.6 distinct words each.
const NEW_WORDS_PER_TEXT: usize = 4;

/// The chunks' words are merged in this many shards by hash, in parallel: a shard's
/// table is small enough to stay in cache, and no shard waits for another.
const SHARDS: usize = 64;

/// The merge shard of a word key (from the top bits of a second mix of its hash, which
/// leaves the bits that a shard's own table uses varied).
fn shard_of(key: &str) -> usize {
    let hash = BuildHasherDefault::<FxHasher>::default().hash_one(key);
    (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % SHARDS
}

/// One shard's distinct words, merged over the chunks in order.
struct Shard {
    /// (chunk, chunk-local id) of each word's first occurrence, in order of shard id.
    first: Vec<(u32, WordId)>,
    counts: Vec<WordCount>,
}

/// A word's place in the merge while the shards run: its shard in the top bits, its
/// id within the shard below ([`SHARDS`] is 2⁶).
const SHARD_BITS: u32 = 26;

/// Merges shard `shard` of every chunk, in chunk order, and writes each of its words'
/// place into `remaps` (chunk, chunk-local id → place).
fn merge_shard(chunks: &[Chunk], remaps: &[Vec<AtomicU32>], shard: usize) -> Shard {
    let mut index: FastMap<&str, u32> = FastMap::default();
    let mut merged = Shard {
        first: Vec::new(),
        counts: Vec::new(),
    };
    for (c, chunk) in chunks.iter().enumerate() {
        for &local in &chunk.shards[shard] {
            let id = *index.entry(&chunk.keys[local as usize]).or_insert_with(|| {
                merged.first.push((c as u32, local));
                merged.counts.push(WordCount::default());
                (merged.first.len() - 1) as u32
            });
            let (total, count) = (&mut merged.counts[id as usize], chunk.counts[local as usize]);
            total.count += u64::from(count.count);
            total.upper += u64::from(count.upper);
            remaps[c][local as usize].store((shard as u32) << SHARD_BITS | id, Ordering::Relaxed);
        }
    }
    merged
}

impl Analyzer {
    /// Analyses many texts: splits them into words in parallel, analyses every distinct
    /// word once, and returns the shared table with each text's tokens. `progress` is
    /// called with the number of texts done, as chunks finish.
    pub fn analyze_all(&self, texts: &[&str], progress: &(dyn Fn(u64) + Sync)) -> Analysed {
        let mut chunks: Vec<Chunk> = texts
            .par_chunks(CHUNK)
            .map(|part| {
                let mut chunk = self.split_chunk(part);
                chunk.shards = vec![Vec::new(); SHARDS];
                for (local, key) in chunk.keys.iter().enumerate() {
                    chunk.shards[shard_of(key)].push(local as WordId);
                }
                progress(part.len() as u64);
                chunk
            })
            .collect();

        // Merge by shard, then number the words in order of first occurrence over all
        // texts (chunk, then position in the chunk), as a serial merge would.
        let remaps: Vec<Vec<AtomicU32>> = chunks
            .iter()
            .map(|c| c.keys.iter().map(|_| AtomicU32::new(0)).collect())
            .collect();
        let shards: Vec<Shard> = (0..SHARDS)
            .into_par_iter()
            .map(|s| merge_shard(&chunks, &remaps, s))
            .collect();
        let mut order: Vec<(u32, WordId, u32, u32)> = shards
            .iter()
            .enumerate()
            .flat_map(|(s, shard)| {
                shard
                    .first
                    .iter()
                    .enumerate()
                    .map(move |(id, &(c, local))| (c, local, s as u32, id as u32))
            })
            .collect();
        order.par_sort_unstable();
        let mut global: Vec<Vec<WordId>> = shards.iter().map(|s| vec![0; s.first.len()]).collect();
        let mut keys: Vec<Box<str>> = Vec::with_capacity(order.len());
        let mut counts: Vec<WordCount> = Vec::with_capacity(order.len());
        for (id, &(c, local, s, shard_id)) in order.iter().enumerate() {
            global[s as usize][shard_id as usize] = id as WordId;
            keys.push(std::mem::take(&mut chunks[c as usize].keys[local as usize]));
            counts.push(shards[s as usize].counts[shard_id as usize]);
        }
        drop((order, shards));
        // Of the chunks only the tokens are needed now: the other copies of the keys (a
        // word's later occurrences in other chunks) go.
        let chunk_tokens: Vec<Vec<Vec<Token>>> = chunks.into_iter().map(|c| c.tokens).collect();

        let infos: Vec<WordInfo> = keys
            .par_iter()
            .map_init(PartMemo::default, |memo, k| self.analyze_key_with(k, memo))
            .collect();
        drop(keys);
        let mask = (1 << SHARD_BITS) - 1;
        let tokens: Vec<Vec<Token>> = chunk_tokens
            .into_par_iter()
            .zip(remaps)
            .flat_map_iter(|(docs, remap)| {
                let remap: Vec<WordId> = remap
                    .into_iter()
                    .map(|place| {
                        let place = place.into_inner();
                        global[(place >> SHARD_BITS) as usize][(place & mask) as usize]
                    })
                    .collect();
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
            words: Words::build(infos, chunk.counts.into_iter().map(WordCount::from).collect()),
            tokens: chunk.tokens,
        }
    }

    /// Splits the texts of one chunk into words with chunk-local ids.
    fn split_chunk(&self, texts: &[&str]) -> Chunk {
        let mut index: FastMap<Box<str>, WordId> =
            FastMap::with_capacity_and_hasher(texts.len() * NEW_WORDS_PER_TEXT, Default::default());
        let mut chunk = Chunk {
            keys: Vec::new(),
            counts: Vec::new(),
            tokens: Vec::with_capacity(texts.len()),
            shards: Vec::new(),
        };
        let mut key = String::new();
        let mut next = String::new();
        // Byte ranges of the words of the text at hand.
        let mut spans: Vec<Range<usize>> = Vec::new();
        for text in texts {
            let normalized;
            let text = if super::is_nfc(text) {
                *text
            } else {
                normalized = super::nfc(text);
                normalized.as_str()
            };
            spans.clear();
            // The text is NFC by now: its words as they stand (what `word_offsets` gives
            // after the same check).
            spans.extend(super::words(text).map(|(start, word)| start..start + word.len()));
            let mut doc = Vec::with_capacity(spans.len());
            for (position, span) in spans.iter().enumerate() {
                let raw = &text[span.clone()];
                super::word_key(raw, &mut key);
                // The first word of a hyphenated pair (`tverr-kommunalt`) is its own entry:
                // it also carries the joined word as a part.
                if let Some(following) = spans.get(position + 1) {
                    if text.get(span.end..following.start) == Some("-") {
                        super::word_key(&text[following.clone()], &mut next);
                        key.push('-');
                        key.push_str(&next);
                    }
                }
                let id = match index.get(key.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = chunk.counts.len() as WordId;
                        index.insert(key.as_str().into(), id);
                        chunk.counts.push(ChunkCount::default());
                        id
                    }
                };
                let c = &mut chunk.counts[id as usize];
                c.count = c.count.saturating_add(1);
                c.upper = c.upper.saturating_add(u32::from(super::is_upper(raw)));
                doc.push(Token { word: id });
            }
            chunk.tokens.push(doc);
        }
        // The keys in id order, moved out of the index.
        chunk.keys = vec![Box::default(); chunk.counts.len()];
        for (key, id) in index {
            chunk.keys[id as usize] = key;
        }
        chunk
    }
}
