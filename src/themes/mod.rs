//! Stage: themes. Analysed responses in, [`ThemeModel`] out.
//!
//! The default method is a Dirichlet-multinomial mixture ([`dmm`], GSDMM), chosen by
//! measurement on labelled Norwegian short-text sets against spherical k-means
//! ([`kmeans`]) and NMF ([`nmf`]); see `benches/themes_eval/`. The mixture finds its own
//! number of themes; several chains run in parallel, are combined into one consensus, and
//! only themes the chains reproduce are kept; their agreement is reported as the evidence
//! for that number, with warnings when the structure is weak. The mixture is fitted on an
//! evenly spread sample bounded by a work budget (chains × words), and every response is
//! then assigned in parallel, so the stage stays linear in the corpus, its fitting time
//! fixed, and the themes identical for any thread count.
//!
//! Responses too short or without content words go to an explicit unclassified bucket
//! with the reason ([`Unclassified`]); themes smaller than `min_size` are dissolved into
//! the others. Labels and quotes come from [`describe`]. With `from_column`, an existing
//! coding column is taken as the themes instead. When responses carry human labels, the
//! agreement with them is measured (NMI, AMI, ARI, purity).

pub mod agreement;
mod describe;
pub mod dmm;
pub mod features;
pub mod kmeans;
pub mod nmf;

pub use agreement::Agreement;
pub use describe::{MAX_TERMS, MIN_TERMS};
pub use dmm::DmmOptions;

use crate::analyze::{Vocabulary, Words};
use crate::model::Response;
use crate::row::Row;
use crate::Progress;
use features::{spread, Doc, Docs, Space, SparseVec};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How themes are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeMethod {
    /// Dirichlet-multinomial mixture (GSDMM): finds its own number of themes.
    #[default]
    Mixture,
    /// Spherical k-means on TF-IDF, k by mean silhouette.
    KMeans,
    /// NMF of the TF-IDF matrix from an NNDSVDa start, k by mean silhouette.
    Nmf,
}

impl ThemeMethod {
    pub const ALL: [ThemeMethod; 3] = [ThemeMethod::Mixture, ThemeMethod::KMeans, ThemeMethod::Nmf];

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMethod::Mixture => "mixture",
            ThemeMethod::KMeans => "kmeans",
            ThemeMethod::Nmf => "nmf",
        }
    }

    pub fn parse(s: &str) -> Option<ThemeMethod> {
        ThemeMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl std::fmt::Display for ThemeMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Clustering settings.
#[derive(Debug, Clone)]
pub struct ThemeOptions {
    pub method: ThemeMethod,
    /// Number of themes; `None` lets the method choose (at most `max_k`).
    pub k: Option<usize>,
    /// The ceiling for the number of themes.
    pub max_k: usize,
    pub seed: u64,
    /// Independent chains (mixture) or restarts (k-means), run in parallel.
    pub restarts: usize,
    /// k-means iterations per restart; NMF update rounds.
    pub max_iter: usize,
    /// k-means: responses less similar than this to their theme's centre are unclassified.
    pub min_similarity: f32,
    /// Themes with fewer responses are dissolved into the others.
    pub min_size: usize,
    /// Responses with fewer words (function words included) are unclassified.
    pub min_words: usize,
    /// Also count the first this many letters of longer words as terms (0: off), so
    /// dialect spellings meet; such terms never label a theme.
    pub prefix: usize,
    /// Quotes per theme.
    pub quotes: usize,
    /// Most responses the model is fitted on (evenly spread; the mixture takes fewer when
    /// its work budget is reached); all are assigned afterwards.
    pub sample: usize,
    pub mixture: DmmOptions,
    /// Take the themes from this metadata column instead of finding them.
    pub from_column: Option<String>,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions {
            method: ThemeMethod::Mixture,
            k: None,
            max_k: 30,
            seed: 42,
            restarts: 8,
            max_iter: 100,
            min_similarity: 0.05,
            min_size: 3,
            min_words: 2,
            prefix: 6,
            quotes: 3,
            sample: 10_000,
            mixture: DmmOptions::default(),
            from_column: None,
        }
    }
}

/// Why a response has no theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unclassified {
    /// No words at all.
    Empty,
    /// Only stopwords, function words, numbers or single letters.
    NoContent,
    /// Fewer words than `min_words` (a one-word answer such as "Spennende").
    TooShort,
    /// None of its content words occurs in any other response.
    NoSharedWords,
    /// Too far from every theme (k-means below `min_similarity`).
    WeakFit,
    /// Empty cell in the column the themes were taken from.
    NoCode,
}

impl Unclassified {
    pub const ALL: [Unclassified; 6] = [
        Unclassified::Empty,
        Unclassified::NoContent,
        Unclassified::TooShort,
        Unclassified::NoSharedWords,
        Unclassified::WeakFit,
        Unclassified::NoCode,
    ];

