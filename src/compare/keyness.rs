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

use super::stats::{chi2_sf, g2_table, log_ratio, step_up};
use super::{Case, ALPHA};
use crate::analyze::compound::FastMap;
use crate::analyze::{FastSet, StemId};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

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
    /// The stems of `distinctive`, as ids.
    pub distinctive_ids: FastSet<StemId>,
}

/// One word × group test that may come out significant.
struct Test {
    /// Position among all the grouping's tests (group-major), which breaks ties of p.
    at: usize,
    group: usize,
    word: StemId,
    /// Responses of the group that use the word.
    a: u64,
    g2: f64,
    log_ratio: f64,
    p: f64,
}

/// Keyness of every tested group (`None` for the others). `group_of[i]` is the group of
/// case `i`; only cases in tested groups count, on both sides. `stem` names a stem id;
/// `exclude` drops words (by stem) from the test altogether.
pub(super) fn keyness<'w>(
    cases: &[Case],
    group_of: &[Option<usize>],
    tested: &[bool],
    stem: &dyn Fn(StemId) -> &'w str,
    exclude: Option<&dyn Fn(&str) -> bool>,
    display: &dyn Fn(&str) -> String,
) -> Vec<Option<GroupKeyness>> {
    let groups = tested.len();
    // The responses of each tested group, then each group counted on its own thread.
    let mut members: Vec<Vec<&Case>> = vec![Vec::new(); groups];
    for (case, g) in cases.iter().zip(group_of) {
        if let Some(g) = g.filter(|&g| tested[g]) {
            members[g].push(case);
        }
    }
    let responses: Vec<u64> = members.iter().map(|m| m.len() as u64).collect();
    let tokens: Vec<u64> = members
        .iter()
        .map(|m| m.iter().map(|c| c.stems.len() as u64).sum())
        .collect();
    // Responses using each stem (by id) in each group.
    let counts: Vec<FastMap<StemId, u64>> = members
        .par_iter()
        .map(|members| {
            let mut counts: FastMap<StemId, u64> = FastMap::default();
            // The last response (numbered from 1) that used each stem: a response's
            // distinct stems without sorting or hashing.
            let mut seen_in: Vec<u32> = Vec::new();
            for (n, case) in (1u32..).zip(members) {
                for &s in case.stems {
                    let w = s as usize;
                    if w >= seen_in.len() {
                        seen_in.resize(w + 1, 0);
                    }
                    if seen_in[w] != n {
                        seen_in[w] = n;
                        *counts.entry(s).or_default() += 1;
                    }
                }
            }
            counts
        })
        .collect();
    // ... and in all tested groups.
    let mut totals: Vec<u64> = Vec::new();
    for (&s, &n) in counts.iter().flatten() {
        let w = s as usize;
        if w >= totals.len() {
            totals.resize(w + 1, 0);
        }
        totals[w] += n;
    }
    let all: u64 = responses.iter().sum();
    let mut family: Vec<(StemId, &str)> = (0..totals.len())
        .filter(|&w| totals[w] >= MIN_TOTAL)
        .map(|w| (w as StemId, stem(w as StemId)))
        .filter(|&(_, name)| exclude.is_none_or(|ex| !ex(name)))
        .collect();
    family.sort_by(|a, b| a.1.cmp(b.1));

    // Every word × tested group, then one correction across all of them. A grouping by
    // municipality tests hundreds of groups × every word (tens of millions of tests at a
    // million responses), so only the tests that can come out significant are kept: a test
    // with p ≥ α has an adjusted p ≥ α (Benjamini–Hochberg multiplies by m/rank ≥ 1 and
    // takes the least over the ranks above, all with p ≥ α), and those with p < α are the
    // first ranks of all, so their adjusted p below α is the same as over every test.
    let tested_groups: Vec<usize> = (0..groups).filter(|&g| tested[g]).collect();
    let m = tested_groups.len() * family.len();
    let mut kept: Vec<Test> = tested_groups
        .par_iter()
        .enumerate()
        .flat_map_iter(|(k, &g)| {
            let (c, d) = (responses[g], all - responses[g]);
            let (counts, totals, family) = (&counts[g], &totals, &family);
            family.iter().enumerate().filter_map(move |(f, &(w, _))| {
                let a = counts.get(&w).copied().unwrap_or(0);
                let b = totals[w as usize] - a;
                let g2 = g2_table(a, c, b, d);
                let p = chi2_sf(g2, 1);
                (p.total_cmp(&ALPHA) == Ordering::Less).then(|| Test {
                    at: k * family.len() + f,
                    group: g,
                    word: w,
                    a,
                    g2,
                    log_ratio: log_ratio(a, b, c, d),
                    p,
                })
            })
        })
        .collect();
    // Ranked as over all tests (by p, ties by position).
    kept.par_sort_unstable_by(|x, y| x.p.total_cmp(&y.p).then(x.at.cmp(&y.at)));
    let p_adj = step_up(&kept.iter().map(|t| t.p).collect::<Vec<_>>(), m);
    let mut distinctive: Vec<Vec<(StemId, Keyness)>> = vec![Vec::new(); groups];
    for (t, &q) in kept.iter().zip(&p_adj) {
        if q < ALPHA && t.log_ratio > 0.0 && t.a >= MIN_IN_GROUP {
            distinctive[t.group].push((
                t.word,
                Keyness {
                    word: String::new(),
                    stem: stem(t.word).to_string(),
                    n_group: t.a,
                    n_rest: totals[t.word as usize] - t.a,
                    g2: t.g2,
                    log_ratio: t.log_ratio,
                    p_adj: q,
                },
            ));
        }
    }
    distinctive
        .into_iter()
        .enumerate()
        .map(|(g, mut list)| {
            if !tested[g] {
                return None;
            }
            list.sort_by(|(_, x), (_, y)| y.g2.total_cmp(&x.g2).then(x.stem.cmp(&y.stem)));
            list.truncate(TOP);
            let distinctive_ids = list.iter().map(|(w, _)| *w).collect();
            let distinctive = list
                .into_iter()
                .map(|(_, mut k)| {
                    k.word = display(&k.stem);
                    k
                })
                .collect();
            Some(GroupKeyness {
                tokens: tokens[g],
                words_tested: family.len(),
                distinctive,
                distinctive_ids,
            })
        })
        .collect()
}
