//! The compound splitter's lexicon (`lexicon/compound_words.txt`) as a hash table that is
//! built once, at compile time, by `build.rs`, and read in place at run time.
//!
//! Why: the lexicon lists about 133,000 lemmas. Parsing it into a `HashMap` cost about
//! 15 ms on every start, which every `stemme search` paid before its first hit. The table
//! built here is part of the binary: opening it validates a 20-byte header and the
//! blob's length, and a lookup hashes the word and probes a few slots.
//!
//! This file is shared with `build.rs` (through `#[path]`), so it uses `std` only. The
//! layout, all integers little-endian:
//! - header: `STLX`, slot count (a power of two), entry count, blob length, forms slot
//!   count (a power of two) (u32 each); the blob, the words concatenated, is a text file
//!   of its own, included as a `&str`, so no start pays for checking its UTF-8;
//! - slots, 8 bytes each: blob offset (u32), word length in bytes (u8, 0 for an empty
//!   slot), flags (u8), paradigm number (u16, `u16::MAX` for none); open addressing with
//!   linear probing from the word's Fx hash;
//! - a Bloom filter of the words ([`BLOOM_BYTES`] bytes): most lookups are of strings that
//!   are not lemmas (the splitter tries every stretch of a word as a first part),
//!   and the filter, small enough to stay in the CPU's L2 cache, turns nearly all of them
//!   away without touching the 2 MB of slots;
//! - the forms index: every noun and adjective form the lexicon implies (about 1.2 million:
//!   each lemma's paradigm, and the regular endings of [`NOUN_ENDINGS`] and
//!   [`ADJ_ENDINGS`]) with its lemma, so that the lemmas of a form take one probe rather than
//!   one per inflection rule (some sixty); the splitter asks this of every tail of every
//!   word. Forms slots, 8 bytes each: the lemma's slot number plus one (u32, 0 for an empty
//!   slot), the code of the rule that makes the form ([`each_form`], u16), and 16 bits of
//!   the form's hash; open addressing with linear probing from the form's Fx hash. The form
//!   itself is not stored: the caller checks that the rule makes it of the lemma.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub const NOUN: u8 = 1;
pub const ADJ: u8 = 2;
pub const VERB: u8 = 4;
pub const ADV: u8 = 8;
pub const PRODUCTIVE_FIRST: u8 = 16;
pub const PRODUCTIVE_LAST: u8 = 32;
pub const LINKS_WITH_S: u8 = 64;

const MAGIC: &[u8; 4] = b"STLX";
const HEADER: usize = 20;
const SLOT: usize = 8;
const FORM_SLOT: usize = 8;
const NO_PARADIGM: u16 = u16::MAX;
/// Size of the Bloom filter: 2 Mbit, about 15 bits a lemma, three bits set per word, so
/// about one probe in 400 of a non-lemma gets through to the slots.
const BLOOM_BYTES: usize = 1 << 18;

/// Regular noun endings, accepted for noun lemmas whose forms the list lacks.
pub const NOUN_ENDINGS: &[&str] = &["", "a", "en", "ene", "er", "et", "n", "ne", "r", "t"];
/// Regular adjective endings.
pub const ADJ_ENDINGS: &[&str] = &["", "e", "t"];

/// Rule codes from this one on stand for a regular ending (the code's offset into
/// [`NOUN_ENDINGS`], then [`ADJ_ENDINGS`]); lower codes are inflection rule numbers.
pub const REGULAR: u16 = 0x8000;

/// The regular ending that rule code `code` stands for, if it stands for one.
pub fn regular_ending(code: u16) -> Option<&'static str> {
    let k = usize::from(code.checked_sub(REGULAR)?);
    NOUN_ENDINGS
        .get(k)
        .or_else(|| ADJ_ENDINGS.get(k - NOUN_ENDINGS.len()))
        .copied()
}

/// The 16 bits of a form's Fx hash `h` that its forms slots keep (from a re-mixed copy of
/// the hash, whose low bits already pick the slot).
fn fingerprint(h: u64) -> u16 {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48) as u16
}

/// The three filter bits of a word with Fx hash `h` in a filter of `bytes` bytes (taken
/// from a re-mixed copy of the hash, whose low bits already pick the slot).
fn bloom_bits(h: u64, bytes: usize) -> [usize; 3] {
    let mask = bytes as u64 * 8 - 1;
    let g = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    [g >> 43, g >> 22, g >> 1].map(|b| (b & mask) as usize)
}

fn bloom_insert(filter: &mut [u8], word: &[u8]) {
    for bit in bloom_bits(fx_hash(word), filter.len()) {
        filter[bit >> 3] |= 1 << (bit & 7);
    }
}