    /// The reason's code, as `report.json` and `responses.csv` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unclassified::Empty => "empty",
            Unclassified::NoContent => "no-content",
            Unclassified::TooShort => "too-short",
            Unclassified::NoSharedWords => "no-shared-words",
            Unclassified::WeakFit => "weak-fit",
            Unclassified::NoCode => "no-code",
        }
    }

    /// The reason in words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Unclassified::Empty => "empty answer",
            Unclassified::NoContent => "no content words (only function words, numbers or letters)",
            Unclassified::TooShort => "too short to place (fewer words than the minimum)",
            Unclassified::NoSharedWords => "no content word shared with any other answer",
            Unclassified::WeakFit => "too far from every theme",
            Unclassified::NoCode => "no code in the theme column",
        }
    }
}

impl std::fmt::Display for Unclassified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// One theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// 1-based, in order of size.
    pub id: usize,
    /// The top two or three terms (display forms), joined by ` · `; for themes taken from
    /// a column, the code itself.
    pub label: String,
    /// Five to eight distinctive terms (display forms), most distinctive first.
    pub terms: Vec<String>,
    /// Number of responses.
    pub size: usize,
    /// Indices (into the response list) of the representative responses; show them with
    /// [`excerpt`], the full text stays at the index.
    pub quotes: Vec<usize>,
}

/// How the number of themes was found, with the evidence a reader needs to trust it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct KChoice {
    /// How k was chosen, in words.
    pub how: String,
    /// Themes kept.
    pub k: usize,
    /// The most themes the method was allowed.
    pub ceiling: usize,
    /// Themes found by each independent run (mixture chains), in run order.
    pub runs: Vec<usize>,
    /// Mean pairwise NMI between the runs' partitions of the sample (1 = the same themes
    /// every time); `None` with a single run.
    pub stability: Option<f64>,
    /// Mean silhouette of the chosen k (k-means, NMF).
    pub silhouette: Option<f64>,
    /// Responses the model was fitted on.
    pub sample: usize,
    /// Plain-language warnings when the structure is weak; empty when it is clear.
    pub warnings: Vec<String>,
}

/// The clustering of a corpus.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThemeModel {
    pub themes: Vec<Theme>,
    /// Theme id per response (`None` = unclassified), parallel to the response list.
    pub assignment: Vec<Option<usize>>,
    /// Why each unclassified response is unclassified (`None` for classified ones),
    /// parallel to the response list.
    #[serde(default)]
    pub reasons: Vec<Option<Unclassified>>,
    pub k: usize,
    /// Mean silhouette for each k tried (k-means and NMF when k was not given).
    pub k_scores: Vec<(usize, f64)>,
    #[serde(default)]
    pub method: ThemeMethod,
    #[serde(default)]
    pub choice: KChoice,
    pub seed: u64,
    /// Number of terms used as features.
    pub features: usize,
    /// Clusters smaller than this were dissolved into the others.
    pub min_size: usize,
    pub agreement: Option<Agreement>,
}

impl ThemeModel {
    /// The theme of response `i`, if classified.
    pub fn theme_of(&self, i: usize) -> Option<&Theme> {
        self.assignment
            .get(i)
            .copied()
            .flatten()
            .and_then(|id| self.themes.get(id - 1))
    }

    /// Why response `i` is unclassified (`None` when it has a theme).
    pub fn reason(&self, i: usize) -> Option<Unclassified> {
        self.reasons.get(i).copied().flatten()
    }

    /// Number of unclassified responses.
    pub fn unclassified(&self) -> usize {
        self.assignment.iter().filter(|a| a.is_none()).count()
    }

    /// Unclassified responses per reason.
    pub fn unclassified_by_reason(&self) -> BTreeMap<Unclassified, usize> {
        let mut counts = BTreeMap::new();
        for r in self.reasons.iter().flatten() {
            *counts.entry(*r).or_default() += 1;
        }
        counts
    }
}

/// Characters of a quote shown in a report.
pub const QUOTE_CHARS: usize = 300;

/// `text` cut at a word boundary to about `max_chars` characters, with `…` where it was
/// cut; unchanged when short enough.
pub fn excerpt(text: &str, max_chars: usize) -> Cow<'_, str> {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return Cow::Borrowed(text);
    }
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
    let cut = text[..end]
        .rfind(char::is_whitespace)
        .filter(|&i| i > end / 2)
        .unwrap_or(end);
    Cow::Owned(format!("{} …", text[..cut].trim_end()))
}

