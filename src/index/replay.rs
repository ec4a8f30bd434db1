//! Tokenizers used only while an index is built: they replay what the analyze stage
//! already found instead of analysing again.
//!
//! The `text` and `parts` fields of row `ord` are given the value `ord` (its decimal
//! digits, indexed, never stored); their build-time tokenizers read that row's tokens from
//! the shared [`Analysis`] and emit each word's stem (`text`) or its compound parts' stems
//! (`parts`), reusing one token buffer, so no string is made per token and nothing is
//! serialised between the document and the indexer. The stems are read from a
//! [`TermTable`] made once per build: every word's terms packed in one buffer, so a token
//! costs two small reads instead of a walk through the word's analysis (its strings and
//! part list, each a separate allocation). Offsets are left at zero: the indexer keeps
//! positions only. When an index is opened for search, the same tokenizer names are bound
//! to the real analyzer (see [`super::register_tokenizers`]), which gives exactly these
//! tokens for the text.
//!
//! Fields that repeat one value over many rows (the question, the theme label, human
//! labels) go through [`Memo`], which analyses each distinct value once per writer thread.

use crate::analysis::Analysis;
use crate::analyze::compound::FastMap;
use crate::analyze::{NorwegianTokenizer, Token, Words};
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

/// Where one word's terms are in a [`TermTable`].
#[derive(Debug, Clone, Copy)]
struct WordTerms {
    /// Byte range of the stem in `TermTable::text`.
    stem: [u32; 2],
    /// Range of its parts in `TermTable::parts`.
    parts: [u32; 2],
}

/// The stem and the parts' stems of every word of a run, in one buffer.
pub(crate) struct TermTable {
    text: String,
    /// By word id.
    words: Vec<WordTerms>,
    /// Byte ranges in `text` of the parts' stems, each word's together.
    parts: Vec<[u32; 2]>,
}

impl TermTable {
    /// The table of `words`; `None` if its terms take more than 4 GB.
    pub(crate) fn new(words: &Words) -> Option<TermTable> {
        let mut table = TermTable {
            text: String::new(),
            words: Vec::with_capacity(words.len()),
            parts: Vec::new(),
        };
        for (_, info) in words.iter() {
            let stem = table.push(&info.stem)?;
            let first = u32::try_from(table.parts.len()).ok()?;
            for part in &info.parts {
                let span = table.push(&part.stem)?;
                table.parts.push(span);
            }
            let end = u32::try_from(table.parts.len()).ok()?;
            table.words.push(WordTerms {
                stem,
                parts: [first, end],
            });
        }
        Some(table)
    }

    /// Appends `term`; its byte range.
    fn push(&mut self, term: &str) -> Option<[u32; 2]> {
        let start = u32::try_from(self.text.len()).ok()?;
        self.text.push_str(term);
        Some([start, u32::try_from(self.text.len()).ok()?])
    }

    fn term(&self, [start, end]: [u32; 2]) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or_default()
    }
}

/// Build-time tokenizer: the value is a row's position in `analysis.rows`.
#[derive(Clone)]
pub(crate) struct RowTokens {
    analysis: Arc<Analysis>,
    table: Arc<TermTable>,
    terms: Terms,
}

impl RowTokens {
    pub(crate) fn new(analysis: Arc<Analysis>, table: Arc<TermTable>, terms: Terms) -> RowTokens {
        RowTokens {
            analysis,
            table,
            terms,
        }
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
            table: &self.table,
            tokens,
            terms: self.terms,
            next: 0,
            parts: [0, 0],
            token: TantivyToken::default(),
        }
    }
}

/// Stream over one row's tokens (or their parts).
pub(crate) struct RowTokenStream<'a> {
    table: &'a TermTable,
    tokens: &'a [Token],
    terms: Terms,
    /// Index of the next token to look at.
    next: usize,
    /// The parts of `tokens[next - 1]` still to emit (parts only).
    parts: [u32; 2],
    token: TantivyToken,
}

impl RowTokenStream<'_> {
    /// Emits the term at `span` of the table at the row's `position`-th token.
    fn emit(&mut self, position: usize, span: [u32; 2]) {
        self.token.text.clear();
        self.token.text.push_str(self.table.term(span));
        self.token.position = position;
        self.token.position_length = 1;
    }
}

impl TokenStream for RowTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let table = self.table;
        match self.terms {
            Terms::Stems => {
                while let Some(t) = self.tokens.get(self.next) {
                    self.next += 1;
                    if let Some(word) = table.words.get(t.word as usize) {
                        self.emit(self.next - 1, word.stem);
                        return true;
                    }
                }
                false
            }
            Terms::Parts => loop {
                let [part, end] = self.parts;
                if part < end {
                    self.parts = [part + 1, end];
                    if let Some(&span) = table.parts.get(part as usize) {
                        self.emit(self.next - 1, span);
                    }
                    return true;
                }
                let Some(t) = self.tokens.get(self.next) else {
                    return false;
                };
                self.next += 1;
                self.parts = table.words.get(t.word as usize).map_or([0, 0], |w| w.parts);
            },
        }
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
    seen: FastMap<String, Vec<TantivyToken>>,
    /// The token a stream hands out, reused from value to value.
    token: TantivyToken,
}

impl Memo {
    pub(crate) fn new(inner: NorwegianTokenizer) -> Memo {
        Memo {
            inner,
            seen: FastMap::default(),
            token: TantivyToken::default(),
        }
    }
}

impl Tokenizer for Memo {
    type TokenStream<'a> = MemoStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MemoStream<'a> {
        if !self.seen.contains_key(text) {
            if self.seen.len() >= MEMO_LIMIT {
                self.seen.clear();
            }
            let mut stream = self.inner.token_stream(text);
            let mut tokens = Vec::new();
            while stream.advance() {
                tokens.push(stream.token().clone());
            }
            self.seen.insert(text.to_string(), tokens);
        }
        MemoStream {
            tokens: self.seen.get(text).map(Vec::as_slice).unwrap_or_default(),
            next: 0,
            token: &mut self.token,
        }
    }
}

/// A value's tokens as the [`Memo`] remembers them, copied one at a time into its token.
pub(crate) struct MemoStream<'a> {
    tokens: &'a [TantivyToken],
    next: usize,
    token: &'a mut TantivyToken,
}

impl TokenStream for MemoStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(t) = self.tokens.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.token.text.clear();
        self.token.text.push_str(&t.text);
        self.token.offset_from = t.offset_from;
        self.token.offset_to = t.offset_to;
        self.token.position = t.position;
        self.token.position_length = t.position_length;
        true
    }

    fn token(&self) -> &TantivyToken {
        self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.token
    }
}
