//! What a reader sees of a theme: its distinctive terms, a short label, and quotes.
//!
//! Terms are ranked by class-based TF-IDF over document frequencies (as BERTopic's
//! c-TF-IDF, with "responses using the term" in place of raw counts so one long answer
//! cannot carry a label): the share of the theme's responses that use a term, times
//! `ln(1 + A / df)` where `A` is the mean theme size and `df` the responses across all
//! themes that use it. Stopwords, function words and whatever the caller excludes (scope
//! markers) never label a theme; a term inside an already chosen compound is skipped.
//!
//! Quotes are typical *and* informative: a response scores by its fit to the theme, by
//! how much of the theme's term weight it carries, and by length (very short answers say
//! little, very long ones are not typical); identical texts are shown once.

use super::features::{never_labels, Space, PREFIX_MARK};
use crate::analyze::Vocabulary;
use crate::model::Response;
use rayon::prelude::*;

/// Most terms listed for a theme.
pub const MAX_TERMS: usize = 8;
/// Fewest terms listed when the theme has that many candidates.
pub const MIN_TERMS: usize = 5;

/// A theme's description before ids are given.
pub struct Described {
    pub label: String,
    pub terms: Vec<String>,
    pub quotes: Vec<usize>,
}

/// Describes each cluster. `members[c]` lists (response index, fit in [0, 1]).
pub fn describe(
    responses: &[&Response],
    space: &Space,
    members: &[Vec<(usize, f32)>],
    vocabulary: &Vocabulary,
    excluded: &(dyn Fn(&str) -> bool + Sync),
    quotes: usize,
) -> Vec<Described> {
    let k = members.len();
    let terms = space.terms.len();
    // Responses using each term, per theme (counted in parallel, one theme per task) and
    // over all themes.
    let df: Vec<Vec<u32>> = members
        .par_iter()
        .map(|list| {
            let mut row = vec![0u32; terms];
            for &(i, _) in list {
                for (t, _) in space.docs.get(i).iter() {
                    row[t as usize] += 1;
                }
            }
            row
        })
        .collect();
    let mut total = vec![0u32; terms];
    for row in &df {
        total.iter_mut().zip(row).for_each(|(a, &b)| *a += b);
    }
    // Whether each term may label a theme, decided once for all themes.
    let eligible: Vec<bool> = space
        .terms
        .par_iter()
        .map(|t| labels_theme(t, excluded))
        .collect();
    let classified: usize = members.iter().map(Vec::len).sum();
    let mean_size = classified as f64 / k.max(1) as f64;
    (0..k)
        .into_par_iter()
        .map(|c| {
            let size = members[c].len().max(1) as f64;
            let min_df = if members[c].len() >= 10 { 2 } else { 1 };
            let mut scored: Vec<(f64, usize)> = (0..terms)
                .filter(|&t| df[c][t] >= min_df && eligible[t])
                .map(|t| {
                    let tf = f64::from(df[c][t]) / size;
                    (tf * (1.0 + mean_size / f64::from(total[t])).ln(), t)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(space.terms[a.1].cmp(&space.terms[b.1])));
            let mut chosen: Vec<(f64, usize)> = Vec::new();
            for &(score, t) in &scored {
                if chosen.len() == MAX_TERMS {
                    break;
                }
                let stem = &space.terms[t];
                // A compound and its part say the same: keep the compound, in the place
                // of whichever came first.
                if let Some(slot) = chosen.iter().position(|&(_, s)| {
                    let other = &space.terms[s];
                    stem.len() > other.len() && stem.contains(other.as_str())
                }) {
                    chosen[slot].1 = t;
                    continue;
                }
                let inside = chosen.iter().any(|&(_, s)| {
                    let other = &space.terms[s];
                    other.len() > stem.len() && other.contains(stem.as_str())
                });
                // Past the minimum, only terms with a fair share of the best one's weight.
                if inside || (chosen.len() >= MIN_TERMS && score < 0.25 * chosen[0].0) {
                    continue;
                }
                chosen.push((score, t));
            }
            let shown: Vec<String> = chosen
                .iter()
                .map(|&(_, t)| vocabulary.display(&space.terms[t]))
                .collect();
            let in_label = if chosen.len() >= 3 && chosen[2].0 >= 0.5 * chosen[0].0 {
                3
            } else {
                2
            };
            let label = shown
                .iter()
                .take(in_label)
                .cloned()
                .collect::<Vec<_>>()
                .join(" · ");
            let weights: Vec<(usize, f64)> = chosen.iter().map(|&(s, t)| (t, s)).collect();
            Described {
                label,
                terms: shown,
                quotes: pick_quotes(responses, space, &members[c], &weights, quotes),
            }
        })
        .collect()
}

/// True when a term may label a theme: not a prefix term, a word that never labels (function
/// words, light verbs, determiners) or an excluded stem.
fn labels_theme(term: &str, excluded: &(dyn Fn(&str) -> bool + Sync)) -> bool {
    !term.ends_with(PREFIX_MARK) && !never_labels(term) && !excluded(term)
}

/// Words in a response that reads as a statement of its own.
const GOOD_MIN_WORDS: usize = 4;
const GOOD_MAX_WORDS: usize = 60;

fn pick_quotes(
    responses: &[&Response],
    space: &Space,
    members: &[(usize, f32)],
    weights: &[(usize, f64)],
    n: usize,
) -> Vec<usize> {
    let weight_total: f64 = weights.iter().map(|w| w.1).sum::<f64>().max(f64::MIN_POSITIVE);
    let mut scored: Vec<(f64, usize)> = members
        .iter()
        .map(|&(i, fit)| {
            let doc = space.docs.get(i);
            let carried: f64 = weights
                .iter()
                .filter(|(t, _)| doc.contains(*t as u32))
                .map(|w| w.1)
                .sum();
            let words = space.words[i] as usize;
            let length = if words < GOOD_MIN_WORDS {
                0.3
            } else if words > GOOD_MAX_WORDS {
                GOOD_MAX_WORDS as f64 / words as f64
            } else {
                1.0
            };
            (f64::from(fit) * (0.3 + carried / weight_total) * length, i)
        })
        .collect();
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    // Only the best few need sorting, unless repeated texts use them up.
    let best = (n * 20).max(1);
    if scored.len() > best {
        scored.select_nth_unstable_by(best - 1, order);
        let head = &mut scored[..best];
        head.sort_by(order);
        let chosen = first_distinct(responses, space, head, n);
        if chosen.len() == n {
            return chosen;
        }
    }
    scored.sort_by(order);
    first_distinct(responses, space, &scored, n)
}

/// The first `n` responses of `scored` whose texts (and terms) differ.
fn first_distinct(responses: &[&Response], space: &Space, scored: &[(f64, usize)], n: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    for &(_, i) in scored {
        if chosen.len() == n {
            break;
        }
        let text = responses[i].text.trim().to_lowercase();
        let seen = chosen.iter().any(|&q| {
            responses[q].text.trim().to_lowercase() == text || space.docs.get(q) == space.docs.get(i)
        });
        if !seen {
            chosen.push(i);
        }
    }
    chosen
}
