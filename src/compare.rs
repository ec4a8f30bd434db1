//! Stage: compare. Themes and scope tags in, [`Comparison`] out: how each theme divides
//! between local, national, both and unspecified responses (counts and shares), and the
//! words most distinctive of local versus national responses by log-likelihood keyness
//! (G², with Log Ratio as the effect size). The groups compared are the responses tagged
//! only local and only national; words that are themselves scope markers are left out of
//! the keyness lists, since they define the groups.

use crate::analyze::{Vocabulary, Words};
use crate::row::Row;
use crate::scope::{Scope, ScopeTagger};
use crate::themes::ThemeModel;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One row of the theme × scope table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeScopeRow {
    /// Theme id; 0 is the unclassified bucket.
    pub theme: usize,
    pub label: String,
    /// Counts per scope, in [`Scope::ALL`] order.
    pub counts: [usize; 4],
    /// Share of each scope group's responses that fall in this theme.
    pub shares: [f64; 4],
}

/// A word's keyness between the local and the national responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyness {
    /// Display form.
    pub term: String,
    pub stem: String,
    /// Occurrences in the local and national responses.
    pub local: u64,
    pub national: u64,
    /// Log-likelihood G² (Dunning 1993; 3.84 ≈ p < 0.05 for one comparison).
    pub g2: f64,
    /// log2 of the ratio of relative frequencies (local over national), with 0.5 added
    /// to zero counts.
    pub log_ratio: f64,
}

/// The local-versus-national comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Responses per scope, in [`Scope::ALL`] order.
    pub scope_totals: [usize; 4],
    pub table: Vec<ThemeScopeRow>,
    /// Words used more in local responses, strongest first.
    pub local_terms: Vec<Keyness>,
    /// Words used more in national responses, strongest first.
    pub national_terms: Vec<Keyness>,
    /// Tokens in the local and the national group.
    pub local_tokens: u64,
    pub national_tokens: u64,
}

/// G² at which one comparison is significant at p < 0.05 (chi-squared, 1 degree of freedom).
pub const G2_SIGNIFICANT: f64 = 3.84;

impl Keyness {
    /// The G² formatted with two decimals, `*` marking p < 0.05 for this one comparison.
    pub fn g2_marked(&self) -> String {
        let star = if self.g2 >= G2_SIGNIFICANT { "*" } else { "" };
        format!("{:.2}{star}", self.g2)
    }
}

/// Minimum occurrences in the favoured group for a word to be listed.
const MIN_FREQ: u64 = 2;
/// Words listed per side.
const TOP: usize = 15;

fn scope_index(scope: Scope) -> usize {
    Scope::ALL.iter().position(|&s| s == scope).unwrap_or(3)
}

/// G² for a word seen `a` times in a group of `c` tokens and `b` times in one of `d`.
pub fn log_likelihood(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    if c + d == 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| if o > 0.0 && e > 0.0 { o * (o / e).ln() } else { 0.0 };
    2.0 * (term(a, e1) + term(b, e2))
}

/// Log Ratio effect size (log2 of the relative-frequency ratio, zeros as 0.5).
pub fn log_ratio(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let f = |x: u64| if x == 0 { 0.5 } else { x as f64 };
    ((f(a) / c.max(1) as f64) / (f(b) / d.max(1) as f64)).log2()
}

/// Builds the comparison over the analysed rows.
pub fn compare(
    data: &[Row],
    words: &Words,
    themes: &ThemeModel,
    vocabulary: &Vocabulary,
    tagger: &ScopeTagger,
) -> Comparison {
    let mut scope_totals = [0usize; 4];
    for r in data {
        scope_totals[scope_index(r.scope.scope)] += 1;
    }
    let mut rows: Vec<ThemeScopeRow> = themes
        .themes
        .iter()
        .map(|t| (t.id, t.label.clone()))
        .chain(std::iter::once((0, "unclassified".to_string())))
        .map(|(theme, label)| ThemeScopeRow {
            theme,
            label,
            counts: [0; 4],
            shares: [0.0; 4],
        })
        .collect();
    let unclassified_row = rows.len() - 1;
    for r in data {
        let row = r.theme.map_or(unclassified_row, |id| id - 1);
        rows[row].counts[scope_index(r.scope.scope)] += 1;
    }
    for row in &mut rows {
        for ((share, &count), &total) in row.shares.iter_mut().zip(&row.counts).zip(&scope_totals) {
            *share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
        }
    }

    let mut freq: HashMap<&str, (u64, u64)> = HashMap::new();
    let (mut local_tokens, mut national_tokens) = (0u64, 0u64);
    for r in data {
        for stem in r.tokens.iter().filter_map(|t| words.feature_stem(t.word)) {
            let e = freq.entry(words.stem(stem)).or_default();
            match r.scope.scope {
                Scope::Local => {
                    e.0 += 1;
                    local_tokens += 1;
                }
                Scope::National => {
                    e.1 += 1;
                    national_tokens += 1;
                }
                _ => {}
            }
        }
    }
    let mut scored: Vec<Keyness> = freq
        .into_iter()
        .map(|(stem, (a, b))| Keyness {
            term: vocabulary.display(stem),
            stem: stem.to_string(),
            local: a,
            national: b,
            g2: log_likelihood(a, b, local_tokens, national_tokens),
            log_ratio: log_ratio(a, b, local_tokens, national_tokens),
        })
        .filter(|k| !tagger.is_marker(&k.term))
        .collect();
    scored.sort_by(|a, b| b.g2.total_cmp(&a.g2).then(a.stem.cmp(&b.stem)));
    let side = |local: bool| -> Vec<Keyness> {
        scored
            .iter()
            .filter(|k| {
                if local {
                    k.log_ratio > 0.0 && k.local >= MIN_FREQ
                } else {
                    k.log_ratio < 0.0 && k.national >= MIN_FREQ
                }
            })
            .take(TOP)
            .cloned()
            .collect()
    };
    Comparison {
        scope_totals,
        table: rows,
        local_terms: side(true),
        national_terms: side(false),
        local_tokens,
        national_tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_likelihood_matches_a_hand_computed_value() {
        // a=10 in 1000 tokens vs b=2 in 1000: E=6 each; G² = 2(10 ln(10/6) + 2 ln(2/6)).
        let expected = 2.0 * (10.0 * (10.0f64 / 6.0).ln() + 2.0 * (2.0f64 / 6.0).ln());
        assert!((log_likelihood(10, 2, 1000, 1000) - expected).abs() < 1e-12);
        assert_eq!(log_likelihood(0, 0, 10, 10), 0.0);
        assert!((log_ratio(10, 5, 1000, 1000) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn significant_g2_is_starred() {
        let k = |g2| Keyness {
            term: "x".into(),
            stem: "x".into(),
            local: 1,
            national: 0,
            g2,
            log_ratio: 1.0,
        };
        assert_eq!(k(3.9).g2_marked(), "3.90*");
        assert_eq!(k(1.5).g2_marked(), "1.50");
    }
}