/// Work units the themes stage reports through `progress` for `responses` responses.
pub fn progress_units(responses: usize, options: &ThemeOptions) -> u64 {
    let chunks = responses.div_ceil(CHUNK) as u64;
    let fitting = match (options.from_column.is_some(), options.method) {
        (true, _) => 0,
        (false, ThemeMethod::Mixture) => (options.restarts.max(1) * options.mixture.iterations) as u64,
        (false, _) => options.k.map_or(options.max_k.saturating_sub(1) as u64, |_| 0) + 1,
    };
    2 * chunks + fitting + 1
}

/// Responses per progress step in the parallel passes.
const CHUNK: usize = 10_000;

/// Silhouettes are computed on at most this many responses.
const SILHOUETTE_SAMPLE: usize = 2_000;

/// The work budget of the mixture: its chains together sample at most this many terms
/// per sweep (chains × terms of the sampled responses), so more chains fit a smaller
/// sample and the time of the stage does not grow with the corpus…
const SAMPLE_WORK: usize = 300_000;
/// …but on at least this many responses, however long.
const MIN_SAMPLE: usize = 1_000;

/// Themes the chains reproduce less well than this (mean best Jaccard) are dissolved
/// (chosen on the tuning sets of `benches/themes_eval`).
const REPRODUCED: f64 = 0.4;

/// Chains agreeing less than this (mean pairwise NMI) make a warning.
const STABLE: f64 = 0.6;

/// What a method fitted: the placer, its number of cluster slots, how k was chosen, and
/// the silhouette per k tried.
struct Fitted<'a> {
    placer: Box<dyn Placer + 'a>,
    slots: usize,
    choice: KChoice,
    k_scores: Vec<(usize, f64)>,
}

/// A fitted model that can place any usable response.
trait Placer: Sync {
    /// Best cluster of response `i` among `allowed` (all when `None`) with its fit in
    /// [0, 1]; `None` when nothing fits.
    fn place(&self, i: usize, allowed: Option<&[bool]>) -> Option<(usize, f32)>;
}

/// Finds the themes. `tokens[i]` is the analysis of `responses[i].text`; `excluded` tells
/// stems that must never label a theme (scope markers). `progress` advances by
/// [`progress_units`] in all.
pub fn find_themes(
    rows: &[Row],
    words: &Words,
    vocabulary: &Vocabulary,
    options: &ThemeOptions,
    excluded: &(dyn Fn(&str) -> bool + Sync),
    progress: &dyn Progress,
) -> ThemeModel {
    let responses: Vec<&Response> = rows.iter().map(|r| &r.response).collect();
    let responses = responses.as_slice();
    let space = Space::build(rows, words, options.min_words, options.prefix);
    progress.advance(responses.len().div_ceil(CHUNK) as u64);
    if let Some(column) = &options.from_column {
        return from_column(responses, &space, vocabulary, column, options, excluded, progress);
    }
    let usable = space.usable();
    let idf = space.idf();
    let Fitted {
        placer,
        slots,
        mut choice,
        k_scores,
    } = match options.method {
        ThemeMethod::Mixture => {
            let (m, choice) = fit_mixture(&space, &usable, options, progress);
            Fitted {
                slots: m.dmm.slots(),
                placer: Box::new(m),
                choice,
                k_scores: Vec::new(),
            }
        }
        ThemeMethod::KMeans | ThemeMethod::Nmf => fit_vectors(&space, &usable, &idf, options, progress),
    };

    // Every usable response placed in parallel; small clusters dissolved, then their
    // members placed again among the kept ones.
    let place_all =
        |allowed: Option<&[bool]>, only: &(dyn Fn(usize) -> bool + Sync)| -> Vec<Option<(usize, f32)>> {
            usable
                .par_chunks(CHUNK)
                .flat_map_iter(|chunk| {
                    let placed: Vec<Option<(usize, f32)>> = chunk
                        .iter()
                        .map(|&i| if only(i) { placer.place(i, allowed) } else { None })
                        .collect();
                    progress.advance(1);
                    placed
                })
                .collect()
        };
    let mut placed = place_all(None, &|_| true);
    let mut sizes = vec![0usize; slots];
    for (c, _) in placed.iter().flatten() {
        sizes[*c] += 1;
    }
    let kept: Vec<bool> = sizes.iter().map(|&s| s >= options.min_size.max(1)).collect();
    if sizes.iter().zip(&kept).any(|(&s, &k)| s > 0 && !k) && kept.contains(&true) {
        let mut moved = vec![false; responses.len()];
        for (&i, p) in usable.iter().zip(&placed) {
            moved[i] = p.is_some_and(|(c, _)| !kept[c]);
        }
        let again = place_all(Some(&kept), &|i| moved[i]);
        for ((&i, p), slot) in usable.iter().zip(again).zip(placed.iter_mut()) {
            if moved[i] {
                *slot = p;
            }
        }
    } else {
        progress.advance(usable.len().div_ceil(CHUNK) as u64);
    }

    let mut reasons = space.status.clone();
    let mut raw: Vec<Option<(usize, f32)>> = vec![None; responses.len()];
    for (&i, p) in usable.iter().zip(placed) {
        match p {
            Some(p) => raw[i] = Some(p),
            None => reasons[i] = Some(Unclassified::WeakFit),
        }
    }
    let (themes, assignment) = build_themes(
        responses, &space, &raw, slots, vocabulary, excluded, options, None,
    );
    progress.advance(1);
    choice.k = themes.len();
    add_warnings(&mut choice, &usable, options);
    let agreement = human_agreement(responses, &assignment);
    ThemeModel {
        k: themes.len(),
        themes,
        assignment,
        reasons,
        k_scores,
        method: options.method,
        choice,
        seed: options.seed,
        features: space.terms.len(),
        min_size: options.min_size,
        agreement,
    }
}

