//! One analysed row per response: the response, then what the stages add to it in turn
//! (analyze: its tokens; scope: its tag; themes: its theme). The index and every report
//! read rows, so each response is held once and nothing is joined by position.

use crate::analyze::{Analysed, Analyzer, Token, Words};
use crate::model::Response;
use crate::scope::ScopeTag;

/// One response and what the stages made of it.
#[derive(Debug, Clone)]
pub struct Row {
    pub response: Response,
    /// The analysed words of the text (ids into [`Analysis::words`]).
    pub tokens: Box<[Token]>,
    pub scope: ScopeTag,
    /// The theme's id (1-based); `None` when unclassified.
    pub theme: Option<u32>,
}

// A million-response run holds a million rows: keep them small.
const _: () = assert!(std::mem::size_of::<Row>() == 152);

impl Row {
    /// A row whose scope is not tagged yet (unspecified, no evidence) and in no theme.
    pub fn new(response: Response, tokens: Vec<Token>) -> Row {
        Row {
            response,
            tokens: tokens.into(),
            scope: ScopeTag {
                scope: crate::scope::Scope::Unspecified,
                evidence: Box::default(),
                basis: Default::default(),
            },
            theme: None,
        }
    }

    /// Analyses `responses` together and makes a row of each (tools and tests that need
    /// rows without a whole run); returns the rows with the run's word table.
    pub fn analyse_all(responses: Vec<Response>) -> (Vec<Row>, Words) {
        let mut rows: Vec<Row> = responses.into_iter().map(|r| Row::new(r, Vec::new())).collect();
        let words = Row::analyse(&mut rows, &|_| {});
        (rows, words)
    }

    /// Analyses the rows' texts together (in parallel, each distinct word once) and gives
    /// each row its tokens; returns the run's word table.
    pub fn analyse(rows: &mut [Row], progress: &(dyn Fn(u64) + Sync)) -> Words {
        let texts: Vec<&str> = rows.iter().map(|r| &*r.response.text).collect();
        let Analysed { words, tokens } = Analyzer::norwegian().analyze_all(&texts, progress);
        drop(texts);
        for (row, tokens) in rows.iter_mut().zip(tokens) {
            row.tokens = tokens.into();
        }
        words
    }
}
