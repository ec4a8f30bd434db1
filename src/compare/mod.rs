//! Stage: compare. One [`Case`] per response (its theme, scope tag, metadata and feature
//! stems) in, a [`Comparison`] out: for each grouping (local/national `scope` always,
//! plus every `--compare COLUMN`) the theme × group table with Wilson 95 % intervals, a
//! χ² test with adjusted standardised residuals per cell (Benjamini–Hochberg adjusted
//! across the cells of the grouping) and a plain sentence per significant difference,
//! the words distinctive of each group against the rest (G², Log Ratio, BH-adjusted p),
//! quotes per group, and small-cell suppression so that a small group cannot single out
//! a person. Every report format renders this one value.
//!
//! The analyst must be able to defend each number: shares come with intervals, tests
//! with corrections for testing many cells and words at once, small groups are flagged,
//! and words are only called distinctive when the corrected test says so.

mod groups;
mod keyness;
pub mod stats;

pub use groups::{Cell, Finding, Group, Grouping, Quote, TestSummary};
pub use keyness::Keyness;

use crate::analyze::{StemId, Token, Vocabulary, Words};
use crate::error::{Error, Result};
use crate::model::Response;
use crate::row::Row;
use crate::scope::{Scope, ScopeBasis, ScopeTag, ScopeTagger};
use crate::themes::ThemeModel;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The name of the always-present local/national grouping.
pub const SCOPE_GROUPING: &str = "scope";
/// Default smallest group or cell shown (`--min-cell`).
pub const DEFAULT_MIN_CELL: usize = 5;
/// Adjusted p-values below this count as significant.
pub const ALPHA: f64 = 0.05;

/// What the comparison is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    /// Metadata columns to compare groups by (`--compare`), in the order given.
    pub columns: Vec<String>,
    /// Groups and cells with fewer responses than this are suppressed (`--min-cell`).
    pub min_cell: usize,
    /// The column that decided scope (`--scope-column`), if any.
    pub scope_column: Option<String>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            columns: Vec::new(),
            min_cell: DEFAULT_MIN_CELL,
            scope_column: None,
        }
    }
}

/// One response as the comparison sees it.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub response: &'a Response,
    /// Theme id (1-based); `None` = unclassified.
    pub theme: Option<usize>,
    pub scope: &'a ScopeTag,
    /// Stems of the response's feature words (see [`keyness_stems`]), one per
    /// occurrence, as ids that the `stem` given to [`compare`] names.
    pub stems: &'a [StemId],
}

impl Case<'_> {
    /// The value of `column` for this response: a metadata column, else the built-in
    /// `collection` or `question`; `None` when empty or absent.
    pub fn value(&self, column: &str) -> Option<&str> {
        group_value(self.response, column)
    }
}

/// The group of a response in the grouping by `column`: its value in a metadata column,
/// else the built-in `collection` or `question`, trimmed; `None` when empty or absent.
pub fn group_value<'a>(r: &'a Response, column: &str) -> Option<&'a str> {
    let v = match (r.meta.get(column), column) {
        (Some(v), _) => v,
        (None, "collection") => &r.collection,
        (None, "question") => &r.question,
        _ => return None,
    };
    Some(v.trim()).filter(|v| !v.is_empty())
}

/// The stems a response contributes to keyness: one per feature word (stopwords, numbers
/// and single letters left out; compound parts not added). The one place the comparison
/// reads token information.
pub fn keyness_stems<'w>(tokens: &'w [Token], words: &'w Words) -> impl Iterator<Item = StemId> + 'w {
    tokens.iter().filter_map(|t| words.feature_stem(t.word))
}

/// The keyness stems of every row ([`keyness_stems`]) end to end, in one allocation: at a
/// million responses, a list per response would cost a million allocations and a third
/// more memory.
#[derive(Debug, Default)]
pub struct CaseStems {
    ids: Vec<StemId>,
    /// Where each row's stems end in `ids`.
    ends: Vec<usize>,
}