/// The mixture fitted on the sample, able to place every response.
struct Mixture<'a> {
    dmm: dmm::Dmm,
    docs: &'a Docs,
}

thread_local! {
    /// Scoring space of each thread that places responses.
    static SCRATCH: std::cell::RefCell<dmm::Scratch> = std::cell::RefCell::default();
}

impl Placer for Mixture<'_> {
    fn place(&self, i: usize, allowed: Option<&[bool]>) -> Option<(usize, f32)> {
        SCRATCH.with_borrow_mut(|scratch| self.dmm.assign(self.docs.get(i), allowed, scratch))
    }
}

/// Runs `options.restarts` chains in parallel on the sample, then combines them: a
/// mixture over the chains' cluster labels (consensus by a finite mixture, Topchy, Jain &
/// Punch 2004) gives the themes, and the word counts of those themes place every response.
fn fit_mixture<'a>(
    space: &'a Space,
    usable: &[usize],
    options: &ThemeOptions,
    progress: &dyn Progress,
) -> (Mixture<'a>, KChoice) {
    // The sample is bounded in responses and in words, so the sampling work (chains ×
    // sweeps × words × slots) is bounded too, whatever the corpus and the thread count.
    let terms_per_doc = |i: usize| space.docs.get(i).len();
    let mean_terms =
        usable.iter().map(|&i| terms_per_doc(i)).sum::<usize>() as f64 / usable.len().max(1) as f64;
    let budget = (SAMPLE_WORK as f64 / options.restarts.max(1) as f64 / mean_terms.max(1.0)) as usize;
    let sample_idx = spread(usable, options.sample.min(budget.max(MIN_SAMPLE)));
    let sample: Vec<Doc> = sample_idx.iter().map(|&i| space.docs.get(i)).collect();
    let slots = options.k.unwrap_or(options.max_k).clamp(1, sample.len().max(1));
    let runs = options.restarts.max(1);
    // The length-scaled prior sets the resolution; with k given the resolution is set.
    let mixture = match options.k {
        Some(_) => options.mixture,
        None => options.mixture.beta_for(space.mean_words(&sample_idx)),
    };
    let chain = |docs: &[Doc], terms: usize, r: usize, progress: &dyn Progress| {
        let seed = options.seed.wrapping_add((r as u64).wrapping_mul(0x9E37_79B9));
        dmm::Dmm::fit(docs, terms, slots, mixture, seed, progress)
    };
    let chains: Vec<dmm::Dmm> = (0..runs)
        .into_par_iter()
        .map(|r| chain(&sample, space.terms.len(), r, progress))
        .collect();
    let min_size = options.min_size.max(1);
    let found = |assignment: &[usize]| {
        let mut sizes = vec![0usize; slots];
        for &z in assignment {
            sizes[z] += 1;
        }
        sizes.iter().filter(|&&s| s >= min_size).count()
    };
    let found_per_run: Vec<usize> = chains.iter().map(|c| found(&c.assignment)).collect();
    let r = chains.len();
    // Every pair of chains compared in parallel, the scores summed in pair order.
    let pairs: Vec<(usize, usize)> = (0..r).flat_map(|a| (a + 1..r).map(move |b| (a, b))).collect();
    let scores: Vec<f64> = pairs
        .par_iter()
        .map(|&(a, b)| agreement::nmi(&chains[a].assignment, &chains[b].assignment))
        .collect();
    let sum: f64 = scores.iter().sum();
    let stability = (r > 1).then(|| sum / (r * (r - 1) / 2) as f64);
    // Each sampled response described by the clusters the chains put it in.
    let labels: Vec<Vec<u32>> = (0..sample.len())
        .map(|d| {
            (0..r)
                .map(|c| (c * slots + chains[c].assignment[d]) as u32)
                .collect()
        })
        .collect();
    let labels: Vec<Vec<u16>> = labels
        .iter()
        .map(|l| {
            let mut units = Vec::new();
            Doc::encode(l, &mut units);
            units
        })
        .collect();
    let label_refs: Vec<Doc> = labels.iter().map(|l| Doc::new(l)).collect();
    // The consensus may not split finer than a typical chain: intersections of slightly
    // different partitions are not themes.
    let consensus_slots = match options.k {
        Some(_) => slots,
        None => median(&found_per_run).max(1),
    };
    let consensus = (0..runs)
        .into_par_iter()
        .map(|c| {
            let seed = options
                .seed
                .wrapping_add(((runs + c) as u64).wrapping_mul(0x9E37_79B9));
            dmm::Dmm::fit(
                &label_refs,
                r * slots,
                consensus_slots,
                mixture,
                seed,
                &crate::Silent,
            )
        })
        .reduce_with(|a, b| if b.log_likelihood > a.log_likelihood { b } else { a });
    let mut assignment = consensus.map_or_else(|| vec![0; sample.len()], |m| m.assignment);
    // With the number of themes left to the data, a theme must be one the chains found
    // again: those they did not reproduce are dissolved, their responses placed later
    // among the others.
    let mut dissolved = 0;
    let mut fitted: Vec<Doc> = sample.clone();
    if options.k.is_none() {
        let used = assignment.iter().max().map_or(0, |&z| z + 1);
        let chain_labels: Vec<&[usize]> = chains.iter().map(|c| c.assignment.as_slice()).collect();
        let stable = reproduced(&assignment, used, &chain_labels, slots);
        let mut order: Vec<usize> = (0..used).filter(|&c| stable[c].is_some()).collect();
        let score = |c: usize| stable[c].unwrap_or(0.0);
        order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
        let keep: Vec<bool> = (0..used)
            .map(|c| stable[c].is_some_and(|s| s >= REPRODUCED) || order.iter().take(2).any(|&o| o == c))
            .collect();
        let mut new_id = vec![usize::MAX; used];
        let mut next = 0;
        for c in 0..used {
            if keep[c] {
                new_id[c] = next;
                next += 1;
            }
        }
        dissolved = order.len() - next;
        let (docs, labels): (Vec<Doc>, Vec<usize>) = sample
            .iter()
            .zip(&assignment)
            .filter(|(_, &z)| keep[z])
            .map(|(&d, &z)| (d, new_id[z]))
            .unzip();
        fitted = docs;
        assignment = labels;
    }
    let used = assignment.iter().max().map_or(1, |&z| z + 1);
    let best = dmm::Dmm::from_assignment(&fitted, space.terms.len(), used, mixture, &assignment);
    let runs = found_per_run;
    let how = match options.k {
        Some(k) => format!("set to {k} by the analyst (a Dirichlet-multinomial mixture may leave some empty)"),
        None => format!(
            "found by a Dirichlet-multinomial mixture started with {slots} slots, where themes the data does not support empty out ({} chains combined; {dissolved} theme{} the chains did not reproduce dissolved)",
            options.restarts.max(1),
            if dissolved == 1 { "" } else { "s" }
        ),
    };
    let choice = KChoice {
        how,
        k: 0,
        ceiling: slots,
        runs,
        stability,
        silhouette: None,
        sample: sample.len(),
        warnings: Vec::new(),
    };
    (
        Mixture {
            dmm: best,
            docs: &space.docs,
        },
        choice,
    )
}

