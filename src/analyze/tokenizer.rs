//! The analyzer as a tantivy tokenizer, so that queries and snippets go through exactly
//! the same steps as the indexed text. tantivy does not store tokenizers: the index
//! module registers this one under [`TOKENIZER_NAME`] every time it opens an index.

use super::{Analyzer, Token};
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

/// Name under which the Norwegian analyzer is registered in every stemme index.
pub const TOKENIZER_NAME: &str = "stemme_nb";

/// tantivy adapter around [`Analyzer`]: emits one token per content word, its text the stem.
#[derive(Clone, Default)]
pub struct NorwegianTokenizer {
    analyzer: Analyzer,
}

impl NorwegianTokenizer {
    pub fn new(analyzer: Analyzer) -> Self {
        NorwegianTokenizer { analyzer }
    }

    /// The analysed text as tantivy tokens.
    pub fn tantivy_tokens(analyzer: &Analyzer, text: &str) -> Vec<TantivyToken> {
        analyzer.analyze(text).iter().map(to_tantivy).collect()
    }
}

/// One analysed token as tantivy indexes it: the stem, with the surface word's offsets.
pub fn to_tantivy(t: &Token) -> TantivyToken {
    TantivyToken {
        offset_from: t.offset.start,
        offset_to: t.offset.end,
        position: t.position,
        text: t.stem.clone(),
        position_length: 1,
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
        VecTokenStream {
            tokens: Self::tantivy_tokens(&self.analyzer, text),
            next: 0,
        }
    }
}