impl CaseStems {
    pub fn new(rows: &[Row], words: &Words) -> CaseStems {
        let counts: Vec<usize> = rows
            .par_iter()
            .map(|row| keyness_stems(&row.tokens, words).count())
            .collect();
        let ends: Vec<usize> = counts
            .iter()
            .scan(0, |end, &n| {
                *end += n;
                Some(*end)
            })
            .collect();
        let mut ids = vec![0; ends.last().copied().unwrap_or(0)];
        // Each block of rows fills its own part of `ids`, in parallel.
        const BLOCK: usize = 4_096;
        let mut parts = Vec::with_capacity(rows.len().div_ceil(BLOCK));
        let mut rest = ids.as_mut_slice();
        for (block, counts) in rows.chunks(BLOCK).zip(counts.chunks(BLOCK)) {
            let (part, tail) = rest.split_at_mut(counts.iter().sum());
            parts.push((block, part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(block, part)| {
            let stems = block.iter().flat_map(|row| keyness_stems(&row.tokens, words));
            for (slot, stem) in part.iter_mut().zip(stems) {
                *slot = stem;
            }
        });
        CaseStems { ids, ends }
    }

    /// The stems of row `i`.
    pub fn get(&self, i: usize) -> &[StemId] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }
}

/// The cases of the analysed rows, with their stems ([`CaseStems::new`] of the same rows).
pub fn cases<'a>(rows: &'a [Row], stems: &'a CaseStems) -> Vec<Case<'a>> {
    rows.par_iter()
        .enumerate()
        .map(|(i, row)| Case {
            response: &row.response,
            theme: row.theme.map(|t| t as usize),
            scope: &row.scope,
            stems: stems.get(i),
        })
        .collect()
}

/// A value and how many responses have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: String,
    pub count: usize,
}

/// How the responses' scope was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeDecision {
    /// The `--scope-column`, if one was given.
    pub column: Option<String>,
    /// Responses whose scope the column decided (including unknown values).
    pub by_column: usize,
    /// Responses tagged by the marker lexicon (no column, or an empty cell).
    pub by_lexicon: usize,
    /// Column values that are not scope values, most frequent first: those responses
    /// are `unspecified`, never re-guessed from the text.
    pub unknown_values: Vec<ValueCount>,
}

/// Everything the reports show about groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Groups and cells below this many responses are suppressed.
    pub min_cell: usize,
    /// Adjusted p-values below this are called significant.
    pub alpha: f64,
    /// Responses per scope, in [`Scope::ALL`] order, unsuppressed: for the analyst's
    /// summary on the terminal, never written to a report (the `scope` grouping holds
    /// what the reports show).
    #[serde(skip)]
    pub scope_totals: [usize; 4],
    pub scope_decision: ScopeDecision,
    /// `scope` first, then each `--compare` column.
    pub groupings: Vec<Grouping>,
}

impl Comparison {
    /// The grouping called `name`.
    pub fn grouping(&self, name: &str) -> Option<&Grouping> {
        self.groupings.iter().find(|g| g.name == name)
    }
}

/// The theme rows of every table: each theme by id, then the unclassified bucket (id 0).
fn theme_rows(themes: &ThemeModel) -> Vec<(usize, String)> {
    themes
        .themes
        .iter()
        .map(|t| (t.id, t.label.clone()))
        .chain(std::iter::once((0, "unclassified".to_string())))
        .collect()
}

fn scope_index(scope: Scope) -> usize {
    Scope::ALL.iter().position(|&s| s == scope).unwrap_or(3)
}

fn scope_totals(cases: &[Case]) -> [usize; 4] {
    let mut totals = [0usize; 4];
    for case in cases {
        totals[scope_index(case.scope.scope)] += 1;
    }
    totals
}

fn scope_decision(cases: &[Case], column: Option<&str>) -> ScopeDecision {
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_column = 0;
    for case in cases.iter().filter(|c| c.scope.basis == ScopeBasis::Column) {
        by_column += 1;
        if let Some(value) = column.and_then(|col| case.value(col)) {
            if Scope::parse(value).is_none() {
                *unknown.entry(value).or_default() += 1;
            }
        }
    }
    let mut unknown_values: Vec<ValueCount> = unknown
        .into_iter()
        .map(|(value, count)| ValueCount {
            value: value.to_string(),
            count,
        })
        .collect();
    unknown_values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    ScopeDecision {
        column: column.map(str::to_string),
        by_column,
        by_lexicon: cases.len() - by_column,
        unknown_values,
    }
}