/// How well each of `k` clusters of `assignment` is found again by the chains: the mean,
/// over chains, of the best Jaccard index between the cluster and one of the chain's
/// clusters (`slots` labels each); `None` for empty clusters. Hennig (2007) reads a mean
/// below 0.5 as a cluster that has dissolved.
fn reproduced(assignment: &[usize], k: usize, chains: &[&[usize]], slots: usize) -> Vec<Option<f64>> {
    let mut size = vec![0usize; k];
    for &z in assignment {
        size[z] += 1;
    }
    let mut sum = vec![0.0; k];
    for chain in chains {
        let mut both = vec![0usize; k * slots];
        let mut other = vec![0usize; slots];
        for (&z, &c) in assignment.iter().zip(chain.iter()) {
            both[z * slots + c] += 1;
            other[c] += 1;
        }
        for z in 0..k {
            let best = (0..slots)
                .map(|c| {
                    let n = both[z * slots + c];
                    n as f64 / (size[z] + other[c] - n).max(1) as f64
                })
                .fold(0.0, f64::max);
            sum[z] += best;
        }
    }
    (0..k)
        .map(|z| (size[z] > 0).then(|| sum[z] / chains.len().max(1) as f64))
        .collect()
}

/// k-means or NMF over TF-IDF vectors.
struct Vectors {
    vectors: Vec<SparseVec>,
    index: BTreeMap<usize, usize>,
    kind: VectorModel,
    min_similarity: f32,
}

