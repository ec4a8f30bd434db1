//! One grouping: the responses split by a value (their scope, or a metadata column),
//! the theme × group table with Wilson intervals, the χ² test with adjusted
//! standardised residuals per cell (p-values Benjamini–Hochberg adjusted across the
//! grouping's cells), a sentence per significant cell, keyness and quotes per group,
//! small-cell suppression and the warnings an analyst needs before quoting a number.

use super::keyness::{keyness, Keyness};
use super::stats::{benjamini_hochberg, chi_square, normal_two_sided, wilson};
use super::{Case, ALPHA, SCOPE_GROUPING};
use crate::analyze::compound::FastMap;
use crate::analyze::{FastSet, StemId};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// A tested group smaller than this gets a warning: only large differences can show.
pub const SMALL_GROUP: usize = 30;
/// Quotes per group.
const QUOTES: usize = 3;

/// One value of the grouping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    /// Responses in the group; `None` when suppressed.
    pub n: Option<usize>,
    /// Fewer than `min_cell` responses: no counts, shares, words or quotes are shown, and
    /// the group is left out of the test and of the other groups' keyness.
    pub suppressed: bool,
    /// Feature words in the group (`None` when suppressed).
    pub tokens: Option<u64>,
    /// Words tested for keyness against the rest (the size of the correction's family).
    pub words_tested: usize,
    /// Words distinctive of the group (adjusted p < alpha, used more than in the rest),
    /// strongest first; empty when none are.
    pub keyness: Vec<Keyness>,
    /// Responses quoted for the group: those using most of its distinctive words.
    pub quotes: Vec<Quote>,
}

/// A response quoted for a group (never from a suppressed group or cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub id: String,
    pub text: String,
    pub source: String,
    pub line: u64,
    /// Theme id; 0 = unclassified.
    pub theme_id: usize,
}

/// One theme in one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub group: String,
    /// Theme id; 0 is the unclassified bucket.
    pub theme_id: usize,
    pub theme: String,
    /// Responses of the group in the theme (`None` when suppressed).
    pub n: Option<usize>,
    /// Responses in the group (`None` when the group is suppressed).
    pub group_n: Option<usize>,
    /// `n / group_n` with its Wilson 95 % interval, fractions 0–1.
    pub share: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Adjusted standardised residual: about ±2 or beyond means the cell differs from
    /// what independence of theme and group predicts.
    pub adj_residual: Option<f64>,
    /// Two-sided p of the residual, Benjamini–Hochberg adjusted across the grouping's cells.
    pub p_adj: Option<f64>,
    /// The group or this cell has fewer than `min_cell` responses (zero cells are shown).
    pub suppressed: bool,
}

/// The χ² test of theme × group over the groups that are not suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSummary {
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
    /// Groups and responses in the test.
    pub groups: usize,
    pub responses: usize,
    /// Cells tested (the family of the residuals' correction).
    pub cells: usize,
    /// Cells whose expected count is below 5, and below 1.
    pub expected_below_5: usize,
    pub expected_below_1: usize,
}

/// A significant difference, in numbers and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub group: String,
    pub theme_id: usize,
    pub theme: String,
    pub share: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// What the group is compared with: the other group, or all the other groups.
    pub rest: String,
    /// The share in the rest with its interval; `None` when it would reveal a
    /// suppressed cell.
    pub rest_share: Option<f64>,
    pub rest_ci_low: Option<f64>,
    pub rest_ci_high: Option<f64>,
    pub adj_residual: f64,
    pub p_adj: f64,
    /// The plain-language sentence.
    pub sentence: String,
}

/// Groups compared by one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    /// `scope`, or the metadata column.
    pub name: String,
    /// Responses with a value.
    pub responses: usize,
    /// Responses without a value (left out).
    pub missing: usize,
    pub groups: Vec<Group>,
    /// Group-major: every theme (unclassified last) for the first group, then the next.
    pub cells: Vec<Cell>,
    /// `None` when fewer than two groups (or themes) can be tested.
    pub test: Option<TestSummary>,
    /// The significant cells, most significant first (with two groups, each difference
    /// once, from the group where the theme is larger).
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// What every grouping shares: the theme rows, the suppression threshold, display forms.
pub(super) struct Context<'a, 'w> {
    /// (theme id, label), unclassified (id 0) last.
    pub rows: &'a [(usize, String)],
    pub min_cell: usize,
    /// The stem of an id in [`Case::stems`].
    pub stem: &'a dyn Fn(StemId) -> &'w str,
    pub display: &'a dyn Fn(&str) -> String,
}