/// Checks that every `--compare` column exists in some response.
fn check_columns(cases: &[Case], columns: &[String]) -> Result<()> {
    for column in columns.iter().filter(|c| c.as_str() != SCOPE_GROUPING) {
        if cases.iter().any(|c| c.value(column).is_some()) {
            continue;
        }
        let known: BTreeSet<&str> = cases
            .iter()
            .flat_map(|c| c.response.meta.keys())
            .chain(["collection", "question"])
            .collect();
        return Err(Error::Usage(format!(
            "--compare {column:?}: no response has a value in this column; the columns are: {}",
            known.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// Builds the comparison; `stem` names the stem ids of the cases. Scope marker words are
/// left out of the scope grouping's keyness, since they define its groups.
pub fn compare<'w>(
    cases: &[Case],
    stem: &dyn Fn(StemId) -> &'w str,
    themes: &ThemeModel,
    vocabulary: &Vocabulary,
    tagger: &ScopeTagger,
    options: &CompareOptions,
) -> Result<Comparison> {
    check_columns(cases, &options.columns)?;
    let rows = theme_rows(themes);
    let scope_totals = scope_totals(cases);
    let scope_decision = scope_decision(cases, options.scope_column.as_deref());
    let display = |stem: &str| vocabulary.display(stem);

    let scope_groups: Vec<Option<&str>> = cases.iter().map(|c| Some(c.scope.scope.as_str())).collect();
    let scope_order: Vec<String> = Scope::ALL.iter().map(|s| s.as_str().to_string()).collect();
    let is_marker = |stem: &str| tagger.is_marker_stem(stem);
    let ctx = groups::Context {
        rows: &rows,
        min_cell: options.min_cell,
        stem,
        display: &display,
    };
    let mut scope = groups::grouping(
        SCOPE_GROUPING,
        cases,
        &scope_groups,
        Some(&scope_order),
        &ctx,
        Some(&is_marker),
    );
    if let Some(column) = &scope_decision.column {
        if !scope_decision.unknown_values.is_empty() {
            let n: usize = scope_decision.unknown_values.iter().map(|v| v.count).sum();
            let listed: Vec<String> = scope_decision
                .unknown_values
                .iter()
                .map(|v| format!("{:?} {}", v.value, v.count))
                .collect();
            scope.warnings.insert(
                0,
                format!(
                    "--scope-column {column}: {n} responses have values that are not a scope ({}); they are counted as unspecified, not guessed from the text",
                    listed.join(", ")
                ),
            );
        }
    }
    let mut groupings = vec![scope];
    let mut seen = BTreeSet::from([SCOPE_GROUPING.to_string()]);
    for column in &options.columns {
        if !seen.insert(column.clone()) {
            continue;
        }
        let values: Vec<Option<&str>> = cases.iter().map(|c| c.value(column)).collect();
        groupings.push(groups::grouping(column, cases, &values, None, &ctx, None));
    }
    Ok(Comparison {
        min_cell: options.min_cell,
        alpha: ALPHA,
        scope_totals,
        scope_decision,
        groupings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::Theme;

    /// SplitMix64: a small seeded generator, so the generated corpora are reproducible.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }

        /// An index drawn with the given weights.
        fn pick(&mut self, weights: &[f64]) -> usize {
            let mut u = self.unit() * weights.iter().sum::<f64>();
            for (i, w) in weights.iter().enumerate() {
                if u < *w {
                    return i;
                }
                u -= w;
            }
            weights.len() - 1
        }
    }

    /// A generated corpus: responses with a `kommune` column, scope tags, themes and words.
    struct Corpus {
        responses: Vec<Response>,
        scopes: Vec<ScopeTag>,
        themes: Vec<Option<usize>>,
        /// Each response's words, as ids into `stems`.
        words: Vec<Vec<StemId>>,
        stems: Vec<String>,
    }

    impl Corpus {
        fn cases(&self) -> Vec<Case<'_>> {
            (0..self.responses.len())
                .map(|i| Case {
                    response: &self.responses[i],
                    theme: self.themes[i],
                    scope: &self.scopes[i],
                    stems: &self.words[i],
                })
                .collect()
        }

        fn compare(&self, min_cell: usize) -> Comparison {
            let model = ThemeModel {
                themes: (1..=5)
                    .map(|id| Theme {
                        id,
                        label: format!("t{id}"),
                        terms: Vec::new(),
                        size: 0,
                        quotes: Vec::new(),
                    })
                    .collect(),
                assignment: self.themes.clone(),
                k: 5,
                ..ThemeModel::default()
            };
            let options = CompareOptions {
                columns: vec!["kommune".into()],
                min_cell,
                scope_column: None,
            };
            compare(
                &self.cases(),
                &|s| self.stems[s as usize].as_str(),
                &model,
                &Vocabulary::default(),
                &ScopeTagger::bundled(None),
                &options,
            )
            .expect("compares")
        }
    }

    const GROUPS: [&str; 3] = ["Aurland", "Bykle", "Dovre"];

    /// A planted difference: Aurland's share of theme 1 (15 % elsewhere) and the share
    /// of its responses that use the word `ferje` (never used elsewhere).
    #[derive(Clone, Copy)]
    struct Effect {
        theme_share: f64,
        word_share: f64,
    }

    const STRONG: Effect = Effect {
        theme_share: 0.45,
        word_share: 0.3,
    };

    /// `n` responses in three municipalities (weights 5:3:2), five themes and an
    /// unclassified bucket, eight words each from a Zipf-like vocabulary of 300 words
    /// that depends on the theme, so words cluster within responses as in real text.
    fn generate(seed: u64, n: usize, planted: Option<Effect>) -> Corpus {
        let mut rng = Rng(seed);
        let zipf: Vec<f64> = (1..=300).map(|r| 1.0 / r as f64).collect();
        let mut c = Corpus {
            responses: Vec::new(),
            scopes: Vec::new(),
            themes: Vec::new(),
            words: Vec::new(),
            stems: Vec::new(),
        };
        let mut ids: BTreeMap<String, StemId> = BTreeMap::new();
        for i in 0..n {
            let group = rng.pick(&[5.0, 3.0, 2.0]);
            let mut weights = [0.15, 0.25, 0.2, 0.15, 0.15, 0.1];
            let effect = planted.filter(|_| group == 0);
            if let Some(e) = effect {
                // Theme 1 takes its share; the others keep their proportions.
                let rest = (1.0 - e.theme_share) / (1.0 - weights[0]);
                weights.iter_mut().for_each(|w| *w *= rest);
                weights[0] = e.theme_share;
            }
            let theme = rng.pick(&weights);
            let mut words: Vec<String> = (0..8)
                .map(|_| format!("w{}", (rng.pick(&zipf) + 37 * theme) % 300))
                .collect();
            if effect.is_some_and(|e| rng.unit() < e.word_share) {
                words.push("ferje".into());
            }
            let mut r =
                crate::ingest::Normalizer::default().response("g", "g.csv", i as u64 + 2, "q", "svar");
            r.meta = r.meta.with("kommune", GROUPS[group]);
            c.responses.push(r);
            c.scopes.push(ScopeTag {
                scope: Scope::ALL[rng.pick(&[3.0, 2.0, 1.0, 4.0])],
                evidence: Box::default(),
                basis: ScopeBasis::Lexicon,
            });
            c.themes.push((theme < 5).then_some(theme + 1));
            let words = words
                .into_iter()
                .map(|w| {
                    *ids.entry(w).or_insert_with_key(|w| {
                        c.stems.push(w.clone());
                        (c.stems.len() - 1) as StemId
                    })
                })
                .collect();
            c.words.push(words);
        }
        c
    }

    /// Over `seeds` generated corpora: the share with any significant cell, with any
    /// distinctive word (both in the `kommune` grouping), with an omnibus χ² p below
    /// 0.05, with anything significant in the (random) scope grouping, and with the
    /// planted theme and word found in Aurland.
    fn rates(first_seed: u64, seeds: u64, n: usize, effect: Option<Effect>) -> [f64; 6] {
        let mut hits = [0u64; 6];
        for seed in first_seed..first_seed + seeds {
            let c = generate(seed, n, effect).compare(5);
            let g = c.grouping("kommune").expect("grouping");
            let s = c.grouping(SCOPE_GROUPING).expect("scope");
            let aurland = g.groups.iter().find(|x| x.name == "Aurland");
            for (k, hit) in [
                !g.findings.is_empty(),
                g.groups.iter().any(|x| !x.keyness.is_empty()),
                g.test.as_ref().is_some_and(|t| t.p < 0.05),
                !s.findings.is_empty() || s.groups.iter().any(|x| !x.keyness.is_empty()),
                g.findings
                    .iter()
                    .any(|f| f.group == "Aurland" && f.theme_id == 1 && f.adj_residual > 0.0),
                aurland.is_some_and(|a| a.keyness.iter().any(|k| k.stem == "ferje")),
            ]
            .into_iter()
            .enumerate()
            {
                hits[k] += u64::from(hit);
            }
        }
        hits.map(|h| h as f64 / seeds as f64)
    }

    #[test]
    fn calibration_finds_planted_effects_and_few_false_alarms() {
        // Under the null (groups assigned at random), Benjamini–Hochberg keeps the chance
        // of any false alarm in a grouping near 5 %.
        let null = rates(0, 200, 400, None);
        let small = rates(500, 100, 100, None);
        let strong = rates(1_000, 200, 400, Some(STRONG));
        let moderate = rates(
            2_000,
            100,
            400,
            Some(Effect {
                theme_share: 0.25,
                word_share: 0.08,
            }),
        );
        eprintln!("calibration (any significant cell, any distinctive word, omnibus p<0.05, scope grouping any, planted theme found, planted word found):");
        eprintln!("  null, 200 seeds × 400 responses: {null:.3?}");
        eprintln!("  null, 100 seeds × 100 responses: {small:.3?}");
        eprintln!("  planted 45 % vs 15 % and ferje in 30 %, 200 seeds × 400: {strong:.3?}");
        eprintln!("  planted 25 % vs 15 % and ferje in 8 %, 100 seeds × 400: {moderate:.3?}");
        for rates in [null, small] {
            assert!(rates[0] <= 0.10, "cells: {rates:?}");
            assert!(rates[1] <= 0.10, "words: {rates:?}");
            assert!(rates[2] <= 0.10, "omnibus: {rates:?}");
            assert!(rates[3] <= 0.15, "scope: {rates:?}");
        }
        assert!(null[2] >= 0.01, "the omnibus test is not dead: {null:?}");
        assert!(strong[4] >= 0.9 && strong[5] >= 0.9, "planted: {strong:?}");
        assert!(
            moderate[4] > null[0] && moderate[5] > null[1],
            "moderate: {moderate:?}"
        );
    }

    #[test]
    fn keyness_finds_exactly_what_a_correction_over_every_test_finds() {
        // Only tests with p < α are kept for the correction; the oracle corrects over every
        // word × group test, as the definition says.
        for (seed, planted) in [(3, Some(STRONG)), (4, None)] {
            let c = generate(seed, 4000, planted);
            let cases = c.cases();
            let values: Vec<Option<&str>> = cases.iter().map(|k| k.value("kommune")).collect();
            let names: Vec<&str> = values
                .iter()
                .flatten()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let group_of: Vec<Option<usize>> = values
                .iter()
                .map(|v| v.and_then(|v| names.iter().position(|n| *n == v)))
                .collect();
            let tested = vec![true; names.len()];
            let stem = |s: StemId| c.stems[s as usize].as_str();
            let found = keyness::keyness(&cases, &group_of, &tested, &stem, None, &|s| s.to_string());

            let uses = |k: &Case, w: StemId| k.stems.contains(&w);
            let per_group: Vec<u64> = (0..names.len())
                .map(|g| group_of.iter().filter(|&&x| x == Some(g)).count() as u64)
                .collect();
            let all: u64 = per_group.iter().sum();
            let mut family: Vec<StemId> = (0..c.stems.len() as StemId)
                .filter(|&w| cases.iter().filter(|k| uses(k, w)).count() as u64 >= keyness::MIN_TOTAL)
                .collect();
            family.sort_by_key(|&w| stem(w));
            let mut tests = Vec::new();
            for (g, &cg) in per_group.iter().enumerate() {
                for &w in &family {
                    let a = cases
                        .iter()
                        .zip(&group_of)
                        .filter(|(k, x)| **x == Some(g) && uses(k, w))
                        .count() as u64;
                    let b = cases.iter().filter(|k| uses(k, w)).count() as u64 - a;
                    let d = all - cg;
                    let g2 = stats::g2_table(a, cg, b, d);
                    tests.push((g, w, a, g2, stats::chi2_sf(g2, 1), stats::log_ratio(a, b, cg, d)));
                }
            }
            let q = stats::benjamini_hochberg(&tests.iter().map(|t| t.4).collect::<Vec<_>>());
            let mut expected: Vec<Vec<(String, f64, f64)>> = vec![Vec::new(); names.len()];
            for (&(g, w, a, g2, _, lr), &q) in tests.iter().zip(&q) {
                if q < ALPHA && lr > 0.0 && a >= keyness::MIN_IN_GROUP {
                    expected[g].push((stem(w).to_string(), g2, q));
                }
            }
            let mut any = 0;
            for (g, k) in found.iter().enumerate() {
                let k = k.as_ref().expect("every group is tested");
                let got: Vec<(String, f64, f64)> = k
                    .distinctive
                    .iter()
                    .map(|k| (k.stem.clone(), k.g2, k.p_adj))
                    .collect();
                // The reports list the strongest words of each group, at most TOP.
                expected[g].sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                expected[g].truncate(keyness::TOP);
                assert_eq!(got, expected[g], "seed {seed}, group {}", names[g]);
                any += got.len();
            }
            assert_eq!(any > 0, planted.is_some(), "seed {seed}: {any} distinctive words");
        }
    }

    #[test]
    fn small_groups_and_cells_are_suppressed() {
        let mut c = generate(7, 200, None);
        for r in c.responses.iter_mut().take(3) {
            r.meta = r.meta.with("kommune", "Utsira");
        }
        // A theme with 2 responses in Aurland: a small cell in a shown group.
        let aurland: Vec<usize> = (3..c.responses.len())
            .filter(|&i| &c.responses[i].meta["kommune"] == "Aurland")
            .collect();
        for (k, &i) in aurland.iter().enumerate() {
            c.themes[i] = match c.themes[i] {
                Some(5) if k >= 2 => Some(4),
                t => t,
            };
        }
        c.themes[aurland[0]] = Some(5);
        c.themes[aurland[1]] = Some(5);
        let cmp = c.compare(5);
        let g = cmp.grouping("kommune").expect("grouping");
        let utsira = g.groups.iter().find(|x| x.name == "Utsira").expect("group");
        assert!(utsira.suppressed && utsira.n.is_none() && utsira.tokens.is_none());
        assert!(utsira.keyness.is_empty() && utsira.quotes.is_empty());
        for cell in g.cells.iter().filter(|x| x.group == "Utsira") {
            assert!(cell.suppressed && cell.n.is_none() && cell.group_n.is_none());
            assert!(cell.share.is_none() && cell.ci_low.is_none() && cell.p_adj.is_none());
        }
        let test = g.test.as_ref().expect("test");
        assert_eq!((test.groups, test.responses), (3, 197), "Utsira is not tested");
        assert!(g
            .warnings
            .iter()
            .any(|w| w.contains("1 of 4 groups have fewer than 5")));
        let small = g
            .cells
            .iter()
            .find(|x| x.group == "Aurland" && x.theme_id == 5)
            .expect("cell");
        assert!(small.suppressed && small.n.is_none() && small.share.is_none());
        assert!(small.group_n.is_some(), "the group itself is shown");
        let shown = g
            .cells
            .iter()
            .find(|x| x.group == "Aurland" && x.theme_id == 4)
            .expect("cell");
        let (n, share) = (shown.n.expect("n"), shown.share.expect("share"));
        assert!(!shown.suppressed && n >= 5);
        assert!(shown.ci_low.expect("lo") < share && share < shown.ci_high.expect("hi"));
        // No quote comes from a suppressed cell.
        let in_small: BTreeSet<&str> = aurland[..2].iter().map(|&i| &*c.responses[i].id).collect();
        for group in &g.groups {
            assert!(group.quotes.iter().all(|q| !in_small.contains(q.id.as_str())));
        }
        // With --min-cell 1 nothing is hidden.
        let all = c.compare(1);
        let g = all.grouping("kommune").expect("grouping");
        assert!(g.cells.iter().all(|x| !x.suppressed && x.n.is_some()));
        assert_eq!(g.test.as_ref().map(|t| t.groups), Some(4));
    }

    #[test]
    fn an_unknown_compare_column_is_an_error_naming_the_columns() {
        let c = generate(1, 20, None);
        let model = ThemeModel {
            assignment: c.themes.clone(),
            ..ThemeModel::default()
        };
        let options = CompareOptions {
            columns: vec!["fylke".into()],
            ..CompareOptions::default()
        };
        let err = compare(
            &c.cases(),
            &|s| c.stems[s as usize].as_str(),
            &model,
            &Vocabulary::default(),
            &ScopeTagger::bundled(None),
            &options,
        )
        .expect_err("no such column");
        let msg = err.to_string();
        assert!(
            msg.contains("fylke") && msg.contains("kommune") && msg.contains("question"),
            "{msg}"
        );
    }
}