enum VectorModel {
    KMeans(Vec<Vec<f32>>),
    Nmf(nmf::Nmf, Vec<f64>),
}

impl Placer for Vectors {
    fn place(&self, i: usize, allowed: Option<&[bool]>) -> Option<(usize, f32)> {
        let v = &self.vectors[self.index[&i]];
        let ok = |c: usize| allowed.is_none_or(|a| a[c]);
        match &self.kind {
            VectorModel::KMeans(centroids) => {
                let (c, s) = (0..centroids.len())
                    .filter(|&c| ok(c))
                    .map(|c| (c, kmeans::dot(v, &centroids[c])))
                    .fold(
                        (usize::MAX, f32::NEG_INFINITY),
                        |b, x| if x.1 > b.1 { x } else { b },
                    );
                (c != usize::MAX && s >= self.min_similarity).then_some((c, s.clamp(0.0, 1.0)))
            }
            VectorModel::Nmf(model, hht) => {
                let w = model.weights(v, hht);
                let total: f64 = w.iter().sum();
                let (c, x) = (0..w.len()).filter(|&c| ok(c)).map(|c| (c, w[c])).fold(
                    (usize::MAX, f64::NEG_INFINITY),
                    |b, x| if x.1 > b.1 { x } else { b },
                );
                (c != usize::MAX && x > 0.0).then(|| (c, (x / total.max(f64::MIN_POSITIVE)) as f32))
            }
        }
    }
}

fn fit_vectors(
    space: &Space,
    usable: &[usize],
    idf: &[f32],
    options: &ThemeOptions,
    progress: &dyn Progress,
) -> Fitted<'static> {
    let vectors: Vec<SparseVec> = usable
        .par_iter()
        .map(|&i| Space::tfidf(space.docs.get(i), idf))
        .collect();
    let index: BTreeMap<usize, usize> = usable.iter().enumerate().map(|(j, &i)| (i, j)).collect();
    let positions: Vec<usize> = (0..usable.len()).collect();
    let sample: Vec<SparseVec> = spread(&positions, options.sample)
        .into_iter()
        .map(|j| vectors[j].clone())
        .collect();
    let dims = space.terms.len();
    let fit = |k: usize| -> (VectorModel, Vec<usize>) {
        match options.method {
            ThemeMethod::Nmf => {
                let refs: Vec<&SparseVec> = sample.iter().collect();
                let m = nmf::Nmf::fit(&refs, dims, k, options.max_iter.max(1) * 2, options.seed);
                let assignment = (0..sample.len())
                    .map(|i| {
                        (0..m.k)
                            .max_by(|&a, &b| m.w[i * m.k + a].total_cmp(&m.w[i * m.k + b]).then(b.cmp(&a)))
                            .unwrap_or(0)
                    })
                    .collect();
                let hht = m.hht();
                (VectorModel::Nmf(m, hht), assignment)
            }
            _ => {
                let c = kmeans::best_of(&sample, dims, k, options.seed, options.restarts, options.max_iter);
                (VectorModel::KMeans(c.centroids), c.assignment)
            }
        }
    };
    let picked = spread(&(0..sample.len()).collect::<Vec<_>>(), SILHOUETTE_SAMPLE);
    let mut k_scores = Vec::new();
    let k = match options.k {
        Some(k) => k.clamp(1, sample.len().max(1)),
        None if sample.len() < 2 => 1,
        None => {
            let max_k = options.max_k.min(sample.len() / 4).max(2);
            for k in 2..=max_k {
                let (_, assignment) = fit(k);
                k_scores.push((k, kmeans::silhouette(&sample, &assignment, k, &picked)));
                progress.advance(1);
            }
            k_scores
                .iter()
                .fold(
                    (2, f64::NEG_INFINITY),
                    |b, &(k, s)| if s > b.1 { (k, s) } else { b },
                )
                .0
        }
    };
    let (kind, assignment) = fit(k);
    progress.advance(1);
    let silhouette = (sample.len() >= 2).then(|| kmeans::silhouette(&sample, &assignment, k, &picked));
    let ceiling = if options.k.is_some() {
        k
    } else {
        options.max_k.min(sample.len() / 4).max(2)
    };
    let name = if options.method == ThemeMethod::Nmf {
        "NMF"
    } else {
        "spherical k-means"
    };
    let choice = KChoice {
        how: match options.k {
            Some(k) => format!("set to {k} by the analyst ({name})"),
            None => format!("the highest mean silhouette of {name} for k from 2 to {ceiling}"),
        },
        k: 0,
        ceiling,
        runs: Vec::new(),
        stability: None,
        silhouette,
        sample: sample.len(),
        warnings: Vec::new(),
    };
    let slots = k;
    let placer = Vectors {
        vectors,
        index,
        kind,
        min_similarity: if options.method == ThemeMethod::KMeans {
            options.min_similarity
        } else {
            0.0
        },
    };
    Fitted {
        placer: Box::new(placer),
        slots,
        choice,
        k_scores,
    }
}

