//! One analysed row per response: the response, then what the stages add to it in turn
//! (analyze: its tokens; scope: its tag; themes: its theme). The index and every report
//! read rows, so each response is held once and nothing is joined by position.

use crate::analyze::Token;
use crate::model::Response;
use crate::scope::ScopeTag;

/// One response and what the stages made of it.
#[derive(Debug, Clone)]
pub struct Row {
    pub response: Response,
    /// The analysed words of the text (ids into [`Analysis::words`]).
    pub tokens: Vec<Token>,
    pub scope: ScopeTag,
    /// The theme's id (1-based); `None` when unclassified.
    pub theme: Option<usize>,
}
