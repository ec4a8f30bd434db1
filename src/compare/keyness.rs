//! Keyness of each group against the rest of its grouping. The unit is the response, as
//! everywhere in the comparison: for every word used in at least [`MIN_TOTAL`] responses,
//! the responses of the group that use it are set against those of the other groups in
//! a 2 × 2 table, scored by log-likelihood G² (p from χ², 1 df) with Log Ratio as the
//! effect size. Counting responses rather than occurrences keeps the test honest when
//! one respondent repeats a word, or when words cluster by topic within responses.
//! p-values are Benjamini–Hochberg adjusted across every word × group tested in the
//! grouping, so the chance of any false alarm stays near 5 % however many groups there
//! are. Only words used more in the group, with an adjusted p below [`super::ALPHA`], are
//! called distinctive; the reports say so when none are.

use super::stats::{benjamini_hochberg, chi2_sf, g2_table, log_ratio};
use super::{Case, ALPHA};
use crate::analyze::compound::FastMap;
use serde::{Deserialize, Serialize};

/// Words used in fewer responses than this are not tested: such counts cannot carry a
/// difference, and testing them only dilutes the correction.
pub const MIN_TOTAL: u64 = 5;
/// A distinctive word is used by at least this many responses of its group.
pub const MIN_IN_GROUP: u64 = 3;
/// Distinctive words kept per group, strongest first.
pub const TOP: usize = 50;

/// A word distinctive of one group against the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyness {
    /// Display form (the most frequent surface word behind the stem).
    pub word: String,
    pub stem: String,
    /// Responses using the word in the group and in the other groups.
    pub n_group: u64,
    pub n_rest: u64,
    /// Log-likelihood G² of the 2 × 2 table (uses the word or not × group or rest).
    pub g2: f64,
    /// log2 of the ratio of the shares of responses using the word (group over rest),
    /// zero counts read as 0.5: +1 means twice as common in the group.
    pub log_ratio: f64,
    /// Benjamini–Hochberg adjusted p-value across every word × group tested in the grouping.
    pub p_adj: f64,
}

/// Keyness of one group.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GroupKeyness {
    /// Feature words in the group (occurrences).
    pub tokens: u64,
    /// Words tested (the size of the multiple-testing family).
    pub words_tested: usize,
    pub distinctive: Vec<Keyness>,
}

/// Keyness of every tested group (`None` for the others). `group_of[i]` is the group of
/// case `i`; only cases in tested groups count, on both sides. `exclude` drops words
/// (by stem) from the test altogether.
pub(super) fn keyness(
    cases: &[Case],
    group_of: &[Option<usize>],
    tested: &[bool],
    exclude: Option<&dyn Fn(&str) -> bool>,
    display: &dyn Fn(&str) -> String,
) -> Vec<Option<GroupKeyness>> {
    let groups = tested.len();
    let mut index: FastMap<&str, usize> = FastMap::default();
    let mut stems: Vec<&str> = Vec::new();
    let mut totals: Vec<u64> = Vec::new();
    let mut counts: Vec<FastMap<usize, u64>> = vec![FastMap::default(); groups];
    let mut tokens = vec![0u64; groups];
    let mut responses = vec![0u64; groups];
    // Each occurrence becomes a word number once; a response's distinct words are then
    // found among integers (sorting the stems themselves compared strings).
    let mut distinct: Vec<usize> = Vec::new();
    for (case, g) in cases.iter().zip(group_of) {
        let Some(g) = g.filter(|&g| tested[g]) else {
            continue;
        };
        responses[g] += 1;
        tokens[g] += case.stems.len() as u64;
        distinct.clear();
        distinct.extend(case.stems.iter().map(|&stem| {
            *index.entry(stem).or_insert_with(|| {
                stems.push(stem);
                totals.push(0);
                stems.len() - 1
            })
        }));
        distinct.sort_unstable();
        distinct.dedup();
        for &w in &distinct {
            totals[w] += 1;
            *counts[g].entry(w).or_default() += 1;
        }
    }
    let all: u64 = responses.iter().sum();
    let mut family: Vec<usize> = (0..stems.len())
        .filter(|&w| totals[w] >= MIN_TOTAL)
        .filter(|&w| exclude.is_none_or(|ex| !ex(stems[w])))
        .collect();
    family.sort_by(|&a, &b| stems[a].cmp(stems[b]));

    // Every word × tested group, then one correction across all of them.
    let mut scored: Vec<(usize, usize, u64, f64, f64)> = Vec::new();
    for g in (0..groups).filter(|&g| tested[g]) {
        let (c, d) = (responses[g], all - responses[g]);
        for &w in &family {
            let a = counts[g].get(&w).copied().unwrap_or(0);
            let b = totals[w] - a;
            scored.push((g, w, a, g2_table(a, c, b, d), log_ratio(a, b, c, d)));
        }
    }
    let p: Vec<f64> = scored.iter().map(|s| chi2_sf(s.3, 1)).collect();
    let p_adj = benjamini_hochberg(&p);
    let mut distinctive: Vec<Vec<Keyness>> = vec![Vec::new(); groups];
    for (&(g, w, a, g2, lr), &q) in scored.iter().zip(&p_adj) {
        if q < ALPHA && lr > 0.0 && a >= MIN_IN_GROUP {
            distinctive[g].push(Keyness {
                word: String::new(),
                stem: stems[w].to_string(),
                n_group: a,
                n_rest: totals[w] - a,
                g2,
                log_ratio: lr,
                p_adj: q,
            });
        }
    }
    distinctive
        .into_iter()
        .enumerate()
        .map(|(g, mut list)| {
            if !tested[g] {
                return None;
            }
            list.sort_by(|x, y| y.g2.total_cmp(&x.g2).then(x.stem.cmp(&y.stem)));
            list.truncate(TOP);
            for k in &mut list {
                k.word = display(&k.stem);
            }
            Some(GroupKeyness {
                tokens: tokens[g],
                words_tested: family.len(),
                distinctive: list,
            })
        })
        .collect()
}
