//! The analyzer as a tantivy tokenizer, so that queries and snippets go through exactly
//! the same steps as the indexed text. tantivy does not store tokenizers: the index
//! module registers this one under [`TOKENIZER_NAME`] every time it opens an index.

use super::{Analyzer, Token};
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
/// word's position and offsets (so a part's match highlights the whole word).
pub fn part_tokens(t: &Token) -> impl Iterator<Item = TantivyToken> + '_ {
    t.parts.iter().map(move |p| TantivyToken {
        text: p.stem.clone(),
        ..to_tantivy_ref(t)
    })
}

/// The stem, then the parts: every term a word contributes (used to find what to highlight).
pub fn index_tokens(t: &Token) -> impl Iterator<Item = TantivyToken> + '_ {
    std::iter::once(to_tantivy(t)).chain(part_tokens(t))
}

fn to_tantivy_ref(t: &Token) -> TantivyToken {
    TantivyToken {
        offset_from: t.offset.start,
        offset_to: t.offset.end,
        position: t.position,
        text: String::new(),
        position_length: 1,
    }
}

/// One analysed token as tantivy indexes it: the stem, with the surface word's offsets.
pub fn to_tantivy(t: &Token) -> TantivyToken {
    TantivyToken {
        text: t.stem.to_string(),
        ..to_tantivy_ref(t)
    }
}

/// Token stream over a pre-computed token list.
pub struct VecTokenStream {
    tokens: Vec<TantivyToken>,
    next: usize,
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
        let tokens = if self.with_parts {
            analysed.iter().flat_map(index_tokens).collect()
        } else {
            analysed.iter().map(to_tantivy).collect()
        };
        VecTokenStream { tokens, next: 0 }
    }
}
