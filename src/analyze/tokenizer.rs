//! The analyzer as a tantivy tokenizer, so that queries and snippets go through exactly
//! the same steps as the indexed text. tantivy does not store tokenizers: the index
//! module registers this one under [`TOKENIZER_NAME`] every time it opens an index.

use super::{word_offsets, Analyzer, WordInfo};
use std::ops::Range;
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

/// Name under which the Norwegian analyzer is registered in every stemme index.
pub const TOKENIZER_NAME: &str = "stemme_nb";

/// tantivy adapter around [`Analyzer`]: emits one token per content word, its text the
/// stem. The query side (the default) leaves compounds whole; the index side (used for
/// snippets, to highlight words matched through a part) adds the parts.
#[derive(Clone, Default)]
pub struct NorwegianTokenizer {
    analyzer: Analyzer,
    with_parts: bool,
}

impl NorwegianTokenizer {
    /// The query-side tokenizer.
    pub fn new(analyzer: Analyzer) -> Self {
        NorwegianTokenizer {
            analyzer,
            with_parts: false,
        }
    }

    /// The index-side tokenizer, which also emits compound parts.
    pub fn with_parts(analyzer: Analyzer) -> Self {
        NorwegianTokenizer {
            analyzer,
            with_parts: true,
        }
    }
}

/// The tantivy tokens of one analysed word's compound parts: each part's stem at the
/// word's position (its index in the text's tokens) and byte range `offset` (so a part's
/// match highlights the whole word).
pub fn part_tokens<'a>(
    position: usize,
    offset: Range<usize>,
    word: &'a WordInfo,
) -> impl Iterator<Item = TantivyToken> + 'a {
    let at = position_of(position, offset);
    word.parts.iter().map(move |p| TantivyToken {
        text: p.stem.clone(),
        ..at.clone()
    })
}

/// The stem, then the parts: every term a word contributes (used to find what to highlight).
pub fn index_tokens<'a>(
    position: usize,
    offset: Range<usize>,
    word: &'a WordInfo,
) -> impl Iterator<Item = TantivyToken> + 'a {
    std::iter::once(to_tantivy(position, offset.clone(), word)).chain(part_tokens(position, offset, word))
}

fn position_of(position: usize, offset: Range<usize>) -> TantivyToken {
    TantivyToken {
        offset_from: offset.start,
        offset_to: offset.end,
        position,
        text: String::new(),
        position_length: 1,
    }
}

/// One analysed token as tantivy indexes it: the stem, with the surface word's byte range.
pub fn to_tantivy(position: usize, offset: Range<usize>, word: &WordInfo) -> TantivyToken {
    TantivyToken {
        text: word.stem.clone(),
        ..position_of(position, offset)
    }
}

/// Token stream over a pre-computed token list.
pub struct VecTokenStream {
    tokens: Vec<TantivyToken>,
    next: usize,
}

impl VecTokenStream {
    pub fn new(tokens: Vec<TantivyToken>) -> VecTokenStream {
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &TantivyToken {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for NorwegianTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let analysed = self.analyzer.analyze(text);
        let words = &analysed.words;
        let doc = analysed.tokens.first().map(Vec::as_slice).unwrap_or_default();
        let tokens = doc.iter().zip(word_offsets(text)).enumerate();
        let tokens = if self.with_parts {
            tokens
                .flat_map(|(p, (t, offset))| index_tokens(p, offset, words.info(t)))
                .collect()
        } else {
            tokens
                .map(|(p, (t, offset))| to_tantivy(p, offset, words.info(t)))
                .collect()
        };
        VecTokenStream::new(tokens)
    }
}