fn bloom_has(filter: &[u8], h: u64) -> bool {
    bloom_bits(h, filter.len())
        .iter()
        .all(|&bit| filter[bit >> 3] & (1 << (bit & 7)) != 0)
}

/// The inflection rules (`cut`, `ending`: a form is the lemma without `cut`, plus
/// `ending`) and the paradigms (sorted rule numbers) of the `@r` and `@p` lines of `text`.
pub fn parse_inflection(text: &str) -> (Vec<(&str, &str)>, Vec<Vec<u32>>) {
    let (mut rules, mut paradigms) = (Vec::new(), Vec::new());
    for line in text.lines() {
        match parse_line(line) {
            Line::Rules(list) => {
                rules.extend(
                    list.split(' ')
                        .map(|rule| rule.split_once(':').unwrap_or((rule, ""))),
                );
            }
            Line::Paradigm(numbers) => {
                let mut paradigm: Vec<u32> = numbers.split(' ').filter_map(|n| n.parse().ok()).collect();
                paradigm.sort_unstable();
                paradigms.push(paradigm);
            }
            Line::Word(..) | Line::Skip => {}
        }
    }
    (rules, paradigms)
}

/// The Fx hash (as in rustc): the keys are short words, for which mixing eight bytes at a
/// time is much faster than SipHash. Not DoS-resistant, which word lookups do not need.
#[derive(Default)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        // The multiply mixes upwards only: fold the well-mixed high half into the low bits
        // that pick the bucket.
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The last bytes, little-endian and zero-padded, assembled in registers (a
            // copy of a variable length would call `memcpy` on every short word).
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |word, &byte| word << 8 | u64::from(byte));
            self.add(word);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn fx_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// What the lexicon says about one lemma.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub flags: u8,
    /// Index into the paradigms, or `None` when the lemma has no noun/adjective forms.
    pub paradigm: Option<u32>,
}

