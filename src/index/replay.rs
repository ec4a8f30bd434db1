//! Tokenizers used only while an index is built: they replay what the analyze stage
//! already found instead of analysing again.
//!
//! The `text` and `parts` fields of row `ord` are given the value `ord` (its decimal
//! digits, indexed, never stored); their build-time tokenizers read that row's tokens from
//! the shared [`Analysis`] and emit each word's stem (`text`) or its compound parts' stems
//! (`parts`), reusing one token buffer, so no string is made per token and nothing is
//! serialised between the document and the indexer. When an index is opened for search,
//! the same tokenizer names are bound to the real analyzer (see
//! [`super::register_tokenizers`]), which gives exactly these tokens for the text.
//!
//! Fields that repeat one value over many rows (the question, the theme label, human
//! labels) go through [`Memo`], which analyses each distinct value once per writer thread.

use crate::analysis::Analysis;
use crate::analyze::{NorwegianTokenizer, Token, VecTokenStream, WordInfo, Words};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

/// Which terms of a row a [`RowTokens`] tokenizer emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Terms {
    /// Each word's stem.
    Stems,
    /// Each compound part's stem, at its word's position.
    Parts,
}

/// Build-time tokenizer: the value is a row's position in `analysis.rows`.
#[derive(Clone)]
pub(crate) struct RowTokens {
    analysis: Arc<Analysis>,
    terms: Terms,
}

impl RowTokens {
    pub(crate) fn new(analysis: Arc<Analysis>, terms: Terms) -> RowTokens {
        RowTokens { analysis, terms }
    }
}

/// The value that [`RowTokens`] reads for row `ord`.
pub(crate) fn row_value(ord: usize) -> String {
    ord.to_string()
}

impl Tokenizer for RowTokens {
    type TokenStream<'a> = RowTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> RowTokenStream<'a> {
        let tokens = text
            .parse::<usize>()
            .ok()
            .and_then(|ord| self.analysis.rows.get(ord))
            .map(|row| &*row.tokens)
            .unwrap_or_default();
        RowTokenStream {
            words: &self.analysis.words,
            tokens,
            terms: self.terms,
            next: 0,
            part: 0,
            token: TantivyToken::default(),
        }
    }
}

/// Stream over one row's tokens (or their parts).
pub(crate) struct RowTokenStream<'a> {
    words: &'a Words,
    tokens: &'a [Token],
    terms: Terms,
    /// Index of the next token to look at.
    next: usize,
    /// Index of the next part of `tokens[next]` (parts only).
    part: usize,
    token: TantivyToken,
}

impl RowTokenStream<'_> {
    /// Emits `term` for the row's `position`-th token. Its byte offsets are left at zero:
    /// tantivy indexes positions and keeps no offsets, and tokens do not store them.
    fn emit(&mut self, position: usize, term: &str) {
        self.token.text.clear();
        self.token.text.push_str(term);
        self.token.position = position;
        self.token.position_length = 1;
    }
}

impl TokenStream for RowTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(&t) = self.tokens.get(self.next) {
            let info: &WordInfo = &self.words[t.word];
            match self.terms {
                Terms::Stems => {
                    self.next += 1;
                    self.emit(self.next - 1, &info.stem);
                    return true;
                }
                Terms::Parts => match info.parts.get(self.part) {
                    Some(p) => {
                        self.part += 1;
                        let stem = &p.stem;
                        self.emit(self.next, stem);
                        return true;
                    }
                    None => {
                        self.next += 1;
                        self.part = 0;
                    }
                },
            }
        }
        false
    }

    fn token(&self) -> &TantivyToken {
        &self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.token
    }
}

/// Most distinct values a [`Memo`] keeps before it starts over.
const MEMO_LIMIT: usize = 4096;

/// The Norwegian analyzer with a memory of the values it analysed, for fields whose value
/// repeats over rows. Each writer thread has its own copy; the output is the analyzer's.
#[derive(Clone)]
pub(crate) struct Memo {
    inner: NorwegianTokenizer,
    seen: HashMap<String, Vec<TantivyToken>>,
}

impl Memo {
    pub(crate) fn new(inner: NorwegianTokenizer) -> Memo {
        Memo {
            inner,
            seen: HashMap::new(),
        }
    }
}

impl Tokenizer for Memo {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        if let Some(tokens) = self.seen.get(text) {
            return VecTokenStream::new(tokens.clone());
        }
        if self.seen.len() >= MEMO_LIMIT {
            self.seen.clear();
        }
        let mut stream = self.inner.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        self.seen.insert(text.to_string(), tokens.clone());
        VecTokenStream::new(tokens)
    }
}