impl Grouping {
    /// How a group of this grouping is named in a sentence: `local responses`,
    /// `responses with kommune = Lom`.
    pub fn phrase(&self, group: &str) -> String {
        phrase(&self.name, group)
    }
}

/// How a group is named in a sentence.
fn phrase(grouping: &str, group: &str) -> String {
    if grouping == SCOPE_GROUPING {
        match group {
            "both" => "responses about both levels".to_string(),
            "unspecified" => "responses with no scope".to_string(),
            _ => format!("{group} responses"),
        }
    } else {
        format!("responses with {grouping} = {group}")
    }
}

/// A share as a whole percentage (one decimal below 1 %), for sentences.
fn pct(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

fn interval(share: f64, lo: f64, hi: f64) -> String {
    format!("{} ({}–{})", pct(share), pct(lo).trim_end_matches(" %"), pct(hi))
}

/// Builds one grouping. `values[i]` is the group of case `i` (`None`: no value);
/// `order` fixes the order of the groups (else sorted by name); `exclude` drops words
/// from keyness by stem.
pub(super) fn grouping(
    name: &str,
    cases: &[Case],
    values: &[Option<&str>],
    order: Option<&[String]>,
    ctx: &Context,
    exclude: Option<&dyn Fn(&str) -> bool>,
) -> Grouping {
    let present: BTreeSet<&str> = values.iter().flatten().copied().collect();
    let names: Vec<String> = match order {
        Some(order) => order
            .iter()
            .filter(|g| present.contains(g.as_str()))
            .cloned()
            .collect(),
        None => present.iter().map(|s| s.to_string()).collect(),
    };
    let index: FastMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let row_of: FastMap<usize, usize> = ctx.rows.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let group_of: Vec<Option<usize>> = values
        .iter()
        .map(|v| v.and_then(|v| index.get(v).copied()))
        .collect();
    let (ng, nr) = (names.len(), ctx.rows.len());
    let mut counts = vec![vec![0u64; nr]; ng];
    for (case, g) in cases.iter().zip(&group_of) {
        if let (Some(g), Some(&r)) = (g, row_of.get(&case.theme.unwrap_or(0))) {
            counts[*g][r] += 1;
        }
    }
    let group_n: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let responses = group_of.iter().flatten().count();
    let missing = cases.len() - responses;
    let min_cell = ctx.min_cell as u64;
    let tested: Vec<bool> = group_n.iter().map(|&n| n >= min_cell).collect();
    let tested_ids: Vec<usize> = (0..ng).filter(|&g| tested[g]).collect();
    let cell_hidden = |g: usize, r: usize| !tested[g] || (counts[g][r] > 0 && counts[g][r] < min_cell);

    // χ² over themes × tested groups; residual p-values adjusted across the tested cells.
    let table: Vec<Vec<u64>> = (0..nr)
        .map(|r| tested_ids.iter().map(|&g| counts[g][r]).collect())
        .collect();
    let test = chi_square(&table);
    let mut residual = vec![vec![None; nr]; ng];
    let mut p_adj = vec![vec![None; nr]; ng];
    if let Some(t) = &test {
        let mut at = Vec::new();
        let mut p = Vec::new();
        for (r, row) in t.residuals.iter().enumerate() {
            for (k, z) in row.iter().enumerate() {
                if let Some(z) = *z {
                    residual[tested_ids[k]][r] = Some(z);
                    at.push((tested_ids[k], r));
                    p.push(normal_two_sided(z));
                }
            }
        }
        for ((g, r), q) in at.into_iter().zip(benjamini_hochberg(&p)) {
            p_adj[g][r] = Some(q);
        }
    }
    let tested_n: u64 = tested_ids.iter().map(|&g| group_n[g]).sum();

    let mut cells = Vec::with_capacity(ng * nr);
    let mut findings = Vec::new();
    for g in 0..ng {
        for (r, (theme_id, theme)) in ctx.rows.iter().enumerate() {
            let hidden = cell_hidden(g, r);
            let mut cell = Cell {
                group: names[g].clone(),
                theme_id: *theme_id,
                theme: theme.clone(),
                n: None,
                group_n: tested[g].then_some(group_n[g] as usize),
                share: None,
                ci_low: None,
                ci_high: None,
                adj_residual: None,
                p_adj: None,
                suppressed: hidden,
            };
            if !hidden {
                let (n, total) = (counts[g][r], group_n[g]);
                let (lo, hi) = wilson(n, total);
                let share = n as f64 / total as f64;
                cell.n = Some(n as usize);
                cell.share = Some(share);
                cell.ci_low = Some(lo);
                cell.ci_high = Some(hi);
                cell.adj_residual = residual[g][r];
                cell.p_adj = p_adj[g][r];
                if let (Some(z), Some(q)) = (residual[g][r], p_adj[g][r]) {
                    // With two groups the two cells of a theme mirror each other: the
                    // difference is said once, from the side where the theme is larger.
                    if q < ALPHA && (tested_ids.len() > 2 || z > 0.0) {
                        let others: Vec<usize> = tested_ids.iter().copied().filter(|&o| o != g).collect();
                        let rest = if others.len() == 1 {
                            phrase(name, &names[others[0]])
                        } else {
                            "the other responses".to_string()
                        };
                        // The rest's count minus the shown cells gives the suppressed
                        // ones' sum: withheld when that sum is itself a small count.
                        let rest_suppressed: u64 = others
                            .iter()
                            .filter(|&&o| cell_hidden(o, r))
                            .map(|&o| counts[o][r])
                            .sum();
                        let rest_hidden = rest_suppressed > 0 && rest_suppressed < min_cell;
                        let rest_total = tested_n - total;
                        let rest_n: u64 = others.iter().map(|&o| counts[o][r]).sum();
                        let rest_share =
                            (!rest_hidden && rest_total > 0).then(|| rest_n as f64 / rest_total as f64);
                        let rest_ci = rest_share.map(|_| wilson(rest_n, rest_total));
                        let subject = if *theme_id == 0 {
                            "Unclassified responses make up".to_string()
                        } else {
                            format!("Theme {theme_id} ({theme}) is mentioned by")
                        };
                        let against = match (rest_share, rest_ci) {
                            (Some(s), Some((l, h))) => format!("against {} of {rest}", interval(s, l, h)),
                            _ => format!(
                                "{} often than {rest} (whose share is withheld: it would reveal a suppressed cell)",
                                if z > 0.0 { "more" } else { "less" }
                            ),
                        };
                        findings.push(Finding {
                            group: names[g].clone(),
                            theme_id: *theme_id,
                            theme: theme.clone(),
                            share,
                            ci_low: lo,
                            ci_high: hi,
                            sentence: format!(
                                "{subject} {} of {}{}{against}.",
                                interval(share, lo, hi),
                                phrase(name, &names[g]),
                                if rest_share.is_some() { " " } else { ", " }
                            ),
                            rest,
                            rest_share,
                            rest_ci_low: rest_ci.map(|c| c.0),
                            rest_ci_high: rest_ci.map(|c| c.1),
                            adj_residual: z,
                            p_adj: q,
                        });
                    }
                }
            }
            cells.push(cell);
        }
    }
    findings.sort_by(|a, b| {
        a.p_adj
            .total_cmp(&b.p_adj)
            .then(b.adj_residual.abs().total_cmp(&a.adj_residual.abs()))
    });

    let mut words = keyness(cases, &group_of, &tested, ctx.stem, exclude, ctx.display);
    let distinctive: Vec<FastSet<StemId>> = words
        .iter_mut()
        .map(|k| {
            k.as_mut()
                .map(|k| std::mem::take(&mut k.distinctive_ids))
                .unwrap_or_default()
        })
        .collect();
    let mut quotes = quotes(cases, &group_of, &tested, &distinctive, &cell_hidden, &row_of).into_iter();
    let groups: Vec<Group> = (0..ng)
        .zip(words)
        .map(|(g, k)| {
            let (tokens, words_tested, keyness) = match k {
                Some(k) => (Some(k.tokens), k.words_tested, k.distinctive),
                None => (None, 0, Vec::new()),
            };
            Group {
                name: names[g].clone(),
                n: tested[g].then_some(group_n[g] as usize),
                suppressed: !tested[g],
                tokens,
                words_tested,
                keyness,
                quotes: quotes.next().unwrap_or_default(),
            }
        })
        .collect();

    let mut warnings = Vec::new();
    if missing > 0 && name != SCOPE_GROUPING {
        warnings.push(format!(
            "{missing} responses have no {name} value and are left out of this comparison"
        ));
    }
    let suppressed = ng - tested_ids.len();
    if suppressed > 0 {
        warnings.push(format!(
            "{suppressed} of {ng} groups have fewer than {} responses: suppressed (not shown, not tested)",
            ctx.min_cell
        ));
    }
    match &test {
        None if ctx.min_cell > 1 => warnings.push(format!(
            "no test: fewer than two groups with at least {} responses, or fewer than two themes among them",
            ctx.min_cell
        )),
        None => warnings.push("no test: fewer than two groups, or fewer than two themes among them".into()),
        Some(t) => {
            let cells_tested = t.residuals.iter().flatten().filter(|r| r.is_some()).count();
            if t.expected_below_1 > 0 || t.expected_below_5 * 5 > cells_tested {
                warnings.push(format!(
                    "{} of {cells_tested} cells expect fewer than 5 responses: the χ² p-value and the residuals are approximate; read them as rough",
                    t.expected_below_5
                ));
            }
        }
    }
    let small: Vec<(&str, u64)> = tested_ids
        .iter()
        .filter(|&&g| group_n[g] < SMALL_GROUP as u64)
        .map(|&g| (names[g].as_str(), group_n[g]))
        .collect();
    match small.as_slice() {
        [] => {}
        [(group, n)] => warnings.push(format!(
            "{group} has only {n} responses: its intervals are wide and only large differences can reach significance"
        )),
        _ => {
            let listed: Vec<String> = small.iter().map(|(g, n)| format!("{g} ({n})")).collect();
            warnings.push(format!(
                "groups under {SMALL_GROUP} responses: {}; their intervals are wide and only large differences can reach significance",
                listed.join(", ")
            ));
        }
    }
    Grouping {
        name: name.to_string(),
        responses,
        missing,
        groups,
        cells,
        test: test.as_ref().map(|t| TestSummary {
            statistic: t.statistic,
            df: t.df,
            p: t.p,
            groups: tested_ids.len(),
            responses: tested_n as usize,
            cells: t.residuals.iter().flatten().filter(|r| r.is_some()).count(),
            expected_below_5: t.expected_below_5,
            expected_below_1: t.expected_below_1,
        }),
        findings,
        warnings,
    }
}

/// Up to [`QUOTES`] responses of each tested group: most occurrences of the group's
/// `distinctive` words, then the longer text (up to 400 bytes), then by id and position;
/// never from a suppressed cell (`hidden(group, theme row)`). One pass over the cases
/// for all groups: a grouping by municipality has hundreds.
fn quotes(
    cases: &[Case],
    group_of: &[Option<usize>],
    tested: &[bool],
    distinctive: &[FastSet<StemId>],
    hidden: &dyn Fn(usize, usize) -> bool,
    row_of: &FastMap<usize, usize>,
) -> Vec<Vec<Quote>> {
    type Pick<'a> = (usize, usize, usize, &'a Case<'a>);
    let mut picks: Vec<Vec<Pick>> = vec![Vec::new(); tested.len()];
    for (i, (c, g)) in cases.iter().zip(group_of).enumerate() {
        let Some(g) = g.filter(|&g| tested[g]) else {
            continue;
        };
        if row_of.get(&c.theme.unwrap_or(0)).is_none_or(|&r| hidden(g, r)) {
            continue;
        }
        let hits = c.stems.iter().filter(|s| distinctive[g].contains(*s)).count();
        picks[g].push((hits, c.response.text.len().min(400), i, c));
    }
    let order = |a: &Pick, b: &Pick| -> Ordering {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.3.response.id.cmp(&b.3.response.id))
            .then(a.2.cmp(&b.2))
    };
    picks
        .into_iter()
        .map(|mut picks| {
            // Only the first few are shown: pick them out, then order them (a group can
            // hold most of a million responses).
            if picks.len() > QUOTES {
                picks.select_nth_unstable_by(QUOTES - 1, order);
                picks.truncate(QUOTES);
            }
            picks.sort_by(order);
            picks
                .into_iter()
                .map(|(_, _, _, c)| Quote {
                    id: c.response.id.to_string(),
                    text: c.response.text.to_string(),
                    source: c.response.source.to_string(),
                    line: c.response.line,
                    theme_id: c.theme.unwrap_or(0),
                })
                .collect()
        })
        .collect()
}