/// One line of `compound_words.txt`.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A comment, or a line without the two columns a lemma needs.
    Skip,
    /// `@r`: inflection rules `cut:append`, numbered from 0 over all `@r` lines.
    Rules(&'a str),
    /// `@p`: one paradigm's rule numbers, paradigms numbered from 0.
    Paradigm(&'a str),
    /// `lemma<TAB>flags[<TAB>paradigm]`.
    Word(&'a str, Entry),
}

/// Reads one line of the lexicon.
pub fn parse_line(line: &str) -> Line<'_> {
    if line.starts_with('#') {
        return Line::Skip;
    }
    if let Some(rules) = line.strip_prefix("@r\t") {
        return Line::Rules(rules);
    }
    if let Some(numbers) = line.strip_prefix("@p\t") {
        return Line::Paradigm(numbers);
    }
    let mut cols = line.split('\t');
    let (Some(lemma), Some(flags)) = (cols.next(), cols.next()) else {
        return Line::Skip;
    };
    let paradigm = cols.next().and_then(|p| p.parse().ok());
    let flags = flags.bytes().fold(0, |acc, f| {
        acc | match f {
            b'n' => NOUN,
            b'a' => ADJ,
            b'v' => VERB,
            b'd' => ADV,
            b'M' => PRODUCTIVE_FIRST,
            b'H' => PRODUCTIVE_LAST,
            b'S' => LINKS_WITH_S,
            _ => 0,
        }
    });
    Line::Word(lemma, Entry { flags, paradigm })
}

/// Builds the table's bytes from the lexicon text (used by `build.rs`). Words that cannot
/// be stored (empty, over 255 bytes, a paradigm number over 65,534) are left out; a word
/// listed twice keeps its last entry, as a map insert would, and only that entry's forms.
#[cfg_attr(not(test), allow(dead_code))] // the crate itself reads the table `build.rs` made
pub fn build_table(text: &str) -> (Vec<u8>, String) {
    let mut words: Vec<(&str, Entry)> = Vec::new();
    for line in text.lines() {
        if let Line::Word(word, entry) = parse_line(line) {
            let storable = !word.is_empty()
                && word.len() <= usize::from(u8::MAX)
                && entry.paradigm.is_none_or(|p| p < u32::from(NO_PARADIGM));
            if storable {
                words.push((word, entry));
            }
        }
    }
    let slot_count = (words.len() * 4 / 3 + 1).next_power_of_two();
    let mask = slot_count - 1;
    let mut slots = vec![[0u8; SLOT]; slot_count];
    let mut blob: Vec<u8> = Vec::new();
    let mut entries = 0u32;
    for &(word, entry) in &words {
        let mut i = fx_hash(word.as_bytes()) as usize & mask;
        loop {
            let slot = &mut slots[i];
            let len = usize::from(slot[4]);
            let offset = u32::from_le_bytes([slot[0], slot[1], slot[2], slot[3]]) as usize;
            if len == 0 || blob.get(offset..offset + len) == Some(word.as_bytes()) {
                if len == 0 {
                    slot[..4].copy_from_slice(&(blob.len() as u32).to_le_bytes());
                    slot[4] = word.len() as u8;
                    blob.extend_from_slice(word.as_bytes());
                    entries += 1;
                }
                slot[5] = entry.flags;
                let paradigm = entry.paradigm.map_or(NO_PARADIGM, |p| p as u16);
                slot[6..8].copy_from_slice(&paradigm.to_le_bytes());
                break;
            }
            i = (i + 1) & mask;
        }
    }
    let mut bloom = vec![0u8; BLOOM_BYTES];
    for slot in &slots {
        let len = usize::from(slot[4]);
        if len > 0 {
            let offset = u32::from_le_bytes([slot[0], slot[1], slot[2], slot[3]]) as usize;
            bloom_insert(&mut bloom, &blob[offset..offset + len]);
        }
    }
    let blob = String::from_utf8(blob).expect("whole words were appended");
    let forms = forms_index(&slots, &blob, text);
    let mut out = Vec::with_capacity(HEADER + slot_count * SLOT + BLOOM_BYTES + forms.len() * FORM_SLOT);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(slot_count as u32).to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
    out.extend_from_slice(&(forms.len() as u32).to_le_bytes());
    for slot in &slots {
        out.extend_from_slice(slot);
    }
    out.extend_from_slice(&bloom);
    for slot in &forms {
        out.extend_from_slice(slot);
    }
    (out, blob)
}

/// Every noun and adjective form of `lemma` (with `entry`), as a base, an ending to
/// append and the code of the rule that does so (an inflection rule's number, or
/// [`REGULAR`] and up): by its paradigm's rules, then by the regular endings its flags
/// allow. A form may come twice. The one expansion behind both the forms index and
/// `CompoundSplitter::forms`.
pub fn each_form<'l, 'r>(
    lemma: &'l str,
    entry: Entry,
    rules: &[(&'r str, &'r str)],
    paradigms: &[Vec<u32>],
    mut form: impl FnMut(&'l str, &'r str, u16),
) {
    let paradigm = entry.paradigm.and_then(|p| paradigms.get(p as usize));
    for &number in paradigm.into_iter().flatten() {
        if let Some(&(cut, ending)) = rules.get(number as usize) {
            if let Some(base) = lemma.strip_suffix(cut) {
                form(base, ending, number as u16);
            }
        }
    }
    let mut code = REGULAR;
    for (endings, flag) in [(NOUN_ENDINGS, NOUN), (ADJ_ENDINGS, ADJ)] {
        for ending in endings {
            if entry.flags & flag != 0 {
                form(lemma, ending, code);
            }
            code += 1;
        }
    }
}

/// The forms index's slots: every form of every lemma in `slots` ([`each_form`], with the
/// rules and paradigms of `text`), once per lemma.
fn forms_index(slots: &[[u8; SLOT]], blob: &str, text: &str) -> Vec<[u8; FORM_SLOT]> {
    let (rules, paradigms) = parse_inflection(text);
    assert!(
        rules.len() < usize::from(REGULAR),
        "rule numbers fit below the regular codes"
    );
    let mut pairs: Vec<(u64, u32, u16)> = Vec::new();
    let mut forms: Vec<(String, u16)> = Vec::new();
    for (number, slot) in slots.iter().enumerate() {
        let Some((lemma, entry)) = read_slot(slot, blob) else {
            continue;
        };
        forms.clear();
        each_form(lemma, entry, &rules, &paradigms, |base, ending, code| {
            forms.push(([base, ending].concat(), code));
        });
        // The same form of one lemma, by several rules, is listed once (with its first).
        forms.sort_by(|a, b| a.0.cmp(&b.0));
        forms.dedup_by(|a, b| a.0 == b.0);
        for (form, code) in &forms {
            pairs.push((fx_hash(form.as_bytes()), number as u32 + 1, *code));
        }
    }
    let mask = (pairs.len() * 4 / 3 + 1).next_power_of_two() - 1;
    let mut out = vec![[0u8; FORM_SLOT]; mask + 1];
    for (h, lemma_slot, code) in pairs {
        let mut i = h as usize & mask;
        while out[i][..4] != [0; 4] {
            i = (i + 1) & mask;
        }
        out[i][..4].copy_from_slice(&lemma_slot.to_le_bytes());
        out[i][4..6].copy_from_slice(&code.to_le_bytes());
        out[i][6..].copy_from_slice(&fingerprint(h).to_le_bytes());
    }
    out
}

/// The lemma and entry in one slot of the table, `None` for an empty slot.
fn read_slot<'b>(slot: &[u8], blob: &'b str) -> Option<(&'b str, Entry)> {
    let len = usize::from(slot[4]);
    if len == 0 {
        return None;
    }
    let offset = u32::from_le_bytes([slot[0], slot[1], slot[2], slot[3]]) as usize;
    let paradigm = u16::from_le_bytes([slot[6], slot[7]]);
    let entry = Entry {
        flags: slot[5],
        paradigm: (paradigm != NO_PARADIGM).then_some(u32::from(paradigm)),
    };
    Some((blob.get(offset..offset + len)?, entry))
}

