//! Keyword in context: every occurrence of the query's words in the matching responses,
//! with a fixed width of text to the left and right, the concordance view researchers know
//! from AntConc and quanteda. Occurrences are found the way search matches them
//! (inflections, compound parts, fuzzy if asked).

use super::search::{SearchOptions, Searcher};
use crate::error::Result;
use serde::Serialize;

/// One occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concordance {
    pub id: String,
    pub source: String,
    pub line: u64,
    /// Up to `width` characters before the keyword (line breaks folded).
    pub left: String,
    /// The word as written.
    pub keyword: String,
    /// Up to `width` characters after it.
    pub right: String,
}

/// Collapses each run of white space (line breaks included) into one space.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_whitespace() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

/// Occurrences of `query` in up to `options.limit` best-matching responses.
pub fn concordance(
    searcher: &Searcher,
    query: &str,
    options: &SearchOptions,
    width: usize,
) -> Result<Vec<Concordance>> {
    let result = searcher.search(query, options)?;
    let mut lines = Vec::new();
    for hit in &result.hits {
        for range in &hit.matches {
            let (Some(before), Some(word), Some(after)) = (
                hit.text.get(..range.start),
                hit.text.get(range.clone()),
                hit.text.get(range.end..),
            ) else {
                continue;
            };
            let before = fold(before);
            let skip = before.chars().count().saturating_sub(width);
            lines.push(Concordance {
                id: hit.id.clone(),
                source: hit.source.clone(),
                line: hit.line,
                left: before.chars().skip(skip).collect(),
                keyword: word.to_string(),
                right: fold(after).chars().take(width).collect(),
            });
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_collapses_line_breaks() {
        assert_eq!(fold("a \n\n b\t"), "a b ");
    }
}