/// Warnings a reader needs when the structure is weak.
fn add_warnings(choice: &mut KChoice, usable: &[usize], options: &ThemeOptions) {
    let w = &mut choice.warnings;
    if usable.len() < 30 {
        w.push(format!(
            "Only {} answers have words in common with others: too few to find themes reliably.",
            usable.len()
        ));
    }
    if options.k.is_none() && choice.k >= choice.ceiling && choice.ceiling > 1 {
        w.push(format!(
            "The number of themes reached the ceiling ({}): the answers may hold more themes, or no clear structure. Try a higher --max-k, and read the themes as a rough sorting.",
            choice.ceiling
        ));
    }
    if options.k.is_none() && choice.k < choice.ceiling && runs_filled_the_slots(&choice.runs, choice.ceiling)
    {
        w.push(format!(
            "Each independent run used nearly all of its {} starting slots: the {} themes kept are those the runs found again, not a number the data settled on, and it may be well off. Compare a few values of --k, and read the themes as a rough sorting.",
            choice.ceiling, choice.k
        ));
    }
    if let Some(s) = choice.stability {
        if s < STABLE {
            w.push(format!(
                "Independent runs agree only weakly on the themes (stability {s:.2} of 1): the structure is weak, treat the themes as one possible sorting."
            ));
        }
    }
    if let Some(s) = choice.silhouette {
        if s < 0.1 {
            w.push(format!(
                "The themes are not well separated (mean silhouette {s:.2}): many answers sit between themes."
            ));
        }
    }
}

/// The middle value of `runs` (the upper one of an even count); 0 for none.
fn median(runs: &[usize]) -> usize {
    let mut sorted = runs.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

/// True when the median run found at least nine tenths of `ceiling` themes: the runs
/// would have split the answers finer had they been allowed.
fn runs_filled_the_slots(runs: &[usize], ceiling: usize) -> bool {
    !runs.is_empty() && ceiling >= 2 && median(runs) * 10 >= ceiling * 9
}

/// Themes of the raw clusters, sorted by size then label, and the theme id per response.
#[allow(clippy::too_many_arguments)]
fn build_themes(
    responses: &[&Response],
    space: &Space,
    raw: &[Option<(usize, f32)>],
    slots: usize,
    vocabulary: &Vocabulary,
    excluded: &(dyn Fn(&str) -> bool + Sync),
    options: &ThemeOptions,
    names: Option<&[String]>,
) -> (Vec<Theme>, Vec<Option<usize>>) {
    let mut members: Vec<Vec<(usize, f32)>> = vec![Vec::new(); slots];
    for (i, r) in raw.iter().enumerate() {
        if let Some((c, fit)) = *r {
            members[c].push((i, fit));
        }
    }
    let nonempty: Vec<usize> = (0..slots).filter(|&c| !members[c].is_empty()).collect();
    let lists: Vec<Vec<(usize, f32)>> = nonempty
        .iter()
        .map(|&c| std::mem::take(&mut members[c]))
        .collect();
    let described = describe::describe(responses, space, &lists, vocabulary, excluded, options.quotes);
    let mut themes: Vec<(usize, Theme)> = nonempty
        .iter()
        .zip(described)
        .zip(&lists)
        .map(|((&c, d), list)| {
            let label = names.map_or(d.label, |n| n[c].clone());
            (
                c,
                Theme {
                    id: 0,
                    label,
                    terms: d.terms,
                    size: list.len(),
                    quotes: d.quotes,
                },
            )
        })
        .collect();
    themes.sort_by(|(ca, a), (cb, b)| b.size.cmp(&a.size).then(a.label.cmp(&b.label)).then(ca.cmp(cb)));
    let mut id_of = vec![None; slots];
    let themes: Vec<Theme> = themes
        .into_iter()
        .enumerate()
        .map(|(i, (c, mut theme))| {
            theme.id = i + 1;
            id_of[c] = Some(theme.id);
            theme
        })
        .collect();
    let assignment = raw.iter().map(|r| r.and_then(|(c, _)| id_of[c])).collect();
    (themes, assignment)
}

/// Themes taken from a coding column: each distinct non-empty value is a theme. Terms and
/// quotes are found as for computed themes (quotes by cosine to the theme's centre).
fn from_column(
    responses: &[&Response],
    space: &Space,
    vocabulary: &Vocabulary,
    column: &str,
    options: &ThemeOptions,
    excluded: &(dyn Fn(&str) -> bool + Sync),
    progress: &dyn Progress,
) -> ThemeModel {
    let codes: Vec<Option<&str>> = responses
        .iter()
        .map(|r| r.meta.get(column).map(|v| v.trim()).filter(|v| !v.is_empty()))
        .collect();
    let names: Vec<String> = {
        let mut set: Vec<&str> = codes.iter().flatten().copied().collect();
        set.sort_unstable();
        set.dedup();
        set.into_iter().map(str::to_string).collect()
    };
    let slot: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let idf = space.idf();
    // Centre of each code's TF-IDF vectors, for typical quotes.
    let mut centres = vec![vec![0.0f32; space.terms.len()]; names.len()];
    for (i, code) in codes.iter().enumerate() {
        if let Some(c) = code {
            for (t, w) in Space::tfidf(space.docs.get(i), &idf) {
                centres[slot[c]][t as usize] += w;
            }
        }
    }
    for c in &mut centres {
        let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
        c.iter_mut().for_each(|x| *x /= norm);
    }
    let raw: Vec<Option<(usize, f32)>> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            code.map(|c| {
                let s = slot[c];
                (
                    s,
                    kmeans::dot(&Space::tfidf(space.docs.get(i), &idf), &centres[s]).max(0.0),
                )
            })
        })
        .collect();
    progress.advance(responses.len().div_ceil(CHUNK) as u64);
    let (themes, assignment) = build_themes(
        responses,
        space,
        &raw,
        names.len(),
        vocabulary,
        excluded,
        options,
        Some(&names),
    );
    progress.advance(1);
    let reasons = codes
        .iter()
        .map(|c| c.is_none().then_some(Unclassified::NoCode))
        .collect();
    let agreement = human_agreement(responses, &assignment);
    ThemeModel {
        k: themes.len(),
        choice: KChoice {
            how: format!("taken from the column {column:?}"),
            k: themes.len(),
            ceiling: themes.len(),
            sample: responses.len(),
            ..KChoice::default()
        },
        themes,
        assignment,
        reasons,
        k_scores: Vec::new(),
        method: options.method,
        seed: options.seed,
        features: space.terms.len(),
        min_size: 1,
        agreement,
    }
}