/// The lemmas of the lexicon, looked up in place in the bytes [`build_table`] made.
pub struct WordTable {
    slots: &'static [u8],
    blob: &'static str,
    mask: usize,
    bloom: &'static [u8],
    forms: &'static [u8],
    forms_mask: usize,
}

impl WordTable {
    /// Reads a table and its blob; `None` when they are not one.
    pub fn new(bytes: &'static [u8], blob: &'static str) -> Option<WordTable> {
        let u32_at = |at: usize| -> Option<usize> {
            let b = bytes.get(at..at + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        if bytes.get(..4)? != MAGIC {
            return None;
        }
        let (slot_count, blob_len, form_slots) = (u32_at(4)?, u32_at(12)?, u32_at(16)?);
        if !slot_count.is_power_of_two() || !form_slots.is_power_of_two() {
            return None;
        }
        let slots_end = HEADER + slot_count * SLOT;
        let slots = bytes.get(HEADER..slots_end)?;
        if blob.len() != blob_len {
            return None;
        }
        let bloom = bytes.get(slots_end..slots_end + BLOOM_BYTES)?;
        let forms_at = slots_end + BLOOM_BYTES;
        let forms = bytes.get(forms_at..forms_at + form_slots * FORM_SLOT)?;
        Some(WordTable {
            slots,
            blob,
            mask: slot_count - 1,
            bloom,
            forms,
            forms_mask: form_slots - 1,
        })
    }

    /// The lemmas that the forms index lists for `form`, each with the code of the rule
    /// that makes the form of it ([`each_form`]). A few may come from another form whose
    /// hash bits agree: the caller checks that the rule makes `form` of the lemma.
    pub fn form_lemmas(&self, form: &str) -> impl Iterator<Item = (&'static str, u16)> + '_ {
        let h = fx_hash(form.as_bytes());
        let print = fingerprint(h).to_le_bytes();
        let mut i = h as usize & self.forms_mask;
        // The index is at most three quarters full, so an empty slot ends every probe.
        std::iter::from_fn(move || loop {
            let slot = self.forms.get(i * FORM_SLOT..i * FORM_SLOT + FORM_SLOT)?;
            i = (i + 1) & self.forms_mask;
            let number = u32::from_le_bytes([slot[0], slot[1], slot[2], slot[3]]) as usize;
            if number == 0 {
                return None;
            }
            if slot[6..] == print {
                let at = (number - 1) * SLOT;
                let (lemma, _) = read_slot(self.slots.get(at..at + SLOT)?, self.blob)?;
                return Some((lemma, u16::from_le_bytes([slot[4], slot[5]])));
            }
        })
    }

    /// The entry of the lemma `word`.
    pub fn entry(&self, word: &str) -> Option<Entry> {
        self.get(word).map(|(_, entry)| entry)
    }

    /// The lemma equal to `word` (as the table's own `'static` string) and its entry.
    pub fn get(&self, word: &str) -> Option<(&'static str, Entry)> {
        let h = fx_hash(word.as_bytes());
        if !bloom_has(self.bloom, h) {
            return None;
        }
        let mut i = h as usize & self.mask;
        // The table is at most three quarters full, so an empty slot ends every probe.
        loop {
            let slot = self.slots.get(i * SLOT..i * SLOT + SLOT)?;
            let (lemma, entry) = read_slot(slot, self.blob)?;
            if lemma == word {
                return Some((lemma, entry));
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_of_the_last_bytes_is_of_them_zero_padded() {
        let mut h = FxHasher::default();
        h.add(u64::from_le_bytes(*b"kommunen"));
        h.add(u64::from_le_bytes(*b"e\0\0\0\0\0\0\0"));
        assert_eq!(fx_hash(b"kommunene"), h.finish());
        assert_eq!(fx_hash(b"kommunen"), {
            let mut h = FxHasher::default();
            h.add(u64::from_le_bytes(*b"kommunen"));
            h.finish()
        });
    }
}
