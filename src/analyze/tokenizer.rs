//! The analyzer as a tantivy tokenizer, so that queries and snippets go through exactly
//! the same steps as the indexed text. tantivy does not store tokenizers: the index
//! module registers this one under [`TOKENIZER_NAME`] every time it opens an index.

use super::{Analyzer, Token, WordInfo};
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
/// word's position (its index in the text's tokens) and offsets (so a part's match
/// highlights the whole word).
pub fn part_tokens<'a>(
    position: usize,
    t: &Token,
    word: &'a WordInfo,
) -> impl Iterator<Item = TantivyToken> + 'a {
    let at = position_of(position, t);
    word.parts.iter().map(move |p| TantivyToken {
        text: p.stem.clone(),
        ..at.clone()
    })
}

/// The stem, then the parts: every term a word contributes (used to find what to highlight).
pub fn index_tokens<'a>(
    position: usize,
    t: &Token,
    word: &'a WordInfo,
) -> impl Iterator<Item = TantivyToken> + 'a {
    std::iter::once(to_tantivy(position, t, word)).chain(part_tokens(position, t, word))
}

fn position_of(position: usize, t: &Token) -> TantivyToken {
    TantivyToken {
        offset_from: t.start as usize,
        offset_to: t.end as usize,
        position,
        text: String::new(),
        position_length: 1,
    }
}

/// One analysed token as tantivy indexes it: the stem, with the surface word's offsets.
pub fn to_tantivy(position: usize, t: &Token, word: &WordInfo) -> TantivyToken {
    TantivyToken {
        text: word.stem.clone(),
        ..position_of(position, t)
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
        let tokens = if self.with_parts {
            doc.iter()
                .enumerate()
                .flat_map(|(p, t)| index_tokens(p, t, words.info(t)))
                .collect()
        } else {
            doc.iter()
                .enumerate()
                .map(|(p, t)| to_tantivy(p, t, words.info(t)))
                .collect()
        };
        VecTokenStream::new(tokens)
    }
}