/// NMI/AMI/ARI/purity against each response's main human label, over labelled responses
/// (the unclassified bucket counts as one more cluster). `None` without labels.
fn human_agreement(responses: &[&Response], assignment: &[Option<usize>]) -> Option<Agreement> {
    let (clusters, labels): (Vec<usize>, Vec<&str>) = responses
        .iter()
        .zip(assignment)
        .filter_map(|(r, a)| r.main_label().map(|l| (a.unwrap_or(0), l)))
        .unzip();
    (!labels.is_empty()).then(|| agreement::agreement(&clusters, &labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word_and_say_so() {
        assert_eq!(excerpt("  Kort svar. ", 300), "Kort svar.");
        let long = "ord ".repeat(200);
        let e = excerpt(&long, 300);
        assert!(e.chars().count() <= 302, "{}", e.chars().count());
        assert!(e.ends_with(" …") && e.starts_with("ord ord"));
        assert!(!e.contains("or …"));
    }

    #[test]
    fn a_theme_the_chains_split_is_less_reproduced_than_one_they_keep() {
        // Cluster 0 (six responses) is found whole by both chains; cluster 1 is split in
        // halves by the first chain and scattered over three clusters by the second.
        let consensus = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let first = [2, 2, 2, 2, 2, 2, 0, 0, 0, 1, 1, 1];
        let second = [3, 3, 3, 3, 3, 3, 0, 0, 1, 1, 2, 2];
        let r = reproduced(&consensus, 3, &[&first, &second], 4);
        assert_eq!(r[0], Some(1.0));
        let split = r[1].expect("occupied");
        assert!((split - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-12, "{split}");
        assert!(r[2].is_none());
    }

    #[test]
    fn reason_codes_are_those_json_writes() {
        for r in Unclassified::ALL {
            assert_eq!(serde_json::to_value(r).expect("json"), r.as_str());
        }
    }

    #[test]
    fn runs_that_use_nearly_every_slot_are_told_apart() {
        assert!(runs_filled_the_slots(&[29, 30, 28, 30, 30], 30));
        assert!(runs_filled_the_slots(&[27, 27, 30], 30));
        assert!(!runs_filled_the_slots(&[23, 22, 25, 24, 26], 30));
        assert!(!runs_filled_the_slots(&[], 30));
        assert!(!runs_filled_the_slots(&[1, 1], 1));
    }

    #[test]
    fn methods_parse_by_name() {
        for m in ThemeMethod::ALL {
            assert_eq!(ThemeMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(ThemeMethod::parse("lda"), None);
    }
}
